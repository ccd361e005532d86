"""Chapter 11, Nadam: one Nadam step in PyTorch's form (Dozat's algorithm with the momentum schedule)."""

import numpy as np

from minigrad.homework.exercise import Exercise, Mistake, Probe
from minigrad.optim.nadam import nadam


def nadam_step(
    param,
    grad,
    exp_avg,
    exp_avg_sq,
    mu_product,
    step,
    lr=2e-3,
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    momentum_decay=4e-3,
):
    """One Nadam step, as `minigrad.optim.Nadam` and `torch.optim.NAdam` take it: returns new
    (param, exp_avg, exp_avg_sq, mu_product).

        μₜ = β₁·(1 − ½·0.96^(t·ψ)),  μₜ₊₁ likewise,  Πₜ = Πₜ₋₁·μₜ
        m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
        θ ← θ − lr·[(1 − μₜ)·g/(1 − Πₜ) + μₜ₊₁·m/(1 − Πₜ·μₜ₊₁)] / (√(v/(1 − β₂ᵗ)) + ε)"""
    param = param.copy()
    state = {
        "step": step,
        "mu_product": mu_product,
        "exp_avg": exp_avg.copy(),
        "exp_avg_sq": exp_avg_sq.copy(),
    }
    nadam(param, grad, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps, momentum_decay=momentum_decay)
    return param, state["exp_avg"], state["exp_avg_sq"], state["mu_product"]


def run_steps(function, probe):
    """Feed the probe's gradients to `function` one step at a time (t = 1, 2, …) from the initial state
    m = v = 0, Π₀ = 1, the state fed back; the outputs are the parameters after every step, the
    final state, and the running product Πₜ after every step."""
    kwargs = dict(probe.kwargs)
    param, grads = kwargs.pop("param"), kwargs.pop("grads")
    exp_avg, exp_avg_sq, mu_product = np.zeros_like(param), np.zeros_like(param), 1.0
    params, products = [], []
    for t, grad in enumerate(grads, start=1):
        param, exp_avg, exp_avg_sq, mu_product = function(
            param, grad, exp_avg, exp_avg_sq, mu_product, t, **kwargs
        )
        params.append(np.asarray(param))
        products.append(float(np.asarray(mu_product)))
    return {
        "param": np.stack(params),
        "exp_avg": exp_avg,
        "exp_avg_sq": exp_avg_sq,
        "mu_product": np.array(products),
    }


def _variant(*, schedule=True, next_mu=True, momentum_correction="next", ema_mu=False, simplified=False):
    """Nadam with one thing changed (each mistake below switches one of these)."""

    def step_fn(
        param,
        grad,
        exp_avg,
        exp_avg_sq,
        mu_product,
        step,
        lr=2e-3,
        beta1=0.9,
        beta2=0.999,
        eps=1e-8,
        momentum_decay=4e-3,
    ):
        if schedule:
            mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentum_decay))
            mu_next = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        else:
            mu = mu_next = beta1
        mu_product = mu_product * mu
        coefficient = beta1 if (simplified or not ema_mu) else mu
        exp_avg = coefficient * exp_avg + (1 - coefficient) * grad
        exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad**2
        denom = np.sqrt(exp_avg_sq / (1 - beta2**step)) + eps
        if simplified:  # Ruder's form and [Ten optimizers]': constant β₁, Adam's correction for both terms
            numerator = (beta1 * exp_avg + (1 - beta1) * grad) / (1 - beta1**step)
        else:
            ahead = mu_next if next_mu else mu
            correction = {"next": mu_product * ahead, "current": mu_product}[momentum_correction]
            numerator = (1 - mu) * grad / (1 - mu_product) + ahead * exp_avg / (1 - correction)
        return param - lr * numerator / denom, exp_avg, exp_avg_sq, mu_product

    return step_fn


