"""One look for every figure of the tutorials: `use_style()` at the top of a notebook."""

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "image.cmap": "viridis",
    "svg.hashsalt": "minigrad",  # the same figure gives the same file every run
}


def use_style() -> None:
    """Apply the tutorials' figure style to matplotlib (needs `pip install "minigrad[plot]"`)."""
    import matplotlib

    matplotlib.rcParams.update(STYLE)
    _activate_inline_display()


def _activate_inline_display() -> None:
    """In a notebook, let matplotlib finish setting up its inline display now.

    IPython learns to show a `Figure` as a picture only once pyplot has made its first figure; until
    then a figure the library draws without pyplot (`plot_trajectories`, `plot_loss_curves`) shows as
    its text repr when it is a cell's result. Making and closing one pyplot figure here fixes that."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    if get_ipython() is None:
        return
    import matplotlib.pyplot as plt

    plt.close(plt.figure())
