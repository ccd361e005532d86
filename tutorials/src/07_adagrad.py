# %% [markdown]
# # 07 · AdaGrad: a learning rate for every coordinate
#
# Gradient descent moves every coordinate with the same learning rate. When the loss is steep in one
# direction and flat in another, no single rate suits both. AdaGrad gives every coordinate its own step
# size, computed from the history of that coordinate's gradients.
#
# **You will learn**
# - the AdaGrad rule, and how the [SJTU slides]' σᵗ form (an RMS of past gradients with a decaying
#   learning rate) reduces to it;
# - why AdaGrad's steps shrink forever, and what that costs;
# - the "ε as r₀" trick of [Ten optimizers]: starting the accumulator at ε is *exactly* ε inside the
#   square root, and which PyTorch and Keras settings give each variant.
#
# **Before this chapter**: 04 (gradient descent, the four-step template g → m, V → η → w) and 05
# (moving averages).

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
# Take the ill-conditioned bowl of chapter 04, $f(x, y) = x^2/20 + y^2$. Its gradient is
# $(x/10,\ 2y)$: twenty times steeper along $y$ than along $x$. Plain gradient descent is stable only
# for $\eta < 2/2 = 1$ (the $y$ direction sets the limit), and with such an $\eta$ the $x$ coordinate
# shrinks by at most a factor $1 - \eta/10$ per step. Below we try every learning rate from 0.05 to
# 0.99 and count the steps each needs to bring the loss under $10^{-6}$; then we give each coordinate
# its own rate, $1/\text{curvature}$.

# %%
def f(w):
    return w[0] ** 2 / 20 + w[1] ** 2


def grad_f(w):
    return np.array([w[0] / 10, 2 * w[1]])


start = np.array([-7.0, 2.0])


def steps_to_converge(step, limit=10_000):
    w, n = start.copy(), 0
    while f(w) > 1e-6 and n < limit:
        w, n = step(w), n + 1
    return n


sgd_steps = {lr: steps_to_converge(lambda w: w - lr * grad_f(w)) for lr in np.round(np.arange(0.05, 1.0, 0.01), 2)}
best_lr = min(sgd_steps, key=sgd_steps.get)
per_coordinate_lr = np.array([10.0, 0.5])  # 1/curvature: 1/0.1 and 1/2
print(f"one learning rate for both:  best lr = {best_lr}, {sgd_steps[best_lr]} steps")
print(f"one learning rate each:      lr = {per_coordinate_lr}, "
      f"{steps_to_converge(lambda w: w - per_coordinate_lr * grad_f(w))} step")

# %% [markdown]
# The best single learning rate (0.94) needs 75 steps; the right rate for each coordinate needs one.
# We rarely know the curvatures, but we do see the gradients. AdaGrad's idea: a coordinate whose
# gradients have been large gets a small step, one whose gradients have been small gets a large one.

