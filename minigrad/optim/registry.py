"""The one table of minigrad's ten optimizers, from which the `minigrad` command builds its options
and the comparisons pick their learning rates.

    from minigrad.optim.registry import OPTIMIZERS
    OPTIMIZERS["adam"].display_name      # "Adam"
    OPTIMIZERS["adam"].cls               # optim.Adam
    OPTIMIZERS["adam"].hyperparameters() # {"betas": (0.9, 0.999), "eps": 1e-08, ...}: the constructor's defaults

Each entry also holds the learning rates the comparisons use: one tuned for the digits MLP
(`minigrad compare`, `minigrad train`) and one for the 2-D surfaces (`minigrad surfaces`). Adding an
optimizer to minigrad's comparisons and command line is adding one row here.
"""

import inspect
from dataclasses import dataclass, field

from minigrad.optim.adadelta import AdaDelta
from minigrad.optim.adagrad import AdaGrad
from minigrad.optim.adam import Adam
from minigrad.optim.adamax import AdaMax
from minigrad.optim.nadam import Nadam
from minigrad.optim.nadamax import NadaMax
from minigrad.optim.rmsprop import RMSProp
from minigrad.optim.sgd import SGD, Momentum, Nesterov


@dataclass(frozen=True)
class Entry:
    """One optimizer of the comparisons."""

    name: str  # the command line's name: `--optimizer adam`
    display_name: str  # as tables and figures show it
    cls: type
    network_lr: float  # suits the digits MLP (64-128-64-10) with batches of 32
    surface_lr: float  # suits the 2-D surfaces, times the surface's scale for this kind of optimizer
    # Which of a surface's scales multiplies `surface_lr`: "gradient" for steps ∝ the gradient (SGD and
    # its momentum forms), "adaptive" for steps ≈ lr per coordinate, "none" for AdaDelta, which sets
    # its own step size.
    surface_scale: str = "adaptive"
    surface_settings: dict = field(default_factory=dict)  # other settings on the surfaces

    def hyperparameters(self) -> dict:
        """The constructor's keyword arguments other than `lr`, with their defaults."""
        return {
            name: parameter.default
            for name, parameter in inspect.signature(self.cls.__init__).parameters.items()
            if name not in ("self", "params", "lr") and parameter.default is not inspect.Parameter.empty
        }

    def surface_rate(self, surface) -> float:
        """The learning rate on one of `minigrad.viz.SURFACES`."""
        scale = {"gradient": surface.lr_scale, "adaptive": surface.adaptive_lr_scale, "none": 1.0}[
            self.surface_scale
        ]
        return self.surface_lr * scale

    def make(self, params, lr=None, for_surface: bool = False, **hyperparameters):
        """The optimizer over `params`: the table's learning rate unless `lr` is given."""
        if for_surface:
            hyperparameters = {**self.surface_settings, **hyperparameters}
        if lr is None:
            lr = self.surface_lr if for_surface else self.network_lr
        return self.cls(params, lr=lr, **hyperparameters)


OPTIMIZERS = {
    entry.name: entry
    for entry in [
        #     name        display      class      lr (MLP)  lr (surfaces)
        Entry("sgd",      "SGD",       SGD,       0.1,      0.1,  surface_scale="gradient"),
        Entry("momentum", "Momentum",  Momentum,  0.02,     0.02, surface_scale="gradient"),
        Entry("nesterov", "Nesterov",  Nesterov,  0.02,     0.02, surface_scale="gradient"),
        Entry("adagrad",  "AdaGrad",   AdaGrad,   0.05,     0.5),
        Entry("rmsprop",  "RMSProp",   RMSProp,   1e-3,     0.05),
        # On the surfaces a larger ε lets AdaDelta's self-set steps start moving.
        Entry("adadelta", "AdaDelta",  AdaDelta,  1.0,      1.0,  surface_scale="none", surface_settings={"eps": 1e-2}),
        Entry("adam",     "Adam",      Adam,      1e-3,     0.1),
        Entry("adamax",   "AdaMax",    AdaMax,    2e-3,     0.1),
        Entry("nadam",    "Nadam",     Nadam,     2e-3,     0.1),
        Entry("nadamax",  "NadaMax",   NadaMax,   2e-3,     0.1),
    ]
}  # fmt: skip


# What each constructor argument means, for the command line's help (in the notation of the docstrings).
MEANINGS = {
    "momentum": "momentum factor μ",
    "dampening": "dampening τ of the momentum buffer",
    "nesterov": "Nesterov momentum",
    "weight_decay": "L2 penalty, added to the gradient",
    "lr_decay": "learning-rate decay per step",
    "initial_accumulator_value": "starting value of the squared-gradient accumulator",
    "eps": "ε that keeps the denominator away from 0",
    "alpha": "smoothing constant α of the squared-gradient average",
    "centered": "divide by the centred variance estimate",
    "rho": "decay ρ of the running averages",
    "betas": "decay rates β₁, β₂ of the two moment estimates",
    "amsgrad": "use the running maximum of the second moment (AMSGrad)",
    "momentum_decay": "momentum decay ψ of Nadam's μₜ schedule",
    "simplified": "the constant-β₁ Nadam approximation",
    "decoupled_weight_decay": "shrink θ by lr·weight_decay before the step instead (AdamW)",
    "eps_hat": "eps is the ε̂ added to √v, as Keras's epsilon",
}


def hyperparameter_table() -> dict:
    """{hyperparameter: {optimizer name: default}} over the table, in first-seen order: what the
    command line offers as options."""
    table = {}
    for entry in OPTIMIZERS.values():
        for name, default in entry.hyperparameters().items():
            table.setdefault(name, {})[entry.name] = default
    return table
