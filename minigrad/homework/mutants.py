"""Mutation testing for the checkers: is every small change of a solution caught?

A checker is only as good as its probes. To test them, each exercise's solution (the function in a
chapter's source whose body holds `# BEGIN SOLUTION … # END SOLUTION`) is changed in one place at a
time — one arithmetic operator swapped for another, a unary minus dropped, a comparison flipped, a
number changed — and every such mutant must be rejected by the checker, unless the change is
mathematically equivalent (the exercise lists those in `equivalent_mutants`, by their description).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"

_ARITHMETIC = [ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow]
_COMPARISON_FLIPS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}


@dataclass(frozen=True)
class SolutionFunction:
    name: str
    source: str  # the whole `def`, dedented
    first_line: int  # the region's first and last line, counted inside `source` (1-based)
    last_line: int


def solution_functions(text: str) -> list[SolutionFunction]:
    """The top-level functions of a chapter source whose body has a solution region."""
    lines = text.splitlines()
    found = []
    for node in ast.parse(text).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        end = node.end_lineno
        # Comments after the last statement (the closing marker) still belong to the function.
        while end < len(lines) and (not lines[end].strip() or lines[end].startswith((" ", "\t"))):
            end += 1
        body = lines[start - 1 : end]
        while body and not body[-1].strip():
            body.pop()
        marks = [i for i, line in enumerate(body, start=1) if line.strip() in (BEGIN, END)]
        if not marks:
            continue
        if len(marks) != 2 or body[marks[0] - 1].strip() != BEGIN:
            raise ValueError(f"{node.name}: expected one `{BEGIN}` … `{END}` region")
        found.append(SolutionFunction(node.name, "\n".join(body) + "\n", marks[0], marks[1]))
    return found


def chapter_solutions(source: Path) -> list[SolutionFunction]:
    return solution_functions(Path(source).read_text(encoding="utf-8"))


def mutants(function: SolutionFunction) -> Iterator[tuple[str, str]]:
    """Every single-place mutant of the solution region: (description, source of the mutated function)."""
    tree = ast.parse(function.source)
    targets = [
        node
        for node in ast.walk(tree)
        if function.first_line < getattr(node, "lineno", 0) < function.last_line
    ]
    for index, node in enumerate(targets):
        for new in _alternatives(node):
            mutated_tree = copy.deepcopy(tree)
            old = [
                n
                for n in ast.walk(mutated_tree)
                if function.first_line < getattr(n, "lineno", 0) < function.last_line
            ][index]
            description = f"`{ast.unparse(old)}` → `{ast.unparse(new)}`"
            _replace(mutated_tree, old, new)
            yield description, ast.unparse(mutated_tree)


def _alternatives(node: ast.AST) -> list[ast.AST]:
    """What one node may be mutated into."""
    found = []
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _ARITHMETIC:
        for op in _ARITHMETIC:
            if op is not type(node.op):
                new = copy.deepcopy(node)
                new.op = op()
                found.append(new)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        found.append(copy.deepcopy(node.operand))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARISON_FLIPS:
        new = copy.deepcopy(node)
        new.ops = [_COMPARISON_FLIPS[type(node.ops[0])]()]
        found.append(new)
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = node.value
        for changed in {value + 1, value * 2 if value else -1}:
            found.append(ast.Constant(type(value)(changed)))
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        found.append(ast.Constant(not node.value))
    return [ast.copy_location(new, node) for new in found]


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
                        return
    raise LookupError("node not found")
