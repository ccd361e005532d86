"""Chapter 07, AdaGrad: one step of PyTorch's AdaGrad (with its learning-rate decay)."""

import numpy as np

from minigrad.homework.exercise import Exercise, Mistake, Probe
from minigrad.homework.exercises._update_rules import library_step, random_run, stepper
from minigrad.optim.adagrad import adagrad

# r ← r + g²,  lrₜ = lr/(1 + (t − 1)·lr_decay),  θ ← θ − lrₜ·g/(√r + ε)
adagrad_step = library_step(adagrad, {"sum_sq": "sum"}, with_t=True)


def _probes(rng):
    probes = []
    for dtype in (np.float64, np.float32):
        for shape in [(3,), (2, 4), ()]:
            param, grads = random_run(rng, shape, dtype, steps=4, zero_prob=0.2)
            sum_sq = np.zeros(shape, dtype)
            lr, lr_decay = float(rng.uniform(0.05, 0.5)), float(rng.uniform(0.05, 0.5))
            probes.append(
                Probe(
                    f"{np.dtype(dtype).name} {shape}, steps 1–4, lr={lr:.3g}, lr_decay={lr_decay:.3g}",
                    dict(param=param, grads=grads, sum_sq=sum_sq, lr=lr, lr_decay=lr_decay, eps=1e-10),
                )
            )
    # Mid-run: the accumulator already holds the past, t > 1.
    for dtype in (np.float64, np.float32):
        param, grads = random_run(rng, (5,), dtype, steps=3)
        sum_sq = rng.uniform(0.5, 4.0, 5).astype(dtype)
        probes.append(
            Probe(
                f"{np.dtype(dtype).name} from t = 20 with a filled accumulator",
                dict(param=param, grads=grads, sum_sq=sum_sq, t0=20, lr=0.3, lr_decay=0.02, eps=1e-10),
            )
        )
    # Tiny gradients with a large ε: where ε sits (inside or outside the root) decides the step.
    for dtype in (np.float64, np.float32):
        param, grads = random_run(rng, (4,), dtype, steps=3, scale=1e-3)
        eps = float(rng.uniform(5e-4, 2e-3))
        probes.append(
            Probe(
                f"{np.dtype(dtype).name} tiny gradients (~1e-3), eps={eps:.2g}",
                dict(param=param, grads=grads, sum_sq=np.zeros(4, dtype), lr=0.1, lr_decay=0.0, eps=eps),
            )
        )
    probes.append(
        Probe(
            "zero gradients from a zero accumulator (no step, no NaN)",
            dict(
                param=np.array([1.0, -2.0]),
                grads=[np.zeros(2), np.array([0.0, 3.0])],
                sum_sq=np.zeros(2),
                lr=0.1,
                lr_decay=0.0,
                eps=1e-10,
            ),
        )
    )
    return probes


def _eps_inside(param, grad, sum_sq, t, lr, lr_decay, eps):
    sum_sq = sum_sq + grad * grad
    return param - lr / (1 + (t - 1) * lr_decay) * grad / np.sqrt(sum_sq + eps), sum_sq


def _decay_from_t(param, grad, sum_sq, t, lr, lr_decay, eps):
    sum_sq = sum_sq + grad * grad
    return param - lr / (1 + t * lr_decay) * grad / (np.sqrt(sum_sq) + eps), sum_sq


def _old_sum(param, grad, sum_sq, t, lr, lr_decay, eps):
    new_param = param - lr / (1 + (t - 1) * lr_decay) * grad / (np.sqrt(sum_sq) + eps)
    return new_param, sum_sq + grad * grad


def _sum_not_returned(param, grad, sum_sq, t, lr, lr_decay, eps):
    new_sum = sum_sq + grad * grad
    return param - lr / (1 + (t - 1) * lr_decay) * grad / (np.sqrt(new_sum) + eps), sum_sq


def _rms_of_this_gradient(param, grad, sum_sq, t, lr, lr_decay, eps):
    return param - lr / (1 + (t - 1) * lr_decay) * grad / (np.abs(grad) + eps), sum_sq + grad * grad


EXERCISES = [
    Exercise(
        chapter="07",
        function="adagrad_step",
        title="one AdaGrad step (PyTorch's form)",
        points=2,
        solution=adagrad_step,
        probes=_probes,
        run=stepper(("sum_sq",), with_t=True),
        outputs=("param", "sum_sq"),
        forbidden=("minigrad.optim.adagrad.adagrad", "minigrad.optim.AdaGrad"),
        mistakes=(
            Mistake(
                "ε inside the square root, √(r + ε) (the r₀ = ε form of [Ten optimizers], Keras)",
                "PyTorch's AdaGrad adds ε after the root: g/(√r + ε). ε inside the root is the r₀ = ε "
                "variant, a different rule when gradients are small.",
                _eps_inside,
            ),
            Mistake(
                "The learning-rate decay counts from t instead of t − 1",
                "lrₜ = lr/(1 + (t − 1)·lr_decay): the first step (t = 1) uses the full lr.",
                _decay_from_t,
            ),
            Mistake(
                "The step divides by the accumulator before g² is added",
                "Add g² to r first, then divide by √r + ε: the current gradient belongs in the sum.",
                _old_sum,
            ),
            Mistake(
                "The accumulator is not carried over (the old r is returned)",
                "Return the updated r = r + g²; the next step must see every past gradient.",
                _sum_not_returned,
            ),
            Mistake(
                "Only the current gradient in the denominator, g/(|g| + ε)",
                "AdaGrad divides by the root of the sum of all squared gradients so far, not by |g|.",
                _rms_of_this_gradient,
            ),
        ),
    ),
]
