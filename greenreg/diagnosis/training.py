"""Hypothesis H: the loss plateaus because the learning rate is too low (seed 001)."""

from __future__ import annotations

import math

from greenreg.diagnosis.records import RunRecords
from greenreg.diagnosis.verdict import Verdict, finite, fmt, median, tenth

# H: calibrated on the tiny DDPM runs of tests/diagnosis (100 iterations, seeds 0-2): the
# healthy run (peak lr 2e-3) drops the loss by 79-82% from its first to its last 10%, runs
# with other faults by 54-89%, the run at lr 2e-5 by -2..3%; below 25% it has not left its
# initial loss
PLATEAU_DECREASE_MAX = 0.25
# H: AdamW moves each weight by about lr per step; 1e-4 is the smallest peak lr the
# recipes this field admires use (DiT, Peebles & Xie 2023); below it a plateau is the lr's
SMALL_LR_MAX = 1e-4


def check_learning_progress(run: RunRecords) -> Verdict:
    """H: the loss barely decreases over the run while the peak lr is small."""
    _, losses = run.loss_curve()
    _, lrs = run.lr_curve()
    early, late = median(tenth(losses, last=False)), median(tenth(losses, last=True))
    decrease = 1 - late / early if early > 0 else math.nan
    peak_lr = max(finite(lrs), default=math.nan)
    plateau = math.isfinite(decrease) and decrease < PLATEAU_DECREASE_MAX
    small_lr = peak_lr < SMALL_LR_MAX
    evidence = [
        f"loss median over the first 10% {fmt(early)}, over the last 10% {fmt(late)}: "
        f"relative decrease {fmt(100 * decrease)}% (rule: plateau below "
        f"{fmt(100 * PLATEAU_DECREASE_MAX)}%)",
        f"peak lr {fmt(peak_lr)}, final lr {fmt(lrs[-1] if lrs else math.nan)} (rule: small "
        f"below {fmt(SMALL_LR_MAX)})",
        f"rule: ACCEPTED when the loss plateaus (decrease < {fmt(100 * PLATEAU_DECREASE_MAX)}%)"
        f" and the peak lr < {fmt(SMALL_LR_MAX)}",
    ]
    if not math.isfinite(decrease):
        conclusion = "The loss is not finite at both ends of the run: see D and E."
    elif plateau and small_lr:
        conclusion = "The loss plateaus at a small lr: raise the learning rate."
    elif plateau:
        conclusion = "The loss plateaus, but the lr is not small: the cause is elsewhere."
    else:
        conclusion = "The loss decreases: the optimiser makes progress."
    accepted = plateau and small_lr
    return Verdict("H", "loss plateau / LR too low", accepted, evidence, conclusion)
