"""The two example programs run on minigrad and, with only their import lines changed, on PyTorch,
and reach the same accuracy within a few points."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PROGRAMS = {
    "quickstart_mlp.py": r"Reloaded model: Accuracy: ([\d.]+)%",
    "cnn_digits.py": r"Accuracy: \d+/\d+ \(([\d.]+)%\)",
}


def as_pytorch(source: str) -> str:
    """The program for PyTorch: `minigrad` becomes `torch` in the import lines (the line importing the
    bundled data stays), and nothing else changes."""
    lines = []
    for line in source.splitlines():
        if line.startswith(("import minigrad", "from minigrad")) and "minigrad.data import" not in line:
            line = line.replace("import minigrad as torch", "import torch").replace("minigrad", "torch")
        lines.append(line)
    return "\n".join(lines) + "\n"


def run(program: Path, folder: Path) -> float:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, str(program)], cwd=folder, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = re.findall(PROGRAMS[program.name], done.stdout)
    assert found, done.stdout[-2000:]
    return float(found[-1])


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_only_import_lines_differ_from_the_pytorch_program(name):
    source = (EXAMPLES / name).read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(source.splitlines(), as_pytorch(source).splitlines()) if a != b]
    assert changed, "the program should import minigrad"
    for mine, theirs in changed:
        assert mine.startswith(("import ", "from ")), mine
        assert "minigrad" not in theirs, theirs


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_runs_and_matches_pytorchs_accuracy(name, tmp_path):
    accuracy = run(EXAMPLES / name, tmp_path)
    assert accuracy >= 90.0
    pytest.importorskip("torch")
    torch_program = tmp_path / name
    torch_program.write_text(as_pytorch((EXAMPLES / name).read_text(encoding="utf-8")), encoding="utf-8")
    torch_accuracy = run(torch_program, tmp_path)
    assert abs(accuracy - torch_accuracy) <= 3.0, f"minigrad {accuracy}% vs PyTorch {torch_accuracy}%"
