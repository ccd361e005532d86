"""Figures: loss curves of several optimizers, and optimizer paths over a surface (PNG and animated GIF).

Needs the optional extra `pip install "minigrad[plot]"` (matplotlib and pillow). The figures are drawn
with matplotlib's object-oriented API on the Agg canvas, so they work without a display.
"""

import numpy as np

# One colour per optimizer, the same in every figure.
COLORS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#000000",
]


def _figure(width: float, height: float, dpi: int = 100):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError('pictures need matplotlib and pillow: pip install "minigrad[plot]"') from None
    figure = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(figure)
    return figure


def _smooth(values, weight: float = 0.9) -> np.ndarray:
    """An exponential moving average (bias-corrected), to see the trend of a noisy per-step loss."""
    out, average = [], 0.0
    for t, v in enumerate(values, start=1):
        average = weight * average + (1 - weight) * v
        out.append(average / (1 - weight**t))
    return np.array(out)


def plot_loss_curves(histories: dict, path=None, title: str = "Optimizers compared"):
    """The "optimizers compared" figure of the [SJTU slides]: smoothed training loss per step (log scale) and,
    when the histories have it, validation accuracy per epoch. Returns the matplotlib Figure."""
    has_accuracy = any(h.val_accuracy and h.val_accuracy[0] is not None for h in histories.values())
    figure = _figure(12 if has_accuracy else 7, 4.5)
    axes = figure.subplots(1, 2 if has_accuracy else 1, squeeze=False)[0]
    for color, (name, history) in zip(COLORS, histories.items()):
        axes[0].plot(_smooth(history.step_loss), color=color, label=name, linewidth=1.3)
        if has_accuracy and history.val_accuracy:
            epochs = np.arange(1, len(history.val_accuracy) + 1)
            axes[1].plot(
                epochs,
                history.val_accuracy,
                color=color,
                label=name,
                marker="o",
                markersize=2.5,
                linewidth=1.3,
            )
    axes[0].set(xlabel="step", ylabel="training loss (smoothed)", yscale="log", title="Training loss")
    axes[0].legend(fontsize=8, ncol=2)
    if has_accuracy:
        axes[1].set(xlabel="epoch", ylabel="accuracy", title="Test accuracy")
        axes[1].grid(alpha=0.3)
    figure.suptitle(title)
    figure.tight_layout()
    if path is not None:
        figure.savefig(path)
    return figure


def _draw_surface(axes, surface):
    X, Y, Z = surface.grid(160)
    if surface.log_levels:
        levels = np.quantile(Z, np.linspace(0, 1, 30) ** 2)
        levels = np.unique(levels)
    else:
        levels = 30
    axes.contourf(X, Y, Z, levels=levels, cmap="viridis", alpha=0.55)
    axes.contour(X, Y, Z, levels=levels, colors="k", linewidths=0.3, alpha=0.5)
    for x, y in surface.minima:
        axes.plot(x, y, marker="*", color="white", markeredgecolor="k", markersize=13, zorder=5)
    axes.plot(*surface.start, marker="o", color="white", markeredgecolor="k", markersize=6, zorder=5)
    axes.set(xlim=surface.xlim, ylim=surface.ylim, title=surface.title, xlabel="x", ylabel="y")


def plot_trajectories(surface, paths: dict, path=None):
    """Contours of the surface with one path per optimizer ({name: points (n, 2)}). Returns the Figure."""
    figure = _figure(7, 6)
    axes = figure.subplots()
    _draw_surface(axes, surface)
    for color, (name, points) in zip(COLORS, paths.items()):
        axes.plot(
            points[:, 0], points[:, 1], color=color, label=name, linewidth=1.5, marker=".", markersize=2
        )
    axes.legend(fontsize=8, loc="upper right", ncol=2)
    figure.tight_layout()
    if path is not None:
        figure.savefig(path)
    return figure


def animate_trajectories(
    surface, paths: dict, path, frames: int = 40, frame_ms: int = 80, dpi: int = 70
) -> int:
    """An animated GIF of the optimizers moving along their paths over the surface; returns the number
    of frames written. The contours are drawn once; each frame only moves the lines."""
    from PIL import Image

    figure = _figure(6, 5, dpi=dpi)
    axes = figure.subplots()
    _draw_surface(axes, surface)
    lines = {}
    for color, name in zip(COLORS, paths):
        (line,) = axes.plot([], [], color=color, label=name, linewidth=1.6)
        (head,) = axes.plot([], [], color=color, marker="o", markersize=5, markeredgecolor="k")
        lines[name] = (line, head)
    axes.legend(fontsize=7, loc="upper right", ncol=2)
    figure.tight_layout()
    canvas = figure.canvas
    canvas.draw()  # the contours once; each frame restores them and draws only the moving lines
    background = canvas.copy_from_bbox(figure.bbox)
    longest = max(len(points) for points in paths.values())
    images = []
    for frame in range(1, frames + 1):
        upto = max(1, round(frame / frames * longest))
        canvas.restore_region(background)
        for name, points in paths.items():
            line, head = lines[name]
            shown = points[:upto]
            line.set_data(shown[:, 0], shown[:, 1])
            head.set_data(shown[-1:, 0], shown[-1:, 1])
            axes.draw_artist(line)
            axes.draw_artist(head)
        rgba = np.asarray(canvas.buffer_rgba())
        images.append(Image.fromarray(rgba[:, :, :3]).quantize(colors=128, method=Image.Quantize.MEDIANCUT))
    images[0].save(path, save_all=True, append_images=images[1:], duration=frame_ms, loop=0, optimize=True)
    return len(images)
