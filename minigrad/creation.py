"""Functions that make new tensors: zeros, ones, full, *_like, randn, rand, arange, eye.

Each takes `dtype` (default: the default float dtype, float32) and `requires_grad`. Shapes can be
given as separate numbers or as one tuple: `zeros(2, 3)` and `zeros((2, 3))` are the same.
"""

import numpy as np

from minigrad.dtypes import dtype_or_default, get_default_dtype
from minigrad.rng import generator
from minigrad.tensor import Tensor, _shape_arg


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(array)
    t.requires_grad = requires_grad  # checks that the dtype can carry a gradient
    return t


def zeros(*shape, dtype=None, requires_grad=False) -> Tensor:
    return _new(np.zeros(_shape_arg(shape), dtype=dtype_or_default(dtype)), requires_grad)


def ones(*shape, dtype=None, requires_grad=False) -> Tensor:
    return _new(np.ones(_shape_arg(shape), dtype=dtype_or_default(dtype)), requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False) -> Tensor:
    """A tensor of `shape` filled with `fill_value` (an int fill gives int64, as PyTorch, unless `dtype`)."""
    if dtype is None and isinstance(fill_value, (bool, int, np.integer)):
        dtype = np.bool_ if isinstance(fill_value, bool) else np.int64
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return _new(np.full(shape, fill_value, dtype=dtype_or_default(dtype)), requires_grad)


def zeros_like(t, dtype=None, requires_grad=False) -> Tensor:
    return _new(np.zeros(t.shape, dtype=t.dtype if dtype is None else dtype), requires_grad)


def ones_like(t, dtype=None, requires_grad=False) -> Tensor:
    return _new(np.ones(t.shape, dtype=t.dtype if dtype is None else dtype), requires_grad)


def randn(*shape, dtype=None, requires_grad=False) -> Tensor:
    """Samples of the standard normal distribution N(0, 1), from minigrad's seeded generator."""
    return _new(generator().standard_normal(_shape_arg(shape), dtype=dtype_or_default(dtype)), requires_grad)


def rand(*shape, dtype=None, requires_grad=False) -> Tensor:
    """Samples of the uniform distribution on [0, 1), from minigrad's seeded generator."""
    return _new(generator().random(_shape_arg(shape), dtype=dtype_or_default(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False) -> Tensor:
    """start, start+step, ... up to (not including) end; integers give int64, floats the default float."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        all_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if all_int else get_default_dtype()
    return _new(np.arange(start, end, step, dtype=dtype), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False) -> Tensor:
    """The identity matrix (n × m, m defaulting to n)."""
    return _new(np.eye(n, m, dtype=dtype_or_default(dtype)), requires_grad)
