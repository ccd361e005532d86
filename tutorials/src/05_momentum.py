# %% [markdown]
# # 05 · Momentum
#
# Gradient descent forgets: each step uses only the current gradient. Momentum remembers a running
# average of past gradients, so that directions where the gradient keeps its sign add up and
# directions where it flips cancel. This chapter derives the average, the three ways the rule is
# written (and the learning rates that make them the same), and the two places where they are *not*
# the same.
#
# **You will learn**
# - the exponential moving average (EMA, 指数加权平均): its window of about $1/(1-\beta)$ steps and its
#   bias towards 0 at the start;
# - the velocity ("heavy ball") form, the EMA form and PyTorch's form of momentum, and the change of
#   learning rate that turns each into the others;
# - where they differ: under a learning-rate schedule, and with PyTorch's `dampening`;
# - why momentum is faster: on a quadratic it converges at $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ per step
#   instead of $(\kappa - 1)/(\kappa + 1)$.
#
# **Before this chapter:** 04 (the four-step template, the factor $1 - \mathrm{lr}\,\lambda$ per
# eigendirection, the condition number $\kappa$).

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
# Chapter 04 ended on the quadratic $f(x, y) = 0.1x^2 + 2y^2$ (curvatures 0.2 and 4, $\kappa = 20$). Even
# at its best learning rate, $2/(0.2 + 4)$, gradient descent shrinks the error only by 0.905 per step.
# Here is how many steps it needs to get within $10^{-6}$ of the minimum, and what its path looks like:

# %%
from minigrad.viz import SURFACES, path, plot_trajectories

ellipse = SURFACES["d2l_ellipse"]
curvatures = np.array([0.2, 4.0])


def steps_to_reach(points, tolerance=1e-6):
    """The first step at which the distance to the minimum (the origin) falls below `tolerance`."""
    return int(np.argmax(np.linalg.norm(points, axis=1) < tolerance))


gd_lr = 2 / curvatures.sum()
gd = path(ellipse, lambda params: optim.SGD(params, lr=gd_lr), steps=300)
print(f"gradient descent, lr = {gd_lr:.4f}: {steps_to_reach(gd)} steps to within 1e-6")
print("signs of y over the first 8 steps:", np.sign(gd[:8, 1]).astype(int))

# %% [markdown]
# 155 steps. The signs show why: the step is too large for the steep $y$ direction (it overshoots, so
# $y$ flips sign every step) and too small for the flat $x$ direction (it creeps). Averaging the
# gradients over a few steps would cancel the flipping $y$ components and accumulate the steady $x$
# ones. That average is momentum (动量).

# %% [markdown]
# ## Derivation
#
# ### The exponential moving average
#
# [SJTU slides] and [Four-step notes] average a sequence $x_1, x_2, \dots$ (gradients, later) with
#
# $$ m_t = \beta\, m_{t-1} + (1-\beta)\, x_t, \qquad m_0 = 0, \qquad 0 \le \beta < 1. $$
#
# Substituting the rule into itself $t$ times unrolls it into a weighted sum:
#
# $$ m_t = (1-\beta)\,x_t + \beta(1-\beta)\,x_{t-1} + \beta^2(1-\beta)\,x_{t-2} + \dots = (1-\beta)\sum_{k=1}^{t} \beta^{\,t-k}\, x_k . $$
#
# The value seen $j$ steps ago has weight $(1-\beta)\beta^j$: the weights decay geometrically, which is
# why it is called *exponential*. Two consequences.
#
# **The window.** The weights of *all* values older than $n$ steps add up to
# $(1-\beta)\sum_{j \ge n}\beta^j = \beta^n$. Take $n = 1/(1-\beta)$. Since $\ln\beta \approx -(1-\beta)$
# for $\beta$ near 1,
#
# $$ \beta^{1/(1-\beta)} = e^{\ln\beta/(1-\beta)} \xrightarrow[\beta \to 1]{} e^{-1} \approx 0.37 , $$
#
# so the last $1/(1-\beta)$ values carry about $1 - 1/e \approx 63\,\%$ of the weight, and everything
# older fades fast. That is the sense of [SJTU slides]' rule of thumb $N \approx 1/(1-\beta)$: about the
# last 10 values for $\beta = 0.9$, 50 for $\beta = 0.98$. (The average *age* of the values,
# $\sum_j j\,(1-\beta)\beta^j = \beta/(1-\beta)$, tells the same story.)
#
# **The bias towards 0.** The weights of the first $t$ values add up to
# $(1-\beta)\sum_{j<t}\beta^j = 1 - \beta^t$, not 1: the missing $\beta^t$ is the weight of the initial
# $m_0 = 0$. For a constant sequence $x_k = x$,
#
# $$ m_t = (1 - \beta^t)\, x , $$
#
# only $0.1x$ at $t = 1$ for $\beta = 0.9$. Dividing by $1-\beta^t$ removes the bias (Adam does this,
# chapter 09); momentum usually doesn't, and the first steps are simply short.

