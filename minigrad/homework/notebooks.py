"""Notebooks as the homework sees them: read (plain JSON, no Jupyter needed), released, found by chapter.

A chapter's notebook is `NN_name.ipynb`; its exercises are regions of code cells between `# BEGIN SOLUTION`
and `# END SOLUTION` lines. Releasing a chapter turns each region into `raise NotImplementedError`
(indented like the markers, so the signature and docstring above it stay), clears every output and all
metadata but the cells' tags, and then makes sure that no line of any solution is left anywhere in the
notebook: not in another cell, not in the markdown, not in the metadata.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
STUB = "raise NotImplementedError"
SLOW = "slow"  # the tag of demonstration cells the grader may skip
NAME = re.compile(r"^(\d\d)_[^/\\]*\.ipynb$")
# A solution line shorter than this (`else:`, `pass`, `)`) says nothing about the solution.
MIN_LEAK = 8


class NotebookError(ValueError):
    """A file that is not a readable notebook; the message names the file."""


@dataclass(frozen=True)
class Cell:
    index: int  # the position among all the notebook's cells (markdown included), as Jupyter numbers them
    source: str
    slow: bool


def chapter_of(path: Path) -> str | None:
    """The chapter a notebook's file name says ("05" for 05_rmsprop.ipynb), or None."""
    match = NAME.match(Path(path).name)
    return match.group(1) if match else None


def read(path: Path) -> dict:
    """The notebook at `path` as a dict; a NotebookError naming the file when it is not one."""
    path = Path(path)
    try:
        with open(path, "rb") as file:
            notebook = json.loads(file.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NotebookError(f"{path.name} is not a readable notebook: {_first_line(error)}") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) and c.get("cell_type") in ("code", "markdown", "raw")
                                               for c in cells):  # fmt: skip
        raise NotebookError(f"{path.name} is not a notebook: it has no list of cells")
    for cell in cells:
        text = cell.get("source", "")
        if not (isinstance(text, str) or (isinstance(text, list) and all(isinstance(t, str) for t in text))):
            raise NotebookError(f"{path.name} is not a notebook: a cell's source is not text")
    return notebook


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0]


