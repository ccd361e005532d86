"""Matrix multiplication, with NumPy's rules for 1-D operands and broadcast batch dimensions."""

import numpy as np

from minigrad.errors import check_matmul_shapes
from minigrad.function import Function


class MatMul(Function):
    """out = a @ b;  ∂L/∂a = g @ bᵀ, ∂L/∂b = aᵀ @ g (over the last two axes).

    A 1-D `a` acts as a row (1, n) and a 1-D `b` as a column (n, 1); the added axis is removed from
    their gradients again. Batch axes that were broadcast are summed by the engine.
    """

    __slots__ = ("a", "b")

    def forward(self, a, b):
        self.a, self.b = a, b
        try:
            return np.matmul(a, b)
        except ValueError:
            check_matmul_shapes(np.shape(a), np.shape(b))  # raises the clear message
            raise

    def backward(self, grad):
        a, b = self.a, self.b
        a2 = a if a.ndim > 1 else a[None, :]
        b2 = b if b.ndim > 1 else b[:, None]
        if b.ndim == 1:  # give the gradient back the axes the 1-D operands lost (column first)
            grad = np.expand_dims(grad, -1)
        if a.ndim == 1:
            grad = np.expand_dims(grad, -2)
        need_a, need_b = self.needs_grad
        grad_a = grad_b = None
        if need_a:
            grad_a = np.matmul(grad, np.swapaxes(b2, -1, -2))
            if a.ndim == 1:
                grad_a = grad_a[..., 0, :]
        if need_b:
            grad_b = np.matmul(np.swapaxes(a2, -1, -2), grad)
            if b.ndim == 1:
                grad_b = grad_b[..., 0]
        return grad_a, grad_b
