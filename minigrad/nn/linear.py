"""The fully connected layer: y = x Wᵀ + b, as one fused node of the graph."""

import numpy as np

from minigrad.dtypes import dtype_or_default
from minigrad.function import Function
from minigrad.nn import init
from minigrad.nn.activation import ReLU
from minigrad.nn.module import Module, Parameter
from minigrad.tensor import Tensor


class LinearFunction(Function):
    """out = x Wᵀ + b  with x (..., in), W (out, in), b (out,).

    Backward, with g = ∂L/∂out flattened to (rows, out) and x to (rows, in):
        ∂L/∂x = g W,   ∂L/∂W = gᵀ x,   ∂L/∂b = Σ_rows g.
    One node instead of three (transpose, matmul, broadcast add) saves the bookkeeping of two.
    """

    __slots__ = ("x", "weight")
    name = "linear"

    def forward(self, x, weight, bias=None):
        if x.shape[-1:] != weight.shape[1:]:
            raise ValueError(
                f"linear: input of shape {x.shape} has {x.shape[-1] if x.ndim else 0} features, "
                f"but the weight of shape {weight.shape} expects {weight.shape[1]}"
            )
        self.x, self.weight = x, weight
        out = np.matmul(x, weight.T)
        if bias is not None:
            out += bias
        return out

    def backward(self, grad):
        x, weight = self.x, self.weight
        needs = self.needs_grad
        if grad.ndim != 2:  # (..., out): every leading axis is a row
            grad, x = grad.reshape(-1, grad.shape[-1]), x.reshape(-1, x.shape[-1])
        grad_x = np.matmul(grad, weight).reshape(self.x.shape) if needs[0] else None
        grad_w = np.matmul(grad.T, x) if needs[1] else None
        if len(needs) == 2:
            return grad_x, grad_w
        return grad_x, grad_w, (np.add.reduce(grad, axis=0) if needs[2] else None)


class LinearReLUFunction(LinearFunction):
    """out = max(x Wᵀ + b, 0) as one node (what `Sequential` runs for a Linear followed by a ReLU):
    the ReLU is applied in place on the fresh product, and backward masks the gradient first,
        ∂L/∂(x Wᵀ + b) = g · [out > 0],
    then continues as Linear's backward."""

    __slots__ = ("out",)
    name = "linear_relu"

    def forward(self, x, weight, bias=None):
        out = super().forward(x, weight, bias)
        self.out = np.maximum(out, 0, out=out)
        return out

    def backward(self, grad):
        return super().backward(grad * (self.out > 0))


def linear(x, weight, bias=None) -> Tensor:
    """y = x Wᵀ + b (PyTorch's `F.linear`)."""
    if bias is None:
        return LinearFunction.apply(x, weight)
    return LinearFunction.apply(x, weight, bias)


class Linear(Module):
    """A fully connected layer: weight (out_features, in_features), bias (out_features,), initialised
    as PyTorch does (U(-1/√in, 1/√in) for both; with in_features = 0 the bias is 0)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=None):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"Linear: {name} must be an int, got {value!r}")
            if value < 0:
                raise ValueError(f"Linear: {name} must be ≥ 0, got {value}")
        # Linear(0, n) is allowed, as in PyTorch: an empty weight (its initialisation is a no-op with a
        # warning), a zero bias, and an output equal to the bias.
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype_or_default(dtype)))
        self.bias = Parameter(np.empty(out_features, dtype=dtype_or_default(dtype))) if bias else None
        init.default_init_(self.weight, self.bias)

    def forward(self, x):
        if self.bias is None:
            return LinearFunction.apply(x, self.weight)
        return LinearFunction.apply(x, self.weight, self.bias)

    def fuse_with(self, following):
        if type(following) is ReLU:  # exactly ReLU: a subclass may do something else
            return self._forward_relu
        return None

    def _forward_relu(self, x):
        if self.bias is None:
            return LinearReLUFunction.apply(x, self.weight)
        return LinearReLUFunction.apply(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
        )