# %% [markdown]
# ### Three ways to write momentum
#
# In the four-step template momentum changes only the first moment. The sources and libraries write
# it in three forms. The **velocity** or "heavy ball" form (Polyak 1964; [Ten optimizers]) treats $w$ as a
# ball with velocity $v$, friction $\mu$ and the negative gradient as the force:
#
# $$ v_t = \mu\, v_{t-1} - \mathrm{lr}\; g_t, \qquad w_{t+1} = w_t + v_t . \tag{V} $$
#
# The **EMA** form ([Four-step notes]' SGDM, [SJTU slides]) steps along the average gradient:
#
# $$ m_t = \beta\, m_{t-1} + (1-\beta)\, g_t, \qquad w_{t+1} = w_t - \alpha\, m_t . \tag{E} $$
#
# **PyTorch's** form (`torch.optim.SGD(momentum=μ)`, `minigrad.optim.SGD`) keeps an undamped sum, the
# momentum buffer:
#
# $$ b_t = \mu\, b_{t-1} + g_t, \qquad w_{t+1} = w_t - \mathrm{lr}\; b_t . \tag{P} $$
#
# All start from zero state and use $\mu = \beta$. **Claim:** for the same gradients,
#
# $$ v_t = -\mathrm{lr}\; b_t \qquad\text{and}\qquad m_t = (1-\beta)\, b_t \qquad\text{for every } t. $$
#
# *Proof* by induction. Both hold at $t = 0$ (all zero). If $v_{t-1} = -\mathrm{lr}\, b_{t-1}$, then
# $v_t = \mu v_{t-1} - \mathrm{lr}\, g_t = -\mathrm{lr}(\mu b_{t-1} + g_t) = -\mathrm{lr}\, b_t$. If
# $m_{t-1} = (1-\beta) b_{t-1}$, then $m_t = \beta(1-\beta) b_{t-1} + (1-\beta) g_t = (1-\beta)(\beta b_{t-1} + g_t)
# = (1-\beta) b_t$. $\square$
#
# So the three updates of $w$ are $+v_t = -\mathrm{lr}\,b_t$, $-\mathrm{lr}\,b_t$ and
# $-\alpha(1-\beta)\,b_t$: **(V) and (P) are the same rule with the same lr, and (E) is (P) with
# $\mathrm{lr} = \alpha(1-\beta)$.** Since the gradients are evaluated at the same points, the whole
# trajectories coincide. The factor matters in practice: for a constant gradient $g$ the buffer tends
# to $b_\infty = g/(1-\mu)$, so (P) moves $1/(1-\mu) = 10$ times faster than plain SGD with the same lr
# on a steady slope, while (E) moves exactly as fast as SGD with lr $= \alpha$.

