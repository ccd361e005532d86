# %% [markdown]
# # 11 · Nadam and NadaMax: Nesterov's look-ahead inside Adam
#
# Chapter 06 showed that Nesterov's momentum — take the momentum step you are about to take *now*, then
# correct it with the gradient — beats plain momentum. Adam's first moment is a momentum. Timothy Dozat
# (2016) moved Nesterov's look-ahead into it and called the result Nadam; the same move on AdaMax gives
# NadaMax. The move is a one-line change of indices, but it is easy to get slightly wrong, and the
# sources this series grew from (Ruder's overview and the [Ten optimizers] article that follows it) use a
# simplified form that is not what PyTorch or Keras compute.
#
# **You will learn**
# - to derive Nadam from Adam by advancing the momentum term one step, with Dozat's momentum schedule
#   $\mu_t = \beta_1(1 - \tfrac12\cdot 0.96^{t\psi})$ and its bias corrections $1 - \prod_i \mu_i$;
# - how the sources' simplified Nadam differs (the momentum term's correction one power short, no
#   schedule), and by how much, step by step;
# - to build NadaMax from the same pieces and check it against `minigrad.optim.NadaMax`;
# - to write one Nadam step that agrees with `minigrad.optim.Nadam` and `torch.optim.NAdam`.
#
# **Before this chapter:** 06 (Nesterov momentum), 09 (Adam), 10 (AdaMax).

# %%
import numpy as np
import matplotlib.pyplot as plt
import minigrad as mg
from minigrad import nn, optim
from minigrad.homework import check
from minigrad.viz import use_style

use_style()
mg.manual_seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## Motivation
#
# Two things called "Nadam": PyTorch's `NAdam` (which `minigrad.optim.Nadam` reproduces) and the
# [Ten optimizers] article's version (in minigrad: `Nadam(simplified=True)`). Give both the same parameter
# and the same gradient, $g = 1$, three times in a row, with $\text{lr} = 1$:

# %%
def first_steps(make_optimizer, gradients):
    w = mg.tensor(np.zeros(1), requires_grad=True)
    optimizer = make_optimizer([w])
    steps = []
    for g in gradients:
        before = w.item()
        optimizer.zero_grad()
        w.grad = mg.tensor(np.array([g]))
        optimizer.step()
        steps.append(before - w.item())
    return np.array(steps)


for name, make in [("Adam", lambda ps: optim.Adam(ps, lr=1.0)),
                   ("Nadam, PyTorch's", lambda ps: optim.Nadam(ps, lr=1.0)),
                   ("Nadam, the sources'", lambda ps: optim.Nadam(ps, lr=1.0, simplified=True))]:
    print(f"{name:20s} steps: {np.round(first_steps(make, [1.0, 1.0, 1.0]), 4)}")

# %% [markdown]
# For a steady gradient Adam's step is exactly $\text{lr}$ (its bias corrections make $\hat m_t = g$). The
# sources' Nadam starts with a step **1.9 times** as long; PyTorch's starts at 1.0565 and then
# *shortens* to 0.7837 and 0.7322. Same name, same gradients, different optimizers. To see which is Nesterov's idea and
# where each comes from, we derive Nadam.

