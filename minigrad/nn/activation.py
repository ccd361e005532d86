"""Activation functions as layers, and the small shape layers (Flatten, Identity).

The math and the gradients live with the tensor ops (`minigrad/ops/elementwise.py`, `reduce.py`);
these modules only make them usable inside `nn.Sequential`.
"""

from minigrad.nn.module import Module
from minigrad.ops.elementwise import LeakyReLU as _LeakyReLUFunction
from minigrad.ops.elementwise import ReLU as _ReLUFunction


def relu(x):
    """max(x, 0)."""
    return x.relu()


def leaky_relu(x, negative_slope: float = 0.01):
    """x where x > 0, else negative_slope · x."""
    return _LeakyReLUFunction.apply(x, slope=negative_slope)


def sigmoid(x):
    """1 / (1 + e⁻ˣ)."""
    return x.sigmoid()


def tanh(x):
    return x.tanh()


def softmax(x, dim: int = -1):
    """exp(x) / Σ exp(x) along `dim` (computed stably)."""
    return x.softmax(dim)


def log_softmax(x, dim: int = -1):
    """x - logsumexp(x) along `dim` (computed stably)."""
    return x.log_softmax(dim)


class ReLU(Module):
    def forward(self, x):
        return _ReLUFunction.apply(x)


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Tanh(Module):
    def forward(self, x):
        return x.tanh()


class Sigmoid(Module):
    def forward(self, x):
        return x.sigmoid()


class Softmax(Module):
    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return x.softmax(self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Identity(Module):
    """Returns its input unchanged (a placeholder layer in a Sequential)."""

    def forward(self, x):
        return x


class Flatten(Module):
    """Merge the axes from start_dim to end_dim into one: (N, C, H, W) -> (N, C·H·W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
