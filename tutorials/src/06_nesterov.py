# %% [markdown]
# # 06 · Nesterov momentum
#
# Momentum (chapter 05) decides its step from where the ball *is*. Nesterov's variant first lets the
# momentum carry the ball, looks at the gradient *there*, and corrects: it brakes before hitting a wall
# instead of after. This chapter derives the rule, the change of variables that turns it into the
# one-gradient-per-step form PyTorch implements, and the two ways it is commonly got wrong.
#
# **You will learn**
# - the look-ahead gradient, $\nabla f(w + \mu v)$, and why it damps oscillation;
# - the change of variables $\theta = w + \mu v$ that gives PyTorch's `SGD(nesterov=True)` rule, derived
#   and checked to machine precision;
# - why an optimizer `step()` that is handed $\nabla f(w)$ and applies the velocity update is plain
#   momentum, not Nesterov;
# - the widely copied $\mu^2 v_{\text{new}}$ slip next to the right $\mu^2 v_{\text{old}}$, with the
#   difference measured;
# - Nesterov's rate on a quadratic: the root product $\mu(1 - \mathrm{lr}\,\lambda)$ instead of $\mu$.
#
# **Before this chapter:** 05 (momentum's velocity and PyTorch forms, $v = -\mathrm{lr}\,b$, the
# two-term recurrence on a quadratic).

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
# Chapter 05's momentum rolled down the canyon, but it rolled *past* the minimum at $x = 0$ and had to
# come back. On the ellipse $0.1x^2 + 2y^2$ with a learning rate that is not hand-tuned for it, its
# steep $y$ coordinate swings back and forth for hundreds of steps:

# %%
from minigrad.viz import SURFACES, path, plot_trajectories

canyon, ellipse = SURFACES["canyon"], SURFACES["d2l_ellipse"]
lr, mu = 0.02, 0.9
heavy_ball = path(canyon, lambda params: optim.SGD(params, lr=lr, momentum=mu), steps=150)
print(f"canyon: momentum overshoots the minimum (x = 0) up to x = {heavy_ball[:, 0].max():.3f}")


def steps_to_reach(points, tolerance=1e-6):
    """The first step at which the distance to the minimum (the origin) falls below `tolerance`."""
    return int(np.argmax(np.linalg.norm(points, axis=1) < tolerance))


swinging = path(ellipse, lambda params: optim.SGD(params, lr=0.2, momentum=mu), steps=400)
print(f"ellipse, lr = 0.2, μ = 0.9: {steps_to_reach(swinging)} steps to within 1e-6")
print("signs of y over the first 16 steps:", np.sign(swinging[:16, 1]).astype(int))

# %% [markdown]
# The ball overshoots to $x = 1.12$ on the canyon; on the ellipse it needs 262 steps, and $y$ changes
# sign every three or four steps: a slow spiral. Momentum reacts to a wall only once it has climbed it,
# because its gradient is taken where it is now.

