"""`Tensor`: an n-dimensional array (a `numpy.ndarray` in `.data`) that remembers how it was computed.

Every operation on tensors returns a new tensor. When an input requires a gradient, the result also
keeps the `Function` node that made it (`.grad_fn`), and `result.backward()` runs the chain rule back
through those nodes (see `autograd.py`), leaving d(result)/d(x) in `x.grad` for every leaf `x`.

The names and meanings are PyTorch's (`x.sum(dim=1, keepdim=True)`, `x.transpose(0, 1)` swaps two
dimensions, `x.max(dim=1)` gives `(values, indices)`); NumPy's spellings `axis=` and `keepdims=` are
accepted as aliases. The operator methods below are one line each: the math of each op lives with its
backward in `minigrad/ops/`.

In-place changes and the version counter. A tensor counts its in-place changes in `_version`
(PyTorch's name): the in-place methods (`add_`, `zero_`, `x[i] = v`, `x -= y`, ...) and every
assignment to `.data` (including `x.data += 10`, which Python runs as `x.data = x.data.__iadd__(10)`)
count. `backward` refuses to use a value that changed after the graph saved it, instead of silently
computing the gradient at the new value. Raw NumPy writes that never touch the attribute, such as
`x.data[0] = 5` or `a = x.data; a += 1`, cannot be seen (that would cost a copy or a checksum per op):
use the tensor methods, or do it under `no_grad()` between steps as optimizers do. A view made by an
op (`reshape`, `view`, `transpose`, `x[1:]`, `detach`) shares its base's changes, as in PyTorch.
"""

from collections import namedtuple

import numpy as np

from minigrad import autograd
from minigrad.dtypes import as_dtype, get_default_dtype, is_float
from minigrad.errors import check_device, dim_error, normalize_axes, normalize_axis, pick_dim, pick_keepdim
from minigrad.grad_mode import _Clock, _GradMode
from minigrad.ops.elementwise import (
    Abs,
    Add,
    Cast,
    Clip,
    Clone,
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
from minigrad.ops.linalg import MatMul
from minigrad.ops.reduce import LogSoftmax, LogSumExp, Max, Mean, Min, Norm, Softmax, Sum
from minigrad.ops.shape import GetItem, Reshape, Transpose
from minigrad.rng import generator


def _to_array(data, dtype=None) -> np.ndarray:
    """A new ndarray from a scalar, nested list, ndarray or Tensor, with PyTorch's dtype rules."""
    if isinstance(data, Tensor):
        data = data._data
    if dtype is not None:
        return np.array(_checked_nesting(data), dtype=as_dtype(dtype))
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data)  # NumPy data keeps its dtype
    array = np.array(_checked_nesting(data))
    if array.dtype.kind == "f":  # Python floats become the default float dtype (float32)
        array = array.astype(get_default_dtype(), copy=False)
    elif array.dtype.kind not in "biu":
        raise TypeError(
            f"tensor: cannot make a tensor from {type(data).__name__} data of dtype {array.dtype}"
        )
    return array


def _checked_nesting(data, dim: int = 0):
    """`data` itself, after checking that nested lists are rectangular (PyTorch's message otherwise)."""
    if isinstance(data, (list, tuple)) and data and all(isinstance(x, (list, tuple)) for x in data):
        length = len(data[0])
        for item in data:
            if len(item) != length:
                raise ValueError(
                    f"tensor: ragged nested list: expected sequence of length {length} at dim {dim + 1} (got {len(item)})"
                )
            _checked_nesting(item, dim + 1)
    elif isinstance(data, (list, tuple)) and any(isinstance(x, (list, tuple)) for x in data):
        raise ValueError(f"tensor: ragged nested list: numbers and sequences mixed at dim {dim + 1}")
    return data