# %% [markdown]
# ## Derivation
#
# ### The rule
#
# For every coordinate separately (all operations below are elementwise), AdaGrad (Duchi, Hazan &
# Singer 2011) keeps the running sum of squared gradients and divides the step by its root:
#
# $$
# r_t = r_{t-1} + g_t^2, \qquad r_0 = 0, \qquad
# \theta_{t} = \theta_{t-1} - \frac{\eta}{\sqrt{r_t} + \varepsilon}\, g_t .
# $$
#
# In the four-step template of [Four-step notes]: no first moment ($m_t = g_t$), the second moment is
# the sum $V_t = \sum_{i \le t} g_i^2$, and the step is $\eta_t = \eta\, g_t / \sqrt{V_t}$. The small
# $\varepsilon$ (PyTorch: $10^{-10}$) only prevents $0/0$ for a coordinate whose gradients have all been
# zero.
#
# ### The slides' σᵗ form
#
# The [SJTU slides] count steps from $0$ and arrive at the same rule by another road: divide the
# learning rate by the root mean square of the gradients seen so far,
#
# $$
# \sigma^t = \sqrt{\frac{1}{t+1}\sum_{i=0}^{t} (g^i)^2},
# $$
#
# and let the learning rate itself decay like $1/\sqrt{t}$, the classic schedule for (sub)gradient
# methods on convex problems:
#
# $$
# \eta^t = \frac{\eta}{\sqrt{t+1}}, \qquad w^{t+1} = w^t - \frac{\eta^t}{\sigma^t}\, g^t .
# $$
#
# The two $\sqrt{t+1}$ cancel:
#
# $$
# \frac{\eta^t}{\sigma^t}
# = \frac{\eta/\sqrt{t+1}}{\sqrt{\sum_{i=0}^{t}(g^i)^2}\,/\sqrt{t+1}}
# = \frac{\eta}{\sqrt{\sum_{i=0}^{t}(g^i)^2}} ,
# $$
#
# which is AdaGrad with $\varepsilon = 0$ and $r$ the sum up to and including the current gradient.
# So "an RMS-normalised step with a $1/\sqrt{t}$ schedule" and "divide by the root of the sum" are the
# same algorithm.
#
# ### Why the step shrinks forever
#
# $r_t$ is a sum of non-negative terms, so it never decreases, and the per-coordinate learning rate
# $\eta/(\sqrt{r_t} + \varepsilon)$ never increases. If a coordinate's gradients stay at least $c$ in
# size, $r_t \ge t\,c^2$ and its learning rate is at most $\eta/(c\sqrt t)$. For a constant gradient
# $g$ (a straight slope) every step has the same length regardless of $g$:
#
# $$
# |\Delta\theta_t| = \frac{\eta\,|g|}{\sqrt{t\,g^2}} = \frac{\eta}{\sqrt t}, \qquad
# \sum_{t=1}^{T} \frac{\eta}{\sqrt t} \approx 2\eta\sqrt T ,
# $$
#
# so covering a distance $D$ takes about $T \approx (D/2\eta)^2$ steps: quadratically many. This is
# AdaGrad's weakness on long non-convex runs: gradients from the distant past keep every step small.
#
# Two more properties follow from the form $\eta g_t/\sqrt{\sum g_i^2}$ (with $\varepsilon = 0$):
# multiplying the loss by $k > 0$ multiplies every gradient by $k$ and changes nothing (the rule is
# *scale-invariant*), and the first step is $\eta\,g_1/|g_1| = \pm\eta$ in every coordinate.
#
# ### The ε-as-r₀ trick
#
# [Ten optimizers] removes $\varepsilon$ from the denominator and starts the accumulator at it
# instead:
#
# $$
# r_0 = \varepsilon, \qquad r_t = r_{t-1} + g_t^2, \qquad \theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{r_t}}\, g_t .
# $$
#
# By induction $r_t = \varepsilon + \sum_{i \le t} g_i^2$ (true for $t = 0$; each step adds $g_t^2$
# to both sides), so the update is
#
# $$
# \theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{\varepsilon + \sum_{i\le t} g_i^2}}\, g_t ,
# $$
#
# **ε inside the square root**, exactly, for every $t$. It is a valid AdaGrad, but not PyTorch's: with
# $S_t = \sum_{i \le t} g_i^2$,
#
# $$
# \underbrace{\sqrt{S_t + \varepsilon}}_{\text{inside (Keras, the trick)}}
# \quad\text{vs}\quad
# \underbrace{\sqrt{S_t} + \varepsilon}_{\text{outside (PyTorch)}} .
# $$
#
# When $S_t \gg \varepsilon$ both are $\approx \sqrt{S_t}$. When gradients are tiny the inside form
# floors the denominator at $\sqrt\varepsilon$, the outside form at $\varepsilon$: with the same number
# $\varepsilon = 10^{-8}$ the floors are $10^{-4}$ and $10^{-8}$, and the inside form behaves like SGD
# with learning rate $\eta/\sqrt{\varepsilon}$ as soon as $\sqrt{S_t} \ll 10^{-4}$. The knobs:
#
# | variant | PyTorch (and `minigrad.optim`) | Keras |
# |---|---|---|
# | $\sqrt{S_t} + \varepsilon$ | `Adagrad(lr, eps=ε)` (default ε = 1e-10, $r_0 = 0$) | none |
# | $\sqrt{S_t + \varepsilon}$ | `Adagrad(lr, initial_accumulator_value=ε, eps=0)` | `Adagrad(learning_rate, initial_accumulator_value=0, epsilon=ε)` |
#
# Keras's update is $\theta \leftarrow \theta - \eta\,g/\sqrt{r + \varepsilon}$ with
# $r_0 =$ `initial_accumulator_value`, whose default is 0.1, so Keras's *default* AdaGrad is
# $\sqrt{0.1 + 10^{-7} + S_t}$: a much larger floor than either.