def source_of(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def tags_of(cell: dict) -> list:
    metadata = cell.get("metadata")
    tags = metadata.get("tags", []) if isinstance(metadata, dict) else []
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def code_cells(notebook: dict) -> list[Cell]:
    """The code cells in order, as plain Python, with their positions and whether they are tagged slow."""
    return [Cell(index, plain_python(source_of(cell)), SLOW in tags_of(cell))
            for index, cell in enumerate(notebook["cells"]) if cell.get("cell_type") == "code"]  # fmt: skip


def plain_python(source: str) -> str:
    """The cell without IPython's magics and shell escapes (`%matplotlib inline`, `!pip install …`,
    `%%time`), which plain Python cannot run: a learner who adds one must not lose the whole cell."""
    lines = source.split("\n")
    if lines and lines[0].lstrip().startswith("%%"):
        lines[0] = "# " + lines[0].strip()
    for number, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped[:1] in ("%", "!") and not stripped.startswith("!="):
            lines[number] = line[: len(line) - len(stripped)] + "pass  # " + stripped
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------
# Releasing


def strip_solutions(source: str) -> tuple[str, list[str]]:
    """The cell's source with each solution region replaced by `raise NotImplementedError`, and the
    solution's lines. A BEGIN without its END (or the reverse) is an error: it would leak or lose code."""
    lines, kept, solution = source.split("\n"), [], []
    inside = None
    for number, line in enumerate(lines, 1):
        marker = line.strip()
        if marker == BEGIN:
            if inside is not None:
                raise ValueError(f"line {number}: {BEGIN} inside another solution region")
            inside = line[: len(line) - len(line.lstrip())]
            kept.append(inside + STUB)
        elif marker == END:
            if inside is None:
                raise ValueError(f"line {number}: {END} without {BEGIN}")
            inside = None
        elif inside is not None:
            solution.append(line)
        else:
            kept.append(line)
    if inside is not None:
        raise ValueError(f"{BEGIN} without {END}")
    return "\n".join(kept), solution


def release_notebook(notebook: dict, name: str = "notebook") -> dict:
    """The student's version of a chapter notebook (a new dict; `notebook` is not changed)."""
    released = {"cells": [], "metadata": _kept_metadata(notebook.get("metadata")),
                "nbformat": notebook.get("nbformat", 4), "nbformat_minor": notebook.get("nbformat_minor", 5)}  # fmt: skip
    solutions = []
    for index, cell in enumerate(notebook["cells"]):
        new = {"cell_type": cell["cell_type"], "metadata": {"tags": tags_of(cell)} if tags_of(cell) else {},
               "source": source_of(cell)}  # fmt: skip
        if "id" in cell:
            new["id"] = cell["id"]
        if cell["cell_type"] == "code":
            try:
                new["source"], lines = strip_solutions(new["source"])
            except ValueError as error:
                raise NotebookError(f"{name}, cell {index}: {error}") from None
            solutions.extend(lines)
            new["outputs"], new["execution_count"] = [], None
        elif "attachments" in cell:
            new["attachments"] = copy.deepcopy(cell["attachments"])
        released["cells"].append(new)
    leaks = leaked_lines(released, solutions)
    if leaks:
        line, where = leaks[0]
        raise NotebookError(f"{name}: the solution line {line!r} also appears in {where}; "
                            "the release would give it away (reword that cell)")  # fmt: skip
    return released


def _kept_metadata(metadata) -> dict:
    metadata = metadata if isinstance(metadata, dict) else {}
    return {key: copy.deepcopy(metadata[key]) for key in ("kernelspec", "language_info") if key in metadata}


def solution_lines(notebook: dict) -> list[str]:
    """Every meaningful line inside the notebook's solution regions, stripped."""
    found = []
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "code":
            found.extend(strip_solutions(source_of(cell))[1])
    return sorted({line.strip() for line in found if _meaningful(line)})


def _meaningful(line: str) -> bool:
    text = line.strip()
    return len(text) >= MIN_LEAK and not text.startswith("#")


def leaked_lines(notebook: dict, solutions: list[str]) -> list[tuple[str, str]]:
    """The solution lines found in `notebook` (as a line of code, or anywhere in other text), with where."""
    wanted = {line.strip() for line in solutions if _meaningful(line)}
    leaks = []
    for index, cell in enumerate(notebook["cells"]):
        text = source_of(cell)
        if cell.get("cell_type") == "code":
            code_lines = {line.strip() for line in text.split("\n")}
            leaks += [(line, f"cell {index}") for line in sorted(wanted & code_lines)]
            rest = json.dumps({k: v for k, v in cell.items() if k != "source"}, ensure_ascii=False)
        else:
            rest = json.dumps(cell, ensure_ascii=False) + text
        leaks += [(line, f"cell {index} ({cell.get('cell_type')})") for line in sorted(wanted)
                  if line in rest or json.dumps(line)[1:-1] in rest]  # fmt: skip
    meta = json.dumps(notebook.get("metadata", {}), ensure_ascii=False)
    leaks += [(line, "the notebook's metadata") for line in sorted(wanted) if line in meta]
    return leaks


def tutorials_folder() -> Path:
    """The checkout's `tutorials/` folder (releasing needs the chapters' notebooks with their solutions)."""
    return Path(__file__).resolve().parents[2] / "tutorials"


def chapter_notebooks(folder: Path, chapters=()) -> list[Path]:
    """The chapter notebooks in `folder`, in order; `chapters` picks some by number ("05")."""
    found = sorted(path for path in Path(folder).glob("[0-9][0-9]_*.ipynb") if chapter_of(path))
    if chapters:
        found = [path for path in found if chapter_of(path) in set(chapters)]
    return found


def release(out: Path, chapters=(), tutorials: Path | None = None) -> list[Path]:
    """Write the student notebooks of the chosen chapters into `out`; return their paths."""
    folder = Path(tutorials) if tutorials is not None else tutorials_folder()
    notebooks = chapter_notebooks(folder, chapters)
    if not notebooks:
        which = f"chapters {' '.join(chapters)}" if chapters else "chapter notebooks (NN_name.ipynb)"
        raise FileNotFoundError(f"no {which} in {folder}")
    missing = sorted(set(chapters) - {chapter_of(path) for path in notebooks})
    if missing:
        raise FileNotFoundError(f"no notebook for chapter {', '.join(missing)} in {folder}")
    released = [(path, release_notebook(read(path), path.name)) for path in notebooks]  # all checked first
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path, notebook in released:
        target = out / path.name
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written
