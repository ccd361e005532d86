# %% [markdown]
# # 09 · Adam: momentum and RMSProp, with the bias removed
#
# Adam (Kingma & Ba 2015) runs two moving averages at once: momentum's average of gradients (the
# first moment, 一阶动量) and RMSProp's average of squared gradients (the second moment, 二阶动量).
# Both start at zero, which biases them towards zero at the start; Adam divides the bias out.
#
# **You will learn**
# - the Adam rule in the four-step template, and the bias correction derived: why
#   $E[m_t] = (1-\beta_1^t)\,E[g]$, checked by simulation, and what the first steps look like without it;
# - the paper's "efficient" form with $\text{lr}_t$ and $\hat\varepsilon$, and exactly when it equals
#   Algorithm 1;
# - the sources' versions run next to Algorithm 1: [Ten optimizers]' `beta_i *= beta_i` bug, the
#   [Adam post]'s code, the [yorhaha notes]' formulas; and AdamW's decoupled weight decay.
#
# **Before this chapter**: 05 (momentum, EMAs), 08 (RMSProp).

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
# RMSProp (chapter 08) leaves two problems. Its steps are as noisy as the gradients (it rescales them
# but does not average them), and its average of $g^2$ starts at 0, so its first steps are too large.
# A slope with noisy gradients shows both: the true gradient is 0.1, each observed gradient adds noise
# of standard deviation 1. We record RMSProp's steps (in units of lr) and the same for momentum's
# averaged direction divided by RMSProp's scale, which is Adam.

# %%
T = 2000
noisy_grads = 0.1 + rng.standard_normal(T)
lr, alpha, beta1, beta2 = 1.0, 0.99, 0.9, 0.999  # lr = 1: the steps below are in units of lr

v, rmsprop_steps = 0.0, []
for g in noisy_grads:
    v = alpha * v + (1 - alpha) * g * g
    rmsprop_steps.append(lr * g / (np.sqrt(v) + 1e-8))

m, v, adam_steps = 0.0, 0.0, []
for t, g in enumerate(noisy_grads, start=1):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    adam_steps.append(lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + 1e-8))

for name, steps in (("RMSProp", np.array(rmsprop_steps)), ("Adam", np.array(adam_steps))):
    print(f"{name:8s} first step {abs(steps[0]):5.2f}·lr;  over steps 100–2000: mean step {steps[100:].mean():.3f}·lr, "
          f"spread (std) {steps[100:].std():.3f}·lr")

# %% [markdown]
# RMSProp's first step is $10\,\text{lr}$ (that is $1/\sqrt{1-\alpha}$, chapter 08). Afterwards both
# move downhill at about the same mean speed, but RMSProp's steps scatter about four times more:
# averaging the gradient first (momentum) removes most of the noise before the step is scaled. Adam's
# first step is exactly $\text{lr}$: that is the bias correction, derived below.

