"""`gradcheck`: compare backward's gradients with finite differences, the way every op here is tested.

For one element x of an input, the central difference

    ∂f/∂x ≈ (f(x + ε) - f(x - ε)) / 2ε

has an error of order ε² (the one-sided version: order ε), so in float64 with ε = 1e-6 it agrees with a
correct analytic gradient to about 1e-8. A non-scalar output y is first reduced to the scalar Σ wᵢyᵢ
with fixed random weights w, which checks every output's gradient at once.
"""

import numpy as np

from minigrad.grad_mode import no_grad
from minigrad.tensor import Tensor


class GradcheckError(AssertionError):
    """The analytic and the numerical gradient disagree."""


def gradcheck(
    fn,
    inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    max_elements: int = 1000,
    seed: int = 0,
) -> bool:
    """Check backward against central differences for every input that requires grad.

    `fn(*inputs)` must return a Tensor (or a tuple of them). Inputs are checked in float64: a float64
    input tensor is used as it is (and restored afterwards), any other float tensor is replaced by a
    float64 copy. Inputs with more than `max_elements` elements are checked at a random sample of
    that many positions. Returns True, or raises GradcheckError naming the input, the worst index and
    both values.
    """
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    args = [_as_float64(x) for x in inputs]
    checked = [i for i, x in enumerate(args) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")

    rng = np.random.default_rng(seed)
    outputs = _outputs(fn(*args))
    # A one-element output is used as it is (weight 1), so the reported values are its plain gradient.
    weights = [np.ones(out.shape) if out.numel() == 1 else rng.standard_normal(out.shape) for out in outputs]

    def project(outs) -> float:
        return sum(float(np.sum(o.data.astype(np.float64) * w)) for o, w in zip(_outputs(outs), weights))

    saved_grads = [args[i]._grad for i in checked]
    try:
        for i in checked:
            args[i]._grad = None
        total = sum((out * w).sum() for out, w in zip(outputs, weights) if out.requires_grad)
        if isinstance(total, Tensor):
            total.backward()
        analytic = [
            np.zeros(args[i].shape) if args[i]._grad is None else args[i]._grad.copy() for i in checked
        ]
    finally:
        for i, grad in zip(checked, saved_grads):
            args[i]._grad = grad

    with no_grad():
        for i, exact in zip(checked, analytic):
            data = args[i].data
            numerical = np.zeros(data.shape)
            flat_indices = np.arange(data.size)
            if data.size > max_elements:
                flat_indices = rng.choice(data.size, size=max_elements, replace=False)
            for flat in flat_indices:
                index = np.unravel_index(flat, data.shape)
                original = data[index]
                data[index] = original + eps
                f_plus = project(fn(*args))
                data[index] = original - eps
                f_minus = project(fn(*args))
                data[index] = original
                numerical[index] = (f_plus - f_minus) / (2 * eps)
            _compare(i, args[i].shape, exact, numerical, flat_indices, atol, rtol)
    return True


def _as_float64(x):
    if isinstance(x, Tensor) and x.dtype.kind == "f" and x.dtype != np.float64:
        return Tensor(x.data.astype(np.float64), requires_grad=x.requires_grad)
    return x


def _outputs(out) -> list:
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(
                f"gradcheck: fn must return a Tensor or a tuple of Tensors, got {type(o).__name__}"
            )
    return outs


def _compare(position, shape, exact, numerical, flat_indices, atol, rtol) -> None:
    a = exact.reshape(-1)[flat_indices]
    n = numerical.reshape(-1)[flat_indices]
    excess = np.abs(a - n) - (atol + rtol * np.abs(n))
    if np.all(excess <= 0) and np.all(np.isfinite(a)):
        return
    worst = int(np.argmax(np.where(np.isfinite(a), excess, np.inf)))
    index = tuple(int(k) for k in np.unravel_index(flat_indices[worst], shape))
    raise GradcheckError(
        f"gradcheck: input {position} (shape {tuple(shape)}) at index {index}: "
        f"analytic gradient {a[worst]:.10g}, numerical {n[worst]:.10g} "
        f"(|difference| {abs(a[worst] - n[worst]):.3g} > atol {atol:g} + rtol {rtol:g} · |numerical|)"
    )
