"""Neural-network layers, losses and initialisation, with PyTorch's names, shapes and defaults."""

from minigrad.nn import functional, init, utils
from minigrad.nn.activation import Flatten, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from minigrad.nn.batchnorm import BatchNorm1d, BatchNorm2d
from minigrad.nn.conv import AvgPool2d, Conv2d, MaxPool2d
from minigrad.nn.dropout import Dropout
from minigrad.nn.linear import Linear
from minigrad.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from minigrad.nn.module import Buffer, Module, Parameter, Sequential

__all__ = [
    "functional",
    "init",
    "utils",
    "Module",
    "Parameter",
    "Buffer",
    "Sequential",
    "Linear",
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "Flatten",
    "Identity",
    "ReLU",
    "LeakyReLU",
    "Tanh",
    "Sigmoid",
    "Softmax",
    "Dropout",
    "BatchNorm1d",
    "BatchNorm2d",
    "MSELoss",
    "L1Loss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
]
