"""PyTorch's own beginner tutorials ("Learn the Basics" and the classifier tutorial's training loop),
written once and run twice: with `lib` = minigrad, and with `lib` = torch when PyTorch is installed.

Each snippet is the tutorial's code with `torch` spelled `lib` (what `import minigrad as torch` does
to a script) on the bundled digits instead of a download. Both runs must agree: values, shapes and
dtypes of everything a snippet returns. Random draws differ between the libraries, so where a
tutorial draws random numbers the snippet returns only their shape and dtype (`Meta`), and weights
come from one NumPy generator for both.
"""

import os
import tempfile

import numpy as np
import pytest

import minigrad
from minigrad.data import load_digits

try:
    import torch
except ImportError:
    torch = None

LIBRARIES = [minigrad] + ([torch] if torch is not None else [])


class Meta:
    """Compare only the shape and dtype of a (random) tensor."""

    def __init__(self, t):
        self.shape, self.dtype = tuple(t.shape), _dtype_name(t.dtype)


def _dtype_name(dtype) -> str:
    if torch is not None and isinstance(dtype, torch.dtype):
        return str(dtype).replace("torch.", "")
    return np.dtype(dtype).name


def _plain(value):
    """Tensors as (array, dtype name); containers recursively; the rest as it is."""
    if minigrad.is_tensor(value) or (torch is not None and isinstance(value, torch.Tensor)):
        array = value.detach().numpy() if hasattr(value, "detach") else value.numpy()
        return ("tensor", np.array(array), _dtype_name(value.dtype))
    if isinstance(value, np.ndarray):
        return ("tensor", value, value.dtype.name)
    if isinstance(value, Meta):
        return ("meta", value.shape, value.dtype)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):  # torch.Size and minigrad.Size are tuples too
        return tuple(_plain(v) for v in value)
    return value


def assert_same(mine, theirs, path="result", rtol=1e-5, atol=1e-6):
    if isinstance(mine, dict):
        assert mine.keys() == theirs.keys(), path
        for key in mine:
            assert_same(mine[key], theirs[key], f"{path}[{key!r}]", rtol, atol)
    elif isinstance(mine, tuple) and mine and mine[0] == "tensor":
        assert theirs[0] == "tensor", f"{path}: a tensor here, {theirs!r} in PyTorch"
        assert mine[1].shape == theirs[1].shape, f"{path}: shape {mine[1].shape} vs {theirs[1].shape}"
        assert mine[2] == theirs[2], f"{path}: dtype {mine[2]} vs {theirs[2]}"
        np.testing.assert_allclose(mine[1], theirs[1], rtol=rtol, atol=atol, err_msg=path)
    elif isinstance(mine, tuple):
        assert isinstance(theirs, tuple) and len(mine) == len(theirs), f"{path}: {mine!r} vs {theirs!r}"
        for i, (a, b) in enumerate(zip(mine, theirs)):
            assert_same(a, b, f"{path}[{i}]", rtol, atol)
    elif isinstance(mine, float):
        assert theirs == pytest.approx(mine, rel=rtol, abs=atol), f"{path}: {mine} vs {theirs}"
    else:
        assert mine == theirs and type(mine) is type(theirs), f"{path}: {mine!r} vs {theirs!r}"


def run_everywhere(snippet, **kwargs):
    """The snippet's results under minigrad, checked against PyTorch's when it is installed."""
    results = [_plain(snippet(lib, **kwargs)) for lib in LIBRARIES]
    if len(results) == 2:
        assert_same(*results)
    return results[0]


def shared_weights(lib, model, seed=0):
    """Load the same weights (from one NumPy generator) into a minigrad or a PyTorch model."""
    rng = np.random.default_rng(seed)
    weights = {}
    for name, value in model.state_dict().items():
        bound = 1 / np.sqrt(value.shape[1] if len(value.shape) > 1 else 4)
        weights[name] = lib.tensor(rng.uniform(-bound, bound, tuple(value.shape)).astype(np.float32))
    model.load_state_dict(weights)
    return model


def digits(split="train", n=None, flatten=False):
    X, y = load_digits(split, flatten=flatten)
    return (X, y) if n is None else (X[:n], y[:n])


# -- Tensors ------------------------------------------------------------------------------------------


