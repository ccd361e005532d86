"""Chapter 09, Adam: one step of Adam (Kingma & Ba, Algorithm 1, as PyTorch implements it)."""

import numpy as np

from minigrad.homework.exercise import Exercise, Mistake, Probe
from minigrad.homework.exercises._update_rules import library_step, random_run, stepper
from minigrad.optim.adam import adam

# m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²,  θ ← θ − lr·m̂/(√v̂ + ε),  m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
adam_step = library_step(adam, {"exp_avg": "exp_avg", "exp_avg_sq": "exp_avg_sq"}, with_t=True)


def _probes(rng):
    probes = []
    for dtype in (np.float64, np.float32):
        for shape in [(3,), (2, 4), ()]:
            param, grads = random_run(rng, shape, dtype, steps=6, zero_prob=0.15)
            lr = float(rng.uniform(0.01, 0.2))
            beta1, beta2 = float(rng.uniform(0.6, 0.95)), float(rng.uniform(0.8, 0.99))
            zeros = np.zeros(shape, dtype)
            probes.append(
                Probe(
                    f"{np.dtype(dtype).name} {shape}, steps 1–6, lr={lr:.3g}, betas=({beta1:.3g}, {beta2:.3g})",
                    dict(
                        param=param,
                        grads=grads,
                        exp_avg=zeros,
                        exp_avg_sq=zeros.copy(),
                        lr=lr,
                        beta1=beta1,
                        beta2=beta2,
                        eps=1e-8,
                    ),
                )
            )
    for dtype in (np.float64, np.float32):
        # Mid-run with the defaults: the moments hold the past, t = 40 … 42.
        param, grads = random_run(rng, (5,), dtype, steps=3)
        exp_avg = (rng.standard_normal(5) * 0.3).astype(dtype)
        exp_avg_sq = rng.uniform(0.2, 2.0, 5).astype(dtype)
        probes.append(
            Probe(
                f"{np.dtype(dtype).name} mid-run from t = 40, default hyperparameters",
                dict(
                    param=param,
                    grads=grads,
                    exp_avg=exp_avg,
                    exp_avg_sq=exp_avg_sq,
                    t0=40,
                    lr=1e-3,
                    beta1=0.9,
                    beta2=0.999,
                    eps=1e-8,
                ),
            )
        )
        # Tiny gradients with a large ε: where ε sits decides the step.
        param, grads = random_run(rng, (4,), dtype, steps=4, scale=1e-3)
        eps = float(rng.uniform(3e-4, 1e-3))
        probes.append(
            Probe(
                f"{np.dtype(dtype).name} tiny gradients (~1e-3), eps={eps:.2g}",
                dict(
                    param=param,
                    grads=grads,
                    exp_avg=np.zeros(4, dtype),
                    exp_avg_sq=np.zeros(4, dtype),
                    lr=0.01,
                    beta1=0.8,
                    beta2=0.95,
                    eps=eps,
                ),
            )
        )
    probes.append(
        Probe(
            "zero gradients from zero moments (no step, no NaN)",
            dict(
                param=np.array([1.0, -2.0]),
                grads=[np.zeros(2), np.array([0.0, 0.5])],
                exp_avg=np.zeros(2),
                exp_avg_sq=np.zeros(2),
                lr=0.01,
                beta1=0.9,
                beta2=0.999,
                eps=1e-8,
            ),
        )
    )
    return probes


def _moments(grad, exp_avg, exp_avg_sq, beta1, beta2):
    return beta1 * exp_avg + (1 - beta1) * grad, beta2 * exp_avg_sq + (1 - beta2) * grad * grad


