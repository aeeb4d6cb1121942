"""Hypotheses about what leaves the network: prediction (D), loss (E), precision (G)."""

from __future__ import annotations

import math

from greenreg.diagnosis.records import RunRecords, num
from greenreg.diagnosis.verdict import Verdict, finite, fmt, median, span, tenth

# D: a prediction whose std is 100x the target's is diverging, not learning (an untrained
# zero-initialised head predicts std 0; a trained one about the target's std)
PREDICTION_STD_RATIO_MAX = 100.0

# E: a loss 10x the median of its neighbours is a spike; batch-to-batch noise of a
# diffusion loss (random t per sample) stays within ~3x
SPIKE_FACTOR = 10.0
# E: neighbours on each side of a value for the spike test
SPIKE_HALF_WINDOW = 5
# E: a loss whose last-10% median is twice its first-10% median is diverging
LOSS_RISE_FACTOR = 2.0

# G: the dtypes that must not hold the loss or its target
HALF_DTYPES = frozenset({"float16", "bfloat16"})


def tensor_bad(step: dict, name: str) -> bool:
    """True when the record's tensor holds a NaN or an Inf."""
    stats = step["tensors"].get(name)
    return stats is not None and (stats["nan"] > 0 or stats["inf"] > 0)


def check_prediction(run: RunRecords) -> Verdict:
    """D: NaN/Inf in the prediction, or its std exploding relative to the target's."""
    broken = [s["iter"] for s in run.steps if tensor_bad(s, "prediction")]
    ratios = [
        p / max(t, 1e-12)
        for p, t in zip(run.stat("prediction", "std"), run.stat("target", "std"))
        if math.isfinite(p) and math.isfinite(t)
    ]
    reasons = []
    if broken:
        reasons.append(f"the prediction holds NaN/Inf from iteration {broken[0]} on")
    if ratios and max(ratios) > PREDICTION_STD_RATIO_MAX:
        reasons.append(f"the prediction's std reaches {fmt(max(ratios))}x the target's")
    first, last = run.steps[0]["tensors"]["prediction"], run.steps[-1]["tensors"]["prediction"]
    evidence = [
        f"prediction range: first record [{fmt(num(first['min']))}, {fmt(num(first['max']))}],"
        f" last record [{fmt(num(last['min']))}, {fmt(num(last['max']))}]",
        f"prediction std: {fmt(num(first['std']))} -> {fmt(num(last['std']))}; target std "
        f"per record {span(run.stat('target', 'std'))}",
        f"largest prediction/target std ratio: {fmt(max(ratios, default=math.nan))} (rule: "
        f"<= {PREDICTION_STD_RATIO_MAX})",
        f"records with NaN/Inf in the prediction: {len(broken)} of {len(run.steps)}"
        + (f", first at iteration {broken[0]}" if broken else ""),
    ]
    conclusion = (
        "; ".join(reasons) + ": the network's output is broken; the loss follows from it."
        if reasons
        else "The prediction is finite and on the target's scale."
    )
    return Verdict("D", "prediction abnormal", bool(reasons), evidence, conclusion)


def unexplained_nonfinite_losses(run: RunRecords) -> tuple[list[int], list[int]]:
    """(explained, unexplained) iterations with a non-finite loss.

    A non-finite loss is explained by D when the prediction was non-finite too: in a record
    directly, or, for a logged loss between records, when it comes after the last record
    whose prediction was still finite before the prediction broke.
    """
    explained, unexplained = [], []
    for step in run.steps:
        if not math.isfinite(num(step["loss"])) or tensor_bad(step, "loss"):
            bad_prediction = tensor_bad(step, "prediction")
            (explained if bad_prediction else unexplained).append(step["iter"])
    broken = [s["iter"] for s in run.steps if tensor_bad(s, "prediction")]
    last_fine = max((s["iter"] for s in run.steps if broken and s["iter"] < broken[0]), default=-1)
    recorded = set(run.iters())
    for step, loss in zip(*run.loss_curve()):
        if math.isfinite(loss) or step in recorded:
            continue
        (explained if broken and step > last_fine else unexplained).append(step)
    return sorted(set(explained)), sorted(set(unexplained))


