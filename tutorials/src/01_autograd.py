# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 01 · Autograd: how a program computes its own derivatives
#
# Every optimizer in this series moves the weights against the gradient of the loss. This chapter is
# about where that gradient comes from: reverse-mode automatic differentiation ("autograd"), the
# machinery behind `loss.backward()`. We compute one derivative three ways, build a complete scalar
# autograd engine in under forty lines, and then find the same ideas in `minigrad.Tensor`.
#
# **You will learn**
# - to compute a derivative by hand, by finite differences and by reverse mode, and why reverse mode is
#   what training uses;
# - how a `Value` that records its inputs and local derivatives can run the chain rule backwards, in a
#   topological order;
# - why gradients *accumulate* in `.grad` (and so why training loops call `w.grad.zero_()`);
# - why broadcasting in the forward pass becomes a sum in the backward pass;
# - to check any backward with `mg.gradcheck`.
#
# **Before this chapter**: Python, NumPy arrays, and the derivative and chain rule from calculus.
# This is the first chapter.

# %%
import math

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
# Training needs ∂L/∂w for *every* weight w. The most obvious way to get a derivative is to wiggle one
# weight and watch the loss: two loss evaluations per weight. Here is the small network chapter 02
# trains on 8×8 digits; count what the wiggling would cost.

# %%
model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
n_weights = sum(p.numel() for p in model.parameters())
print(f"weights: {n_weights}")
print(f"forward passes per gradient by wiggling each weight (central differences): {2 * n_weights}")
print("forward + backward passes per gradient by reverse mode: 1 + 1")

# %% [markdown]
# Wiggling costs 2 × 2,410 = 4,820 forward passes for *one* gradient of this tiny network, and a million
# for a network with half a million weights. Reverse mode gets all 2,410 partial derivatives from one
# forward and one backward pass, whatever the number of weights. And, as the picture below will show,
# wiggling is not even exact. The rest of the chapter is how reverse mode does it.

