"""The `minigrad` command: every subcommand at tiny sizes, files written, exit codes."""

import subprocess
import sys

import pytest

import minigrad
from minigrad.cli import main


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as done:  # argparse exits by itself for --help, --version and bad arguments
        code = done.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_version_and_help(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"minigrad {minigrad.__version__}"
    code, out, _ = run(capsys)
    assert code == 0 and all(name in out for name in ("compare", "train", "surfaces", "check"))


def test_bad_arguments_exit_with_2_and_list_the_valid_names(capsys):
    code, _, err = run(capsys, "compare", "--optimizers", "adam,adamm")
    assert code == 2 and "unknown optimizer adamm; choose from sgd, momentum" in err
    code, _, err = run(capsys, "train", "--dataset", "mnist")
    assert code == 2 and "choose from 'digits', 'moons', 'spirals'" in err
    code, _, err = run(capsys, "train", "--optimizer", "adam", "--rho", "0.9", "--epochs", "1")
    assert code == 2 and "Adam has no hyperparameter 'rho'" in err
    code, _, err = run(capsys, "no-such-command")
    assert code == 2


def test_failure_exits_with_1_and_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--resume", str(tmp_path / "missing.npz"), "--epochs", "1")
    assert code == 1 and err.strip().count("\n") == 0 and "CheckpointError" in err and "Traceback" not in err
    with pytest.raises(Exception):
        main(["train", "--resume", str(tmp_path / "missing.npz"), "--debug"])


def test_compare_at_tiny_size(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    code, out, err = run(capsys, "compare", "--epochs", "1", "--optimizers", "sgd,adam", "--out", str(tmp_path))
    assert code == 0
    table = out.splitlines()
    assert table[0].split() == ["optimizer", "train", "loss", "test", "acc", "epochs", "seconds"]
    assert table[1].startswith("SGD") and table[2].startswith("Adam")
    assert (tmp_path / "loss_curves.png").stat().st_size > 10_000
    assert "Adam" in err  # progress: one line per optimizer


def test_compare_on_generated_data(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    code, out, _ = run(capsys, "compare", "--dataset", "spirals", "--epochs", "2", "--optimizers", "nadamax", "--out", str(tmp_path))
    assert code == 0 and out.splitlines()[1].startswith("NadaMax")


def test_train_save_and_resume(capsys, tmp_path):
    ckpt = tmp_path / "run.npz"
    code, out, _ = run(capsys, "train", "--optimizer", "momentum", "--lr", "0.05", "--weight-decay", "1e-4", "--epochs", "2", "--save", str(ckpt), "--quiet")
    assert code == 0 and ckpt.exists() and "momentum on digits (mlp): 2 epochs" in out
    code, resumed, _ = run(capsys, "train", "--optimizer", "momentum", "--lr", "0.05", "--weight-decay", "1e-4", "--epochs", "3", "--resume", str(ckpt), "--quiet")
    code2, whole, _ = run(capsys, "train", "--optimizer", "momentum", "--lr", "0.05", "--weight-decay", "1e-4", "--epochs", "3", "--quiet")
    assert code == code2 == 0 and resumed == whole  # same final test loss and accuracy, to every printed digit


def test_train_with_optimizer_options(capsys):
    code, out, _ = run(capsys, "train", "--dataset", "moons", "--optimizer", "adam", "--betas", "0.8,0.99", "--amsgrad", "--eps", "1e-7", "--epochs", "1", "--quiet")
    assert code == 0 and "adam on moons" in out
    code, _, err = run(capsys, "train", "--betas", "0.9")
    assert code == 2 and "--betas takes two numbers" in err


def test_surfaces_writes_png_and_gif(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    Image = pytest.importorskip("PIL.Image")
    code, out, _ = run(capsys, "surfaces", "--surfaces", "saddle", "--optimizers", "sgd,adam", "--steps", "20", "--frames", "8", "--out", str(tmp_path))
    assert code == 0 and "saddle.gif" in out
    with Image.open(tmp_path / "saddle.gif") as gif:
        assert gif.n_frames == 8
    assert (tmp_path / "saddle.png").exists()


def test_check_passes(capsys):
    code, out, _ = run(capsys, "check")
    assert code == 0 and out.strip().splitlines()[-1].endswith(" passed, 0 failed")


def test_python_dash_m_is_the_same_program():
    done = subprocess.run([sys.executable, "-m", "minigrad", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("minigrad ")