# %% [markdown]
# ### Where the three forms differ
#
# **A learning-rate schedule.** Let the learning rate change with time, $\mathrm{lr}_t$. Unrolling (P)
# and (V) as above gives
#
# $$ \text{(P)}:\; w_{t+1} = w_t - \mathrm{lr}_t \sum_{k \le t} \mu^{t-k} g_k , \qquad\qquad \text{(V)}:\; w_{t+1} = w_t - \sum_{k \le t} \mu^{t-k}\, \mathrm{lr}_k\, g_k . $$
#
# PyTorch's form applies *today's* learning rate to the whole remembered sum: when a schedule divides
# lr by 10, the next step is 10 times shorter at once. The velocity form stores each gradient already
# multiplied by the lr of its own time: after the drop it keeps coasting on the old velocity, which
# decays only as $\mu^k$. The two agree exactly when lr is constant. (The EMA form stays equivalent to
# (P) under a schedule, with $\alpha_t(1-\beta) = \mathrm{lr}_t$.)
#
# **PyTorch's dampening.** `torch.optim.SGD(momentum=μ, dampening=τ)` computes
# $b_t = \mu b_{t-1} + (1-\tau) g_t$, which for $\tau = \mu = \beta$ looks like the EMA (E). But PyTorch
# creates the buffer on the first step as $b_1 = g_1$, *undamped*. From then on
# $b_t - m_t = \beta^{t-1}(b_1 - m_1) = \beta^{t-1}\cdot\beta\, g_1 = \beta^t g_1$: an extra push along the
# first gradient, which adds up to $\sum_t \mathrm{lr}\,\beta^t g_1 = 9\,\mathrm{lr}\,g_1$ (nine plain SGD steps)
# for $\beta = 0.9$. minigrad's `optim.SGD`
# starts the buffer at zero instead, so its `dampening=β` *is* the EMA; with `dampening=0` (the
# default) the two libraries agree, because $b_1 = \mu\cdot 0 + g_1 = g_1$ either way.

# %% [markdown]
# ### Why momentum is faster
#
# On a quadratic, (P) works on each eigendirection separately, as gradient descent did in chapter 04.
# With the error $c_t$ along an eigenvector of curvature $\lambda$, $g_t = \lambda c_t$ and
# $c_{t+1} - c_t = -\mathrm{lr}\,b_t = \mu(c_t - c_{t-1}) - \mathrm{lr}\,\lambda\,c_t$:
#
# $$ c_{t+1} = (1 + \mu - \mathrm{lr}\,\lambda)\, c_t - \mu\, c_{t-1}. $$
#
# A two-term recurrence: its solutions are combinations of $z^t$, with $z$ a root of
# $z^2 - (1 + \mu - \mathrm{lr}\,\lambda)\, z + \mu = 0$. The product of the two roots is $\mu$. When the
# discriminant is negative, $(1 + \mu - \mathrm{lr}\,\lambda)^2 < 4\mu$, the roots are complex conjugates
# with equal modulus, so $|z| = \sqrt\mu$: the direction spirals in at rate $\sqrt\mu$ *whatever its
# curvature*. The condition is $(1-\sqrt\mu)^2 < \mathrm{lr}\,\lambda < (1+\sqrt\mu)^2$. Choose lr and
# $\mu$ so that this interval just covers $[\lambda_{\min}, \lambda_{\max}]$:
#
# $$ \mathrm{lr}\,\lambda_{\min} = (1-\sqrt\mu)^2,\quad \mathrm{lr}\,\lambda_{\max} = (1+\sqrt\mu)^2
# \;\Longrightarrow\; \sqrt\kappa = \frac{1+\sqrt\mu}{1-\sqrt\mu}
# \;\Longrightarrow\; \sqrt{\mu^*} = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}, \quad \mathrm{lr}^* = \frac{4}{(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2}. $$
#
# Every direction then converges at $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ per step, against gradient
# descent's best $(\kappa - 1)/(\kappa + 1)$: the condition number is replaced by its square root
# (Polyak 1964; the picture is the one of distill.pub's "Why Momentum Really Works").

# %% [markdown]
# ## Checking the derivation
#
# The EMA's weights, its window and its bias, for the two values of $\beta$ in [SJTU slides]:

# %%
for decay in (0.9, 0.98):
    n = round(1 / (1 - decay))
    lags = np.arange(10_000)
    weights = (1 - decay) * decay**lags  # the weight of the value seen j steps ago
    recent = weights[:n].sum()
    np.testing.assert_allclose(weights[n:].sum(), decay**n, rtol=1e-9)  # older than n: β^n
    np.testing.assert_allclose((lags * weights).sum(), decay / (1 - decay), rtol=1e-9)  # mean age
    assert abs(recent - (1 - np.exp(-1))) < 0.02
    print(f"β = {decay}: N = 1/(1−β) = {n}; the last {n} values carry {recent:.3f} of the weight (1 − 1/e = {1 - np.exp(-1):.3f})")