# %% [markdown]
# ## Derivation
#
# ### The look-ahead gradient
#
# Write momentum in chapter 05's velocity form, $v_t = \mu v_{t-1} - \mathrm{lr}\,g_t$ and
# $w_{t+1} = w_t + v_t$. Before the gradient is even computed, the ball is going to move by
# $\mu v_{t-1}$ anyway. Nesterov's accelerated gradient (Nesterov 1983, in this form Sutskever et al.
# 2013; [Ten optimizers]) takes the gradient at that look-ahead point instead of at $w_t$:
#
# $$ v_t = \mu\, v_{t-1} - \mathrm{lr}\;\nabla f\big(w_t + \mu\, v_{t-1}\big), \qquad w_{t+1} = w_t + v_t . \tag{N} $$
#
# If the momentum is about to carry the ball up a wall, the gradient at the look-ahead point already
# points back down, and the velocity is corrected *this* step rather than the next.
#
# ### The change of variables
#
# (N) evaluates the gradient at a point that is not the parameter it stores. In a training loop,
# `loss.backward()` computes the gradient at the model's *current* parameters, so (N) would need two
# sets of parameters. The fix is to store the look-ahead point itself. Define
#
# $$ \theta_t = w_t + \mu\, v_{t-1}, \qquad\text{so that}\qquad g_t = \nabla f(\theta_t) . $$
#
# Then, using $w_{t+1} = w_t + v_t$ and $w_t = \theta_t - \mu v_{t-1}$:
#
# $$
# \begin{aligned}
# \theta_{t+1} &= w_{t+1} + \mu\, v_t = w_t + (1 + \mu)\, v_t = \theta_t - \mu\, v_{t-1} + (1+\mu)\, v_t \\
# &= \theta_t - \mu\, v_{t-1} + (1+\mu)\big(\mu\, v_{t-1} - \mathrm{lr}\, g_t\big)
#   = \theta_t + \mu^2\, v_{t-1} - (1+\mu)\,\mathrm{lr}\; g_t .
# \end{aligned}
# $$
#
# Together with $v_t = \mu v_{t-1} - \mathrm{lr}\, g_t$ this is a rule in $\theta$ alone, with one
# gradient per step at the stored parameters (Bengio et al. 2013). Note the **old** velocity
# $v_{t-1}$ in the $\mu^2$ term. Since $\mu v_t = \mu^2 v_{t-1} - \mu\,\mathrm{lr}\,g_t$, the same update
# reads, with the **new** velocity,
#
# $$ \theta_{t+1} = \theta_t + \mu\, v_t - \mathrm{lr}\; g_t \qquad \text{(Keras' form).} $$
#
# In PyTorch's variables, $v = -\mathrm{lr}\,b$ (chapter 05, constant lr), this is
#
# $$ b_t = \mu\, b_{t-1} + g_t, \qquad \theta_{t+1} = \theta_t - \mathrm{lr}\,\big(g_t + \mu\, b_t\big), \tag{P} $$
#
# exactly `torch.optim.SGD(momentum=μ, nesterov=True)` and `minigrad.optim.SGD(nesterov=True)`: the
# step is the current gradient plus the momentum buffer's *next* contribution. The parameters these
# libraries store are the look-ahead points $\theta_t$, not the $w_t$ of (N). The two sequences start
# together ($v_0 = 0$, so $\theta_0 = w_0$) and end together (at a minimum $v \to 0$).
#
# ### Why `step(param, grad)` with the velocity update is plain momentum
#
# An optimizer's `step()` receives the gradient the loop computed, $\nabla f$ at the parameters it
# holds. If it applies $v \leftarrow \mu v - \mathrm{lr}\,g$, $w \leftarrow w + v$ to that gradient, then
# $g = \nabla f(w_t)$, not $\nabla f(w_t + \mu v_{t-1})$: that is chapter 05's heavy ball, whatever the
# class is called. Nesterov in a `step(param, grad)` interface *requires* the change of variables.
#
# ### What the look-ahead does on a quadratic
#
# Take one eigendirection of curvature $\lambda$ (chapter 04), so $g_t = \lambda \theta_t$. By (N),
# $w_{t+1} = w_t + \mu v_{t-1} - \mathrm{lr}\,\lambda\,\theta_t = (1 - \mathrm{lr}\,\lambda)\,\theta_t$: a plain
# gradient step from the look-ahead point. And $\theta_{t+1} = w_{t+1} + \mu (w_{t+1} - w_t)$ extrapolates
# it. Eliminating $w$:
#
# $$ \theta_{t+1} = (1+\mu)(1 - \mathrm{lr}\,\lambda)\,\theta_t - \mu\,(1 - \mathrm{lr}\,\lambda)\,\theta_{t-1} . $$
#
# Compare momentum's $c_{t+1} = (1 + \mu - \mathrm{lr}\,\lambda)\,c_t - \mu\,c_{t-1}$. The product of the two
# roots of the characteristic polynomial is now $\mu(1 - \mathrm{lr}\,\lambda)$ instead of $\mu$. For
# $0 < \mathrm{lr}\,\lambda < 1$ (apart from the very flattest directions) the roots are complex, the
# direction spirals in, and their modulus is $\sqrt{\mu(1 - \mathrm{lr}\,\lambda)}$: smaller than momentum's
# $\sqrt\mu$, and the more so the steeper the direction, down to 0 at $\mathrm{lr}\,\lambda = 1$, where the
# gradient step from the look-ahead point lands exactly on the minimum. That is the braking: the steep
# directions that made momentum swing are damped hardest. The price comes beyond
# $\mathrm{lr}\,\lambda = 1$: the roots turn real and one of them heads for $-1$, which it reaches at
# $\mathrm{lr}\,\lambda = 2(1+\mu)/(1+2\mu)$ (1.357 for μ = 0.9). Momentum stays stable up to
# $2(1+\mu)$ (3.8): Nesterov trades stable range for damping.

