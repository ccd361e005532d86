"""Optimizers: the ten update rules of the source documents [Four-step notes]–[Ten optimizers] (docs/sources.md) and AdamW,
plus learning-rate schedules.

Every class plugs into a model the same way, `optim.Adam(model.parameters(), lr=1e-3)`, and each update
rule is also a plain function of NumPy arrays (`optim.adam.adam(param, grad, state, ...)`).
"""

from minigrad.optim import lr_scheduler
from minigrad.optim.adadelta import AdaDelta
from minigrad.optim.adagrad import AdaGrad
from minigrad.optim.adam import Adam, AdamW
from minigrad.optim.adamax import AdaMax
from minigrad.optim.nadam import Nadam
from minigrad.optim.nadamax import NadaMax
from minigrad.optim.optimizer import Optimizer
from minigrad.optim.rmsprop import RMSProp
from minigrad.optim.sgd import SGD, Momentum, Nesterov

__all__ = [
    "Optimizer",
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSProp",
    "AdaDelta",
    "Adam",
    "AdamW",
    "AdaMax",
    "Nadam",
    "NadaMax",
    "lr_scheduler",
]

# PyTorch's spellings of the same classes (with the same defaults), so `torch.optim.Adagrad` code runs.
Adagrad, RMSprop, Adadelta, Adamax, NAdam = AdaGrad, RMSProp, AdaDelta, AdaMax, Nadam
__all__ += ["Adagrad", "RMSprop", "Adadelta", "Adamax", "NAdam"]