# %% [markdown]
# ## Derivation
#
# ### The rule
#
# Per coordinate, with $m_0 = v_0 = 0$ and $t = 1, 2, \dots$ (Algorithm 1 of the paper, and
# `torch.optim.Adam`):
#
# $$
# \begin{aligned}
# m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t && \text{first moment (momentum)}\\
# v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 && \text{second moment (RMSProp)}\\
# \hat m_t &= \frac{m_t}{1-\beta_1^t}, \quad \hat v_t = \frac{v_t}{1-\beta_2^t} && \text{bias correction}\\
# \theta_t &= \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \varepsilon} .
# \end{aligned}
# $$
#
# Defaults: $\eta = 10^{-3}$, $\beta_1 = 0.9$, $\beta_2 = 0.999$, $\varepsilon = 10^{-8}$. In the
# template of [Four-step notes]: $m_t$ is the first moment, $V_t = \hat v_t$, and the step is
# $\eta\,\hat m_t/\sqrt{V_t}$.
#
# ### The bias correction
#
# Unroll the first moment from $m_0 = 0$:
#
# $$
# m_t = (1-\beta_1) \sum_{i=1}^{t} \beta_1^{t-i} g_i .
# $$
#
# Suppose the gradients are random but *stationary*: every $g_i$ has the same mean $E[g]$. Taking the
# expectation, and summing the geometric series $\sum_{i=1}^{t}\beta_1^{t-i} = (1-\beta_1^t)/(1-\beta_1)$,
#
# $$
# E[m_t] = (1-\beta_1) \sum_{i=1}^{t} \beta_1^{t-i} E[g]
#        = (1-\beta_1)\,\frac{1-\beta_1^t}{1-\beta_1}\,E[g]
#        = (1-\beta_1^t)\,E[g] .
# $$
#
# The weights of an EMA started at zero add up to $1-\beta_1^t$, not to 1; the missing weight
# $\beta_1^t$ sits on $m_0 = 0$. Dividing by $1-\beta_1^t$ gives $E[\hat m_t] = E[g]$. The same
# argument for $v_t$ gives $E[v_t] = (1-\beta_2^t)\,E[g^2]$ and $E[\hat v_t] = E[g^2]$. With
# $\beta_2 = 0.999$ the bias is large for a long time: $1 - \beta_2^{10} \approx 0.01$.
# (For non-stationary gradients the paper adds a small error term; it is small when old gradients
# carry little weight.)
#
# **Without the correction**, take a constant gradient $g$. Then $m_t = (1-\beta_1^t)\,g$ and
# $v_t = (1-\beta_2^t)\,g^2$, and the uncorrected step is
#
# $$
# \eta\,\frac{m_t}{\sqrt{v_t}} = \eta\,\frac{1-\beta_1^t}{\sqrt{1-\beta_2^t}}\,\mathrm{sign}(g) ,
# $$
#
# which is $\eta\cdot0.1/\sqrt{0.001} = 3.16\,\eta$ at $t = 1$ and grows further before it falls back
# to $\eta$ after a few thousand steps, because $v$'s bias ($\beta_2$ close to 1) outlasts $m$'s. With
# the correction the step is exactly $\eta\,\mathrm{sign}(g)$ from the first step on.
#
# ### The "efficient" form
#
# Section 2 of the paper notes that the two corrections can be folded into the learning rate.
# Substitute $\hat m_t$ and $\hat v_t$ and multiply numerator and denominator by $\sqrt{1-\beta_2^t}$:
#
# $$
# \eta\,\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t}/\sqrt{1-\beta_2^t} + \varepsilon}
# = \underbrace{\eta\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}}_{\text{lr}_t}\;
#   \frac{m_t}{\sqrt{v_t} + \varepsilon\sqrt{1-\beta_2^t}} .
# $$
#
# The paper writes $\theta_t = \theta_{t-1} - \text{lr}_t\, m_t/(\sqrt{v_t} + \hat\varepsilon)$. This
# equals Algorithm 1 **exactly when** $\hat\varepsilon = \varepsilon\sqrt{1-\beta_2^t}$, a value that
# changes with $t$. Implementations that use a constant $\hat\varepsilon$ (Keras's `Adam`, whose
# documentation calls its epsilon "epsilon hat") run a slightly different algorithm: early on, their
# ε acts like $\varepsilon/\sqrt{1-\beta_2^t}$ in Algorithm 1, 31.6 times larger at $t = 1$.
#
# ### AdamW: decoupled weight decay
#
# L2 regularisation adds $\tfrac{\lambda}{2}\|\theta\|^2$ to the loss, i.e. $\lambda\theta$ to the
# gradient: `Adam(weight_decay=λ)`. In Adam that term then goes through the division by
# $\sqrt{\hat v}$: coordinates with large gradients are barely decayed, and a coordinate with no loss
# gradient is decayed by about $\eta$ per step *whatever* $\lambda$ is (the normalised step of a
# gradient $\lambda\theta$ is $\pm\eta$). Loshchilov & Hutter (2019) decouple the decay from the
# adaptive step:
#
# $$
# \theta \leftarrow \theta\,(1 - \eta\lambda), \quad \text{then the Adam step with the loss gradient alone}
# $$
#
# (`AdamW`, PyTorch's default $\lambda = 10^{-2}$), which shrinks every coordinate by the same factor.

# %% [markdown]
# ## Checking the derivation
#
# First the bias: simulate 20 000 independent runs of stationary gradients (mean 0.5, standard
# deviation 1), average $m_t$ and $v_t$ over the runs, and compare with $(1-\beta_1^t)E[g]$ and
# $(1-\beta_2^t)E[g^2]$.

# %%
runs, steps = 20_000, 300
mean_g, std_g = 0.5, 1.0
simulated = mean_g + std_g * rng.standard_normal((steps, runs))
m, v = np.zeros(runs), np.zeros(runs)
average_m, average_v = [], []
for g in simulated:
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    average_m.append(m.mean())
    average_v.append(v.mean())
