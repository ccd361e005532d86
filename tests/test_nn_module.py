"""Module: params() discovery, names, sharing, modes, state dicts and repr."""

from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.norm = nn.BatchNorm1d(8)
        self.fc2 = nn.Linear(8, 4, bias=False)

    def forward(self, x):
        return self.fc2(self.norm(self.fc1(x)).relu())


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(np.ones(1, dtype=np.float32))
        self.blocks = [Block(), Block()]
        self.heads = {"a": nn.Linear(4, 1), "b": nn.Linear(4, 1)}
        self.shared = self.heads["a"]  # the same layer under a second name
        self.extra = (nn.Parameter(np.zeros(3, dtype=np.float32)),)
        self.not_a_param = mg.ones(5)  # a plain tensor: neither trained nor saved

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.heads["a"](x) + self.heads["b"](x) * self.scale


def test_params_are_found_in_definition_order_once():
    net = Net()
    names = [name for name, _ in net.named_params()]
    assert names == [
        "scale",
        "blocks.0.fc1.weight", "blocks.0.fc1.bias", "blocks.0.norm.weight", "blocks.0.norm.bias", "blocks.0.fc2.weight",
        "blocks.1.fc1.weight", "blocks.1.fc1.bias", "blocks.1.norm.weight", "blocks.1.norm.bias", "blocks.1.fc2.weight",
        "heads.a.weight", "heads.a.bias", "heads.b.weight", "heads.b.bias",
        "extra.0",
    ]  # fmt: skip
    params = net.params()
    assert len(params) == len({id(p) for p in params}) == 16
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in params)
    assert net.parameters() == params


def test_shared_layer_parameters_appear_once():
    layer = nn.Linear(3, 3)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(model.parameters()) == 2
    assert [n for n, _ in model.named_params()] == ["0.weight", "0.bias"]


def test_sequential_names_indexing_and_iteration():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    assert [n for n, _ in model.named_params()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(model) == 3 and isinstance(model[1], nn.ReLU) and isinstance(model[-1], nn.Linear)
    assert len(model[:2]) == 2
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]
    assert model(mg.ones(5, 4)).shape == (5, 2)
    with pytest.raises(TypeError, match="argument 1"):
        nn.Sequential(nn.ReLU(), "relu")
    x = mg.ones(2, 3)
    assert nn.Sequential()(x) is x and len(nn.Sequential()) == 0
    setattr(model, "1", nn.Tanh())  # replacing a layer by name is seen by forward
    assert isinstance(model[1], nn.Tanh) and np.all(np.abs(model(mg.ones(5, 4) * 100).data) < 100)


def test_children_and_modules():
    net = Net()
    assert len(net.children()) == 4  # two blocks, two heads (shared counted once)
    kinds = [type(m).__name__ for m in net.modules()]
    assert kinds[0] == "Net" and kinds.count("Linear") == 6 and kinds.count("BatchNorm1d") == 2


def test_train_eval_and_zero_grad():
    net = Net()
    net.eval()
    assert all(not m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net(mg.randn(6, 4)).sum().backward()
    assert all(p.grad is not None for p in net.params() if p is not net.extra[0])
    net.zero_grad()
    assert all(p.grad is None for p in net.params())


def test_buffers_are_in_the_state_dict_not_in_params():
    bn = nn.BatchNorm1d(3)
    assert [n for n, _ in bn.named_params()] == ["weight", "bias"]
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]


def test_register_buffer():
    m = nn.Module()
    m.register_buffer("counts", np.zeros(2))
    assert "counts" in m.state_dict() and m.params() == []


