"""Each seed formulation (shared/seeds, '+' signs restored, the β_i bug fixed) reproduced exactly by the
documented minigrad setting, against an independent float64 implementation of the seed's own code."""

import numpy as np
import optim_cases as cases
import optim_reference as ref
import pytest

import minigrad as mg
from minigrad import optim

EPS = 1e-6
SEED_SETTINGS = [
    (
        "SGDM as EMA (seeds 000/003)",
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.9),
        lambda: ref.SeedEMAMomentum(lr=0.1, beta=0.9),
    ),
    (
        "Momentum (004)",
        lambda p: optim.Momentum(p, lr=0.05, momentum=0.9),
        lambda: ref.SeedMomentum(alpha=0.9, lr=0.05),
    ),
    (
        "AdaGrad eps as r0",
        lambda p: optim.AdaGrad(p, lr=0.1, initial_accumulator_value=EPS, eps=0),
        lambda: ref.SeedAdaGrad(eps=EPS, lr=0.1),
    ),
    (
        "RMSProp eps as r0",
        lambda p: optim.RMSProp(p, lr=0.01, alpha=0.9, eps=0, initial_accumulator_value=EPS),
        lambda: ref.SeedRMSProp(lr=0.01, beta=0.9, eps=EPS),
    ),
    (
        "AdaDelta eps as r0 and s0",
        lambda p: optim.AdaDelta(p, lr=1.0, rho=0.9, eps=0, initial_accumulator_value=EPS),
        lambda: ref.SeedAdaDelta(beta=0.9, eps=EPS),
    ),
    (
        "Adam efficient form",
        lambda p: optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=0, initial_accumulator_value=EPS),
        lambda: ref.SeedAdam(lr=0.01, alpha=0.9, beta=0.999, eps=EPS),
    ),
    (
        "AdaMax",
        lambda p: optim.AdaMax(p, lr=0.01, betas=(0.9, 0.999), eps=0),
        lambda: ref.SeedAdaMax(lr=0.01, alpha=0.9, beta=0.999),
    ),
    (
        "Nadam approximation",
        lambda p: optim.Nadam(
            p, lr=0.01, betas=(0.9, 0.999), simplified=True, eps=0, initial_accumulator_value=EPS
        ),
        lambda: ref.SeedNadam(lr=0.01, alpha=0.9, beta=0.999, eps=EPS),
    ),
    (
        "NadaMax",
        lambda p: optim.NadaMax(p, lr=0.01, betas=(0.9, 0.999), eps=0),
        lambda: ref.SeedNadaMax(lr=0.01, alpha=0.9, beta=0.999),
    ),
]


@pytest.mark.parametrize("name, make, seed_optimizer", SEED_SETTINGS, ids=[s[0] for s in SEED_SETTINGS])
def test_seed_setting_reproduces_the_seed(name, make, seed_optimizer):
    theta0, grads = cases.gradient_sequence(seed=3)
    mine = cases.minigrad_trajectory(make, theta0, grads)
    np.testing.assert_allclose(mine, ref.run_seed(seed_optimizer(), theta0, grads), rtol=1e-12, atol=1e-13)


def test_nesterov_is_the_seeds_look_ahead_after_the_change_of_variables():
    """Seed 004 evaluates the gradient at w + α·v. minigrad's θ is that look-ahead point: on a real
    problem (closed loop) θₜ = wₜ + α·vₜ at every step."""
    rng = np.random.default_rng(0)
    q = rng.standard_normal((6, 6))
    hessian = q @ q.T + np.eye(6)  # f(w) = ½ wᵀHw - bᵀw
    b = rng.standard_normal(6)

    def grad(w):
        return hessian @ w - b

    alpha, lr = 0.9, 0.02
    w, v = rng.standard_normal(6), np.zeros(6)
    theta = mg.tensor(w + alpha * v, requires_grad=True)
    opt = optim.Nesterov([theta], lr=lr, momentum=alpha)
    for _ in range(300):
        v = alpha * v - lr * grad(w + alpha * v)  # the seed's update
        w = w + v
        theta.grad = grad(theta.data)
        opt.step()
        np.testing.assert_allclose(theta.data, w + alpha * v, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(theta.data, np.linalg.solve(hessian, b), atol=1e-6)  # both reach the minimum


def test_the_seeds_beta_i_bug_would_freeze_adam():
    """Why the fix matters: seed 004's `beta_i *= beta_i` keeps β_i = 1, so lr_t = lr·√(1 − 1) = 0."""

    class Buggy(ref.SeedAdam):
        def update(self, g):
            self.s = self.s * self.alpha + (1 - self.alpha) * g
            self.r = self.r * self.beta + (1 - self.beta) * np.square(g)
            self.alpha_i *= self.alpha
            self.beta_i *= self.beta_i
            return -self.lr * (1 - self.beta_i) ** 0.5 / (1 - self.alpha_i) * self.s / np.sqrt(self.r)

    theta0, grads = cases.gradient_sequence()
    path = ref.run_seed(Buggy(lr=0.01, alpha=0.9, beta=0.999, eps=EPS), theta0, grads)
    assert np.array_equal(path[-1], theta0)
    fixed = ref.run_seed(ref.SeedAdam(lr=0.01, alpha=0.9, beta=0.999, eps=EPS), theta0, grads)
    assert np.abs(fixed[-1] - theta0).max() > 0.1