# %% [markdown]
# ## Derivation
#
# **Nesterov, the form we need.** From chapter 06: with a momentum buffer $b_t = \mu b_{t-1} + g_t$, plain
# momentum steps $\theta_t = \theta_{t-1} - \text{lr}\, b_t$, while Nesterov's single-gradient form (the
# one PyTorch uses) steps
#
# $$
# \theta_t = \theta_{t-1} - \text{lr}\,(g_t + \mu\, b_t) .
# $$
#
# Read $\mu b_t$ as the momentum part of the *next* step, $b_{t+1} = \mu b_t + g_{t+1}$: Nesterov takes it
# one step early. That is the whole trick: **in the momentum term, advance every index by one.**
#
# **Adam, split into a momentum part and a gradient part.** Let the first moment use a coefficient that
# may change with $t$ (Dozat's generalisation; Adam is $\mu_t = \beta_1$):
#
# $$
# m_t = \mu_t\, m_{t-1} + (1-\mu_t)\, g_t ,
# \qquad
# \hat m_t = \frac{m_t}{1 - \prod_{i=1}^{t}\mu_i}
#          = \underbrace{\frac{\mu_t\, m_{t-1}}{1-\Pi_t}}_{\text{momentum part}}
#          + \underbrace{\frac{(1-\mu_t)\, g_t}{1-\Pi_t}}_{\text{gradient part}},
# \qquad \Pi_t = \prod_{i=1}^{t}\mu_i .
# $$
#
# The correction $1-\Pi_t$ is Adam's $1-\beta_1^t$ for a varying coefficient: unrolled from $m_0 = 0$, the
# weights of $g_1, \dots, g_t$ in $m_t$ add up to $1 - \Pi_t$. Adam steps
# $\theta_t = \theta_{t-1} - \text{lr}\,\hat m_t/(\sqrt{\hat v_t}+\varepsilon)$.
#
# **Advance the momentum part.** The momentum part of the next step is $\mu_{t+1} m_t/(1-\Pi_{t+1})$:
# its coefficient is $\mu_{t+1}$, it carries the current $m_t$, and its correction has $t+1$ factors. Put
# it in place of $\mu_t m_{t-1}/(1-\Pi_t)$:
#
# $$
# \bar m_t = \frac{\mu_{t+1}\, m_t}{1-\Pi_{t+1}} + \frac{(1-\mu_t)\, g_t}{1-\Pi_t},
# \qquad
# \theta_t = \theta_{t-1} - \text{lr}\,\frac{\bar m_t}{\sqrt{\hat v_t}+\varepsilon},
# \qquad
# \hat v_t = \frac{v_t}{1-\beta_2^t}.
# $$
#
# This is Dozat's Nadam. The second moment $v_t$ is Adam's, unchanged.
#
# **The momentum schedule.** Dozat lets the momentum grow slowly ("momentum warm-up"):
#
# $$
# \mu_t = \beta_1\Big(1 - \tfrac12\, 0.96^{\,t\psi}\Big), \qquad \psi = 0.004 \ \ (\text{PyTorch's } \texttt{momentum\_decay};\ 0.96^{t\psi} = 0.96^{t/250}).
# $$
#
# It starts at $\mu_1 \approx \beta_1/2 = 0.45$ and approaches $\beta_1$ with a half-life of
# $\ln 2/(\psi \ln\frac{1}{0.96}) \approx 4245$ steps.
#
# **What PyTorch and Keras compute.** `torch.optim.NAdam` (and Keras 2's Nadam) use the scheduled $\mu_t$,
# $\mu_{t+1}$ and $\Pi_t$ in the two coefficients of $\bar m_t$, but keep the moving average with the
# constant $\beta_1$: $m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t$. So, in PyTorch's state names
# (`exp_avg` $= m$, `exp_avg_sq` $= v$, `mu_product` $= \Pi_t$):
#
# $$
# \theta_t = \theta_{t-1} - \text{lr}\left[\frac{(1-\mu_t)\, g_t}{1-\Pi_t} + \frac{\mu_{t+1}\, m_t}{1-\Pi_t\,\mu_{t+1}}\right]\Big/\big(\sqrt{\hat v_t}+\varepsilon\big).
# $$
#
# (Keras 3 drops the $\psi$: its $\mu_t = \beta_1(1-\tfrac12\cdot 0.96^{t})$, which is minigrad's
# `Nadam(momentum_decay=1.0)`.)
#
# **The sources' simplification.** Ruder's overview, and the [Ten optimizers] article after it, start from
# Adam with a constant $\beta_1$, write $\hat m_t = \beta_1 m_{t-1}/(1-\beta_1^t) + (1-\beta_1) g_t/(1-\beta_1^t)$,
# and replace $m_{t-1}$ by $m_t$ — but keep the correction $1-\beta_1^t$:
#
# $$
# \bar m_t^{\text{sources}} = \frac{\beta_1\, m_t + (1-\beta_1)\, g_t}{1-\beta_1^t}
# \qquad\text{where Dozat's constant-}\mu\text{ form has}\qquad
# \bar m_t = \frac{\beta_1\, m_t}{1-\beta_1^{t+1}} + \frac{(1-\beta_1)\, g_t}{1-\beta_1^t}.
# $$
#
# The momentum term's correction is **one power of $\beta_1$ short**, and there is no schedule. For a
# steady gradient $g$ (so $m_t = (1-\beta_1^t)g$) the three forms give, at $t = 1$,
#
# $$
# \frac{\bar m_1^{\text{sources}}}{g} = \frac{\beta_1(1-\beta_1) + 1-\beta_1}{1-\beta_1} = 1+\beta_1 = 1.9,
# \qquad
# \frac{\bar m_1^{\text{Dozat},\,\mu=\beta_1}}{g} = \frac{\beta_1(1-\beta_1)}{1-\beta_1^2} + 1 = \frac{1+2\beta_1}{1+\beta_1} \approx 1.474 ,
# $$
#
# and PyTorch's form gives $1.0565$ (with $\mu_1, \mu_2 \approx 0.45$). All three tend to $1$ as $t$ grows:
# the difference is in the first tens of steps — and in the schedule, which lasts thousands.
#
# **NadaMax** takes AdaMax's denominator (chapter 10) instead of $\sqrt{\hat v_t}+\varepsilon$:
#
# $$
# u_t = \max(\beta_2 u_{t-1},\ |g_t| + \varepsilon), \qquad \theta_t = \theta_{t-1} - \text{lr}\,\frac{\bar m_t}{u_t}.
# $$
#
# No library ships it. The [Ten optimizers] article builds it with its simplified $\bar m_t$, and
# `minigrad.optim.NadaMax` follows the article:
# $\theta_t = \theta_{t-1} - \frac{\text{lr}}{1-\beta_1^t}\,\frac{\beta_1 m_t + (1-\beta_1) g_t}{u_t}$.

