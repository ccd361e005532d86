"""The shape checks and error messages every op shares, so a mistake always names the op and the shapes.

minigrad prefers a clear error to a silent wrong answer: "add: cannot broadcast shapes (3, 4) and (5,)"
tells a student which line to look at; NumPy's own message does not name the operation.
"""

import numpy as np


def broadcast_error(op: str, *shapes) -> ValueError:
    """The error for operands whose shapes do not broadcast together."""
    listed = " and ".join(str(tuple(s)) for s in shapes)
    return ValueError(f"{op}: cannot broadcast shapes {listed}")


def check_matmul_shapes(a_shape: tuple, b_shape: tuple) -> None:
    """Raise unless `a @ b` is defined: inner dimensions equal and batch dimensions broadcastable."""
    if len(a_shape) == 0 or len(b_shape) == 0:
        raise ValueError(f"matmul: {a_shape} @ {b_shape}: both operands need at least one dimension")
    inner_a = a_shape[-1]
    inner_b = b_shape[-2] if len(b_shape) > 1 else b_shape[0]
    if inner_a != inner_b:
        raise ValueError(f"matmul: {a_shape} @ {b_shape}: inner dimensions {inner_a} and {inner_b} differ")
    try:
        np.broadcast_shapes(a_shape[:-2], b_shape[:-2])
    except ValueError:
        raise ValueError(
            f"matmul: {a_shape} @ {b_shape}: batch dimensions {a_shape[:-2]} and {b_shape[:-2]} do not broadcast"
        ) from None


def normalize_axes(op: str, axis, shape: tuple) -> tuple:
    """Turn an axis argument (None, an int or a tuple of ints) into a sorted tuple of non-negative axes."""
    ndim = len(shape)
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    normalized = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or not -ndim <= a < ndim:
            raise ValueError(f"{op}: axis {a} is out of range for a tensor of shape {tuple(shape)}")
        normalized.append(int(a) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: axis {axis} repeats an axis (shape {tuple(shape)})")
    return tuple(sorted(normalized))


def normalize_axis(op: str, axis: int, ndim: int, shape: tuple) -> int:
    """One axis in [0, ndim) (for softmax, concatenate, stack ...), or a clear error."""
    if not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of shape {tuple(shape)}")
    return int(axis) % ndim
