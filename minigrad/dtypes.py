"""Floating-point dtypes: the default for Python floats, and the check that only floats carry gradients.

minigrad follows PyTorch: a Python float (or a list of them) becomes a tensor of the *default float
dtype*, which is float32 unless changed with `set_default_dtype`. NumPy arrays keep their own dtype.
"""

import numpy as np

float32 = np.float32
float64 = np.float64

_default_float = np.dtype(np.float32)


def set_default_dtype(dtype) -> None:
    """Make `dtype` (np.float32 or np.float64) the dtype of new tensors built from Python floats."""
    global _default_float
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: only floating-point dtypes are allowed, got {dtype}")
    _default_float = dtype


def get_default_dtype() -> np.dtype:
    """The dtype of new tensors built from Python floats (float32 unless changed)."""
    return _default_float


def is_float(dtype) -> bool:
    """True for the dtypes that can require a gradient."""
    return np.dtype(dtype).kind == "f"


def dtype_or_default(dtype=None) -> np.dtype:
    """`dtype` as a NumPy dtype, or the default float dtype when it is None."""
    return _default_float if dtype is None else np.dtype(dtype)
