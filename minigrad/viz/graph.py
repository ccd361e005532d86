"""`draw_graph`: the computation graph behind a result, as Graphviz DOT text (and a picture, if `dot` exists).

Each node is a tensor: leaves show "leaf" (or "param"), results show the op that made them; every node
shows its shape and, once backward has run, the norm of its gradient (the leaves', and any retained
one's). Arrows point from inputs to results.
"""

import shutil
import subprocess
from pathlib import Path

import numpy as np

from minigrad.autograd import topological_order


def draw_graph(tensor, path=None) -> str:
    """DOT text for the graph of `tensor`. With `path` ending in .svg or .png, the picture is rendered
    there with Graphviz's `dot` program; without `dot`, the DOT text is written next to it (.dot)."""
    nodes = list(reversed(topological_order(tensor))) if tensor.requires_grad else [tensor]
    names = {id(node): f"n{i}" for i, node in enumerate(nodes)}
    lines = [
        "digraph minigrad {",
        "  rankdir=LR;",
        '  node [shape=record, fontname="Helvetica", fontsize=10];',
    ]
    for node in nodes:
        if node._ctx is not None:
            kind = node._ctx.op_name()
        else:
            kind = "param" if type(node).__name__ == "Parameter" else "leaf"
        grad = node.grad
        # (In a record label "|" separates fields, so the norm is spelled out.)
        grad_text = "no grad" if grad is None else f"grad norm {float(np.linalg.norm(grad)):.4g}"
        fill = "lightblue" if node._ctx is None else ("gold" if node is tensor else "white")
        lines.append(
            f'  {names[id(node)]} [label="{{{kind}|{tuple(node.shape)}|{grad_text}}}", style=filled, fillcolor={fill}];'
        )
    for node in nodes:
        if node._ctx is not None:
            for parent in node._ctx.inputs:
                if id(parent) in names:
                    lines.append(f"  {names[id(parent)]} -> {names[id(node)]};")
    lines.append("}")
    dot_text = "\n".join(lines) + "\n"
    if path is not None:
        _render(dot_text, Path(path))
    return dot_text


def _render(dot_text: str, path: Path) -> None:
    program = shutil.which("dot")
    if program is None or path.suffix not in (".svg", ".png"):
        path.with_suffix(".dot").write_text(dot_text, encoding="utf-8")
        return
    subprocess.run([program, f"-T{path.suffix[1:]}", "-o", str(path)], input=dot_text, text=True, check=True)
