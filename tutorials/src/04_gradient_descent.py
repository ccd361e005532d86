# %% [markdown]
# # 04 · Gradient descent
#
# Chapters 01–03 computed gradients. From here on the series is about what to *do* with a gradient:
# the update rule. This chapter sets up the frame every later chapter fills in, and answers the two
# questions plain gradient descent leaves open: **how much data** goes into each gradient, and **how
# large** a step can be before the iteration blows up.
#
# **You will learn**
# - the four-step template g → m, V → η → w that all ten update rules of this series fit;
# - batch, stochastic and mini-batch gradient descent (BGD, SGD, MBGD) and how noisy each one is;
# - why gradient descent on a quadratic converges exactly when lr < 2/L, oscillates at lr = 2/L and
#   diverges above, from the factor 1 − lr·λ of each eigendirection;
# - how fast it converges at the best learning rate, and what the condition number has to do with it.
#
# **Before this chapter:** 02 (a training loop: forward, loss, backward, update).

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
# Chapter 02's training loop moved the weights against the gradient with a learning rate picked by hand. Here is the simplest
# model there is, a straight line fitted to 200 noisy points by least squares, trained with two
# learning rates that look harmless:

# %%
from minigrad.data import DataLoader, TensorDataset, make_regression

X, y = make_regression(n_samples=200, n_features=1, noise=0.5, seed=0)


def full_batch_losses(lr, steps=8):
    model = nn.Linear(1, 1)
    model.weight.data[:] = 2.0
    model.bias.data[:] = -2.0
    optimizer = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(mg.tensor(X)), mg.tensor(y))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return np.round(losses, 3)


print("lr = 0.5:", full_batch_losses(0.5))
print("lr = 1.2:", full_batch_losses(1.2))

# %% [markdown]
# At lr = 0.5 the loss falls to the noise level (0.263) within three steps; at lr = 1.2 it *grows*
# by a constant factor every step. Somewhere between 0.5 and 1.2 there is a sharp edge. Where is it,
# and why is it sharp? And chapter 02 used all the data for every gradient: is that necessary? This
# chapter answers both, after setting up the frame for the whole optimizer half of the series.

# %% [markdown]
# ## Derivation
#
# ### The four-step template
#
# [Four-step notes] writes every optimizer of this series as the same four steps. With parameters
# $w_t$, a loss, a learning rate $\mathrm{lr}$ and $t$ counting the steps (one mini-batch each):
#
# $$
# \begin{aligned}
# &\text{1. gradient:} && g_t = \nabla_w\,\mathrm{loss}(w_t)\\
# &\text{2. moments:} && m_t = \phi(g_1, \dots, g_t), \qquad V_t = \psi(g_1^2, \dots, g_t^2)\\
# &\text{3. descent step:} && \eta_t = \mathrm{lr}\cdot m_t / \sqrt{V_t}\\
# &\text{4. update:} && w_{t+1} = w_t - \eta_t
# \end{aligned}
# $$
#
# The **first moment** $m_t$ (一阶动量) is some function of the gradients seen so far: it decides the
# *direction*. The **second moment** $V_t$ (二阶动量) is some function of the squared gradients: it
# decides the *scale*, separately for every coordinate (all operations are element-wise). An optimizer
# is nothing but a choice of $\phi$ and $\psi$. Plain gradient descent is the simplest choice,
# $m_t = g_t$ and $V_t = 1$:
#
# $$ w_{t+1} = w_t - \mathrm{lr}\cdot g_t. $$
#
# The rest of the series fills in this table, one or two rows per chapter (written here in the
# form `minigrad.optim` implements; each chapter derives its row and says where the sources differ):
#
# | chapter | rule | first moment $m_t$ | second moment $V_t$ |
# |---|---|---|---|
# | 04 | SGD | $g_t$ | $1$ |
# | 05 | Momentum | $\mu m_{t-1} + g_t$ | $1$ |
# | 06 | Nesterov | $g_t + \mu b_t$ with $b_t = \mu b_{t-1} + g_t$: a look-ahead | $1$ |
# | 07 | AdaGrad | $g_t$ | $\sum_{\tau \le t} g_\tau^2$ |
# | 08 | RMSProp | $g_t$ | $\beta V_{t-1} + (1-\beta) g_t^2$ |
# | 08 | AdaDelta | $g_t \cdot \sqrt{\text{average of past } \Delta w^2}$ (no lr) | $\beta V_{t-1} + (1-\beta) g_t^2$ |
# | 09 | Adam | $\beta_1 m_{t-1} + (1-\beta_1) g_t$, bias-corrected | $\beta_2 V_{t-1} + (1-\beta_2) g_t^2$, bias-corrected |
# | 10 | AdaMax | as Adam | $\sqrt{V_t}$ replaced by $\max(\beta_2 u_{t-1}, \lvert g_t\rvert)$ |
# | 11 | Nadam | Adam's, with a Nesterov look-ahead | as Adam |
# | 11 | NadaMax | Adam's, with a Nesterov look-ahead | as AdaMax |
#
# (Every adaptive rule also adds a small $\varepsilon$ to keep $\sqrt{V_t}$ away from zero; *where*
# it goes is a story of its own, told in chapters 07–10.)

