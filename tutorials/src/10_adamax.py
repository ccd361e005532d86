# %% [markdown]
# # 10 · AdaMax: Adam with the infinity norm
#
# Adam divides its momentum by $\sqrt{\hat v_t}$, a root-mean-square of past gradients. Kingma and Ba's
# paper ends with a variant that replaces that $L^2$ norm by the $L^\infty$ norm — a decayed *maximum*
# of past gradients. The result, AdaMax, is simpler than Adam: one of its two running statistics needs no
# bias correction, and its step can never be much larger than the learning rate.
#
# **You will learn**
# - to derive AdaMax's $u_t = \max(\beta_2 u_{t-1}, |g_t|)$ as the $p \to \infty$ limit of an $L^p$ norm of
#   past gradients, and to watch the limit converge;
# - why $u_t$ needs no bias correction, and why AdaMax's step is bounded by about $\text{lr}$;
# - what happens to a coordinate whose gradients are all zero when $\varepsilon = 0$ (the paper's setting),
#   and how PyTorch, Keras and minigrad each avoid dividing $0$ by $0$;
# - to write one AdaMax step that agrees with `minigrad.optim.AdaMax` and `torch.optim.Adamax`.
#
# **Before this chapter:** 09 (Adam: the moving averages $m_t$, $v_t$ and their bias correction).

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
# Think of one coordinate of a model that almost never gets a gradient: the embedding of a rare word, the
# weight of an input pixel that is nearly always blank. Say it sees gradient $0$ for $10\,000$ steps and
# then, once, gradient $1$. How far does Adam move it? Below we feed that gradient sequence to the update
# rules themselves (`minigrad.optim.adam.adam` and `minigrad.optim.adamax.adamax` are plain functions of
# NumPy arrays) with $\text{lr} = 1$, so every distance is in units of the learning rate.

# %%
from minigrad.optim.adam import adam
from minigrad.optim.adamax import adamax


def run_rule(rule, state, gradients, **hyperparameters):
    """Apply an update rule to one parameter (start 0) for each gradient; return the steps taken."""
    param, steps = np.zeros(1), []
    for g in gradients:
        state["step"] += 1
        before = param.copy()
        rule(param, np.array([g]), state, **hyperparameters)
        steps.append(float(param[0] - before[0]))
    return np.array(steps)


rare = np.zeros(10_200)
rare[10_000] = 1.0  # silence, one gradient, silence
adam_steps = run_rule(adam, {"step": 0, "exp_avg": np.zeros(1), "exp_avg_sq": np.zeros(1)}, rare, lr=1.0)
adamax_steps = run_rule(adamax, {"step": 0, "exp_avg": np.zeros(1), "exp_inf": np.zeros(1)}, rare, lr=1.0)
for name, steps in [("Adam", adam_steps), ("AdaMax", adamax_steps)]:
    print(f"{name:7s} largest single step {np.abs(steps).max():.4f}·lr, total distance {np.abs(steps.sum()):.4f}·lr")
print(f"Adam at the gradient: m = (1 − β₁)·g = {1 - 0.9:.2f},  √v ≈ √(1 − β₂)·|g| = {np.sqrt(1 - 0.999):.4f}")

# %% [markdown]
# One gradient of size 1 moves Adam by more than **three learning rates in a single step** and by about
# **32 learning rates in total**, because after $10\,000$ steps the bias correction is gone and
# $\sqrt{v_t} = \sqrt{1-\beta_2}\,|g| = 0.0316$ is small next to $m_t = (1-\beta_1)\,g = 0.1$ — and
# $v$ forgets that gradient far more slowly than $m$ does, so the next steps are long too. AdaMax moves the same coordinate by
# $0.1$ learning rate at once and about one learning rate in all. The learning rate was supposed to be
# the scale of a step; with AdaMax it is.

