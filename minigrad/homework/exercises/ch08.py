"""Chapter 08, RMSProp and AdaDelta: one step of each, in PyTorch's form."""

import numpy as np

from minigrad.homework.exercise import Exercise, Mistake, Probe
from minigrad.homework.exercises._update_rules import library_step, random_run, stepper
from minigrad.optim.adadelta import adadelta
from minigrad.optim.rmsprop import rmsprop

# v ← α·v + (1 − α)·g²,  θ ← θ − lr·g/(√v + ε)
rmsprop_step = library_step(rmsprop, {"square_avg": "square_avg"}, with_t=False)
# r ← ρ·r + (1 − ρ)·g²,  Δ = √(s + ε)/√(r + ε)·g,  s ← ρ·s + (1 − ρ)·Δ²,  θ ← θ − lr·Δ
adadelta_step = library_step(adadelta, {"square_avg": "square_avg", "acc_delta": "acc_delta"}, with_t=False)


def _name(dtype, shape):
    return f"{np.dtype(dtype).name} {shape}"


def _rmsprop_probes(rng):
    probes = []
    for dtype in (np.float64, np.float32):
        for shape in [(3,), (2, 4), ()]:
            param, grads = random_run(rng, shape, dtype, steps=4, zero_prob=0.2)
            lr, alpha = float(rng.uniform(0.005, 0.05)), float(rng.uniform(0.5, 0.95))
            probes.append(
                Probe(
                    f"{_name(dtype, shape)}, steps 1–4, lr={lr:.3g}, alpha={alpha:.3g}",
                    dict(
                        param=param,
                        grads=grads,
                        square_avg=np.zeros(shape, dtype),
                        lr=lr,
                        alpha=alpha,
                        eps=1e-8,
                    ),
                )
            )
    for dtype in (np.float64, np.float32):
        param, grads = random_run(rng, (5,), dtype, steps=3)
        square_avg = rng.uniform(0.2, 3.0, 5).astype(dtype)
        probes.append(
            Probe(
                f"{np.dtype(dtype).name} mid-run (filled square_avg)",
                dict(param=param, grads=grads, square_avg=square_avg, lr=0.01, alpha=0.99, eps=1e-8),
            )
        )
        param, grads = random_run(rng, (4,), dtype, steps=3, scale=1e-3)
        eps = float(rng.uniform(2e-4, 1e-3))
        probes.append(
            Probe(
                f"{np.dtype(dtype).name} tiny gradients (~1e-3), eps={eps:.2g}",
                dict(param=param, grads=grads, square_avg=np.zeros(4, dtype), lr=0.01, alpha=0.9, eps=eps),
            )
        )
    probes.append(
        Probe(
            "zero gradients from a zero square_avg (no step, no NaN)",
            dict(
                param=np.array([1.0, -2.0]),
                grads=[np.zeros(2), np.array([0.0, 0.5])],
                square_avg=np.zeros(2),
                lr=0.01,
                alpha=0.9,
                eps=1e-8,
            ),
        )
    )
    return probes


def _adadelta_probes(rng):
    probes = []
    for dtype in (np.float64, np.float32):
        for shape in [(3,), (2, 4), ()]:
            param, grads = random_run(rng, shape, dtype, steps=4, zero_prob=0.2)
            lr, rho = float(rng.uniform(0.3, 2.0)), float(rng.uniform(0.5, 0.95))
            eps = float(rng.uniform(1e-3, 1e-2))  # large enough that ε's place shows in every step
            zeros = np.zeros(shape, dtype)
            probes.append(
                Probe(
                    f"{_name(dtype, shape)}, steps 1–4, lr={lr:.3g}, rho={rho:.3g}, eps={eps:.2g}",
                    dict(
                        param=param,
                        grads=grads,
                        square_avg=zeros,
                        acc_delta=zeros.copy(),
                        lr=lr,
                        rho=rho,
                        eps=eps,
                    ),
                )
            )
    for dtype in (np.float64, np.float32):
        param, grads = random_run(rng, (5,), dtype, steps=3)
        square_avg = rng.uniform(0.2, 3.0, 5).astype(dtype)
        acc_delta = rng.uniform(1e-4, 1e-2, 5).astype(dtype)
        probes.append(
            Probe(
                f"{np.dtype(dtype).name} mid-run (filled accumulators), defaults",
                dict(
                    param=param,
                    grads=grads,
                    square_avg=square_avg,
                    acc_delta=acc_delta,
                    lr=1.0,
                    rho=0.9,
                    eps=1e-6,
                ),
            )
        )
        param, grads = random_run(rng, (4,), dtype, steps=3, scale=1e-3)
        probes.append(
            Probe(
                f"{np.dtype(dtype).name} tiny gradients (~1e-3), lr=0.5",
                dict(
                    param=param,
                    grads=grads,
                    square_avg=np.zeros(4, dtype),
                    acc_delta=np.zeros(4, dtype),
                    lr=0.5,
                    rho=0.95,
                    eps=1e-6,
                ),
            )
        )
    probes.append(
        Probe(
            "zero gradients from zero accumulators (no step, no NaN)",
            dict(
                param=np.array([1.0, -2.0]),
                grads=[np.zeros(2), np.array([0.0, 0.5])],
                square_avg=np.zeros(2),
                acc_delta=np.zeros(2),
                lr=1.0,
                rho=0.9,
                eps=1e-6,
            ),
        )
    )
    return probes


