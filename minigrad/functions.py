"""Functions of tensors in PyTorch's spelling: `minigrad.cat`, `stack`, `where`, `maximum`, and the
function forms of the tensor methods (`minigrad.exp(x)` is `x.exp()`, `minigrad.sum(x, dim=1)` is
`x.sum(dim=1)`, `minigrad.max(x, 1)` is `x.max(1)`). Arrays and numbers are accepted wherever a tensor
is, and `out=` writes the result into an existing tensor as PyTorch's `out=` does."""

import numpy as np

from minigrad.errors import pick_dim
from minigrad.ops.elementwise import Maximum, Where
from minigrad.ops.shape import Concatenate, Stack
from minigrad.tensor import Tensor


def cat(tensors, dim: int = 0, *, axis=None, out=None) -> Tensor:
    """Join tensors of equal shape (except along `dim`) along `dim`."""
    tensors = _non_empty("cat", tensors)
    return _write(Concatenate.apply(*tensors, axis=pick_dim("cat", dim if axis is None else None, axis)), out)


concat = concatenate = cat


def stack(tensors, dim: int = 0, *, axis=None, out=None) -> Tensor:
    """Stack tensors of equal shape along a new dimension `dim`."""
    tensors = _non_empty("stack", tensors)
    return _write(Stack.apply(*tensors, axis=pick_dim("stack", dim if axis is None else None, axis)), out)


def where(condition, input, other) -> Tensor:
    """`input` where `condition` is true, else `other` (all three broadcast together); `condition` gets no gradient."""
    return Where.apply(condition, input, other)


def maximum(input, other, *, out=None) -> Tensor:
    """The larger of `input` and `other`, elementwise; on a tie each gets half the gradient (as PyTorch)."""
    return _write(Maximum.apply(input, other), out)


def minimum(input, other, *, out=None) -> Tensor:
    """The smaller of the two, elementwise (a tie splits the gradient)."""
    return _write(-Maximum.apply(-_as_tensor(input), -_as_tensor(other)), out)


def max(input, dim=None, keepdim=False, *, out=None):
    """`max(x)`: the largest element; `max(x, dim)`: (values, indices); `max(x, y)`: `maximum(x, y)`."""
    if isinstance(dim, Tensor):
        return maximum(input, dim, out=out)
    return _write(_as_tensor(input).max(dim, keepdim), out)


def min(input, dim=None, keepdim=False, *, out=None):
    """`min(x)`, `min(x, dim)` → (values, indices), or `min(x, y)` = `minimum(x, y)`."""
    if isinstance(dim, Tensor):
        return minimum(input, dim, out=out)
    return _write(_as_tensor(input).min(dim, keepdim), out)


def numel(input) -> int:
    return _as_tensor(input).numel()


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    return bool(np.allclose(_array(input), _array(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    return Tensor._wrap(np.isclose(_array(input), _array(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other) -> bool:
    """True if both have the same shape and the same values."""
    a, b = _array(input), _array(other)
    return a.shape == b.shape and bool(np.array_equal(a, b))


def _method(name: str):
    """`minigrad.NAME(x, ...)` as `x.NAME(...)`."""

    def function(input, *args, out=None, **kwargs):
        return _write(getattr(_as_tensor(input), name)(*args, **kwargs), out)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"`minigrad.{name}(x, ...)` is `x.{name}(...)` (see `Tensor.{name}`)."
    return function


# The function forms of the tensor methods.
add, sub, mul, div, pow, matmul, neg = (
    _method(n) for n in ("add", "sub", "mul", "div", "pow", "matmul", "neg")
)
subtract, multiply, divide, negative = sub, mul, div, neg
exp, log, sqrt, abs, tanh, sigmoid, relu = (
    _method(n) for n in ("exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu")
)
clamp, clip = _method("clamp"), _method("clip")
sum, mean, amax, amin, argmax, argmin = (
    _method(n) for n in ("sum", "mean", "amax", "amin", "argmax", "argmin")
)
std, var, norm, logsumexp, softmax, log_softmax = (
    _method(n) for n in ("std", "var", "norm", "logsumexp", "softmax", "log_softmax")
)
all, any = _method("all"), _method("any")
reshape, flatten, squeeze, unsqueeze = (_method(n) for n in ("reshape", "flatten", "squeeze", "unsqueeze"))
transpose, permute, t, clone = (_method(n) for n in ("transpose", "permute", "t", "clone"))
mm = matmul


def _as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _array(x) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _write(result, out):
    """PyTorch's `out=`: the result's values are copied into `out` (which must not need a graph)."""
    if out is None:
        return result
    if isinstance(result, tuple):
        for target, value in zip(out, result):
            _write(value, target)
        return out
    if out.shape != result.shape:
        raise ValueError(f"out: the result has shape {result.shape} but out has shape {out.shape}")
    return out.copy_(result)


def _non_empty(op: str, tensors) -> list:
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{op}: needs at least one tensor")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