t = np.arange(1, steps + 1)
predicted_m = (1 - beta1**t) * mean_g
predicted_v = (1 - beta2**t) * (mean_g**2 + std_g**2)
np.testing.assert_allclose(average_m, predicted_m, atol=4 * std_g / np.sqrt(runs))
np.testing.assert_allclose(average_v, predicted_v, rtol=0.03)
for k in (1, 10, 100, 300):
    print(f"t = {k:3d}: mean of m = {average_m[k - 1]:.4f}  (1 − β₁ᵗ)·E[g] = {predicted_m[k - 1]:.4f};   "
          f"mean of v = {average_v[k - 1]:.4f}  (1 − β₂ᵗ)·E[g²] = {predicted_v[k - 1]:.4f}")

# %% [markdown]
# At $t = 1$ the average of $m$ is a tenth of $E[g] = 0.5$ and the average of $v$ a thousandth of
# $E[g^2] = 1.25$, as predicted; $m$ has caught up by $t = 100$, $v$ after 300 steps still holds only
# a quarter of its target. Now the uncorrected step on a constant gradient, against the formula
# $(1-\beta_1^t)/\sqrt{1-\beta_2^t}$, and the corrected one, which should be exactly 1 (in units of
# $\eta$):

# %%
def adam_steps(grads, lr=1.0, beta1=0.9, beta2=0.999, eps=0.0, correct=True):
    """Adam's steps for a sequence of gradients (with or without the bias correction)."""
    m = v = np.zeros_like(grads[0])
    out = []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        if correct:
            out.append(lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps))
        else:
            out.append(lr * m / (np.sqrt(v) + eps))
    return np.array(out)


t = np.arange(1, 5001)
constant = np.full((5000, 1), 0.37)
uncorrected = adam_steps(constant, correct=False)[:, 0]
np.testing.assert_allclose(uncorrected, (1 - beta1**t) / np.sqrt(1 - beta2**t), rtol=1e-12)
np.testing.assert_allclose(adam_steps(constant)[:, 0], 1.0, rtol=1e-12)
peak = uncorrected.argmax()
print(f"without correction: step/lr = {uncorrected[0]:.2f} at t = 1, peak {uncorrected[peak]:.2f} at t = {peak + 1}, "
      f"{uncorrected[99]:.2f} at t = 100, {uncorrected[999]:.2f} at t = 1000, {uncorrected[4999]:.2f} at t = 5000")
print("with correction:    step/lr = 1 at every t")

# %% [markdown]
# Without the correction the steps are 3.16 times too large at once and up to 6.57 times too large
# at $t = 12$; they are still 26 % too large after 1000 steps. Next, the efficient form: with the
# time-varying $\hat\varepsilon_t = \varepsilon\sqrt{1-\beta_2^t}$ it must reproduce Algorithm 1 to
# rounding, with a constant $\hat\varepsilon = \varepsilon$ it must not. We feed both the same
# recorded gradients, once of size 1 and once of size $10^{-6}$, where ε matters.

# %%
def efficient_steps(grads, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, eps_hat=None):
    """The paper's §2 form: lrₜ = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ), step lrₜ·m/(√v + ε̂); ε̂ = ε·√(1 − β₂ᵗ) if None."""
    m = v = np.zeros_like(grads[0])
    out = []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
        hat = eps * np.sqrt(1 - beta2**t) if eps_hat is None else eps_hat
        out.append(lr_t * m / (np.sqrt(v) + hat))
    return np.array(out)


recorded = rng.standard_normal((1000, 10))
for scale in (1.0, 1e-6):
    algorithm_1 = adam_steps(recorded * scale, lr=1e-3, eps=1e-8)
    matched = efficient_steps(recorded * scale, eps_hat=None)
    constant_hat = efficient_steps(recorded * scale, eps_hat=1e-8)
    np.testing.assert_allclose(matched, algorithm_1, rtol=1e-10, atol=1e-18)
    gap = np.abs(constant_hat - algorithm_1).max() / np.abs(algorithm_1).max()
    print(f"gradients ×{scale:g}: ε̂ = ε√(1 − β₂ᵗ) matches Algorithm 1 to rounding; "
          f"constant ε̂ = ε differs by {gap:.1e} of the largest step")

# %% [markdown]
# With gradients of size 1 the constant-ε̂ form differs by $8\times10^{-7}$ of the largest step,
# invisible; with gradients of size $10^{-6}$ by 44 % of it. The efficient form with a constant
# $\hat\varepsilon$ is a different algorithm exactly where ε matters.