# %% [markdown]
# ## Checking the derivation
#
# First, the claim behind the corrections: for a varying coefficient $\mu_t$ the weights of the gradients in
# $m_t$ add up to $1-\Pi_t$, so $1-\Pi_t$ is the right correction. We check it on PyTorch's schedule, by
# feeding unit impulses through the moving average:

# %%
beta1, psi = 0.9, 0.004


def mu(t, beta1=0.9, psi=0.004):
    """Dozat's momentum schedule μₜ = β₁·(1 − ½·0.96^(t·ψ))."""
    return beta1 * (1 - 0.5 * 0.96 ** (t * psi))


T = 30
weights = np.zeros(T)  # the weight of each gₜ in m_T, found by feeding unit impulses
for i in range(T):
    m = 0.0
    for t in range(1, T + 1):
        m = mu(t) * m + (1 - mu(t)) * (1.0 if t == i + 1 else 0.0)
    weights[i] = m
Pi_T = np.prod([mu(t) for t in range(1, T + 1)])
print(f"sum of the weights in m_{T}: {weights.sum():.15f}   1 − Π_{T}: {1 - Pi_T:.15f}")
np.testing.assert_allclose(weights.sum(), 1 - Pi_T, rtol=1e-13)
print("μ_t for t = 1, 10, 100, 1000, 10000:", [round(mu(t), 4) for t in [1, 10, 100, 1000, 10_000]],
      f"  half-life of 0.96^(tψ): {np.log(2) / (psi * np.log(1 / 0.96)):.0f} steps")
assert abs(mu(1) - beta1 / 2) < 1e-3 and mu(10_000) < 0.82

# %% [markdown]
# The weights add up to $1-\Pi_t$ to rounding error, and the schedule starts at $\mu_1 = 0.4501$, still
# only $0.5178$ after a thousand steps and $0.8121$ after ten thousand.
#
# Second, the constant-gradient coefficients $\bar m_t/g$ derived above, computed by running the rules
# themselves (minigrad's `Nadam` with its default schedule, and with `momentum_decay=1e5`, which makes
# $0.96^{t\psi}$ underflow to 0 so $\mu_t = \beta_1$ exactly: Dozat's constant-$\mu$ form). With
# $\text{lr} = 1$ and $\varepsilon = 0$, a step on a steady gradient $g = 1$ is exactly $\bar m_t$.