# %% [markdown]
# ## Derivation
#
# ### One function, three ways
#
# Take a function of two inputs in which each input is used twice:
#
# $$ f(x, y) = \tanh(xy + x)\, e^{y}. $$
#
# **By hand.** Name the pieces: $u = xy + x$, $t = \tanh u$, $f = t\,e^{y}$. With
# $\tanh'(u) = 1 - \tanh^2 u$ and the chain rule,
#
# $$ \frac{\partial f}{\partial x} = e^{y}\,(1 - t^2)\,\frac{\partial u}{\partial x}
#      = e^{y}\,(1 - t^2)\,(y + 1), \qquad
#    \frac{\partial f}{\partial y} = e^{y}\,(1 - t^2)\,\frac{\partial u}{\partial y} + t\,e^{y}
#      = e^{y}\,\big[(1 - t^2)\,x + t\big]. $$
#
# Notice the two terms in $\partial f / \partial y$: $y$ reaches $f$ along two paths (through $u$ and
# through $e^{y}$), and the derivative is the **sum** over the paths.
#
# **By finite differences.** Taylor's theorem gives $f(x + \varepsilon) = f(x) + \varepsilon f'(x) +
# \tfrac{\varepsilon^2}{2} f''(x) + \tfrac{\varepsilon^3}{6} f'''(x) + \dots$, so
#
# $$ \frac{f(x + \varepsilon) - f(x)}{\varepsilon} = f'(x) + \tfrac{\varepsilon}{2} f''(x) + O(\varepsilon^2),
#    \qquad
#    \frac{f(x + \varepsilon) - f(x - \varepsilon)}{2\varepsilon} = f'(x) + \tfrac{\varepsilon^2}{6} f'''(x) + O(\varepsilon^4). $$
#
# In the central difference the even powers cancel: its *truncation* error shrinks like $\varepsilon^2$,
# the forward difference's only like $\varepsilon$. But a small $\varepsilon$ subtracts two nearly equal
# numbers, each rounded to about $10^{-16}$ relative (float64): a *rounding* error of order
# $10^{-16}/\varepsilon$ that grows as $\varepsilon$ shrinks. The best one can do is where the two meet.
#
# **By reverse mode.** Write the computation as a graph of simple steps, each with a local derivative
# we know. For every intermediate value $v$ define its *adjoint* $\bar v = \partial f / \partial v$.
# Start from $\bar f = 1$ and walk the graph backwards; a value $v$ that feeds the children $c$ gets
#
# $$ \bar v = \sum_{c \,\in\, \text{children}(v)} \bar c \; \frac{\partial c}{\partial v}. $$
#
# That is the multivariable chain rule, one step at a time. Two consequences shape every autograd engine:
#
# 1. $\bar v$ is complete only once **all** of $v$'s children have passed their share back. So the
#    nodes must be visited in a *topological order*: every node after all the nodes computed from it.
# 2. The shares are **added** (`+=`), never assigned: that is the "sum over paths" above.
#
# Each node does a constant amount of work per input, so the backward pass costs a small multiple of
# the forward pass, for any number of inputs.
#
# ### Broadcasting is a hidden "used many times"
#
# Adding a bias $b \in \mathbb{R}^{3}$ to every row of $X \in \mathbb{R}^{4 \times 3}$ computes
# $Z_{ij} = X_{ij} + b_j$: each $b_j$ is used in four places. The rule above then says
#
# $$ \frac{\partial L}{\partial b_j} = \sum_{i=1}^{4} \frac{\partial L}{\partial Z_{ij}}\,\frac{\partial Z_{ij}}{\partial b_j}
#      = \sum_{i=1}^{4} \frac{\partial L}{\partial Z_{ij}}: $$
#
# the gradient of a broadcast input is the incoming gradient **summed over the broadcast axes**.
#
# ### Two backward rules for the exercises
#
# $\tanh$: from $\tanh = \sinh / \cosh$ and the quotient rule,
# $\tanh'(x) = (\cosh^2 x - \sinh^2 x)/\cosh^2 x = 1 - \tanh^2 x$. For $y = \tanh(x)$ elementwise and an
# incoming gradient $g = \partial L / \partial y$, the chain rule gives
#
# $$ \frac{\partial L}{\partial x} = g \odot (1 - \tanh^2 x). $$
#
# $\operatorname{logsumexp}$: for $y = \log \sum_j e^{x_j}$,
#
# $$ \frac{\partial y}{\partial x_i} = \frac{e^{x_i}}{\sum_j e^{x_j}} = \operatorname{softmax}(x)_i ,
#    \qquad \frac{\partial L}{\partial x_i} = g\,\operatorname{softmax}(x)_i , $$
#
# where, for a tensor reduced along one dimension, the softmax runs along that dimension and $g$ is
# broadcast back along it. Since $\operatorname{softmax}(x) = \operatorname{softmax}(x - c)$ for any
# constant $c$, taking $c = \max_j x_j$ keeps every $e^{x_j - c} \le 1$: no overflow.

# %% [markdown]
# ## Checking the derivation
#
# The function, its hand-derived gradient, and the two finite differences, at $(x, y) = (0.5, -0.3)$:

# %%
def f(x, y):
    return math.tanh(x * y + x) * math.exp(y)


def grad_by_hand(x, y):
    t = math.tanh(x * y + x)
    return math.exp(y) * (1 - t * t) * (y + 1), math.exp(y) * ((1 - t * t) * x + t)


def forward_difference(x, y, eps):
    return (f(x + eps, y) - f(x, y)) / eps, (f(x, y + eps) - f(x, y)) / eps


def central_difference(x, y, eps):
    return (f(x + eps, y) - f(x - eps, y)) / (2 * eps), (f(x, y + eps) - f(x, y - eps)) / (2 * eps)