# %% [markdown]
# ## Derivation
#
# **Adam's denominator is an $L^2$ norm.** Unrolling Adam's second moment from $v_0 = 0$,
#
# $$
# v_t = \beta_2 v_{t-1} + (1-\beta_2)\,g_t^2 = (1-\beta_2)\sum_{i=1}^{t} \beta_2^{\,t-i}\, g_i^2 ,
# $$
#
# so $\sqrt{v_t}$ is a weighted $L^2$ norm of the past gradients of one coordinate: recent gradients
# weigh more, old ones fade by $\beta_2$ per step. The [Ten optimizers] article starts AdaMax from this
# same expansion.
#
# **Generalise to $L^p$.** Replace the square by a $p$-th power and, following Kingma and Ba (§7.1), let
# the decay be $\beta_2^{\,p}$ so that old gradients fade by $\beta_2$ per step *after* taking the $p$-th
# root:
#
# $$
# v_t^{(p)} = \beta_2^{\,p}\, v_{t-1}^{(p)} + (1-\beta_2^{\,p})\,|g_t|^p
#           = (1-\beta_2^{\,p}) \sum_{i=1}^{t} \beta_2^{\,p(t-i)}\, |g_i|^p ,
# \qquad
# u_t^{(p)} = \big(v_t^{(p)}\big)^{1/p}
#           = (1-\beta_2^{\,p})^{1/p} \Big(\sum_{i=1}^{t} \big(\beta_2^{\,t-i} |g_i|\big)^p\Big)^{1/p} .
# $$
#
# For $p = 2$ this is Adam's $\sqrt{v_t}$ with $\beta_2^2$ in place of $\beta_2$. Large $p$ make the
# computation unstable in floating point ($|g|^{64}$ overflows easily) — but the limit is simple.
#
# **The limit $p \to \infty$.** Write $a_i = \beta_2^{\,t-i}|g_i| \ge 0$ and $M = \max_i a_i$. The sum of
# $t$ terms lies between its largest term and $t$ times it:
#
# $$
# M^p \le \sum_{i=1}^{t} a_i^p \le t\,M^p
# \quad\Longrightarrow\quad
# M \le \Big(\sum_{i=1}^{t} a_i^p\Big)^{1/p} \le t^{1/p} M ,
# $$
#
# and $t^{1/p} \to 1$ as $p \to \infty$: the $p$-norm is squeezed onto the maximum, with relative gap at
# most $t^{1/p} - 1 \approx (\ln t)/p$. The prefactor $(1-\beta_2^{\,p})^{1/p} \to 1$ as well, since
# $\beta_2^{\,p} \to 0$. Hence
#
# $$
# u_t = \lim_{p\to\infty} u_t^{(p)} = \max\big(\beta_2^{\,t-1}|g_1|,\ \beta_2^{\,t-2}|g_2|,\ \dots,\ \beta_2|g_{t-1}|,\ |g_t|\big).
# $$
#
# **The recursion.** Split off the newest term; every older term carries one more factor $\beta_2$ than
# it did at step $t-1$:
#
# $$
# u_t = \max\Big(\beta_2 \underbrace{\max_{i \le t-1} \beta_2^{\,t-1-i}|g_i|}_{u_{t-1}},\ |g_t|\Big)
#     = \max\big(\beta_2\, u_{t-1},\ |g_t|\big), \qquad u_0 = 0 .
# $$
#
# One comparison per step and no squares or roots: this is AdaMax's second statistic (PyTorch calls it
# `exp_inf`). Note the $\beta_2$ *inside* the max: $u_t$ is not the largest gradient ever seen, but the
# largest one after each has been decayed for its age.
#
# **Why $u_t$ needs no bias correction.** Adam's $v_t$ is an average whose weights
# $(1-\beta_2)\beta_2^{\,t-i}$ add up to $1-\beta_2^{\,t} < 1$, because it starts at $0$; for a steady
# gradient it underestimates $g^2$ by that factor, which is what $\hat v_t = v_t/(1-\beta_2^t)$ undoes.
# Do the same bookkeeping for $u^{(p)}$ with a steady $|g_i| = c$:
#
# $$
# u_t^{(p)} = \big((1-\beta_2^{\,p})\,c^p \textstyle\sum_{k=0}^{t-1}\beta_2^{\,pk}\big)^{1/p}
#           = (1-\beta_2^{\,pt})^{1/p}\, c \;\xrightarrow[p\to\infty]{}\; c
# \quad\text{for every } t \ge 1 .
# $$
#
# The bias factor $(1-\beta_2^{\,pt})^{1/p}$ tends to $1$: the newest gradient always enters the max
# with weight $1$, so $u_t$ is never dragged toward its starting value $0$. The first moment $m_t$ is
# still Adam's average and keeps its correction $1/(1-\beta_1^t)$.
#
# **The update.**
#
# $$
# m_t = \beta_1 m_{t-1} + (1-\beta_1)\,g_t, \qquad
# u_t = \max(\beta_2 u_{t-1},\ |g_t|), \qquad
# \theta_t = \theta_{t-1} - \frac{\text{lr}}{1-\beta_1^{\,t}}\cdot\frac{m_t}{u_t} .
# $$
#
# In the [Four-step notes]' template: $m_t$ is the first moment, $\sqrt{V_t}$ becomes $u_t$, and the
# step is $\eta_t = \text{lr}\cdot \hat m_t / u_t$. Defaults (paper and PyTorch): $\text{lr} = 0.002$,
# $\beta_1 = 0.9$, $\beta_2 = 0.999$.
#
# **The step is bounded.** Every past gradient obeys $\beta_2^{\,t-i}|g_i| \le u_t$, so
# $|g_i| \le u_t/\beta_2^{\,t-i}$, and with $m_t = (1-\beta_1)\sum_i \beta_1^{\,t-i} g_i$:
#
# $$
# \frac{|\hat m_t|}{u_t} \le \frac{1-\beta_1}{1-\beta_1^{\,t}} \sum_{k=0}^{t-1} \Big(\frac{\beta_1}{\beta_2}\Big)^k
# \le \frac{1-\beta_1}{1-\beta_1/\beta_2} = \frac{\beta_2(1-\beta_1)}{\beta_2-\beta_1}
# \qquad(\beta_1 < \beta_2),
# $$
#
# which is $1.0091$ for the defaults: no AdaMax step is longer than $1.0091\cdot\text{lr}$ in any
# coordinate, whatever the gradients. (For the last inequality sum the geometric series,
# $\sum_{k<t} r^k = (1-r^t)/(1-r)$ with $r = \beta_1/\beta_2$, and use $r > \beta_1$, so
# $1 - r^t \le 1 - \beta_1^t$.) Adam's step has no bound that close to $\text{lr}$: the motivation's
# $3.16\cdot\text{lr} = (1-\beta_1)/\sqrt{1-\beta_2}\cdot\text{lr}$ is its worst case.
#
# **Where ε goes.** The paper's AdaMax has no $\varepsilon$. Then a coordinate whose gradients have all
# been exactly $0$ has $m_t = 0$ and $u_t = 0$, and the step is $0/0$. The libraries differ:
#
# $$
# \text{PyTorch: } u_t = \max(\beta_2 u_{t-1},\ |g_t| + \varepsilon),\ \ \theta \mathrel{-}= \frac{\text{lr}}{1-\beta_1^t}\frac{m_t}{u_t};
# \qquad
# \text{Keras: } u_t = \max(\beta_2 u_{t-1},\ |g_t|),\ \ \theta \mathrel{-}= \frac{\text{lr}}{1-\beta_1^t}\frac{m_t}{u_t + \varepsilon}.
# $$
#
# Both make the silent coordinate's step $0/\varepsilon = 0$. They differ only when gradients are as small
# as $\varepsilon$: PyTorch's $\varepsilon$ stops mattering once $\beta_2 u$ exceeds $|g| + \varepsilon$,
# Keras's is always added. minigrad follows PyTorch (`eps=1e-8`); with `eps=0` it computes the paper's
# rule and, where $u_t = 0$, takes **no step** — the value both libraries give for every
# $\varepsilon > 0$, so it is the $\varepsilon \to 0$ limit rather than a new convention.