# %% [markdown]
# For $\beta = 0.9$ the last 10 values carry 65.1 % of the weight, for $\beta = 0.98$ the last 50 carry
# 63.6 %: the closer $\beta$ is to 1, the closer to $1 - 1/e$. Now the bias, by running the average
# itself on a constant signal:

# %%
beta, x = 0.9, 3.0
m, averages = 0.0, []
for t in range(1, 31):
    m = beta * m + (1 - beta) * x
    averages.append(m)
averages = np.array(averages)
t = np.arange(1, 31)
np.testing.assert_allclose(averages, (1 - beta**t) * x, rtol=1e-12)
np.testing.assert_allclose(averages / (1 - beta**t), x, rtol=1e-12)
print("m_1, m_2, m_10, m_30 =", averages[[0, 1, 9, 29]].round(4), " for a constant 3.0")

# %% [markdown]
# The average of a constant 3 starts at 0.3, and after 30 steps it is still 4 % short (2.87); divided
# by $1 - \beta^t$ it is exactly 3 from the first step.
#
# Next the claim that the three forms are one trajectory. Run all three from scratch on seed 003's
# canyon surface (from `minigrad.viz.surfaces`), $f(x, y) = 0.1x^2 + 10\,(y - x^2/4)^2$, a curved valley
# with steep walls. It is not a quadratic, so the gradients depend on the path: if the forms differed
# anywhere, the paths would drift apart.

# %%
canyon = SURFACES["canyon"]


def canyon_grad(w):
    """∇f for f = 0.1x² + 10(y − x²/4)², by hand."""
    x, y = w
    valley = y - x * x / 4
    return np.array([0.2 * x - 10 * x * valley, 20 * valley])


def run_velocity(lrs, mu, start):
    """(V): v ← μ·v − lr·g,  w ← w + v."""
    w, v = np.array(start), 0.0
    visited = [w]
    for lr in lrs:
        v = mu * v - lr * canyon_grad(w)
        w = w + v
        visited.append(w)
    return np.array(visited)


def run_ema(alphas, beta, start):
    """(E): m ← β·m + (1 − β)·g,  w ← w − α·m."""
    w, m = np.array(start), 0.0
    visited = [w]
    for alpha in alphas:
        m = beta * m + (1 - beta) * canyon_grad(w)
        w = w - alpha * m
        visited.append(w)
    return np.array(visited)


def run_pytorch_form(lrs, mu, start):
    """(P): b ← μ·b + g,  w ← w − lr·b."""
    w, b = np.array(start), 0.0
    visited = [w]
    for lr in lrs:
        b = mu * b + canyon_grad(w)
        w = w - lr * b
        visited.append(w)
    return np.array(visited)


lr, mu, steps = 0.02, 0.9, 150
constant = np.full(steps, lr)
velocity = run_velocity(constant, mu, canyon.start)
pytorch_form = run_pytorch_form(constant, mu, canyon.start)
ema = run_ema(constant / (1 - mu), mu, canyon.start)  # α = lr/(1 − β)
for name, other in [("velocity form (V)", velocity), ("EMA form (E) with α = lr/(1−β)", ema)]:
    np.testing.assert_allclose(other, pytorch_form, rtol=0, atol=1e-12)
    print(f"{name} vs PyTorch form (P): all 151 points agree to within 1e-12")

# %% [markdown]
# The three trajectories agree to rounding (within $10^{-12}$, on coordinates of size 1), over 150 steps
# of a nonlinear problem. With the *same* α = lr, though, the EMA
# form is a different optimizer, with steps $1-\beta = 0.1$ times as long:

# %%
same_lr_ema = run_ema(constant, mu, canyon.start)
print(f"after 150 steps: PyTorch form f = {canyon.value(*pytorch_form[-1]):.2e}, "
      f"EMA form with α = lr: f = {canyon.value(*same_lr_ema[-1]):.2e}")
