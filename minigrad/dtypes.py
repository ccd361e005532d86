"""Floating-point dtypes: the default for Python floats, and the check that only floats carry gradients.

minigrad follows PyTorch: a Python float (or a list of them) becomes a tensor of the *default float
dtype*, which is float32 unless changed with `set_default_dtype`. NumPy arrays keep their own dtype.
"""

import numpy as np

float16 = np.float16
float32 = np.float32
float64 = np.float64
int8 = np.int8
int16 = np.int16
int32 = np.int32
int64 = np.int64
uint8 = np.uint8
bool_ = np.bool_

# PyTorch's short names; `minigrad.float`, `minigrad.long`, ... are these (see minigrad/__init__.py).
ALIASES = {
    "float": float32,
    "double": float64,
    "half": float16,
    "long": int64,
    "int": int32,
    "short": int16,
    "bool": bool_,
}

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
    return _default_float if dtype is None else as_dtype(dtype)


def as_dtype(dtype) -> np.dtype:
    """A NumPy dtype from a NumPy dtype or type, a name ("float32", "long"), or a Python type
    (as in PyTorch, `float` means float64, `int` int64 and `bool` bool)."""
    if isinstance(dtype, str) and dtype in ALIASES:
        return np.dtype(ALIASES[dtype])
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"not a dtype: {dtype!r}") from None
