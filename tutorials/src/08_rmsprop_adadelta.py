# %% [markdown]
# # 08 · RMSProp and AdaDelta: forgetting the past
#
# AdaGrad (chapter 07) divides each step by the root of the *sum* of all past squared gradients, so
# its steps only shrink. RMSProp replaces the sum by a moving average that forgets; AdaDelta goes one
# step further and replaces the learning rate by a moving average of past steps, so that the update
# has the units of the parameters.
#
# **You will learn**
# - RMSProp as AdaGrad with an exponential moving average (EMA), and what that fixes;
# - why "ε as the starting value r₀" is exact for AdaGrad but *not* for an EMA: the stabiliser decays
#   like βᵗ·ε, and a parameter that saw no gradient for a while can take a huge step;
# - Zeiler's unit argument for AdaDelta, why it needs no learning rate, and what goes wrong in the
#   version of [Ten optimizers] that drops ε from under the square roots.
#
# **Before this chapter**: 05 (moving averages and their window 1/(1 − β)), 07 (AdaGrad, ε as r₀).

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
# A loss that starts with a steep cliff and continues with a long gentle slope: gradient 10 for
# $w > 5$, gradient 0.1 for $0.5 < w \le 5$, and a small bowl $0.1\,w^2$ at the bottom. AdaGrad crosses
# the cliff with large gradients, and those stay in its sum forever. We start at $w = 10$ and count
# the steps until $|w| < 0.1$; AdaGrad gets a ten times larger learning rate to be fair.

# %%
def cliff_grad(w):
    """The gradient of the cliff-then-slope loss (continuous at w = 0.5)."""
    return np.where(w > 5, 10.0, np.where(w > 0.5, 0.1, 0.2 * w))


def run_1d(step, w0=10.0, steps=3000):
    """Positions visited by `step(w, g, state) -> w` from w0."""
    w, state, visited = np.array([w0]), {}, [w0]
    for _ in range(steps):
        w = step(w, cliff_grad(w), state)
        visited.append(w[0])
    return np.array(visited)


def adagrad(w, g, state, lr=1.0):
    state["r"] = state.get("r", 0.0) + g * g
    return w - lr * g / (np.sqrt(state["r"]) + 1e-10)


def rmsprop(w, g, state, lr=0.1, alpha=0.9):
    state["v"] = alpha * state.get("v", 0.0) + (1 - alpha) * g * g
    return w - lr * g / (np.sqrt(state["v"]) + 1e-8)


cliff_paths = {"AdaGrad, lr = 1": run_1d(adagrad), "RMSProp, lr = 0.1, α = 0.9": run_1d(rmsprop)}
for name, visited in cliff_paths.items():
    arrived = np.flatnonzero(np.abs(visited) < 0.1)
    print(f"{name:26s} w after 3000 steps = {visited[-1]:.3f}, "
          f"first |w| < 0.1 at step {arrived[0] if arrived.size else 'never'}")

# %% [markdown]
# AdaGrad needs 1687 steps, RMSProp 167, although AdaGrad has the larger learning rate. AdaGrad
# crosses the cliff in a few steps and then crawls down the slope, because $\sqrt{r}$ remembers the
# gradients of 10. RMSProp forgets them within a few dozen steps ($1/(1-\alpha) = 10$ is its window)
# and walks down the slope at full speed (at the end it hovers within about lr of the minimum, since
# its steps never shrink).

