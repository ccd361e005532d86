"""Batch normalisation (Ioffe & Szegedy 2015) over the channel axis 1, as one fused node.

Training mode normalises with the statistics of the batch (over every axis but the channels) and
updates the running estimates; evaluation mode normalises with the running estimates:

    x̂ = (x - μ) / √(σ² + ε),    out = γ·x̂ + β
    running_mean ← (1 - momentum)·running_mean + momentum·μ
    running_var  ← (1 - momentum)·running_var  + momentum·σ²·n/(n - 1)   (unbiased, as PyTorch)

With `momentum=None` the running estimates are the plain average of every batch's statistics so far
(PyTorch's cumulative moving average): the k-th batch is weighted 1/k, i.e. momentum = 1/k.
"""

import numpy as np

from minigrad.dtypes import dtype_or_default
from minigrad.function import Function
from minigrad.nn.module import Buffer, Module, Parameter


class BatchNormFunction(Function):
    """Backward, with n values per channel and sums over the non-channel axes:

    training:  ∂L/∂x = γ/(n·√(σ²+ε)) · (n·g - Σg - x̂·Σ(g·x̂))   (μ and σ² depend on x too)
    eval:      ∂L/∂x = γ·g/√(σ²+ε)                              (running statistics are constants)
    ∂L/∂γ = Σ g·x̂,   ∂L/∂β = Σ g
    """

    __slots__ = ("x_hat", "inv_std", "gamma", "axes", "training")
    name = "batch_norm"

    def forward(self, x, gamma, beta, mean, var, eps, training):
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)  # broadcast a per-channel vector over x
        self.axes, self.training, self.gamma = axes, training, gamma.reshape(shape)
        self.inv_std = 1.0 / np.sqrt(var.reshape(shape) + eps)
        self.x_hat = (x - mean.reshape(shape)) * self.inv_std
        return self.x_hat * self.gamma + beta.reshape(shape)

    def backward(self, grad):
        axes, x_hat = self.axes, self.x_hat
        sum_g = grad.sum(axis=axes, keepdims=True)
        sum_g_xhat = (grad * x_hat).sum(axis=axes, keepdims=True)
        grad_x = None
        if self.needs_grad[0]:
            if self.training:
                n = grad.size // grad.shape[1]
                grad_x = (self.gamma * self.inv_std / n) * (n * grad - sum_g - x_hat * sum_g_xhat)
            else:
                grad_x = grad * (self.gamma * self.inv_std)
        return grad_x, sum_g_xhat.reshape(-1), sum_g.reshape(-1), None, None


class _BatchNorm(Module):
    _input_dims = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum=0.1, affine: bool = True, dtype=None):
        super().__init__()
        name = type(self).__name__
        if (
            isinstance(num_features, bool)
            or not isinstance(num_features, (int, np.integer))
            or num_features < 1
        ):
            raise ValueError(f"{name}: num_features must be a positive int, got {num_features!r}")
        if momentum is not None and (
            isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1
        ):
            raise ValueError(
                f"{name}: momentum must be a number in [0, 1] or None (a cumulative average), got {momentum!r}"
            )
        self.num_features, self.eps, self.momentum, self.affine = num_features, eps, momentum, affine
        dtype = dtype_or_default(dtype)
        self.weight = Parameter(np.ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype=dtype)) if affine else None
        self.running_mean = Buffer(np.zeros(num_features, dtype=dtype))
        self.running_var = Buffer(np.ones(num_features, dtype=dtype))
        self.num_batches_tracked = Buffer(np.array(0, dtype=np.int64))

    def forward(self, x):
        name = type(self).__name__
        if x.ndim not in self._input_dims or x.shape[1] != self.num_features:
            raise ValueError(
                f"{name}: expected input of {' or '.join(f'{d}-D' for d in self._input_dims)} with "
                f"{self.num_features} channels on axis 1, got shape {x.shape}"
            )
        gamma = self.weight if self.affine else np.ones(self.num_features, dtype=x.dtype)
        beta = self.bias if self.affine else np.zeros(self.num_features, dtype=x.dtype)
        if not self.training:
            mean, var = self.running_mean.data, self.running_var.data
        else:
            data = x.data
            axes = (0,) + tuple(range(2, data.ndim))
            n = data.size // data.shape[1]
            if n < 2:
                raise ValueError(
                    f"{name}: training needs more than 1 value per channel, got input shape {x.shape}"
                )
            mean, var = data.mean(axis=axes), data.var(axis=axes)
            self.num_batches_tracked.data += 1
            m = 1.0 / int(self.num_batches_tracked.data) if self.momentum is None else self.momentum
            self.running_mean.data[...] = (1 - m) * self.running_mean.data + m * mean
            self.running_var.data[...] = (1 - m) * self.running_var.data + m * var * (n / (n - 1))
        return BatchNormFunction.apply(x, gamma, beta, mean, var, eps=self.eps, training=self.training)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"


class BatchNorm1d(_BatchNorm):
    """Batch norm for (N, C) or (N, C, L) inputs."""

    _input_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm for (N, C, H, W) inputs."""

    _input_dims = (4,)