# %%
ones = np.ones(100)
coefficient = {
    "Adam": first_steps(lambda ps: optim.Adam(ps, lr=1.0, eps=0.0), ones),
    "sources (Ruder, [Ten optimizers])": first_steps(lambda ps: optim.Nadam(ps, lr=1.0, eps=0.0, simplified=True), ones),
    "Dozat, constant μ = β₁": first_steps(lambda ps: optim.Nadam(ps, lr=1.0, eps=0.0, momentum_decay=1e5), ones),
    "PyTorch (schedule, ψ = 0.004)": first_steps(lambda ps: optim.Nadam(ps, lr=1.0, eps=0.0), ones),
}
for name, values in coefficient.items():
    print(f"{name:35s} t = 1, 2, 3, 10, 50: {np.round(values[[0, 1, 2, 9, 49]], 4)}")
np.testing.assert_allclose(coefficient["sources (Ruder, [Ten optimizers])"][0], 1 + beta1, rtol=1e-6)
np.testing.assert_allclose(coefficient["Dozat, constant μ = β₁"][0], (1 + 2 * beta1) / (1 + beta1), rtol=1e-6)
for t in range(1, 100):  # the sources' momentum term vs Dozat's: the corrections differ by one power
    ratio = (coefficient["sources (Ruder, [Ten optimizers])"][t - 1] - 1 / (1 - beta1**t) * (1 - beta1)) / \
            (coefficient["Dozat, constant μ = β₁"][t - 1] - (1 - beta1) / (1 - beta1**t))
    np.testing.assert_allclose(ratio, (1 - beta1 ** (t + 1)) / (1 - beta1**t), rtol=1e-5)

# %% [markdown]
# The printed coefficients match the derivation: $1.9$ and $1.4737$ at $t = 1$, and PyTorch's $1.0565$. The
# last assert checks the structural claim for every $t$ up to 100: the sources' momentum term is Dozat's
# times $(1-\beta_1^{t+1})/(1-\beta_1^t)$ — one power of $\beta_1$ in the correction. Note PyTorch's dip
# below 1 (0.78 at $t = 2$): its moving average uses $\beta_1 = 0.9$ while its correction uses
# $\Pi_{t+1}$ built from $\mu \approx 0.45$, so early on $m_t$ is divided by too large a number.

# %% [markdown]
# ## From scratch
#
# PyTorch's form, as a short NumPy function; then the same run with `minigrad.optim.Nadam` and PyTorch,
# on one recorded sequence of gradients (so that any difference comes from the update rule alone).

# %%
def nadam_from_scratch(theta, gradients, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, momentum_decay=4e-3):
    """Nadam (Dozat's algorithm as torch.optim.NAdam computes it); the parameters after every step."""
    beta1, beta2 = betas
    m, v, mu_product = np.zeros_like(theta), np.zeros_like(theta), 1.0
    history = []
    for t, g in enumerate(gradients, start=1):
        mu_t, mu_next = mu(t, beta1, momentum_decay), mu(t + 1, beta1, momentum_decay)
        mu_product *= mu_t
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        denom = np.sqrt(v / (1 - beta2**t)) + eps
        theta = theta - lr * ((1 - mu_t) * g / (1 - mu_product) + mu_next * m / (1 - mu_product * mu_next)) / denom
        history.append(theta)
    return np.array(history)


def run_library(make_optimizer, theta0, gradients):
    w = mg.tensor(theta0.copy(), requires_grad=True)
    optimizer = make_optimizer([w])
    history = []
    for g in gradients:
        optimizer.zero_grad()
        w.grad = mg.tensor(g)
        optimizer.step()
        history.append(w.detach().numpy().copy())
    return np.array(history)