# %% [markdown]
# ## Checking the derivation
#
# First, the σᵗ form and the sum form on a random gradient sequence: the quotient $\eta^t/\sigma^t$ and
# $\eta/\sqrt{\sum g^2}$ should agree to rounding.

# %%
grads = rng.standard_normal((50, 3))  # 50 steps of a 3-coordinate gradient
eta = 0.1
t_plus_1 = np.arange(1, 51)[:, None]  # the slides' t + 1, counting from t = 0
sigma = np.sqrt(np.cumsum(grads**2, axis=0) / t_plus_1)
slides_step = eta / np.sqrt(t_plus_1) / sigma * grads
adagrad_step_sizes = eta / np.sqrt(np.cumsum(grads**2, axis=0)) * grads
np.testing.assert_allclose(slides_step, adagrad_step_sizes, rtol=1e-13)
print("the σᵗ form and the sum form agree to rounding (relative difference < 1e-13)")

# %% [markdown]
# Then the ε-as-r₀ trick: run the accumulator started at ε, with no ε in the denominator, next to
# $\sqrt{\varepsilon + S_t}$ computed directly, over 1000 steps of gradients of very different sizes.
# If the induction is right they differ only by rounding (the two add the same numbers in a different
# order).

# %%
eps = 1e-8
scales = np.array([1e-6, 1e-3, 1.0, 1e3])  # one coordinate per gradient scale
grads = rng.standard_normal((1000, 4)) * scales

r = np.full(4, eps)  # the trick: r₀ = ε ...
trick_steps = []
for g in grads:
    r = r + g * g
    trick_steps.append(eta * g / np.sqrt(r))  # ... and no ε in the denominator
trick_steps = np.array(trick_steps)
inside_steps = eta * grads / np.sqrt(eps + np.cumsum(grads**2, axis=0))  # ε inside the root

relative = np.abs(trick_steps - inside_steps) / np.abs(inside_steps)
assert relative.max() < 1e-13
print("r₀ = ε and ε inside the root agree to rounding over 1000 steps and 4 gradient scales (< 1e-13)")

# %% [markdown]
# They agree to rounding at every step and every scale, from $10^{-6}$ to $10^{3}$: the trick *is* ε
# inside the root. Next, the shrinking step: on a straight slope (a constant gradient) the $t$-th step should be
# exactly $\eta/\sqrt t$ whatever the gradient's size, the first step exactly $\eta$, and the distance
# after $T$ steps close to $2\eta\sqrt T$.

# %%
def adagrad_steps(grads, lr, eps=0.0, r0=0.0):
    """The AdaGrad steps Δθₜ = lr·gₜ/(√rₜ + ε), rₜ = rₜ₋₁ + gₜ², for a sequence of gradients."""
    r = np.full(grads.shape[1:], r0)
    steps = []
    for g in grads:
        r = r + g * g
        steps.append(lr * g / (np.sqrt(r) + eps))
    return np.array(steps)


T = 2500
for slope in (0.01, 1.0, 100.0):
    steps = adagrad_steps(np.full((T, 1), slope), lr=1.0)[:, 0]
    np.testing.assert_allclose(steps, 1 / np.sqrt(np.arange(1, T + 1)), rtol=1e-12)
    print(f"slope {slope:>6}: first step {steps[0]:.3f}, step {T} = {steps[-1]:.4f}, "
          f"distance after {T} steps = {steps.sum():.2f} (2√T = {2 * np.sqrt(T):.0f})")

# %% [markdown]
# The three slopes differ by a factor of $10^4$ and give the same steps: $1, \dots, 0.02$. After 2500
# steps AdaGrad has moved 98.55 (the sum is $2\sqrt T$ minus a constant, about 1.46). Plain gradient
# descent with the same first step moves 2500.