assert canyon.value(*same_lr_ema[-1]) > 1e3 * canyon.value(*pytorch_form[-1])

# %% [markdown]
# After 150 steps it is still at $f = 0.22$, where the equivalent run is at $1.8\cdot10^{-6}$: whenever a
# source gives "the" momentum learning rate, check which form it belongs to.

# %% [markdown]
# Last, the rate on a quadratic. On the ellipse of the motivation the derivation gives the best
# momentum and learning rate; check that every curvature between $\lambda_{\min}$ and $\lambda_{\max}$
# then has roots of modulus exactly $\sqrt{\mu^*}$, and measure the rate of a real run:

# %%
kappa = curvatures.max() / curvatures.min()
root_mu = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
best_mu, best_lr = root_mu**2, 4 / (np.sqrt(curvatures.max()) + np.sqrt(curvatures.min())) ** 2
print(f"κ = {kappa:.0f}: μ* = {best_mu:.4f}, lr* = {best_lr:.4f}, predicted rate √μ* = {root_mu:.4f} "
      f"(gradient descent at best: {(kappa - 1) / (kappa + 1):.4f})")

for lam in np.linspace(curvatures.min(), curvatures.max(), 9):
    roots = np.roots([1, -(1 + best_mu - best_lr * lam), best_mu])
    np.testing.assert_allclose(np.abs(roots), root_mu, rtol=1e-6)

heavy_ball = path(ellipse, lambda params: optim.SGD(params, lr=best_lr, momentum=best_mu), steps=300)
measured = (np.linalg.norm(heavy_ball[80]) / np.linalg.norm(heavy_ball[40])) ** (1 / 40)
print(f"measured rate over steps 40–80: {measured:.4f}; steps to within 1e-6: {steps_to_reach(heavy_ball)} "
      f"(gradient descent: {steps_to_reach(gd)})")
np.testing.assert_allclose(measured, root_mu, rtol=0.02)

# the stable range of momentum: a root reaches −1 at lr·λ = 2(1 + μ)
edge = 2 * (1 + best_mu)
for lr_lambda, stable in ((0.99 * edge, True), (1.01 * edge, False)):
    assert (np.abs(np.roots([1, -(1 + best_mu - lr_lambda), best_mu])).max() < 1) == stable
print(f"stable for lr·λ < 2(1 + μ*) = {edge:.4f}, i.e. lr < {edge / curvatures.max():.4f} on the ellipse")

# %% [markdown]
# The roots have modulus 0.6345 for every curvature in $[0.2, 4]$, the measured rate, 0.6454, matches
# it to within 2 % (the double roots at the two ends of the interval add a slowly growing factor $t$),
# and the run needs 42 steps where gradient descent needed 155. Note that $\mathrm{lr}^* = 0.668$ is
# *above* gradient descent's edge $2/L = 0.5$: with momentum a root reaches $-1$ only at
# $\mathrm{lr}\,\lambda = 2(1+\mu)$ (from $1 + (1 + \mu - \mathrm{lr}\,\lambda) + \mu = 0$), so here the stable range
# widens to lr < 0.7013.

# %% [markdown]
# ## From scratch
#
# The PyTorch form, `run_pytorch_form` above, is the rule `minigrad.optim.SGD(momentum=μ)` and
# `optim.Momentum` implement. Same canyon, same 150 steps, gradients from autograd this time:

# %%
library = path(canyon, lambda params: optim.SGD(params, lr=lr, momentum=mu), steps=steps)
named = path(canyon, lambda params: optim.Momentum(params, lr=lr, momentum=mu), steps=steps)
np.testing.assert_allclose(library, pytorch_form, rtol=0, atol=1e-12)
np.testing.assert_array_equal(named, library)
print("optim.SGD(momentum=0.9) and optim.Momentum follow the from-scratch path; last point:", library[-1].round(6))

# %% tags=["torch"]
try:
    import torch
except ImportError:
    print("PyTorch is not installed: skipping the comparison")