# %% [markdown]
# ## From scratch
#
# Adam in NumPy, with PyTorch's state names; then `minigrad.optim.Adam` fed the same recorded noisy
# gradients (on the 10-dimensional quadratic with curvatures 0.1 … 10 of chapter 08), and PyTorch.

# %%
def adam_update(w, g, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    state["step"] = t = state.get("step", 0) + 1
    m = state["exp_avg"] = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * g
    v = state["exp_avg_sq"] = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps)


curvatures = np.logspace(-1, 1, 10)
w_start = rng.standard_normal(10) * 3
noise = rng.standard_normal((500, 10))


def numpy_run(update, **hyper):
    w, state, points = w_start.copy(), {}, [w_start.copy()]
    for k in range(len(noise)):
        w = update(w, curvatures * w + noise[k], state, **hyper)
        points.append(w)
    return np.array(points)


def minigrad_run(make_optimizer):
    w = mg.tensor(w_start, requires_grad=True)
    optimizer = make_optimizer([w])
    points = [w_start.copy()]
    for k in range(len(noise)):
        optimizer.zero_grad()
        w.grad = mg.tensor(curvatures * w.data + noise[k])
        optimizer.step()
        points.append(w.data.copy())
    return np.array(points)


ours = numpy_run(adam_update, lr=0.05)
library = minigrad_run(lambda params: optim.Adam(params, lr=0.05))
np.testing.assert_allclose(library, ours, rtol=1e-10, atol=1e-12)
print(f"from scratch = optim.Adam over 500 steps (to rounding: within 1e-10); "
      f"loss {0.5 * (curvatures * w_start**2).sum():.1f} → {0.5 * (curvatures * ours[-1] ** 2).sum():.3f}")

# %% tags=["torch"]
try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed: skipping the comparison with torch.optim.Adam")

if torch is not None:
    def torch_run(make_optimizer):
        w = torch.tensor(w_start, requires_grad=True)
        optimizer = make_optimizer([w])
        points = [w_start.copy()]
        for k in range(len(noise)):
            optimizer.zero_grad()
            w.grad = torch.tensor(curvatures) * w.detach() + torch.tensor(noise[k])
            optimizer.step()
            points.append(w.detach().numpy().copy())
        return np.array(points)

    np.testing.assert_allclose(torch_run(lambda ps: torch.optim.Adam(ps, lr=0.05)), ours, rtol=1e-10, atol=1e-12)
    print("torch.optim.Adam agrees with the from-scratch rule")

# %% [markdown]
# ## Picture
#
# The simulation above, drawn: the averages of $m_t$ and $v_t$ over 20 000 runs lie on the curves
# $(1-\beta^t)$ times their targets, and the uncorrected step (right) is several times too large for
# the first hundreds of steps.

# %%
figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
t = np.arange(1, steps + 1)
left.plot(t, np.array(average_m) / mean_g, label="mean of m / E[g]  (simulated)")
left.plot(t, 1 - beta1**t, "k:", label="1 − β₁ᵗ")
left.plot(t, np.array(average_v) / (mean_g**2 + std_g**2), label="mean of v / E[g²]  (simulated)")
left.plot(t, 1 - beta2**t, "k--", label="1 − β₂ᵗ")
left.set(xlabel="step t", ylabel="fraction of the target", title="EMAs started at 0 are biased", xscale="log")
left.legend()
t = np.arange(1, 5001)
right.semilogx(t, uncorrected, label="no correction: (1 − β₁ᵗ)/√(1 − β₂ᵗ)")
right.semilogx(t, np.ones_like(t), "--", label="Adam (corrected)")
right.set(xlabel="step t", ylabel="step / lr (constant gradient)", title="The first steps without the correction")
right.legend()
figure.tight_layout()
plt.show()

# %% [markdown]
# On a surface: the ill-conditioned bowl $x^2/20 + y^2$ from chapter 07, Adam with and without the
# bias correction (lr = 0.3, 60 steps), drawn with `minigrad.viz` (the corrected path is checked
# against `optim.Adam` first). Look at how far each overshoots the minimum along $x$.

# %%
from IPython.display import display
from minigrad.viz import SURFACES, path, plot_trajectories


def bowl_path(correct, lr=0.3, steps=60):
    w, m, v = np.array(SURFACES["ellipse"].start), np.zeros(2), np.zeros(2)
    points = [w.copy()]
    for t in range(1, steps + 1):
        g = np.array([w[0] / 10, 2 * w[1]])
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        scale = (1 - beta1**t, np.sqrt(1 - beta2**t)) if correct else (1.0, 1.0)
        w = w - lr * (m / scale[0]) / (np.sqrt(v) / scale[1] + 1e-8)
        points.append(w.copy())
    return np.array(points)