recorded = [rng.standard_normal(6) * rng.uniform(0.1, 3) for _ in range(200)]
theta0 = rng.standard_normal(6)
settings_list = [dict(), dict(lr=0.05, betas=(0.8, 0.99), eps=1e-3, momentum_decay=0.5)]
for settings in settings_list:
    ours = nadam_from_scratch(theta0, recorded, **settings)
    library = run_library(lambda params: optim.Nadam(params, **settings), theta0, recorded)
    np.testing.assert_allclose(library, ours, rtol=1e-11, atol=1e-14)
    print(f"Nadam({', '.join(f'{k}={v}' for k, v in settings.items())}): max |minigrad − ours| over 200 steps = {np.abs(library - ours).max():.1e}")

# %% [markdown]
# The library agrees with the function to rounding error, with the defaults and with a fast schedule
# ($\psi = 0.5$) and other hyperparameters. PyTorch next; its `mu_product` is a tensor of the default
# dtype, so we switch the default to float64 for the comparison.

# %% tags=["torch"]
try:
    import torch
except ImportError:
    print("PyTorch is not installed: skipping the comparison with torch.optim.NAdam")
else:
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    for settings in settings_list:
        w = torch.tensor(theta0.copy(), requires_grad=True)
        optimizer = torch.optim.NAdam([w], foreach=False, **settings)
        history = []
        for g in recorded:
            optimizer.zero_grad()
            w.grad = torch.tensor(g)
            optimizer.step()
            history.append(w.detach().numpy().copy())
        library = run_library(lambda params: optim.Nadam(params, **settings), theta0, recorded)
        np.testing.assert_allclose(library, np.array(history), rtol=1e-11, atol=1e-14)
        print(f"NAdam({', '.join(f'{k}={v}' for k, v in settings.items())}): max |minigrad − PyTorch| = {np.abs(library - np.array(history)).max():.1e}")
    torch.set_default_dtype(previous)

# %% [markdown]
# **NadaMax from the same pieces.** AdaMax's $u_t$ (chapter 10) with the look-ahead numerator. First the
# form `minigrad.optim.NadaMax` implements (the article's, with PyTorch's $\varepsilon$ inside the max),
# then a Dozat-style NadaMax with the schedule and the corrections derived above, which no library has.

# %%
def nadamax_from_scratch(theta, gradients, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, momentum_decay=None):
    """NadaMax; momentum_decay=None: the article's look-ahead (minigrad.optim.NadaMax), a number:
    Dozat's scheduled look-ahead. The parameters after every step."""
    beta1, beta2 = betas
    m, u, mu_product = np.zeros_like(theta), np.zeros_like(theta), 1.0
    history = []
    for t, g in enumerate(gradients, start=1):
        m = beta1 * m + (1 - beta1) * g
        u = np.maximum(beta2 * u, np.abs(g) + eps)
        if momentum_decay is None:
            look_ahead = (beta1 * m + (1 - beta1) * g) / (1 - beta1**t)
        else:
            mu_t, mu_next = mu(t, beta1, momentum_decay), mu(t + 1, beta1, momentum_decay)
            mu_product *= mu_t
            look_ahead = (1 - mu_t) * g / (1 - mu_product) + mu_next * m / (1 - mu_product * mu_next)
        theta = theta - lr * np.divide(look_ahead, u, out=np.zeros_like(u), where=u > 0)
        history.append(theta)
    return np.array(history)


for settings in [dict(), dict(lr=0.05, betas=(0.8, 0.99), eps=1e-3), dict(lr=0.05, eps=0.0)]:
    ours = nadamax_from_scratch(theta0, recorded, **settings)
    library = run_library(lambda params: optim.NadaMax(params, **settings), theta0, recorded)
    np.testing.assert_allclose(library, ours, rtol=1e-11, atol=1e-14)
    print(f"NadaMax({', '.join(f'{k}={v}' for k, v in settings.items())}): max |minigrad − ours| = {np.abs(library - ours).max():.1e}")
dozat_style = nadamax_from_scratch(theta0, recorded, momentum_decay=4e-3)
article_style = nadamax_from_scratch(theta0, recorded)
print(f"Dozat-style NadaMax vs minigrad.optim.NadaMax on the same gradients: max |difference| = "
      f"{np.abs(dozat_style - article_style).max():.2e} (lr = 0.002, 200 steps)")

