"""fit / evaluate / History, the NaN stop, and resuming a run from a checkpoint."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import experiments, nn, optim
from minigrad.data import DataLoader, TensorDataset, make_moons
from minigrad.train import History, TrainingDiverged, evaluate, fit


def moons_loaders():
    X, y = make_moons(200, noise=0.1, seed=0)
    return DataLoader(TensorDataset(X[:160], y[:160]), batch_size=16, shuffle=True, seed=0), DataLoader(
        TensorDataset(X[160:], y[160:]), batch_size=64
    )


def small_model():
    mg.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))


def test_fit_records_history_and_learns(capsys):
    train_loader, test_loader = moons_loaders()
    model = small_model()
    opt = optim.Adam(model.parameters(), lr=0.05)
    history = fit(model, nn.CrossEntropyLoss(), opt, train_loader, epochs=15, val_loader=test_loader,
                  scheduler=optim.lr_scheduler.StepLR(opt, 10, 0.5), progress=False)  # fmt: skip
    assert len(history.step_loss) == 15 * len(train_loader) == 150
    assert (
        history.epochs == 15
        and len(history.val_loss) == len(history.val_accuracy) == len(history.epoch_time) == 15
    )
    assert history.wall_time > 0
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert history.val_accuracy[-1] > 0.95
    assert opt.param_groups[0]["lr"] == pytest.approx(0.025)  # the scheduler stepped once per epoch
    assert capsys.readouterr().err == ""  # progress=False prints nothing


def test_progress_without_a_terminal_prints_one_line_per_epoch(capsys):
    train_loader, test_loader = moons_loaders()
    model = small_model()
    fit(
        model,
        nn.CrossEntropyLoss(),
        optim.SGD(model.parameters(), lr=0.1),
        train_loader,
        epochs=3,
        val_loader=test_loader,
    )
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3: train loss") and "val accuracy" in lines[0]


def test_nan_loss_stops_training_with_a_helpful_error():
    train_loader, _ = moons_loaders()
    model = small_model()
    calls = []

    def loss_fn(output, target):
        calls.append(1)
        loss = F.cross_entropy(output, target)
        return loss * float("nan") if len(calls) == 14 else loss  # epoch 2, step 4

    with pytest.raises(
        TrainingDiverged, match=r"loss is nan at epoch 2, step 4; try a smaller learning rate than 0.1"
    ):
        fit(model, loss_fn, optim.SGD(model.parameters(), lr=0.1), train_loader, epochs=3, progress=False)


def test_exploding_training_is_caught():
    X = np.random.default_rng(0).standard_normal((64, 3)).astype(np.float32)
    y = (X @ np.array([[100.0], [-50.0], [30.0]], dtype=np.float32)) ** 3
    loader = DataLoader(TensorDataset(X, y), batch_size=16)
    mg.manual_seed(0)
    model = nn.Linear(3, 1)
    with pytest.raises(TrainingDiverged, match="try a smaller learning rate than 10"):
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=10.0), loader, epochs=20, progress=False)


def test_evaluate_restores_the_mode_and_handles_regression():
    _, test_loader = moons_loaders()
    model = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.Linear(8, 2))
    model.train()
    first = evaluate(model, test_loader, nn.CrossEntropyLoss())
    assert (
        evaluate(model, test_loader, nn.CrossEntropyLoss()) == first
    )  # eval mode: dropout off, deterministic
    assert model.training and 0 <= first["accuracy"] <= 1 and first["loss"] > 0
    assert evaluate(model, test_loader)["loss"] is None
    X = np.ones((4, 3), dtype=np.float32)
    result = evaluate(
        nn.Linear(3, 1), DataLoader(TensorDataset(X, np.zeros((4, 1), dtype=np.float32))), nn.MSELoss()
    )
    assert result["accuracy"] is None and result["loss"] >= 0


def test_history_round_trips_through_a_checkpoint(tmp_path):
    history = History(
        step_loss=[1.0, 0.5], train_loss=[0.75], val_loss=[0.8], val_accuracy=[0.5], epoch_time=[0.1]
    )
    mg.save(history.state_dict(), tmp_path / "h.npz")
    assert History.from_state_dict(mg.load(tmp_path / "h.npz")) == history


@pytest.mark.parametrize("model_name", ["mlp", "cnn"])
def test_resumed_training_equals_an_uninterrupted_run(tmp_path, model_name):
    common = dict(
        dataset="digits", model_name=model_name, optimizer="adam", batch_size=64, seed=0, progress=False
    )
    whole, whole_history, _ = experiments.train(epochs=3, **common)
    experiments.train(epochs=2, save=tmp_path / "ckpt.npz", **common)
    resumed, resumed_history, _ = experiments.train(epochs=3, resume=tmp_path / "ckpt.npz", **common)
    for (name, a), b in zip(whole.state_dict().items(), resumed.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert resumed_history.step_loss == whole_history.step_loss
    assert resumed_history.val_accuracy == whole_history.val_accuracy


def test_resume_refuses_a_checkpoint_of_another_run(tmp_path):
    experiments.train(dataset="moons", optimizer="sgd", epochs=1, save=tmp_path / "c.npz", progress=False)
    with pytest.raises(ValueError, match="different run"):
        experiments.train(
            dataset="moons", optimizer="adam", epochs=2, resume=tmp_path / "c.npz", progress=False
        )


def test_fit_on_a_loader_without_batches_is_an_error_not_a_loss_of_zero():
    X, y = make_moons(10, seed=0)
    model = small_model()
    empty = DataLoader(TensorDataset(X, y), batch_size=16, drop_last=True)  # 10 samples < one batch
    with pytest.raises(ValueError, match="yielded no batch in epoch 1"):
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.params(), lr=0.1), empty, epochs=2, progress=False)
    nothing = DataLoader(TensorDataset(X[:0], y[:0]), batch_size=4)
    with pytest.raises(ValueError, match="yielded no batch"):
        fit(
            model, nn.CrossEntropyLoss(), optim.SGD(model.params(), lr=0.1), nothing, epochs=1, progress=False
        )


def test_nan_in_the_data_is_reported_as_such():
    X, y = make_moons(64, seed=0)
    X[37, 1] = np.nan
    model = small_model()
    loader = DataLoader(TensorDataset(X, y), batch_size=16)
    with pytest.raises(
        ValueError, match=r"the training data has 1 NaN value\(s\) in the inputs of epoch 1, step 3"
    ) as caught:
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.params(), lr=0.1), loader, epochs=1, progress=False)
    assert "learning rate" not in str(caught.value)
    Xr = np.ones((8, 2), dtype=np.float32)
    yr = np.ones((8, 1), dtype=np.float32)
    yr[2] = np.inf
    with pytest.raises(ValueError, match=r"1 infinite value\(s\) in the targets"):
        fit(
            nn.Linear(2, 1),
            nn.MSELoss(),
            optim.SGD(model.params(), lr=0.1),
            DataLoader(TensorDataset(Xr, yr), batch_size=8),
            epochs=1,
            progress=False,
        )
