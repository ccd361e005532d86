"""`Function`: the base class of every differentiable operation.

An op is a small class with two methods that sit next to each other:

    class Mul(Function):
        def forward(self, a, b):            # ndarrays in, ndarray out
            self.a, self.b = a, b           # keep what backward needs
            return a * b
        def backward(self, grad):           # dL/d(out) in, one dL/d(input) per input out
            return grad * self.b, grad * self.a

`Mul.apply(x, y)` runs `forward` on the tensors' arrays and, when a gradient is needed, records the
node so that `Tensor.backward` can call `backward` later. Rules for `backward`:
  * return one gradient per input of `forward` (None for an input that needs none: `self.needs_grad[i]`
    is False for constants and for tensors that don't require grad, so that work can be skipped);
  * a gradient may have the broadcast shape of the output: the engine reduces it to the input's shape;
  * return the incoming `grad` itself, a view of it, or a newly computed array; never an array saved
    in forward, and never the same new array for two inputs (the engine adds into new arrays in place).

An op whose backward needs no value from forward says so (`saves_inputs = False`, `saves_output =
False`); then changing its inputs or its result in place after forward is harmless. For every other
op, `backward` refuses to run on values that changed in place after forward (see `autograd.py`).
"""

import numpy as np

from minigrad.autograd import Node
from minigrad.errors import broadcast_error
from minigrad.grad_mode import _Clock, _GradMode


class Function:
    __slots__ = ("inputs", "needs_grad", "stamp")

    # The op's name in error messages and graph drawings; defaults to the class name in lower case.
    name = None
    # Whether backward reads the input arrays / the result that forward saw (the safe default: yes).
    saves_inputs = True
    saves_output = True

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the op on Tensors (and plain constants) and return the result as a Tensor.

        The result is made by `_wrap` of a tensor input (`Tensor._wrap`, a plain Tensor also for a
        Parameter), so this layer never imports `tensor.py`, which imports the ops."""
        fn = cls.__new__(cls)
        arrays, needs_grad, tensor = [], [], None
        for x in inputs:
            if isinstance(x, Node):
                arrays.append(x._data)
                needs_grad.append(x._requires_grad)
                tensor = x
            else:
                arrays.append(_constant(x))
                needs_grad.append(False)
        if tensor is None:
            raise TypeError(
                f"{cls.op_name()}: expected at least one Tensor among its inputs, got only constants"
            )
        recording = _GradMode.enabled and True in needs_grad
        fn.needs_grad = needs_grad if recording else None
        try:
            out = fn.forward(*arrays, **params)
        except ValueError as error:
            if "could not be broadcast" not in str(error):  # only NumPy's own message is rewritten
                raise
            shapes = [getattr(a, "shape", ()) for a in arrays]
            raise broadcast_error(cls.op_name(), *shapes) from None
        if not recording:
            return tensor._wrap(out)
        fn.inputs = inputs
        fn.stamp = _Clock.now  # in-place changes after this moment are caught by backward
        return tensor._wrap(out, fn)  # the result remembers the op that made it (its _ctx), for backward

    @classmethod
    def op_name(cls) -> str:
        return cls.name or cls.__name__.lower()

    def forward(self, *arrays, **params):
        raise NotImplementedError(f"{type(self).__name__} must define forward")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__} must define backward")


class ViewFunction(Function):
    """An op whose result may be a view of its first input's array (reshape, transpose, indexing):
    the result remembers that tensor as its `_base`, so an in-place change of either counts for both,
    as PyTorch's views share their base's version counter."""

    __slots__ = ()

    @classmethod
    def apply(cls, *inputs, **params):
        result = super().apply(*inputs, **params)
        base = inputs[0]
        if (
            isinstance(base, Node)
            and result._data.base is not None
            and np.may_share_memory(result._data, base._data)
        ):
            root = getattr(base, "_base", None)
            result._base = base if root is None else root
        return result


def _constant(x):
    """A non-Tensor input as NumPy sees it best: NumPy scalars become Python numbers, so that
    `float32_tensor * np.float64(2)` stays float32 as in PyTorch; lists become arrays."""
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (list, tuple)):
        return np.asarray(x)
    return x