else:
    param = torch.tensor(canyon.start, dtype=torch.float64, requires_grad=True)
    torch_optimizer = torch.optim.SGD([param], lr=lr, momentum=mu)
    theirs = [param.detach().numpy().copy()]
    for _ in range(steps):
        torch_optimizer.zero_grad()
        x_, y_ = param[0], param[1]
        (0.1 * x_ * x_ + 10 * (y_ - x_ * x_ / 4) ** 2).backward()
        torch_optimizer.step()
        theirs.append(param.detach().numpy().copy())
    np.testing.assert_allclose(np.array(theirs), library, rtol=0, atol=1e-12)
    print("torch.optim.SGD(momentum=0.9) follows the same path")

# %% [markdown]
# ## Picture
#
# The canyon is where momentum earns its name. Plain SGD with the same lr = 0.02 spends its steps
# bouncing between the steep walls and then crawls along the flat floor; SGD at lr = 0.05, close to
# the largest that does not blow up, crawls faster but still bounces; momentum (μ = 0.9) averages the
# bounces away and rolls down the floor.

# %%
canyon_paths = {
    "SGD, lr = 0.02": path(canyon, lambda params: optim.SGD(params, lr=0.02), steps=steps),
    "SGD, lr = 0.05": path(canyon, lambda params: optim.SGD(params, lr=0.05), steps=steps),
    "momentum 0.9, lr = 0.02": library,
}
for name, points in canyon_paths.items():
    print(f"{name:>24}: f after {steps} steps = {canyon.value(*points[-1]):.2e}")
figure = plot_trajectories(canyon, canyon_paths)
figure.axes[0].set_title(f"The canyon of [SJTU slides]: {steps} steps each")
figure

# %% [markdown]
# After 150 steps momentum is at $f = 1.8\cdot10^{-6}$, SGD at 0.31 (same lr) and 0.019 (its
# near-largest lr). The same three paths as they unfold (watch momentum build up speed along the
# floor, overshoot the minimum and swing back):

# %% tags=["slow"]
import tempfile
from pathlib import Path

from IPython.display import Image

from minigrad.viz import animate_trajectories

with tempfile.TemporaryDirectory() as folder:
    gif = Path(folder) / "canyon.gif"
    animate_trajectories(canyon, canyon_paths, gif, frames=30)
    animation = Image(data=gif.read_bytes(), format="gif")
animation

# %% [markdown]
# The EMA picture, next, is the one to keep in mind for the rest of the series: the
# weights a moving average gives to the past, and the bias at the start.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
for decay in (0.9, 0.98):
    lags = np.arange(120)
    left.plot(lags, (1 - decay) * decay**lags, label=f"β = {decay}")
    left.axvline(1 / (1 - decay), linestyle=":", color=left.lines[-1].get_color())
left.set(xlabel="age of the value (steps ago)", ylabel="weight (1 − β)·βʲ",
         title="EMA weights; dotted: N = 1/(1 − β)")
left.legend()
right.plot(t, averages, marker=".", label="m_t (starts at 0)")
right.plot(t, averages / (1 - 0.9**t), marker=".", label="m_t / (1 − βᵗ)")
right.axhline(x, color="k", linewidth=0.8)
right.set(xlabel="step t", ylabel="average of a constant 3", title="The bias towards 0 (β = 0.9)")
right.legend()
plt.show()

# %% [markdown]
# ## What the sources got wrong
#
# ### The velocity form stores the learning rate
#
# [Ten optimizers] implements momentum as `v = alpha * v - lr * g`, returning `v` as the increment of
# the parameters: form (V). With a constant learning rate it is exactly PyTorch's rule. With a schedule
# it is a different optimizer. Here is `optim.SGD` with a `StepLR` schedule that divides lr by 10 after
# 40 steps, next to the velocity form fed the same learning rates, for 80 steps on the ellipse:

# %%
from minigrad.optim.lr_scheduler import StepLR


def ellipse_grad(w):
    """∇ of 0.1x² + 2y²."""
    return curvatures * w


