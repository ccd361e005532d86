"""Surfaces (gradients and minima), optimizer paths, figures, GIFs and graph drawings."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import experiments, optim
from minigrad.train import History
from minigrad.viz import SURFACES, draw_graph, path

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", list(SURFACES))
def test_surface_gradients_pass_gradcheck(name):
    surface = SURFACES[name]
    rng = np.random.default_rng(0)
    for _ in range(5):
        point = mg.tensor(
            [rng.uniform(*surface.xlim), rng.uniform(*surface.ylim)], dtype=np.float64, requires_grad=True
        )
        assert mg.gradcheck(surface, [point])


def _gradient_and_hessian(surface, xy):
    point = mg.tensor(np.array(xy, dtype=np.float64), requires_grad=True)
    surface(point).backward()
    hessian = np.zeros((2, 2))
    for i in range(2):
        step = np.zeros(2)
        step[i] = 1e-5
        grads = []
        for sign in (1, -1):
            p = mg.tensor(np.array(xy) + sign * step, requires_grad=True)
            surface(p).backward()
            grads.append(p.grad.numpy())
        hessian[:, i] = (grads[0] - grads[1]) / 2e-5
    return point.grad.numpy(), hessian


@pytest.mark.parametrize("name", list(SURFACES))
def test_surface_minima_are_minima(name):
    surface = SURFACES[name]
    X, Y, Z = surface.grid(300)
    for i, xy in enumerate(surface.minima):
        grad, hessian = _gradient_and_hessian(surface, xy)
        assert np.abs(grad).max() < 1e-4, f"gradient {grad} at {xy}"
        assert np.all(np.linalg.eigvalsh(hessian) > 0), f"not a minimum at {xy}"
        if i == 0:  # the first one listed is the global minimum (at least on the plotting window)
            assert surface.value(*xy) <= Z.min() + 1e-9


def test_saddle_has_a_saddle_point_at_the_origin():
    grad, hessian = _gradient_and_hessian(SURFACES["saddle"], (0.0, 0.0))
    assert np.abs(grad).max() < 1e-12 and np.linalg.eigvalsh(hessian)[0] < 0 < np.linalg.eigvalsh(hessian)[1]


def test_paths_come_from_real_optimizers():
    surface = SURFACES["ellipse"]
    points = path(surface, lambda params: optim.Adam(params, lr=0.1), steps=300)
    assert points.shape == (301, 2)
    np.testing.assert_array_equal(points[0], surface.start)
    assert np.linalg.norm(points[-1]) < 0.05
    diverging = path(surface, lambda params: optim.SGD(params, lr=100.0), steps=2000)
    assert np.all(np.isfinite(diverging)) and len(diverging) < 2001  # stops at the last finite point


def test_every_optimizer_escapes_the_saddle():
    paths = experiments.surface_paths(SURFACES["saddle"])
    assert len(paths) == 10
    for name, points in paths.items():
        assert abs(points[-1][1]) > 0.9, name


def test_figures_and_gif(tmp_path):
    pytest.importorskip("matplotlib")
    Image = pytest.importorskip("PIL.Image")
    from minigrad.viz import animate_trajectories, plot_loss_curves, plot_trajectories

    rng = np.random.default_rng(0)
    histories = {name: History(step_loss=list(np.exp(-np.linspace(0, 3, 50)) + 0.01 * rng.random(50)), train_loss=[1.0, 0.5],
                               val_loss=[1.0, 0.6], val_accuracy=[0.5, 0.8], epoch_time=[0.1, 0.1]) for name in ("SGD", "Adam")}  # fmt: skip
    plot_loss_curves(histories, tmp_path / "curves.png")
    assert (tmp_path / "curves.png").read_bytes()[:8] == PNG_MAGIC
    surface = SURFACES["three_basins"]
    paths = experiments.surface_paths(surface, ["sgd", "adam"], steps=30)
    plot_trajectories(surface, paths, tmp_path / "paths.png")
    assert (tmp_path / "paths.png").read_bytes()[:8] == PNG_MAGIC
    assert animate_trajectories(surface, paths, tmp_path / "paths.gif", frames=12) == 12
    with Image.open(tmp_path / "paths.gif") as gif:
        assert gif.format == "GIF" and gif.n_frames == 12 and gif.is_animated


def test_draw_graph(tmp_path, monkeypatch):
    w = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x = mg.tensor([[1.0, -1.0]])
    loss = (x @ w).relu().sum()
    before = draw_graph(loss)
    assert (
        before.startswith("digraph minigrad {")
        and "matmul" in before
        and "relu" in before
        and "sum" in before
    )
    assert "no grad" in before and "(2, 2)" in before
    assert before.count("->") == 3  # leaf -> matmul -> relu -> sum
    loss.backward()
    after = draw_graph(loss)
    assert f"grad norm {np.linalg.norm(w.grad):.4g}" in after
    monkeypatch.setattr("shutil.which", lambda name: None)  # no Graphviz: the DOT text is written instead
    draw_graph(loss, tmp_path / "graph.svg")
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")


@pytest.mark.skipif(
    __import__("shutil").which("dot") is None, reason="Graphviz's dot program is not installed"
)
def test_draw_graph_renders_with_graphviz(tmp_path):
    x = mg.tensor([[1.0, 2.0]], requires_grad=True)
    (x * x).sum().backward()
    draw_graph((x * x).sum(), tmp_path / "graph.svg")
    svg = (tmp_path / "graph.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "mul" in svg and "leaf" in svg
