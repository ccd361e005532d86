"""The package's layout: no import cycle, and every module imports what it uses at the top.

A cycle (say tensor -> ops -> function -> tensor) only works when the modules happen to be imported in
one order, and it hides what depends on what. Two checks:
  * statically, the graph of module-level imports between minigrad's modules has no cycle, and no
    import comes after other code or sits inside a function (but the optional extras below);
  * dynamically, each module imports on its own, in dependency order, with the package's `__init__`
    left out, so that it can only rely on what it imports itself.
"""

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "minigrad"

# Packages that minigrad may only import where they are used, inside a function, because they are
# optional extras (plots, progress bars, notebooks, the PyTorch oracle) or only needed by one command.
OPTIONAL = {
    "matplotlib",
    "PIL",
    "IPython",
    "tqdm",
    "torch",
    "nbformat",
    "nbclient",
    "jupytext",
    "resource",
    "pwd",
}
# minigrad.homework (the grader) imports inside functions on purpose: its sandboxed child process imports
# what a notebook needs at a chosen moment (before it drops privileges), and each command loads only its
# own parts. Its module-level imports are still checked, and it is still part of the cycle check.
LAZY_PACKAGES = ("minigrad.homework",)
# `python -m minigrad` runs the command line when imported.
NOT_IMPORTABLE = {"minigrad.__main__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(node, importer: str) -> set:
    """The minigrad modules an import statement loads (`from minigrad.x import y` loads minigrad.x, and
    minigrad.x.y too when that is a module)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in MODULES}
    if node.level:  # a relative import, resolved against the importing module's package
        package = importer if MODULES[importer].name == "__init__.py" else importer.rpartition(".")[0]
        base = ".".join(
            package.split(".")[: len(package.split(".")) - node.level + 1]
            + ([node.module] if node.module else [])
        )
    else:
        base = node.module
    submodules = {f"{base}.{alias.name}" for alias in node.names} & set(MODULES)
    # `from package import submodule` needs the submodule; the package only for a name defined in it.
    needs_base = base in MODULES and len(submodules) < len(node.names)
    return submodules | ({base} if needs_base else set())


def top_level_imports(name: str) -> set:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found |= imported_modules(node, name)
    found.discard(name)
    return found


def dependency_graph() -> dict:
    return {name: top_level_imports(name) for name in MODULES}


def test_the_module_level_imports_have_no_cycle():
    try:
        order = list(graphlib.TopologicalSorter(dependency_graph()).static_order())
    except graphlib.CycleError as error:  # graphlib lists the cycle from each module to what imports it
        pytest.fail("import cycle: " + " imports ".join(reversed(error.args[1])))
    assert set(order) == set(MODULES)


def misplaced_imports(name: str) -> list:
    """Imports after other module-level code, or inside functions and classes (but optional extras)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    problems, code_seen = [], False
    for node in tree.body:
        is_import = isinstance(node, (ast.Import, ast.ImportFrom))
        docstring = (
            node is tree.body[0] and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        )
        # PEP 8 puts module dunders (`__version__`, `__all__`) between the docstring and the imports.
        dunder = isinstance(node, ast.Assign) and all(
            isinstance(t, ast.Name) and t.id.startswith("__") and t.id.endswith("__") for t in node.targets)  # fmt: skip
        if is_import and code_seen:
            problems.append(f"line {node.lineno}: `{ast.unparse(node)}` after other code")
        elif not (is_import or docstring or dunder):
            code_seen = True
    lazy = name.startswith(LAZY_PACKAGES)
    for outer in tree.body:
        if isinstance(outer, (ast.Import, ast.ImportFrom)):
            continue
        for node in ast.walk(outer):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]} if not node.level else {"minigrad"}
            else:
                continue
            if roots <= OPTIONAL or lazy:
                continue
            problems.append(f"line {node.lineno}: `{ast.unparse(node)}` inside a function or class")
    return problems


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_import_is_at_the_top(name):
    assert misplaced_imports(name) == []


def test_the_import_check_sees_a_late_import_and_one_in_a_function(tmp_path, monkeypatch):
    """The check above against the two shapes a cycle used to hide behind."""
    late = tmp_path / "late.py"
    late.write_text('"""Doc."""\n\nimport numpy as np\n\nX = 1\n\nfrom minigrad import tensor  # noqa\n')
    inner = tmp_path / "inner.py"
    inner.write_text(
        "def f():\n    import matplotlib\n    from minigrad.tensor import Tensor\n    return Tensor\n"
    )
    monkeypatch.setitem(MODULES, "late", late)
    monkeypatch.setitem(MODULES, "inner", inner)
    assert misplaced_imports("late") == ["line 7: `from minigrad import tensor` after other code"]
    assert misplaced_imports("inner") == [
        "line 3: `from minigrad.tensor import Tensor` inside a function or class"
    ]


# Run in a fresh interpreter: for each module, forget every minigrad module, stand in an empty package
# for `minigrad` (its __init__ imports everything, which would hide a cycle), and import the module.
ISOLATED_IMPORTS = """
import importlib, sys, traceback, types
root, names = sys.argv[1], sys.argv[2:]
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m == "minigrad" or m.startswith("minigrad.")]:
        del sys.modules[loaded]
    package = types.ModuleType("minigrad")
    package.__path__ = [root]
    sys.modules["minigrad"] = package
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ":\\n" + traceback.format_exc(limit=-3))
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_each_module_imports_alone_in_dependency_order():
    graph = dependency_graph()
    for name in graph:  # the package's __init__ is replaced by an empty one, so nothing may need it
        graph[name].discard("minigrad")
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError:  # (the test above names the cycle) then at least show which imports break
        order = sorted(graph)
    order = [name for name in order if name != "minigrad" and name not in NOT_IMPORTABLE]
    run = subprocess.run([sys.executable, "-c", ISOLATED_IMPORTS, str(PACKAGE), *order],
                         capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