x0, y0 = 0.5, -0.3
exact = np.array(grad_by_hand(x0, y0))
print("by hand:           ", exact)
print("forward, eps=1e-4: ", np.array(forward_difference(x0, y0, 1e-4)))
print("central, eps=1e-4: ", np.array(central_difference(x0, y0, 1e-4)))
np.testing.assert_allclose(central_difference(x0, y0, 1e-5), exact, rtol=1e-8)

# %% [markdown]
# The central difference agrees with the hand derivation to eight digits; the forward difference is
# already off in the fourth or fifth. Now the error of each as ε shrinks, and the claims from the derivation:
# halving ε halves the forward error and quarters the central one, until rounding takes over.

# %%
def error(difference, eps):
    """|finite-difference ∂f/∂x − the exact one| at step eps."""
    return abs(difference(x0, y0, eps)[0] - exact[0])


epsilons = np.logspace(-1, -13, 49)
forward_error = np.array([error(forward_difference, e) for e in epsilons])
central_error = np.array([error(central_difference, e) for e in epsilons])
forward_ratio = error(forward_difference, 2e-3) / error(forward_difference, 1e-3)
central_ratio = error(central_difference, 2e-3) / error(central_difference, 1e-3)
print(f"forward: error(2e-3)/error(1e-3) = {forward_ratio:.2f}, smallest error {forward_error.min():.1e} "
      f"at eps ≈ {epsilons[forward_error.argmin()]:.0e}")
print(f"central: error(2e-3)/error(1e-3) = {central_ratio:.2f}, smallest error {central_error.min():.1e} "
      f"at eps ≈ {epsilons[central_error.argmin()]:.0e}")
assert 1.9 < forward_ratio < 2.1 and 3.9 < central_ratio < 4.1
assert central_error.min() < forward_error.min() / 100

# %% [markdown]
# The ratios are 2 (order ε) and 4 (order ε²), as the Taylor expansion said. Even at its best ε the
# central difference keeps an error of about 10⁻¹² in float64, the forward one about 10⁻⁹ (and
# float32 is ten million times coarser still): good enough to
# *check* a gradient, never to train with. The figure in the Picture section shows the whole V.

# %% [markdown]
# ## From scratch
#
# ### A scalar autograd engine
#
# A `Value` holds a number, the `Value`s it was computed from, and the local derivative of itself with
# respect to each of them, computed in the forward pass. `backward()` orders the graph topologically
# (depth first, with an explicit stack so that long chains need no recursion) and applies the adjoint
# rule from the derivation, adding each share with `+=`.

