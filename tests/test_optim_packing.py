"""Packed groups (one flat array per group) give exactly the per-tensor results, in every situation."""

import numpy as np
import pytest
from test_optim_behaviour import ALL, IDS

import minigrad as mg
from minigrad import nn, optim
from minigrad.optim import packing


def _model():
    mg.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3))


def _train(make, steps=15, weight_decay=0.0, skip=()):
    model = _model()
    opt = make(model.parameters())
    for group in opt.param_groups:
        group["weight_decay"] = weight_decay
    rng = np.random.default_rng(0)
    for step in range(steps):
        opt.zero_grad()
        x = mg.tensor(rng.standard_normal((4, 5)).astype(np.float32))
        model(x).sum().backward()
        if step in skip:
            model[0].bias.grad = None  # this parameter gets no gradient at this step
        opt.step()
    return model, opt


@pytest.mark.parametrize("name, make", ALL, ids=IDS)
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_packed_steps_equal_per_tensor_steps(monkeypatch, name, make, weight_decay):
    packed, opt = _train(make, weight_decay=weight_decay, skip=(3, 4))
    assert opt._packing[0] is not None
    monkeypatch.setattr(packing, "worth_packing", lambda params: False)
    monkeypatch.setattr("minigrad.optim.optimizer.worth_packing", lambda params: False)
    plain, plain_opt = _train(make, weight_decay=weight_decay, skip=(3, 4))
    assert plain_opt._packing[0] is None
    for (n, a), b in zip(packed.state_dict().items(), plain.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=n)
    for p, q in zip(packed.params(), plain.params()):
        for key, value in opt.state[p].items():
            np.testing.assert_array_equal(value, plain_opt.state[q][key], err_msg=key)


def _offsets_in(views, flat) -> list:
    """Where each view starts in `flat`, in elements (None for a view of other memory)."""
    return [
        (v.ctypes.data - flat.ctypes.data) // flat.itemsize if np.shares_memory(v, flat) else None
        for v in views
    ]


def test_parameters_become_views_into_one_array():
    model = _model()
    opt = optim.Adam(model.parameters())
    flat = opt._packing[0].flat
    params = list(model.parameters())
    assert _offsets_in([p.data for p in params], flat) == list(
        np.cumsum([0] + [p.numel() for p in params[:-1]])
    )
    assert flat.size == sum(p.numel() for p in params)
    model(mg.ones(2, 5)).sum().backward()
    opt.step()
    exp_avg = opt._packing[0].state["exp_avg"]
    assert _offsets_in([opt.state[p]["exp_avg"] for p in params], exp_avg) == _offsets_in(
        [p.data for p in params], flat
    )


def test_packed_arrays_start_on_a_cache_line_and_big_ones_on_a_huge_page():
    """Unaligned outputs make NumPy's vector loops store across two cache lines (twice as slow); big
    arrays on huge pages need fewer TLB entries."""
    params = [mg.randn(10_000, requires_grad=True) for _ in range(100)]  # 4 MB: updated in blocks
    opt = optim.Adam(params)
    (sum(p.sum() for p in params)).backward()
    opt.step()
    packed = opt._packing[0]
    owned = [packed.flat, packed.grad_home, *[v for v in packed.state.values() if isinstance(v, np.ndarray)]]
    assert len(owned) == 4
    assert all(a.ctypes.data % packing.HUGE_PAGE == 0 and a.flags.writeable for a in owned)
    assert all(a.ctypes.data % packing.CACHE_LINE == 0 for a in opt._work.values())
    small = optim.Adam([mg.randn(10, requires_grad=True) for _ in range(3)])._packing[0].flat
    assert small.ctypes.data % packing.CACHE_LINE == 0


