"""Hypothesis-by-hypothesis diagnosis of a diffusion run from TensorStatsHook's records."""

from greenreg.diagnosis.records import HOOK_HINT, TENSOR_STATS_FILE, RunRecords, load_run
from greenreg.diagnosis.report import HYPOTHESES, Report, diagnose, write_report
from greenreg.diagnosis.verdict import Verdict

__all__ = [
    "HOOK_HINT",
    "HYPOTHESES",
    "Report",
    "RunRecords",
    "TENSOR_STATS_FILE",
    "Verdict",
    "diagnose",
    "load_run",
    "write_report",
]
