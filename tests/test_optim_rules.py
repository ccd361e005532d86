"""Every optimizer against its equation, the frozen golden trajectories and (if installed) PyTorch,
fed a recorded gradient sequence (open loop: closed-loop adaptive dynamics amplify 1e-16 into 1e-2)."""

from pathlib import Path

import numpy as np
import optim_cases as cases
import optim_reference as ref
import pytest

GOLDEN = Path(__file__).resolve().parent / "golden" / "optimizer_trajectories.npz"
RTOL, ATOL = 1e-12, 1e-13
IDS = [c[0] for c in cases.CASES]


@pytest.fixture(scope="module")
def golden():
    with np.load(GOLDEN, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


@pytest.mark.parametrize("name, make, reference, make_torch", cases.CASES, ids=IDS)
def test_optimizer_follows_its_equation(name, make, reference, make_torch):
    theta0, grads = cases.gradient_sequence()
    rule, hyper = reference
    mine = cases.minigrad_trajectory(make, theta0, grads)
    assert len(mine) == cases.STEPS + 1 >= 201
    np.testing.assert_allclose(mine, ref.run(rule, theta0, grads, **hyper), rtol=RTOL, atol=ATOL)
    assert np.abs(mine[-1] - mine[0]).max() > 1e-3  # the parameters really moved


@pytest.mark.parametrize("name, make, reference, make_torch", cases.CASES, ids=IDS)
def test_optimizer_matches_golden_trajectory(golden, name, make, reference, make_torch):
    """The golden files hold PyTorch 2.13's trajectories (the reference's where PyTorch has none)."""
    theta0, grads = golden["theta0"], golden["grads"]
    np.testing.assert_array_equal(theta0, cases.gradient_sequence()[0])
    np.testing.assert_allclose(
        cases.minigrad_trajectory(make, theta0, grads), golden[cases.key(name)], rtol=RTOL, atol=ATOL
    )


@pytest.mark.parametrize("name, make, reference, make_torch", cases.CASES, ids=IDS)
def test_reference_implementation_matches_golden(golden, name, make, reference, make_torch):
    """The independent references agree with PyTorch's frozen trajectories, so they are trustworthy."""
    rule, hyper = reference
    np.testing.assert_allclose(
        ref.run(rule, golden["theta0"], golden["grads"], **hyper),
        golden[cases.key(name)],
        rtol=RTOL,
        atol=ATOL,
    )


@pytest.mark.parametrize(
    "name, make, reference, make_torch",
    [c for c in cases.CASES if c[3] is not None],
    ids=[c[0] for c in cases.CASES if c[3] is not None],
)
def test_optimizer_matches_torch(name, make, reference, make_torch):
    torch = pytest.importorskip("torch")
    theta0, grads = cases.gradient_sequence(seed=1)
    previous = torch.get_default_dtype()
    try:
        theirs = cases.torch_trajectory(torch, make_torch, theta0, grads)
    finally:
        torch.set_default_dtype(previous)
    np.testing.assert_allclose(cases.minigrad_trajectory(make, theta0, grads), theirs, rtol=RTOL, atol=ATOL)
