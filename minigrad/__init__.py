"""minigrad: a small reverse-mode autograd engine on NumPy, with PyTorch's names, for learning.

    import minigrad as mg
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()          # x.grad == [2., 4., 6.]
"""

__version__ = "0.1.0"

from minigrad.creation import arange, eye, full, ones, ones_like, rand, randn, zeros, zeros_like
from minigrad.dtypes import float32, float64, get_default_dtype, set_default_dtype
from minigrad.functions import concatenate, maximum, stack, where
from minigrad.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.gradcheck import GradcheckError, gradcheck
from minigrad.rng import manual_seed
from minigrad.serialization import CheckpointError, load, save
from minigrad.tensor import Tensor, tensor

__all__ = [
    "Tensor", "tensor", "GradcheckError", "gradcheck",
    "arange", "eye", "full", "ones", "ones_like", "rand", "randn", "zeros", "zeros_like",
    "float32", "float64", "get_default_dtype", "set_default_dtype",
    "concatenate", "maximum", "stack", "where",
    "enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled", "manual_seed",
    "save", "load", "CheckpointError",
]