def tensors_tutorial(lib):
    data = [[1, 2], [3, 4]]
    x_data = lib.tensor(data)
    np_array = np.array(data)
    x_np = lib.from_numpy(np_array)
    x_ones = lib.ones_like(x_data)
    x_rand = lib.rand_like(x_data, dtype=lib.float)
    shape = (2, 3)
    rand_tensor, ones_tensor, zeros_tensor = lib.rand(shape), lib.ones(shape), lib.zeros(shape)
    tensor = lib.rand(3, 4)
    attributes = (tuple(tensor.shape), _dtype_name(tensor.dtype), str(tensor.device))
    if lib.accelerator.is_available():
        tensor = tensor.to(lib.accelerator.current_accelerator())

    tensor = lib.ones(4, 4)
    first_row, first_column, last_column = tensor[0].clone(), tensor[:, 0].clone(), tensor[..., -1].clone()
    tensor[:, 1] = 0
    t1 = lib.cat([tensor, tensor, tensor], dim=1)
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = lib.rand_like(y1)
    lib.matmul(tensor, tensor.T, out=y3)
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    z3 = lib.rand_like(tensor)
    lib.mul(tensor, tensor, out=z3)
    agg = tensor.sum()
    agg_item = agg.item()
    tensor.add_(5)

    t = lib.ones(5)
    n = t.numpy()
    t.add_(1)  # the NumPy array sees the change
    n2 = np.ones(5)
    t2 = lib.from_numpy(n2)
    np.add(n2, 1, out=n2)  # and the other way round
    return dict(
        x_data=x_data,
        x_np=x_np,
        x_ones=x_ones,
        x_rand=Meta(x_rand),
        rand=Meta(rand_tensor),
        ones=ones_tensor,
        zeros=zeros_tensor,
        attributes=attributes,
        rows=(first_row, first_column, last_column),
        t1=t1,
        products=(y1, y2, y3, z1, z2, z3),
        agg_item=agg_item,
        agg_type=type(agg_item).__name__,
        tensor=tensor,
        numpy_bridge=(t, n.copy(), t2),
        size=(t1.size(), t1.size(1), t1.shape[0], t1.dim(), t1.numel()),
    )


def test_tensors():
    result = run_everywhere(tensors_tutorial)
    np.testing.assert_array_equal(result["numpy_bridge"][1][1], np.full(5, 2.0))


def indexing_and_shapes(lib):
    x = lib.tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    return dict(
        view=x.view(6, 4), view_minus=x.view(-1, 4).shape, permute=x.permute(2, 0, 1), transpose=x.transpose(0, 1),
        swap_last=x.transpose(-1, -2), t=x[0].t(), flatten=lib.flatten(x, 1), flatten_mid=x.flatten(0, 1).shape,
        squeeze=x[:, :1].squeeze(1).shape, unsqueeze=x.unsqueeze(0).shape, stack=lib.stack([x, x], dim=1).shape,
        sum_dim=x.sum(dim=1), sum_keep=x.sum(1, keepdim=True), mean=x.mean(dim=(0, 2)), max_dim=tuple(x.max(dim=2)),
        max_named=(x.max(1).values, x.max(1).indices), min_fn=tuple(lib.min(x, 0)), argmax=x.argmax(1),
        argmax_all=x.argmax(), argmin_keep=x.argmin(dim=2, keepdim=True), amax=x.amax(dim=(0, 1)), amin=x.amin(-1),
        std=x.std(dim=1), var=x.var(), var_biased=x.var(dim=0, correction=0), norm=x.norm(), norm_dim=x.norm(dim=2),
        clamp=x.clamp(min=3.0, max=10.0), clamp_fn=lib.clamp(x, max=5.0), tolist=x[0, 0].tolist(),
        float=x.long().float(), double=x.double(), long=x.long(), int=x.int(), bool=(x > 3).bool(),
        type=x.type(lib.int64), to=x.to(lib.float64), to_cpu=x.to("cpu"), contiguous=x.permute(1, 0, 2).contiguous(),
        methods=(x.add(1), x.sub(2, alpha=2), x.mul(2), x.div(4), x.pow(2), x.neg(), x.abs(), x.exp().log(),
                 x.sqrt(), x.relu(), x.sigmoid(), x.tanh(), x.softmax(dim=1), x.log_softmax(1)),
        functions=(lib.exp(x / 10), lib.log(x + 1), lib.sqrt(x), lib.abs(-x), lib.tanh(x / 10), lib.sigmoid(x / 10),
                   lib.relu(x - 5), lib.softmax(x, dim=0), lib.sum(x, dim=2), lib.mean(x), lib.argmax(x, dim=0),
                   lib.argmin(x), lib.max(x), lib.min(x), lib.matmul(x, x.transpose(1, 2))),
        gather=x.gather(2, lib.tensor([[[0, 3], [1, 1], [2, 0]], [[3, 3], [0, 1], [2, 2]]])),
        one_hot=lib.nn.functional.one_hot(lib.tensor([0, 2, 1]), num_classes=4), one_hot_auto=lib.nn.functional.one_hot(lib.tensor([[1], [3]])),
        allclose=lib.allclose(x, x + 1e-9), all=(x >= 0).all(), any=(x > 100).any(),
        item=x[1, 2, 3].item(), len=len(x), numel=lib.numel(x), is_tensor=lib.is_tensor(x),
        linspace=lib.linspace(0, 1, 5), arange=lib.arange(5), arange_float=lib.arange(0, 1, 0.25), eye=lib.eye(3),
        full=lib.full((2, 2), 7), empty=lib.empty(2, 3).shape, zeros_like=lib.zeros_like(x, dtype=lib.long),
        dtypes=tuple(_dtype_name(d) for d in (lib.float, lib.double, lib.long, lib.int, lib.bool, lib.float32,
                                              lib.float64, lib.int64, lib.int32)),
    )  # fmt: skip