# %% [markdown]
# ## Checking the derivation
#
# Run (N) literally, with the gradient at the look-ahead point, and PyTorch's form (P) with the
# gradient at its own parameters, from scratch on the canyon. The claim: $\theta_t = w_t + \mu v_{t-1}$ at
# every step.

# %%
def canyon_grad(w):
    """∇f for f = 0.1x² + 10(y − x²/4)², by hand."""
    x, y = w
    valley = y - x * x / 4
    return np.array([0.2 * x - 10 * x * valley, 20 * valley])


def run_lookahead(lr, mu, start, steps, grad=canyon_grad):
    """(N): v ← μv − lr·∇f(w + μv), w ← w + v. Returns the w's and the look-ahead points w + μv."""
    w, v = np.array(start), np.zeros(2)
    ws, lookaheads = [w], [w + mu * v]
    for _ in range(steps):
        v = mu * v - lr * grad(w + mu * v)
        w = w + v
        ws.append(w)
        lookaheads.append(w + mu * v)
    return np.array(ws), np.array(lookaheads)


def run_nesterov_pytorch_form(lr, mu, start, steps, grad=canyon_grad):
    """(P): b ← μb + ∇f(θ), θ ← θ − lr·(g + μb)."""
    theta, b = np.array(start), np.zeros(2)
    thetas = [theta]
    for _ in range(steps):
        g = grad(theta)
        b = mu * b + g
        theta = theta - lr * (g + mu * b)
        thetas.append(theta)
    return np.array(thetas)


steps = 150
w_path, lookahead_path = run_lookahead(lr, mu, canyon.start, steps)
theta_path = run_nesterov_pytorch_form(lr, mu, canyon.start, steps)
np.testing.assert_allclose(theta_path, lookahead_path, rtol=0, atol=1e-14)
print(f"θ_t = w_t + μ·v_(t−1) to within 1e-14 at all {steps + 1} points")

# %% [markdown]
# The stored parameters of the PyTorch form are the look-ahead points of (N) to machine precision
# (within $10^{-14}$, a few dozen units in the last place of coordinates of size 1),
# over 150 steps of a nonlinear problem. They are not (N)'s own $w_t$: the two differ by the $\mu v$
# between them. Both sequences head for the same minimum, and the gap between them dies out
# with the velocity:

# %%
gap = np.linalg.norm(theta_path - w_path, axis=1)
print(f"distance to the minimum after {steps} steps: w {np.linalg.norm(w_path[-1]):.1e}, θ {np.linalg.norm(theta_path[-1]):.1e}")
print(f"|θ_t − w_t|: largest {gap.max():.3f}, last {gap[-1]:.1e}")
assert np.linalg.norm(w_path[-1]) < 2e-3 and np.linalg.norm(theta_path[-1]) < 2e-3 and gap[-1] < 1e-3 * gap.max()

# %% [markdown]
# Next the three equivalent ways to write the $\theta$ update: Bengio's with $\mu^2 v_{\text{old}}$, Keras'
# with $\mu v_{\text{new}}$, and PyTorch's with the buffer:

# %%
def run_bengio_form(lr, mu, start, steps, grad=canyon_grad):
    """θ ← θ + μ²·v_old − (1 + μ)·lr·g, then v ← μv − lr·g."""
    theta, v = np.array(start), np.zeros(2)
    thetas = [theta]
    for _ in range(steps):
        g = grad(theta)
        theta = theta + mu * mu * v - (1 + mu) * lr * g
        v = mu * v - lr * g
        thetas.append(theta)
    return np.array(thetas)


def run_keras_form(lr, mu, start, steps, grad=canyon_grad):
    """v ← μv − lr·g, then θ ← θ + μ·v_new − lr·g."""
    theta, v = np.array(start), np.zeros(2)
    thetas = [theta]
    for _ in range(steps):
        g = grad(theta)
        v = mu * v - lr * g
        theta = theta + mu * v - lr * g
        thetas.append(theta)
    return np.array(thetas)


for name, run in [("Bengio (μ²·v_old)", run_bengio_form), ("Keras (μ·v_new)", run_keras_form)]:
    np.testing.assert_allclose(run(lr, mu, canyon.start, steps), theta_path, rtol=0, atol=1e-12)
    print(f"{name:>18} vs PyTorch form: the same {steps + 1} points to within 1e-12")