# %% [markdown]
# `minigrad.optim.NadaMax` is the article's NadaMax, exactly, for default and other hyperparameters and for
# $\varepsilon = 0$. The Dozat-style NadaMax moves differently: after 200 steps the two are $7.3\cdot 10^{-3}$
# apart, more than three learning rates ($\text{lr} = 0.002$, and chapter 10's bound keeps every step below
# about $\text{lr}$). The look-ahead numerator is the same choice for NadaMax as for Nadam, and the library
# made the article's. Which of the two trains better is an
# empirical question; chapter 12 compares the library's rules on the same tasks.

# %% [markdown]
# ## Picture
#
# The step-by-step difference between the rules, for the simplest input there is — a steady gradient, so
# that every step is the coefficient $\bar m_t/g$ times $\text{lr}$. Adam's is 1 throughout; watch how the
# Nadams approach it, and how long the schedule keeps PyTorch's below it.

# %%
figure, axes = plt.subplots()
steps = np.arange(1, 101)
for name, values in coefficient.items():
    axes.plot(steps, values, label=name, linewidth=2.0 if name == "Adam" else 1.5)
axes.set(xscale="log", xlabel="step t", ylabel="step / (lr · g) for a steady gradient g",
         title="The first steps of the Nadams, against Adam's")
axes.legend()
plt.show()

# %% [markdown]
# The sources' Nadam overshoots most (1.9 at $t = 1$, still 5 % long at $t = 10$); Dozat's constant-$\mu$
# form overshoots less (1.47) and settles sooner; PyTorch's scheduled form barely overshoots, dips below 1
# while its $\beta_1$-average catches up with its $\mu \approx 0.45$ corrections, and is within a few
# percent of Adam by $t = 50$.

# %% [markdown]
# How long is "the first tens of steps" for PyTorch's schedule? The momentum coefficient itself, over a long
# run, for the default $\psi = 0.004$ and for Keras 3's $\psi = 1$:

# %%
long_run = np.arange(1, 100_001)
figure, axes = plt.subplots()
axes.plot(long_run, mu(long_run, 0.9, 4e-3), label="ψ = 0.004 (PyTorch, Keras 2)")
axes.plot(long_run, mu(long_run, 0.9, 1.0), label="ψ = 1 (Keras 3)")
axes.axhline(0.9, color="grey", linestyle="--", linewidth=0.8, label="β₁ = 0.9 (the sources: constant)")
axes.axhline(0.45, color="grey", linestyle=":", linewidth=0.8, label="β₁/2")
axes.set(xscale="log", xlabel="step t", ylabel="μ_t", title="Dozat's momentum schedule μ_t = β₁(1 − ½·0.96^(tψ))")
axes.legend()
plt.show()
for psi in [4e-3, 1.0]:
    print(f"ψ = {psi}: μ_t reaches 0.8 (of 0.9) at step {int(long_run[np.argmax(mu(long_run, 0.9, psi) >= 0.8)])}")

# %% [markdown]
# With PyTorch's default the momentum stays near $\beta_1/2$ for the first thousand steps and reaches
# $0.8$ only after $9\,212$ steps; Keras 3's schedule gets there in 37. Every short run,
# like the ones in this series, happens entirely in PyTorch's warm-up.

# %% [markdown]
# ## What the sources got wrong
#
# **1. The simplified Nadam.** We measured the coefficients above; now the difference on a real problem.
# The same 64-32-10 network on the bundled digits, full batch, the same initial weights, 100 steps each:

# %%
from minigrad.data import load_digits

X_train, y_train = load_digits("train")


def train_digits(make_optimizer, steps=100):
    """Full-batch training of a 64-32-10 MLP on the digits from the same initial weights; the losses."""
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    optimizer = make_optimizer(model.parameters())
    X, y = mg.tensor(X_train), mg.tensor(y_train)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(X), y)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    return np.array(losses)