def test_indexing_shapes_reductions_and_conversions():
    run_everywhere(indexing_and_shapes)


def in_place_and_grad(lib):
    w = lib.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    grad_type = (type(w.grad).__name__ in ("Tensor",), w.grad.requires_grad, w.grad.shape)
    norm = w.grad.norm().item()
    first = w.grad.clone()
    with lib.no_grad():
        w -= 0.1 * w.grad  # the hand-written update of the tutorials
    w.grad.zero_()
    after_zero = w.grad.clone()
    (w.sum() * 3).backward()
    plain = lib.zeros(3)
    plain.fill_(2.0).mul_(3).sub_(1).div_(2).clamp_(max=2.0).add_(lib.ones(3), alpha=0.5)
    copied = lib.zeros(3).copy_(plain)
    b = lib.ones(2, requires_grad=False).requires_grad_()
    return dict(
        grad=first,
        norm=norm,
        grad_type=grad_type,
        updated=w.detach(),
        after_zero=after_zero,
        second=w.grad,
        plain=plain,
        copied=copied,
        leaf=(w.is_leaf, loss.is_leaf, loss.grad_fn is not None, w.grad_fn is None, b.requires_grad),
    )


def test_in_place_methods_and_grad_as_a_tensor():
    run_everywhere(in_place_and_grad)


@pytest.mark.parametrize("lib", LIBRARIES, ids=lambda lib: lib.__name__)
def test_in_place_on_a_leaf_that_requires_grad_raises_outside_no_grad(lib):
    w = lib.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="leaf"):
        w -= 1


# -- Datasets & DataLoaders ---------------------------------------------------------------------------


def datasets_and_loaders(lib):
    from_lib = lib.utils.data

    class DigitsDataset(from_lib.Dataset):
        def __init__(self, split, transform=None, target_transform=None):
            self.images, self.labels = digits(split)
            self.transform, self.target_transform = transform, target_transform

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, idx):
            image, label = lib.tensor(self.images[idx]), int(self.labels[idx])
            if self.transform:
                image = self.transform(image)
            if self.target_transform:
                label = self.target_transform(label)
            return image, label

    one_hot = DigitsDataset(
        "test", target_transform=lambda y: lib.zeros(10, dtype=lib.float).scatter_(0, lib.tensor(y), value=1)
    )
    training_data = DigitsDataset("train", transform=lambda image: image * 2 - 1)
    train_dataloader = from_lib.DataLoader(training_data, batch_size=64, shuffle=False)
    train_features, train_labels = next(iter(train_dataloader))
    img, label = train_features[0].squeeze(), train_labels[0]

    X, y = digits("test")
    tensor_data = from_lib.TensorDataset(lib.tensor(X), lib.tensor(y))
    loader = from_lib.DataLoader(tensor_data, batch_size=32, shuffle=True)
    shuffled = [(Meta(xb), Meta(yb)) for xb, yb in loader]
    sample = tensor_data[3]
    return dict(
        features=train_features,
        labels=train_labels,
        img=img,
        label=label.item(),
        lengths=(len(training_data), len(train_dataloader), len(loader), len(loader.dataset)),
        shuffled=shuffled,
        sample=(lib.as_tensor(sample[0]), lib.as_tensor(sample[1])),
        one_hot=(one_hot[0][1], next(iter(from_lib.DataLoader(one_hot, batch_size=4)))[1]),
    )


