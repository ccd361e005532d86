"""Keras's own golden-value tests, ported: `eps_hat=True` reproduces Keras's Adam and AdamW, whose
epsilon is the ε̂ of the Adam paper's "efficient" form. The expected values are those of
keras/src/optimizers/adam_test.py and adamw_test.py (`test_correctness_with_golden`), with Keras's
tolerance (5e-4); Keras's defaults are lr=1e-3, betas=(0.9, 0.999), epsilon=1e-7."""

import numpy as np
import optim_reference as ref
import pytest

import minigrad as mg
from minigrad import optim

# Keras's inputs: x = ones(10), one step with gradient 0.01, then steps with gradient 0.1, 0.2, ..., 1.0;
# golden[i] is x after step i + 1 (float32 variables, as Keras's default floatx).
FIRST_GRAD = np.full(10, 0.01, dtype=np.float32)
GRADS = np.arange(0.1, 1.1, 0.1, dtype=np.float32)[:10]

KERAS_ADAM_AMSGRAD = np.tile([[0.999], [0.9982], [0.9974], [0.9965], [0.9955]], (1, 10))
KERAS_ADAMW_EPSILON_2 = np.array([
    [0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998],
    [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
    [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
    [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
    [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159],
])  # fmt: skip


def _keras_trajectory(make):
    x = mg.tensor(np.ones(10, dtype=np.float32), requires_grad=True)
    opt = make([x])
    path = []
    for grad in [FIRST_GRAD] + [GRADS] * 4:
        x.grad = grad.copy()
        opt.step()
        path.append(x.data.copy())
    return np.array(path)


def test_keras_adam_amsgrad_golden():
    """keras Adam(amsgrad=True) with its defaults."""
    mine = _keras_trajectory(lambda p: optim.Adam(p, lr=1e-3, eps=1e-7, amsgrad=True, eps_hat=True))
    np.testing.assert_allclose(mine, KERAS_ADAM_AMSGRAD, rtol=5e-4, atol=5e-4)


def test_keras_adamw_golden_with_epsilon_2():
    """keras AdamW(learning_rate=1.0, weight_decay=0.5, epsilon=2): a large ε̂ makes the forms differ."""
    mine = _keras_trajectory(lambda p: optim.AdamW(p, lr=1.0, weight_decay=0.5, eps=2.0, eps_hat=True))
    np.testing.assert_allclose(mine, KERAS_ADAMW_EPSILON_2, rtol=5e-4, atol=5e-4)
    # Algorithm 1 with the same number for ε is far off: this golden file tells the two forms apart.
    algorithm1 = _keras_trajectory(lambda p: optim.AdamW(p, lr=1.0, weight_decay=0.5, eps=2.0))
    assert np.abs(algorithm1 - KERAS_ADAMW_EPSILON_2).max() > 1e-2


def test_keras_adamw_single_step():
    """keras adamw_test.py `test_single_step`: AdamW(learning_rate=0.5) with Keras's default wd = 0.004."""
    x = mg.tensor(np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32), requires_grad=True)
    opt = optim.AdamW([x], lr=0.5, weight_decay=0.004, eps=1e-7, eps_hat=True)
    x.grad = np.array([1.0, 6.0, 7.0, 2.0], dtype=np.float32)
    opt.step()
    np.testing.assert_allclose(x.data, [0.4980, 1.4960, 2.494, 3.492], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_eps_hat_is_algorithm_1_with_a_time_varying_eps(amsgrad):
    """The two forms agree exactly when ε = ε̂/√(1 − β₂ᵗ): set that ε before each step of Algorithm 1."""
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((30, 5)) * np.array([1e-4, 1e-2, 1.0, 10.0, 1e-6])
    eps_hat, beta2 = 1e-3, 0.99
    a = mg.tensor(np.zeros(5), requires_grad=True)
    b = mg.tensor(np.zeros(5), requires_grad=True)
    efficient = optim.Adam([a], lr=0.01, betas=(0.9, beta2), eps=eps_hat, amsgrad=amsgrad, eps_hat=True)
    algorithm1 = optim.Adam([b], lr=0.01, betas=(0.9, beta2), amsgrad=amsgrad)
    for t, g in enumerate(grads, start=1):
        algorithm1.param_groups[0]["eps"] = eps_hat / np.sqrt(1 - beta2**t)
        a.grad, b.grad = g, g.copy()
        efficient.step()
        algorithm1.step()
        np.testing.assert_allclose(a.data, b.data, rtol=1e-13, atol=1e-16)
    # ... and with one constant ε they differ (most for the coordinates with small gradients).
    c = mg.tensor(np.zeros(5), requires_grad=True)
    constant = optim.Adam([c], lr=0.01, betas=(0.9, beta2), eps=eps_hat, amsgrad=amsgrad)
    for g in grads:
        c.grad = g
        constant.step()
    assert np.abs(c.data - a.data).max() > 1e-3


def test_eps_hat_matches_the_written_out_efficient_form():
    """Against the independent reference, which writes lrₜ = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ), θ −= lrₜ·m/(√v + ε̂)."""
    rng = np.random.default_rng(3)
    theta0, grads = rng.standard_normal(4), rng.standard_normal((40, 4)) * 1e-3
    p = mg.tensor(theta0.copy(), requires_grad=True)
    opt = optim.Adam([p], lr=0.05, eps=0.01, eps_hat=True)
    for g in grads:
        p.grad = g
        opt.step()
    np.testing.assert_allclose(
        p.data, ref.run(ref.adam, theta0, grads, lr=0.05, eps=0.01, eps_hat=True)[-1], rtol=1e-12
    )


def test_keras3_nadam_is_a_momentum_decay_of_one():
    """Keras 3 Nadam's schedule μₜ = β₁(1 − ½·0.96ᵗ) is PyTorch's with momentum_decay ψ = 1 (no 0.004)."""
    rng = np.random.default_rng(5)
    theta0, grads = rng.standard_normal(3), rng.standard_normal((20, 3))
    p = mg.tensor(theta0.copy(), requires_grad=True)
    opt = optim.Nadam([p], lr=1e-3, eps=1e-7, momentum_decay=1.0)
    theta, m, v, u_product = theta0.copy(), np.zeros(3), np.zeros(3), 1.0
    for t, g in enumerate(grads, start=1):  # Keras 3 nadam.py's update, written out
        u_t = 0.9 * (1 - 0.5 * 0.96**t)
        u_t1 = 0.9 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product *= u_t
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
        theta = theta - 1e-3 * m_hat / (np.sqrt(v / (1 - 0.999**t)) + 1e-7)
        p.grad = g
        opt.step()
    np.testing.assert_allclose(p.data, theta, rtol=1e-12)