variants = {
    "PyTorch's Nadam": lambda ps: optim.Nadam(ps, lr=0.01),
    "Dozat, constant μ": lambda ps: optim.Nadam(ps, lr=0.01, momentum_decay=1e5),
    "the sources' Nadam": lambda ps: optim.Nadam(ps, lr=0.01, simplified=True),
    "Adam": lambda ps: optim.Adam(ps, lr=0.01),
}
digits_losses = {name: train_digits(make) for name, make in variants.items()}
reference = digits_losses["PyTorch's Nadam"]
for name, losses in digits_losses.items():
    print(f"{name:20s} loss after 10, 30, 100 steps: {losses[9]:.4f} {losses[29]:.4f} {losses[99]:.4f}   "
          f"largest |loss − PyTorch's Nadam|: {np.abs(losses - reference).max():.4f}")

# %% [markdown]
# The three Nadams are three different optimizers on a real network: their losses differ by up to 0.215
# (the last column), most in the first tens of steps where the coefficients differ most. Look at the losses
# after 10 steps: the sources' form, with its long first steps, is ahead (1.4511), and PyTorch's, whose
# schedule starts the momentum at 0.45, is behind both unscheduled Nadams (1.6661), though ahead of Adam
# (1.7157); after 100 steps the warm-up still costs it (0.0814 against 0.0531–0.0558 for the others).
# On this problem the longer early steps happen to help; that is a property of the problem and the
# learning rate, not a reason to prefer a derivation with a missing power. What matters here: a reader of
# the sources who compares their Nadam with PyTorch's will not get the same numbers, and now knows why.
#
# **2. The article's code never moves.** Its Nadam shares the Adam code's `self.beta_i *= self.beta_i`
# (chapter 09): `beta_i` starts at 1 and stays 1, so its step size $\text{lr}\sqrt{1-\beta_i}/(1-\alpha^t)$
# is $0$ for ever. We run it as printed (the `+` signs its rendering lost restored), plugged into
# minigrad's optimizer loop, and the same class with that one line fixed to `*= self.beta`:

# %%
def seed_nadam_rule(param, grad, state, *, lr, alpha, beta, fixed):
    """[Ten optimizers]' Nadam update (r₀ = ε, no ε in the denominator), `+` signs restored."""
    s, r = state["s"], state["r"]
    s[...] = s * alpha + (1 - alpha) * grad
    r[...] = r * beta + (1 - beta) * np.square(grad)
    state["alpha_i"] *= alpha
    state["beta_i"] *= beta if fixed else state["beta_i"]  # the article: beta_i *= beta_i
    step_size = -lr * (1 - state["beta_i"]) ** 0.5 / (1 - state["alpha_i"])
    param += step_size * (s * alpha + (1 - alpha) * grad) / np.sqrt(r)


class SeedNadam(optim.Optimizer):
    def __init__(self, params, lr=1e-3, alpha=0.9, beta=0.999, eps=1e-8, fixed=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, beta=beta, eps=eps))
        self.fixed = fixed

    def init_state(self, param, group):
        return {"step": 0, "s": np.zeros_like(param), "r": np.full_like(param, group["eps"]), "alpha_i": 1.0, "beta_i": 1.0}

    def update_rule(self, group):
        return seed_nadam_rule, dict(lr=group["lr"], alpha=group["alpha"], beta=group["beta"], fixed=self.fixed)


as_printed = train_digits(lambda ps: SeedNadam(ps, lr=0.01))
fixed = train_digits(lambda ps: SeedNadam(ps, lr=0.01, fixed=True))
library_form = train_digits(lambda ps: optim.Nadam(ps, lr=0.01, simplified=True, eps=0.0, initial_accumulator_value=1e-8))
print(f"as printed:        loss at steps 1, 100: {as_printed[0]:.4f} {as_printed[-1]:.4f}")
print(f"β_i bug fixed:     loss at steps 1, 100: {fixed[0]:.4f} {fixed[-1]:.4f}")
print(f"minigrad Nadam(simplified=True, eps=0, initial_accumulator_value=1e-8): max |loss − fixed| = "
      f"{np.abs(library_form - fixed).max():.1e}")
assert np.all(as_printed == as_printed[0]) and fixed[-1] < 0.5 * fixed[0]
np.testing.assert_allclose(library_form, fixed, rtol=1e-5)

