"""The README's tour is executable: every `>>>` line must print exactly what the README shows."""

import doctest
from pathlib import Path

import numpy as np

import minigrad as mg

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_examples_print_what_they_claim():
    mg.manual_seed(0)
    failures, attempted = doctest.testfile(
        str(README), module_relative=False, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        globs={"np": np},
    )
    assert attempted > 10
    assert failures == 0


def test_readme_starts_with_the_three_commands():
    text = README.read_text(encoding="utf-8")
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands[0] == 'pip install -e ".[dev]"'
    assert commands[1].startswith("minigrad ")
    assert commands[2] == "pytest"
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[dev]"' in ci and "\npytest" in ci
