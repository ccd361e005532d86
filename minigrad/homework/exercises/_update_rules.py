"""Shared pieces of the update-rule exercises (chapters 07–11): a learner writes one step of an
optimizer as a pure function, `rule_step(param, grad, <state arrays>, [t,] <hyperparameters>)`, that
returns the new parameters and the new state arrays. A probe runs it for several steps, feeding the
state back, and every step's outputs are compared (so "the state is not carried over" is caught too)."""

import numpy as np

from minigrad.homework.exercise import Probe, as_array, name_outputs


def stepper(state: tuple, with_t: bool):
    """A `run` for `Exercise`: call the function once per gradient in the probe's `grads`, starting
    from its `param` and state arrays (named in `state`) and, if `with_t`, step count `t0`, `t0 + 1`, …

    Returns {"param (step k)": …, "<state> (step k)": …} for every step k, in order."""
    names = ("param",) + tuple(state)

    def run(function, probe: Probe) -> dict:
        kwargs = dict(probe.kwargs)
        grads = kwargs.pop("grads")
        t0 = kwargs.pop("t0", 1)
        carried = {name: kwargs.pop(name) for name in names}
        outputs = {}
        for k, grad in enumerate(grads):
            extra = {"t": t0 + k} if with_t else {}
            result = name_outputs(function(**carried, grad=grad, **extra, **kwargs), names)
            for name in names:
                outputs[f"{name} (step {t0 + k})"] = result.get(name)
            if set(result) != set(names):  # the comparison reports what is missing
                return result
            carried = {name: as_array(result[name]) for name in names}
        return outputs

    return run


def random_run(rng, shape, dtype, steps, scale=1.0, t0=1, zero_prob=0.0):
    """A parameter and `steps` gradients of the given shape and dtype (some entries exactly 0 with
    probability `zero_prob`)."""
    param = rng.standard_normal(shape).astype(dtype)
    grads = []
    for _ in range(steps):
        grad = rng.standard_normal(shape) * scale
        if zero_prob:
            grad = np.where(rng.random(shape) < zero_prob, 0.0, grad)
        grads.append(np.asarray(grad).astype(dtype))
    return param, grads


def library_step(rule, state_keys: dict, with_t: bool, **fixed):
    """The solution of an update-rule exercise, computed by the library's in-place rule
    (`minigrad.optim.<name>.<name>`) on copies: {argument name: library state key}."""

    def solution(param, grad, t=None, **kwargs):
        shape = np.shape(param)
        # The rules work in place on arrays of at least one dimension (a 0-d one is handled as shape (1,)).
        state = {key: np.array(kwargs.pop(name), copy=True).reshape(-1) for name, key in state_keys.items()}
        state["step"] = t if with_t else 1
        param = np.array(param, copy=True).reshape(-1)
        rule(param, np.asarray(grad).reshape(-1), state, **kwargs, **fixed)
        return (param.reshape(shape),) + tuple(state[key].reshape(shape) for key in state_keys.values())

    return solution