# %% [markdown]
# As printed, the loss never changes: every step is multiplied by $\sqrt{1-1} = 0$. With the one line fixed,
# the article's Nadam trains, and it is exactly minigrad's `Nadam(simplified=True)` with $\varepsilon$
# moved to $r_0$ (the article's initialisation, chapter 08). The mistake in the *derivation* (item 1)
# survives the fix.
#
# **3. "No schedule"** is not a bug but a different optimizer; Dozat's paper and PyTorch warm the momentum
# up from $\beta_1/2$. The checker in the exercise below knows both the simplified form and the
# unscheduled one by name.

# %% [markdown]
# ## Exercises
#
# ### Exercise 11.1: one Nadam step (3 points)
#
# Write one step of Nadam in PyTorch's form, with its schedule: given the parameters, the gradient, the
# state `exp_avg` ($m$), `exp_avg_sq` ($v$), `mu_product` ($\Pi_{t-1}$, a Python float, 1.0 before the
# first step) and the step number `step` ($t$, from 1), return the new parameters and the new state
# (`mu_product` becomes $\Pi_t$). New arrays, the inputs' dtype. The checker runs it for several steps
# on float32 and float64 arrays of several shapes, with zero and tiny gradients, a fast schedule and
# non-default hyperparameters.

# %%
def nadam_step(param, grad, exp_avg, exp_avg_sq, mu_product, step, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8,
               momentum_decay=4e-3):
    """One Nadam step: return (param, exp_avg, exp_avg_sq, mu_product) after it."""
    # BEGIN SOLUTION
    mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
    mu_product = mu_product * mu
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    denom = np.sqrt(exp_avg_sq / (1 - beta2**step)) + eps
    gradient_part = (1 - mu) * grad / (1 - mu_product)
    momentum_part = mu_next * exp_avg / (1 - mu_product * mu_next)
    param = param - lr * (gradient_part + momentum_part) / denom
    return param, exp_avg, exp_avg_sq, mu_product
    # END SOLUTION


# %%
check("11.nadam_step", nadam_step);

# %% [markdown]
# The mistakes the checker names: the sources' simplified form, no schedule, $\mu_t$ in place of
# $\mu_{t+1}$ in the momentum term, the momentum term corrected by $1-\Pi_t$, and a moving average with
# $\mu_t$ instead of $\beta_1$.
#
# **Exercise 11.2 (no checker).** Turn the Dozat-style branch of `nadamax_from_scratch` into a minigrad
# optimizer (plug its update into `optim.Optimizer` as `SeedNadam` does above), train this chapter's digits
# network with it and with `optim.NadaMax` for 100 steps at a few learning rates, and compare the losses.
# Is the difference larger or smaller than between the Nadams? Why might it be, given chapter 10's step
# bound?

# %% [markdown]
# ## Summary
#
# - Nadam is Adam with Nesterov's look-ahead in the momentum term: the momentum part of the *next* step,
#   $\mu_{t+1} m_t/(1-\Pi_{t+1})$, replaces this step's; the gradient part $(1-\mu_t) g_t/(1-\Pi_t)$ stays.
# - Dozat's momentum schedule $\mu_t = \beta_1(1-\tfrac12\cdot 0.96^{t\psi})$ starts near $\beta_1/2$ and
#   needs thousands of steps to approach $\beta_1$; PyTorch uses it with a constant-$\beta_1$ moving
#   average. minigrad's `Nadam` equals `torch.optim.NAdam`.
# - The sources' Nadam (Ruder's simplification) corrects the momentum term by $1-\beta_1^t$, one power
#   short, and has no schedule: its first step on a steady gradient is $1.9\,\text{lr}$ where Dozat's
#   constant-$\mu$ form takes $1.47\,\text{lr}$ and PyTorch's $1.06\,\text{lr}$. The article's code also
#   never moves (`beta_i *= beta_i`).
# - NadaMax is AdaMax's $u_t$ under a look-ahead numerator; no library ships it, and minigrad's follows
#   the article's numerator — a Dozat-style NadaMax is a few lines away, and differs.
