"""Functions that make new tensors: zeros, ones, full, empty, *_like, randn, rand, randint, arange,
linspace, eye, from_numpy.

Each takes `dtype` (default: the default float dtype, float32), `requires_grad`, and `device` (the CPU
is the only one). Shapes can be given as separate numbers or as one tuple: `zeros(2, 3)` and
`zeros((2, 3))` are the same.
"""

import numpy as np

from minigrad.dtypes import as_dtype, dtype_or_default, get_default_dtype
from minigrad.errors import check_device
from minigrad.rng import generator
from minigrad.tensor import Tensor, _shape_arg


def _new(array: np.ndarray, requires_grad: bool, device=None) -> Tensor:
    if device is not None:
        check_device(device)
    t = Tensor._wrap(array)
    t.requires_grad = requires_grad  # checks that the dtype can carry a gradient
    return t


def zeros(*shape, dtype=None, requires_grad=False, device=None) -> Tensor:
    return _new(np.zeros(_shape_arg(shape), dtype=dtype_or_default(dtype)), requires_grad, device)


def ones(*shape, dtype=None, requires_grad=False, device=None) -> Tensor:
    return _new(np.ones(_shape_arg(shape), dtype=dtype_or_default(dtype)), requires_grad, device)


def full(shape, fill_value, dtype=None, requires_grad=False, device=None) -> Tensor:
    """A tensor of `shape` filled with `fill_value` (an int fill gives int64, as PyTorch, unless `dtype`)."""
    if dtype is None and isinstance(fill_value, (bool, int, np.integer)):
        dtype = np.bool_ if isinstance(fill_value, bool) else np.int64
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return _new(np.full(shape, fill_value, dtype=dtype_or_default(dtype)), requires_grad, device)


def zeros_like(t, dtype=None, requires_grad=False, device=None) -> Tensor:
    return _new(np.zeros(t.shape, dtype=t.dtype if dtype is None else as_dtype(dtype)), requires_grad, device)


def ones_like(t, dtype=None, requires_grad=False, device=None) -> Tensor:
    return _new(np.ones(t.shape, dtype=t.dtype if dtype is None else as_dtype(dtype)), requires_grad, device)


def randn(*shape, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Samples of the standard normal distribution N(0, 1), from minigrad's seeded generator."""
    return _new(
        generator().standard_normal(_shape_arg(shape), dtype=dtype_or_default(dtype)), requires_grad, device
    )


def rand(*shape, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Samples of the uniform distribution on [0, 1), from minigrad's seeded generator."""
    return _new(generator().random(_shape_arg(shape), dtype=dtype_or_default(dtype)), requires_grad, device)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None) -> Tensor:
    """start, start+step, ... up to (not including) end; integers give int64, floats the default float."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        all_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if all_int else get_default_dtype()
    return _new(np.arange(start, end, step, dtype=as_dtype(dtype)), requires_grad, device)


def eye(n, m=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    """The identity matrix (n × m, m defaulting to n)."""
    return _new(np.eye(n, m, dtype=dtype_or_default(dtype)), requires_grad, device)


def empty(*shape, dtype=None, requires_grad=False, device=None) -> Tensor:
    """A tensor of `shape` whose values are not set (zeros here: NumPy's garbage would make runs differ)."""
    return zeros(*shape, dtype=dtype, requires_grad=requires_grad, device=device)


def full_like(t, fill_value, dtype=None, requires_grad=False, device=None) -> Tensor:
    return _new(
        np.full(t.shape, fill_value, dtype=t.dtype if dtype is None else as_dtype(dtype)),
        requires_grad,
        device,
    )


def empty_like(t, dtype=None, requires_grad=False, device=None) -> Tensor:
    return zeros_like(t, dtype=dtype, requires_grad=requires_grad, device=device)


def _float_like(name, t, dtype):
    dtype = t.dtype if dtype is None else as_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(
            f"{name}: random values need a floating-point dtype, the tensor has {dtype}; pass dtype=minigrad.float"
        )
    return dtype


def rand_like(t, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Uniform samples on [0, 1) of `t`'s shape (and dtype, unless `dtype` is given)."""
    return _new(generator().random(t.shape, dtype=_float_like("rand_like", t, dtype)), requires_grad, device)


def randn_like(t, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Standard normal samples of `t`'s shape (and dtype, unless `dtype` is given)."""
    return _new(
        generator().standard_normal(t.shape, dtype=_float_like("randn_like", t, dtype)), requires_grad, device
    )


def randint(low, high=None, size=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Integers drawn uniformly from [low, high) (`randint(high, size)` starts at 0), int64 by default."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    dtype = np.int64 if dtype is None else as_dtype(dtype)
    return _new(
        generator()
        .integers(low, high, _shape_arg((size,) if isinstance(size, int) else tuple(size)))
        .astype(dtype),
        requires_grad,
        device,
    )


def randperm(n: int, dtype=None, device=None) -> Tensor:
    """A random permutation of 0 .. n-1 (int64)."""
    return _new(
        generator().permutation(n).astype(np.int64 if dtype is None else as_dtype(dtype)), False, device
    )


def linspace(start, end, steps: int, dtype=None, requires_grad=False, device=None) -> Tensor:
    """`steps` evenly spaced values from start to end, both included."""
    return _new(np.linspace(start, end, steps).astype(dtype_or_default(dtype)), requires_grad, device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares memory with `array` (changes to one show in the other), as in PyTorch."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor._wrap(array)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """`data` as a tensor, sharing memory with an ndarray of the right dtype (else a copy)."""
    if device is not None:
        check_device(device)
    if isinstance(data, Tensor) and (dtype is None or as_dtype(dtype) == data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or as_dtype(dtype) == data.dtype):
        return Tensor._wrap(data)
    return Tensor(data, dtype=dtype)