paths = {"Adam": bowl_path(True), "Adam without bias correction": bowl_path(False)}
np.testing.assert_allclose(paths["Adam"], path(SURFACES["ellipse"], lambda ps: optim.Adam(ps, lr=0.3), steps=60), rtol=1e-10)
for name, points in paths.items():
    print(f"{name:29s} overshoots to x = {points[:, 0].max():.2f}, "
          f"distance from the minimum after 60 steps: {np.linalg.norm(points[-1]):.3f}")
figure = plot_trajectories(SURFACES["ellipse"], paths)
figure.axes[0].set_title("x²/20 + y²: Adam with and without bias correction (lr = 0.3, 60 steps)")
display(figure)

# %% [markdown]
# The uncorrected run's early steps, several times too long, carry it past the minimum to
# $x = 3.68$ (Adam: 0.71), and after 60 steps it is still 0.270 from the minimum where Adam is at 0.120.

# %% [markdown]
# ## What the sources got wrong
#
# ### [Ten optimizers]: `beta_i *= beta_i`
#
# Its Adam keeps the powers $\beta_1^t$ and $\beta_2^t$ in `alpha_i` and `beta_i`, both starting at 1
# and updated before use. `alpha_i *= self.alpha` is right; `beta_i *= beta_i` squares the running
# power instead of multiplying it by $\beta_2$. Starting from 1 it stays $1 \cdot 1 = 1$ forever, so
# $\text{lr}_t = \eta\sqrt{1 - 1}/(1-\beta_1^t) = 0$: **the optimizer never moves**. Had the power
# started at $\beta_2$ and been squared after use, it would be $\beta_2^{2^{t-1}}$, which reaches 0
# within a few dozen steps: **the second moment's correction vanishes** while it is still needed, and
# the early steps are several times too large. Here is the class as printed (the `+` lost in rendering restored),
# the "start at β" variant, and the fix, on the noisy quadratic.

# %%
class TenOptimizersAdam:
    """[Ten optimizers]' Adam as printed (`+` restored): r₀ = ε, no ε in the denominator, the
    efficient form, and `beta_i *= beta_i`. With fixed=True: `beta_i *= beta`."""

    def __init__(self, lr=1e-3, alpha=0.9, beta=0.999, eps=1e-8, fixed=False):
        self.s, self.r = 0, eps
        self.lr, self.alpha, self.beta = lr, alpha, beta
        self.alpha_i, self.beta_i, self.fixed = 1, 1, fixed

    def update(self, g):
        self.s = self.s * self.alpha + (1 - self.alpha) * g
        self.r = self.r * self.beta + (1 - self.beta) * np.square(g)
        self.alpha_i *= self.alpha
        self.beta_i *= self.beta if self.fixed else self.beta_i
        lr = -self.lr * (1 - self.beta_i) ** 0.5 / (1 - self.alpha_i)
        return lr * self.s / np.sqrt(self.r)