# %% [markdown]
# ### Which gradient: BGD, SGD and MBGD
#
# The loss of a data set of $N$ samples is an average, $L(w) = \frac1N \sum_{i=1}^N \ell_i(w)$, so its
# gradient is the average of the $N$ per-sample gradients. [SJTU slides] and [yorhaha notes]
# distinguish three ways to get $g_t$:
#
# $$
# \begin{aligned}
# \text{BGD (批量梯度下降):} \quad & g_t = \frac1N \sum_{i=1}^{N} \nabla \ell_i(w_t) && \text{the exact gradient, one step per pass}\\
# \text{SGD (随机梯度下降):} \quad & g_t = \nabla \ell_{i_t}(w_t) && \text{one random sample, } N \text{ steps per pass}\\
# \text{MBGD (小批量梯度下降):} \quad & g_t = \frac1B \sum_{i \in \mathcal B_t} \nabla \ell_i(w_t) && \text{a random batch of } B, \ N/B \text{ steps per pass}
# \end{aligned}
# $$
#
# In code the three are one loop with three batch sizes: `DataLoader(dataset, batch_size=N)`,
# `batch_size=1` and, say, `batch_size=16`. (Libraries call all three "SGD"; `optim.SGD` only applies
# the update, the loader decides which gradient it gets.)
#
# **The mini-batch gradient is right on average.** If the batch is drawn uniformly, every sample is
# equally likely to be in it, so $\mathbb E[g_t] = \nabla L(w_t)$: the noise has mean zero.
#
# **Its noise shrinks like 1/B.** Write $\sigma^2$ for the variance of a single per-sample gradient
# around the full gradient (over the $N$ samples, one coordinate at a time). Averaging $B$ samples
# drawn *without replacement* (as a shuffled loader does) has variance
#
# $$ \operatorname{Var}[g_t] = \frac{\sigma^2}{B}\cdot\frac{N-B}{N-1}, $$
#
# the familiar $\sigma^2/B$ of independent samples times a correction that makes it exactly 0 for the
# full batch, $B = N$. To see where it comes from, write $d_i = \nabla\ell_i - \nabla L$ for the
# deviations; they sum to zero, and $\sigma^2 = \frac1N\sum_i d_i^2$. The batch's error is
# $\frac1B\sum_{i \in \mathcal B} d_i$, a sum of $B$ terms, so its variance is $\frac1{B^2}$ times $B$ variances
# $\sigma^2$ plus $B(B-1)$ covariances of two *different* samples. Two different samples are a uniformly
# drawn ordered pair $i \ne j$, and
#
# $$ \mathbb E[d_i d_j] = \frac{1}{N(N-1)}\sum_{i \ne j} d_i d_j = \frac{(\sum_i d_i)^2 - \sum_i d_i^2}{N(N-1)} = \frac{0 - N\sigma^2}{N(N-1)} = -\frac{\sigma^2}{N-1}, $$
#
# so $\operatorname{Var}[g_t] = \frac{1}{B^2}\big(B\sigma^2 - B(B-1)\frac{\sigma^2}{N-1}\big) = \frac{\sigma^2}{B}\cdot\frac{N-B}{N-1}$:
# samples drawn without replacement are slightly anti-correlated, which is what removes the noise
# entirely at $B = N$. So BGD is noise-free, SGD is as noisy as one sample, and MBGD sits in between
# for a cost of $B$ gradients per step, which vectorised code computes almost as fast as one.