# %% [markdown]
# ## Derivation
#
# ### RMSProp: AdaGrad with a moving average
#
# RMSProp (Tieleman & Hinton, Coursera lecture 6e, 2012) keeps an EMA of squared gradients instead of
# their sum (per coordinate, as always):
#
# $$
# v_t = \alpha\, v_{t-1} + (1-\alpha)\, g_t^2, \qquad
# \theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{v_t} + \varepsilon}\, g_t .
# $$
#
# Unrolling the recursion from $v_0$ (chapter 05),
#
# $$
# v_t = (1-\alpha)\sum_{i=1}^{t} \alpha^{t-i} g_i^2 + \alpha^t v_0 ,
# $$
#
# a weighted average whose weights fall by $\alpha$ per step: gradients older than about
# $1/(1-\alpha)$ steps barely count. For a constant gradient $g$, $v_t \to g^2$ and the step tends to
# $\eta\,\mathrm{sign}(g)$: it no longer shrinks with $t$. PyTorch starts at $v_0 = 0$ with no bias
# correction, so its first step is $\eta\,g/\sqrt{(1-\alpha)g^2} = \eta/\sqrt{1-\alpha}$: ten times
# $\eta$ for the default $\alpha = 0.99$. In the template of [Four-step notes]: $m_t = g_t$,
# $V_t = v_t$.
#
# ### Why ε as r₀ is not exact for a moving average
#
# [Ten optimizers] applies chapter 07's trick to RMSProp: $v_0 = \varepsilon$ and no ε in the
# denominator. Put $v_0 = \varepsilon$ into the unrolled form:
#
# $$
# v_t = \underbrace{(1-\alpha)\sum_{i=1}^{t} \alpha^{t-i} g_i^2}_{\text{the EMA from } 0}
# + \underbrace{\alpha^t \varepsilon}_{\text{what is left of } \varepsilon} .
# $$
#
# For AdaGrad the ε term stays $\varepsilon$ forever ($r_t = \varepsilon + \sum g_i^2$). Here it decays
# geometrically: after $t$ steps the stabiliser is $\alpha^t\varepsilon$, and the rule becomes RMSProp
# *without* ε. That is harmless while gradients are large, and dangerous when a coordinate sees no
# gradient for a long stretch (a ReLU unit that is off, an embedding row that is not used): its $v$
# decays like $\alpha^t\varepsilon$ towards zero, through the smallest normal float
# ($2.2\times10^{-308}$ in float64, $1.2\times10^{-38}$ in float32) into the subnormal numbers, where
# it stops at a few units of the smallest subnormal (for such a number, multiplying by $\alpha$ rounds
# back to the same number). When a tiny gradient $g$ then arrives,
#
# $$
# v \approx (1-\alpha)\,g^2 \quad\Rightarrow\quad
# \Delta\theta = \eta\,\frac{g}{\sqrt{(1-\alpha) g^2}} = \frac{\eta}{\sqrt{1-\alpha}}
# $$
#
# whatever the size of $g$: a full-size step in response to numerical noise. With an explicit ε the
# same gradient gives $\eta\,g/(\sqrt{(1-\alpha)}|g| + \varepsilon) \approx \eta\,g/\varepsilon$, a step
# proportional to $g$. So RMSProp, AdaDelta and Adam keep an explicit ε.
#
# ### AdaDelta: a step with the units of θ
#
# Zeiler (2012) starts from units. Say θ is measured in metres and the loss is a pure number. Then
# $g = \partial f/\partial\theta$ has units 1/m, and
#
# - SGD's step $\eta g$ has units of $\eta$/m, so $\eta$ must carry m²;
# - AdaGrad's and RMSProp's step $\eta\,g/\sqrt{v}$ has no units at all, so $\eta$ must carry m: the
#   learning rate is a length, and it is only right for one choice of units of θ;
# - Newton's step $H^{-1} g$ does have units of m, since the curvature $H = \partial^2 f/\partial\theta^2$
#   has units 1/m².
#
# For a diagonal Newton step, $\Delta\theta = g/H$ gives $1/H = \Delta\theta/g$. Zeiler estimates both
# quantities by running RMS values, with $\mathrm{RMS}[x]_t = \sqrt{E[x^2]_t + \varepsilon}$:
#
# $$
# r_t = \rho\, r_{t-1} + (1-\rho)\, g_t^2, \qquad
# \Delta\theta_t = \frac{\sqrt{s_{t-1} + \varepsilon}}{\sqrt{r_t + \varepsilon}}\, g_t , \qquad
# s_t = \rho\, s_{t-1} + (1-\rho)\, \Delta\theta_t^2, \qquad
# \theta_t = \theta_{t-1} - \Delta\theta_t ,
# $$
#
# with $r_0 = s_0 = 0$. Units: $\sqrt{s}$ is in m, $\sqrt{r}$ and $g$ are in 1/m, so
# $\Delta\theta$ is in m. There is **no learning rate**: the step scale is $\sqrt{s}$, the RMS of the
# recent steps themselves. ($s_{t-1}$, not $s_t$, because $\Delta\theta_t$ is not known yet.) The ε in
# the numerator is not only a guard: at the start $s_0 = 0$, so $\sqrt{\varepsilon}$ *is* the first
# step scale, and later it is a floor that lets the step scale grow again after it has become small.
# PyTorch (`Adadelta(lr=1.0, rho=0.9, eps=1e-6)`) multiplies the step by `lr`, 1 by default; Zeiler
# uses ρ = 0.95.
#
# The unit argument gives a property we can test: if θ is rescaled, $\theta' = c\,\theta$ (metres to
# centimetres), then $g' = g/c$, and with the two ε's rescaled with their units
# ($\varepsilon_r' = \varepsilon_r/c^2$ under $r$, $\varepsilon_s' = c^2\varepsilon_s$ under $s$) every
# AdaDelta step is exactly $c$ times larger: $\Delta\theta' = c\,\Delta\theta$. RMSProp's steps are
# the same number in any units, so its path in θ changes when the units do.
#
# ### [Ten optimizers]' AdaDelta
#
# [Ten optimizers] again sets $r_0 = s_0 = \varepsilon$ and removes ε from under both roots:
# $\Delta\theta_t = \sqrt{s_{t-1}/r_t}\; g_t$. As for RMSProp the ε start is forgotten, but here the
# consequence is worse: without $+\varepsilon$ the numerator has no floor. $s$ is now a pure average of
# past $\Delta\theta^2$, and each new $\Delta\theta^2 = (s_{t-1}/r_t)\,g_t^2$ is $s_{t-1}$ times
# $x_t = g_t^2/r_t$, so every step multiplies $s$ by a factor:
#
# $$
# s_t = s_{t-1}\,\bigl(\rho + (1-\rho)\,x_t\bigr) .
# $$
#
# While the loss decreases the gradients shrink, $x_t < 1$ on average, and $s$ shrinks. With noisy
# gradients of a steady size $x_t$ averages a little below 1 (a large $g_t^2$ raises $r_t$ in the same
# step), and even a product of random factors of mean 1 drifts to 0: its
# logarithm is a sum of terms $\log(\rho + (1-\rho)x_t)$ whose mean is negative (by Jensen's
# inequality, the mean of a logarithm is below the logarithm of the mean). The steps shrink with $s$,
# and there is no $+\varepsilon$ to hold them up: the step scale decays instead of adapting. Zeiler's
# $\sqrt{s_{t-1} + \varepsilon}$ bounds it below by $\sqrt\varepsilon$.