# %%
class Value:
    """A scalar that remembers how it was computed, so that it can send gradients back to its inputs."""

    def __init__(self, data, inputs=(), local_grads=()):
        self.data = float(data)
        self.grad = 0.0
        self.inputs = inputs  # the Values this one was computed from
        self.local_grads = local_grads  # ∂self/∂input for each input

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    __radd__, __rmul__ = __add__, __mul__

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t * t,))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def topological_order(self):
        """Every Value this one depends on, each after all of its inputs (depth first, post-order)."""
        order, visited, stack = [], set(), [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((parent, False) for parent in node.inputs)
        return order

    def backward(self):
        self.grad = 1.0
        for node in reversed(self.topological_order()):  # every node before the nodes it was computed from
            for parent, local in zip(node.inputs, node.local_grads):
                parent.grad += node.grad * local  # a share, added: parents may have several children


# %% [markdown]
# The same $f$, written with `Value`s, one step per line so that we can name the nodes, and the order
# in which `backward` visits them:

# %%
x, y = Value(x0), Value(y0)
xy = x * y
u = xy + x
t = u.tanh()
ey = y.exp()
out = t * ey
names = {id(v): name for name, v in [("x", x), ("y", y), ("x·y", xy), ("u", u), ("t", t), ("e^y", ey), ("f", out)]}
print("backward visits:", " → ".join(names[id(v)] for v in reversed(out.topological_order())))

# %% [markdown]
# `y` feeds both `x·y` and `e^y`, and it is visited only after both; `x` feeds `x·y` and `u`, and comes
# after both. By the time a node is visited, every share of its gradient has arrived. Now the gradient:

# %%
out.backward()
print(f"f = {out.data:.12f} (math: {f(x0, y0):.12f})")
print(f"reverse mode: ∂f/∂x = {x.grad:.12f}, ∂f/∂y = {y.grad:.12f}")
print(f"by hand:      ∂f/∂x = {exact[0]:.12f}, ∂f/∂y = {exact[1]:.12f}")
np.testing.assert_allclose([x.grad, y.grad], exact, rtol=1e-14)

# %% [markdown]
# The graph, with each node's value (forward pass, left to right) and its adjoint $\bar v$, the `grad`
# that the backward pass left in it (right to left, starting from $\bar f = 1$):

# %%
nodes = {"x": (x, (0, 1)), "y": (y, (0, -1)), "x·y": (xy, (1.2, 0)), "u": (u, (2.4, 0.7)),
         "t": (t, (3.6, 0.7)), "e^y": (ey, (3.0, -1)), "f": (out, (4.8, 0))}
fig, ax = plt.subplots(figsize=(8, 3.6))
boxes = {}
for name, (v, (px, py)) in nodes.items():
    boxes[id(v)] = ax.text(px, py, f"{name}\nvalue {v.data:.3f}\ngrad {v.grad:.3f}", ha="center", va="center",
                           fontsize=9, bbox=dict(boxstyle="round", facecolor="lightyellow" if v.inputs else "lightblue"))
for v, _ in nodes.values():
    for parent in v.inputs:  # an arrow from the right edge of each input's box to the left edge of v's
        ax.annotate("", xy=(0, 0.5), xycoords=boxes[id(v)], xytext=(1, 0.5), textcoords=boxes[id(parent)],
                    arrowprops=dict(arrowstyle="->", color="gray"))
ax.set_xlim(-0.6, 5.4)
ax.set_ylim(-1.6, 1.6)
ax.axis("off")
ax.set_title("f = tanh(x·y + x)·e^y: values flow right, gradients flow back left")
plt.show()

# %% [markdown]
# An input used twice collects two shares. In numbers, each share being the child's grad times the
# local derivative:

# %%
print(f"x.grad = ū·∂u/∂x + (x·y)‾·∂(x·y)/∂x = {u.grad:.3f}·1 + {xy.grad:.3f}·({y.data:.1f}) "
      f"= {u.grad:.3f} {xy.grad * y.data:+.3f} = {x.grad:.3f}")
print(f"y.grad = (x·y)‾·∂(x·y)/∂y + (e^y)‾·∂e^y/∂y = {xy.grad:.3f}·{x.data:.1f} + {ey.grad:.3f}·{ey.data:.3f} "
      f"= {xy.grad * x.data:.3f} {ey.grad * ey.data:+.3f} = {y.grad:.3f}")

# %% [markdown]
# Reverse mode matches the hand derivation to the last digits printed (the assertion asks for 14), with
# no ε to choose. Both rules from the derivation matter. If the shares were *assigned* instead of added,
# `x`, used twice, would keep only one of its two contributions; and if the order were not topological,
# a node would pass its gradient on before it had received all of it. Here is the first failure, made on
# purpose with a copy of `backward` that assigns:

# %%
def backward_assigning(root):
    """Value.backward with `=` in place of `+=` (wrong: a value used twice keeps only one share)."""
    root.grad = 1.0
    for node in reversed(root.topological_order()):
        for parent, local in zip(node.inputs, node.local_grads):
            parent.grad = node.grad * local


x, y = Value(x0), Value(y0)
out = (x * y + x).tanh() * y.exp()
backward_assigning(out)
print(f"assigning: ∂f/∂x = {x.grad:.6f}, ∂f/∂y = {y.grad:.6f}   (right: {exact[0]:.6f}, {exact[1]:.6f})")
assert abs(x.grad - exact[0]) > 0.1 and abs(y.grad - exact[1]) > 0.1

# %% [markdown]
# Both partial derivatives come out wrong, because both inputs are used twice: each is exactly one of
# its two shares printed above (−0.197 for x, 0.249 for y), the one that arrived last and overwrote the
# other.
#
# ### The same ideas in `minigrad.Tensor`
#
# minigrad's engine is this `Value` grown up: each element of the graph is a whole array, each op is a
# small class with its `forward` and `backward` side by side (`minigrad/ops/`), and
# `minigrad/autograd.py` walks the graph in the same stack-based topological order. The same function:

# %%
x = mg.tensor(x0, dtype=mg.float64, requires_grad=True)
y = mg.tensor(y0, dtype=mg.float64, requires_grad=True)
out = (x * y + x).tanh() * y.exp()
out.backward()
print(f"minigrad: ∂f/∂x = {x.grad.item():.12f}, ∂f/∂y = {y.grad.item():.12f}")
np.testing.assert_allclose([x.grad.item(), y.grad.item()], exact, rtol=1e-14)

# %% [markdown]
# And the library's `tanh`, whose backward is the rule we derived ($1 - \text{out}^2$, with the output
# saved in the forward pass):

# %%
import inspect

from minigrad.ops.elementwise import Tanh

print(inspect.getsource(Tanh))

# %% [markdown]
# PyTorch, if it is installed, gives the same numbers with the same code (only the import differs):

# %% tags=["torch"]
try:
    import torch
except ImportError:
    print("PyTorch is not installed: skipping the comparison")
else:
    torch.set_num_threads(1)  # tensors this small are fastest on one thread
    xt = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    yt = torch.tensor(y0, dtype=torch.float64, requires_grad=True)
    ((xt * yt + xt).tanh() * yt.exp()).backward()
    np.testing.assert_allclose([xt.grad.item(), yt.grad.item()], [x.grad.item(), y.grad.item()], rtol=1e-14)
    print("PyTorch agrees with minigrad to 1e-14")

# %% [markdown]
# ### Gradients accumulate
#
# Because the engine adds into `.grad`, a second `backward()` adds a second gradient on top of the
# first. That is on purpose (it is how a gradient is summed over several losses or several small
# batches), but it means a training loop must clear the gradients before each new step:

# %%
w = mg.tensor([1.0, -2.0, 0.5], requires_grad=True)
for step in range(3):
    loss = (w * w).sum()  # ∂loss/∂w = 2w
    loss.backward()
    print(f"after backward #{step + 1}: w.grad = {w.grad.numpy()}")
np.testing.assert_allclose(w.grad.numpy(), 3 * 2 * w.detach().numpy())

w.grad.zero_()
(w * w).sum().backward()
print(f"after w.grad.zero_() and one more backward: w.grad = {w.grad.numpy()}")
np.testing.assert_allclose(w.grad.numpy(), 2 * w.detach().numpy())

# %% [markdown]
# Three backward passes left three times 2w. After `w.grad.zero_()` one backward gives 2w again.
# (`optimizer.zero_grad()` does the same for every parameter; chapter 02 uses it.)
#
# ### Broadcasting becomes a sum
#
# The bias `b` of shape (3,) is broadcast over the 4 rows of `X`. Its gradient must have `b`'s shape,
# and the derivation says it is the incoming gradient summed over the rows:

# %%
X = mg.tensor(rng.standard_normal((4, 3)).astype(np.float32))
b = mg.tensor([0.1, -0.2, 0.3], requires_grad=True)
Z = X + b  # shape (4, 3)
Z.retain_grad()  # keep ∂L/∂Z, an intermediate result, to compare with
loss = (Z * Z).sum()
loss.backward()
print("Z.grad, shape", tuple(Z.grad.shape))
print("b.grad:              ", b.grad.numpy())
print("Z.grad summed, dim=0:", Z.grad.sum(dim=0).numpy())
np.testing.assert_allclose(b.grad.numpy(), Z.grad.sum(dim=0).numpy(), rtol=1e-6)

# %% [markdown]
# minigrad does this reduction in exactly one place, `unbroadcast` in `minigrad/autograd.py`, after
# every op's backward, so no op has to think about it.
#
# ### `gradcheck`: finite differences as a test
#
# Every op's backward in minigrad is tested the way we checked $f$ above: `mg.gradcheck(fn, inputs)`
# compares the gradient from `backward()` with central differences in float64, element by element, and
# raises `GradcheckError` naming the worst element when they disagree. Our two exercise ops pass:

# %%
a = mg.tensor(rng.standard_normal((3, 4)), dtype=mg.float64, requires_grad=True)
print("tanh:               ", mg.gradcheck(lambda t: t.tanh(), [a]))
print("logsumexp, dim=1:   ", mg.gradcheck(lambda t: t.logsumexp(dim=1), [a]))
print("the f of this chapter:", mg.gradcheck(lambda s, t: (s * t + s).tanh() * t.exp(),
                                               [mg.tensor(x0, dtype=mg.float64, requires_grad=True),
                                                mg.tensor(y0, dtype=mg.float64, requires_grad=True)]))

# %% [markdown]
# And it catches a wrong backward. Here the engine is fed a deliberately broken gradient: the output's
# backward pretends that the derivative of tanh is tanh itself (the first mistake in exercise 01.1).
# We fake it by computing $\tanh$ from $\tanh$'s own output in a way autograd cannot see:

# %%
def tanh_with_wrong_backward(t):
    out = t.tanh()
    # Value: tanh(t). Gradient: ∂/∂t of (out.detach() · t) = out — i.e. "tanh' = tanh", which is wrong.
    return out.detach() * t + (out - out.detach() * t).detach()


try:
    mg.gradcheck(tanh_with_wrong_backward, [a])
except mg.GradcheckError as error:
    print(error)

# %% [markdown]
# The message names the input, the worst element and both values, far apart. (For an output with more
# than one element, gradcheck checks Σ wᵢ·outᵢ with fixed random weights wᵢ, which tests every
# output's gradient at once; so the two values printed carry that element's weight.) What the broken
# backward computed is indeed tanh itself:

# %%
probe = mg.tensor([-1.0, 0.0, 0.5, 2.0], dtype=mg.float64, requires_grad=True)
tanh_with_wrong_backward(probe).sum().backward()
print("broken backward:", probe.grad.numpy())
print("tanh(x):        ", np.tanh(probe.detach().numpy()))
print("1 − tanh²(x):   ", 1 - np.tanh(probe.detach().numpy()) ** 2)
np.testing.assert_allclose(probe.grad.numpy(), np.tanh(probe.detach().numpy()))

# %% [markdown]
# ## Picture
#
# The error of the two finite differences on ∂f/∂x, against ε (both axes logarithmic):

# %%
fig, ax = plt.subplots()
ax.loglog(epsilons, forward_error, "o-", markersize=3, label="forward difference (error ~ ε)")
ax.loglog(epsilons, central_error, "o-", markersize=3, label="central difference (error ~ ε²)")
ax.loglog(epsilons, 1e-16 / epsilons, "k--", linewidth=1, label="rounding, ~1e-16 / ε")
ax.set_xlabel("step ε")
ax.set_ylabel("|finite difference − exact ∂f/∂x|")
ax.set_title("Finite differences: truncation error falls, rounding error rises")
ax.legend()
plt.show()

# %% [markdown]
# Read it from the right: as ε shrinks the truncation error falls (slope 1 for the forward difference,
# slope 2 for the central one) until it meets the rounding error rising like 10⁻¹⁶/ε. Neither can get
# below that floor; reverse mode has no ε and no floor beyond float64 rounding of the result itself.
#
# And the derivative of $\tanh$ that exercise 01.1 asks for, computed by minigrad's autograd on a grid
# and next to the formula:

# %%
grid = mg.tensor(np.linspace(-4, 4, 161), requires_grad=True)
grid.tanh().sum().backward()  # Σ tanh(xᵢ): its gradient is tanh'(xᵢ) at every point
fig, ax = plt.subplots()
ax.plot(grid.detach().numpy(), np.tanh(grid.detach().numpy()), label="tanh(x)")
ax.plot(grid.detach().numpy(), grid.grad.numpy(), label="autograd: d tanh / dx")
ax.plot(grid.detach().numpy()[::10], 1 - np.tanh(grid.detach().numpy()[::10]) ** 2, "o", label="1 − tanh²(x)")
ax.set_xlabel("x")
ax.set_ylabel("value")
ax.set_title("tanh and its derivative 1 − tanh²")
ax.legend()
plt.show()
np.testing.assert_allclose(grid.grad.numpy(), 1 - np.tanh(grid.detach().numpy()) ** 2, rtol=1e-5, atol=1e-7)

# %% [markdown]
# The derivative is 1 at 0 and almost 0 beyond |x| ≈ 3: a saturated tanh unit passes almost no
# gradient back, which is one reason ReLU replaced it in deep networks.

# %% [markdown]
# ## Exercises
#
# ### Exercise 01.1: the backward of tanh (1 point)
#
# Write the backward of the elementwise $y = \tanh(x)$ in NumPy: given the input `x` and the gradient
# `grad_output` $= \partial L / \partial y$ (same shape as `x`), return $\partial L / \partial x$, with
# `x`'s shape and dtype. The checker compares with what minigrad's autograd leaves in `x.grad`.

# %%
def tanh_backward(x, grad_output):
    """∂L/∂x for y = tanh(x) elementwise, given grad_output = ∂L/∂y (a new array, x's shape and dtype)."""
    # BEGIN SOLUTION
    return grad_output * (1 - np.tanh(x) ** 2)
    # END SOLUTION


# %%
check("01.tanh_backward", tanh_backward);

# %% [markdown]
# ### Exercise 01.2: the backward of logsumexp (2 points)
#
# For $y = \log \sum_{\text{dim}} e^{x}$ (the dimension `dim` is summed and removed, as
# `x.logsumexp(dim=dim)` does), return $\partial L / \partial x$ given `grad_output`
# $= \partial L / \partial y$, which has `x`'s shape without `dim`. Use the derivation: a softmax along
# `dim`, times `grad_output` put back along `dim` (`np.expand_dims`). The probes include inputs near
# 100 in float32 and near 1000 in float64, where $e^x$ overflows: subtract the maximum first.

# %%
def logsumexp_backward(x, grad_output, dim):
    """∂L/∂x for y = log Σ exp(x) along `dim` (removed from y), given grad_output = ∂L/∂y."""
    # BEGIN SOLUTION
    exps = np.exp(x - x.max(axis=dim, keepdims=True))
    softmax = exps / exps.sum(axis=dim, keepdims=True)
    return softmax * np.expand_dims(grad_output, dim)
    # END SOLUTION


# %%
check("01.logsumexp_backward", logsumexp_backward);

# %% [markdown]
# ## Summary
#
# - A derivative three ways: by hand (exact, by a person), finite differences (2 evaluations per input,
#   error at best ~10⁻¹² in float64: a test, not a method), reverse mode (exact up to rounding, one
#   backward pass for all inputs).
# - Reverse mode is the chain rule on a graph: $\bar v = \sum_c \bar c\, \partial c / \partial v$,
#   visited in topological order, shares **added**.
# - Hence `.grad` accumulates across `backward()` calls: clear it with `w.grad.zero_()` (or
#   `optimizer.zero_grad()`) before each step.
# - A broadcast input's gradient is the incoming gradient summed over the broadcast axes.
# - `mg.gradcheck` compares a backward with central differences in float64; every op in minigrad is
#   tested with it.
# - Next, chapter 02 applies all this to a whole network: the Linear, ReLU and softmax-cross-entropy
#   gradients by hand, and a classifier trained on digits.