def test_datasets_and_dataloaders():
    run_everywhere(datasets_and_loaders)


# -- Build the Neural Network --------------------------------------------------------------------------


def make_network(lib):
    nn = lib.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(8 * 8, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 10),
            )  # fmt: skip

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    return NeuralNetwork


def build_network(lib):
    nn = lib.nn
    device = lib.accelerator.current_accelerator().type if lib.accelerator.is_available() else "cpu"
    cuda_device = "cuda" if lib.cuda.is_available() else "cpu"
    model = shared_weights(lib, make_network(lib)().to(device))
    images, _ = digits("test", n=3)
    X = lib.tensor(images[:1], device=device)
    logits = model(X)
    pred_probab = nn.Softmax(dim=1)(logits)
    y_pred = pred_probab.argmax(1)

    input_image = lib.tensor(images)
    flatten = nn.Flatten()
    flat_image = flatten(input_image)
    layer1 = shared_weights(lib, nn.Linear(in_features=8 * 8, out_features=20), seed=1)
    hidden1 = nn.ReLU()(layer1(flat_image))
    seq_modules = nn.Sequential(flatten, layer1, nn.ReLU(), nn.Linear(20, 10))
    logits2 = seq_modules(input_image)
    parameters = [(name, param.size(), param[:2]) for name, param in model.named_parameters()]
    return dict(
        devices=(device, cuda_device),
        logits=logits,
        probabilities=pred_probab,
        y_pred=y_pred,
        flat=flat_image.size(),
        hidden=hidden1,
        logits2=Meta(logits2),
        parameters=parameters,
        count=sum(p.numel() for p in model.parameters()),
        buffers=len(list(model.buffers())),
        children=[type(m).__name__ for m in model.children()],
        training=(model.training, model.eval().training),
    )


def test_build_the_neural_network():
    run_everywhere(build_network)


# -- Automatic differentiation -------------------------------------------------------------------------


def autograd_tutorial(lib):
    rng = np.random.default_rng(3)
    x = lib.ones(5)
    y = lib.zeros(3)
    w = lib.tensor(rng.standard_normal((5, 3)).astype(np.float32), requires_grad=True)
    b = lib.tensor(rng.standard_normal(3).astype(np.float32), requires_grad=True)
    z = lib.matmul(x, w) + b
    loss = lib.nn.functional.binary_cross_entropy_with_logits(z, y)
    has_grad_fn = (z.grad_fn is not None, loss.grad_fn is not None)
    loss.backward()
    grads = (w.grad.clone(), b.grad.clone())

    z = lib.matmul(x, w) + b
    requires = [z.requires_grad]
    with lib.no_grad():
        z = lib.matmul(x, w) + b
    requires.append(z.requires_grad)
    z = lib.matmul(x, w) + b
    z_det = z.detach()
    requires.append(z_det.requires_grad)

    inp = lib.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(lib.ones_like(out), retain_graph=True)
    first = inp.grad.clone()
    out.backward(lib.ones_like(out), retain_graph=True)
    second = inp.grad.clone()
    inp.grad.zero_()
    out.backward(lib.ones_like(out), retain_graph=True)
    return dict(
        loss=loss,
        has_grad_fn=has_grad_fn,
        grads=grads,
        requires=requires,
        first=first,
        second=second,
        third=inp.grad,
    )


def test_autograd():
    run_everywhere(autograd_tutorial)


# -- Optimization: the train and test loops -------------------------------------------------------------