# %% [markdown]
# ## Checking the derivation
#
# First the unrolled form with $v_0 = \varepsilon$: run the recursion and compare it with the EMA from
# zero plus $\alpha^t\varepsilon$.

# %%
alpha, eps = 0.9, 1e-6
grads = rng.standard_normal((200, 3))
v = np.full(3, eps)
ema_from_zero = np.zeros(3)
for t, g in enumerate(grads, start=1):
    v = alpha * v + (1 - alpha) * g * g
    ema_from_zero = alpha * ema_from_zero + (1 - alpha) * g * g
    np.testing.assert_allclose(v, ema_from_zero + alpha**t * eps, rtol=1e-13)
print(f"v₀ = ε leaves {alpha**200 * eps:.1e} of ε after 200 steps (α = {alpha}); AdaGrad would keep all of {eps:g}")

# %% [markdown]
# After 200 steps only $7\times10^{-16}$ of the ε is left. Now the dangerous case, with
# `minigrad.optim.RMSProp` itself: the [Ten optimizers] form is `RMSProp(eps=0,
# initial_accumulator_value=ε)`, PyTorch's is `RMSProp(eps=1e-8)`. A parameter gets zero gradients
# for 8000 steps, then one gradient of $10^{-12}$. We feed the gradients by hand (`w.grad = …`, as in
# PyTorch) and watch `square_avg`, which is $v$.