w = mg.tensor(ellipse.start, dtype=mg.float64, requires_grad=True)
optimizer = optim.SGD([w], lr=0.4, momentum=0.9)
scheduler = StepLR(optimizer, step_size=40, gamma=0.1)
pytorch_path, lrs = [w.detach().numpy().copy()], []
for _ in range(80):
    lrs.append(optimizer.param_groups[0]["lr"])
    optimizer.zero_grad()
    (0.1 * w[0] * w[0] + 2 * w[1] * w[1]).backward()
    optimizer.step()
    scheduler.step()
    pytorch_path.append(w.detach().numpy().copy())
pytorch_path = np.array(pytorch_path)

velocity_path, v = [np.array(ellipse.start)], 0.0
for lr_t in lrs:
    v = 0.9 * v - lr_t * ellipse_grad(velocity_path[-1])
    velocity_path.append(velocity_path[-1] + v)
velocity_path = np.array(velocity_path)

gap = np.linalg.norm(pytorch_path - velocity_path, axis=1)
print("learning rates used:", sorted({round(lr_t, 6) for lr_t in lrs}, reverse=True))
assert gap[:41].max() < 1e-12 and gap.max() > 0.5
print(f"gap before the drop: below 1e-12 at every step; after it: up to {gap.max():.3f} (at step {gap.argmax()})")

# %% [markdown]
# Identical for the first 40 steps (to rounding); after the drop the two paths separate by up to 0.77.
# The reason is in the picture below: at the drop PyTorch's step shrinks tenfold at once, while the velocity form
# keeps its old velocity, overshoots further and needs far longer to settle. Neither is "wrong" as an
# optimizer, but they are not the same, and a learning rate tuned for one does not transfer to the
# other. minigrad and PyTorch use form (P).

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.6))
ax.semilogy(np.linalg.norm(pytorch_path, axis=1), label="PyTorch form (P): lr applied to the whole buffer")
ax.semilogy(np.linalg.norm(velocity_path, axis=1), label="velocity form (V): lr stored inside v", linestyle="--")
ax.axvline(40, color="k", linewidth=0.8)
ax.text(41, 3, "lr ÷ 10", fontsize=9)
ax.set(xlabel="step", ylabel="distance to the minimum", title="The same momentum under a step schedule")
ax.legend()
plt.show()

# %% [markdown]
# ### The EMA form is not `dampening=β` in PyTorch
#
# [Four-step notes] and [SJTU slides] write momentum as the EMA (E). The tempting translation to
# PyTorch is `SGD(lr=α, momentum=β, dampening=β)`, which damps the new gradient by $1-\beta$. In
# minigrad, whose buffer starts at zero, that is exactly (E); in PyTorch the first buffer is the
# undamped $g_1$ and the paths differ (run on the canyon, where the first gradient is large):

# %%
alpha, beta = 0.2, 0.9
ema_path = run_ema(np.full(steps, alpha), beta, canyon.start)
damped = path(canyon, lambda params: optim.SGD(params, lr=alpha, momentum=beta, dampening=beta), steps=steps)
np.testing.assert_allclose(damped, ema_path, rtol=0, atol=1e-12)
print("minigrad SGD(lr=α, momentum=β, dampening=β) follows the EMA form exactly")

# %% tags=["torch"]
try:
    import torch
except ImportError:
    print("PyTorch is not installed: skipping the comparison")
else:
    def torch_path(preset_zero_buffer):
        param = torch.tensor(canyon.start, dtype=torch.float64, requires_grad=True)
        torch_optimizer = torch.optim.SGD([param], lr=alpha, momentum=beta, dampening=beta)
        if preset_zero_buffer:  # PyTorch only creates the buffer when the state is empty
            torch_optimizer.state[param]["momentum_buffer"] = torch.zeros_like(param)
        visited = [param.detach().numpy().copy()]
        for _ in range(steps):
            torch_optimizer.zero_grad()
            x_, y_ = param[0], param[1]
            (0.1 * x_ * x_ + 10 * (y_ - x_ * x_ / 4) ** 2).backward()
            torch_optimizer.step()
            visited.append(param.detach().numpy().copy())
        return np.array(visited)

    with np.errstate(invalid="ignore", over="ignore"):
        undamped_first = torch_path(preset_zero_buffer=False)
    zero_buffer = torch_path(preset_zero_buffer=True)
    first_steps = np.linalg.norm(undamped_first[1] - undamped_first[0]), np.linalg.norm(ema_path[1] - ema_path[0])
    print(f"first step: PyTorch dampening=β {first_steps[0]:.3f}, EMA {first_steps[1]:.3f} (ratio {first_steps[0] / first_steps[1]:.1f})")
    finite = np.isfinite(undamped_first).all(axis=1)
    print(f"PyTorch dampening=β: finite for {finite.sum()} points, then overflows; the EMA path ends at f = {canyon.value(*ema_path[-1]):.1e}")
    np.testing.assert_allclose(first_steps[0] / first_steps[1], 1 / (1 - beta), rtol=1e-12)
    assert not finite.all()
    np.testing.assert_allclose(zero_buffer, ema_path, rtol=0, atol=1e-12)
    print("PyTorch dampening=β with a zero buffer preset: the EMA path, to within 1e-12")