# %% [markdown]
# All three agree to rounding. Last, the rate on a quadratic: for a one-dimensional $f = \frac12\lambda w^2$
# and a range of curvatures, compare the modulus of the predicted roots with the rate measured from
# `optim.SGD(nesterov=True)` runs:

# %%
def root_modulus(lr_lambda, mu, nesterov):
    """The larger |root| of z² − a·z + c: a = (1+μ)(1−lrλ), c = μ(1−lrλ) for Nesterov;
    a = 1 + μ − lrλ, c = μ for momentum."""
    if nesterov:
        a, c = (1 + mu) * (1 - lr_lambda), mu * (1 - lr_lambda)
    else:
        a, c = 1 + mu - lr_lambda, mu
    return np.abs(np.roots([1.0, -a, c])).max()


def measured_rate(curvature, lr, mu, nesterov, steps=300, last=150):
    w = mg.tensor([1.0], dtype=mg.float64, requires_grad=True)
    optimizer = optim.SGD([w], lr=lr, momentum=mu, nesterov=nesterov)
    sizes = []
    for _ in range(steps):
        optimizer.zero_grad()
        (0.5 * curvature * w * w).sum().backward()
        optimizer.step()
        sizes.append(abs(w.item()))
    # the envelope of a spiralling sequence: the largest |w| in a window, compared `last` steps apart
    window = 40
    return (max(sizes[-window:]) / max(sizes[-last - window:-last])) ** (1 / last)


print(f"{'lr·λ':>6} {'momentum':>20} {'Nesterov':>20}")
for lr_lambda in (0.05, 0.2, 0.5, 0.8):  # the spiralling range 0 < lr·λ < 1
    row = []
    for nesterov in (False, True):
        predicted, measured = root_modulus(lr_lambda, mu, nesterov), measured_rate(lr_lambda / 0.1, 0.1, mu, nesterov)
        np.testing.assert_allclose(measured, predicted, rtol=0.01)
        row.append(f"{predicted:.4f} / {measured:.4f}")
    print(f"{lr_lambda:>6} {row[0]:>20} {row[1]:>20}")
    assert root_modulus(lr_lambda, mu, True) < root_modulus(lr_lambda, mu, False)

# %% [markdown]
# Each cell is predicted / measured, and they agree to within 1 %. With μ = 0.9 momentum spirals in at
# $\sqrt{0.9} = 0.9487$ per step whatever the curvature; Nesterov's rate drops as the curvature grows,
# to 0.4243 at lr·λ = 0.8. The steep directions that made momentum swing in the motivation are exactly
# the ones Nesterov damps.

# %% [markdown]
# ## From scratch
#
# `run_nesterov_pytorch_form` above is the rule; `minigrad.optim.SGD(nesterov=True)` and its named form
# `optim.Nesterov` should follow the same path with gradients from autograd:

# %%
library = path(canyon, lambda params: optim.SGD(params, lr=lr, momentum=mu, nesterov=True), steps=steps)
named = path(canyon, lambda params: optim.Nesterov(params, lr=lr, momentum=mu), steps=steps)
np.testing.assert_allclose(library, theta_path, rtol=0, atol=1e-12)
np.testing.assert_array_equal(named, library)
print("optim.SGD(nesterov=True) and optim.Nesterov follow the from-scratch path; last point:", library[-1].round(8))

# %% tags=["torch"]
try:
    import torch
except ImportError:
    print("PyTorch is not installed: skipping the comparison")
else:
    param = torch.tensor(canyon.start, dtype=torch.float64, requires_grad=True)
    torch_optimizer = torch.optim.SGD([param], lr=lr, momentum=mu, nesterov=True)
    theirs = [param.detach().numpy().copy()]
    for _ in range(steps):
        torch_optimizer.zero_grad()
        x_, y_ = param[0], param[1]
        (0.1 * x_ * x_ + 10 * (y_ - x_ * x_ / 4) ** 2).backward()
        torch_optimizer.step()
        theirs.append(param.detach().numpy().copy())
    np.testing.assert_allclose(np.array(theirs), library, rtol=0, atol=1e-12)
    print("torch.optim.SGD(nesterov=True) follows the same path")

