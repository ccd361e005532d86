"""Chapter 10, AdaMax: one AdaMax step (the update rule with its state fed back, step after step)."""

import numpy as np

from minigrad.homework.exercise import Exercise, Mistake, Probe
from minigrad.optim.adamax import adamax


def adamax_step(param, grad, exp_avg, exp_inf, step, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One AdaMax step, as `minigrad.optim.AdaMax` takes it: returns new (param, exp_avg, exp_inf).

        m ← β₁·m + (1 − β₁)·g,   u ← max(β₂·u, |g| + ε),   θ ← θ − lr/(1 − β₁ᵗ)·m/u
    (with ε = 0, a coordinate whose u is 0 takes no step)."""
    param = param.copy()
    state = {"step": step, "exp_avg": exp_avg.copy(), "exp_inf": exp_inf.copy()}
    adamax(param, grad, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return param, state["exp_avg"], state["exp_inf"]


def run_steps(function, probe):
    """Feed the probe's gradients to `function` one step at a time (t = 1, 2, …), the state fed back;
    the outputs are the parameters after every step and the final state."""
    kwargs = dict(probe.kwargs)
    param, grads = kwargs.pop("param"), kwargs.pop("grads")
    exp_avg, exp_inf = np.zeros_like(param), np.zeros_like(param)
    params = []
    for t, grad in enumerate(grads, start=1):
        param, exp_avg, exp_inf = function(param, grad, exp_avg, exp_inf, t, **kwargs)
        params.append(np.asarray(param))
    return {"param": np.stack(params), "exp_avg": exp_avg, "exp_inf": exp_inf}


def _variant(*, decay=True, correct_u=False, eps_added=False, guard=True, correct_m=True):
    """AdaMax with one thing changed (each mistake below switches one of these)."""

    def step_fn(param, grad, exp_avg, exp_inf, step, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        exp_avg = beta1 * exp_avg + (1 - beta1) * grad
        previous = beta2 * exp_inf if decay else exp_inf
        exp_inf = np.maximum(previous, np.abs(grad) + (0 if eps_added else eps))
        denom = exp_inf + eps if eps_added else exp_inf
        if correct_u:
            denom = denom / (1 - beta2**step)
        scale = lr / (1 - beta1**step) if correct_m else lr
        with np.errstate(invalid="ignore"):  # the 0/0 of the unguarded variant is its mistake, not a crash
            if guard:
                ratio = np.divide(exp_avg, denom, out=np.zeros_like(exp_avg), where=denom > 0)
            else:
                ratio = exp_avg / denom
        return param - scale * ratio, exp_avg, exp_inf

    return step_fn


def _probes(rng):
    probes = []
    for dtype in (np.float64, np.float32):
        for shape in [(3,), (2, 4), ()]:
            steps = int(rng.integers(3, 7))
            beta1, beta2 = float(rng.uniform(0.5, 0.95)), float(rng.uniform(0.8, 0.99))
            lr, eps = float(rng.uniform(0.01, 0.5)), float(rng.choice([1e-8, 1e-3]))
            param = rng.standard_normal(shape).astype(dtype)
            grads = [(rng.standard_normal(shape) * rng.uniform(0.1, 3)).astype(dtype) for _ in range(steps)]
            probes.append(
                Probe(
                    f"{np.dtype(dtype).name} {shape}, {steps} steps, lr={lr:.3g}, betas=({beta1:.3g}, {beta2:.3g}), eps={eps:g}",
                    dict(param=param, grads=grads, lr=lr, beta1=beta1, beta2=beta2, eps=eps),
                )
            )
    probes.append(
        Probe(
            "one step, default hyperparameters",
            dict(param=rng.standard_normal(4), grads=[rng.standard_normal(4)]),
        )
    )
    # eps = 0 (the paper's setting): coordinates 0 and 1 see only zero gradients, coordinate 2 starts later.
    grads = [rng.standard_normal(4) for _ in range(4)]
    for t, grad in enumerate(grads):
        grad[:2] = 0.0
        grad[2] = 0.0 if t < 2 else grad[2]
    probes.append(
        Probe(
            "eps=0, some coordinates with zero gradients",
            dict(param=rng.standard_normal(4), grads=grads, lr=0.1, beta1=0.9, beta2=0.999, eps=0.0),
        )
    )
    # a spike, then small gradients: u must decay by β₂ each step instead of keeping the spike
    beta2 = float(rng.uniform(0.8, 0.9))
    grads = [np.full(3, 10.0) * rng.choice([-1, 1], 3)] + [rng.uniform(-0.1, 0.1, 3) for _ in range(5)]
    probes.append(
        Probe(
            f"a spike then small gradients, beta2={beta2:.3g}",
            dict(param=rng.standard_normal(3), grads=grads, lr=0.05, beta1=0.8, beta2=beta2, eps=1e-8),
        )
    )
    # gradients of the size of ε: where ε goes matters
    grads = [rng.uniform(-2e-3, 2e-3, 5) for _ in range(4)]
    probes.append(
        Probe(
            "tiny gradients (|g| ≈ eps = 1e-3)",
            dict(param=rng.standard_normal(5), grads=grads, lr=0.01, beta1=0.9, beta2=0.99, eps=1e-3),
        )
    )
    return probes


EXERCISES = [
    Exercise(
        chapter="10",
        function="adamax_step",
        title="one AdaMax step",
        points=2,
        solution=adamax_step,
        probes=_probes,
        run=run_steps,
        forbidden=("minigrad.optim.adamax.adamax",),
        mistakes=(
            Mistake(
                "u is bias-corrected (divided by 1 − β₂ᵗ)",
                "u is a decayed maximum, not an average started at 0: its newest term has weight 1, so it "
                "has no bias toward 0 and needs no correction. Only m is divided by 1 − β₁ᵗ.",
                _variant(correct_u=True),
            ),
            Mistake(
                "no β₂ decay inside the max (u ← max(u, |g|))",
                "u is the maximum of β₂^(t−i)·|gᵢ|: old gradients fade. Multiply the old u by β₂ before "
                "comparing: u ← max(β₂·u, |g| + ε).",
                _variant(decay=False),
            ),
            Mistake(
                "0/0 = NaN where every gradient so far is zero (eps = 0)",
                "With ε = 0 a coordinate that has only seen zero gradients has m = u = 0. Take no step "
                "there (the ε → 0 limit: 0/(0 + ε) = 0 for every ε > 0), e.g. "
                "np.divide(m, u, out=np.zeros_like(m), where=u > 0).",
                _variant(guard=False),
            ),
            Mistake(
                "ε added to u (Keras's placement) instead of inside the max",
                "This exercise follows PyTorch and minigrad: ε goes inside the max, u ← max(β₂·u, |g| + ε), "
                "and u itself is the denominator. Keras keeps u = max(β₂·u, |g|) and divides by u + ε.",
                _variant(eps_added=True),
            ),
            Mistake(
                "m is not bias-corrected (no 1/(1 − β₁ᵗ))",
                "m starts at 0, so it is biased toward 0 like Adam's: scale the step by lr/(1 − β₁ᵗ).",
                _variant(correct_m=False),
            ),
        ),
    ),
]
