"""Independent float64 implementations of every update rule, written straight from the equations
(PyTorch 2.13's documented math, the papers, and the seeds' own code with its bugs fixed).

They share no code with `minigrad.optim`: each is a plain loop over a recorded gradient sequence that
returns the trajectory θ₀, θ₁, ..., θ_T. The tests compare minigrad's optimizers with them.
"""

import numpy as np


def run(rule, theta0, grads, **hyper):
    """Feed the gradient sequence `grads` (T, n) to `rule` (a generator of steps) from θ₀: open loop."""
    theta = np.array(theta0, dtype=np.float64)
    path = [theta.copy()]
    stepper = rule(theta, **hyper)
    next(stepper)
    for g in grads:
        theta = stepper.send(np.array(g, dtype=np.float64))
        path.append(theta.copy())
    return np.array(path)


# -- the library rules, PyTorch's math (reference/optimizer-semantics.md §1) -------------------------------


def sgd(theta, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0, zero_start=True):
    buf = None
    g = yield
    while True:
        g = g + weight_decay * theta
        if momentum:
            if buf is None:
                buf = (1 - dampening) * g if zero_start else g.copy()
            else:
                buf = momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        theta = theta - lr * g
        g = yield theta


def adagrad(theta, lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    total = np.full_like(theta, initial_accumulator_value)
    t = 0
    g = yield
    while True:
        t += 1
        g = g + weight_decay * theta
        clr = lr / (1 + (t - 1) * lr_decay)
        total = total + g * g
        theta = theta - clr * g / (np.sqrt(total) + eps)
        g = yield theta


def rmsprop(
    theta,
    lr,
    alpha=0.99,
    eps=1e-8,
    weight_decay=0.0,
    momentum=0.0,
    centered=False,
    initial_accumulator_value=0.0,
):
    v = np.full_like(theta, initial_accumulator_value)
    g_avg = np.zeros_like(theta)
    buf = np.zeros_like(theta)
    g = yield
    while True:
        g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g * g
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            avg = np.sqrt(v - g_avg**2) + eps
        else:
            avg = np.sqrt(v) + eps
        if momentum > 0:
            buf = momentum * buf + g / avg
            theta = theta - lr * buf
        else:
            theta = theta - lr * g / avg
        g = yield theta


def adadelta(theta, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, initial_accumulator_value=0.0):
    v = np.full_like(theta, initial_accumulator_value)
    u = np.full_like(theta, initial_accumulator_value)
    g = yield
    while True:
        g = g + weight_decay * theta
        v = rho * v + (1 - rho) * g * g
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        theta = theta - lr * delta
        g = yield theta


def adam(
    theta,
    lr,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    initial_accumulator_value=0.0,
    decoupled=False,
    eps_hat=False,
):
    b1, b2 = betas
    m = np.zeros_like(theta)
    v = np.full_like(theta, initial_accumulator_value)
    v_max = v.copy()
    t = 0
    g = yield
    while True:
        t += 1
        if decoupled:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_max = np.maximum(v_max, v)
        if eps_hat:  # the paper's "efficient" form (§2), Keras's Adam: ε̂ added to √v
            lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            theta = theta - lr_t * m / (np.sqrt(v_max if amsgrad else v) + eps)
        else:  # Algorithm 1
            v_hat = (v_max if amsgrad else v) / (1 - b2**t)
            m_hat = m / (1 - b1**t)
            theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        g = yield theta


def adamax(theta, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, nesterov=False):
    b1, b2 = betas
    m = np.zeros_like(theta)
    u = np.zeros_like(theta)
    t = 0
    g = yield
    while True:
        t += 1
        g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        direction = b1 * m + (1 - b1) * g if nesterov else m  # NadaMax: the seeds' look-ahead momentum
        theta = theta - lr / (1 - b1**t) * direction / u
        g = yield theta


def nadam(theta, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3, simplified=False, initial_accumulator_value=0.0,
          decoupled=False, eps_hat=False):  # fmt: skip
    b1, b2 = betas
    m = np.zeros_like(theta)
    v = np.full_like(theta, initial_accumulator_value)
    mu_product = 1.0
    t = 0
    g = yield
    while True:
        t += 1
        if decoupled:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        if eps_hat:  # ε̂ added to √v: (√v + ε̂)/√(1 − β₂ᵗ)
            denom = (np.sqrt(v) + eps) / np.sqrt(1 - b2**t)
        else:
            denom = np.sqrt(v / (1 - b2**t)) + eps
        if simplified:
            theta = theta - lr * (b1 * m + (1 - b1) * g) / (1 - b1**t) / denom
        else:
            mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
            mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
            mu_product *= mu
            g_hat = g / (1 - mu_product)
            m_hat = m / (1 - mu_product * mu_next)
            theta = theta - lr * ((1 - mu) * g_hat + mu_next * m_hat) / denom
        g = yield theta


# -- the seeds' own formulas (seeds 000/003/004, '+' signs restored, β_i bug fixed) ---------------------


class SeedEMAMomentum:
    """Seeds 000/003, SGDM: m = β·m + (1−β)·g,  w = w − lr·m."""

    def __init__(self, lr, beta):
        self.lr, self.beta, self.m = lr, beta, 0

    def update(self, g):
        self.m = self.beta * self.m + (1 - self.beta) * g
        return -self.lr * self.m


class SeedMomentum:
    """Seed 004: v = α·v − lr·g, returns v (w += v)."""

    def __init__(self, alpha, lr):
        self.alpha, self.lr, self.v = alpha, lr, 0

    def update(self, g):
        self.v = self.alpha * self.v - self.lr * g
        return self.v


class SeedAdaGrad:
    """Seed 004: r₀ = ε, r = r + g², Δ = −lr·g/√r."""

    def __init__(self, eps, lr):
        self.r, self.lr = eps, lr

    def update(self, g):
        self.r = self.r + np.square(g)
        return -self.lr * g / np.sqrt(self.r)


class SeedRMSProp:
    """Seed 004: r₀ = ε, r = β·r + (1−β)·g², Δ = −lr·g/√r."""

    def __init__(self, lr, beta, eps):
        self.r, self.lr, self.beta = eps, lr, beta

    def update(self, g):
        self.r = self.r * self.beta + (1 - self.beta) * np.square(g)
        return -self.lr * g / np.sqrt(self.r)


class SeedAdaDelta:
    """Seed 004: r₀ = s₀ = ε; r = β·r + (1−β)·g²; Δ = −√(s/r)·g; s = β·s + (s/r)·(1−β)·g²."""

    def __init__(self, beta, eps):
        self.r, self.s, self.beta = eps, eps, beta

    def update(self, g):
        g_square = (1 - self.beta) * np.square(g)
        self.r = self.r * self.beta + g_square
        frac = self.s / self.r
        res = -np.sqrt(frac) * g
        self.s = self.s * self.beta + frac * g_square
        return res


class SeedAdam:
    """Seed 004 (efficient form): s = α·s + (1−α)·g; r₀ = ε, r = β·r + (1−β)·g²;
    lr_t = lr·√(1−βᵗ)/(1−αᵗ); Δ = −lr_t·s/√r.  (The seed's `beta_i *= beta_i` is fixed to `*= beta`.)"""

    def __init__(self, lr, alpha, beta, eps):
        self.s, self.r, self.lr, self.alpha, self.beta = 0, eps, lr, alpha, beta
        self.alpha_i, self.beta_i = 1, 1

    def update(self, g):
        self.s = self.s * self.alpha + (1 - self.alpha) * g
        self.r = self.r * self.beta + (1 - self.beta) * np.square(g)
        self.alpha_i *= self.alpha
        self.beta_i *= self.beta
        lr = -self.lr * (1 - self.beta_i) ** 0.5 / (1 - self.alpha_i)
        return lr * self.s / np.sqrt(self.r)


class SeedAdaMax:
    """Seed 004: s = α·s + (1−α)·g; r = max(β·r, |g|); Δ = −lr/(1−αᵗ)·s/r."""

    def __init__(self, lr, alpha, beta):
        self.s, self.r, self.lr, self.alpha, self.beta, self.alpha_i = 0, 0, lr, alpha, beta, 1

    def update(self, g):
        self.s = self.s * self.alpha + (1 - self.alpha) * g
        self.r = np.maximum(self.r * self.beta, np.abs(g))
        self.alpha_i *= self.alpha
        return -self.lr / (1 - self.alpha_i) * self.s / self.r


class SeedNadam(SeedAdam):
    """Seed 004: as SeedAdam but Δ = −lr_t·(α·s + (1−α)·g)/√r."""

    def update(self, g):
        self.s = self.s * self.alpha + (1 - self.alpha) * g
        self.r = self.r * self.beta + (1 - self.beta) * np.square(g)
        self.alpha_i *= self.alpha
        self.beta_i *= self.beta
        lr = -self.lr * (1 - self.beta_i) ** 0.5 / (1 - self.alpha_i)
        return lr * (self.s * self.alpha + (1 - self.alpha) * g) / np.sqrt(self.r)


class SeedNadaMax(SeedAdaMax):
    """Seed 004: as SeedAdaMax but Δ = −lr/(1−αᵗ)·(α·s + (1−α)·g)/r."""

    def update(self, g):
        self.s = self.s * self.alpha + (1 - self.alpha) * g
        self.r = np.maximum(self.r * self.beta, np.abs(g))
        self.alpha_i *= self.alpha
        return -self.lr / (1 - self.alpha_i) * (self.s * self.alpha + (1 - self.alpha) * g) / self.r


def run_seed(optimizer, theta0, grads):
    """The seeds' loop: w = w + optimizer.update(g), open loop over a recorded gradient sequence."""
    w = np.array(theta0, dtype=np.float64)
    path = [w.copy()]
    for g in grads:
        w = w + optimizer.update(np.array(g, dtype=np.float64))
        path.append(w.copy())
    return np.array(path)