# %% [markdown]
# ### How large a step: the quadratic model
#
# Near a minimum $w^*$ every smooth loss looks like a quadratic, $L(w) \approx L(w^*) + \frac12
# (w - w^*)^\top H (w - w^*)$, with $H$ the (symmetric, positive semi-definite) Hessian. The least-squares
# loss of the motivation *is* such a quadratic. Its gradient is $\nabla L(w) = H (w - w^*)$, so one step
# of gradient descent maps the error $e_t = w_t - w^*$ to
#
# $$ e_{t+1} = e_t - \mathrm{lr}\cdot H e_t = (I - \mathrm{lr}\, H)\, e_t . $$
#
# $H$ has orthonormal eigenvectors $q_i$ with eigenvalues $\lambda_i \ge 0$ (the curvatures along
# them). Writing the error in that basis, $e_t = \sum_i c_{i,t}\, q_i$, the matrix $I - \mathrm{lr}\,H$
# acts on each coordinate separately:
#
# $$ c_{i,t+1} = (1 - \mathrm{lr}\,\lambda_i)\, c_{i,t} \qquad\Longrightarrow\qquad c_{i,t} = (1 - \mathrm{lr}\,\lambda_i)^t\, c_{i,0}. $$
#
# Each eigendirection is a geometric sequence with ratio $1 - \mathrm{lr}\,\lambda_i$. It shrinks exactly
# when $|1 - \mathrm{lr}\,\lambda_i| < 1$, i.e. $0 < \mathrm{lr}\,\lambda_i < 2$. With
# $L = \lambda_{\max}$ (the largest curvature, also the Lipschitz constant of the gradient):
#
# $$
# \begin{aligned}
# \mathrm{lr} < 2/L: &\quad \text{every } |1 - \mathrm{lr}\,\lambda_i| < 1 \text{: converges;}\\
# \mathrm{lr} = 2/L: &\quad 1 - \mathrm{lr}\,L = -1 \text{: the steepest direction flips sign forever, at constant size;}\\
# \mathrm{lr} > 2/L: &\quad |1 - \mathrm{lr}\,L| > 1 \text{: the steepest direction grows geometrically, flipping sign each step.}
# \end{aligned}
# $$
#
# The edge is sharp because the ratio is a linear function of lr: it crosses −1 at one point. Between
# $1/\lambda_i$ and $2/\lambda_i$ the ratio is negative: the step overshoots the valley floor and lands
# on the other side, closer than it started. That zig-zag is the first thing momentum (chapter 05) fixes.
#
# **The best learning rate.** The error shrinks at the pace of its slowest direction,
# $\rho(\mathrm{lr}) = \max_i |1 - \mathrm{lr}\,\lambda_i|$, and only the extreme eigenvalues matter:
# $\rho = \max(|1 - \mathrm{lr}\,\lambda_{\min}|, |1 - \mathrm{lr}\,\lambda_{\max}|)$. The first term falls
# and the second rises with lr, so the best lr makes them equal, $1 - \mathrm{lr}\,\lambda_{\min} =
# \mathrm{lr}\,\lambda_{\max} - 1$:
#
# $$ \mathrm{lr}^* = \frac{2}{\lambda_{\min} + \lambda_{\max}}, \qquad \rho^* = \frac{\lambda_{\max} - \lambda_{\min}}{\lambda_{\max} + \lambda_{\min}} = \frac{\kappa - 1}{\kappa + 1}, \qquad \kappa = \frac{\lambda_{\max}}{\lambda_{\min}} . $$
#
# The condition number $\kappa$ alone decides how fast plain gradient descent can go: about $\kappa/2$
# steps per factor $e$ of error. Chapter 05 brings that down to about $\sqrt{\kappa}/2$.