# %% [markdown]
# ## Checking the derivation
#
# First the limit. For a random sequence of $t = 50$ gradients we compute $u_t^{(p)}$ for growing $p$.
# To avoid overflow we factor out the largest term, $\big(\sum a_i^p\big)^{1/p} = M\big(\sum (a_i/M)^p\big)^{1/p}$,
# and we use $\beta_2 = 0.9$ so that the decay is visible in 50 steps.

# %%
def lp_norm_statistic(gradients, beta2, p):
    """u_t^(p) = (1 − β₂ᵖ)^(1/p) · (Σ (β₂^(t−i)|gᵢ|)ᵖ)^(1/p), computed without overflow."""
    t = len(gradients)
    a = beta2 ** np.arange(t - 1, -1, -1) * np.abs(gradients)  # β₂^(t−i)·|gᵢ| for i = 1 … t
    biggest = a.max()
    return (1 - beta2**p) ** (1 / p) * biggest * np.sum((a / biggest) ** p) ** (1 / p)


def u_recursive(gradients, beta2):
    """u_t = max(β₂·u_{t−1}, |g_t|) from u₀ = 0."""
    u = 0.0
    for g in gradients:
        u = max(beta2 * u, abs(g))
    return u


gradients = rng.standard_normal(50) * rng.uniform(0.1, 3, 50)
beta2 = 0.9
u_inf = u_recursive(gradients, beta2)
a = beta2 ** np.arange(49, -1, -1) * np.abs(gradients)
assert u_inf == a.max() or np.isclose(u_inf, a.max(), rtol=1e-14)  # the recursion is the decayed max
gaps = []
for p in [2, 4, 16, 64, 256, 1024]:
    u_p = lp_norm_statistic(gradients, beta2, p)
    gaps.append(abs(u_p - u_inf) / u_inf)
    print(f"p = {p:5d}   u_t^(p) = {u_p:.6f}   relative distance to the max {gaps[-1]:.2e}   "
          f"prefactor (1 − β₂ᵖ)^(1/p) = {(1 - beta2**p) ** (1 / p):.4f}   t^(1/p) − 1 = {50 ** (1 / p) - 1:.2e}")