# %% [markdown]
# ## Picture
#
# Momentum and Nesterov on the canyon, same lr = 0.02 and μ = 0.9. Nesterov's look-ahead sees the far
# wall coming and turns before it:

# %%
canyon_paths = {"momentum": heavy_ball, "Nesterov": library}
for name, points in canyon_paths.items():
    print(f"{name:>9}: largest x reached {points[:, 0].max():.3f}, f after {steps} steps {canyon.value(*points[-1]):.1e}")
figure = plot_trajectories(canyon, canyon_paths)
figure.axes[0].set_title(f"Canyon, lr = {lr}, μ = {mu}: momentum vs Nesterov, {steps} steps")
figure

# %% [markdown]
# Nesterov overshoots to $x = 0.27$ instead of 1.12 and ends an order of magnitude lower. The rate
# picture behind it, over the whole range of stable curvatures:

# %%
lr_lambdas = np.linspace(0.001, 4.0, 800)
fig, ax = plt.subplots(figsize=(6.4, 3.8))
for m in (0.5, 0.9):
    ax.plot(lr_lambdas, [root_modulus(a, m, False) for a in lr_lambdas], label=f"momentum, μ = {m}")
    ax.plot(lr_lambdas, [root_modulus(a, m, True) for a in lr_lambdas], linestyle="--", label=f"Nesterov, μ = {m}",
            color=ax.lines[-1].get_color())
ax.axhline(1, color="k", linewidth=0.8)
ax.set(xlabel="lr · λ (curvature of the direction, in units of 1/lr)", ylabel="error factor per step (|root|)",
       title="Convergence per direction on a quadratic", ylim=(0, 1.05))
ax.legend()
plt.show()

# %% [markdown]
# Solid lines are momentum: flat at $\sqrt\mu$ over a wide range of curvatures, because the spiral's
# modulus does not depend on $\lambda$, until it turns up and crosses 1 at $\mathrm{lr}\,\lambda = 2(1+\mu)$.
# Dashed lines are Nesterov: below momentum up to about $\mathrm{lr}\,\lambda = 1.2$, reaching 0 at 1,
# then rising steeply to its edge at $2(1+\mu)/(1+2\mu)$. For the flattest directions (far left) the two
# coincide: there the look-ahead changes nothing. So Nesterov is the better choice when the learning
# rate keeps $\mathrm{lr}\,\lambda_{\max}$ at or below about 1, which is where momentum's swinging hurts most.

# %% [markdown]
# ## What the sources got wrong
#
# ### "Reuse the momentum code"
#
# [Ten optimizers] notes that Nesterov only changes the gradient, so the momentum code can be reused.
# That holds only if the *caller* evaluates the gradient at $w + \mu v$. In the usual loop
# (`loss.backward()` at the current parameters, then `optimizer.step()`), the reused code gets
# $\nabla f(w)$, and the result is momentum, step for step:

# %%
def run_momentum_code_as_nesterov(lr, mu, start, steps):
    """The momentum update handed ∇f at the current parameters: what 'reusing the code' runs."""
    w, v = np.array(start), np.zeros(2)
    ws = [w]
    for _ in range(steps):
        v = mu * v - lr * canyon_grad(w)
        w = w + v
        ws.append(w)
    return np.array(ws)


reused = run_momentum_code_as_nesterov(lr, mu, canyon.start, steps)
np.testing.assert_allclose(reused, heavy_ball, rtol=0, atol=1e-12)
print("'Nesterov' by reusing the momentum code vs optim.SGD(momentum): the same path to within 1e-12")
print(f"                                         vs Nesterov:          max difference {np.abs(reused - library).max():.3f}")