# %% [markdown]
# ## Checking the derivation
#
# First the claims about the mini-batch gradient. Per-sample gradients of the squared error
# $\ell_i = (w x_i + b - y_i)^2$ with respect to $(w, b)$ are $2 (w x_i + b - y_i)\,(x_i, 1)$; stack them
# for all 200 samples at one point, and compare with autograd's gradient of the full loss:

# %%
X64, y64 = X.astype(np.float64), y.astype(np.float64)
w, b = 0.5, 1.0
residual = w * X64[:, 0] + b - y64[:, 0]
per_sample = 2 * residual[:, None] * np.stack([X64[:, 0], np.ones(len(X64))], axis=1)  # (N, 2)

point = mg.tensor([w, b], dtype=mg.float64, requires_grad=True)
loss = ((mg.tensor(X64[:, 0]) * point[0] + point[1] - mg.tensor(y64[:, 0])) ** 2).mean()
loss.backward()
full = np.asarray(point.grad)

np.testing.assert_allclose(per_sample.mean(axis=0), full, rtol=1e-12)
print("mean of the 200 per-sample gradients:", per_sample.mean(axis=0).round(6))
print("gradient of the full loss:           ", full.round(6))

# %% [markdown]
# The batch gradient is the average of the per-sample ones, to rounding. Now the noise: draw many
# batches of size $B$ without replacement, and compare the variance of their mean gradient with
# $\frac{\sigma^2}{B}\frac{N-B}{N-1}$.

# %%
N = len(X64)
sigma2 = per_sample.var(axis=0)  # population variance over the N samples, per coordinate
print(f"{'B':>4} {'measured Var[g]':>22} {'σ²/B·(N−B)/(N−1)':>22}")
for B in (1, 4, 16, 64, 200):
    draws = np.stack([per_sample[rng.choice(N, size=B, replace=False)].mean(axis=0) for _ in range(4000)])
    measured = draws.var(axis=0)
    predicted = sigma2 / B * (N - B) / (N - 1)
    np.testing.assert_allclose(measured, predicted, rtol=0.08, atol=1e-12)
    print(f"{B:>4} {np.array2string(measured.round(4)):>22} {np.array2string(predicted.round(4)):>22}")

# %% [markdown]
# Each row matches the formula within the sampling error of 4000 draws, and the full batch ($B = 200$)
# has no noise at all. Going from one sample to sixteen divides the variance by about 17.
#
# Next the step-size claims, on the quadratic $f(x, y) = 0.1x^2 + 2y^2$ that `minigrad.viz.surfaces`
# calls `d2l_ellipse` (the one of d2l's optimization chapter). Its Hessian is diagonal,
# $H = \mathrm{diag}(0.2, 4)$, so the eigendirections are the axes, $L = 4$, and the edge is at
# $\mathrm{lr} = 2/L = 0.5$. `minigrad.viz.path` runs a real `optim.SGD` from the surface's start point,
# with the gradient from autograd:

# %%
from minigrad.viz import SURFACES, path, plot_trajectories

ellipse = SURFACES["d2l_ellipse"]
curvatures = np.array([0.2, 4.0])  # eigenvalues of the Hessian: 2·0.1 along x, 2·2 along y
L = curvatures.max()
print("start:", ellipse.start, " L =", L, " 2/L =", 2 / L)

runs = {lr: path(ellipse, lambda params, lr=lr: optim.SGD(params, lr=lr), steps=30) for lr in (0.45, 0.5, 0.55)}
for lr, points in runs.items():
    ratios = points[1:] / points[:-1]  # c_{t+1} / c_t, coordinate by coordinate
    np.testing.assert_allclose(ratios, np.broadcast_to(1 - lr * curvatures, ratios.shape), rtol=1e-12)
    print(f"lr = {lr}: every step multiplies (x, y) by {ratios[0].round(3)};  |y| after 30 steps = {abs(points[-1, 1]):.3g}")

