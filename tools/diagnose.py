"""Diagnose a diffusion run: ``python tools/diagnose.py WORK_DIR [--out FILE]``.

Reads the ``tensor_stats.jsonl`` that TensorStatsHook wrote into the work dir (on in every
recipe's default runtime, interval 50) and mmengine's newest
``scalars.json``, tests hypotheses A-H (data range, t sampling, forward process,
prediction, loss stability, schedule constants, precision, lr plateau), prints each
verdict and writes ``diagnosis.md`` with ``loss_curve.png`` and ``tensor_stats.png``
(default: into the work dir).
"""

from __future__ import annotations

import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from _cli import exit_cleanly_on_bad_input  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments of the diagnose tool."""
    parser = argparse.ArgumentParser(description="Diagnose a diffusion training run.")
    parser.add_argument("work_dir", help="the run's work dir, holding tensor_stats.jsonl")
    parser.add_argument("--out", help="where diagnosis.md goes (default: WORK_DIR/diagnosis.md)")
    return parser.parse_args(argv)


@exit_cleanly_on_bad_input
def main() -> None:
    """Load the records, test every hypothesis, print the verdicts, write the report."""
    args = parse_args()
    # imported after parsing: --help and bad paths answer without loading torch
    from greenreg.diagnosis import diagnose, load_run, write_report

    run = load_run(args.work_dir)
    verdicts = diagnose(run)
    report = write_report(run, verdicts, args.out or osp.join(args.work_dir, "diagnosis.md"))
    for verdict in verdicts:
        print(f"{verdict.key}  {verdict.label}  {verdict.title}")
    print(f"report: {report.markdown}")
    print(f"plots: {', '.join(report.plots)}")


if __name__ == "__main__":
    main()
