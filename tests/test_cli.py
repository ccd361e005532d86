"""The `minigrad` command: every subcommand at tiny sizes, files written, exit codes."""

import argparse
import subprocess
import sys

import pytest

import minigrad
import minigrad as mg
from minigrad.cli import build_parser, main


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
    with pytest.raises(mg.CheckpointError):  # --debug lets the exception through, with its traceback
        main(["train", "--resume", str(tmp_path / "missing.npz"), "--debug"])


def test_compare_at_tiny_size(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    code, out, err = run(
        capsys, "compare", "--epochs", "1", "--optimizers", "sgd,adam", "--out", str(tmp_path)
    )
    assert code == 0
    table = out.splitlines()
    assert table[0].split() == ["optimizer", "train", "loss", "test", "acc", "epochs", "seconds"]
    assert table[1].startswith("SGD") and table[2].startswith("Adam")
    assert (tmp_path / "loss_curves.png").stat().st_size > 10_000
    assert "Adam" in err  # progress: one line per optimizer


def test_compare_on_generated_data(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    code, out, _ = run(
        capsys,
        "compare",
        "--dataset",
        "spirals",
        "--epochs",
        "2",
        "--optimizers",
        "nadamax",
        "--out",
        str(tmp_path),
    )
    assert code == 0 and out.splitlines()[1].startswith("NadaMax")


def test_train_save_and_resume(capsys, tmp_path):
    ckpt = tmp_path / "run.npz"
    code, out, _ = run(
        capsys,
        "train",
        "--optimizer",
        "momentum",
        "--lr",
        "0.05",
        "--weight-decay",
        "1e-4",
        "--epochs",
        "2",
        "--save",
        str(ckpt),
        "--quiet",
    )
    assert code == 0 and ckpt.exists() and "momentum on digits (mlp): 2 epochs" in out
    code, resumed, _ = run(
        capsys,
        "train",
        "--optimizer",
        "momentum",
        "--lr",
        "0.05",
        "--weight-decay",
        "1e-4",
        "--epochs",
        "3",
        "--resume",
        str(ckpt),
        "--quiet",
    )
    code2, whole, _ = run(
        capsys,
        "train",
        "--optimizer",
        "momentum",
        "--lr",
        "0.05",
        "--weight-decay",
        "1e-4",
        "--epochs",
        "3",
        "--quiet",
    )
    assert (
        code == code2 == 0 and resumed == whole
    )  # same final test loss and accuracy, to every printed digit


def test_train_with_optimizer_options(capsys):
    code, out, _ = run(
        capsys,
        "train",
        "--dataset",
        "moons",
        "--optimizer",
        "adam",
        "--betas",
        "0.8,0.99",
        "--amsgrad",
        "--eps",
        "1e-7",
        "--epochs",
        "1",
        "--quiet",
    )
    assert code == 0 and "adam on moons" in out
    code, _, err = run(capsys, "train", "--betas", "0.9")
    assert code == 2 and "argument --betas: takes two numbers" in err


def test_surfaces_writes_png_and_gif(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    Image = pytest.importorskip("PIL.Image")
    code, out, _ = run(
        capsys,
        "surfaces",
        "--surfaces",
        "saddle",
        "--optimizers",
        "sgd,adam",
        "--steps",
        "20",
        "--frames",
        "8",
        "--out",
        str(tmp_path),
    )
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


# -- issue 13, §3: the command line says what it does ----------------------------------------------


@pytest.mark.parametrize(
    "argv, option",
    [
        (["train", "--lr", "-1"], "--lr"),
        (["train", "--lr", "0"], "--lr"),
        (["train", "--lr", "nan"], "--lr"),
        (["train", "--batch-size", "0"], "--batch-size"),
        (["train", "--betas", "2,3"], "--betas"),
        (["train", "--betas", "0.9,0.99,0.5"], "--betas"),
        (["train", "--eps", "-1"], "--eps"),
        (["train", "--optimizer", "momentum", "--momentum", "-0.5"], "--momentum"),
        (["train", "--optimizer", "adadelta", "--rho", "2"], "--rho"),
        (["train", "--optimizer", "sgd", "--nesterov"], "--nesterov"),
        (["train", "--seed", "-1"], "--seed"),
        (["train", "--seed", "1.5"], "--seed"),
        (["train", "--epochs", "0"], "--epochs"),
        (["compare", "--epochs", "0"], "--epochs"),
        (["compare", "--batch-size", "-3"], "--batch-size"),
        (["compare", "--seed", "-1"], "--seed"),
        (["surfaces", "--frames", "0"], "--frames"),
        (["surfaces", "--steps", "0"], "--steps"),
        (["check", "--seed", "-1"], "--seed"),
    ],
)
def test_every_bad_argument_exits_2_with_one_line_naming_the_option(capsys, argv, option):
    code, out, err = run(capsys, *argv, "--quiet") if argv[0] == "train" else run(capsys, *argv)
    assert code == 2, err
    assert err.count("\n") == 1 and option in err and "Traceback" not in err and "IndexError" not in err
    assert out == ""


@pytest.mark.parametrize("argv", [["--debug", "train"], ["train", "--debug"]])
def test_debug_works_before_or_after_the_command(tmp_path, argv):
    with pytest.raises(Exception, match="cannot read"):
        main([*argv, "--resume", str(tmp_path / "missing.npz")])


def _option_actions():
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    yield "minigrad", parser
    yield from commands.choices.items()


def test_every_option_has_a_help_line_with_its_default():
    for name, parser in _option_actions():
        for action in parser._actions:
            if isinstance(
                action, (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)
            ):
                continue
            assert action.help and "default" in action.help, (
                f"{name} {action.option_strings}: {action.help!r}"
            )


@pytest.mark.parametrize("columns", ["40", "60", "100"])
def test_help_never_breaks_a_word(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    for name, parser in _option_actions():
        text = parser.format_help()
        words = set(text.split())
        for action in parser._actions:
            if action.help and action.help != argparse.SUPPRESS:
                expanded = action.help % {"default": action.default, "prog": parser.prog}
                for word in expanded.split():
                    assert word in words, f"{name}: {word!r} was broken in the help at {columns} columns"


def _train(capsys, *argv):
    return run(capsys, "train", "--quiet", *argv)


def test_resume_continues_with_the_checkpoints_settings(capsys, tmp_path):
    ckpt = tmp_path / "run.npz"
    settings = [
        "--dataset",
        "moons",
        "--optimizer",
        "momentum",
        "--lr",
        "0.05",
        "--momentum",
        "0.8",
        "--seed",
        "3",
        "--batch-size",
        "16",
    ]
    code, _, _ = _train(capsys, *settings, "--epochs", "2", "--save", str(ckpt))
    assert code == 0
    code, resumed, err = _train(capsys, "--resume", str(ckpt), "--epochs", "3")  # nothing else repeated
    assert code == 0 and "epochs 2 → 3 (the new total, 2 done)" in err
    code, whole, _ = _train(capsys, *settings, "--epochs", "3")
    assert resumed == whole  # the checkpoint's seed, data, batch size and hyperparameters were used
    assert mg.load(ckpt)["settings"]["seed"] == 3


def test_resume_refuses_each_differing_setting_by_name(capsys, tmp_path):
    ckpt = tmp_path / "run.npz"
    _train(capsys, "--dataset", "moons", "--optimizer", "momentum", "--epochs", "1", "--save", str(ckpt))
    code, out, err = _train(
        capsys,
        "--resume",
        str(ckpt),
        "--seed",
        "1",
        "--batch-size",
        "64",
        "--momentum",
        "0.5",
        "--epochs",
        "2",
    )
    assert code == 2 and err.count("\n") == 1 and out == ""
    assert "--seed 1 (the checkpoint has 0)" in err and "--batch-size 64 (the checkpoint has 32)" in err
    assert "--momentum 0.5 (the checkpoint has 0.9)" in err
    code, _, err = _train(capsys, "--resume", str(ckpt), "--optimizer", "adam", "--dataset", "digits")
    assert (
        code == 2
        and "--optimizer adam (the checkpoint has momentum)" in err
        and "--dataset digits (the checkpoint has moons)" in err
    )
    code, _, err = _train(capsys, "--resume", str(ckpt), "--betas", "0.8,0.9")
    assert code == 2 and "Momentum, the checkpoint's optimizer, has no betas" in err
    code, _, _ = _train(
        capsys, "--resume", str(ckpt), "--seed", "0", "--momentum", "0.9", "--epochs", "2"
    )  # the same values are fine
    assert code == 0


def test_resume_with_a_new_learning_rate_announces_and_applies_it(capsys, tmp_path):
    ckpt = tmp_path / "run.npz"
    _train(
        capsys,
        "--dataset",
        "moons",
        "--optimizer",
        "sgd",
        "--lr",
        "0.01",
        "--epochs",
        "1",
        "--save",
        str(ckpt),
    )
    code, out, err = _train(
        capsys, "--resume", str(ckpt), "--lr", "0.5", "--epochs", "2", "--save", str(ckpt)
    )
    assert code == 0 and "lr 0.01 → 0.5 from epoch 2" in err and f"saved {ckpt}" in out
    checkpoint = mg.load(ckpt)
    assert checkpoint["settings"]["lr"] == 0.5 and checkpoint["optimizer"]["param_groups"][0]["lr"] == 0.5


def test_nothing_to_train_is_said_and_nothing_is_saved(capsys, tmp_path):
    ckpt, other = tmp_path / "run.npz", tmp_path / "other.npz"
    _train(capsys, "--dataset", "moons", "--epochs", "2", "--save", str(ckpt))
    for epochs in ("2", "1"):
        code, out, _ = _train(capsys, "--resume", str(ckpt), "--epochs", epochs, "--save", str(other))
        assert code == 0 and "nothing to train: the checkpoint" in out and "is at epoch 2" in out
        assert "saved" not in out and not other.exists()


def test_saved_is_printed_only_when_the_file_was_written(capsys, tmp_path):
    code, out, err = _train(
        capsys, "--dataset", "moons", "--epochs", "1", "--save", str(tmp_path / "no" / "such" / "folder.npz")
    )
    assert code == 1 and "saved" not in out and err.count("\n") == 1


def test_a_checkpoint_without_the_runs_settings_is_refused(capsys, tmp_path):
    mg.save({"model": {}, "epoch": 1}, tmp_path / "weights.npz")
    code, _, err = _train(capsys, "--resume", str(tmp_path / "weights.npz"))
    assert code == 1 and "not a checkpoint of minigrad train" in err


def test_compare_prints_its_results_once(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    code, out, err = run(
        capsys,
        "compare",
        "--dataset",
        "moons",
        "--epochs",
        "1",
        "--optimizers",
        "sgd,adam",
        "--out",
        str(tmp_path),
    )
    assert code == 0
    table = out.splitlines()[:3]
    assert [line.split()[0] for line in table] == ["optimizer", "SGD", "Adam"]
    for line in table[1:]:
        loss, accuracy = line.split()[1:3]
        assert (
            out.count(loss) == 1 and loss not in err and accuracy not in err
        )  # progress does not repeat results
    lines = err.splitlines()
    assert (
        len(lines) == 2
        and lines[0].startswith("compare: 1/2 SGD trained (")
        and lines[1].startswith("compare: 2/2 Adam trained (")
    )


def test_the_options_come_from_the_optimizer_registry():
    from minigrad.optim.registry import OPTIMIZERS, hyperparameter_table

    parser = dict(_option_actions())["train"]
    assert set(hyperparameter_table()) <= {action.dest for action in parser._actions}
    optimizer_help = next(a.help for a in parser._actions if a.dest == "optimizer")
    assert optimizer_help.startswith("one of " + ", ".join(OPTIMIZERS))
    from minigrad import experiments

    assert experiments.OPTIMIZERS is OPTIMIZERS  # the comparisons use the same table
