"""The optimizer settings every optimizer test runs: minigrad, the reference equation, and PyTorch.

Each case is (name, minigrad optimizer factory, reference rule and its hyperparameters, PyTorch factory
or None). A PyTorch factory returns the optimizer and, where the minigrad setting starts from a
non-default state (an accumulator starting at ε, a momentum buffer starting at 0), presets that state:
PyTorch only initialises an empty state, so a preset one is used as it is.
"""

import numpy as np
import optim_reference as ref

from minigrad import optim

STEPS, SIZE = 200, 6


def gradient_sequence(seed: int = 0) -> tuple:
    """θ₀ and a recorded gradient sequence (STEPS, SIZE); two coordinates get tiny gradients, where
    the placement of ε matters."""
    rng = np.random.default_rng(seed)
    theta0 = rng.standard_normal(SIZE)
    grads = rng.standard_normal((STEPS, SIZE))
    grads[:, :2] *= 1e-3
    return theta0, grads


def _preset(**arrays):
    """A PyTorch state preset: {name: value} arrays filled like the parameter, plus step = 0."""

    def apply(torch, opt, p):
        state = {"step": torch.tensor(0.0)}
        for name, value in arrays.items():
            state[name] = torch.full_like(p.detach(), value)
        opt.state[p].update(state)

    return apply


def _torch(cls_name, preset=None, **kwargs):
    def make(torch, p):
        opt = getattr(torch.optim, cls_name)([p], foreach=False, **kwargs)
        if preset is not None:
            preset(torch, opt, p)
        return opt

    return make


