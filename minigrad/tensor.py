"""`Tensor`: an n-dimensional array (a `numpy.ndarray` in `.data`) that remembers how it was computed.

Every operation on tensors returns a new tensor. When an input requires a gradient, the result also
keeps the `Function` node that made it (`._ctx`), and `result.backward()` runs the chain rule back
through those nodes (see `autograd.py`), leaving d(result)/d(x) in `x.grad` for every leaf `x`.

The operator methods below are one line each: the math of each op lives with its backward in
`minigrad/ops/`.
"""

import numpy as np

from minigrad import autograd
from minigrad.dtypes import get_default_dtype, is_float
from minigrad.errors import normalize_axes, normalize_axis


def _to_array(data, dtype=None) -> np.ndarray:
    """A new ndarray from a scalar, nested list, ndarray or Tensor, with PyTorch's dtype rules."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.array(data, dtype=dtype)
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data)  # NumPy data keeps its dtype
    array = np.array(data)
    if array.dtype.kind == "f":  # Python floats become the default float dtype (float32)
        array = array.astype(get_default_dtype(), copy=False)
    elif array.dtype.kind not in "biu":
        raise TypeError(f"Tensor: cannot make a tensor from {type(data).__name__} data of dtype {array.dtype}")
    return array


class Tensor:
    __slots__ = ("data", "_grad", "_requires_grad", "_ctx", "_retains_grad")

    # Make `ndarray + tensor` call Tensor.__radd__ instead of NumPy treating the tensor as an array.
    __array_ufunc__ = None
    # `==` is overloaded elementwise, so hashing has to be restored explicitly (tensors are used in sets).
    __hash__ = object.__hash__

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self.data = _to_array(data, dtype)
        self._grad = None
        self._ctx = None
        self._retains_grad = False
        self._requires_grad = False
        self.requires_grad = requires_grad

    # -- construction without the checks, for results of ops (Function.apply makes recorded ones) ----

    @staticmethod
    def _wrap(array) -> "Tensor":
        """A tensor around an op's result that records no graph."""
        t = Tensor.__new__(Tensor)
        t.data = array if type(array) is np.ndarray else np.asarray(array)
        t._grad = None
        t._requires_grad = False
        t._ctx = None
        t._retains_grad = False
        return t

    # -- attributes ----------------------------------------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if flag and not is_float(self.data.dtype):
            raise TypeError(
                f"only floating-point tensors can require gradients, this one has dtype {self.data.dtype}"
            )
        if not flag and self._ctx is not None:
            raise RuntimeError("requires_grad can only be switched off on a leaf tensor; use .detach()")
        self._requires_grad = bool(flag)

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        self.requires_grad = flag
        return self

    @property
    def grad(self):
        """d(output)/d(self) after `output.backward()`: an ndarray of this tensor's shape and dtype, or None."""
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            value = np.asarray(value.data if isinstance(value, Tensor) else value)
            if value.shape != self.data.shape:
                raise ValueError(f"grad: assigned shape {value.shape} but the tensor has shape {self.data.shape}")
            if value.dtype != self.data.dtype:
                value = value.astype(self.data.dtype)
        self._grad = value

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user made (and for results that need no gradient)."""
        return self._ctx is None

    def __len__(self) -> int:
        return len(self.data)

    def __bool__(self) -> bool:
        return bool(self.data)  # NumPy raises for more than one element, as it should

    def __float__(self) -> float:
        return float(self.data)

    def __int__(self) -> int:
        return int(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extras = []
        if self.data.dtype not in (get_default_dtype(), np.int64, np.bool_):
            extras.append(f"dtype={self.data.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn={type(self._ctx).__name__}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied)."""
        return self.data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element can be a Python number, shape is {self.shape}")
        return self.data.item()

    def detach(self) -> "Tensor":
        """The same data (shared), cut off from the graph."""
        return Tensor._wrap(self.data)

    # -- backward ------------------------------------------------------------------------------------

    def retain_grad(self) -> "Tensor":
        """Keep `.grad` on this intermediate result too (leaves always keep theirs)."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad")
        self._retains_grad = True
        return self

    def backward(self, grad=None) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad and add it to `leaf.grad`.

        `grad` is d(loss)/d(self); it may be omitted for a tensor with one element (then it is 1).
        """
        if not self._requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no graph "
                "(make an input with requires_grad=True, and don't compute it under no_grad)"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be omitted only for a tensor with one element, "
                    f"this one has shape {self.shape}; pass grad= of that shape"
                )
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.data.dtype)
            if grad.shape != self.data.shape:
                raise ValueError(f"backward: grad has shape {grad.shape} but the tensor has shape {self.shape}")
        autograd.backward(self, grad)

    # -- arithmetic (Python numbers and arrays work on either side) ---------------------------------

    def __add__(self, other):
        return Add.apply(self, other)

    def __radd__(self, other):
        return Add.apply(other, self)

    def __sub__(self, other):
        return Sub.apply(self, other)

    def __rsub__(self, other):
        return Sub.apply(other, self)

    def __mul__(self, other):
        return Mul.apply(self, other)

    def __rmul__(self, other):
        return Mul.apply(other, self)

    def __truediv__(self, other):
        return Div.apply(self, other)

    def __rtruediv__(self, other):
        return Div.apply(other, self)

    def __pow__(self, other):
        return Pow.apply(self, other)

    def __rpow__(self, other):
        return Pow.apply(other, self)

    def __matmul__(self, other):
        return MatMul.apply(self, other)

    def __rmatmul__(self, other):
        return MatMul.apply(other, self)

    def __neg__(self):
        return Neg.apply(self)

    # -- comparisons: plain boolean tensors, never part of the graph --------------------------------

    def __lt__(self, other):
        return Tensor._wrap(self.data < _value(other))

    def __le__(self, other):
        return Tensor._wrap(self.data <= _value(other))

    def __gt__(self, other):
        return Tensor._wrap(self.data > _value(other))

    def __ge__(self, other):
        return Tensor._wrap(self.data >= _value(other))

    def __eq__(self, other):
        return Tensor._wrap(self.data == _value(other))

    def __ne__(self, other):
        return Tensor._wrap(self.data != _value(other))

    def __getitem__(self, index):
        return GetItem.apply(self, index=index)

    # -- elementwise functions -----------------------------------------------------------------------

    def exp(self):
        return Exp.apply(self)

    def log(self):
        return Log.apply(self)

    def sqrt(self):
        return Sqrt.apply(self)

    def abs(self):
        return Abs.apply(self)

    def tanh(self):
        return Tanh.apply(self)

    def sigmoid(self):
        return Sigmoid.apply(self)

    def relu(self):
        return ReLU.apply(self)

    def clip(self, low=None, high=None):
        return Clip.apply(self, low=low, high=high)

    # -- reductions ----------------------------------------------------------------------------------

    def sum(self, axis=None, keepdims=False):
        return Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return Min.apply(self, axis=axis, keepdims=keepdims)

    def logsumexp(self, axis=None, keepdims=False):
        return LogSumExp.apply(self, axis=axis, keepdims=keepdims)

    def softmax(self, axis=-1):
        return Softmax.apply(self, axis=axis)

    def log_softmax(self, axis=-1):
        return LogSoftmax.apply(self, axis=axis)

    # -- shape ---------------------------------------------------------------------------------------

    def reshape(self, *shape):
        return Reshape.apply(self, shape=_shape_arg(shape))

    def transpose(self, *axes):
        """Permute the axes, as NumPy: no argument reverses them, else give the new order of all axes."""
        return Transpose.apply(self, axes=_shape_arg(axes) or None)

    @property
    def T(self):
        return Transpose.apply(self, axes=None)

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge the axes from start_dim to end_dim (inclusive) into one."""
        ndim = max(self.data.ndim, 1)
        start, end = normalize_axis("flatten", start_dim, ndim, self.shape), normalize_axis(
            "flatten", end_dim, ndim, self.shape
        )
        shape = self.data.shape
        return Reshape.apply(self, shape=shape[:start] + (-1,) + shape[end + 1 :])

    def unsqueeze(self, axis):
        """A new axis of length 1 at position `axis`."""
        axis = normalize_axis("unsqueeze", axis, self.data.ndim + 1, self.shape)
        shape = self.data.shape
        return Reshape.apply(self, shape=shape[:axis] + (1,) + shape[axis:])

    def squeeze(self, axis=None):
        """Drop axes of length 1 (all of them, or the ones in `axis`)."""
        shape = self.data.shape
        axes = normalize_axes("squeeze", axis, shape)
        return Reshape.apply(self, shape=tuple(n for i, n in enumerate(shape) if not (i in axes and n == 1)))


def _value(x):
    """The array behind a Tensor, or the value itself (a number or ndarray)."""
    return x.data if isinstance(x, Tensor) else x


def _shape_arg(shape: tuple) -> tuple:
    """Accept both f(2, 3) and f((2, 3))."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """A new tensor from a scalar, nested list or ndarray (the data is copied)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


# The ops need `Tensor` (defined above), so they are imported last.
from minigrad.ops.elementwise import (  # noqa: E402
    Abs,
    Add,
    Clip,
    Div,
    Exp,
    Log,
    Mul,
    Neg,
    Pow,
    ReLU,
    Sigmoid,
    Sqrt,
    Sub,
    Tanh,
)
from minigrad.ops.linalg import MatMul  # noqa: E402
from minigrad.ops.reduce import LogSoftmax, LogSumExp, Max, Mean, Min, Softmax, Sum  # noqa: E402
from minigrad.ops.shape import GetItem, Reshape, Transpose  # noqa: E402
