"""The README's tour is executable: every `>>>` line must print exactly what the README shows."""

import doctest
from pathlib import Path

import numpy as np

import minigrad as mg

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_examples_print_what_they_claim():
    mg.manual_seed(0)
    failures, attempted = doctest.testfile(
        str(README),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
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


def test_readme_compare_table_is_what_compare_prints(tmp_path):
    """The README's `minigrad compare` table is the command's output (all ten optimizers, 30 epochs;
    every column but the timings). When the code moves the numbers, `python -m minigrad.readme`
    rewrites the table and the figure."""
    from minigrad import readme

    recorded = readme.readme_block(README.read_text(encoding="utf-8"))
    printed = readme.run_compare(tmp_path)
    assert readme.comparable(printed) == readme.comparable(recorded), (
        "the README's compare table is out of date: run `python -m minigrad.readme`\n" + printed
    )
    assert printed.rstrip().splitlines()[-1] == recorded.rstrip().splitlines()[-1]  # "wrote minigrad-out/..."


def test_readme_cites_only_sources_that_docs_sources_lists():
    import re

    sources = (README.parent / "docs" / "sources.md").read_text(encoding="utf-8")
    names = {"Four-step notes", "Adam post", "yorhaha notes", "SJTU slides", "Ten optimizers"}
    listed = set(re.findall(r"^\| \[([^\]]+)\] \|", sources, flags=re.MULTILINE))
    assert names <= listed
    texts = [README.read_text(encoding="utf-8")] + [
        p.read_text(encoding="utf-8") for p in (README.parent / "minigrad").rglob("*.py")
    ]
    cited = {key for text in texts for key in re.findall(r"\[(" + "|".join(names) + r")\]", text)}
    assert cited and cited <= listed
    for text in texts:  # the keys of an earlier draft are gone
        assert not re.search(r"\[S\d\]", text)
    for text in texts:  # the old internal numbering, which clashed with --seed, is gone
        assert not re.search(r"\bseeds? 00\d", text, flags=re.IGNORECASE)


def test_licence_and_dataset_attribution():
    licence = (README.parent / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Copyright (c) 2026 the minigrad authors" in licence
    assert 'license = "MIT"' in (README.parent / "pyproject.toml").read_text(encoding="utf-8")
    for text in (
        README.read_text(encoding="utf-8"),
        (README.parent / "datasets" / "README.md").read_text(encoding="utf-8"),
    ):
        assert "CC BY 4.0" in text and "Optical Recognition of Handwritten Digits" in text