@pytest.mark.parametrize(
    "shape, dtype", [((0,), np.float32), ((3, 5), np.float64), ((2, 600_000), np.float32)]
)
def test_aligned_empty_is_like_np_empty(shape, dtype):
    a = packing.aligned_empty(shape, dtype)
    assert a.shape == shape and a.dtype == dtype and a.flags.c_contiguous and a.flags.writeable
    boundary = packing.HUGE_PAGE if a.nbytes >= packing.HUGE_PAGE else packing.CACHE_LINE
    assert a.size == 0 or a.ctypes.data % boundary == 0  # (an empty array has no data to align)
    a[...] = 7
    assert (a == 7).all()
    np.testing.assert_array_equal(packing.aligned_copy(a), a)


def test_a_group_of_two_blocks_and_more_is_updated_in_blocks():
    """A 1 MB group: its gradients live at home and the rule runs on cache-sized blocks."""
    params = [mg.randn(2_500, requires_grad=True) for _ in range(100)]
    opt = optim.Adam(params, lr=0.01)
    packed = opt._packing[0]
    assert packed.flat.nbytes > packing.MIN_BLOCKS * packing.BLOCK_BYTES
    assert packed.grad_home is not None and packed.grad.nbytes == packing.BLOCK_BYTES


def test_a_rule_without_scratch_is_updated_in_blocks_too():
    """A user's optimizer whose rule takes no `scratch` (as the tutorials write them) gets none."""

    def halve_rule(param, grad, state, *, lr):
        param -= lr * grad / 2

    class Halving(optim.Optimizer):
        def __init__(self, params, lr):
            super().__init__(params, dict(lr=lr))

        def init_state(self, param, group):
            return {"step": 0}

        def update_rule(self, group):
            return halve_rule, dict(lr=group["lr"])

    grads = np.random.default_rng(0).standard_normal((100, 3_000)).astype(np.float32)
    params = [mg.zeros(3_000, requires_grad=True) for _ in range(100)]
    opt = Halving(params, lr=0.5)
    assert opt._packing[0].grad_home is not None  # updated in blocks
    for p, g in zip(params, grads):
        p.grad = g
    opt.step()
    np.testing.assert_array_equal(np.stack([p.data for p in params]), -0.25 * grads)


def test_replacing_data_repacks():
    model, opt = _train(lambda p: optim.Adam(p, lr=0.01), steps=2)
    model[0].weight.data = np.zeros((7, 5), dtype=np.float32)  # the user loads new weights by rebinding
    model(mg.ones(2, 5)).sum().backward()
    opt.step()
    assert opt._packing[0].intact()
    assert _offsets_in([model[0].weight.data], opt._packing[0].flat) == [0]
    assert np.abs(model[0].weight.data).max() > 0  # the new weights were used and updated


def test_big_tensors_and_mixed_dtypes_are_not_packed():
    big = [mg.zeros(200, 200, requires_grad=True), mg.zeros(200, 200, requires_grad=True)]
    assert optim.SGD(big, lr=0.1)._packing[0] is None
    mixed = [mg.zeros(3, requires_grad=True), mg.zeros(3, dtype=np.float64, requires_grad=True)]
    assert optim.SGD(mixed, lr=0.1)._packing[0] is None
    single = [mg.zeros(3, requires_grad=True)]
    assert optim.SGD(single, lr=0.1)._packing[0] is None


# -- the gradients' home: backward stores a big packed group's gradients where the step reads them ---------


@pytest.fixture
def blocks(monkeypatch):
    """Blocks of a few elements, so that `_model()`'s group is updated in blocks and has a gradient home."""
    monkeypatch.setattr(packing, "BLOCK_BYTES", 24)
    monkeypatch.setattr(packing, "MIN_BLOCKS", 1)


def _grads_from_backward(model, seed):
    model(mg.tensor(np.random.default_rng(seed).standard_normal((4, 5)).astype(np.float32))).sum().backward()


def test_a_small_group_gathers_its_gradients_in_one_call():
    """A home would cost a copy per parameter in backward; one concatenate per step costs less."""
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    assert opt._packing[0].grad_home is None
    _grads_from_backward(model, 0)
    assert all(p._grad.base is None for p in model.parameters())