print(f"p = ∞       u_t     = {u_inf:.6f}")
assert all(later < earlier for earlier, later in zip(gaps[2:], gaps[3:]))  # closer and closer (p ≥ 16)
assert gaps[-1] < 1e-3 and gaps[-1] <= 50 ** (1 / 1024) - 1

# %% [markdown]
# For small $p$ the prefactor $(1-\beta_2^p)^{1/p}$ pulls the statistic below the max ($0.4359$ at $p = 2$);
# by $p = 64$ the prefactor is 1 to four digits, and the distance to the max falls fast, always within the
# squeeze bound $t^{1/p}-1$ and in practice much faster (the sum is dominated by its largest term once
# $p$ is large). At $p = 1024$ the $L^p$ statistic and the one-line recursion agree to rounding error.
#
# Next, no bias correction: with a steady gradient $|g| = c$, Adam's uncorrected $\sqrt{v_t}$ starts far
# below $c$, while $u_t = c$ from the very first step; and the $L^p$ bias factor $(1-\beta_2^{pt})^{1/p}$
# goes to 1 as $p$ grows, even at $t = 1$.

# %%
c, beta2 = 0.7, 0.999
v, u = 0.0, 0.0
for t in range(1, 6):
    v = beta2 * v + (1 - beta2) * c**2
    u = max(beta2 * u, c)
    print(f"t = {t}:  Adam √v_t = {np.sqrt(v):.4f}  (√v̂_t = {np.sqrt(v / (1 - beta2**t)):.4f})   AdaMax u_t = {u:.4f}")
    assert u == c
factors = {p: (1 - beta2 ** (p * 1)) ** (1 / p) for p in [2, 16, 256, 4096, 65536]}
print("bias factor (1 − β₂^(p·1))^(1/p) at t = 1:", {p: round(f, 4) for p, f in factors.items()})
assert list(factors.values()) == sorted(factors.values()) and factors[65536] > 0.99

# %% [markdown]
# At $t = 1$ Adam's raw $\sqrt{v_1}$ is $\sqrt{1-\beta_2} \approx 0.03$ of the true scale and needs the
# correction; AdaMax's $u_t$ equals $c = 0.7$ at every step. The bias factor at $t = 1$ climbs from
# $0.0447$ at $p = 2$ through $0.9942$ at $p = 256$ to $1.0$ (to four digits) from $p = 4096$: in the limit
# there is nothing to correct.
#
# Finally the step bound $\beta_2(1-\beta_1)/(\beta_2-\beta_1)\cdot\text{lr}$, on the nastiest gradients we
# can think of: heavy-tailed noise, long silences and sudden spikes, for several $(\beta_1, \beta_2)$.

# %%
def adamax_state(shape):
    return {"step": 0, "exp_avg": np.zeros(shape), "exp_inf": np.zeros(shape)}


for beta1, beta2 in [(0.9, 0.999), (0.5, 0.9), (0.95, 0.99)]:
    bound = beta2 * (1 - beta1) / (beta2 - beta1)
    param, state, largest = np.zeros(1000), adamax_state(1000), 0.0
    for t in range(300):
        g = rng.standard_cauchy(1000) * (rng.random(1000) < 0.1)  # mostly silent, occasionally huge
        state["step"] += 1
        before = param.copy()
        adamax(param, g, state, lr=1.0, beta1=beta1, beta2=beta2)
        largest = max(largest, np.abs(param - before).max())
    print(f"β₁ = {beta1}, β₂ = {beta2}:  largest step {largest:.4f}·lr ≤ bound {bound:.4f}·lr")
    assert largest <= bound * (1 + 1e-12)

