"""Chapter 02, backpropagation for an MLP: the Linear layer's backward and the softmax-cross-entropy
gradient, written by hand in NumPy. The references are minigrad's autograd (`F.linear`, `F.cross_entropy`)."""

import numpy as np

import minigrad.nn.functional as F
from minigrad.homework.exercise import Exercise, Mistake, Probe, as_array
from minigrad.tensor import Tensor


def linear_backward(x, w, grad_output):
    """For y = x wᵀ + b with x (N, in), w (out, in), b (out,): (∂L/∂x, ∂L/∂w, ∂L/∂b) given ∂L/∂y (N, out)."""
    x_, w_ = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
    b_ = Tensor(np.zeros(w.shape[0], dtype=w.dtype), requires_grad=True)
    F.linear(x_, w_, b_).backward(grad_output)
    return as_array(x_.grad), as_array(w_.grad), as_array(b_.grad)


def softmax_cross_entropy_grad(logits, labels):
    """∂L/∂logits for L = mean over the batch of −log softmax(logits)[label] (PyTorch's `cross_entropy`)."""
    z = Tensor(logits, requires_grad=True)
    F.cross_entropy(z, Tensor(labels)).backward()
    return as_array(z.grad)


def _linear_probes(rng):
    probes = []
    for dtype, n, n_in, n_out in [
        (np.float64, 5, 3, 4),
        (np.float64, 4, 3, 3),
        (np.float32, 8, 6, 2),
        (np.float32, 3, 4, 4),
        (np.float64, 1, 2, 5),
    ]:
        x = rng.standard_normal((n, n_in)).astype(dtype)
        w = rng.standard_normal((n_out, n_in)).astype(dtype)
        grad_output = rng.standard_normal((n, n_out)).astype(dtype)
        probes.append(
            Probe(
                f"{np.dtype(dtype).name} N={n}, in={n_in}, out={n_out}",
                dict(x=x, w=w, grad_output=grad_output),
            )
        )
    return probes


def _softmax_rows(z, axis=1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _one_hot(labels, classes, dtype):
    y = np.zeros((len(labels), classes), dtype=dtype)
    y[np.arange(len(labels)), labels] = 1
    return y


def _ce_probes(rng):
    probes = []
    for dtype, n, classes in [
        (np.float64, 4, 3),
        (np.float64, 6, 10),
        (np.float32, 5, 4),
        (np.float32, 3, 3),
    ]:
        logits = (2 * rng.standard_normal((n, classes))).astype(dtype)
        labels = rng.integers(0, classes, n)
        probes.append(Probe(f"{np.dtype(dtype).name} N={n}, C={classes}", dict(logits=logits, labels=labels)))
    # A confident network: logits in the hundreds overflow exp() unless the row maximum is subtracted.
    logits = (rng.standard_normal((3, 5)) + np.array([[200.0], [-150.0], [0.0]])).astype(np.float32)
    probes.append(Probe("large float32 logits (±200)", dict(logits=logits, labels=rng.integers(0, 5, 3))))
    return probes


def _ce_mistake(softmax_axis=1, subtract=True, scale=True, sign=1, stable=True):
    def grad(logits, labels):
        if stable:
            p = _softmax_rows(logits, softmax_axis)
        else:
            with np.errstate(over="ignore", invalid="ignore"):  # a notebook would only warn
                p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        g = p - _one_hot(labels, logits.shape[1], logits.dtype) if subtract else p
        return sign * g / (len(labels) if scale else 1)

    return grad


EXERCISES = [
    Exercise(
        chapter="02",
        function="linear_backward",
        title="the backward of a Linear layer",
        points=2,
        solution=linear_backward,
        probes=_linear_probes,
        outputs=("grad_x", "grad_w", "grad_b"),
        forbidden=("minigrad.nn.linear.LinearFunction",),
        mistakes=(
            Mistake(
                "the weight gradient is transposed (xᵀ·g, shape (in, out))",
                "w has shape (out, in), and so must its gradient: grad_output.T @ x.",
                lambda x, w, grad_output: (grad_output @ w, x.T @ grad_output, grad_output.sum(axis=0)),
            ),
            Mistake(
                "the bias gradient is summed over the features instead of the batch",
                "b was broadcast over the N rows, so its gradient sums grad_output over axis 0 (shape (out,)).",
                lambda x, w, grad_output: (grad_output @ w, grad_output.T @ x, grad_output.sum(axis=1)),
            ),
            Mistake(
                "the bias gradient is averaged over the batch",
                "Sum over the batch: any 1/N belongs to the loss and is already inside grad_output.",
                lambda x, w, grad_output: (grad_output @ w, grad_output.T @ x, grad_output.mean(axis=0)),
            ),
            Mistake(
                "the weight gradient is divided by the batch size",
                "grad_output already carries the loss's 1/N; the weight gradient is grad_output.T @ x.",
                lambda x, w, grad_output: (
                    grad_output @ w,
                    grad_output.T @ x / len(x),
                    grad_output.sum(axis=0),
                ),
            ),
        ),
    ),
    Exercise(
        chapter="02",
        function="softmax_cross_entropy_grad",
        title="the gradient of softmax cross-entropy",
        points=2,
        solution=softmax_cross_entropy_grad,
        probes=_ce_probes,
        outputs=("grad_logits",),
        forbidden=(
            "minigrad.nn.loss.CrossEntropyFunction",
            "minigrad.ops.reduce.Softmax",
            "minigrad.ops.reduce.LogSoftmax",
        ),
        mistakes=(
            Mistake(
                "the 1/N of the mean is missing",
                "The loss is the mean over the N samples, so the gradient is (p − y)/N.",
                _ce_mistake(scale=False),
            ),
            Mistake(
                "the one-hot labels are not subtracted (p/N)",
                "∂(−log pₖ)/∂z = p − one_hot(k): subtract 1 at each sample's label.",
                _ce_mistake(subtract=False),
            ),
            Mistake(
                "the softmax is taken over the batch (axis 0) instead of the classes",
                "Each row (one sample) is a probability distribution: normalise along axis 1.",
                _ce_mistake(softmax_axis=0),
            ),
            Mistake(
                "sign error: (y − p)/N",
                "Raising the correct class's logit lowers the loss, so its gradient p − 1 is negative.",
                _ce_mistake(sign=-1),
            ),
            Mistake(
                "the row maximum is not subtracted before exp (overflow gives NaN)",
                "softmax(z) = softmax(z − max z): shift each row by its maximum before exp.",
                _ce_mistake(stable=False),
            ),
        ),
    ),
]
