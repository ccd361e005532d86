"""The `minigrad` command: --version, --help, exit codes, and `minigrad check`."""

import subprocess
import sys

import minigrad
from minigrad.cli import main


def test_version(capsys):
    try:
        main(["--version"])
    except SystemExit as done:
        assert done.code == 0
    assert capsys.readouterr().out.strip() == f"minigrad {minigrad.__version__}"


def test_help_lists_the_commands(capsys):
    assert main([]) == 0
    assert "check" in capsys.readouterr().out


def test_bad_arguments_exit_with_2(capsys):
    try:
        main(["no-such-command"])
    except SystemExit as done:
        assert done.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_check_passes_and_prints_a_line_per_op(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert lines[-1].endswith(" passed, 0 failed")
    assert any(line.startswith("matmul 2d") and line.endswith("ok") for line in lines)


def test_installed_console_script_runs():
    """`python -m minigrad` is the same program as the `minigrad` console script."""
    done = subprocess.run([sys.executable, "-m", "minigrad", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("minigrad ")