# %% [markdown]
# Every single step multiplies each coordinate by exactly $1 - \mathrm{lr}\,\lambda_i$, as derived.
# Along $y$ (curvature 4) that is −0.8 below the edge, −1 at it and −1.2 above it; after 30 steps $|y|$
# has shrunk to 0.0025, stayed at its starting 2, or grown to 475. Along $x$ (curvature 0.2) all
# three learning rates converge, slowly. The three regimes, asserted:

# %%
start = np.array(ellipse.start)
assert np.linalg.norm(runs[0.45][-1]) < 0.1 * np.linalg.norm(start), "below 2/L: converges"
assert np.all(np.abs(runs[0.5][:, 1]) == 2.0), "at 2/L: y oscillates at constant size"
assert abs(runs[0.5][-1, 0]) < 0.05 * abs(start[0]), "at 2/L: x still converges"
assert np.abs(runs[0.55][-1, 1]) > 100 * np.abs(runs[0.55][0, 1]), "above 2/L: diverges"
print("below the edge: converges; at the edge: |y| stays exactly 2; above it: |y| grows 1.2× per step")

# %% [markdown]
# The motivation's line fit is a quadratic too, so its edge can be computed instead of guessed. Its loss
# $\frac1N\sum_i (w x_i + b - y_i)^2$ has the Hessian $2\begin{pmatrix}\overline{x^2} & \bar x\\ \bar x & 1\end{pmatrix}$
# (bars are means over the samples); its largest eigenvalue is $L$:

# %%
hessian = 2 * np.array([[(X64**2).mean(), X64.mean()], [X64.mean(), 1.0]])
edge = 2 / np.linalg.eigvalsh(hessian).max()
print(f"L = {np.linalg.eigvalsh(hessian).max():.4f}, so the edge is at lr = 2/L = {edge:.4f}")
below, above = full_batch_losses(0.97 * edge, steps=200), full_batch_losses(1.03 * edge, steps=200)
print(f"200 steps with lr = 0.97·2/L: loss {below[0]:.3f} → {below[-1]:.3f}")
print(f"200 steps with lr = 1.03·2/L: loss {above[0]:.3f} → {above[-1]:.3g}")
assert below[-1] < below[0] and above[-1] > 100 * above[0]

# %% [markdown]
# The edge of the motivation sits at $2/L = 0.9971$: 3 % below it the loss reaches its minimum, 0.263;
# 3 % above it, it blows up to $2.5\cdot 10^{10}$ in 200 steps.
#
# Last, the best learning rate. Sweep lr, measure how much the error shrinks per step over a long
# run, and compare with the predicted $\rho(\mathrm{lr}) = \max_i |1 - \mathrm{lr}\,\lambda_i|$ and its
# minimum $(\kappa - 1)/(\kappa + 1)$ at $2/(\lambda_{\min} + \lambda_{\max})$:

# %%
def measured_rate(lr, steps=200, last=50):
    """The factor by which ‖w − w*‖ shrinks per step over the last `last` steps (w* = 0 here),
    when the slowest direction dominates the error."""
    points = path(ellipse, lambda params: optim.SGD(params, lr=lr), steps=steps)
    return (np.linalg.norm(points[-1]) / np.linalg.norm(points[-1 - last])) ** (1 / last)


def predicted_rate(lr):
    return np.max(np.abs(1 - lr * curvatures))


kappa = curvatures.max() / curvatures.min()
best_lr = 2 / (curvatures.min() + curvatures.max())
print(f"κ = {kappa:.0f}, best lr = {best_lr:.4f}, predicted best rate (κ−1)/(κ+1) = {(kappa - 1) / (kappa + 1):.4f}")
for lr in (0.1, 0.3, best_lr, 0.49):
    print(f"lr = {lr:.4f}: measured rate {measured_rate(lr):.4f}, predicted {predicted_rate(lr):.4f}")
    np.testing.assert_allclose(measured_rate(lr), predicted_rate(lr), rtol=2e-3)