class SquaredAfterUse(TenOptimizersAdam):
    """The other way to write the bug: the power starts at β₂ and is squared after use, β₂^(2^(t−1))."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.beta_i = self.beta

    def update(self, g):
        self.s = self.s * self.alpha + (1 - self.alpha) * g
        self.r = self.r * self.beta + (1 - self.beta) * np.square(g)
        self.alpha_i *= self.alpha
        lr = -self.lr * (1 - self.beta_i) ** 0.5 / (1 - self.alpha_i)
        self.beta_i *= self.beta_i
        return lr * self.s / np.sqrt(self.r)


def article_run(optimizer, steps=500):
    w, losses = w_start.copy(), []
    for k in range(steps):
        w = w + optimizer.update(curvatures * w + noise[k])
        losses.append(0.5 * (curvatures * w**2).sum())
    return np.array(losses), w


start_loss = 0.5 * (curvatures * w_start**2).sum()
as_printed, _ = article_run(TenOptimizersAdam(lr=0.05))
squared_from_beta, _ = article_run(SquaredAfterUse(lr=0.05))
fixed_losses, fixed_w = article_run(TenOptimizersAdam(lr=0.05, fixed=True))
assert np.all(as_printed == start_loss)
print(f"start: loss {start_loss:.3f}")
for name, losses in (("as printed (β power starts at 1)", as_printed), ("power starts at β, squared", squared_from_beta),
                     ("fixed: beta_i *= beta", fixed_losses)):
    print(f"{name:34s} loss after 5, 50, 500 steps: {losses[4]:8.3f} {losses[49]:8.3f} {losses[499]:8.3f}")

# %% [markdown]
# As printed, the loss never changes (asserted): the optimizer does nothing at all. With the power
# started at β the run races ahead early (loss 1.31 after 50 steps where Adam is at 38.2): its steps
# are several times larger than the learning rate asks for. On this gentle problem that happens to
# help; in general it silently replaces the learning rate the user chose. The factor
# $\sqrt{1-\beta_2^{(\cdot)}}/(1-\beta_1^t)$ that multiplies the learning rate shows where they part:

# %%
print(" t   correct √(1−β₂ᵗ)/(1−β₁ᵗ)   squared √(1−β₂^(2^(t−1)))/(1−β₁ᵗ)   ratio")
for k in (1, 2, 3, 4, 5, 10, 20, 100):
    right_factor = np.sqrt(1 - beta2**k) / (1 - beta1**k)
    squared_factor = np.sqrt(1 - beta2 ** (2 ** (k - 1))) / (1 - beta1**k)
    print(f"{k:3d}   {right_factor:24.4f}   {squared_factor:33.4f}   {squared_factor / right_factor:6.2f}")

# %% [markdown]
# Identical at $t = 1, 2$ ($2^0 = 1$, $2^1 = 2$), 1.15 times too large at $t = 3$, 6.3 at $t = 10$ and
# still 3.2 at $t = 100$: the correction is gone after about 13 squarings ($\beta_2^{4096} \approx
# 0.017$).
#
# The fixed class is `minigrad.optim.Adam(eps=0, initial_accumulator_value=ε)`, Adam with $v_0 = \varepsilon$
# and no ε in the denominator (asserted next). That is chapter 08's r₀ = ε trick in an EMA, and it
# interacts with the correction: $v_t/(1-\beta_2^t) = \hat v_t + \varepsilon\beta_2^t/(1-\beta_2^t)$,
# about $999\,\varepsilon$ at $t = 1$, so with small gradients the first steps are damped.

# %%
library_fixed = minigrad_run(lambda ps: optim.Adam(ps, lr=0.05, eps=0, initial_accumulator_value=1e-8))
np.testing.assert_allclose(library_fixed[-1], fixed_w, rtol=1e-9)
for k in (1, 10, 100, 1000):
    print(f"t = {k:4d}: r₀ = ε adds {1e-8 * beta2**k / (1 - beta2**k):.2e} to v̂ "
          f"(a gradient of 1e-4 has g² = 1e-8)")
small = rng.standard_normal((50, 10)) * 1e-4
r0_steps = []
m, r = np.zeros(10), np.full(10, 1e-8)
for k, g in enumerate(small, start=1):
    m = beta1 * m + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g * g
    r0_steps.append(1e-3 * np.sqrt(1 - beta2**k) / (1 - beta1**k) * m / np.sqrt(r))
ratio = np.abs(np.array(r0_steps)) / np.abs(adam_steps(small, lr=1e-3, eps=1e-8))
print(f"gradients of 1e-4: r₀ = ε takes {ratio[0].mean():.2f} of Algorithm 1's first step, {ratio[9].mean():.2f} at t = 10, "
      f"{ratio[49].mean():.2f} at t = 50")

# %% [markdown]
# With gradients of size $10^{-4}$ the fixed class takes only 3 % of Algorithm 1's first step, 10 %
# at $t = 10$ and 22 % at $t = 50$: the ε it started $v$ with is multiplied up by the correction.
#
# ### The [Adam post]: `v` and `s`
#
# The post's step-by-step snippets update the first moment from an undefined `v`
# (`m[:] = beta1 * v + …`) and the second from an undefined `s` (`g[:] = beta2 * s + …`); run as
# written, the first line raises (the post gives the second moment's line first). Its complete
# function is right: `m` from `m`,
# `g` (its name for $v$) from `g`, $t$ from 1, with β₂ = 0.99 and ε = 1e-6. Transcribed to NumPy, it
# must equal `optim.Adam(betas=(0.9, 0.99), eps=1e-6)`.

# %%
snippet = """
g[:] = beta2 * s + (1 - beta2) * grad * grad
m[:] = beta1 * v + (1 - beta1) * grad
"""  # the post's two snippets, in its order, `p.grad` written `grad` and torch.mul as *
namespace = {"m": np.zeros(2), "g": np.zeros(2), "grad": np.ones(2), "beta1": 0.9, "beta2": 0.99}
try:
    exec(snippet, namespace)
except NameError as error:
    print(f"as printed: {type(error).__name__} (the name {error.name!r} is never defined)")


def adam_post(params, states, hyperparams):
    """The [Adam post]'s adam(), in NumPy: params and states are lists of [value, grad] and (m, g) arrays."""
    beta1, beta2, eps = 0.9, 0.99, 1e-6
    for (p, grad), (m, g) in zip(params, states):
        m[:] = beta1 * m + (1 - beta1) * grad
        g[:] = beta2 * g + (1 - beta2) * grad * grad
        m_bias_corr = m / (1 - beta1 ** hyperparams["t"])
        g_bias_corr = g / (1 - beta2 ** hyperparams["t"])
        p[:] -= hyperparams["lr"] * m_bias_corr / (np.sqrt(g_bias_corr) + eps)
    hyperparams["t"] += 1