# %%
def zero_then_tiny(make_optimizer, dtype, zeros=8000, tiny=1e-12):
    """Feed `zeros` zero gradients, then one gradient `tiny`; return v along the way and the last step."""
    w = mg.zeros(1, dtype=dtype, requires_grad=True)
    optimizer = make_optimizer([w])
    v_history = []
    for _ in range(zeros):
        w.grad = mg.zeros(1, dtype=dtype)
        optimizer.step()
        v_history.append(float(optimizer.state[w]["square_avg"][0]))
    w.grad = mg.full((1,), tiny, dtype=dtype)
    optimizer.step()
    return np.array(v_history), -float(w.data[0])


lr = 0.01
for dtype in (mg.float64, mg.float32):
    tiny_normal = np.finfo(np.dtype(dtype)).tiny
    v_seed, step_seed = zero_then_tiny(lambda ps: optim.RMSProp(ps, lr=lr, alpha=alpha, eps=0, initial_accumulator_value=eps), dtype)
    v_torch, step_torch = zero_then_tiny(lambda ps: optim.RMSProp(ps, lr=lr, alpha=alpha, eps=1e-8), dtype)
    subnormal_from = np.flatnonzero(v_seed < tiny_normal)[0] + 1
    print(f"{np.dtype(dtype).name}: v is subnormal from step {subnormal_from}, ends at {v_seed[-1]:.3g}; "
          f"then a gradient of 1e-12 moves w by {step_seed / lr:.4g}·lr (r₀ = ε) vs {step_torch / lr:.3g}·lr (explicit ε)")
    np.testing.assert_allclose(step_seed, lr / np.sqrt(1 - alpha), rtol=1e-3)
    assert step_torch < 1e-3 * lr

# %% [markdown]
# In float64 the accumulator leaves the normal numbers after 6593 zero-gradient steps and sticks at
# $2.5\times10^{-323}$; in float32, minigrad's default, it takes only 698 steps (and sticks at
# $5.6\times10^{-45}$). Then a
# gradient of $10^{-12}$ moves the parameter by $\eta/\sqrt{1-\alpha} = 3.162\,\eta$, exactly the
# derivation's prediction (asserted), while the explicit ε moves it by $10^{-4}\eta$.
#
# Finally Zeiler's unit argument. Below, AdaDelta is written with separate ε's under the two roots,
# run on a quadratic in θ and again in $\theta' = c\,\theta$ with the ε's converted; the second path,
# divided by $c$, must be the first. RMSProp with the same learning rate in both units is not.

# %%
def adadelta_path(grad_fn, w0, steps, rho=0.9, eps_s=1e-6, eps_r=1e-6, lr=1.0):
    """AdaDelta with ε_s under √s and ε_r under √r (Zeiler and PyTorch use one ε for both)."""
    w = np.array(w0, dtype=np.float64)
    r, s = np.zeros_like(w), np.zeros_like(w)
    points = [w.copy()]
    for _ in range(steps):
        g = grad_fn(w)
        r = rho * r + (1 - rho) * g * g
        delta = np.sqrt(s + eps_s) / np.sqrt(r + eps_r) * g
        s = rho * s + (1 - rho) * delta * delta
        w = w - lr * delta
        points.append(w.copy())
    return np.array(points)


def rmsprop_path(grad_fn, w0, steps, lr, alpha=0.9, eps=1e-8):
    w = np.array(w0, dtype=np.float64)
    v = np.zeros_like(w)
    points = [w.copy()]
    for _ in range(steps):
        g = grad_fn(w)
        v = alpha * v + (1 - alpha) * g * g
        w = w - lr * g / (np.sqrt(v) + eps)
        points.append(w.copy())
    return np.array(points)


curvature = np.array([0.5, 4.0])
w0 = np.array([3.0, -2.0])
c = 100.0  # metres → centimetres: θ' = c·θ, f(θ') = f(θ'/c), so g' = g/c


def grad_in_cm(w):
    return curvature * (w / c) / c


