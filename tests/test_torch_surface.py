"""PyTorch's names on minigrad's surface, checked without PyTorch: what `import minigrad` reaches, devices,
dtypes, `.grad` as a tensor, the NumPy aliases, checkpoints in PyTorch's spelling."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad import nn, optim


def test_import_minigrad_reaches_every_subpackage_as_an_attribute():
    code = (
        "import minigrad as torch\n"
        "torch.nn.functional.relu, torch.nn.init.kaiming_uniform_, torch.nn.utils.clip_grad_norm_\n"
        "torch.optim.SGD, torch.optim.lr_scheduler.StepLR, torch.optim.Adagrad, torch.optim.NAdam\n"
        "torch.utils.data.Dataset, torch.utils.data.TensorDataset, torch.utils.data.DataLoader\n"
        "assert not torch.cuda.is_available() and not torch.accelerator.is_available()\n"
        "assert not torch.backends.mps.is_available()\n"
        "from minigrad.utils.data import DataLoader, TensorDataset, Dataset\n"
        "from minigrad.optim.lr_scheduler import StepLR\n"
        "from minigrad.nn.utils import clip_grad_norm_\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_cpu_is_the_only_device():
    x = mg.ones(2, device="cpu")
    assert str(x.device) == "cpu" and x.device == mg.device("cpu") and x.to("cpu") is x and x.cpu() is x
    with pytest.raises(RuntimeError, match="device 'cuda'.*CPU only"):
        x.to("cuda")
    with pytest.raises(RuntimeError, match="device 'cuda:0'"):
        mg.zeros(2, device="cuda:0")
    model = nn.Linear(2, 2)
    assert model.to("cpu") is model
    with pytest.raises(RuntimeError, match="CPU only"):
        model.to("mps")


def test_dtype_names_and_conversions():
    assert mg.float is np.float32 and mg.double is np.float64 and mg.long is np.int64 and mg.int is np.int32
    x = mg.tensor([1.5, -2.5], requires_grad=True)
    assert x.double().dtype == np.float64 and x.long().dtype == np.int64 and x.bool().dtype == np.bool_
    assert x.type(mg.int32).dtype == np.int32 and x.to(mg.float64).dtype == np.float64
    assert x.to(x.double()).dtype == np.float64 and x.to(dtype=mg.float16).dtype == np.float16
    y = x.double()
    (y * y).sum().backward()  # float conversions are differentiable, the gradient keeps x's dtype
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [3.0, -5.0])
    assert not x.long().requires_grad
    model = nn.Linear(2, 3).to(mg.float64)
    assert all(p.dtype == np.float64 for p in model.parameters())


def test_grad_is_a_tensor_sharing_the_gradient_array():
    w = mg.tensor([[1.0, 2.0]], requires_grad=True)
    assert w.grad is None
    (w * 3).sum().backward()
    g = w.grad
    assert isinstance(g, mg.Tensor) and not g.requires_grad and g.shape == (1, 2)
    assert g.data is w._grad and np.shares_memory(g.numpy(), w.grad.numpy())
    w.grad.mul_(2)
    np.testing.assert_array_equal(w.grad, [[6.0, 6.0]])
    w.grad = mg.tensor([[1.0, 1.0]])
    w.grad = np.zeros((1, 2))  # an array too; converted to the tensor's dtype
    assert w.grad.dtype == np.float32
    with pytest.raises(ValueError, match="grad: assigned shape"):
        w.grad = np.zeros(3)
    model = nn.Linear(2, 2)
    model(mg.ones(1, 2)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in model.parameters())
    model(mg.ones(1, 2)).sum().backward()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    optimizer.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in model.parameters())
    optimizer.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_numpy_sees_tensors_and_keeps_them_in_the_graph():
    x = mg.tensor([1.0, 4.0], requires_grad=True)
    assert np.asarray(x) is x.data
    y = np.sqrt(x) * np.array([1.0, 2.0], dtype=np.float32)  # ops of the graph
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [0.5, 0.5])
    with pytest.raises(TypeError, match="numpy.sin .* would drop the gradient"):
        np.sin(x)
    assert np.sin(x.detach()).shape == (2,)
    data = x.data
    data_before = x._version
    x.data -= 0.5 * x.grad  # NumPy's in-place update with a tensor operand: same array, counted
    assert x.data is data and x._version == data_before + 1
    np.testing.assert_allclose(x.data, [0.75, 3.75])


def test_size_and_friends():
    x = mg.zeros(2, 3, 4)
    assert x.size() == (2, 3, 4) and x.size(-1) == 4 and x.dim() == 3 and x.numel() == 24
    assert repr(x.size()) == "minigrad.Size([2, 3, 4])" and x.size().numel() == 24
    with pytest.raises(IndexError, match="size: dim 3 is out of range"):
        x.size(3)
    assert f"{mg.tensor(0.5):.2f}" == "0.50"
    assert [t.shape for t in mg.zeros(2, 3)] == [(3,), (3,)]


def test_max_and_min_with_dim_are_named_tuples():
    x = mg.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=True)
    values, indices = x.max(dim=1)
    assert type(x.max(1)).__name__ == "max" and x.max(1).values.shape == (2,)
    np.testing.assert_array_equal(values, [5.0, 6.0])
    np.testing.assert_array_equal(indices, [1, 2])
    assert indices.dtype == np.int64
    values.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 0], [0, 0, 1]])
    kept = x.min(0, keepdim=True)
    assert kept.values.shape == (1, 3) and kept.indices.shape == (1, 3)
    assert mg.max(x, 1).indices.tolist() == [1, 2] and mg.max(x).item() == 6.0
    np.testing.assert_array_equal(mg.max(x, mg.full((2, 3), 3.0)), [[3, 5, 3], [4, 3, 6]])


def test_both_spellings_of_an_argument_are_refused():
    with pytest.raises(TypeError, match="both dim=1 and axis=0"):
        mg.ones(2, 2).sum(1, axis=0)


def test_checkpoints_in_pytorchs_spelling(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    path = tmp_path / "model.pth"
    mg.save(model.state_dict(), path)
    restored = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    restored.load_state_dict(mg.load(path, weights_only=True))
    restored.load_state_dict(mg.load(str(path), weights_only=False, map_location="cpu"))  # still no pickle
    for a, b in zip(model.parameters(), restored.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    with pytest.raises(TypeError, match="save model.state_dict\\(\\) instead"):
        mg.save(model, tmp_path / "whole.pth")
    with pytest.raises(RuntimeError, match="CPU only"):
        mg.load(path, map_location="cuda")

    optimizer = optim.Adam(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    model(mg.ones(2, 3)).sum().backward()
    optimizer.step()
    scheduler.step()
    mg.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, tmp_path / "opt.pth")
    saved = mg.load(tmp_path / "opt.pth")
    again = optim.Adam(model.parameters(), lr=0.1)
    again_scheduler = optim.lr_scheduler.StepLR(again, step_size=1, gamma=0.5)
    again.load_state_dict(saved["optimizer"])
    again_scheduler.load_state_dict(saved["scheduler"])
    assert again_scheduler.get_last_lr() == scheduler.get_last_lr() == [0.05]
    assert again.state_dict()["state"][0]["step"] == 1


def test_a_custom_dataset_is_collated_into_batches():
    from minigrad.utils.data import DataLoader, Dataset

    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.full(2, i, dtype=np.float32), i * i, {"half": i / 2}

    batches = list(DataLoader(Squares(), batch_size=2))
    assert len(batches) == 3
    x, y, extra = batches[0]
    assert x.shape == (2, 2) and x.dtype == np.float32
    assert y.tolist() == [0, 1] and y.dtype == np.int64
    assert extra["half"].dtype == np.float32 and extra["half"].tolist() == [0.0, 0.5]
    assert [len(b[1]) for b in batches] == [2, 2, 1]


@given(
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, max_side=3), elements=st.floats(-10, 10)),
    st.data(),
)
def test_transpose_swaps_and_permute_permutes_like_numpy(array, data):
    ndim = array.ndim
    d0, d1 = data.draw(st.integers(-ndim, ndim - 1)), data.draw(st.integers(-ndim, ndim - 1))
    order = data.draw(st.permutations(range(ndim)))
    x = mg.tensor(array)
    np.testing.assert_array_equal(x.transpose(d0, d1).data, np.swapaxes(array, d0, d1))
    np.testing.assert_array_equal(x.permute(*order).data, np.transpose(array, order))
    x = mg.tensor(array, requires_grad=True)
    assert mg.gradcheck(lambda t: t.transpose(d0, d1).permute(*order), [x])
