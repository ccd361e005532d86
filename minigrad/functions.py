"""Functions of several tensors: concatenate, stack, where, maximum (differentiable in every tensor input)."""

from minigrad.ops.elementwise import Maximum, Where
from minigrad.ops.shape import Concatenate, Stack
from minigrad.tensor import Tensor


def concatenate(tensors, axis: int = 0) -> Tensor:
    """Join tensors of equal shape (except along `axis`) along `axis`."""
    tensors = _non_empty("concatenate", tensors)
    return Concatenate.apply(*tensors, axis=axis)


def stack(tensors, axis: int = 0) -> Tensor:
    """Stack tensors of equal shape along a new axis `axis`."""
    tensors = _non_empty("stack", tensors)
    return Stack.apply(*tensors, axis=axis)


def where(cond, a, b) -> Tensor:
    """`a` where `cond` is true, else `b` (all three broadcast together); `cond` gets no gradient."""
    return Where.apply(cond, a, b)


def maximum(a, b) -> Tensor:
    """The larger of `a` and `b`, elementwise; on a tie each gets half the gradient (as PyTorch)."""
    return Maximum.apply(a, b)


def _non_empty(op: str, tensors) -> list:
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{op}: needs at least one tensor")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