CASES = [
    ("sgd", lambda p: optim.SGD(p, lr=0.1), (ref.sgd, dict(lr=0.1)), _torch("SGD", lr=0.1)),
    (
        "sgd momentum weight_decay",
        lambda p: optim.SGD(p, lr=0.05, momentum=0.8, weight_decay=0.1),
        (ref.sgd, dict(lr=0.05, momentum=0.8, weight_decay=0.1)),
        _torch("SGD", lr=0.05, momentum=0.8, weight_decay=0.1),
    ),
    (
        "sgd ema momentum (dampening)",
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.9),
        (ref.sgd, dict(lr=0.1, momentum=0.9, dampening=0.9)),
        _torch(
            "SGD",
            preset=lambda torch, opt, p: opt.state[p].update(momentum_buffer=torch.zeros_like(p.detach())),
            lr=0.1,
            momentum=0.9,
            dampening=0.9,
        ),
    ),
    (
        "momentum",
        lambda p: optim.Momentum(p, lr=0.05),
        (ref.sgd, dict(lr=0.05, momentum=0.9)),
        _torch("SGD", lr=0.05, momentum=0.9),
    ),
    (
        "nesterov",
        lambda p: optim.Nesterov(p, lr=0.05, weight_decay=0.01),
        (ref.sgd, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
        _torch("SGD", lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    ),
    ("adagrad", lambda p: optim.AdaGrad(p, lr=0.1), (ref.adagrad, dict(lr=0.1)), _torch("Adagrad", lr=0.1)),
    (
        "adagrad lr_decay weight_decay accumulator",
        lambda p: optim.AdaGrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1),
        (ref.adagrad, dict(lr=0.1, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1)),
        _torch("Adagrad", lr=0.1, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1),
    ),
    ("rmsprop", lambda p: optim.RMSProp(p), (ref.rmsprop, dict(lr=0.01)), _torch("RMSprop")),
    (
        "rmsprop centered momentum",
        lambda p: optim.RMSProp(p, lr=0.005, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01),
        (ref.rmsprop, dict(lr=0.005, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)),
        _torch("RMSprop", lr=0.005, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01),
    ),
    (
        "rmsprop accumulator",
        lambda p: optim.RMSProp(p, lr=0.01, initial_accumulator_value=0.5),
        (ref.rmsprop, dict(lr=0.01, initial_accumulator_value=0.5)),
        _torch("RMSprop", preset=_preset(square_avg=0.5), lr=0.01),
    ),
    ("adadelta", lambda p: optim.AdaDelta(p), (ref.adadelta, dict()), _torch("Adadelta")),
    (
        "adadelta rho weight_decay",
        lambda p: optim.AdaDelta(p, lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.01),
        (ref.adadelta, dict(lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.01)),
        _torch("Adadelta", lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.01),
    ),
    (
        "adadelta accumulator",
        lambda p: optim.AdaDelta(p, initial_accumulator_value=1e-4),
        (ref.adadelta, dict(initial_accumulator_value=1e-4)),
        _torch("Adadelta", preset=_preset(square_avg=1e-4, acc_delta=1e-4)),
    ),
    ("adam", lambda p: optim.Adam(p, lr=0.01), (ref.adam, dict(lr=0.01)), _torch("Adam", lr=0.01)),
    (
        "adam amsgrad weight_decay",
        lambda p: optim.Adam(p, lr=0.01, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.1),
        (ref.adam, dict(lr=0.01, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.1)),
        _torch("Adam", lr=0.01, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.1),
    ),
    (
        "adam accumulator",
        lambda p: optim.Adam(p, lr=0.01, initial_accumulator_value=1e-3),
        (ref.adam, dict(lr=0.01, initial_accumulator_value=1e-3)),
        _torch("Adam", preset=_preset(exp_avg=0.0, exp_avg_sq=1e-3), lr=0.01),
    ),
    (
        "adamw",
        lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1),
        (ref.adam, dict(lr=0.01, weight_decay=0.1, decoupled=True)),
        _torch("AdamW", lr=0.01, weight_decay=0.1),
    ),
    ("adamax", lambda p: optim.AdaMax(p, lr=0.01), (ref.adamax, dict(lr=0.01)), _torch("Adamax", lr=0.01)),
    (
        "adamax weight_decay",
        lambda p: optim.AdaMax(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
        (ref.adamax, dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1)),
        _torch("Adamax", lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
    ),
    ("nadam", lambda p: optim.Nadam(p, lr=0.01), (ref.nadam, dict(lr=0.01)), _torch("NAdam", lr=0.01)),
    (
        "nadam schedule weight_decay",
        lambda p: optim.Nadam(p, lr=0.01, momentum_decay=0.05, weight_decay=0.1),
        (ref.nadam, dict(lr=0.01, momentum_decay=0.05, weight_decay=0.1)),
        _torch("NAdam", lr=0.01, momentum_decay=0.05, weight_decay=0.1),
    ),
    (
        "nadam simplified",
        lambda p: optim.Nadam(p, lr=0.01, simplified=True),
        (ref.nadam, dict(lr=0.01, simplified=True)),
        None,
    ),
    (
        "nadam decoupled_weight_decay",
        lambda p: optim.Nadam(p, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
        (ref.nadam, dict(lr=0.01, weight_decay=0.1, decoupled=True)),
        _torch("NAdam", lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    ),
    (
        "adam decoupled_weight_decay",
        lambda p: optim.Adam(p, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
        (ref.adam, dict(lr=0.01, weight_decay=0.1, decoupled=True)),
        _torch("Adam", lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    ),
    # Keras's ε̂ form: ε = 1e-3 is large next to the tiny gradients of two coordinates, where the forms differ.
    (
        "adam eps_hat amsgrad",
        lambda p: optim.Adam(p, lr=0.01, eps=1e-3, amsgrad=True, eps_hat=True),
        (ref.adam, dict(lr=0.01, eps=1e-3, amsgrad=True, eps_hat=True)),
        None,
    ),
    (
        "adamw eps_hat",
        lambda p: optim.AdamW(p, lr=0.01, eps=1e-3, weight_decay=0.1, eps_hat=True),
        (ref.adam, dict(lr=0.01, eps=1e-3, weight_decay=0.1, decoupled=True, eps_hat=True)),
        None,
    ),
    (
        "nadam eps_hat",
        lambda p: optim.Nadam(p, lr=0.01, eps=1e-3, eps_hat=True),
        (ref.nadam, dict(lr=0.01, eps=1e-3, eps_hat=True)),
        None,
    ),
    (
        "nadam simplified eps_hat",
        lambda p: optim.Nadam(p, lr=0.01, eps=1e-3, simplified=True, eps_hat=True),
        (ref.nadam, dict(lr=0.01, eps=1e-3, simplified=True, eps_hat=True)),
        None,
    ),
    ("nadamax", lambda p: optim.NadaMax(p, lr=0.01), (ref.adamax, dict(lr=0.01, nesterov=True)), None),
]


def minigrad_trajectory(make, theta0, grads) -> np.ndarray:
    """θ₀ ... θ_T of a minigrad optimizer fed the recorded gradients (float64)."""
    import minigrad as mg

    p = mg.tensor(np.array(theta0, dtype=np.float64), requires_grad=True)
    opt = make([p])
    path = [p.data.copy()]
    for g in grads:
        p.grad = g
        opt.step()
        path.append(p.data.copy())
    return np.array(path)


def torch_trajectory(torch, make, theta0, grads) -> np.ndarray:
    """The same with a PyTorch optimizer (float64 default dtype, single-tensor path)."""
    torch.set_default_dtype(torch.float64)
    p = torch.tensor(np.array(theta0, dtype=np.float64), requires_grad=True)
    opt = make(torch, p)
    path = [p.detach().numpy().copy()]
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


def key(name: str) -> str:
    return name.replace(" ", "_").replace("(", "").replace(")", "")