w, states, hyperparams = w_start.copy(), [(np.zeros(10), np.zeros(10))], {"lr": 0.05, "t": 1}
post_points = [w.copy()]
for k in range(len(noise)):
    adam_post([[w, curvatures * w + noise[k]]], states, hyperparams)
    post_points.append(w.copy())
library_post = minigrad_run(lambda ps: optim.Adam(ps, lr=0.05, betas=(0.9, 0.99), eps=1e-6))
np.testing.assert_allclose(np.array(post_points), library_post, rtol=1e-10, atol=1e-12)
print("the [Adam post]'s function = optim.Adam(betas=(0.9, 0.99), eps=1e-6) over 500 steps")

# %% [markdown]
# ### The [yorhaha notes] and the [SJTU slides]: ε inside the root
#
# The [yorhaha notes] write the step as $\alpha\, m_t/\sqrt{v_t + \epsilon}$ with $\epsilon = 10^{-9}$
# and list the bias correction separately as "warm up"; the [SJTU slides] write
# $\alpha\,\hat m_t/\sqrt{\hat S_t + \epsilon}$. With the correction, this is Algorithm 1 with ε moved
# inside the root: its floor is $\sqrt{10^{-9}} \approx 3\times10^{-5}$ in gradient units instead of
# $10^{-8}$. Without the "warm up" it is also the uncorrected Adam. Same recorded gradients, three
# sizes, difference from Algorithm 1 relative to its largest step:

# %%
def eps_inside_steps(grads, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-9, warm_up=True):
    m = v = np.zeros_like(grads[0])
    out = []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        if warm_up:
            out.append(lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps))
        else:
            out.append(lr * m / np.sqrt(v + eps))
    return np.array(out)


for scale in (1.0, 1e-4, 1e-6):
    reference = adam_steps(recorded * scale, lr=1e-3, eps=1e-8)
    with_warm_up = eps_inside_steps(recorded * scale)
    without = eps_inside_steps(recorded * scale, warm_up=False)
    size = np.abs(reference).max()
    print(f"gradients ×{scale:<6g} with warm-up: {np.abs(with_warm_up - reference).max() / size:.1e}   "
          f"without: {np.abs(without - reference).max() / size:.1e}")

# %% [markdown]
# With gradients of size 1 the warm-up version is Algorithm 1 to $2\times10^{-8}$ of the largest
# step; at $10^{-4}$ it differs by 24 %, and at $10^{-6}$ by 97 %: its steps are a few per cent of
# Algorithm 1's, because the root's floor $\sqrt{10^{-9}}$ dominates. Without the warm-up the early
# steps are the uncorrected ones, several times too large, at every gradient size.

# %% [markdown]
# ### AdamW vs L2 in the gradient
#
# Not a source's mistake, but the most common confusion about Adam: `Adam(weight_decay=λ)` and
# `AdamW(weight_decay=λ)` are different rules. From scratch, both against `minigrad.optim` on the noisy
# quadratic, and then the coordinate that shows the difference: one with no loss gradient at all.

# %%
def adam_l2_update(w, g, state, lr, weight_decay, **hyper):
    return adam_update(w, g + weight_decay * w, state, lr=lr, **hyper)


def adamw_update(w, g, state, lr, weight_decay, **hyper):
    return adam_update(w * (1 - lr * weight_decay), g, state, lr=lr, **hyper)


