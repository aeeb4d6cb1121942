"""Runs every hypothesis on a run and writes diagnosis.md with its plots."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from greenreg.diagnosis.inputs import check_data_range, check_forward_process, check_time_sampling
from greenreg.diagnosis.outputs import check_loss_stability, check_precision, check_prediction
from greenreg.diagnosis.plots import plot_loss_curve, plot_tensor_stats
from greenreg.diagnosis.records import RunRecords
from greenreg.diagnosis.schedule import check_schedule_constants
from greenreg.diagnosis.training import check_learning_progress
from greenreg.diagnosis.verdict import Verdict

# the hypotheses, in the report's order (A .. H)
HYPOTHESES: tuple[Callable[[RunRecords], Verdict], ...] = (
    check_data_range,
    check_time_sampling,
    check_forward_process,
    check_prediction,
    check_loss_stability,
    check_schedule_constants,
    check_precision,
    check_learning_progress,
)


@dataclass
class Report:
    """Where a diagnosis was written.

    Attributes:
        markdown (str): path of diagnosis.md.
        plots (list[str]): paths of the PNGs.
    """

    markdown: str
    plots: list[str]


def diagnose(run: RunRecords) -> list[Verdict]:
    """Every hypothesis' verdict on the run, A .. H."""
    return [check(run) for check in HYPOTHESES]


def summary_line(run: RunRecords, verdicts: list[Verdict]) -> str:
    """One sentence: which hypotheses the records support."""
    iters = run.iters()
    where = f"{len(iters)} records, iterations {iters[0]}..{iters[-1]}"
    accepted = [f"{v.key} ({v.title})" for v in verdicts if v.accepted]
    if not accepted:
        return f"No hypothesis accepted: the run looks healthy; {where}."
    return f"Accepted: {', '.join(accepted)}; {where}."


def render_markdown(run: RunRecords, verdicts: list[Verdict], plots: list[str]) -> str:
    """diagnosis.md's text: summary, then one section per hypothesis, then the plots."""
    lines = [
        "# Diffusion training diagnosis",
        "",
        f"Work dir: `{run.work_dir}`; path {run.schedule['path']}, time sampler "
        f"{run.schedule['time_sampler']}, target {run.schedule.get('target', '-')}.",
        "",
        f"**{summary_line(run, verdicts)}**",
        "",
        "| | hypothesis | verdict |",
        "|---|---|---|",
        *(f"| {v.key} | {v.title} | {v.label} |" for v in verdicts),
    ]
    for v in verdicts:
        lines += ["", f"### {v.key}: {v.title}: {v.label}", "", "**Evidence**:", ""]
        lines += [f"- {item}" for item in v.evidence]
        lines += ["", f"**Conclusion**: {v.conclusion}"]
    lines += ["", "## Plots", ""]
    lines += [f"![{os.path.basename(p)}]({os.path.basename(p)})" for p in plots]
    return "\n".join(lines) + "\n"


def write_report(run: RunRecords, verdicts: list[Verdict], markdown_path: str) -> Report:
    """Writes diagnosis.md and its PNGs (loss_curve.png, tensor_stats.png) beside it.

    Args:
        run (RunRecords): the run's records.
        verdicts (list[Verdict]): :func:`diagnose`'s output.
        markdown_path (str): where diagnosis.md goes; its folder is created if needed.

    Returns:
        Report: the written paths.
    """
    folder = os.path.dirname(os.path.abspath(markdown_path))
    os.makedirs(folder, exist_ok=True)
    plots = [os.path.join(folder, "loss_curve.png"), os.path.join(folder, "tensor_stats.png")]
    plot_loss_curve(run, plots[0])
    plot_tensor_stats(run, plots[1])
    with open(markdown_path, "w") as f:
        f.write(render_markdown(run, verdicts, plots))
    return Report(markdown=markdown_path, plots=plots)
