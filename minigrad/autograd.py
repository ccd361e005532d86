"""The reverse-mode engine: walk the graph from the output back to the leaves, applying the chain rule.

A result `y = f(x1, x2, ...)` remembers the `Function` that made it (`y._ctx`). `backward(y)`
  1. orders every tensor that `y` depends on so that each comes after all the tensors computed from it
     (a topological order, built with an explicit stack, so a chain of 100,000 ops needs no recursion);
  2. visits them in that order with the gradient of `y` w.r.t. each (dy/dy = 1), asks the node's
     Function for the gradients of its inputs, and adds them up per input;
  3. stores the total in `.grad` for leaves (tensors the user made) and for tensors that asked with
     `retain_grad()`; intermediate gradients are dropped as soon as they are used.

Broadcasting is undone here, in one place: if `x` of shape (3,) was broadcast to (4, 3) in the forward
pass, its gradient arrives as (4, 3) and is summed over the broadcast axes back to (3,).
"""

import numpy as np


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
    deterministic.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        ctx = node._ctx
        if ctx is not None:
            for parent in reversed(ctx.inputs):
                if getattr(parent, "_requires_grad", False) and id(parent) not in visited:
                    stack.append((parent, False))
    order.reverse()
    return order


def backward(root, grad: np.ndarray) -> None:
    """Accumulate d(root)/d(leaf), contracted with `grad`, into the `.grad` of every leaf below `root`."""
    # grads[id(t)] = [gradient so far, whether we allocated that array ourselves].
    # Only arrays we own are added to in place: a Function may hand the same array to two inputs
    # (Add returns its incoming gradient for both), and those must not be mutated behind its back.
    grads = {id(root): [grad, False]}
    for node in topological_order(root):
        entry = grads.pop(id(node), None)
        if entry is None:  # nothing flowed here (e.g. every path went through a constant)
            continue
        g, owned = entry
        ctx = node._ctx
        if ctx is None or node._retains_grad:
            _store_grad(node, g, owned)
            if ctx is None:
                continue
        input_grads = ctx.backward(g)
        for parent, parent_grad in zip(ctx.inputs, input_grads):
            if parent_grad is None or not getattr(parent, "_requires_grad", False):
                continue
            # A fresh array (not the incoming gradient, not a view of anything) belongs to us.
            fresh = parent_grad is not g and parent_grad.base is None
            if parent_grad.shape != parent.shape:
                parent_grad = unbroadcast(parent_grad, parent.shape)
                fresh = parent_grad.base is None
            if parent_grad.dtype != parent.data.dtype:
                parent_grad = parent_grad.astype(parent.data.dtype)
                fresh = True
            previous = grads.get(id(parent))
            if previous is None:
                grads[id(parent)] = [parent_grad, fresh]
            elif previous[1]:
                previous[0] += parent_grad
            else:
                grads[id(parent)] = [previous[0] + parent_grad, True]


def _store_grad(tensor, g: np.ndarray, owned: bool) -> None:
    """PyTorch semantics: the first gradient is stored, later ones are added to it in place."""
    if tensor._grad is None:
        tensor._grad = g if owned else g.copy()
    else:
        tensor._grad += g