def test_state_dict_is_a_copy_and_round_trips():
    mg.manual_seed(0)
    a, b = Net(), Net()
    sd = a.state_dict()
    assert isinstance(sd, OrderedDict)
    assert "not_a_param" not in sd and "shared.weight" not in sd
    sd["scale"][...] = 5.0
    assert a.scale.data[0] == 1.0  # a copy, not a view
    b.load_state_dict(a.state_dict())
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        np.testing.assert_array_equal(x, y, err_msg=name)
    x = mg.randn(3, 4)
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_load_state_dict_keeps_arrays_and_dtypes():
    layer = nn.Linear(2, 2)
    weight_array = layer.weight.data
    layer.load_state_dict({"weight": np.ones((2, 2)), "bias": np.zeros(2)})
    assert layer.weight.data is weight_array and layer.weight.dtype == np.float32
    np.testing.assert_array_equal(layer.weight.data, np.ones((2, 2)))


def test_load_state_dict_errors_name_keys_and_shapes():
    layer = nn.Linear(3, 2)
    good = layer.state_dict()
    with pytest.raises(RuntimeError, match="missing keys: bias"):
        layer.load_state_dict({"weight": good["weight"]})
    with pytest.raises(RuntimeError, match="unexpected keys: extra"):
        layer.load_state_dict({**good, "extra": np.zeros(1)})
    with pytest.raises(
        RuntimeError, match=r"shape mismatch for weight: the state dict has \(3, 2\), the model has \(2, 3\)"
    ):
        layer.load_state_dict({"weight": np.zeros((3, 2)), "bias": good["bias"]})
    before = layer.weight.data.copy()
    with pytest.raises(RuntimeError):  # nothing is changed when anything is wrong
        layer.load_state_dict({"weight": np.zeros((2, 3)), "bias": np.zeros(5)})
    np.testing.assert_array_equal(layer.weight.data, before)
    layer.load_state_dict({"weight": np.zeros((2, 3))}, strict=False)
    assert layer.weight.data.sum() == 0
    with pytest.raises(RuntimeError, match="shape mismatch"):
        layer.load_state_dict({"weight": np.zeros((5, 3))}, strict=False)


def test_repr_is_a_tree():
    model = nn.Sequential(
        nn.Linear(4, 3), nn.ReLU(), nn.Dropout(0.2), nn.Sequential(nn.Linear(3, 1), nn.Sigmoid())
    )
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.2)\n"
        "  (3): Sequential(\n"
        "    (0): Linear(in_features=3, out_features=1, bias=True)\n"
        "    (1): Sigmoid()\n"
        "  )\n"
        ")"
    )
    assert "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))" == repr(
        nn.Conv2d(1, 8, 3, padding=1)
    )


def test_module_without_forward_says_so():
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        nn.Module()(1)


def test_parameter_keeps_dtype_and_repr():
    p = nn.Parameter(np.zeros(2))
    assert p.dtype == np.float64 and p.requires_grad
    assert repr(p).startswith("Parameter containing:")
    assert nn.Parameter(mg.ones(2)).dtype == np.float32


def test_sequential_fuses_linear_and_relu_with_identical_results():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    x = mg.randn(5, 4)
    fused = model(x)
    assert fused._ctx.inputs[0]._ctx.op_name() == "linear_relu"
    fused.sum().backward()
    fused_grads = [p.grad.numpy().copy() for p in model.parameters()]
    model.zero_grad()
    h = x
    for layer in model:  # the same layers called one by one: no fusion
        h = layer(h)
    assert h._ctx.inputs[0]._ctx.op_name() == "relu"
    np.testing.assert_array_equal(h.data, fused.data)
    h.sum().backward()
    for a, b in zip(fused_grads, (p.grad for p in model.parameters())):
        np.testing.assert_array_equal(a, b)


def test_only_exact_relu_is_fused():
    class ClippedReLU(nn.ReLU):
        def forward(self, x):
            return x.clip(0.0, 1.0)

    model = nn.Sequential(nn.Linear(2, 3), ClippedReLU())
    out = model(mg.ones(1, 2) * 100)
    assert out._ctx.op_name() == "clip" and out.data.max() <= 1.0
