"""Hypothesis H: the loss plateaus because the learning rate is too low (seed 001)."""

from __future__ import annotations

import math

from greenreg.diagnosis.records import RunRecords
from greenreg.diagnosis.verdict import Verdict, finite, fmt, median

# H: calibrated on the tiny DDPM runs of tests/diagnosis (100 iterations, seeds 0-2): from
# the first to the last quarter the healthy run (peak lr 2e-3) drops the loss by 67-77%, the
# run at lr 2e-5 by -14..10%; below 25% it has not left its initial loss. The per-step loss of
# a diffusion model swings 3x with the batch's t draws (0.3 to 1.1 on those runs), so the
# medians are taken over quarters, not tenths: over tenths another draw of the same lr-2e-5
# run showed a spurious 38% "decrease"
PLATEAU_DECREASE_MAX = 0.25
WINDOW = 0.25
# H: AdamW moves each weight by about lr per step; 1e-4 is the smallest peak lr the
# recipes this field admires use (DiT, Peebles & Xie 2023); below it a plateau is the lr's
SMALL_LR_MAX = 1e-4


def check_learning_progress(run: RunRecords) -> Verdict:
    """H: the loss barely decreases over the run while the peak lr is small."""
    _, losses = run.loss_curve()
    _, lrs = run.lr_curve()
    size = max(1, int(len(losses) * WINDOW))
    early, late = median(losses[:size]), median(losses[-size:])
    decrease = 1 - late / early if early > 0 else math.nan
    peak_lr = max(finite(lrs), default=math.nan)
    plateau = math.isfinite(decrease) and decrease < PLATEAU_DECREASE_MAX
    small_lr = peak_lr < SMALL_LR_MAX
    evidence = [
        f"loss median over the first quarter {fmt(early)}, over the last quarter {fmt(late)}: "
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