l2 = numpy_run(adam_l2_update, lr=0.05, weight_decay=0.1)
decoupled = numpy_run(adamw_update, lr=0.05, weight_decay=0.1)
np.testing.assert_allclose(minigrad_run(lambda ps: optim.Adam(ps, lr=0.05, weight_decay=0.1)), l2, rtol=1e-10, atol=1e-12)
np.testing.assert_allclose(minigrad_run(lambda ps: optim.AdamW(ps, lr=0.05, weight_decay=0.1)), decoupled, rtol=1e-10, atol=1e-12)
print(f"Adam(weight_decay) and AdamW match their from-scratch rules; they end {np.abs(l2[-1] - decoupled[-1]).max():.3f} apart")

for weight_decay in (1e-3, 1e-1):
    w_l2, w_w, state_l2, state_w = np.array([1.0]), np.array([1.0]), {}, {}
    for _ in range(100):
        w_l2 = adam_l2_update(w_l2, np.zeros(1), state_l2, lr=1e-3, weight_decay=weight_decay)
        w_w = adamw_update(w_w, np.zeros(1), state_w, lr=1e-3, weight_decay=weight_decay)
    print(f"λ = {weight_decay:g}: a weight with no loss gradient, after 100 steps of lr = 1e-3: "
          f"L2 in Adam {w_l2[0]:.4f}, AdamW {w_w[0]:.6f}")

# %% tags=["torch"]
if torch is None:
    print("PyTorch is not installed: skipping the comparison with torch.optim.Adam(weight_decay) / AdamW")
else:
    np.testing.assert_allclose(torch_run(lambda ps: torch.optim.Adam(ps, lr=0.05, weight_decay=0.1)), l2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(torch_run(lambda ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=0.1)), decoupled, rtol=1e-10, atol=1e-12)
    print("torch.optim.Adam(weight_decay=0.1) and torch.optim.AdamW(weight_decay=0.1) agree")

# %% [markdown]
# With L2 in the gradient, the silent weight shrinks by about lr per step (to 0.9 after 100 steps)
# whether λ is $10^{-3}$ or $10^{-1}$: Adam normalises the decay term away. AdamW shrinks it by the
# factor $(1 - \eta\lambda)^{100}$: 0.9999 and 0.99, in proportion to λ, as weight decay should.

# %% [markdown]
# ## Exercises
#
# ### Exercise 09.1: an Adam step (3 points)
#
# Write one step of Adam (Algorithm 1, PyTorch's `Adam` without weight decay) as a pure function: given
# the parameters, the gradient, the moments `exp_avg` ($m_{t-1}$) and `exp_avg_sq` ($v_{t-1}$), the step
# count `t` (1 at the first step) and the hyperparameters, return the new parameters, `exp_avg` and
# `exp_avg_sq`. The checker knows the mistakes of this chapter by name.

# %%
def adam_step(param, grad, exp_avg, exp_avg_sq, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step: return (new param, new exp_avg, new exp_avg_sq) as new arrays."""
    # BEGIN SOLUTION
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    m_hat = exp_avg / (1 - beta1**t)
    v_hat = exp_avg_sq / (1 - beta2**t)
    param = param - lr * m_hat / (np.sqrt(v_hat) + eps)
    return param, exp_avg, exp_avg_sq
    # END SOLUTION


# %%
check("09.adam_step", adam_step);

# %% [markdown]
# ## Summary
#
# - Adam = momentum's EMA of $g$ divided by the root of RMSProp's EMA of $g^2$, both bias-corrected:
#   $\theta \leftarrow \theta - \eta\,\hat m_t/(\sqrt{\hat v_t} + \varepsilon)$.
# - An EMA started at 0 has expectation $(1-\beta^t)$ times the target (simulated above); without the
#   correction Adam's early steps are up to 6.57 times too large.
# - The efficient form $\text{lr}_t\,m_t/(\sqrt{v_t} + \hat\varepsilon)$ is Algorithm 1 only for
#   $\hat\varepsilon = \varepsilon\sqrt{1-\beta_2^t}$; a constant $\hat\varepsilon$ (Keras) differs
#   where gradients are small.
# - [Ten optimizers]' `beta_i *= beta_i` freezes the optimizer (power stuck at 1) or removes the
#   correction (power $\beta_2^{2^{t-1}}$); the [Adam post]'s function is Algorithm 1 (its snippets are
#   not); ε inside the root ([yorhaha notes], [SJTU slides]) is a different rule for small gradients.
# - `AdamW` decays every weight by $(1-\eta\lambda)$; L2 inside Adam's gradient is normalised away.
