"""Ops that move elements around without changing them: reshape, transpose, indexing, concatenate, stack.

Their backward moves the gradient back to where each element came from.
"""

import numpy as np

from minigrad.autograd import Node
from minigrad.errors import normalize_axis
from minigrad.function import Function, ViewFunction


class Reshape(ViewFunction):
    """out = a with a new shape (same elements in the same order);  grad is reshaped back."""

    __slots__ = ("shape",)
    saves_inputs = saves_output = False

    def forward(self, a, shape):
        self.shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {a.shape} ({a.size} elements) to {shape}"
            ) from None

    def backward(self, grad):
        return (grad.reshape(self.shape),)


class Transpose(ViewFunction):
    """out = a with its axes permuted (reversed if `axes` is None);  grad gets the inverse permutation."""

    __slots__ = ("axes",)
    saves_inputs = saves_output = False

    def forward(self, a, axes=None):
        # `axes` is a permutation of range(a.ndim), checked by Tensor.permute / transpose.
        self.axes = axes
        return a.transpose(axes)

    def backward(self, grad):
        if self.axes is None:
            return (grad.transpose(),)
        return (grad.transpose(np.argsort(self.axes)),)


def _normalize_index(index):
    """Tensors in an index become their arrays; lists, and tuples inside the index tuple, become
    integer (or boolean) arrays, which is how NumPy reads them, so that backward sees every repeat."""
    parts = index if isinstance(index, tuple) else (index,)
    parts = tuple(
        p._data
        if isinstance(p, Node)
        else np.asarray(p)
        if isinstance(p, list) or (isinstance(p, tuple) and isinstance(index, tuple))
        else p
        for p in parts
    )
    return parts if isinstance(index, tuple) else parts[0]


def _selects_repeatedly(index) -> bool:
    """True if the index contains integer arrays, which may pick the same element more than once."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" for p in parts)


class GetItem(ViewFunction):
    """out = a[index], with NumPy's indexing rules (ints, slices, None, ..., integer arrays, masks);
    the gradient is scattered back, adding up where an integer array picks an element twice."""

    __slots__ = ("index", "shape", "dtype")
    name = "index"
    saves_inputs = saves_output = False

    def forward(self, a, index):
        self.index = _normalize_index(index)
        self.shape, self.dtype = a.shape, a.dtype
        try:
            return a[self.index]
        except IndexError as error:
            raise IndexError(f"index: {error} (tensor of shape {a.shape})") from None

    def backward(self, grad):
        full = np.zeros(self.shape, dtype=self.dtype)
        if _selects_repeatedly(self.index):
            np.add.at(full, self.index, grad)
        else:
            full[self.index] = grad
        return (full,)


class Concatenate(Function):
    """out = [a₁ a₂ ...] joined along `axis`;  each input gets its own slice of the gradient."""

    __slots__ = ("axis", "splits")
    saves_inputs = saves_output = False
    name = "cat"

    def forward(self, *arrays, axis=0):
        first = arrays[0]
        self.axis = normalize_axis(self.name, axis, first.ndim, first.shape)
        for other in arrays[1:]:
            if other.ndim != first.ndim or any(
                m != n for i, (m, n) in enumerate(zip(first.shape, other.shape)) if i != self.axis
            ):
                raise ValueError(
                    f"cat: shapes {first.shape} and {other.shape} differ outside dim {self.axis}"
                )
        self.splits = np.cumsum([x.shape[self.axis] for x in arrays])[:-1]
        return np.concatenate(arrays, axis=self.axis)

    def backward(self, grad):
        return tuple(np.split(grad, self.splits, axis=self.axis))


class Stack(Function):
    """out = the inputs stacked along a new axis `axis`;  input i gets the gradient's slice i."""

    __slots__ = ("axis", "count")
    saves_inputs = saves_output = False

    def forward(self, *arrays, axis=0):
        first = arrays[0]
        self.axis = normalize_axis("stack", axis, first.ndim + 1, first.shape)
        for other in arrays[1:]:
            if other.shape != first.shape:
                raise ValueError(
                    f"stack: all tensors need the same shape, got {first.shape} and {other.shape}"
                )
        self.count = len(arrays)
        return np.stack(arrays, axis=self.axis)

    def backward(self, grad):
        moved = np.moveaxis(grad, self.axis, 0)
        return tuple(moved[i] for i in range(self.count))