# %% [markdown]
# PyTorch's first step is exactly $1/(1-\beta) = 10$ times the EMA's. On the canyon that is enough to
# throw the point out of the valley, up a wall so steep that the run overflows; the EMA path, with the
# same hyperparameters, converges. Presetting a zero buffer, or using `SGD(lr=α·(1−β), momentum=β)` as
# derived above, gives the EMA form exactly.
#
# ### Smaller points
#
# - [SJTU slides]' "$N \approx 1/(1-\beta)$ past values" is a rule of thumb: the average never drops old
#   values, it down-weights them; the last $N$ carry about 63 %.
# - The EMA form without bias correction ([Four-step notes], [SJTU slides]) makes the first steps short
#   ($0.1\,\alpha\,g$ at $t=1$); [Ten optimizers] points this out. It is harmless for momentum, and the
#   reason Adam corrects it (chapter 09).

# %% [markdown]
# ## Exercises
#
# ### Exercise 05.1: a momentum step in PyTorch's form (2 points)
#
# Write one step of `torch.optim.SGD(lr, momentum, dampening)`: return the new parameters and the new
# momentum buffer (new arrays; do not rely on changing the inputs). On the first step there is no
# buffer yet, and `buf` is `None`: then PyTorch starts the buffer as the gradient itself, *undamped*.
# After that, $b \leftarrow \mu b + (1-\tau) g$. The parameters move by $-\mathrm{lr}\cdot b$.

# %%
def momentum_step(param, grad, buf, lr, momentum, dampening=0.0):
    """One step of PyTorch's SGD with momentum: return (new param, new buf).

    buf is None on the first step; then the buffer starts as grad itself (no dampening on that step).
    Otherwise buf ← momentum·buf + (1 − dampening)·grad.  Then param ← param − lr·buf."""
    # BEGIN SOLUTION
    if buf is None:
        buf = grad.copy()
    else:
        buf = momentum * buf + (1 - dampening) * grad
    return param - lr * buf, buf
    # END SOLUTION


# %%
check("05.momentum_step", momentum_step);

# %% [markdown]
# ## Summary
#
# - The EMA $m_t = \beta m_{t-1} + (1-\beta)x_t$ weighs the value $j$ steps old by $(1-\beta)\beta^j$: the
#   last $1/(1-\beta)$ values carry about 63 % of the weight, and the average starts biased towards 0
#   by the factor $1-\beta^t$.
# - Momentum's three forms, velocity (V), EMA (E) and PyTorch's (P), give the same trajectory when
#   $v = -\mathrm{lr}\,b$ and $\alpha(1-\beta) = \mathrm{lr}$; PyTorch's buffer sums gradients, so on a steady
#   slope it moves $1/(1-\mu)$ times faster than SGD with the same lr.
# - They differ under a learning-rate schedule (the velocity form stores lr inside $v$), and PyTorch's
#   `dampening` starts from an undamped buffer, so it is not the EMA unless the buffer starts at zero.
# - On a quadratic the best momentum converges at $(\sqrt\kappa-1)/(\sqrt\kappa+1)$ per step, against
#   gradient descent's $(\kappa-1)/(\kappa+1)$: 42 steps instead of 155 on the ellipse.
# - Next, Nesterov's variant evaluates the gradient where the momentum is about to carry the parameters.
