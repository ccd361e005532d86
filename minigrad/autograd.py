"""The reverse-mode engine: walk the graph from the output back to the leaves, applying the chain rule.

A result `y = f(x1, x2, ...)` remembers the `Function` that made it (`y._ctx`). `backward(y)`
  1. orders every tensor that `y` depends on so that each comes after all the tensors computed from it
     (a topological order, built with an explicit stack, so a chain of 100,000 ops needs no recursion);
  2. visits them in that order with the gradient of `y` w.r.t. each (dy/dy = 1), asks the node's
     Function for the gradients of its inputs, and adds them up per input;
  3. stores the total in `.grad` for leaves (tensors the user made) and for tensors that asked with
     `retain_grad()`; intermediate gradients are dropped as soon as they are used.

Values changed in place after forward are refused here, in one place: every node remembers the
moment it was made (`ctx.stamp`, a count of in-place changes so far) and every tensor the moment it
was last changed in place (`_changed_at`). A node whose backward reads an input or its result that
changed later would compute the gradient at the wrong value, so backward raises instead, naming the
tensor (PyTorch's "modified by an inplace operation" error). Optimizers update parameters on the raw
arrays between steps, after the backward that needed the old values, which is always legal.

Broadcasting is undone here, in one place: if `x` of shape (3,) was broadcast to (4, 3) in the forward
pass, its gradient arrives as (4, 3) and is summed over the broadcast axes back to (3,).
"""

import numpy as np

from minigrad.grad_mode import _Clock


class Node:
    """A tensor as the engine sees it: the base class of `Tensor`, holding only its state.

    `_data` is its array, `_grad` the gradient `backward` stored, `_ctx` the Function that made it (None
    for a leaf), `_version` / `_changed_at` count its in-place changes, `_base` (set only on views,
    see `ViewFunction`) is the tensor whose array a view shares, and `_grad_home` (None unless an
    optimizer packs the tensor, see optim/packing.py) is where backward stores its gradient. The engine
    here and the op layer (`function.py`, `ops/`) need nothing more, so they never import `tensor.py`:
    `Tensor` is built on top of them, and an op's result is made by its tensor inputs' own `_wrap` (see
    `Function.apply`).
    """

    __slots__ = (
        "_data",
        "_grad",
        "_requires_grad",
        "_ctx",
        "_retains_grad",
        "_version",
        "_changed_at",
        "_base",
        "_grad_home",
    )


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum `grad` over the axes that broadcasting added or stretched, so it has `shape` again."""
    extra = grad.ndim - len(shape)
    stretched = tuple(i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1)
    axes = tuple(range(extra)) + stretched
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def topological_order(root) -> list:
    """Every tensor `root` depends on that requires grad, each after all the tensors computed from it.

    Depth-first with an explicit stack: a node is emitted once all its inputs are emitted (post-order);
    the reversed list then visits outputs before inputs. Input order is kept, so the order is
    deterministic. (Tensors hash by identity, so they serve directly as set and dict keys.)
    """
    order, visited = [], set()
    stack = [(root, False)]
    push, pop = stack.append, stack.pop
    while stack:
        node, inputs_done = pop()
        if inputs_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        push((node, True))
        ctx = node._ctx
        if ctx is not None:
            for parent in reversed(ctx.inputs):
                if getattr(parent, "_requires_grad", False) and parent not in visited:
                    push((parent, False))
    order.reverse()
    return order


def backward(root, grad: np.ndarray) -> None:
    """Accumulate d(root)/d(leaf), contracted with `grad`, into the `.grad` of every leaf below `root`."""
    grads = {root: grad}  # tensor -> its gradient so far
    changes = _Clock.now  # in-place changes so far: usually none since forward, then nothing to check
    # Tensors whose gradient array we allocated ourselves: only those are added to in place. A Function
    # may hand the same array to two inputs (Add returns its incoming gradient for both), and such
    # shared arrays must never be mutated behind its back.
    owned = set()
    for node in topological_order(root):
        g = grads.pop(node, None)
        if g is None:  # nothing flowed here (e.g. every path went through a constant)
            continue
        ctx = node._ctx
        if ctx is None or node._retains_grad:
            _store_grad(node, g, node in owned)
            if ctx is None:
                continue
        if changes > ctx.stamp:  # something changed in place since this node was made: was it ours?
            _check_unchanged(node, ctx)
        for parent, parent_grad in zip(ctx.inputs, ctx.backward(g)):
            if parent_grad is None or not getattr(parent, "_requires_grad", False):
                continue
            # A fresh array (not the incoming gradient, not a view of anything) belongs to us.
            fresh = parent_grad is not g and parent_grad.base is None
            data = parent._data
            if parent_grad.shape != data.shape:
                parent_grad = unbroadcast(parent_grad, data.shape)
                fresh = parent_grad.base is None
            if parent_grad.dtype != data.dtype:
                parent_grad = parent_grad.astype(data.dtype)
                fresh = True
            previous = grads.get(parent)
            if previous is None:
                grads[parent] = parent_grad
                if fresh:
                    owned.add(parent)
            elif parent in owned:
                previous += parent_grad  # in place for arrays; a 0-d result may be an immutable NumPy scalar,
                grads[parent] = previous  # so store what += gave back
            else:
                grads[parent] = previous + parent_grad
                owned.add(parent)


def _store_grad(tensor, g: np.ndarray, owned: bool) -> None:
    """PyTorch semantics: the first gradient is stored, later ones are added to it in place.

    Always an ndarray, also for a 0-d tensor (NumPy arithmetic gives scalars there), so that
    optimizers and `clip_grad_norm_` can scale every gradient in place. A parameter that an optimizer
    packs has a home for its gradient, its piece of one array for the whole group (see
    optim/packing.py): the first gradient is copied there, so the optimizer reads every gradient in
    place instead of gathering them. A home is never one that the user was handed (`Tensor.grad`)."""
    if tensor._grad is None:
        home = getattr(tensor, "_grad_home", None)
        if home is not None:
            np.copyto(home, g)
            tensor._grad = home
        else:
            tensor._grad = g if owned and type(g) is np.ndarray else np.array(g)
    else:
        tensor._grad += g


def _check_unchanged(node, ctx) -> None:
    """Raise if `ctx` needs a value that changed in place after it was made: an input, or its result."""
    stamp = ctx.stamp
    if _changed_since(node, stamp) and ctx.saves_output:
        raise _changed_in_place(node, ctx, "its result")
    if ctx.saves_inputs:
        for i, parent in enumerate(ctx.inputs):
            if _changed_since(parent, stamp):
                raise _changed_in_place(parent, ctx, f"its input {i}")


def _changed_since(tensor, stamp: int) -> bool:
    """Whether `tensor` (anything else is a constant) or the tensor it is a view of changed after `stamp`."""
    if getattr(tensor, "_changed_at", 0) > stamp:
        return True
    base = getattr(tensor, "_base", None)
    return base is not None and base._changed_at > stamp


def _changed_in_place(tensor, ctx, role: str) -> RuntimeError:
    kind = "a leaf" if tensor._ctx is None else f"the result of {tensor._ctx.op_name()}"
    return RuntimeError(
        f"backward: one of the tensors needed for gradient computation has been modified by an in-place "
        f"operation: {role} of {ctx.op_name()}, {kind} tensor of shape {tuple(tensor._data.shape)} and dtype "
        f"{tensor._data.dtype}, is at version {tensor._version} and was changed after {ctx.op_name()} used it. "
        f"Compute the graph again after changing it (optimizers change parameters after backward)."
    )