def _ema(avg, value, rate):
    return rate * avg + (1 - rate) * value


# RMSProp mistakes
@np.errstate(invalid="ignore", divide="ignore")  # 0/0 is this mistake's point: NaN, quietly
def _rms_no_eps(param, grad, square_avg, lr, alpha, eps):
    square_avg = _ema(square_avg, grad * grad, alpha)
    return param - lr * grad / np.sqrt(square_avg), square_avg


def _rms_eps_inside(param, grad, square_avg, lr, alpha, eps):
    square_avg = _ema(square_avg, grad * grad, alpha)
    return param - lr * grad / np.sqrt(square_avg + eps), square_avg


def _rms_swapped(param, grad, square_avg, lr, alpha, eps):
    square_avg = (1 - alpha) * square_avg + alpha * grad * grad
    return param - lr * grad / (np.sqrt(square_avg) + eps), square_avg


def _rms_sum(param, grad, square_avg, lr, alpha, eps):
    square_avg = square_avg + grad * grad
    return param - lr * grad / (np.sqrt(square_avg) + eps), square_avg


# AdaDelta mistakes
@np.errstate(invalid="ignore", divide="ignore")
def _ada_no_eps(param, grad, square_avg, acc_delta, lr, rho, eps):
    square_avg = _ema(square_avg, grad * grad, rho)
    delta = np.sqrt(acc_delta / square_avg) * grad
    return param - lr * delta, square_avg, _ema(acc_delta, delta * delta, rho)


def _ada_lr_in_acc(param, grad, square_avg, acc_delta, lr, rho, eps):
    square_avg = _ema(square_avg, grad * grad, rho)
    delta = lr * np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
    return param - delta, square_avg, _ema(acc_delta, delta * delta, rho)


def _ada_old_r(param, grad, square_avg, acc_delta, lr, rho, eps):
    delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
    square_avg = _ema(square_avg, grad * grad, rho)
    return param - lr * delta, square_avg, _ema(acc_delta, delta * delta, rho)


def _ada_swapped(param, grad, square_avg, acc_delta, lr, rho, eps):
    square_avg = _ema(square_avg, grad * grad, 1 - rho)
    delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
    return param - lr * delta, square_avg, _ema(acc_delta, delta * delta, 1 - rho)


EXERCISES = [
    Exercise(
        chapter="08",
        function="rmsprop_step",
        title="one RMSProp step (PyTorch's form)",
        points=2,
        solution=rmsprop_step,
        probes=_rmsprop_probes,
        run=stepper(("square_avg",), with_t=False),
        outputs=("param", "square_avg"),
        forbidden=("minigrad.optim.rmsprop.rmsprop", "minigrad.optim.RMSProp"),
        mistakes=(
            Mistake(
                "No ε in the denominator (ε only as the start r₀, as in [Ten optimizers])",
                "Divide by √v + ε. For a moving average the start value is forgotten, so ε must stay "
                "in the denominator; without it a zero gradient gives 0/0.",
                _rms_no_eps,
            ),
            Mistake(
                "ε inside the square root, √(v + ε) (Keras, the [SJTU slides])",
                "PyTorch's RMSProp adds ε after the root: g/(√v + ε).",
                _rms_eps_inside,
            ),
            Mistake(
                "α and 1 − α swapped in the moving average",
                "v ← α·v + (1 − α)·g²: the old average keeps the weight α (0.99 by default).",
                _rms_swapped,
            ),
            Mistake(
                "A sum of squared gradients (AdaGrad) instead of a moving average",
                "RMSProp forgets: v ← α·v + (1 − α)·g², not v + g².",
                _rms_sum,
            ),
        ),
    ),
    Exercise(
        chapter="08",
        function="adadelta_step",
        title="one AdaDelta step (Zeiler's and PyTorch's form)",
        points=3,
        solution=adadelta_step,
        probes=_adadelta_probes,
        run=stepper(("square_avg", "acc_delta"), with_t=False),
        outputs=("param", "square_avg", "acc_delta"),
        forbidden=("minigrad.optim.adadelta.adadelta", "minigrad.optim.AdaDelta"),
        mistakes=(
            Mistake(
                "No ε under the square roots, Δ = √(s/r)·g ([Ten optimizers]' form)",
                "Zeiler's RMS is √(E[·] + ε) in both places: Δ = √(s + ε)/√(r + ε)·g. Without the ε in "
                "the numerator the step scale can only decay (and 0/0 appears for a zero gradient).",
                _ada_no_eps,
            ),
            Mistake(
                "The learning rate is folded into Δ before Δ² is accumulated",
                "Accumulate the unscaled Δ: s ← ρ·s + (1 − ρ)·Δ², then θ ← θ − lr·Δ.",
                _ada_lr_in_acc,
            ),
            Mistake(
                "Δ is computed with r before this step's g² is added",
                "Update r ← ρ·r + (1 − ρ)·g² first, then Δ = √(s + ε)/√(r + ε)·g (s is still the old one).",
                _ada_old_r,
            ),
            Mistake(
                "ρ and 1 − ρ swapped in the moving averages",
                "E ← ρ·E + (1 − ρ)·x: the old average keeps the weight ρ.",
                _ada_swapped,
            ),
        ),
    ),
]
