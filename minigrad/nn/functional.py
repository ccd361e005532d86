"""The layers as plain functions (`import minigrad.nn.functional as F`), as in PyTorch.

Each is defined next to its layer; this module gathers them under one name (and holds `one_hot`,
which belongs to no layer).
"""

import numpy as np

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
from minigrad.tensor import Tensor


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """Class indices (int64, any shape) as one-hot vectors along a new last dim: shape (..., num_classes);
    `num_classes=-1` takes the largest index + 1."""
    labels = tensor.data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: class indices must be integers, got dtype {labels.dtype}")
    if num_classes == -1:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"one_hot: class values must be in [0, {num_classes})")
    return Tensor._wrap((labels[..., None] == np.arange(num_classes)).astype(np.int64))


__all__ = [
    "linear",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "relu",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "dropout",
    "cross_entropy",
    "nll_loss",
    "mse_loss",
    "l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "one_hot",
]