# %% [markdown]
# Over $300\,000$ coordinate-steps of Cauchy-distributed, mostly silent gradients, no step exceeds the
# bound (for the defaults, $1.0091\cdot\text{lr}$).

# %% [markdown]
# ## From scratch
#
# The whole rule, with PyTorch's $\varepsilon$ inside the max, and with "no step where $u = 0$" for
# $\varepsilon = 0$:

# %%
def adamax_from_scratch(theta, gradients, lr=2e-3, betas=(0.9, 0.999), eps=1e-8):
    """Run AdaMax over a list of gradients; return the parameters after every step."""
    beta1, beta2 = betas
    m, u = np.zeros_like(theta), np.zeros_like(theta)
    history = []
    for t, g in enumerate(gradients, start=1):
        m = beta1 * m + (1 - beta1) * g
        u = np.maximum(beta2 * u, np.abs(g) + eps)
        ratio = np.divide(m, u, out=np.zeros_like(m), where=u > 0)  # u = 0 only if eps = 0 and g was always 0
        theta = theta - lr / (1 - beta1**t) * ratio
        history.append(theta)
    return np.array(history)


# %% [markdown]
# Now the same run with `minigrad.optim.AdaMax`. We record a gradient sequence once and feed the same
# gradients to both (setting `.grad` by hand), so that any difference comes from the update rule alone.
# The sequence has a coordinate whose gradient is always 0 and one of the size of $\varepsilon$.

# %%
recorded = [rng.standard_normal(6) for _ in range(40)]
for g in recorded:
    g[0] = 0.0  # a silent coordinate
    g[1] *= 1e-8  # a coordinate with gradients the size of ε
theta0 = rng.standard_normal(6)


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


for settings in [dict(), dict(lr=0.05, betas=(0.8, 0.95), eps=1e-3), dict(lr=0.05, eps=0.0)]:
    ours = adamax_from_scratch(theta0, recorded, **settings)
    library = run_library(lambda params: optim.AdaMax(params, **settings), theta0, recorded)
    np.testing.assert_allclose(library, ours, rtol=1e-12, atol=1e-15)
    print(f"AdaMax({', '.join(f'{k}={v}' for k, v in settings.items())}): max |minigrad − ours| = {np.abs(library - ours).max():.1e}")

# %% [markdown]
# The library agrees with the eight-line function to rounding error, with the defaults, with other
# hyperparameters, and with `eps=0`, where the silent coordinate stays exactly where it started. PyTorch
# has the same algorithm, `torch.optim.Adamax`; we compare the two $\varepsilon > 0$ settings, and show
# what PyTorch does with `eps=0`.

# %% tags=["torch"]
try:
    import torch
except ImportError:
    print("PyTorch is not installed: skipping the comparison with torch.optim.Adamax")
else:
    for settings in [dict(), dict(lr=0.05, betas=(0.8, 0.95), eps=1e-3)]:
        w = torch.tensor(theta0.copy(), requires_grad=True)
        optimizer = torch.optim.Adamax([w], foreach=False, **settings)
        history = []
        for g in recorded:
            optimizer.zero_grad()
            w.grad = torch.tensor(g)
            optimizer.step()
            history.append(w.detach().numpy().copy())
        library = run_library(lambda params: optim.AdaMax(params, **settings), theta0, recorded)
        np.testing.assert_allclose(library, np.array(history), rtol=1e-12, atol=1e-15)
        print(f"Adamax({', '.join(f'{k}={v}' for k, v in settings.items())}): max |minigrad − PyTorch| = {np.abs(library - np.array(history)).max():.1e}")
    w = torch.tensor(theta0.copy(), requires_grad=True)
    optimizer = torch.optim.Adamax([w], lr=0.05, eps=0.0, foreach=False)
    w.grad = torch.tensor(recorded[0])
    optimizer.step()
    print("torch.optim.Adamax(eps=0) after one step:", w.detach().numpy().round(4), "(the silent coordinate is first)")

# %% [markdown]
# Where PyTorch is installed, the last line shows its `Adamax(eps=0)`: the silent coordinate is NaN after
# one step, the paper's rule without a guard. That is the $0/0$ the next sections are about.

# %% [markdown]
# ## Picture
#
# How does the $L^p$ statistic turn into a decayed maximum? Below, one coordinate's gradient is a burst
# of noise with a single spike at step 20. For small $p$ the statistic is an average: it rises smoothly
# and never reaches the spike. As $p$ grows it jumps to the spike and then forgets it at exactly the rate
# $\beta_2$ per step — the straight line on this log scale — until newer gradients take over.

