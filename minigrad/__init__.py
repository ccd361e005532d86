"""minigrad: a small reverse-mode autograd engine on NumPy, with PyTorch's names, for learning.

    import minigrad as torch          # PyTorch code for the CPU runs with its imports changed
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()          # x.grad == tensor([2., 4., 6.])
"""

__version__ = "0.1.0"

# The subpackages are attributes after `import minigrad`, as `torch.nn` and `torch.optim` are.
from minigrad import accelerator, backends, cuda, nn, optim, utils
from minigrad.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    zeros,
    zeros_like,
)
from minigrad.dtypes import (
    bool_,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from minigrad.functions import (
    abs,
    add,
    all,
    allclose,
    amax,
    amin,
    any,
    argmax,
    argmin,
    cat,
    clamp,
    clip,
    clone,
    concat,
    concatenate,
    div,
    divide,
    equal,
    exp,
    flatten,
    is_tensor,
    isclose,
    log,
    log_softmax,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    multiply,
    neg,
    negative,
    norm,
    numel,
    permute,
    pow,
    relu,
    reshape,
    sigmoid,
    softmax,
    sqrt,
    squeeze,
    stack,
    std,
    sub,
    subtract,
    sum,
    t,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from minigrad.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.gradcheck import GradcheckError, gradcheck
from minigrad.rng import manual_seed
from minigrad.serialization import CheckpointError, load, save
from minigrad.tensor import Size, Tensor, device, tensor

# PyTorch's short dtype names (they shadow the builtins only inside this namespace: `minigrad.float`).
float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
bool = bool_

__all__ = [
    "Tensor", "tensor", "Size", "device", "GradcheckError", "gradcheck",
    "arange", "as_tensor", "empty", "empty_like", "eye", "from_numpy", "full", "full_like", "linspace", "ones",
    "ones_like", "rand", "rand_like", "randint", "randn", "randn_like", "randperm", "zeros", "zeros_like",
    "float", "double", "half", "long", "int", "short", "bool", "float16", "float32", "float64", "int8", "int16",
    "int32", "int64", "uint8", "bool_", "get_default_dtype", "set_default_dtype",
    "abs", "add", "all", "allclose", "amax", "amin", "any", "argmax", "argmin", "cat", "clamp", "clip", "clone",
    "concat", "concatenate", "div", "divide", "equal", "exp", "flatten", "is_tensor", "isclose", "log",
    "log_softmax", "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "mm", "mul", "multiply",
    "neg", "negative", "norm", "numel", "permute", "pow", "relu", "reshape", "sigmoid", "softmax", "sqrt",
    "squeeze", "stack", "std", "sub", "subtract", "sum", "t", "tanh", "transpose", "unsqueeze", "var", "where",
    "enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled", "manual_seed",
    "save", "load", "CheckpointError", "nn", "optim", "utils", "cuda", "accelerator", "backends",
]