# %% [markdown]
# The [SJTU slides] also say why this suits sparse data: a parameter whose gradient is often zero (a
# rare word's embedding, a rarely active feature) accumulates a small $r$ and keeps a large step. Two
# coordinates get the same gradient, 1, one at every step and one at every tenth step. At step 991
# both see a gradient; the frequent one has summed 991 squared gradients, the rare one 100, so the
# rare one's step should be $\sqrt{991/100} \approx 3.15$ times larger.

# %%
frequent = np.ones(1000)
rare = np.where(np.arange(1000) % 10 == 0, 1.0, 0.0)  # nonzero at steps 1, 11, …, 991
steps = adagrad_steps(np.stack([frequent, rare], axis=1), lr=1.0)
np.testing.assert_allclose(steps[990, 1] / steps[990, 0], np.sqrt(991 / 100), rtol=1e-12)
print(f"step 991: frequent coordinate {steps[990, 0]:.4f}, rare coordinate {steps[990, 1]:.4f} "
      f"(ratio {steps[990, 1] / steps[990, 0]:.3f})")

# %% [markdown]
# Same gradient, a 3.148 times larger step (0.1000 against 0.0318) for the coordinate that is rarely
# active. Finally, scale invariance: multiply the loss of the bowl by 1000 and the AdaGrad path (with
# ε = 0) does not change.

# %%
def adagrad_path(grad_fn, w0, lr, steps, eps=0.0, r0=0.0):
    """The points AdaGrad visits from w0 (a closed loop: each gradient at the current point)."""
    w, r = np.array(w0, dtype=np.float64), np.full(len(w0), r0)
    points = [w.copy()]
    for _ in range(steps):
        g = grad_fn(w)
        r = r + g * g
        w = w - lr * g / (np.sqrt(r) + eps)
        points.append(w.copy())
    return np.array(points)


plain = adagrad_path(grad_f, start, lr=1.5, steps=100)
scaled = adagrad_path(lambda w: 1000 * grad_f(w), start, lr=1.5, steps=100)
np.testing.assert_allclose(scaled, plain, rtol=1e-12, atol=1e-300)
print("loss ×1000: the same path, to rounding (relative difference < 1e-12)")

# %% [markdown]
# ## From scratch
#
# `adagrad_path` above is the whole algorithm: three lines inside the loop. With PyTorch's default
# ε = 1e-10 and lr = 1.5 it reaches the bottom of the bowl; `minigrad.optim.AdaGrad`, driven by
# minigrad's own gradients of the same function, must visit the same points. `minigrad.viz.path` runs
# an optimizer on a surface and returns the points.

# %%
from IPython.display import display
from minigrad.viz import SURFACES, path, plot_trajectories


bowl = SURFACES["ellipse"]  # x²/20 + y², the bowl above, starting at (−7, 2)
ours = adagrad_path(grad_f, bowl.start, lr=1.5, steps=100, eps=1e-10)
library = path(bowl, lambda params: optim.AdaGrad(params, lr=1.5), steps=100)
np.testing.assert_allclose(library, ours, rtol=1e-12, atol=1e-14)
print(f"from scratch and optim.AdaGrad agree; after 100 steps f = {f(ours[-1]):.2e}")

# %% [markdown]
# The ε-inside variant has two spellings that must agree with each other and with our function
# started at $r_0 = \varepsilon$: `AdaGrad(initial_accumulator_value=ε, eps=0)`, and Keras's formula
# $\theta \leftarrow \theta - \eta g/\sqrt{r + \varepsilon}$ with $r_0 = 0$ (written out below, since
# Keras is not a dependency). We use a large ε = 0.01 so that the variants visibly differ from
# PyTorch's default.

# %%
def keras_adagrad_path(grad_fn, w0, lr, steps, epsilon, initial_accumulator_value=0.0):
    """Keras's AdaGrad update: r ← r + g², θ ← θ − lr·g/√(r + ε), r₀ = initial_accumulator_value."""
    w, r = np.array(w0, dtype=np.float64), np.full(len(w0), initial_accumulator_value)
    points = [w.copy()]
    for _ in range(steps):
        g = grad_fn(w)
        r = r + g * g
        w = w - lr * g / np.sqrt(r + epsilon)
        points.append(w.copy())
    return np.array(points)


