"""Releasing the homework: each solution region becomes `raise NotImplementedError`, and no line of any
solution survives anywhere in the released notebook (other cells, markdown, outputs, metadata)."""

import json

import pytest
from homework_notebooks import (
    SOLUTION,
    cell,
    chapter04,
    notebook,
    released_tutorials,
    write,
)

from minigrad.homework import notebooks
from minigrad.homework.notebooks import (
    NotebookError,
    release,
    release_notebook,
    solution_lines,
    strip_solutions,
)


def test_a_region_becomes_raise_with_signature_and_docstring_kept():
    stripped, solution = strip_solutions(SOLUTION)
    assert stripped == ('def sgd_step(param, grad, lr):\n    """One step of gradient descent: θ − lr·g, as a new array."""\n'
                        "    raise NotImplementedError")  # fmt: skip
    assert [line.strip() for line in solution] == ["step = lr * grad", "return param - step"]


@pytest.mark.parametrize("source, problem", [
    ("    # BEGIN SOLUTION\n    x = 1\n", "without # END SOLUTION"),
    ("x = 1\n# END SOLUTION\n", "without # BEGIN SOLUTION"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "inside another"),
])  # fmt: skip
def test_unbalanced_markers_are_refused(source, problem):
    with pytest.raises(ValueError, match=problem):
        strip_solutions(source)


def _everything(released: dict) -> str:
    return json.dumps(released, ensure_ascii=False)


def test_outputs_metadata_and_ids_of_the_solution_are_gone():
    leaky_output = {"output_type": "stream", "name": "stdout", "text": "step = lr * grad\n"}
    source = chapter04()
    source["cells"][3]["outputs"] = [leaky_output]
    source["cells"][3]["metadata"] = {
        "tags": ["exercise"],
        "solution": "return param - step",
        "collapsed": True,
    }
    source["cells"][3]["execution_count"] = 7
    source["metadata"]["widgets"] = {"state": "return param - step"}
    released = release_notebook(source, "04_test.ipynb")
    text = _everything(released)
    for line in solution_lines(source):
        assert line not in text
    code = [c for c in released["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert released["cells"][3]["metadata"] == {"tags": ["exercise"]}
    assert "raise NotImplementedError" in released["cells"][3]["source"]
    assert released["cells"][4]["source"] == 'check("04.sgd_step", sgd_step)'  # the checker cell stays
    assert set(released["metadata"]) == {"kernelspec", "language_info"}


@pytest.mark.parametrize("where", ["code", "markdown"])
def test_a_solution_line_elsewhere_stops_the_release_and_is_named(where):
    leak = cell("    return param - step" if where == "code" else "Hint: `return param - step`", where)
    with pytest.raises(
        NotebookError, match=r"04_x.ipynb: the solution line 'return param - step' also appears in cell 5"
    ):
        release_notebook(chapter04(SOLUTION, leak), "04_x.ipynb")


def test_release_writes_each_chapter_and_chooses_chapters(tmp_path):
    tutorials = tmp_path / "tutorials"
    write(tutorials / "04_gradient_descent.ipynb", chapter04())
    write(tutorials / "05_momentum.ipynb", notebook("x = 1"))
    written = release(tmp_path / "out", ["04"], tutorials)
    assert [path.name for path in written] == ["04_gradient_descent.ipynb"]
    with pytest.raises(FileNotFoundError, match="chapter 09"):
        release(tmp_path / "out", ["04", "09"], tutorials)


def test_corrupt_notebooks_are_named(tmp_path):
    for name, text in [
        ("04_a.ipynb", "{not json"),
        ("04_b.ipynb", '{"cells": 3}'),
        ("04_c.ipynb", "\xff\xfe"),
    ]:
        write(tmp_path / name, text)
        with pytest.raises(NotebookError, match=name):
            notebooks.read(tmp_path / name)


@pytest.mark.parametrize("path", released_tutorials())
def test_tutorial_release_has_no_solution_line(path, tmp_path):
    source = notebooks.read(path)
    lines = solution_lines(source)
    assert lines, f"{path.name} has exercises but no solution region"
    (released,) = release(tmp_path, [notebooks.chapter_of(path)], path.parent)
    text = released.read_text(encoding="utf-8")
    leaked = [line for line in lines if line in text or json.dumps(line)[1:-1] in text]
    assert not leaked, f"{path.name} gives away {leaked[:3]}"
    assert "raise NotImplementedError" in text
