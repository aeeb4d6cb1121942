"""PNG plots of a run's records: the loss curve and each tensor's statistics."""

from __future__ import annotations

import math

from greenreg.diagnosis.records import RunRecords

# the statistics drawn per tensor, one line each
PLOTTED_STATS = ("mean", "std", "min", "max")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on training machines
    import matplotlib.pyplot as plt

    return plt


def plot_loss_curve(run: RunRecords, path: str) -> None:
    """Loss (log scale when positive) and lr against the iteration, into ``path``."""
    plt = _pyplot()
    steps, losses = run.loss_curve()
    lr_steps, lrs = run.lr_curve()
    fig, (ax_loss, ax_lr) = plt.subplots(1, 2, figsize=(9, 3.2))
    ax_loss.plot(steps, losses, lw=0.9)
    broken = [s for s, v in zip(steps, losses) if not math.isfinite(v)]
    if broken:  # NaN draws nothing: mark where the loss is missing
        ax_loss.axvline(broken[0], color="red", ls="--", lw=1, label="first non-finite")
        ax_loss.legend()
    if all(v > 0 for v in losses if math.isfinite(v)) and any(map(math.isfinite, losses)):
        ax_loss.set_yscale("log")
    ax_loss.set_xlim(steps[0], steps[-1])  # NaN tails would otherwise be cut off
    ax_loss.set_title("loss")
    ax_lr.plot(lr_steps, lrs, lw=0.9)
    ax_lr.set_title("learning rate")
    for ax in (ax_loss, ax_lr):
        ax.set_xlabel("iteration")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_tensor_stats(run: RunRecords, path: str) -> None:
    """One panel per recorded tensor: mean, std, min, max against the iteration."""
    plt = _pyplot()
    names = list(run.steps[0]["tensors"])
    columns = 4
    rows = math.ceil(len(names) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3 * rows), squeeze=False)
    iters = run.iters()
    for ax, name in zip(axes.flat, names):
        for stat in PLOTTED_STATS:
            ax.plot(iters, run.stat(name, stat), lw=0.9, label=stat)
        counts = zip(iters, run.stat(name, "nan"), run.stat(name, "inf"))
        broken = [i for i, nan, inf in counts if nan + inf > 0]
        if broken:
            ax.axvline(broken[0], color="red", ls="--", lw=1, label="first NaN/Inf")
        ax.set_xlim(iters[0], iters[-1])
        ax.set_title(name)
        ax.set_xlabel("iteration")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
