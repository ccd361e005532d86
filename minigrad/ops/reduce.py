"""Reductions over axes (sum, mean, max, min, logsumexp) and the softmax family.

A reduction's backward has to undo the shrinking: the output gradient gets its reduced axes back
(length 1) and is broadcast over them. `_expand` does that for all of them.
"""

import numpy as np

from minigrad.errors import normalize_axes, normalize_axis
from minigrad.function import Function


def _expand(grad: np.ndarray, axes: tuple, keepdims: bool, shape: tuple) -> np.ndarray:
    """Broadcast the gradient of a reduction over `axes` back to the input's `shape` (a view, no copy)."""
    if not keepdims:
        grad = np.expand_dims(grad, axes)
    return np.broadcast_to(grad, shape)


class Sum(Function):
    """out = Σ over axes of a;  ∂out/∂a = 1 for every element summed."""

    __slots__ = ("axes", "keepdims", "shape")
    name = "sum"
    saves_inputs = saves_output = False
    _reduce = staticmethod(np.sum)

    def forward(self, a, axis=None, keepdims=False):
        self.axes = normalize_axes(self.name, axis, a.shape)
        self.keepdims, self.shape = keepdims, a.shape
        return self._reduce(a, axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        count = self.count()
        return (_expand(grad if count == 1 else grad / count, self.axes, self.keepdims, self.shape),)

    def count(self) -> int:
        """What the sum is divided by: 1 for a sum."""
        return 1


class Mean(Sum):
    """out = (1/n) Σ over axes of a, n the number of elements averaged;  ∂out/∂a = 1/n."""

    __slots__ = ()
    name = "mean"
    _reduce = staticmethod(np.mean)

    def count(self) -> int:
        n = 1
        for axis in self.axes:
            n *= self.shape[axis]
        return n


class Max(Function):
    """out = max over axes of a;  the gradient goes to the maximal elements, split evenly on ties
    (as PyTorch's `amax` and full `max()`)."""

    __slots__ = ("a", "out", "axes", "keepdims")
    name = "max"
    _reduce = staticmethod(np.max)

    def forward(self, a, axis=None, keepdims=False):
        self.axes = normalize_axes(self.name, axis, a.shape)
        if a.size == 0:
            raise ValueError(f"{self.name}: cannot reduce an empty tensor of shape {a.shape}")
        self.a, self.keepdims = a, keepdims
        self.out = self._reduce(a, axis=self.axes, keepdims=True)
        return self.out if keepdims else np.squeeze(self.out, self.axes)

    def backward(self, grad):
        if not self.keepdims:
            grad = np.expand_dims(grad, self.axes)
        winners = self.a == self.out
        return (grad * winners / winners.sum(axis=self.axes, keepdims=True),)


class Min(Max):
    """out = min over axes of a;  the gradient goes to the minimal elements, split evenly on ties."""

    __slots__ = ()
    name = "min"
    _reduce = staticmethod(np.min)


class LogSumExp(Function):
    """out = log Σ exp(a) over axes, computed as m + log Σ exp(a - m) with m = max(a) so that
    inputs of ±1000 neither overflow nor underflow;  ∂out/∂a = exp(a - out) = softmax(a)."""

    __slots__ = ("a", "out", "axes", "keepdims")

    def forward(self, a, axis=None, keepdims=False):
        self.axes = normalize_axes("logsumexp", axis, a.shape)
        self.a, self.keepdims = a, keepdims
        if a.size == 0:  # log Σ of nothing = log 0
            self.out = np.full(np.sum(a, axis=self.axes, keepdims=True).shape, -np.inf, dtype=a.dtype)
            return self.out if keepdims else np.squeeze(self.out, self.axes)
        shift = np.array(np.max(a, axis=self.axes, keepdims=True))  # an array even for 0-d input
        shift[~np.isfinite(shift)] = 0  # rows of -inf: log Σ exp = -inf without a nan from inf - inf
        with np.errstate(divide="ignore"):  # log 0 = -inf is the right answer for such rows
            self.out = np.log(np.sum(np.exp(a - shift), axis=self.axes, keepdims=True)) + shift
        return self.out if keepdims else np.squeeze(self.out, self.axes)

    def backward(self, grad):
        if not self.keepdims:
            grad = np.expand_dims(grad, self.axes)
        return (grad * np.exp(self.a - self.out),)


class Softmax(Function):
    """out = exp(a) / Σ exp(a) along one axis (shifted by the max for stability);
    ∂L/∂a = out · (g - Σ g·out), the Jacobian-vector product without building the Jacobian."""

    __slots__ = ("out", "axis")

    def forward(self, a, axis=-1):
        self.axis = normalize_axis("softmax", axis, a.ndim, a.shape)
        if a.size == 0:  # nothing to normalise: PyTorch returns the empty tensor
            self.out = a.copy()
            return self.out
        e = np.exp(a - a.max(axis=self.axis, keepdims=True))
        self.out = e / e.sum(axis=self.axis, keepdims=True)
        return self.out

    def backward(self, grad):
        out = self.out
        return (out * (grad - (grad * out).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Function):
    """out = a - logsumexp(a) along one axis;  ∂L/∂a = g - softmax(a) · Σ g."""

    __slots__ = ("out", "axis")

    def forward(self, a, axis=-1):
        self.axis = normalize_axis("log_softmax", axis, a.ndim, a.shape)
        if a.size == 0:
            self.out = a.copy()
            return self.out
        shifted = a - a.max(axis=self.axis, keepdims=True)
        self.out = shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))
        return self.out

    def backward(self, grad):
        return (grad - np.exp(self.out) * grad.sum(axis=self.axis, keepdims=True),)


class Norm(Function):
    """out = √(Σ a²) over axes (the 2-norm);  ∂out/∂a = a / out, taken as 0 where out = 0 (as PyTorch),
    so the norm of a zero vector has gradient 0 instead of NaN."""

    __slots__ = ("a", "out", "axes", "keepdims")
    name = "norm"

    def forward(self, a, axis=None, keepdims=False):
        self.axes = normalize_axes(self.name, axis, a.shape)
        self.a, self.keepdims = a, keepdims
        self.out = np.sqrt(np.sum(a * a, axis=self.axes, keepdims=True))
        return self.out if keepdims else np.squeeze(self.out, self.axes)

    def backward(self, grad):
        if not self.keepdims:
            grad = np.expand_dims(grad, self.axes)
        safe = np.where(self.out == 0, 1, self.out)
        return (grad * self.a / safe,)
