"""The reference solutions of the momentum exercises (05, 06) are PyTorch's SGD itself.

Their checkers judge learners against `torch.optim.SGD` semantics, which differ from minigrad's own
`optim.SGD` on one point (PyTorch's first momentum buffer is the undamped gradient), so the solutions
are checked here against PyTorch on the checkers' own probes: float64 and float32, a changing
learning rate, dampening, zero and tiny gradients.
"""

import numpy as np
import pytest

from minigrad.homework import get

torch = pytest.importorskip("torch")


def _torch_steps(probe, nesterov):
    kwargs = probe.kwargs
    dtype = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[kwargs["param"].dtype]
    param = torch.tensor(kwargs["param"], dtype=dtype, requires_grad=True)
    optimizer = torch.optim.SGD(
        [param], lr=1.0, nesterov=nesterov, foreach=False, **kwargs["hyperparameters"]
    )
    params, bufs = [], []
    for grad, lr in zip(kwargs["grads"], kwargs["lrs"]):
        optimizer.param_groups[0]["lr"] = float(lr)  # what a scheduler does
        param.grad = torch.tensor(grad, dtype=dtype)
        optimizer.step()
        params.append(param.detach().numpy().copy())
        bufs.append(optimizer.state[param]["momentum_buffer"].numpy().copy())
    return {"param": np.stack(params), "buf": np.stack(bufs)}


@pytest.mark.parametrize("key, nesterov", [("05.momentum_step", False), ("06.nesterov_step", True)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_solution_is_torch_sgd(key, nesterov, seed):
    exercise = get(key)
    for probe in exercise.probes(np.random.default_rng(seed)):
        ours = exercise.outputs_of(exercise.solution, probe)
        theirs = _torch_steps(probe, nesterov)
        for name in ("param", "buf"):
            tolerance = 1e-6 if ours[name].dtype == np.float32 else 1e-13
            np.testing.assert_allclose(
                ours[name], theirs[name], rtol=tolerance, atol=tolerance, err_msg=f"{probe.label}: {name}"
            )


def test_the_damped_first_step_is_what_separates_minigrad_from_torch():
    """The checker's catalogued mistake "first buffer damped" is exactly minigrad's optim.SGD behaviour."""
    from minigrad.optim.sgd import sgd

    exercise = get("05.momentum_step")
    damped = [
        p for p in exercise.probes(np.random.default_rng(0)) if p.kwargs["hyperparameters"]["dampening"] > 0
    ]
    assert damped
    mistake = next(m for m in exercise.mistakes if m.name.startswith("The first buffer is damped"))

    def minigrad_sgd(param, grad, buf, lr, momentum, dampening=0.0):
        param = np.array(param, copy=True)
        state = {"momentum_buffer": np.zeros_like(param) if buf is None else np.array(buf, copy=True)}
        sgd(param, grad, state, lr=lr, momentum=momentum, dampening=dampening)
        return param, state["momentum_buffer"]

    for probe in damped:
        ours = exercise.outputs_of(minigrad_sgd, probe)
        named = exercise.outputs_of(mistake.function, probe)
        for name in ("param", "buf"):
            np.testing.assert_allclose(ours[name], named[name], rtol=1e-6, atol=1e-7)