np.testing.assert_allclose(predicted_rate(best_lr), (kappa - 1) / (kappa + 1), rtol=1e-12)

sweep = np.linspace(0.01, 0.52, 300)
assert abs(sweep[np.argmin([predicted_rate(lr) for lr in sweep])] - best_lr) < 0.002

# %% [markdown]
# The measured and predicted rates agree to three decimals, and no learning rate beats
# $2/(\lambda_{\min} + \lambda_{\max}) = 0.4762$. Even there the error shrinks only by 0.9048 per step:
# with $\kappa = 20$ the flat $x$ direction sets the pace, and taking larger steps would blow up $y$.
# Note also that the best lr is close to the edge $2/L = 0.5$: in practice the fastest learning rate
# lives just below the one that diverges.

# %% [markdown]
# ## From scratch
#
# The rule itself is one line of NumPy (the `w = …` line in the loop; exercise 04.1 asks you to write it
# as a function). Below it is run on the ellipse with a hand-written gradient, next to `optim.SGD`
# (which the paths above used, with autograd's gradient):

# %%
def ellipse_grad(w):
    return np.array([0.2 * w[0], 4.0 * w[1]])


w = np.array(ellipse.start)
ours = [w]
for _ in range(30):
    w = w - 0.45 * ellipse_grad(w)
    ours.append(w)
ours = np.array(ours)

np.testing.assert_allclose(ours, runs[0.45], rtol=1e-13, atol=1e-300)
print("from scratch and optim.SGD agree on all 31 points; last:", ours[-1].round(6))

# %% [markdown]
# And the same 30 steps with PyTorch, if it is installed:

# %% tags=["torch"]
try:
    import torch
except ImportError:
    print("PyTorch is not installed: skipping the comparison")
else:
    param = torch.tensor(ellipse.start, dtype=torch.float64, requires_grad=True)
    torch_optimizer = torch.optim.SGD([param], lr=0.45)
    theirs = [param.detach().numpy().copy()]
    for _ in range(30):
        torch_optimizer.zero_grad()
        (0.1 * param[0] ** 2 + 2 * param[1] ** 2).backward()
        torch_optimizer.step()
        theirs.append(param.detach().numpy().copy())
    np.testing.assert_allclose(np.array(theirs), runs[0.45], rtol=1e-13)
    print("torch.optim.SGD agrees with minigrad on all 31 points")

# %% [markdown]
# ## Picture
#
# ### The step-size edge
#
# The first 12 steps of the three learning rates of the check, on the ellipse's contours. Look at the
# $y$ coordinate: below the edge (0.45) the zig-zag dies out; at the edge (0.5) it bounces between
# $y = 2$ and $y = -2$ forever while $x$ still creeps towards the minimum; above it (0.55) it leaves the
# picture after three steps.

# %%
figure = plot_trajectories(ellipse, {f"lr = {lr}" + (" = 2/L" if lr == 0.5 else ""): runs[lr][:13] for lr in runs})
figure.axes[0].set_title("Gradient descent on 0.1x² + 2y² (L = 4): below, at and above lr = 2/L")
figure

# %% [markdown]
# The same story as numbers: $|y_t|$ on a log scale is a straight line of slope $\log|1 - \mathrm{lr}\cdot 4|$.

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.6))
for lr, points in runs.items():
    ax.semilogy(np.abs(points[:, 1]), marker=".", label=f"lr = {lr}:  |1 − 4·lr| = {abs(1 - 4 * lr):.1f}")
ax.set(xlabel="step t", ylabel="|y_t| (the steepest direction)", title="One factor per step: 1 − lr·λ")
ax.legend()
plt.show()

# %% [markdown]
# ### BGD, SGD and MBGD on the same problem
#
# Back to the line fit of the motivation. Its loss is a quadratic in $(w, b)$, so it can be drawn like
# the surfaces of `minigrad.viz`: wrap it in a `Surface` and the library draws the contours and the paths.
# The three methods start from the same point, use the same learning rate, and each gets 10 passes
# over the data (epochs): 10 steps for BGD, 130 for MBGD with $B = 16$, 2000 for SGD.