metres = adadelta_path(lambda w: curvature * w, w0, steps=300)
centimetres = adadelta_path(grad_in_cm, c * w0, steps=300, eps_s=1e-6 * c**2, eps_r=1e-6 / c**2)
np.testing.assert_allclose(centimetres / c, metres, rtol=1e-12, atol=1e-15)
rms_m = rmsprop_path(lambda w: curvature * w, w0, steps=300, lr=0.01)
rms_cm = rmsprop_path(grad_in_cm, c * w0, steps=300, lr=0.01, eps=1e-8 / c)
print(f"AdaDelta: path in cm / {c:g} = path in m, to rounding (relative difference < 1e-12)")
print(f"RMSProp:  path in cm / {c:g} − path in m: {np.abs(rms_cm / c - rms_m).max():.2f} "
      f"(after 300 steps at {rms_m[-1].round(3)} in m, {(rms_cm[-1] / c).round(3)} in cm)")

# %% [markdown]
# AdaDelta's two paths agree to rounding: its steps carry the units of θ, so no learning rate has to
# translate between them. RMSProp with lr = 0.01 moves 0.01 per step in either unit, a hundred times
# less in metres than in centimetres: after 300 steps the metre run is close to the minimum while the
# centimetre run has hardly moved. (PyTorch's single ε breaks the exact symmetry only at the level of ε.)

# %% [markdown]
# Last, the drift of the [Ten optimizers] AdaDelta's step scale. Feed the factor
# $\rho + (1-\rho)\,x_t$, $x_t = g_t^2/r_t$, with noisy gradients of a steady size (standard normal,
# ρ = 0.9) and look at its mean and at the mean of its logarithm.

# %%
rho = 0.9
r, factors = 1.0, []
for g in rng.standard_normal(20_000):
    r = rho * r + (1 - rho) * g * g
    factors.append(rho + (1 - rho) * g * g / r)
factors = np.array(factors)
assert np.log(factors).mean() < 0
print(f"mean factor {factors.mean():.4f}, mean log-factor {np.log(factors).mean():.4f}: "
      f"over 1000 steps s is multiplied by about {np.exp(1000 * np.log(factors).mean()):.1e}")

# %% [markdown]
# The factors average 0.9922, just below 1, and their logarithms $-0.0132$: over 1000 steps that
# multiplies $s$ by about $1.8\times10^{-6}$. Nothing in the rule pushes back.

# %% [markdown]
# ## From scratch
#
# The two rules in NumPy, one step each, the state in a dict named like PyTorch's (`square_avg`,
# `acc_delta`); then the same runs with `minigrad.optim` on a 10-dimensional quadratic with
# curvatures from 0.1 to 10, fed the *same* recorded noisy gradients (so the comparison tests the
# update rule, not the chaos of a closed loop).