class device:
    """Where a tensor lives: always the CPU here (`minigrad.device("cpu")`, as `torch.device`)."""

    def __init__(self, type: str = "cpu"):
        self.type = check_device(type)

    def __eq__(self, other):
        return str(self) == str(other)

    def __hash__(self):
        return hash(str(self))

    def __str__(self):
        return self.type

    def __repr__(self):
        return f"device(type='{self.type}')"


CPU = device("cpu")
_DEVICE_TYPES = (str, device)  # what `Tensor.to` reads as a device rather than a dtype

# What `x.max(dim)` / `x.min(dim)` return, as PyTorch's `torch.return_types.max`.
max_result = namedtuple("max", ["values", "indices"])
min_result = namedtuple("min", ["values", "indices"])


class Size(tuple):
    """A shape, as `x.size()` returns it: a tuple that prints like PyTorch's `torch.Size`."""

    __slots__ = ()

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))

    def __repr__(self):
        return f"minigrad.Size({list(self)})"


class Tensor(autograd.Node):
    # The state (`_data`, `_grad`, `_ctx`, ...) is declared in `autograd.Node`, all the engine needs.
    __slots__ = ()

    # `==` is overloaded elementwise, so hashing has to be restored explicitly (tensors are used in sets).
    __hash__ = object.__hash__

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self._data = _to_array(data, dtype)
        self._grad = self._grad_home = None
        self._ctx = None
        self._retains_grad = False
        self._requires_grad = False
        self._version = self._changed_at = 0
        self.requires_grad = requires_grad

    # -- construction without the checks, for the results of ops (Function.apply calls it) ------------

    @staticmethod
    def _wrap(array, ctx=None) -> "Tensor":
        """A tensor around an op's result; `ctx` is the Function that recorded it (None: no graph)."""
        t = Tensor.__new__(Tensor)
        t._data = array if type(array) is np.ndarray else np.asarray(array)
        t._grad = None
        t._requires_grad = ctx is not None
        t._ctx = ctx
        t._retains_grad = False
        t._version = t._changed_at = 0
        return t

    # -- attributes ----------------------------------------------------------------------------------

    @property
    def data(self) -> np.ndarray:
        """The values, as a NumPy array (shared, not copied). Assigning to it counts as an in-place change."""
        return self._data

    @data.setter
    def data(self, value) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)
        self._bump_version()

    def _bump_version(self) -> None:
        _Clock.now += 1
        self._changed_at = _Clock.now
        self._version += 1
        base = getattr(self, "_base", None)
        if base is not None:  # a view: the tensor it shares memory with changed too
            base._changed_at = _Clock.now
            base._version += 1

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if flag and not is_float(self._data.dtype):
            raise TypeError(
                f"only floating-point tensors can require gradients, this one has dtype {self._data.dtype}"
            )
        if not flag and self._ctx is not None:
            raise RuntimeError("requires_grad can only be switched off on a leaf tensor; use .detach()")
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
        """d(output)/d(self) after `output.backward()`: a tensor (that does not require grad) of this
        tensor's shape and dtype sharing memory with the stored gradient, or None before the first
        backward. `w.grad.zero_()` therefore clears the gradient in place, as in PyTorch. (The array
        itself is `_grad`: the engine and the optimizers work on it directly, with no tensor around it.)"""
        if self._grad is None:
            return None
        if self._grad is getattr(self, "_grad_home", None):
            # The caller may keep this array: backward must not reuse it for a later gradient (see
            # `autograd._store_grad`); the optimizer gives the parameter a new home.
            self._grad_home = None
        return Tensor._wrap(self._grad)

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            value = np.asarray(value._data if isinstance(value, Tensor) else value)
            if value.shape != self._data.shape:
                raise ValueError(
                    f"grad: assigned shape {value.shape} but the tensor has shape {self._data.shape}"
                )
            if value.dtype != self._data.dtype:
                value = value.astype(self._data.dtype)
        self._grad = value

    @property
    def grad_fn(self):
        """The `Function` node that made this tensor (None for a leaf)."""
        return self._ctx

    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def device(self) -> device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        """The number of dimensions (PyTorch's name for `ndim`)."""
        return self._data.ndim

    def size(self, dim=None):
        """The shape (`minigrad.Size`), or the length of dimension `dim`: `x.size(0)` is the batch size."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[normalize_axis("size", dim, self._data.ndim, self._data.shape)]

    def numel(self) -> int:
        """The number of elements."""
        return self._data.size

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user made (and for results that need no gradient)."""
        return self._ctx is None

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self._data)))

    def __bool__(self) -> bool:
        return bool(self._data)  # NumPy raises for more than one element, as it should

    def __float__(self) -> float:
        return float(self._data)

    def __int__(self) -> int:
        return int(self._data)

    def __index__(self) -> int:
        if self._data.dtype.kind not in "biu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data)

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        """How NumPy treats a tensor among its arguments (`ndarray + tensor`, `np.exp(t)`, `arr -= t`).

        With `out=` arrays (an in-place NumPy update such as `p.data -= lr * p.grad`) the work is done
        on the arrays. The ufuncs of the ops here (+ - * / ** @, exp, log, ...) become those ops, so the
        result is a tensor in the graph; any other ufunc gives a tensor outside the graph, and refuses an
        input that needs a gradient rather than silently dropping it.
        """
        arrays = [x._data if isinstance(x, Tensor) else x for x in inputs]
        if out is not None:
            outs = tuple(o._data if isinstance(o, Tensor) else o for o in out)
            for o in out:
                if isinstance(o, Tensor):
                    o._check_in_place(f"numpy.{ufunc.__name__}(out=...)")
                    o._bump_version()
            result = getattr(ufunc, method)(*arrays, out=outs, **kwargs)
            return out[0] if len(out) == 1 else out
        op = _UFUNC_OPS.get(ufunc) if method == "__call__" and not kwargs else None
        if op is not None:
            return op.apply(*inputs)
        if _grad_enabled() and any(getattr(x, "_requires_grad", False) for x in inputs):
            raise TypeError(
                f"numpy.{ufunc.__name__} on a tensor that requires grad would drop the gradient; "
                f"use minigrad's ops, or .detach() the tensor first"
            )
        result = getattr(ufunc, method)(*arrays, **kwargs)
        return tuple(Tensor._wrap(r) for r in result) if isinstance(result, tuple) else Tensor._wrap(result)

    def __array__(self, dtype=None, copy=None):
        """NumPy sees the data, so `np.asarray(t)` and `np.testing.assert_allclose(t, ...)` work."""
        if copy:
            return np.array(self._data, dtype=dtype)
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def __format__(self, spec: str) -> str:
        if spec and self._data.size == 1:
            return format(self._data.item(), spec)
        return format(repr(self), spec)

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", prefix="tensor(")
        extras = []
        if self._data.dtype not in (get_default_dtype(), np.int64, np.bool_):
            extras.append(f"dtype={self._data.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn={type(self._ctx).__name__}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied)."""
        return self._data

    def tolist(self):
        """The values as (nested lists of) Python numbers."""
        return self._data.tolist()

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(
                f"item: only a tensor with one element can be a Python number, shape is {self.shape}"
            )
        return self._data.item()

    def detach(self) -> "Tensor":
        """The same data (shared), cut off from the graph."""
        detached = Tensor._wrap(self._data)
        root = getattr(self, "_base", None)
        detached._base = self if root is None else root  # changing one changes the other
        return detached

    def clone(self) -> "Tensor":
        """A copy of the data; the gradient flows back through it."""
        return Clone.apply(self)

    def contiguous(self) -> "Tensor":
        """The tensor itself: every minigrad result is usable as it is (there for PyTorch code)."""
        return self

    # -- dtype and device ----------------------------------------------------------------------------

    def type(self, dtype=None):
        """Without an argument, the type's name; with a dtype, this tensor converted to it."""
        if dtype is None:
            return f"minigrad.{self._data.dtype}"
        return self.to(dtype)

    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False):
        """`to(dtype)`, `to("cpu")`, `to(other_tensor)`: another dtype (differentiable between float
        dtypes) or the same tensor; any device but the CPU is an error."""
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, _DEVICE_TYPES):
                device = arg
            else:
                dtype = arg
        if device is not None:
            check_device(device)
        if dtype is None or as_dtype(dtype) == self._data.dtype:
            return self.clone() if copy else self
        dtype = as_dtype(dtype)
        if is_float(dtype):
            return Cast.apply(self, dtype=dtype)
        return Tensor._wrap(self._data.astype(dtype))  # integer and bool results carry no gradient

    def cpu(self) -> "Tensor":
        return self

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    def half(self):
        return self.to(np.float16)

    def long(self):
        return self.to(np.int64)

    def int(self):
        return self.to(np.int32)

    def bool(self):
        return self.to(np.bool_)

    def is_floating_point(self) -> bool:
        return is_float(self._data.dtype)

    # -- backward ------------------------------------------------------------------------------------

    def retain_grad(self) -> "Tensor":
        """Keep `.grad` on this intermediate result too (leaves always keep theirs)."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad")
        self._retains_grad = True
        return self

    def backward(self, gradient=None, retain_graph=None, create_graph=False) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad and add it to `leaf.grad`.

        `gradient` is d(loss)/d(self); it may be omitted for a tensor with one element (then it is 1).
        The graph is always kept (`retain_graph` is accepted for PyTorch code and changes nothing);
        higher-order gradients (`create_graph=True`) are not supported.
        """
        if create_graph:
            raise NotImplementedError(
                "backward: create_graph=True (higher-order gradients) is not supported by minigrad"
            )
        if not self._requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no graph "
                "(make an input with requires_grad=True, and don't compute it under no_grad)"
            )
        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be omitted only for a tensor with one element, "
                    f"this one has shape {tuple(self.shape)}; pass a gradient of that shape"
                )
            gradient = np.ones_like(self._data)
        else:
            gradient = np.asarray(
                gradient._data if isinstance(gradient, Tensor) else gradient, dtype=self._data.dtype
            )
            if gradient.shape != self._data.shape:
                raise ValueError(
                    f"backward: grad has shape {gradient.shape} but the tensor has shape {tuple(self.shape)}"
                )
        autograd.backward(self, gradient)

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

    def add(self, other, alpha=1):
        return Add.apply(self, other if alpha == 1 else other * alpha)

    def sub(self, other, alpha=1):
        return Sub.apply(self, other if alpha == 1 else other * alpha)

    def mul(self, other):
        return Mul.apply(self, other)

    def div(self, other):
        return Div.apply(self, other)

    def pow(self, exponent):
        return Pow.apply(self, exponent)

    def matmul(self, other):
        return MatMul.apply(self, other)

    def neg(self):
        return Neg.apply(self)

    # -- comparisons: plain boolean tensors, never part of the graph --------------------------------

    def __lt__(self, other):
        return Tensor._wrap(self._data < _value(other))

    def __le__(self, other):
        return Tensor._wrap(self._data <= _value(other))

    def __gt__(self, other):
        return Tensor._wrap(self._data > _value(other))

    def __ge__(self, other):
        return Tensor._wrap(self._data >= _value(other))

    def __eq__(self, other):
        return Tensor._wrap(self._data == _value(other))

    def __ne__(self, other):
        return Tensor._wrap(self._data != _value(other))

    def eq(self, other):
        return self == other

    def all(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return self._plain("all", np.all, dim, axis, keepdim, keepdims)

    def any(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return self._plain("any", np.any, dim, axis, keepdim, keepdims)

    def __getitem__(self, index):
        return GetItem.apply(self, index=index)

    def __setitem__(self, index, value):
        """`x[index] = value` writes in place (counted as an in-place change of x)."""
        self._check_in_place("setitem", value)
        try:
            self._data[_plain_index(index)] = _value(value)
        except IndexError as error:
            raise IndexError(f"setitem: {error} (tensor of shape {tuple(self.shape)})") from None
        self._bump_version()

    def gather(self, dim, index):
        """out[i][j] = self[index[i][j]][j] for dim 0 (and so on): pick one element along `dim` at every
        position of `index`, which has self's number of dims; the gradient goes back to the picked ones."""
        index = _value(index)
        axis = self._index_dim("gather", dim, index)
        return GetItem.apply(self, index=_along(index, axis))

    def scatter_(self, dim, index, src=None, *, value=None):
        """In place, the reverse of `gather`: self[index[i][j]][j] = src[i][j] for dim 0 (or `value`)."""
        index = np.asarray(_value(index))
        if index.ndim == 0:  # one position, as PyTorch allows
            index = index.reshape((1,) * max(self._data.ndim, 1))
        axis = self._index_dim("scatter_", dim, index)
        if (src is None) == (value is None):
            raise TypeError("scatter_: give exactly one of src and value")
        values = value if src is None else _value(src)[tuple(slice(0, n) for n in index.shape)]
        self._check_in_place("scatter_", src)
        self._data[_along(index, axis)] = values
        self._bump_version()
        return self

    def _index_dim(self, op, dim, index) -> int:
        if (
            not isinstance(index, np.ndarray)
            or index.dtype.kind not in "iu"
            or index.ndim != max(self._data.ndim, 1)
        ):
            raise ValueError(
                f"{op}: index must be an integer tensor with as many dims as the input ({self._data.ndim})"
            )
        axis = normalize_axis(op, dim, self._data.ndim, self._data.shape)
        if index.size and (index.min() < 0 or index.max() >= self._data.shape[axis]):
            raise IndexError(f"{op}: index out of range for dim {dim} of size {self._data.shape[axis]}")
        return axis

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

    def clamp(self, min=None, max=None):
        """Each element limited to [min, max] (either may be None); PyTorch's clamp, NumPy's clip."""
        return Clip.apply(self, low=min, high=max)

    def clip(self, min=None, max=None):
        return Clip.apply(self, low=min, high=max)

    # -- reductions ----------------------------------------------------------------------------------

    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return Sum.apply(self, axis=pick_dim("sum", dim, axis), keepdims=pick_keepdim(keepdim, keepdims))

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return Mean.apply(self, axis=pick_dim("mean", dim, axis), keepdims=pick_keepdim(keepdim, keepdims))

    def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The largest value over `dim`; on ties the gradient is split evenly among the maxima."""
        axes = normalize_axes("amax", pick_dim("amax", dim, axis), self._data.shape)
        return Max.apply(self, axis=axes, keepdims=pick_keepdim(keepdim, keepdims))

    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        axes = normalize_axes("amin", pick_dim("amin", dim, axis), self._data.shape)
        return Min.apply(self, axis=axes, keepdims=pick_keepdim(keepdim, keepdims))

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """`max()`: the largest element. `max(dim)`: the named tuple (values, indices) over `dim`, with
        the gradient going to the chosen index, as in PyTorch."""
        return self._extreme("max", dim, axis, keepdim, keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return self._extreme("min", dim, axis, keepdim, keepdims)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The index of the largest value over `dim` (of the flattened tensor when dim is None), int64."""
        return self._arg("argmax", np.argmax, dim, axis, keepdim, keepdims)

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return self._arg("argmin", np.argmin, dim, axis, keepdim, keepdims)

    def var(self, dim=None, *, correction=1, keepdim=False, unbiased=None, axis=None, keepdims=None):
        """Σ (x - mean)² / (n - correction) over `dim`: the unbiased estimate by default, as PyTorch."""
        if unbiased is not None:
            correction = int(unbiased)
        axes = normalize_axes("var", pick_dim("var", dim, axis), self._data.shape)
        keepdim = pick_keepdim(keepdim, keepdims)
        n = int(np.prod([self._data.shape[a] for a in axes], dtype=np.int64))
        if n - correction <= 0:
            raise ValueError(f"var: needs more than correction={correction} elements per reduction, got {n}")
        deviation = self - self.mean(dim=axes, keepdim=True)
        return (deviation * deviation).sum(dim=axes, keepdim=keepdim) / (n - correction)

    def std(self, dim=None, *, correction=1, keepdim=False, unbiased=None, axis=None, keepdims=None):
        """√var: the standard deviation with PyTorch's default correction (n - 1)."""
        return self.var(
            dim, correction=correction, keepdim=keepdim, unbiased=unbiased, axis=axis, keepdims=keepdims
        ).sqrt()

    def norm(self, p=2, dim=None, keepdim=False):
        """The p-norm over `dim` (all elements by default): p = 2 (Euclidean), 1, or inf."""
        if p == 2 or p == "fro":
            return Norm.apply(self, axis=dim, keepdims=keepdim)
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p == float("inf"):
            return self.abs().amax(dim, keepdim)
        return (self.abs() ** p).sum(dim, keepdim) ** (1.0 / p)

    def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return LogSumExp.apply(
            self, axis=pick_dim("logsumexp", dim, axis), keepdims=pick_keepdim(keepdim, keepdims)
        )

    def softmax(self, dim=-1, *, axis=None):
        return Softmax.apply(self, axis=pick_dim("softmax", dim if axis is None else None, axis))

    def log_softmax(self, dim=-1, *, axis=None):
        return LogSoftmax.apply(self, axis=pick_dim("log_softmax", dim if axis is None else None, axis))

    def _extreme(self, op, dim, axis, keepdim, keepdims):
        dim, keepdim = pick_dim(op, dim, axis), pick_keepdim(keepdim, keepdims)
        reduce = Max if op == "max" else Min
        if dim is None:
            return reduce.apply(self, axis=None, keepdims=False)
        if not isinstance(dim, (int, np.integer)):
            raise dim_error(op, dim, self._data.shape, "must be one int (use amax/amin for several)")
        indices = self._arg(op, np.argmax if op == "max" else np.argmin, dim, None, True, None)
        axis = normalize_axis(op, dim, self._data.ndim, self._data.shape) if self._data.ndim else None
        values = self if axis is None else GetItem.apply(self, index=_along(indices._data, axis))
        if not keepdim and axis is not None:
            values, indices = values.squeeze(axis), indices.squeeze(axis)
        return (max_result if op == "max" else min_result)(values, indices)

    def _arg(self, op, function, dim, axis, keepdim, keepdims):
        dim, keepdim = pick_dim(op, dim, axis), pick_keepdim(keepdim, keepdims)
        if self._data.size == 0:
            raise ValueError(f"{op}: cannot reduce an empty tensor of shape {tuple(self.shape)}")
        if dim is None:
            found = function(self._data)
            return Tensor._wrap(
                np.reshape(found, (1,) * self._data.ndim) if keepdim else np.asarray(found, dtype=np.int64)
            )
        if self._data.ndim == 0:
            normalize_axes(op, dim, ())  # accepts 0 and -1 only
            return Tensor._wrap(np.zeros((), dtype=np.int64))
        axis = normalize_axis(op, dim, self._data.ndim, self._data.shape)
        return Tensor._wrap(function(self._data, axis=axis, keepdims=keepdim).astype(np.int64, copy=False))

    def _plain(self, op, function, dim, axis, keepdim, keepdims):
        axes = normalize_axes(op, pick_dim(op, dim, axis), self._data.shape)
        return Tensor._wrap(
            np.asarray(function(self._data, axis=axes, keepdims=pick_keepdim(keepdim, keepdims)))
        )

    # -- shape ---------------------------------------------------------------------------------------

    def reshape(self, *shape):
        return Reshape.apply(self, shape=_shape_arg(shape))

    def view(self, *shape):
        """The same elements in a new shape (one dimension may be -1), as `reshape`."""
        return Reshape.apply(self, shape=_shape_arg(shape))

    def view_as(self, other):
        return Reshape.apply(self, shape=other.shape)

    def reshape_as(self, other):
        return Reshape.apply(self, shape=other.shape)

    def permute(self, *dims):
        """The dimensions in a new order: `x.permute(2, 0, 1)` makes an HWC image CHW."""
        dims = _shape_arg(dims)
        axes = [normalize_axis("permute", d, self._data.ndim, self._data.shape) for d in dims]
        if sorted(axes) != list(range(self._data.ndim)):
            raise ValueError(
                f"permute: dims {dims} are not a permutation of the {self._data.ndim} dims of shape {tuple(self.shape)}"
            )
        return Transpose.apply(self, axes=tuple(axes))

    def transpose(self, dim0, dim1):
        """Swap two dimensions (PyTorch's meaning; for NumPy's full permutation use `permute`)."""
        ndim = self._data.ndim
        if ndim == 0:  # PyTorch lets a 0-d tensor "swap" dims 0 / -1 with themselves
            normalize_axes("transpose", dim0, ()), normalize_axes("transpose", dim1, ())
            return Transpose.apply(self, axes=())
        axes = list(range(ndim))
        i, j = (
            normalize_axis("transpose", dim0, ndim, self._data.shape),
            normalize_axis("transpose", dim1, ndim, self._data.shape),
        )
        axes[i], axes[j] = axes[j], axes[i]
        return Transpose.apply(self, axes=tuple(axes))

    def swapaxes(self, axis0, axis1):
        return self.transpose(axis0, axis1)

    def t(self):
        """The transpose of a matrix (a 0-d or 1-d tensor is returned as it is)."""
        if self._data.ndim > 2:
            raise ValueError(
                f"t: expects a tensor with at most 2 dims, got shape {tuple(self.shape)}; use transpose(d0, d1)"
            )
        return Transpose.apply(self, axes=None)

    @property
    def T(self):
        """All dimensions reversed (the matrix transpose for 2-d tensors)."""
        return Transpose.apply(self, axes=None)

    @property
    def mT(self):
        """The last two dimensions swapped (a batch of matrices transposed)."""
        return self.transpose(-2, -1)

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge the dimensions from start_dim to end_dim (inclusive) into one."""
        ndim = max(self._data.ndim, 1)
        start = normalize_axis("flatten", start_dim, ndim, self.shape)
        end = normalize_axis("flatten", end_dim, ndim, self.shape)
        shape = self._data.shape
        return Reshape.apply(self, shape=shape[:start] + (-1,) + shape[end + 1 :])

    def unsqueeze(self, dim=None, *, axis=None):
        """A new dimension of length 1 at position `dim`."""
        dim = pick_dim("unsqueeze", dim, axis)
        axis = normalize_axis("unsqueeze", dim, self._data.ndim + 1, self.shape)
        shape = self._data.shape
        return Reshape.apply(self, shape=shape[:axis] + (1,) + shape[axis:])

    def squeeze(self, dim=None, *, axis=None):
        """Drop dimensions of length 1 (all of them, or the ones in `dim`)."""
        shape = self._data.shape
        axes = normalize_axes("squeeze", pick_dim("squeeze", dim, axis), shape)
        return Reshape.apply(self, shape=tuple(n for i, n in enumerate(shape) if not (i in axes and n == 1)))

    # -- in place: no graph is recorded, so these work on tensors that need no gradient, and on
    #    leaves that require one only under `no_grad()` (how a hand-written update is done) -------------

    def _check_in_place(self, op: str, other=None) -> None:
        if not _grad_enabled():
            return
        if getattr(other, "_requires_grad", False):
            raise RuntimeError(
                f"{op}: the value written in place requires grad, and minigrad records no in-place "
                f"operations, so its gradient would be lost; build a new tensor (x + y, cat, where) instead"
            )
        if self._requires_grad:
            if self._ctx is None:
                raise RuntimeError(
                    f"{op}: a leaf tensor that requires grad cannot be changed in place while the graph is "
                    f"recorded; do it under `with minigrad.no_grad():` (as an optimizer step does)"
                )
            raise RuntimeError(
                f"{op}: minigrad does not record in-place operations on a tensor that is part of a graph; "
                f"use the out-of-place form (x = x + y instead of x.add_(y))"
            )

    def _in_place(self, op: str, values, other=None) -> "Tensor":
        self._check_in_place(op, other)
        self._data[...] = values
        self._bump_version()
        return self

    def zero_(self):
        return self._in_place("zero_", 0)

    def fill_(self, value):
        return self._in_place("fill_", _value(value), value)

    def copy_(self, src):
        return self._in_place("copy_", _value(src), src)

    def add_(self, other, alpha=1):
        return self._in_place(
            "add_", self._data + _value(other) * alpha if alpha != 1 else self._data + _value(other), other
        )

    def sub_(self, other, alpha=1):
        return self._in_place(
            "sub_", self._data - _value(other) * alpha if alpha != 1 else self._data - _value(other), other
        )

    def mul_(self, other):
        return self._in_place("mul_", self._data * _value(other), other)

    def div_(self, other):
        return self._in_place("div_", self._data / _value(other), other)

    def clamp_(self, min=None, max=None):
        return self._in_place(
            "clamp_", np.clip(self._data, min, max) if min is not None or max is not None else self._data
        )

    def uniform_(self, a=0.0, b=1.0):
        return self._in_place("uniform_", generator().uniform(a, b, self._data.shape))

    def normal_(self, mean=0.0, std=1.0):
        return self._in_place("normal_", generator().normal(mean, std, self._data.shape))

    # `x += y` and friends: in place where no graph has to be recorded; a tensor inside a graph gets a
    # new result instead (the name is rebound, as `x = x + y` would), since minigrad records no in-place ops.
    def __iadd__(self, other):
        return self._augmented("+=", self.add_, Tensor.__add__, other)

    def __isub__(self, other):
        return self._augmented("-=", self.sub_, Tensor.__sub__, other)

    def __imul__(self, other):
        return self._augmented("*=", self.mul_, Tensor.__mul__, other)

    def __itruediv__(self, other):
        return self._augmented("/=", self.div_, Tensor.__truediv__, other)

    def _augmented(self, op, in_place, out_of_place, other):
        if _grad_enabled() and (self._ctx is not None or getattr(other, "_requires_grad", False)):
            if self._ctx is None and self._requires_grad:
                self._check_in_place(op)  # raises: a leaf that requires grad
            return out_of_place(self, other)
        return in_place(other)


def _grad_enabled() -> bool:
    return _GradMode.enabled


def _value(x):
    """The array behind a Tensor, or the value itself (a number or ndarray)."""
    return x._data if isinstance(x, Tensor) else x


def _plain_index(index):
    """An index with tensors replaced by their arrays."""
    if isinstance(index, tuple):
        return tuple(_value(i) for i in index)
    return _value(index)


def _along(indices: np.ndarray, axis: int) -> tuple:
    """The index that picks, at every position, element `indices` along `axis` (indices keep that dim)."""
    grid = list(np.indices(indices.shape, sparse=True))
    grid[axis] = indices
    return tuple(grid)


def _shape_arg(shape: tuple) -> tuple:
    """Accept both f(2, 3) and f((2, 3))."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor from a scalar, nested list or ndarray (the data is copied)."""
    if device is not None:
        check_device(device)
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


# NumPy ufuncs that are ops here: `np.exp(t)` and `ndarray * t` stay in the graph (Tensor.__array_ufunc__).
_UFUNC_OPS = {
    np.add: Add,
    np.subtract: Sub,
    np.multiply: Mul,
    np.true_divide: Div,
    np.power: Pow,
    np.matmul: MatMul,
    np.negative: Neg,
    np.exp: Exp,
    np.log: Log,
    np.sqrt: Sqrt,
    np.absolute: Abs,
    np.tanh: Tanh,
}
