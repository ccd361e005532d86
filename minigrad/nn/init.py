"""Weight initialisation, with PyTorch's semantics (fan modes and gains) and minigrad's seeded generator.

Each function fills `tensor.data` in place (keeping its dtype) and returns the tensor.

    fan_in  = input features  × kernel area    (weight.shape[1] * prod(weight.shape[2:]))
    fan_out = output features × kernel area    (weight.shape[0] * prod(weight.shape[2:]))

Kaiming (He et al. 2015) keeps the variance of activations constant through ReLU layers:
std = gain / √fan. Xavier (Glorot & Bengio 2010) balances both directions: std = gain·√(2/(fan_in+fan_out)).
A uniform distribution on [-b, b] has std b/√3, hence the √3 in the uniform versions.
"""

import math
import warnings

import numpy as np

from minigrad.rng import generator


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table)."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "sigmoid", "identity"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}")


def _fans(tensor) -> tuple:
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need a tensor with at least 2 dimensions, got shape {shape}")
    receptive_field = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive_field, shape[0] * receptive_field


def _fill(tensor, values: np.ndarray):
    tensor.data[...] = values
    return tensor


def uniform_(tensor, a: float = 0.0, b: float = 1.0):
    """Fill with samples of U(a, b)."""
    return _fill(tensor, generator().uniform(a, b, tensor.shape))


def normal_(tensor, mean: float = 0.0, std: float = 1.0):
    """Fill with samples of N(mean, std²)."""
    return _fill(tensor, generator().normal(mean, std, tensor.shape))


def zeros_(tensor):
    tensor.data[...] = 0
    return tensor


def ones_(tensor):
    tensor.data[...] = 1
    return tensor


def _kaiming_std(tensor, a, mode, nonlinearity) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def _has_no_elements(tensor) -> bool:
    """PyTorch's rule for Kaiming initialisation of an empty tensor (e.g. the weight of `Linear(0, n)`):
    there is nothing to fill and its fan is 0, so it warns and leaves the tensor as it is."""
    if tensor.data.size:
        return False
    warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
    return True


def kaiming_uniform_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"):
    """Fill with U(-b, b), b = √3 · gain / √fan (He et al. 2015)."""
    if _has_no_elements(tensor):
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"):
    """Fill with N(0, std²), std = gain / √fan (He et al. 2015)."""
    if _has_no_elements(tensor):
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity))


def xavier_uniform_(tensor, gain: float = 1.0):
    """Fill with U(-b, b), b = gain · √(6 / (fan_in + fan_out)) (Glorot & Bengio 2010)."""
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain: float = 1.0):
    """Fill with N(0, std²), std = gain · √(2 / (fan_in + fan_out)) (Glorot & Bengio 2010)."""
    fan_in, fan_out = _fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def default_init_(weight, bias=None):
    """PyTorch's default for Linear and Conv2d: kaiming_uniform_(a=√5) for the weight, which works out
    to U(-1/√fan_in, 1/√fan_in), and the bias from the same range."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _fans(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)