# %% [markdown]
# It is chapter 05's momentum to rounding, and 1.20 away from Nesterov's path at its worst.
#
# ### $\mu^2 v_{\text{new}}$ instead of $\mu^2 v_{\text{old}}$
#
# A version of the Bengio form circulates widely (it comes from older copies of the *Deep Learning from
# Scratch* code and is still pasted into many tutorials): the velocity is updated first and then used
# in the $\mu^2$ term,
#
# ```python
# v = mu * v - lr * g                        # v is now v_new
# params += mu * mu * v - (1 + mu) * lr * g  # but the derivation needs v_old here
# ```
#
# The derivation above has $v_{t-1}$ there; with $v_t$ the update is
# $\theta_t + \mu^2 v_t - (1+\mu)\mathrm{lr}\,g_t = \theta_t + \mu^3 v_{t-1} - (1 + \mu + \mu^2)\,\mathrm{lr}\, g_t$:
# the momentum term is multiplied by $\mu$ once too often and the gradient term is $\mu^2\,\mathrm{lr}\,g$
# too large, every step. On a quadratic direction of curvature $\lambda$, with $a = \mathrm{lr}\,\lambda$, both
# rules are linear maps of the state $(\theta, v)$:
#
# $$
# \text{right: } \begin{pmatrix}\theta\\ v\end{pmatrix} \leftarrow \begin{pmatrix} 1 - (1+\mu)a & \mu^2\\ -a & \mu\end{pmatrix}\begin{pmatrix}\theta\\ v\end{pmatrix},
# \qquad
# \text{slip: } \begin{pmatrix}\theta\\ v\end{pmatrix} \leftarrow \begin{pmatrix} 1 - (1+\mu+\mu^2)a & \mu^3\\ -a & \mu\end{pmatrix}\begin{pmatrix}\theta\\ v\end{pmatrix}
# $$
#
# (the second rows are $v \leftarrow \mu v - \mathrm{lr}\,\lambda\,\theta = \mu v - a\theta$). A linear map diverges once an
# eigenvalue passes $-1$, i.e. when $1 + \operatorname{tr} + \det = 0$. For the right rule
# $\operatorname{tr} = 1 + \mu - (1+\mu)a$ and $\det = \mu(1 - a)$, which gives the edge
# $a = 2(1+\mu)/(1+2\mu)$; for the slip $\operatorname{tr} = 1 + \mu - (1+\mu+\mu^2)a$ and
# $\det = \mu - \mu(1+\mu)a$, which gives $a = 2(1+\mu)/(1+2\mu+2\mu^2)$. For $\mu = 0.9$: the right
# rule is stable up to $\mathrm{lr}\,\lambda = 1.357$, the slip only up to $0.860$. Check the edges, then
# run both on the ellipse ($\lambda_{\max} = 4$) at lr = 0.2, where both are stable, and at lr = 0.25,
# between the two edges:

# %%
def update_matrix(a, mu, slip):
    if slip:
        return np.array([[1 - (1 + mu + mu * mu) * a, mu**3], [-a, mu]])
    return np.array([[1 - (1 + mu) * a, mu * mu], [-a, mu]])


edges = {"right": 2 * (1 + mu) / (1 + 2 * mu), "slip": 2 * (1 + mu) / (1 + 2 * mu + 2 * mu * mu)}
for name, edge in edges.items():
    radius = [np.abs(np.linalg.eigvals(update_matrix(a, mu, name == "slip"))).max() for a in (0.99 * edge, 1.01 * edge)]
    assert radius[0] < 1 < radius[1]
    print(f"{name:>5}: stable for lr·λ < {edge:.4f} (spectral radius {radius[0]:.4f} just below, {radius[1]:.4f} just above)")


def ellipse_grad(w):
    """∇ of 0.1x² + 2y²."""
    return np.array([0.2, 4.0]) * w



def run_v_new_slip(lr, mu, start, steps, grad):
    theta, v = np.array(start), np.zeros(2)
    thetas = [theta]
    for _ in range(steps):
        g = grad(theta)
        v = mu * v - lr * g
        theta = theta + mu * mu * v - (1 + mu) * lr * g  # μ²·v_new: the slip
        thetas.append(theta)
    return np.array(thetas)


right = run_bengio_form(0.2, mu, ellipse.start, 100, grad=ellipse_grad)
slip = run_v_new_slip(0.2, mu, ellipse.start, 100, grad=ellipse_grad)
reference = path(ellipse, lambda params: optim.SGD(params, lr=0.2, momentum=mu, nesterov=True), steps=100)
np.testing.assert_allclose(right, reference, rtol=0, atol=1e-12)
deviation = np.linalg.norm(slip - right, axis=1)
print("lr = 0.2:  μ²·v_old vs optim.SGD(nesterov=True): the same path to within 1e-12")
print(f"lr = 0.2:  μ²·v_new vs μ²·v_old: first step {deviation[1]:.3f}, largest {deviation.max():.3f} (step {deviation.argmax()})")
right_25 = run_bengio_form(0.25, mu, ellipse.start, 100, grad=ellipse_grad)
slip_25 = run_v_new_slip(0.25, mu, ellipse.start, 100, grad=ellipse_grad)
print(f"lr = 0.25: distance to the minimum after 100 steps: μ²·v_old {np.linalg.norm(right_25[-1]):.1e}, "
      f"μ²·v_new {np.linalg.norm(slip_25[-1]):.1e}")