def worst_spike(losses: list[float]) -> tuple[float, int]:
    """(largest loss / median of its neighbours, its index), after the first 10% burn-in."""
    worst, where = 0.0, -1
    for i in range(max(1, len(losses) // 10), len(losses)):
        if not math.isfinite(losses[i]):
            continue
        low, high = max(0, i - SPIKE_HALF_WINDOW), i + 1 + SPIKE_HALF_WINDOW
        neighbours = finite(losses[low:i] + losses[i + 1 : high])
        if len(neighbours) < SPIKE_HALF_WINDOW:
            continue
        ratio = losses[i] / max(median(neighbours), 1e-12)
        if ratio > worst:
            worst, where = ratio, i
    return worst, where


def check_loss_stability(run: RunRecords) -> Verdict:
    """E: non-finite loss with a finite prediction, loss spikes, or a rising loss."""
    steps, losses = run.loss_curve()
    explained, unexplained = unexplained_nonfinite_losses(run)
    # mmengine may log a window mean that hides a spike; the records hold raw losses
    raw = [num(s["loss"]) for s in run.steps]
    (spike, where), (raw_spike, raw_where) = worst_spike(losses), worst_spike(raw)
    if raw_spike > spike:
        steps, spike, where = run.iters(), raw_spike, raw_where
    early, late = median(tenth(losses, last=False)), median(tenth(losses, last=True))
    reasons = []
    if unexplained:
        reasons.append(f"non-finite loss with a finite prediction at iterations {unexplained[:5]}")
    if spike > SPIKE_FACTOR:
        reasons.append(f"a loss spike {fmt(spike)}x its neighbours at iteration {steps[where]}")
    if late > LOSS_RISE_FACTOR * early:
        reasons.append(f"the loss rises from {fmt(early)} to {fmt(late)}")
    evidence = [
        f"loss over {len(losses)} logged iterations: range {span(losses)}; median of the first"
        f" 10% {fmt(early)}, of the last 10% {fmt(late)} (rule: last <= {LOSS_RISE_FACTOR}x "
        f"first)",
        f"per-sample loss range in the records: "
        f"{span(run.stat('loss', 'min') + run.stat('loss', 'max'))}",
        f"largest loss / median of its {2 * SPIKE_HALF_WINDOW} neighbours after the first 10%,"
        f" logged or recorded: {fmt(spike)} (rule: <= {SPIKE_FACTOR})",
        f"non-finite losses: {len(explained)} explained by a non-finite prediction (see D), "
        f"{len(unexplained)} with a finite prediction",
    ]
    if reasons:
        conclusion = "; ".join(reasons) + "."
    elif explained:
        conclusion = "The loss is non-finite only where the prediction is: that is D, not E."
    else:
        conclusion = "The loss is finite, free of spikes and not rising."
    return Verdict("E", "loss unstable", bool(reasons), evidence, conclusion)


def check_precision(run: RunRecords) -> Verdict:
    """G: loss or target in half precision, or x1/xt in another dtype than the target."""
    dtypes = {name: run.dtypes(name) for name in ("x1", "xt", "prediction", "target", "loss")}
    reasons = []
    for name in ("loss", "target"):
        if dtypes[name] & HALF_DTYPES:
            reasons.append(f"the {name} is computed in {'/'.join(sorted(dtypes[name]))}")
    for name in ("x1", "xt"):
        if dtypes[name] != dtypes["target"]:
            reasons.append(f"{name} is {dtypes[name]} but the target is {dtypes['target']}")
    evidence = [f"{name} dtype: {', '.join(sorted(d))}" for name, d in dtypes.items()]
    if dtypes["prediction"] & HALF_DTYPES and not reasons:
        evidence.append(
            "a half-precision prediction against an fp32 target and loss is normal mixed "
            "precision (autocast): the loss is reduced in fp32"
        )
    conclusion = (
        "; ".join(reasons) + ": compute the target and loss in float32."
        if reasons
        else "Target and loss are in full precision and the inputs agree with the target."
    )
    return Verdict("G", "precision mismatch", bool(reasons), evidence, conclusion)