def train_loop(lib, dataloader, model, loss_fn, optimizer, batch_size):
    size = len(dataloader.dataset)
    model.train()
    losses = []
    for batch, (X, y) in enumerate(dataloader):
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 10 == 0:
            loss, current = loss.item(), batch * batch_size + len(X)
            losses.append((loss, current, size))
    return losses


def test_loop(lib, dataloader, model, loss_fn):
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with lib.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(lib.float).sum().item()
    return test_loss / num_batches, correct / size


test_loop.__test__ = False  # a tutorial function, not a pytest test


def optimization_tutorial(lib):
    DataLoader, TensorDataset = lib.utils.data.DataLoader, lib.utils.data.TensorDataset
    X, y = digits("train", n=512)
    X_test, y_test = digits("test", n=256)
    learning_rate, batch_size, epochs = 0.2, 16, 3
    train_dataloader = DataLoader(TensorDataset(lib.tensor(X), lib.tensor(y)), batch_size=batch_size)
    test_dataloader = DataLoader(TensorDataset(lib.tensor(X_test), lib.tensor(y_test)), batch_size=64)
    model = shared_weights(lib, make_network(lib)())
    loss_fn = lib.nn.CrossEntropyLoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=learning_rate)
    history = []
    for _t in range(epochs):
        history.append(train_loop(lib, train_dataloader, model, loss_fn, optimizer, batch_size))
        history.append(test_loop(lib, test_dataloader, model, loss_fn))
    return dict(history=history)


def test_optimization_loop():
    result = run_everywhere(optimization_tutorial)
    assert result["history"][-1][1] > 0.6  # the model learned something


# -- Save and load ----------------------------------------------------------------------------------------


def save_and_load(lib, folder):
    model = shared_weights(lib, make_network(lib)())
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    X, y = digits("train", n=64)
    X, y = lib.tensor(X), lib.tensor(y)

    def step():
        optimizer.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        return loss.item()

    losses = [step(), step()]
    path = os.path.join(folder, f"{lib.__name__}_model.pth")
    lib.save(model.state_dict(), path)
    lib.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, path + ".opt")
    continued = [step(), step()]

    # A new model, optimizer and scheduler, restored from the files, continue the same way.
    model = make_network(lib)()
    model.load_state_dict(lib.load(path, weights_only=True))
    model.eval()
    with lib.no_grad():
        restored_logits = model(X)
    model.train()
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    saved = lib.load(path + ".opt", weights_only=True)
    optimizer.load_state_dict(saved["optimizer"])
    scheduler.load_state_dict(saved["scheduler"])
    resumed = [step(), step()]
    return dict(
        losses=losses,
        continued=continued,
        resumed=resumed,
        lr=scheduler.get_last_lr(),
        logits=Meta(restored_logits),
    )


def test_save_and_load():
    with tempfile.TemporaryDirectory() as folder:
        result = run_everywhere(save_and_load, folder=folder)
    assert result["continued"] == pytest.approx(result["resumed"], rel=1e-6)


# -- The classifier tutorial's network and training loop ----------------------------------------------


def classifier_tutorial(lib):
    nn, F, optim = lib.nn, lib.nn.functional, lib.optim

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 3, padding=1)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 3, padding=1)
            self.fc1 = nn.Linear(16 * 2 * 2, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = lib.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    X, y = digits("train", n=256)
    X_test, y_test = digits("test", n=128)
    trainloader = lib.utils.data.DataLoader(
        lib.utils.data.TensorDataset(lib.tensor(X), lib.tensor(y)), batch_size=16
    )
    testloader = lib.utils.data.DataLoader(
        lib.utils.data.TensorDataset(lib.tensor(X_test), lib.tensor(y_test)), batch_size=32
    )
    net = shared_weights(lib, Net())
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    running = []
    for _epoch in range(2):
        running_loss = 0.0
        for i, data in enumerate(trainloader, 0):
            inputs, labels = data
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if i % 8 == 7:
                running.append(running_loss / 8)
                running_loss = 0.0
    correct, total = 0, 0
    with lib.no_grad():
        for data in testloader:
            images, labels = data
            outputs = net(images)
            _, predicted = lib.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return dict(running=running, correct=correct, total=total)


def test_classifier_training_loop():
    result = run_everywhere(classifier_tutorial)
    assert result["correct"] / result["total"] > 0.5
