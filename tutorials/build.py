"""Build the tutorial notebooks from their sources, with fresh outputs.

Each chapter is written as a plain-text source, `tutorials/src/NN_name.py` (Jupytext's "percent" format:
`# %%` starts a code cell, `# %% [markdown]` a text cell), which reads and diffs well. This script turns
each source into `tutorials/NN_name.ipynb`, runs it top to bottom in a fresh kernel (from the `tutorials/`
folder, as a learner would) and saves it with its outputs, so the notebooks read well on a repository
browser without running them.

    python tutorials/build.py            # every chapter
    python tutorials/build.py 05 09      # some chapters

The saved notebooks carry nothing that changes from run to run: no execution counts, no timings, cell ids
derived from the cells' text. `tests/test_tutorials.py` re-runs every committed notebook and fails when
its outputs are stale, or when it no longer matches its source.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

TUTORIALS = Path(__file__).resolve().parent
SOURCES = TUTORIALS / "src"
TIMEOUT = 120  # seconds a cell may run before the build gives up on it
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def sources(chapters=()) -> list[Path]:
    """The chapters' sources, in order; `chapters` picks some by number ("05")."""
    found = sorted(SOURCES.glob("[0-9][0-9]_*.py"))
    if chapters:
        found = [path for path in found if path.name[:2] in set(chapters)]
    return found


def notebook_path(source: Path) -> Path:
    return TUTORIALS / (source.stem + ".ipynb")


def from_source(source: Path) -> nbformat.NotebookNode:
    """The notebook a source describes, without outputs, with stable metadata and cell ids."""
    notebook = jupytext.read(source, fmt="py:percent")
    notebook.metadata = _metadata()
    seen: dict[str, int] = {}
    for cell in notebook.cells:
        digest = hashlib.sha1(cell.source.encode()).hexdigest()[:8]
        seen[digest] = seen.get(digest, 0) + 1
        cell.id = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
        cell.metadata = nbformat.from_dict({k: v for k, v in cell.metadata.items() if k == "tags"})
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return notebook


def _metadata() -> nbformat.NotebookNode:
    # The kernel would record its Python version here; keep only what every machine shares.
    return nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})


def execute(notebook: nbformat.NotebookNode) -> float:
    """Run every cell in a fresh kernel started in `tutorials/`; return the seconds it took."""
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(TUTORIALS)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    clean(notebook)
    return seconds


def clean(notebook: nbformat.NotebookNode) -> None:
    """Drop what changes from run to run: execution counts and per-run metadata."""
    notebook.metadata = _metadata()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        cell.metadata = nbformat.from_dict({k: v for k, v in cell.metadata.items() if k == "tags"})
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = None
        cell.outputs = _merge_streams(cell.outputs)


def _merge_streams(outputs: list) -> list:
    """The kernel splits printed text into chunks as it arrives, differently from run to run; keep one
    output per run of consecutive text on the same stream."""
    merged = []
    for output in outputs:
        if (
            output.output_type == "stream"
            and merged
            and merged[-1].output_type == "stream"
            and merged[-1].name == output.name
        ):
            merged[-1].text += output.text
        else:
            merged.append(output)
    return merged


def build(source: Path) -> float:
    notebook = from_source(source)
    seconds = execute(notebook)
    nbformat.validate(notebook)
    with open(notebook_path(source), "w", encoding="utf-8", newline="\n") as file:
        nbformat.write(notebook, file)
    return seconds


def main(argv: list[str]) -> int:
    chosen = sources(argv)
    if not chosen:
        print(f"no chapter sources match {argv}", file=sys.stderr)
        return 2
    total = 0.0
    for source in chosen:
        seconds = build(source)
        total += seconds
        print(f"{notebook_path(source).name}: {seconds:.1f} s")
    print(f"{len(chosen)} notebooks in {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