# %%
from minigrad.viz import Surface

x_mean, x2_mean, y_mean = float(X64.mean()), float((X64**2).mean()), float(y64.mean())
xy_mean, y2_mean = float((X64 * y64).mean()), float((y64**2).mean())


def line_fit_loss(w, b):
    """mean((w·x + b − y)²) over the 200 samples, written out as a quadratic in (w, b)."""
    return x2_mean * w * w + 2 * x_mean * w * b + b * b - 2 * xy_mean * w - 2 * y_mean * b + y2_mean


best = np.linalg.solve([[x2_mean, x_mean], [x_mean, 1.0]], [xy_mean, y_mean])
line_fit = Surface("line_fit", "Least-squares line fit", line_fit_loss, (tuple(best),), start=(2.0, -2.0),
                   xlim=(-2.2, 2.4), ylim=(-2.4, 2.0))
print("least-squares solution (w*, b*) =", best.round(4), " loss there:", round(float(line_fit.value(*best)), 4))


def train_line(batch_size, lr=0.05, epochs=10):
    """Fit w·x + b with optim.SGD on batches of `batch_size`; return (w, b) after every step."""
    mg.manual_seed(1)  # the same shuffles for every run
    model = nn.Linear(1, 1)
    model.weight.data[:] = line_fit.start[0]
    model.bias.data[:] = line_fit.start[1]
    optimizer = optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(mg.tensor(X), mg.tensor(y)), batch_size=batch_size, shuffle=True)
    visited = [line_fit.start]
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(model(xb), yb).backward()
            optimizer.step()
            visited.append((model.weight.item(), model.bias.item()))
    return np.array(visited)


paths = {"SGD (B = 1)": train_line(1), "MBGD (B = 16)": train_line(16), "BGD (B = 200)": train_line(200)}
for name, points in paths.items():
    print(f"{name:>14}: {len(points) - 1:>4} steps, final loss {float(line_fit.value(*points[-1])):.4f}")

# %%
figure = plot_trajectories(line_fit, paths)
ax = figure.axes[0]
ax.set(xlabel="weight w", ylabel="bias b", title="Ten epochs each, lr = 0.05: one path per batch size")
figure

# %% [markdown]
# Look at the shapes: BGD's 10 steps lie on a smooth curve but stop well short of the minimum (the
# star); SGD rushes to the minimum within the first epoch and then keeps jittering around it; MBGD is
# almost as fast and far calmer. How far is each from the minimum after ten epochs, and how much does it
# still jitter (the spread of its last epoch's points around their own mean)?

# %%
steps_per_epoch = {"SGD (B = 1)": 200, "MBGD (B = 16)": 13, "BGD (B = 200)": 1}
print(f"{'':>14}  {'distance from (w*, b*)':>24}  {'jitter in the last epoch':>26}")
distance, jitter = {}, {}
for name, points in paths.items():
    last = points[-steps_per_epoch[name]:]
    distance[name] = np.linalg.norm(points[-1] - best)
    jitter[name] = np.sqrt(((last - last.mean(axis=0)) ** 2).sum(axis=1).mean())  # RMS around their mean
    print(f"{name:>14}  {distance[name]:>24.4f}  {jitter[name]:>26.4f}")
assert jitter["SGD (B = 1)"] > 3 * jitter["MBGD (B = 16)"] and distance["MBGD (B = 16)"] < distance["SGD (B = 1)"]

# %%

fig, ax = plt.subplots(figsize=(6.4, 3.6))
for name, points in paths.items():
    epochs = np.arange(len(points)) / (len(points) - 1) * 10
    ax.semilogy(epochs, [float(line_fit.value(*p)) - float(line_fit.value(*best)) for p in points], label=name)
ax.set(xlabel="epochs (passes over the 200 samples)", ylabel="loss − minimum loss",
       title="Same data, same lr: progress and noise per epoch")
