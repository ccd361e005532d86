"""Chapter 01, autograd: the backward of two ops, written by hand in NumPy.

The solutions are minigrad's own autograd: the reference gradient is what `backward()` leaves in `.grad`.
"""

import numpy as np

from minigrad.homework.exercise import Exercise, Mistake, Probe, as_array
from minigrad.tensor import Tensor


def tanh_backward(x, grad_output):
    """∂L/∂x for y = tanh(x), given ∂L/∂y: what minigrad's backward computes."""
    x = Tensor(x, requires_grad=True)
    x.tanh().backward(grad_output)
    return as_array(x.grad)


def logsumexp_backward(x, grad_output, dim):
    """∂L/∂x for y = log Σ_dim exp(x) (dim removed from y's shape), given ∂L/∂y."""
    x = Tensor(x, requires_grad=True)
    x.logsumexp(dim).backward(grad_output)
    return as_array(x.grad)


def _tanh_probes(rng):
    probes = []
    for dtype in (np.float64, np.float32):
        for shape in [(6,), (3, 4), ()]:
            x = (2 * rng.standard_normal(shape)).astype(dtype)
            grad_output = rng.standard_normal(shape).astype(dtype)
            probes.append(Probe(f"{np.dtype(dtype).name} {shape}", dict(x=x, grad_output=grad_output)))
    # Far into the flat tails tanh' is tiny but not zero; near 0 it is 1.
    x = np.array([-6.0, -0.01, 0.0, 0.3, 4.0])
    probes.append(Probe("saturated and central inputs", dict(x=x, grad_output=rng.uniform(0.5, 2.0, 5))))
    return probes


def _softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _unshifted_softmax(x, dim):
    """exp(x)/Σ exp(x) as written on paper; in a notebook it overflows with a warning, here quietly."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(x) / np.exp(x).sum(axis=dim, keepdims=True)


def _exp_only(x):
    with np.errstate(over="ignore"):
        return np.exp(x)


def _lse_probes(rng):
    probes = []
    for dtype, shape, dim in [
        (np.float64, (3, 5), 1),
        (np.float64, (4, 3), 0),
        (np.float32, (2, 3, 4), 1),
        (np.float32, (3, 4), -1),
        (np.float64, (2, 3, 4), 2),
        (np.float64, (5,), 0),
    ]:
        x = (2 * rng.standard_normal(shape)).astype(dtype)
        reduced = tuple(n for i, n in enumerate(shape) if i != dim % len(shape))
        grad_output = rng.standard_normal(reduced).astype(dtype)
        probes.append(
            Probe(f"{np.dtype(dtype).name} {shape}, dim={dim}", dict(x=x, grad_output=grad_output, dim=dim))
        )
    # exp(100) overflows float32 and exp(1000) float64: a softmax must subtract the maximum first.
    for dtype, offset in [(np.float32, 100.0), (np.float64, 1000.0)]:
        x = (offset + rng.standard_normal((3, 4))).astype(dtype)
        grad_output = rng.standard_normal(4).astype(dtype)
        probes.append(
            Probe(
                f"large {np.dtype(dtype).name} inputs (≈{offset:g}), dim=0",
                dict(x=x, grad_output=grad_output, dim=0),
            )
        )
    return probes


EXERCISES = [
    Exercise(
        chapter="01",
        function="tanh_backward",
        title="the backward of tanh",
        points=1,
        solution=tanh_backward,
        probes=_tanh_probes,
        outputs=("grad_input",),
        forbidden=("minigrad.ops.elementwise.Tanh",),
        mistakes=(
            Mistake(
                "tanh(x) is used as its own derivative",
                "d tanh(x)/dx = 1 − tanh(x)², not tanh(x).",
                lambda x, grad_output: grad_output * np.tanh(x),
            ),
            Mistake(
                "grad_output is ignored (the local derivative alone)",
                "The chain rule multiplies the local derivative by the gradient that arrives from above: "
                "grad_output · (1 − tanh(x)²).",
                lambda x, grad_output: 1 - np.tanh(x) ** 2,
            ),
            Mistake(
                "sign error: tanh(x)² − 1",
                "tanh is increasing, so its derivative 1 − tanh(x)² is positive.",
                lambda x, grad_output: grad_output * (np.tanh(x) ** 2 - 1),
            ),
            Mistake(
                "the square is missing: 1 − tanh(x)",
                "Differentiate tanh = sinh/cosh with the quotient rule: 1 − tanh(x)², squared.",
                lambda x, grad_output: grad_output * (1 - np.tanh(x)),
            ),
        ),
    ),
    Exercise(
        chapter="01",
        function="logsumexp_backward",
        title="the backward of logsumexp",
        points=2,
        solution=logsumexp_backward,
        probes=_lse_probes,
        outputs=("grad_input",),
        forbidden=("minigrad.ops.reduce.LogSumExp", "minigrad.ops.reduce.Softmax"),
        mistakes=(
            Mistake(
                "the softmax is taken over the last axis instead of `dim`",
                "∂ logsumexp / ∂x is the softmax along the axis that was summed: normalise over `dim`.",
                lambda x, grad_output, dim: _softmax(x, -1) * np.expand_dims(grad_output, dim),
            ),
            Mistake(
                "grad_output is ignored (the softmax alone)",
                "Multiply the softmax by grad_output, with `dim` put back (np.expand_dims) so it broadcasts.",
                lambda x, grad_output, dim: _softmax(x, dim),
            ),
            Mistake(
                "exp(x) without dividing by the sum",
                "∂/∂xᵢ log Σ exp(x) = exp(xᵢ) / Σ exp(x): divide by the sum along `dim`.",
                lambda x, grad_output, dim: _exp_only(x) * np.expand_dims(grad_output, dim),
            ),
            Mistake(
                "sign error: −softmax",
                "logsumexp grows with every xᵢ, so every partial derivative is positive.",
                lambda x, grad_output, dim: -_softmax(x, dim) * np.expand_dims(grad_output, dim),
            ),
            Mistake(
                "the maximum is not subtracted before exp (overflow gives NaN)",
                "exp(x − max) / Σ exp(x − max) is the same softmax and never overflows.",
                lambda x, grad_output, dim: _unshifted_softmax(x, dim) * np.expand_dims(grad_output, dim),
            ),
        ),
    ),
]
