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

from minigrad.errors import broadcast_error
from minigrad.grad_mode import _GradMode
from minigrad.tensor import Tensor, _Clock


_new_tensor = Tensor.__new__


class Function:
    __slots__ = ("inputs", "needs_grad", "stamp")

    # The op's name in error messages and graph drawings; defaults to the class name in lower case.
    name = None
    # Whether backward reads the input arrays / the result that forward saw (the safe default: yes).
    saves_inputs = True
    saves_output = True

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the op on Tensors (and plain constants) and return the result as a Tensor."""
        fn = cls.__new__(cls)
        arrays, recording = [], False
        for x in inputs:
            if isinstance(x, Tensor):
                arrays.append(x._data)
                recording = recording or x._requires_grad
            else:
                arrays.append(_constant(x))
        recording = recording and _GradMode.enabled
        fn.needs_grad = [isinstance(x, Tensor) and x._requires_grad for x in inputs] if recording else None
        try:
            out = fn.forward(*arrays, **params)
        except ValueError as error:
            if "could not be broadcast" not in str(error):  # only NumPy's own message is rewritten
                raise
            shapes = [getattr(a, "shape", ()) for a in arrays]
            raise broadcast_error(cls.op_name(), *shapes) from None
        if not recording:
            return Tensor._wrap(out)
        fn.inputs = inputs
        fn.stamp = _Clock.now  # in-place changes after this moment are caught by backward
        # The result remembers the op that made it (its _ctx), for backward.
        result = _new_tensor(Tensor)
        result._data = out if type(out) is np.ndarray else np.asarray(out)
        result._grad, result._requires_grad, result._ctx, result._retains_grad = None, True, fn, False
        result._version = result._changed_at = 0
        return result

    @classmethod
    def op_name(cls) -> str:
        return cls.name or cls.__name__.lower()

    def forward(self, *arrays, **params):
        raise NotImplementedError(f"{type(self).__name__} must define forward")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__} must define backward")


def _constant(x):
    """A non-Tensor input as NumPy sees it best: NumPy scalars become Python numbers, so that
    `float32_tensor * np.float64(2)` stays float32 as in PyTorch; lists become arrays."""
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (list, tuple)):
        return np.asarray(x)
    return x