def _with_corrections(correction1, correction2, eps_inside=False):
    """An Adam step whose bias corrections are correction1(β₁, t) and correction2(β₂, t)."""

    @np.errstate(divide="ignore", invalid="ignore")  # some of these mistakes divide by zero: NaN, quietly
    def step(param, grad, exp_avg, exp_avg_sq, t, lr, beta1, beta2, eps):
        m, v = _moments(grad, exp_avg, exp_avg_sq, beta1, beta2)
        m_hat, v_hat = m / correction1(beta1, t), v / correction2(beta2, t)
        denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        return param - lr * m_hat / denom, m, v

    return step


def _right(beta, t):
    return 1 - beta**t


def _swapped(param, grad, exp_avg, exp_avg_sq, t, lr, beta1, beta2, eps):
    m = (1 - beta1) * exp_avg + beta1 * grad
    v = (1 - beta2) * exp_avg_sq + beta2 * grad * grad
    return param - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def _efficient_eps_hat(param, grad, exp_avg, exp_avg_sq, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, exp_avg, exp_avg_sq, beta1, beta2)
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return param - lr_t * m / (np.sqrt(v) + eps), m, v


def _never_moves(param, grad, exp_avg, exp_avg_sq, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, exp_avg, exp_avg_sq, beta1, beta2)
    return param + 0 * grad, m, v  # lrₜ = lr·√(1 − 1)/(1 − β₁ᵗ) = 0


EXERCISES = [
    Exercise(
        chapter="09",
        function="adam_step",
        title="one Adam step (Algorithm 1)",
        points=3,
        solution=adam_step,
        probes=_probes,
        run=stepper(("exp_avg", "exp_avg_sq"), with_t=True),
        outputs=("param", "exp_avg", "exp_avg_sq"),
        forbidden=("minigrad.optim.adam.adam", "minigrad.optim.Adam", "minigrad.optim.AdamW"),
        mistakes=(
            Mistake(
                "No bias correction (m and v used as they are)",
                "Divide by 1 − β₁ᵗ and 1 − β₂ᵗ: m and v start at 0, so early on they are "
                "(1 − βᵗ) times too small.",
                _with_corrections(lambda beta, t: 1.0, lambda beta, t: 1.0),
            ),
            Mistake(
                "β₂ squared each step (beta_i *= beta_i, [Ten optimizers]): the correction uses β₂^(2^(t−1))",
                "The power is β₂ᵗ = β₂·β₂·…·β₂ (t factors): multiply by β₂ each step (beta_i *= beta), "
                "don't square the running power.",
                _with_corrections(_right, lambda beta, t: 1 - beta ** (2 ** (t - 1))),
            ),
            Mistake(
                "The optimizer never moves: β₂ᵗ stays 1 (beta_i *= beta_i starting from 1, [Ten optimizers])",
                "1 − β₂ᵗ must grow from 1 − β₂ at t = 1; a power that stays 1 makes lrₜ = 0.",
                _never_moves,
            ),
            Mistake(
                "The step count starts at 0 (corrections 1 − β^(t−1))",
                "t is 1 at the first step: m̂ = m/(1 − β₁ᵗ) with t = 1, 2, 3, …",
                _with_corrections(lambda beta, t: 1 - beta ** (t - 1), lambda beta, t: 1 - beta ** (t - 1)),
            ),
            Mistake(
                "ε inside the square root, √(v̂ + ε) (the [SJTU slides], the [yorhaha notes])",
                "Algorithm 1 and PyTorch add ε after the root: m̂/(√v̂ + ε).",
                _with_corrections(_right, _right, eps_inside=True),
            ),
            Mistake(
                "β and 1 − β swapped in the moving averages",
                "m ← β₁·m + (1 − β₁)·g: the old average keeps the weight β₁ (0.9), the new gradient 1 − β₁.",
                _swapped,
            ),
            Mistake(
                "The efficient form with a constant ε̂ = ε (ε added to the uncorrected √v, as Keras does)",
                "Algorithm 1 adds ε to √v̂, the corrected root; the efficient form equals it only with "
                "ε̂ = ε·√(1 − β₂ᵗ).",
                _efficient_eps_hat,
            ),
        ),
    ),
]