assert deviation.max() > 0.1
assert np.linalg.norm(right_25[-1]) < 1e-2 and np.linalg.norm(slip_25[-1]) > 1e6

# %% [markdown]
# The right order is `optim.SGD(nesterov=True)` to rounding. At lr = 0.2 the slip is off by 1.31 after
# the first step (there $v_{\text{old}} = 0$, so the whole difference is the extra $\mu^2\,\mathrm{lr}\,g_1$)
# and by up to 2.33 later, yet it converges, which is why it survives in copied code. At lr = 0.25, a
# learning rate that is fine for Nesterov, it blows up: the slip keeps only 63 % of Nesterov's stable
# range. It is a different optimizer, and PyTorch's hyperparameters do not carry over to it.

# %% tags=["torch"]
try:
    import torch
except ImportError:
    print("PyTorch is not installed: skipping the comparison")
else:
    param = torch.tensor(ellipse.start, dtype=torch.float64, requires_grad=True)
    torch_optimizer = torch.optim.SGD([param], lr=0.2, momentum=mu, nesterov=True)
    theirs = [param.detach().numpy().copy()]
    for _ in range(100):
        torch_optimizer.zero_grad()
        (0.1 * param[0] ** 2 + 2 * param[1] ** 2).backward()
        torch_optimizer.step()
        theirs.append(param.detach().numpy().copy())
    theirs = np.array(theirs)
    np.testing.assert_allclose(theirs, right, rtol=0, atol=1e-12)
    print(f"torch nesterov=True vs μ²·v_old: the same path to within 1e-12;  vs μ²·v_new: {np.abs(theirs - slip).max():.3f} apart")

# %% [markdown]
# ## Exercises
#
# ### Exercise 06.1: a Nesterov step in PyTorch's form (2 points)
#
# Write one step of `torch.optim.SGD(lr, momentum, nesterov=True)`: return the new parameters and the
# new momentum buffer (new arrays). `buf` is `None` on the first step, and the buffer then starts as
# the gradient. Update the buffer, $b \leftarrow \mu b + g$, then step by $-\mathrm{lr}\,(g + \mu b)$ with
# the *updated* buffer.

# %%
def nesterov_step(param, grad, buf, lr, momentum):
    """One step of PyTorch's SGD with Nesterov momentum: return (new param, new buf).

    buf is None on the first step; then the buffer starts as grad. Otherwise buf ← momentum·buf + grad.
    Then param ← param − lr·(grad + momentum·buf)."""
    # BEGIN SOLUTION
    buf = grad.copy() if buf is None else momentum * buf + grad
    return param - lr * (grad + momentum * buf), buf
    # END SOLUTION


# %%
check("06.nesterov_step", nesterov_step);

# %% [markdown]
# ## Summary
#
# - Nesterov momentum takes the gradient at the look-ahead point $w + \mu v$, where momentum is about to
#   carry the parameters, and so corrects overshoot one step earlier.
# - With $\theta = w + \mu v$ the rule needs one gradient at the stored parameters:
#   $\theta \leftarrow \theta + \mu^2 v_{\text{old}} - (1+\mu)\,\mathrm{lr}\,g$, or in PyTorch's form
#   $b \leftarrow \mu b + g$, $\theta \leftarrow \theta - \mathrm{lr}(g + \mu b)$; the stored $\theta_t$ equals
#   $w_t + \mu v_{t-1}$ to machine precision.
# - A `step()` that applies the velocity update to $\nabla f$ at its own parameters is plain momentum.
# - Using $\mu^2 v_{\text{new}}$ instead of $\mu^2 v_{\text{old}}$ is a different optimizer: 1.31 off after
#   one step on the ellipse, and stable only for $\mathrm{lr}\,\lambda < 0.860$ instead of $1.357$ ($\mu = 0.9$).
# - On a quadratic the look-ahead shrinks the spiral's modulus from $\sqrt\mu$ to
#   $\sqrt{\mu(1-\mathrm{lr}\,\lambda)}$: steep directions are damped hardest.
# - Chapter 07 turns to the second moment: a learning rate for each coordinate.