def test_backward_stores_gradients_at_home_and_the_step_reads_them_in_place(blocks, monkeypatch):
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    packed = opt._packing[0]
    assert packed.grad_home is not None
    _grads_from_backward(model, 0)
    assert all(np.shares_memory(p._grad, packed.grad_home) for p in model.parameters())
    gathered = []
    monkeypatch.setattr(np, "concatenate", lambda *args, **kwargs: gathered.append(1))
    opt.step()
    assert not gathered  # nothing was copied: the rule read the gradients where backward left them


def test_a_zero_d_parameter_gets_a_zero_d_gradient_at_home(blocks):
    params = [mg.tensor(1.5, requires_grad=True), mg.ones(10, requires_grad=True)]
    opt = optim.SGD(params, lr=0.1)
    assert opt._packing[0].grad_home is not None
    (params[0] * 3 + params[1].sum()).backward()
    assert type(params[0]._grad) is np.ndarray and params[0]._grad.shape == ()
    assert np.shares_memory(params[0]._grad, opt._packing[0].grad_home)
    opt.step()
    np.testing.assert_allclose(params[0].data, 1.5 - 0.3)


def test_a_gradient_the_user_holds_is_never_overwritten_by_a_later_backward(blocks):
    """With set_to_none=True each backward gives new gradients (as in PyTorch): one read through
    `p.grad` and kept keeps its values, and the optimizer moves the group to a new home."""
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    weight = model[0].weight
    _grads_from_backward(model, 0)
    kept = weight.grad
    values = kept.data.copy()
    opt.step()
    opt.zero_grad()
    assert weight.grad is None
    _grads_from_backward(model, 1)
    np.testing.assert_array_equal(kept.data, values)  # untouched by the second backward
    assert not np.array_equal(weight.grad.data, values)
    opt.step()
    opt.zero_grad()
    _grads_from_backward(model, 2)  # after the step, every gradient is at home again, in a new one
    assert all(np.shares_memory(p._grad, opt._packing[0].grad_home) for p in model.parameters())
    np.testing.assert_array_equal(kept.data, values)


def test_zero_grad_without_none_zeroes_in_place_and_backward_accumulates_there(blocks):
    """set_to_none=False: the gradient arrays stay (a tensor holding one sees the zeros and the next
    gradient, as in PyTorch), and backward adds into them at home."""
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    _grads_from_backward(model, 0)
    opt.zero_grad(set_to_none=False)
    held = model[0].weight.grad
    assert not held.data.any()
    _grads_from_backward(model, 1)
    _grads_from_backward(model, 1)
    reference = _model()
    _grads_from_backward(reference, 1)
    np.testing.assert_array_equal(held.data, 2 * reference[0].weight.grad.data)
    assert np.shares_memory(model[0].bias._grad, opt._packing[0].grad_home)


@pytest.mark.parametrize("name, make", ALL, ids=IDS)
def test_assigned_and_backward_gradients_mix_and_give_per_tensor_results(blocks, monkeypatch, name, make):
    """Some gradients at home, one assigned by the user (`p.grad = g`, which must stay that very array
    and be read as it is at each step, like PyTorch's): the same results as without packing."""

    def train():
        model = _model()
        opt = make(model.parameters())
        assigned = np.full((7,), 0.5, dtype=np.float32)
        for step in range(4):
            opt.zero_grad()
            _grads_from_backward(model, step)
            model[0].bias.grad = assigned
            assert model[0].bias._grad is assigned
            opt.step()
            assigned *= -1.5  # the user changes their array in place: the next step must see it
        return model

    packed = train()
    monkeypatch.setattr("minigrad.optim.optimizer.worth_packing", lambda params: False)
    plain = train()
    for a, b in zip(packed.params(), plain.params()):
        np.testing.assert_array_equal(a.data, b.data)