ax.legend()
plt.show()

# %% [markdown]
# BGD is still 1.45 away from the minimum: per pass over the data it takes one careful step where the
# others take 200 or 13 rough ones. SGD got there first but never settles: with a constant learning
# rate it keeps jittering (0.19) at a level set by its gradient noise. MBGD's jitter is 0.023, 8 times
# smaller (its gradients have about 17 times less variance, as measured above), and it ends closest to
# the minimum. The price of a smaller batch is noise; the price of a larger one is fewer steps per
# epoch. That is why practice uses mini-batches, and why later chapters care about
# averaging gradients over time (momentum) as well as over a batch.

# %% [markdown]
# ## What the sources got wrong
#
# Nothing in the rules of this chapter; two points where the sources are easy to misread:
#
# - [yorhaha notes] label the mini-batch formula "stochastic gradient descent" and [Ten optimizers]
#   reserves "SGD" for one sample and "mBGD" for a batch; [SJTU slides] use all three names. Both
#   conventions are in use. Libraries (`torch.optim.SGD`, `minigrad.optim.SGD`) call the update "SGD"
#   whatever the batch size: the batch size is the data loader's business.
# - [SJTU slides] say MBGD is "more accurate than SGD and faster than BGD". Per *step* BGD is the most
#   accurate, and per *pass over the data* SGD makes the most progress at first; what MBGD buys is a
#   variance $B$ times smaller than SGD's for a step that costs about the same wall-clock time on
#   vectorised hardware. The last figure shows both sides of that trade.

# %% [markdown]
# ## Exercises
#
# ### Exercise 04.1: one SGD step (1 point)
#
# Write the update $w_{t+1} = w_t - \mathrm{lr}\cdot g_t$ for NumPy arrays (return a new array of the
# parameters' dtype; do not change the inputs).

# %%
def sgd_step(param, grad, lr):
    """One step of gradient descent: return the new parameters θ − lr·g (a new array)."""
    # BEGIN SOLUTION
    return param - lr * grad
    # END SOLUTION


# %%
check("04.sgd_step", sgd_step);

# %% [markdown]
# ### Exercise 04.2: the convergence factor on a quadratic (2 points)
#
# For gradient descent with learning rate `lr` on a quadratic whose Hessian is the symmetric matrix
# `hessian`, return the factor $\rho$ by which the error shrinks per step in its slowest direction,
# $\rho = \max_i |1 - \mathrm{lr}\,\lambda_i|$ (a float; $\rho < 1$ means it converges). `np.linalg.eigvalsh`
# gives the eigenvalues of a symmetric matrix.

# %%
def convergence_factor(hessian, lr):
    """max over the eigenvalues λ of `hessian` of |1 − lr·λ|: the worst per-step factor of the error."""
    # BEGIN SOLUTION
    eigenvalues = np.linalg.eigvalsh(hessian)
    return float(np.max(np.abs(1 - lr * eigenvalues)))
    # END SOLUTION


# %%
check("04.convergence_factor", convergence_factor)
assert convergence_factor(np.diag([0.2, 4.0]), 0.5) == 1.0  # the edge of the ellipse above

# %% [markdown]
# ## Summary
#
# - Every optimizer in this series is the four steps g → m, V → η → w; SGD is $m = g$, $V = 1$.
# - BGD, SGD and MBGD differ only in the batch that gives $g_t$: the mini-batch gradient is unbiased,
#   with variance $\frac{\sigma^2}{B}\frac{N-B}{N-1}$; small batches make fast, noisy progress per epoch.
# - On a quadratic, each eigendirection of the Hessian is multiplied by $1 - \mathrm{lr}\,\lambda_i$ per
#   step: converges for $\mathrm{lr} < 2/L$, oscillates at $2/L$, diverges above.
# - The best learning rate $2/(\lambda_{\min} + \lambda_{\max})$ still shrinks the error only by
#   $(\kappa - 1)/(\kappa + 1)$ per step: ill-conditioned problems are slow. Momentum, next, is the
#   first remedy.