def _probes(rng):
    probes = []
    for dtype in (np.float64, np.float32):
        for shape in [(3,), (2, 4), (5, 1)]:  # (no 0-d arrays: the library's nadam fails on them)
            steps = int(rng.integers(3, 7))
            beta1, beta2 = float(rng.uniform(0.6, 0.95)), float(rng.uniform(0.9, 0.999))
            lr, eps = float(rng.uniform(0.01, 0.3)), float(rng.choice([1e-8, 1e-3]))
            psi = float(rng.choice([4e-3, rng.uniform(0.05, 2.0)]))
            param = rng.standard_normal(shape).astype(dtype)
            grads = [(rng.standard_normal(shape) * rng.uniform(0.1, 3)).astype(dtype) for _ in range(steps)]
            probes.append(
                Probe(
                    f"{np.dtype(dtype).name} {shape}, {steps} steps, lr={lr:.3g}, betas=({beta1:.3g}, {beta2:.3g}), "
                    f"eps={eps:g}, momentum_decay={psi:.3g}",
                    dict(
                        param=param, grads=grads, lr=lr, beta1=beta1, beta2=beta2, eps=eps, momentum_decay=psi
                    ),
                )
            )
    probes.append(
        Probe(
            "one step, default hyperparameters",
            dict(param=rng.standard_normal(4), grads=[rng.standard_normal(4)]),
        )
    )
    probes.append(
        Probe(
            "ten steps, default hyperparameters",
            dict(param=rng.standard_normal(3), grads=[rng.standard_normal(3) for _ in range(10)]),
        )
    )
    # a fast schedule: μₜ and μₜ₊₁ differ a lot, so every index matters
    psi = float(rng.uniform(5.0, 20.0))
    probes.append(
        Probe(
            f"a fast momentum schedule, momentum_decay={psi:.3g}",
            dict(
                param=rng.standard_normal(4),
                grads=[rng.standard_normal(4) for _ in range(5)],
                lr=0.1,
                beta1=0.9,
                beta2=0.99,
                eps=1e-8,
                momentum_decay=psi,
            ),
        )
    )
    # zero and tiny gradients (|g| ≈ ε): the step must stay finite and ε must sit outside the square root
    grads = [rng.uniform(-3e-3, 3e-3, 5) for _ in range(4)]
    for grad in grads:
        grad[0] = 0.0
    probes.append(
        Probe(
            "zero and tiny gradients (eps = 1e-3)",
            dict(
                param=rng.standard_normal(5),
                grads=grads,
                lr=0.05,
                beta1=0.9,
                beta2=0.99,
                eps=1e-3,
                momentum_decay=0.5,
            ),
        )
    )
    return probes


EXERCISES = [
    Exercise(
        chapter="11",
        function="nadam_step",
        title="one Nadam step",
        points=3,
        solution=nadam_step,
        probes=_probes,
        run=run_steps,
        forbidden=("minigrad.optim.nadam.nadam", "minigrad.optim.nadam.nadam_simplified"),
        mistakes=(
            Mistake(
                "the sources' simplified Nadam ((β₁·m + (1 − β₁)·g)/(1 − β₁ᵗ), no schedule)",
                "That is Ruder's simplification, which [Ten optimizers] copies: its momentum term is corrected "
                "by 1 − β₁ᵗ, one power short, and μ is a constant. Use μₜ₊₁·m/(1 − Πₜ·μₜ₊₁) + "
                "(1 − μₜ)·g/(1 − Πₜ) with the schedule μₜ = β₁·(1 − ½·0.96^(t·ψ)).",
                _variant(simplified=True),
            ),
            Mistake(
                "no momentum schedule (μₜ = β₁ for every t)",
                "PyTorch's NAdam warms the momentum up: μₜ = β₁·(1 − ½·0.96^(t·ψ)) with ψ = momentum_decay, "
                "which starts near β₁/2. Compute μₜ and μₜ₊₁ from the step number.",
                _variant(schedule=False),
            ),
            Mistake(
                "μₜ instead of μₜ₊₁ in the momentum term",
                "Nesterov's look-ahead takes the *next* step's momentum now: the momentum term is "
                "μₜ₊₁·m/(1 − Πₜ·μₜ₊₁), with t + 1 in the schedule.",
                _variant(next_mu=False),
            ),
            Mistake(
                "the momentum term corrected by 1 − Πₜ instead of 1 − Πₜ·μₜ₊₁",
                "The momentum term is the next step's, so its bias correction has one more factor: "
                "divide μₜ₊₁·m by 1 − Πₜ·μₜ₊₁ (only the gradient term uses 1 − Πₜ).",
                _variant(momentum_correction="current"),
            ),
            Mistake(
                "the moving average m uses μₜ instead of β₁",
                "PyTorch (and Keras) keep m ← β₁·m + (1 − β₁)·g with the constant β₁; the schedule μₜ only "
                "enters the two coefficients of the step.",
                _variant(ema_mu=True),
            ),
        ),
    ),
]
