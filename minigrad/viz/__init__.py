"""Pictures: loss curves, optimizer paths over 2-D surfaces (PNG and GIF), and computation graphs.

The surfaces and `draw_graph` need only NumPy; the figures need `pip install "minigrad[plot]"`.
"""

from minigrad.viz import surfaces
from minigrad.viz.graph import draw_graph
from minigrad.viz.plots import animate_trajectories, plot_loss_curves, plot_trajectories
from minigrad.viz.style import STYLE, use_style
from minigrad.viz.surfaces import SURFACES, Surface, path

__all__ = [
    "surfaces",
    "SURFACES",
    "Surface",
    "path",
    "draw_graph",
    "plot_loss_curves",
    "plot_trajectories",
    "animate_trajectories",
    "STYLE",
    "use_style",
]