# %%
def rmsprop_update(w, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    v = state["square_avg"] = alpha * state.get("square_avg", 0.0) + (1 - alpha) * g * g
    return w - lr * g / (np.sqrt(v) + eps)


def adadelta_update(w, g, state, lr=1.0, rho=0.9, eps=1e-6):
    r = state["square_avg"] = rho * state.get("square_avg", 0.0) + (1 - rho) * g * g
    delta = np.sqrt(state.get("acc_delta", 0.0) + eps) / np.sqrt(r + eps) * g
    state["acc_delta"] = rho * state.get("acc_delta", 0.0) + (1 - rho) * delta * delta
    return w - lr * delta


curvatures = np.logspace(-1, 1, 10)
w_start = rng.standard_normal(10) * 3
recorded = rng.standard_normal((500, 10))  # gradient = curvature·w + this noise


def numpy_run(update, **hyper):
    w, state, points = w_start.copy(), {}, [w_start.copy()]
    for noise in recorded:
        w = update(w, curvatures * w + noise, state, **hyper)
        points.append(w)
    return np.array(points)


def minigrad_run(make_optimizer):
    w = mg.tensor(w_start, requires_grad=True)
    h = mg.tensor(curvatures)
    optimizer = make_optimizer([w])
    points = [w_start.copy()]
    for noise in recorded:
        optimizer.zero_grad()
        (0.5 * (h * w * w).sum() + (mg.tensor(noise) * w).sum()).backward()  # gradient h·w + noise
        optimizer.step()
        points.append(w.data.copy())
    return np.array(points)


pairs = {
    "RMSProp": (numpy_run(rmsprop_update, lr=0.01, alpha=0.99), minigrad_run(lambda ps: optim.RMSProp(ps, lr=0.01))),
    "AdaDelta": (numpy_run(adadelta_update), minigrad_run(lambda ps: optim.AdaDelta(ps))),
}
for name, (ours, library) in pairs.items():
    np.testing.assert_allclose(library, ours, rtol=1e-10, atol=1e-12)
    print(f"{name:8s} from scratch = optim.{name} over 500 steps (to rounding: within 1e-10)")

# %% tags=["torch"]
try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed: skipping the comparison with torch.optim.RMSprop / Adadelta")

if torch is not None:
    def torch_run(make_optimizer):
        w = torch.tensor(w_start, requires_grad=True)
        optimizer = make_optimizer([w])
        points = [w_start.copy()]
        for noise in recorded:
            optimizer.zero_grad()
            w.grad = torch.tensor(curvatures) * w.detach() + torch.tensor(noise)
            optimizer.step()
            points.append(w.detach().numpy().copy())
        return np.array(points)

    np.testing.assert_allclose(torch_run(lambda ps: torch.optim.RMSprop(ps, lr=0.01)), pairs["RMSProp"][0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(torch_run(lambda ps: torch.optim.Adadelta(ps)), pairs["AdaDelta"][0], rtol=1e-10, atol=1e-12)
    print("torch.optim.RMSprop and torch.optim.Adadelta agree with the from-scratch rules")

# %% [markdown]
# ## Picture
#
# The cliff of the motivation: where each optimizer is, step by step, and its step size. AdaGrad's
# step falls from 1 to about 0.003 on the cliff and stays there; RMSProp's drops when it reaches the
# slope (its average still holds the cliff's gradients) and recovers within a few tens of steps.

# %%
figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for name, visited in cliff_paths.items():
    left.plot(visited[:1500], label=name)
    right.semilogy(np.abs(np.diff(visited))[:1500], label=name)
left.axhline(5, color="gray", linestyle=":", linewidth=1)
left.set(xlabel="step", ylabel="w", title="Position (the cliff ends at w = 5)")
right.set(xlabel="step", ylabel="|step|", title="Step size", ylim=(1e-4, 2))
left.legend()
figure.tight_layout()
plt.show()

# %% [markdown]
# The same four rules on the [SJTU slides]' canyon, $0.1x^2 + 10(y - x^2/4)^2$, for 600 steps (drawn
# with `minigrad.viz`): RMSProp (lr = 0.05, α = 0.9), AdaDelta as Zeiler and PyTorch define it,
# AdaGrad (lr = 0.5) and the [Ten optimizers] AdaDelta, all from the same start.

# %%
from IPython.display import display
from minigrad.viz import SURFACES, path, plot_trajectories


canyon = SURFACES["canyon"]
canyon_paths = {
    "RMSProp, lr = 0.05": path(canyon, lambda ps: optim.RMSProp(ps, lr=0.05, alpha=0.9), steps=600),
    "AdaDelta (Zeiler, PyTorch)": path(canyon, lambda ps: optim.AdaDelta(ps, rho=0.9), steps=600),
    "AdaGrad, lr = 0.5": path(canyon, lambda ps: optim.AdaGrad(ps, lr=0.5), steps=600),
    "AdaDelta ([Ten optimizers])": path(canyon, lambda ps: optim.AdaDelta(ps, rho=0.9, eps=0, initial_accumulator_value=1e-6), steps=600),
}
for name, points in canyon_paths.items():
    print(f"{name:28s} f after 150 steps {canyon.value(*points[150]):.4f}, after 600 steps {canyon.value(*points[-1]):.4f}")
figure = plot_trajectories(canyon, canyon_paths)
figure.axes[0].set_title("The canyon, 600 steps")
display(figure)

# %% [markdown]
# RMSProp is fastest here (f = 0.0064 after 600 steps) and then hovers near the minimum (its steps
# never shrink below about lr). AdaGrad follows the valley more and more slowly (0.066). Zeiler's
# AdaDelta starts with tiny steps ($\sqrt\varepsilon = 10^{-3}$) and speeds up as its step average
# grows (1.38 after 150 steps, 0.155 after 600); the [Ten optimizers] version starts the same way, but
# its step scale decays and it stops partway down the valley (0.621).

# %% [markdown]
# ## What the sources got wrong
#
# ### [Ten optimizers]' RMSProp: ε only as r₀
#
# Measured above with `minigrad.optim`: after a long stretch of zero gradients, the r₀ = ε RMSProp
# answers a gradient of $10^{-12}$ with a step of $3.162\,\eta$, PyTorch's with $10^{-4}\eta$. On
# ordinary training the difference is small (the gradients are large compared with ε), which is why
# the mistake survives; it bites exactly on the parameters that were silent. Its code, like chapter
# 07's, also writes `r = r * self.beta + …` with a local `r` that has no value, and uses β = 0.999,
# for which the drift into subnormals takes ten times as many steps.
#
# ### [Ten optimizers]' AdaDelta: no ε under the roots
#
# Its rule, with the lost `+` signs restored and `self.` added, is `AdaDelta(lr=1.0, rho=β, eps=0,
# initial_accumulator_value=ε)` in `minigrad.optim` (asserted below against a transcription of its
# class). We run it next to Zeiler's/PyTorch's rule (`AdaDelta(rho=0.9, eps=1e-6)`) on the noisy
# 10-dimensional quadratic for 5000 steps, with the same noise for both, and record the loss and the
# step scale $\sqrt{\text{mean}(s)}$.

# %%
class TenOptimizersAdaDelta:
    """[Ten optimizers]' AdaDelta, its `+` signs restored and its state kept on `self`."""

    def __init__(self, beta=0.9, eps=1e-6):
        self.r, self.s, self.beta = eps, eps, beta

    def update(self, g):
        g_square = (1 - self.beta) * np.square(g)
        self.r = self.r * self.beta + g_square
        frac = self.s / self.r
        res = -np.sqrt(frac) * g
        self.s = self.s * self.beta + frac * g_square
        return res


steps = 5000
noise = rng.standard_normal((steps, 10))


def long_run(make_optimizer):
    w = mg.tensor(w_start, requires_grad=True)
    optimizer = make_optimizer([w])
    losses, scales = [], []
    for k in range(steps):
        optimizer.zero_grad()
        w.grad = mg.tensor(curvatures * w.data + noise[k])
        optimizer.step()
        losses.append(0.5 * float((curvatures * w.data**2).sum()))
        scales.append(float(np.sqrt(optimizer.state[w]["acc_delta"].mean())))
    return np.array(losses), np.array(scales), w.data.copy()


seed_losses, seed_scales, seed_w = long_run(lambda ps: optim.AdaDelta(ps, rho=0.9, eps=0, initial_accumulator_value=1e-6))
zeiler_losses, zeiler_scales, _ = long_run(lambda ps: optim.AdaDelta(ps, rho=0.9, eps=1e-6))

article, w = TenOptimizersAdaDelta(beta=0.9, eps=1e-6), w_start.copy()
for k in range(steps):
    w = w + article.update(curvatures * w + noise[k])
np.testing.assert_allclose(w, seed_w, rtol=1e-9)
print(f"start: loss {0.5 * (curvatures * w_start**2).sum():.1f}")
for k in (10, 100, 1000, 5000):
    print(f"step {k:5d}: loss {seed_losses[k - 1]:9.4f} ([Ten optimizers]) vs {zeiler_losses[k - 1]:8.4f} (Zeiler);  "
          f"step scale {seed_scales[k - 1]:.2e} vs {zeiler_scales[k - 1]:.2e}")

# %% [markdown]
# The article's class and `optim.AdaDelta(eps=0, initial_accumulator_value=ε)` end at the same point
# (asserted). Both rules begin with the same step scale, $\sqrt\varepsilon \approx 10^{-3}$. Zeiler's
# grows it to a few $10^{-3}$ and keeps it there, where the noise puts it; the article's shrinks by
# three orders of magnitude (to $1.6\times10^{-6}$) and its loss stalls around 11 while Zeiler's
# reaches 0.08 (the numbers are printed above). The picture:

# %%
figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
t = np.arange(1, steps + 1)
left.loglog(t, seed_losses, label="[Ten optimizers]: r₀ = s₀ = ε, √(s/r)")
left.loglog(t, zeiler_losses, label="Zeiler / PyTorch: √(s + ε)/√(r + ε)")
left.set(xlabel="step", ylabel="loss", title="Noisy 10-d quadratic, ρ = 0.9, ε = 1e-6")
right.loglog(t, seed_scales, label="[Ten optimizers]")
right.loglog(t, zeiler_scales, label="Zeiler / PyTorch")
right.set(xlabel="step", ylabel="step scale √mean(s)", title="The step scale decays instead of adapting")
left.legend()
figure.tight_layout()
plt.show()

# %% [markdown]
# The [SJTU slides] and the [yorhaha notes] write RMSProp with ε inside the root,
# $g/\sqrt{S_t + \varepsilon}$. That is not a mistake (it is Keras's RMSProp, and, unlike r₀ = ε, the ε
# stays), but it is not PyTorch's `RMSprop`, which no setting of PyTorch's knobs turns into it; the
# first exercise below is checked against PyTorch's form.

# %% [markdown]
# ## Exercises
#
# ### Exercise 08.1: an RMSProp step (2 points)
#
# Write one step of PyTorch's RMSProp (no momentum, not centred) as a pure function returning the new
# parameters and the new `square_avg` ($v$):
#
# $$
# v_t = \alpha\, v_{t-1} + (1-\alpha)\, g_t^2, \qquad
# \theta_t = \theta_{t-1} - \eta\,\frac{g_t}{\sqrt{v_t} + \varepsilon} .
# $$

# %%
def rmsprop_step(param, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    """One RMSProp step: return (new param, new square_avg) as new arrays."""
    # BEGIN SOLUTION
    square_avg = alpha * square_avg + (1 - alpha) * grad * grad
    param = param - lr * grad / (np.sqrt(square_avg) + eps)
    return param, square_avg
    # END SOLUTION


# %%
check("08.rmsprop_step", rmsprop_step);

# %% [markdown]
# ### Exercise 08.2: an AdaDelta step (3 points)
#
# Write one step of Zeiler's AdaDelta as PyTorch implements it, returning the new parameters,
# `square_avg` ($r$) and `acc_delta` ($s$):
#
# $$
# r_t = \rho\, r_{t-1} + (1-\rho)\, g_t^2, \quad
# \Delta_t = \frac{\sqrt{s_{t-1} + \varepsilon}}{\sqrt{r_t + \varepsilon}}\, g_t, \quad
# s_t = \rho\, s_{t-1} + (1-\rho)\, \Delta_t^2, \quad
# \theta_t = \theta_{t-1} - \eta\,\Delta_t .
# $$

# %%
def adadelta_step(param, grad, square_avg, acc_delta, lr=1.0, rho=0.9, eps=1e-6):
    """One AdaDelta step: return (new param, new square_avg, new acc_delta) as new arrays."""
    # BEGIN SOLUTION
    square_avg = rho * square_avg + (1 - rho) * grad * grad
    delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
    acc_delta = rho * acc_delta + (1 - rho) * delta * delta
    param = param - lr * delta
    return param, square_avg, acc_delta
    # END SOLUTION


# %%
check("08.adadelta_step", adadelta_step);

# %% [markdown]
# ## Summary
#
# - RMSProp replaces AdaGrad's sum by a moving average, $v \leftarrow \alpha v + (1-\alpha) g^2$: the
#   step no longer shrinks forever and recovers within about $1/(1-\alpha)$ steps after the gradients
#   change.
# - For a moving average, starting at $v_0 = \varepsilon$ leaves only $\alpha^t\varepsilon$ of it:
#   a silent parameter's $v$ sinks into the subnormal numbers and a gradient of $10^{-12}$ then moves
#   it by $\eta/\sqrt{1-\alpha}$. Keep an explicit ε in the denominator.
# - AdaDelta divides the RMS of recent *steps* by the RMS of recent gradients, which gives the step
#   the units of θ and needs no learning rate. The ε under both roots matters: without it (the
#   [Ten optimizers] version) the step scale only decays, and the noisy quadratic above stalls at a
#   loss of about 11 instead of 0.08.
