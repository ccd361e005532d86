"""The layers as plain functions (`import minigrad.nn.functional as F`), as in PyTorch.

Each is defined next to its layer; this module gathers them under one name.
"""

from minigrad.nn.activation import leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from minigrad.nn.conv import avg_pool2d, conv2d, max_pool2d
from minigrad.nn.dropout import dropout
from minigrad.nn.linear import linear
from minigrad.nn.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)

__all__ = [
    "linear", "conv2d", "max_pool2d", "avg_pool2d", "relu", "leaky_relu", "sigmoid", "tanh", "softmax",
    "log_softmax", "dropout", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
]
