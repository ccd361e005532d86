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


class DimError(IndexError, ValueError):
    """A dimension out of range: an IndexError as in PyTorch, and a ValueError as in NumPy."""


def dim_error(op: str, dim, shape: tuple, requirement: str = "") -> Exception:
    """The error for a bad `dim` argument: a float or other non-int is a TypeError, a number out of
    range an IndexError (PyTorch's types), both naming the op, the argument and the shape."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        return TypeError(f"{op}: dim must be an int or a tuple of ints, got {type(dim).__name__} {dim!r}")
    ndim = len(shape)
    allowed = f"[{-max(ndim, 1)}, {max(ndim, 1) - 1}]"
    return DimError(
        f"{op}: dim {dim} is out of range for a tensor of shape {tuple(shape)} (expected {requirement or allowed})"
    )


def normalize_axes(op: str, axis, shape: tuple) -> tuple:
    """Turn a dim argument (None, an int or a tuple of ints) into a sorted tuple of non-negative dims.

    As in PyTorch, a 0-d tensor accepts dim 0 and -1 (reducing over them reduces nothing)."""
    ndim = len(shape)
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if not isinstance(axis, (tuple, list)) else tuple(axis)
    normalized = []
    for a in axes:
        if (
            not isinstance(a, (int, np.integer))
            or isinstance(a, bool)
            or not -max(ndim, 1) <= a < max(ndim, 1)
        ):
            raise dim_error(op, a, shape)
        if ndim:
            normalized.append(int(a) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: dim {axis} repeats a dimension (shape {tuple(shape)})")
    return tuple(sorted(normalized))


def normalize_axis(op: str, axis: int, ndim: int, shape: tuple) -> int:
    """One dim in [0, ndim) (for softmax, concatenate, stack ...), or a clear error."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool) or not -ndim <= axis < ndim:
        raise dim_error(op, axis, shape, f"[{-ndim}, {ndim - 1}]" if ndim else "")
    return int(axis) % ndim


def pick_dim(op: str, dim, axis):
    """`dim` (PyTorch's name) or `axis` (NumPy's), whichever was given."""
    if axis is None:
        return dim
    if dim is not None:
        raise TypeError(f"{op}: got both dim={dim!r} and axis={axis!r}; they are the same argument")
    return axis


def pick_keepdim(keepdim: bool, keepdims) -> bool:
    """`keepdim` (PyTorch's name) or `keepdims` (NumPy's)."""
    return bool(keepdim if keepdims is None else keepdims)


def check_device(device) -> str:
    """ "cpu" for the CPU (the only device minigrad has), else a clear error."""
    name = str(getattr(device, "type", device))
    if name.split(":")[0] != "cpu":
        raise RuntimeError(f"device {name!r}: minigrad runs on the CPU only (NumPy), use 'cpu'")
    return "cpu"
