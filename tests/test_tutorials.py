"""The tutorial notebooks: in step with their sources, shaped like a chapter, and with committed outputs
that are exactly what the current code prints (each notebook is re-run in a fresh kernel here)."""

import copy
import importlib.util
import json
import re
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("jupytext")

from minigrad.homework import exercises_of  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("tutorials_build", ROOT / "tutorials" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

SOURCES = build.sources()
CHAPTER_SECONDS = 60  # each chapter's budget on two cores

try:
    import torch  # noqa: F401

    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False


def _id(source):
    return source.stem


def _read(source):
    path = build.notebook_path(source)
    assert path.exists(), f"{path.name} is missing: run `python tutorials/build.py {source.name[:2]}`"
    return nbformat.read(path, as_version=4)


def _sanitize(text: str) -> str:
    """What may legitimately differ between two runs: memory addresses and timings."""
    text = re.sub(r"0x[0-9a-fA-F]{6,}", "0x…", text)
    return re.sub(r"\b\d+(\.\d+)?\s?(s|ms|µs|us)\b", "…s", text)


def _text_outputs(cell) -> list:
    """A code cell's outputs as comparable text: printed text and plain-text results verbatim (after
    sanitizing), pictures by their kind only."""
    found = []
    for output in cell.get("outputs", []):
        kind = output["output_type"]
        if kind == "stream":
            found.append((output["name"], _sanitize(output["text"])))
        elif kind == "error":
            found.append(("error", output["ename"], output["evalue"]))
        else:
            data = output.get("data", {})
            pictures = sorted(mime for mime in data if mime.startswith("image/"))
            text = data.get("text/plain", "") if not pictures else ""
            found.append((kind, _sanitize(text), pictures))
    return found


def test_chapter_numbers_are_unique():
    numbers = [source.name[:2] for source in SOURCES]
    assert len(set(numbers)) == len(numbers), "two sources share a chapter number"


def test_every_notebook_has_a_source():
    notebooks = {path.stem for path in (ROOT / "tutorials").glob("[0-9][0-9]_*.ipynb")}
    assert notebooks == {source.stem for source in SOURCES}


@pytest.mark.parametrize("source", SOURCES, ids=_id)
def test_notebook_matches_its_source(source):
    committed = _read(source)
    expected = build.from_source(source)
    assert [(c.cell_type, c.source) for c in committed.cells] == [
        (c.cell_type, c.source) for c in expected.cells
    ], (
        f"{source.stem}.ipynb is not built from the current src/{source.name}: run `python tutorials/build.py {source.name[:2]}`"
    )
    assert committed.metadata == expected.metadata


@pytest.mark.parametrize("source", SOURCES, ids=_id)
def test_chapter_shape(source):
    """Every chapter verifies its claims in code, draws at least one figure, and has an exercise whose
    solution sits between the markers and is checked by the library's checker."""
    notebook = _read(source)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "$$" in markdown, "the derivation is written in display math"
    verifying = [c for c in code if re.search(r"\bassert\b|assert_allclose|gradcheck\(", c.source)]
    assert len(verifying) >= 2, "at least two cells verify a derived claim"
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"], "committed with an error output"
    assert any(mime.startswith("image/") for o in outputs for mime in o.get("data", {})), (
        "at least one figure"
    )
    solutions = [c for c in code if "# BEGIN SOLUTION" in c.source]
    assert solutions, "at least one exercise"
    for cell in solutions:
        assert cell.source.count("# BEGIN SOLUTION") == cell.source.count("# END SOLUTION")
    chapter = source.name[:2]
    exercises = exercises_of(chapter)
    assert exercises, f"minigrad.homework.exercises.ch{chapter} defines the chapter's exercises"
    checked = "\n".join(c.source for c in code)
    for exercise in exercises:
        assert f'check("{exercise.key}"' in checked, f"the notebook checks {exercise.key}"
        assert re.search(rf"^def {exercise.function}\(", checked, re.M), (
            f"the notebook defines {exercise.function}"
        )


@pytest.mark.parametrize("source", SOURCES, ids=_id)
def test_committed_outputs_are_current(source):
    """Re-run the committed notebook in a fresh kernel: it runs green within the budget and prints
    exactly what is committed (timings and addresses aside; PyTorch cells only where PyTorch is)."""
    committed = _read(source)
    fresh = copy.deepcopy(committed)
    start = time.perf_counter()
    build.execute(fresh)
    seconds = time.perf_counter() - start
    for index, (old, new) in enumerate(zip(committed.cells, fresh.cells)):
        if old.cell_type != "code" or ("torch" in old.metadata.get("tags", []) and not HAVE_TORCH):
            continue
        assert _text_outputs(new) == _text_outputs(old), (
            f"{source.stem}.ipynb cell {index} prints something else now; rebuild with "
            f"`python tutorials/build.py {source.name[:2]}`.\n"
            f"committed: {json.dumps(_text_outputs(old), ensure_ascii=False)[:1500]}\n"
            f"now:       {json.dumps(_text_outputs(new), ensure_ascii=False)[:1500]}"
        )
    assert seconds < CHAPTER_SECONDS, f"{source.stem} took {seconds:.0f} s (budget {CHAPTER_SECONDS} s)"