# %%
steps = np.arange(1, 81)
burst = 0.3 * rng.standard_normal(80)
burst[19] = 4.0
beta2 = 0.95
figure, axes = plt.subplots()
for p in [2, 4, 16, 64]:
    curve = [lp_norm_statistic(burst[:t], beta2, p) for t in steps]
    axes.plot(steps, curve, label=f"p = {p}", linewidth=1.2)
curve_inf = [u_recursive(burst[:t], beta2) for t in steps]
axes.plot(steps, curve_inf, color="k", linewidth=2.2, label="p = ∞: max(β₂·u, |g|)")
axes.plot(steps, np.abs(burst), ".", color="grey", markersize=4, label="|g_t|")
axes.set(yscale="log", xlabel="step t", ylabel="$u_t^{(p)}$", title=f"The $L^p$ statistic approaches the decayed max (β₂ = {beta2})")
axes.legend(ncol=2)
plt.show()

# %% [markdown]
# And the optimizer at work: Adam and AdaMax with the same learning rate, 0.2, for 300 steps on the
# [SJTU slides]' canyon, through `minigrad.viz.path`, which runs a real `minigrad.optim` optimizer on the
# surface.

# %%
from IPython.display import display
from minigrad.viz import SURFACES, path, plot_trajectories

canyon = SURFACES["canyon"]
paths = {name: path(canyon, lambda params, cls=cls: cls(params, lr=0.2), steps=300)
         for name, cls in [("Adam", optim.Adam), ("AdaMax", optim.AdaMax)]}
for name, points in paths.items():
    print(f"{name:7s} final point ({points[-1, 0]:+.4f}, {points[-1, 1]:+.4f}), f = {canyon.value(*points[-1]):.4f}")
display(plot_trajectories(canyon, paths))

# %% [markdown]
# Both leave the white dot the same way, but AdaMax stalls on the canyon's floor, far from the star, where
# Adam gets close. The decayed maximum explains it: the first steps, on the steep wall, see gradients of
# 38 and 25, and $u$ forgets them by only $0.1\,\%$ per step. We look at AdaMax's state after the 300 steps:

# %%
point = mg.tensor(np.array(canyon.start), requires_grad=True)
optimizer = optim.AdaMax([point], lr=0.2)
largest = np.zeros(2)
for _ in range(300):
    optimizer.zero_grad()
    canyon(point).backward()
    largest = np.maximum(largest, np.abs(np.asarray(point.grad)))
    optimizer.step()
u, current = optimizer.state[point]["exp_inf"], np.abs(np.asarray(point.grad))
print("largest |gradient| seen:", largest.round(2), "  u after 300 steps:", u.round(2),
      "  last |gradient|:", current.round(3))
assert np.all(u >= 0.999**300 * largest) and np.all(u > 50 * current)

# %% [markdown]
# After 300 steps $u$ is still above $0.999^{300} \approx 0.74$ of the steepest gradient seen, more than a
# hundred times the gradient on the floor, so each step is about $\text{lr}/100$. Adam's $\sqrt{\hat v}$
# is an *average* of squares over the same window, so one steep moment weighs less. The price of AdaMax's
# bounded steps is a long memory for the largest gradient; chapter 12 measures how that plays out on a
# real network.

# %% [markdown]
# ## What the sources got wrong
#
# The [Ten optimizers] article's AdaMax is the paper's: $r_0 = 0$ and **no $\varepsilon$**, with
# `self.s / self.r` as the step. We run its code (the `+` signs its rendering lost restored, the
# sign convention turned into a function that returns the new parameters) next to the library on the
# bundled digits. Three input pixels of the digits are blank in every training image (their column of
# the data is all zeros), so the first layer's weights from those pixels get a gradient of exactly 0 on
# every step — the silent coordinate of the derivation, in a real network.

# %%
from minigrad.data import load_digits

X_train, y_train = load_digits("train")
blank = np.where((X_train == 0).all(axis=0))[0]
print("input pixels that are 0 in every training image:", blank.tolist())


def seed_adamax_rule(param, grad, state, *, lr, alpha, beta):
    """[Ten optimizers]' AdaMax update, as printed (r₀ = 0, no ε), its `+` signs restored."""
    s, r = state["s"], state["r"]
    s[...] = s * alpha + (1 - alpha) * grad
    r[...] = np.maximum(r * beta, np.abs(grad))
    state["alpha_i"] *= alpha
    param += -lr / (1 - state["alpha_i"]) * s / r  # the article returns this change; we apply it