eps = 0.01
trick = adagrad_path(grad_f, bowl.start, lr=1.5, steps=100, eps=0.0, r0=eps)
keras_form = keras_adagrad_path(grad_f, bowl.start, lr=1.5, steps=100, epsilon=eps)
library_inside = path(bowl, lambda params: optim.AdaGrad(params, lr=1.5, initial_accumulator_value=eps, eps=0), steps=100)
library_outside = path(bowl, lambda params: optim.AdaGrad(params, lr=1.5, eps=eps), steps=100)
np.testing.assert_allclose(keras_form, trick, rtol=1e-12, atol=1e-14)
np.testing.assert_allclose(library_inside, trick, rtol=1e-12, atol=1e-14)
print(f"ε inside (r₀ = ε) vs ε outside, same ε = {eps}: largest gap "
      f"{np.abs(trick - library_outside).max():.3f} along the path")

# %% [markdown]
# Both spellings of the inside variant agree to rounding, and the outside variant with the same number
# ε takes a different path. Now PyTorch, if it is installed: its default `Adagrad` must give our
# ε-outside path, and `Adagrad(initial_accumulator_value=ε, eps=0)` the ε-inside one.

# %% tags=["torch"]
try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed: skipping the comparison with torch.optim.Adagrad")

if torch is not None:
    def torch_path(make_optimizer, steps=100):
        w = torch.tensor(bowl.start, dtype=torch.float64, requires_grad=True)
        optimizer = make_optimizer([w])
        points = [w.detach().numpy().copy()]
        for _ in range(steps):
            optimizer.zero_grad()
            (w[0] ** 2 / 20 + w[1] ** 2).backward()
            optimizer.step()
            points.append(w.detach().numpy().copy())
        return np.array(points)

    torch_default = torch_path(lambda ps: torch.optim.Adagrad(ps, lr=1.5))
    torch_inside = torch_path(lambda ps: torch.optim.Adagrad(ps, lr=1.5, initial_accumulator_value=eps, eps=0))
    np.testing.assert_allclose(torch_default, ours, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(torch_inside, trick, rtol=1e-12, atol=1e-14)
    print("torch.optim.Adagrad agrees with both variants")

# %% [markdown]
# ## Picture
#
# On the bowl, gradient descent with its best single learning rate zig-zags across the steep $y$
# direction while it creeps along $x$. AdaGrad's first step is $\pm\eta$ in *both* coordinates (a 45°
# step), and then each coordinate's step shrinks with its own gradient history.

# %%
paths = {
    "SGD, lr = 0.94": path(bowl, lambda params: optim.SGD(params, lr=0.94), steps=40),
    "AdaGrad, lr = 1.5": path(bowl, lambda params: optim.AdaGrad(params, lr=1.5), steps=40),
}
figure = plot_trajectories(bowl, paths)
figure.axes[0].set_title("x²/20 + y²: one learning rate vs one per coordinate (40 steps)")
display(figure)

# %% [markdown]
# The price of never forgetting: the per-coordinate learning rate $\eta/\sqrt{r_t}$ only goes down. On
# the bowl, $y$'s gradients are large at first, so $y$'s rate drops fast; $x$'s drops too, although $x$
# is still far from 0. On a straight slope (right) the step length is $\eta/\sqrt t$ whatever the
# slope, while gradient descent keeps a step proportional to the slope.

# %%
bowl_path = adagrad_path(grad_f, start, lr=1.5, steps=200)
r_history = np.cumsum(np.array([grad_f(w) for w in bowl_path[:-1]]) ** 2, axis=0)
steps_on_slope = adagrad_steps(np.ones((2000, 1)), lr=1.0)[:, 0]

figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
t = np.arange(1, 201)
left.loglog(t, 1.5 / np.sqrt(r_history[:, 0]), label="x (flat direction)")
left.loglog(t, 1.5 / np.sqrt(r_history[:, 1]), label="y (steep direction)")
left.set(xlabel="step t", ylabel="learning rate η/√rₜ", title="AdaGrad's per-coordinate rates on x²/20 + y²")
left.legend()
right.loglog(np.arange(1, 2001), steps_on_slope, label="AdaGrad, lr = 1")
right.loglog(np.arange(1, 2001), np.ones(2000), "--", label="SGD, lr = 1")
right.set(xlabel="step t", ylabel="step length", title="On a straight slope f(w) = w: η/√t")
right.legend()
figure.tight_layout()
plt.show()

# %% [markdown]
# The picture says what the derivation said: on the left both rates fall and flatten only once the
# gradients have died out near the minimum (the bowl is convex, so that is fine); on the right the
# step keeps falling like $1/\sqrt t$ on a slope that never changes.
#
# How much do the ε variants differ? Feed all three the same gradients, scaled from $10^{-9}$ to $1$,
# and compare the 100th step with the ε-free step $\eta g/\sqrt{S}$.

# %%
gradient_scales = np.logspace(-9, 0, 46)
base = rng.standard_normal((100, 1))
variants = {
    "PyTorch default: √S + 1e-10": dict(eps=1e-10, r0=0.0),
    "ε = 1e-8 outside: √S + 1e-8": dict(eps=1e-8, r0=0.0),
    "r₀ = ε = 1e-8 (inside): √(S + 1e-8)": dict(eps=0.0, r0=1e-8),
}
ratios = {}
for name, knobs in variants.items():
    ratios[name] = [adagrad_steps(base * s, lr=1.0, **knobs)[-1, 0] / adagrad_steps(base * s, lr=1.0)[-1, 0]
                    for s in gradient_scales]

figure, axes = plt.subplots()
for name, ratio in ratios.items():
    axes.semilogx(gradient_scales, ratio, label=name)
axes.set(xlabel="gradient scale", ylabel="step / ε-free step", title="Where ε sits decides the step for small gradients")
axes.legend()
plt.show()
for name, ratio in ratios.items():
    print(f"{name:38s} step at gradient scale 1e-6: {ratio[np.argmin(np.abs(gradient_scales - 1e-6))]:.4f} "
          f"of the ε-free step, at 1e-4: {ratio[np.argmin(np.abs(gradient_scales - 1e-4))]:.4f}")

# %% [markdown]
# With gradients of size $10^{-6}$ (after 100 steps $\sqrt{S} \approx 10^{-5}$) the r₀ = ε variant
# takes about a tenth of the ε-free step (0.1058: its floor $\sqrt{10^{-8}} = 10^{-4}$ dominates), while
# PyTorch's default and ε = 1e-8 outside take the full step (1.0000 and 0.9991). Only when
# $\sqrt{S} \gg 10^{-4}$ do the variants agree (0.9956 at scale $10^{-4}$). Same symbol ε, floors
# $10^4$ apart: always say where ε sits.

# %% [markdown]
# ## What the sources got wrong
#
# **[Ten optimizers]' code does not run.** Its AdaGrad, with the `+` lost in rendering restored, reads
# `r = r + np.square(g)` inside `update`: `r` is a local name that has no value yet (the accumulator
# lives in `self.r`), so the first call raises. The intended code uses `self.r`:

# %%
class TenOptimizersAdaGrad:
    """[Ten optimizers]' AdaGrad as printed (with its lost `+` restored)."""

    def __init__(self, eps=1e-8, lr=1e-3):
        self.r = eps  # r₀ = ε
        self.lr = lr

    def update(self, g):
        r = r + np.square(g)  # noqa: F823 (as printed: `r` instead of `self.r`)
        return -self.lr * g / np.sqrt(r)


class TenOptimizersAdaGradFixed(TenOptimizersAdaGrad):
    def update(self, g):
        self.r = self.r + np.square(g)
        return -self.lr * g / np.sqrt(self.r)


try:
    TenOptimizersAdaGrad().update(np.ones(2))
except UnboundLocalError as error:
    print(f"as printed: {type(error).__name__} on the first call (`r` is read before it is assigned)")

fixed = TenOptimizersAdaGradFixed(eps=1e-8, lr=1.5)
w = start.copy()
for _ in range(100):
    w = w + fixed.update(grad_f(w))
np.testing.assert_allclose(w, adagrad_path(grad_f, start, lr=1.5, steps=100, r0=1e-8)[-1], rtol=1e-12)
print(f"the fixed class is AdaGrad with ε inside the root; after 100 steps f = {f(w):.2e}")

# %% [markdown]
# Fixed, it is exactly the ε-inside AdaGrad (asserted). The article's claim that starting at ε "removes"
# ε is right for AdaGrad, but the rule is not PyTorch's: with gradients of size $10^{-6}$, measured
# above, it takes about a tenth of PyTorch's step. Chapter 08 shows that the same trick is *not* exact for
# a moving average.
#
# **The [SJTU slides] have no ε at all.** $\sigma^0 = \sqrt{(g^0)^2}$, so a coordinate whose first
# gradient is exactly zero (a ReLU unit that is off, an unused embedding row) divides $0$ by $0$:

# %%
with np.errstate(invalid="ignore"):
    first_grads = np.array([[0.0, 0.5], [0.3, 0.5]])  # coordinate 0 starts with a zero gradient
    slides = adagrad_steps(first_grads, lr=0.1)  # ε = 0, r₀ = 0: the slides' σᵗ form
torch_style = adagrad_steps(first_grads, lr=0.1, eps=1e-10)
print("slides (no ε):  steps", slides.tolist())
print("PyTorch (ε):    steps", torch_style.tolist())
assert np.isnan(slides[0, 0]) and np.isfinite(torch_style).all()

# %% [markdown]
# The slides' step is NaN, and a NaN in a parameter never goes away. PyTorch's $\varepsilon$ makes it
# $0/(0 + 10^{-10}) = 0$: no step, as it should be. (The [yorhaha notes] write AdaGrad as
# $\alpha g_t/\sqrt{v_t + \epsilon}$: the ε-inside variant, which is also safe.)

# %% [markdown]
# ## Exercises
#
# ### Exercise 07.1: an AdaGrad step (2 points)
#
# Write one step of PyTorch's AdaGrad as a pure function: given the parameters, the gradient, the
# accumulator `sum_sq` ($r_{t-1}$), the step count `t` (1 at the first step), `lr`, `lr_decay` and `eps`,
# return the new parameters and the new accumulator (new arrays, same dtype as the inputs):
#
# $$
# r_t = r_{t-1} + g_t^2, \qquad \eta_t = \frac{\eta}{1 + (t - 1)\,d}, \qquad
# \theta_t = \theta_{t-1} - \eta_t \frac{g_t}{\sqrt{r_t} + \varepsilon} .
# $$
#
# The learning-rate decay $d$ is PyTorch's `lr_decay` option (0 by default). The checker runs your
# function for several steps, with zero and tiny gradients, several shapes, float32 and float64.

# %%
def adagrad_step(param, grad, sum_sq, t, lr, lr_decay=0.0, eps=1e-10):
    """One AdaGrad step: return (new param, new sum_sq) as new arrays."""
    # BEGIN SOLUTION
    sum_sq = sum_sq + grad * grad
    lr_t = lr / (1 + (t - 1) * lr_decay)
    param = param - lr_t * grad / (np.sqrt(sum_sq) + eps)
    return param, sum_sq
    # END SOLUTION


# %%
check("07.adagrad_step", adagrad_step);

# %% [markdown]
# ## Summary
#
# - AdaGrad divides each coordinate's step by the root of the sum of its squared gradients:
#   $\theta \leftarrow \theta - \eta g/(\sqrt{r} + \varepsilon)$, $r \leftarrow r + g^2$. The
#   [SJTU slides]' $\eta^t/\sigma^t$ is the same thing: the $\sqrt{t+1}$ cancels.
# - The rule is scale-invariant and its first step is $\pm\eta$ per coordinate; a rarely active
#   coordinate keeps a larger step (good for sparse features). Its steps only shrink ($\eta/\sqrt t$
#   on a slope), which is its weakness on long runs. Chapter 08 fixes that.
# - Starting the accumulator at $r_0 = \varepsilon$ is exactly $\varepsilon$ inside the root,
#   $\sqrt{\varepsilon + \sum g^2}$: PyTorch `Adagrad(initial_accumulator_value=ε, eps=0)`, Keras
#   `Adagrad(initial_accumulator_value=0, epsilon=ε)`. PyTorch's default puts ε outside. For small
#   gradients the two differ by a factor of 10 (gradients of $10^{-6}$, ε = 1e-8) and more below.
