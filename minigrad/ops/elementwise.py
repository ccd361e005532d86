"""Elementwise ops: out[i] = f(a[i], b[i]), so each input's gradient is grad * ∂f/∂input, elementwise.

Inputs may broadcast against each other; backward returns gradients in the output's (broadcast) shape
and the engine sums them back to each input's shape (autograd.unbroadcast).
"""

import numpy as np

from minigrad.function import Function


class Add(Function):
    """out = a + b;  ∂out/∂a = 1, ∂out/∂b = 1."""

    saves_inputs = saves_output = False

    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        return grad, grad


class Sub(Function):
    """out = a - b;  ∂out/∂a = 1, ∂out/∂b = -1."""

    saves_inputs = saves_output = False

    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        return grad, (-grad if self.needs_grad[1] else None)


class Mul(Function):
    """out = a · b;  ∂out/∂a = b, ∂out/∂b = a."""

    __slots__ = ("a", "b")
    saves_output = False

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, grad):
        need_a, need_b = self.needs_grad
        return (grad * self.b if need_a else None), (grad * self.a if need_b else None)


class Div(Function):
    """out = a / b;  ∂out/∂a = 1/b, ∂out/∂b = -a/b² = -out/b."""

    __slots__ = ("b", "out")

    def forward(self, a, b):
        self.b = b
        self.out = a / b
        return self.out

    def backward(self, grad):
        need_a, need_b = self.needs_grad
        grad_a = grad / self.b if need_a else None
        grad_b = -grad * self.out / self.b if need_b else None
        return grad_a, grad_b


class Pow(Function):
    """out = a ** b;  ∂out/∂a = b·a^(b-1), ∂out/∂b = out·ln(a).

    At a = 0 both formulas meet 0·∞; PyTorch's limits are used instead of NaN: ∂out/∂a = 0 where
    b = 0 (a⁰ = 1 is constant), and ∂out/∂b = 0 where a = 0 and b ≥ 0.
    """

    __slots__ = ("a", "b", "out")

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = a**b
        return self.out

    def backward(self, grad):
        need_a, need_b = self.needs_grad
        a, b = self.a, self.b
        grad_a = grad_b = None
        if need_a:
            if np.ndim(b) == 0 and b == 0:
                grad_a = np.zeros_like(grad * a)
            elif np.ndim(b) == 0 and b >= 1:  # a^(b-1) is finite everywhere: the fast path
                grad_a = grad * b * a ** (b - 1)
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    grad_a = np.where(b == 0, 0, grad * b * a ** (b - 1))
        if need_b:
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_b = np.where((a == 0) & (b >= 0), 0, grad * self.out * np.log(a))
        return grad_a, grad_b


class Neg(Function):
    """out = -a;  ∂out/∂a = -1."""

    saves_inputs = saves_output = False

    def forward(self, a):
        return -a

    def backward(self, grad):
        return (-grad,)


class Exp(Function):
    """out = eᵃ;  ∂out/∂a = eᵃ = out."""

    __slots__ = ("out",)

    def forward(self, a):
        self.out = np.exp(a)
        return self.out

    def backward(self, grad):
        return (grad * self.out,)


class Log(Function):
    """out = ln a;  ∂out/∂a = 1/a."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return np.log(a)

    def backward(self, grad):
        return (grad / self.a,)


class Sqrt(Function):
    """out = √a;  ∂out/∂a = 1/(2√a) = 1/(2·out)."""

    __slots__ = ("out",)

    def forward(self, a):
        self.out = np.sqrt(a)
        return self.out

    def backward(self, grad):
        return (grad / (2 * self.out),)


class Abs(Function):
    """out = |a|;  ∂out/∂a = sign(a), taken as 0 at a = 0 (as PyTorch)."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return np.abs(a)

    def backward(self, grad):
        return (grad * np.sign(self.a),)


class Tanh(Function):
    """out = tanh a;  ∂out/∂a = 1 - out²."""

    __slots__ = ("out",)

    def forward(self, a):
        self.out = np.tanh(a)
        return self.out

    def backward(self, grad):
        return (grad * (1 - self.out * self.out),)


class Sigmoid(Function):
    """out = σ(a) = 1 / (1 + e⁻ᵃ);  ∂out/∂a = out·(1 - out)."""

    __slots__ = ("out",)

    def forward(self, a):
        # For a ≪ 0, e⁻ᵃ overflows to inf and 1/(1+inf) = 0 is the right answer: silence the warning.
        with np.errstate(over="ignore"):
            self.out = 1 / (1 + np.exp(-a))
        return self.out

    def backward(self, grad):
        return (grad * self.out * (1 - self.out),)


class ReLU(Function):
    """out = max(a, 0);  ∂out/∂a = 1 where a > 0, else 0 (0 at a = 0, as PyTorch)."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return np.maximum(a, 0)

    def backward(self, grad):
        return (grad * (self.a > 0),)


class LeakyReLU(Function):
    """out = a where a > 0, else slope·a;  ∂out/∂a = 1 where a > 0, else slope."""

    __slots__ = ("a", "slope")
    name = "leaky_relu"

    def forward(self, a, slope=0.01):
        self.a, self.slope = a, slope
        return np.where(a > 0, a, a * slope)

    def backward(self, grad):
        return (np.where(self.a > 0, grad, grad * self.slope),)


class Clip(Function):
    """out = min(max(a, low), high);  ∂out/∂a = 1 where low ≤ a ≤ high, else 0 (PyTorch's clamp)."""

    __slots__ = ("a", "low", "high")

    def forward(self, a, low=None, high=None):
        self.a, self.low, self.high = a, low, high
        if low is None and high is None:
            return a.copy()
        return np.clip(a, low, high)

    def backward(self, grad):
        inside = np.ones(self.a.shape, dtype=bool)
        if self.low is not None:
            inside &= self.a >= self.low
        if self.high is not None:
            inside &= self.a <= self.high
        return (grad * inside,)


class Clone(Function):
    """out = a copy of a;  ∂out/∂a = 1."""

    saves_inputs = saves_output = False

    def forward(self, a):
        return a.copy()

    def backward(self, grad):
        return (grad,)


class Cast(Function):
    """out = a converted to another float dtype;  the gradient is converted back (by the engine)."""

    saves_inputs = saves_output = False
    name = "to"

    def forward(self, a, dtype):
        return a.astype(dtype)

    def backward(self, grad):
        return (grad,)


class Maximum(Function):
    """out = max(a, b) elementwise;  the gradient goes to the larger input, half to each on a tie (as PyTorch)."""

    __slots__ = ("a", "b")

    def forward(self, a, b):
        self.a, self.b = a, b
        return np.maximum(a, b)

    def backward(self, grad):
        need_a, need_b = self.needs_grad
        share_a = (self.a > self.b) + 0.5 * (self.a == self.b)
        grad_a = grad * share_a if need_a else None
        grad_b = grad * (1 - share_a) if need_b else None
        return grad_a, grad_b


class Where(Function):
    """out = a where cond else b;  the gradient flows to a where cond holds, to b elsewhere."""

    __slots__ = ("cond",)

    def forward(self, cond, a, b):
        self.cond = np.asarray(cond, dtype=bool)
        return np.where(self.cond, a, b)

    def backward(self, grad):
        _, need_a, need_b = self.needs_grad
        grad_a = np.where(self.cond, grad, 0) if need_a else None
        grad_b = np.where(self.cond, 0, grad) if need_b else None
        return None, grad_a, grad_b