class SeedAdaMax(optim.Optimizer):
    """The article's rule plugged into minigrad's optimizer loop (which hands it NumPy arrays)."""

    def __init__(self, params, lr=1e-3, alpha=0.9, beta=0.999):
        super().__init__(params, dict(lr=lr, alpha=alpha, beta=beta))

    def init_state(self, param, group):
        return {"step": 0, "s": np.zeros_like(param), "r": np.zeros_like(param), "alpha_i": 1.0}

    def update_rule(self, group):
        return seed_adamax_rule, dict(lr=group["lr"], alpha=group["alpha"], beta=group["beta"])


def train_digits(make_optimizer, steps=60):
    """A 64-32-10 MLP on the digits, full batch, the same initial weights every time; the losses."""
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
    return np.array(losses), model


# Which weights get a gradient of exactly 0 on the first step?
_, model = train_digits(lambda params: optim.SGD(params, lr=0.0), steps=1)
silent = [np.asarray(p.grad) == 0 for p in model.parameters()]
print("weights and biases with a zero gradient at step 1, per tensor:", [int(mask.sum()) for mask in silent])
print("of the first layer's, from the blank pixels:", int(silent[0][:, blank].sum()), "=", len(blank), "× 32")

with np.errstate(invalid="ignore"):
    _, after_one_step = train_digits(lambda params: SeedAdaMax(params, lr=2e-3), steps=1)
    seed_losses, _ = train_digits(lambda params: SeedAdaMax(params, lr=2e-3), steps=60)
nan_masks = [np.isnan(p.detach().numpy()) for p in after_one_step.parameters()]
print("NaN weights and biases after one step of [Ten optimizers]' AdaMax:", [int(mask.sum()) for mask in nan_masks])
print(f"loss at steps 1, 2, 60: {seed_losses[0]:.4f}, {seed_losses[1]:.4f}, {seed_losses[-1]:.4f}")
assert all(np.array_equal(nan, zero) for nan, zero in zip(nan_masks, silent))
assert np.isnan(seed_losses[1:]).all()

# %% [markdown]
# The first step turns **exactly the silent weights into NaN**: the 96 weights from the blank pixels, and
# the weights into and out of hidden units that ReLU switched off on every image (their input or their
# output gradient is 0 for every sample). From then on $\text{NaN}\cdot 0$ is NaN, not 0: the network's
# output and loss are NaN from the second step on. (We silenced NumPy's warning to show what a script that
# ignores it sees: a loss of `nan`, and nothing else.)
#
# The same network with `minigrad.optim.AdaMax(eps=0)` — the paper's rule, with no step where $u = 0$ —
# and with PyTorch's default $\varepsilon = 10^{-8}$ inside the max:

# %%
eps0_losses, eps0_model = train_digits(lambda params: optim.AdaMax(params, lr=2e-3, eps=0.0))
eps8_losses, _ = train_digits(lambda params: optim.AdaMax(params, lr=2e-3, eps=1e-8))
print(f"AdaMax(eps=0):    NaN weights {int(np.isnan(eps0_model[0].weight.detach().numpy()).sum())}, "
      f"loss after 60 steps {eps0_losses[-1]:.4f}")
print(f"AdaMax(eps=1e-8): loss after 60 steps {eps8_losses[-1]:.4f}; largest loss difference to eps=0 "
      f"over the 60 steps: {np.abs(eps8_losses - eps0_losses).max():.1e}")
assert np.isfinite(eps0_losses).all() and np.abs(eps8_losses - eps0_losses).max() < 1e-4

# %% [markdown]
# With the guarded rule the weights of the blank pixels simply stay put and the network trains. Its losses
# differ from those with PyTorch's $\varepsilon = 10^{-8}$ by at most $5.8\cdot 10^{-6}$ — the size of
# float32 rounding in a loss near 2: the two rules agree wherever $u > 0$ up to a relative change of order
# $\varepsilon/u$, which is what "the $\varepsilon \to 0$ limit" means in practice.
#
# The article's prose has a second, smaller slip: it describes $u_t$ as comparing the current gradient
# with "the historical maximum". Its code is right — `np.maximum(self.r*self.beta, ...)` decays the old
# value — but a reader who implements the prose, $u_t = \max(u_{t-1}, |g_t|)$, gets a different optimizer:
# one early spike fixes the denominator for ever and every later step is tiny. We measure it on a
# one-dimensional quadratic $f(\theta) = \theta^2/2$ whose first gradient is an outlier (a bad batch):

# %%
def quadratic_run(decay, steps=800, lr=0.1, beta1=0.9, beta2=0.99):
    theta, m, u = 5.0, 0.0, 0.0
    for t in range(1, steps + 1):
        g = theta + (100.0 if t == 1 else 0.0)  # f'(θ) = θ, plus one outlier
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u if decay else u, abs(g))
        theta -= lr / (1 - beta1**t) * m / u
    return theta


right, prose = quadratic_run(decay=True), quadratic_run(decay=False)
print(f"after 800 steps from θ = 5:  u = max(β₂·u, |g|): θ = {right:.1e}    u = max(u, |g|) (no decay): θ = {prose:.4f}")
assert abs(right) < 1e-9 and abs(prose) > 1

# %% [markdown]
# With the decay the outlier is forgotten after a few hundred steps ($105\cdot 0.99^{300} \approx 5$) and
# $\theta$ reaches the minimum to $10^{-12}$; without it the denominator stays at 105 for ever, every step
# is about 20 times too short, and $\theta$ is still at 2.18.
# (The article's default learning rate, 0.001, is also half the paper's and PyTorch's 0.002 — a choice, not
# an error.)

# %% [markdown]
# ## Exercises
#
# ### Exercise 10.1: one AdaMax step (2 points)
#
# Write one step of AdaMax as `minigrad.optim.AdaMax` takes it: given the parameters, the gradient, the
# state `exp_avg` ($m$) and `exp_inf` ($u$) and the step number `step` ($t$, counting from 1), return the
# new parameters and the new state as new arrays. $\varepsilon$ goes inside the max (PyTorch's place),
# and when $\varepsilon = 0$ a coordinate with $u = 0$ takes no step. Keep the inputs' dtype. The checker
# runs your function for several steps on float32 and float64 arrays of several shapes, with zero, tiny
# and spiky gradients and non-default hyperparameters.

# %%
def adamax_step(param, grad, exp_avg, exp_inf, step, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One AdaMax step: return (param, exp_avg, exp_inf) after it (new arrays)."""
    # BEGIN SOLUTION
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_inf = np.maximum(beta2 * exp_inf, np.abs(grad) + eps)
    ratio = np.divide(exp_avg, exp_inf, out=np.zeros_like(exp_avg), where=exp_inf > 0)
    param = param - lr / (1 - beta1**step) * ratio
    return param, exp_avg, exp_inf
    # END SOLUTION


# %%
check("10.adamax_step", adamax_step);

# %% [markdown]
# If the checker names a mistake, its hint says what to change. The mistakes it knows: a bias-corrected
# $u$, a max without the $\beta_2$ decay, $0/0$ on silent coordinates, Keras's $\varepsilon$ placement,
# and a missing $1/(1-\beta_1^t)$.
#
# **Exercise 10.2 (no checker).** Change `run_rule` in the motivation to AdaMax with Keras's placement of
# $\varepsilon$ and the default $\varepsilon = 10^{-7}$, and feed it gradients of size $10^{-7}$. How much
# shorter are its steps than PyTorch's placement? Explain from the two formulas.

# %% [markdown]
# ## Summary
#
# - AdaMax replaces Adam's $\sqrt{\hat v_t}$ by $u_t = \max(\beta_2 u_{t-1}, |g_t|)$, the $p \to \infty$
#   limit of a decayed $L^p$ norm of past gradients (the $p$-norm is squeezed between the max and
#   $t^{1/p}$ times it); we watched $p = 2, 4, \dots, 1024$ converge to it.
# - $u_t$ needs no bias correction: the newest gradient enters the max with weight 1. Only $m_t$ keeps
#   Adam's $1/(1-\beta_1^t)$.
# - Every AdaMax step is at most $\beta_2(1-\beta_1)/(\beta_2-\beta_1) \approx 1.009$ learning rates per
#   coordinate; Adam can jump $3.16\cdot\text{lr}$ after a long silence.
# - With $\varepsilon = 0$ (the paper, [Ten optimizers]) a coordinate with only zero gradients divides
#   $0$ by $0$, and NaN spreads through the network. PyTorch puts $\varepsilon$ inside the max, Keras adds
#   it to $u$; minigrad follows PyTorch and, for $\varepsilon = 0$, takes no step (the $\varepsilon \to 0$
#   limit).
