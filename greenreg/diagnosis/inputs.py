"""Hypotheses about what enters the network: data range (A), t sampling (B), x_t (C)."""

from __future__ import annotations

import math

import numpy as np

from greenreg.diagnosis.records import RunRecords, num
from greenreg.diagnosis.verdict import Verdict, fmt, span

# A: images are scaled to [-1, 1]; 5% slack covers resampling overshoot (bilinear, antialias)
DATA_ABS_MAX = 1.05
# A: [-1, 1] images reach -1 on their background; data in [0, 1] or [0, 255] never go below
# 0, so a minimum above -0.5 means the scaling x * 2 - 1 was skipped
DATA_MIN_CEILING = -0.5
# A: data with |mean| < 0.2 and std in [0.8, 1.2] is standardised (latents, whitened
# features): fine for diffusion even though it leaves [-1, 1]
STANDARDISED_MEAN = 0.2
STANDARDISED_STD = (0.8, 1.2)

# B: the one-sample KS critical value at significance 0.001 is 1.95 / sqrt(n)
KS_COEFFICIENT = 1.95
# B: the declared CDF is known only at the 1% steps of its 100 quantiles: half a step of
# level offset plus one step of resolution
KS_RESOLUTION = 0.015
# B: with 500 draws a tenth holding even 2% of the mass stays empty with p = 0.98^500 ~ 4e-5
COVERAGE_MIN_DRAWS = 500
# B: the KS supremum is taken over at most this many points (cost on long runs)
KS_MAX_POINTS = 20000
COVERAGE_BINS = 10

# C: x_t is alpha x1 + sigma x0 to float32 rounding (~1e-7); 1e-3 leaves room for a bf16
# path but not for a wrong coefficient
FORWARD_RESIDUAL_MAX = 1e-3
# C: the pooled mean of >= 1,000 N(0, 1) draws has std <= 0.03: 0.1 is > 3 sigma
NOISE_MEAN_MAX = 0.1
NOISE_STD_RANGE = (0.9, 1.1)


def pooled_mean_std(means: list[float], stds: list[float]) -> tuple[float, float]:
    """Mean and std of the union of equally sized groups, from each group's mean and std."""
    pairs = [(m, s) for m, s in zip(means, stds) if math.isfinite(m) and math.isfinite(s)]
    if not pairs:
        return math.nan, math.nan
    mean = sum(m for m, _ in pairs) / len(pairs)
    second = sum(s * s + m * m for m, s in pairs) / len(pairs)
    return mean, math.sqrt(max(second - mean * mean, 0.0))


def check_data_range(run: RunRecords) -> Verdict:
    """A: x1 outside [-1, 1], never negative (not normalised), or NaN/Inf in the data."""
    low, high = min(run.stat("x1", "min")), max(run.stat("x1", "max"))
    mean, std = pooled_mean_std(run.stat("x1", "mean"), run.stat("x1", "std"))
    bad = int(sum(run.stat("x1", "nan")) + sum(run.stat("x1", "inf")))
    standardised = abs(mean) < STANDARDISED_MEAN and (
        STANDARDISED_STD[0] <= std <= STANDARDISED_STD[1]
    )
    reasons = []
    if bad:
        reasons.append(f"{bad} NaN/Inf values in x1")
    if not standardised and (high > DATA_ABS_MAX or low < -DATA_ABS_MAX):
        reasons.append(f"x1 leaves [-{DATA_ABS_MAX}, {DATA_ABS_MAX}]")
    if not standardised and low > DATA_MIN_CEILING:
        reasons.append(f"x1 never goes below {DATA_MIN_CEILING}: [0, 1] or [0, 255] data")
    evidence = [
        f"x1 range over {len(run.steps)} records: [{fmt(low)}, {fmt(high)}] (rule: within "
        f"±{DATA_ABS_MAX} and min < {DATA_MIN_CEILING}, unless standardised)",
        f"x1 mean per record: {span(run.stat('x1', 'mean'))}; pooled mean {fmt(mean)}, "
        f"pooled std {fmt(std)}" + (" (standardised data)" if standardised else ""),
        f"NaN/Inf in x1: {bad}",
    ]
    return Verdict(
        "A",
        "data range abnormal",
        bool(reasons),
        evidence,
        "; ".join(reasons) + ": fix the dataset's scaling."
        if reasons
        else "The data are finite and scaled to [-1, 1].",
    )


def ks_distance(run: RunRecords, draws: list[float]) -> float:
    """The largest |empirical CDF - declared CDF| over observed t and declared quantiles.

    The declared CDF is each record's 100 quantiles (a stratified sample of the sampler at
    that iteration), pooled with weights = draws per record, so curricula are handled.
    """
    quantiles = np.sort(
        np.array([[num(q) for q in s["t_expected_quantiles"]] for s in run.steps]), axis=1
    )  # (R, 100)
    weights = np.array([len(s["t_values"]) for s in run.steps], dtype=np.float64)  # (R,)
    observed = np.sort(np.asarray(draws))
    points = np.union1d(observed, quantiles.ravel())
    # the supremum over a thinned grid is off by at most the mass between grid points
    points = points[:: max(1, len(points) // KS_MAX_POINTS)]
    empirical = np.searchsorted(observed, points, side="right") / len(observed)
    declared = np.zeros_like(points)
    for row, weight in zip(quantiles, weights):
        declared += weight * np.searchsorted(row, points, side="right") / row.size
    declared /= max(weights.sum(), 1.0)
    return float(np.abs(empirical - declared).max())


def empty_tenths(run: RunRecords, draws: list[float]) -> tuple[list[int], list[str]]:
    """Draw counts per tenth of the sampling range, and the tenths that got none."""
    start, end = (num(v) for v in run.schedule["sampling_range"])
    width = (end - start) / COVERAGE_BINS
    counts = [0] * COVERAGE_BINS
    for t in draws:
        if start <= t <= end:
            counts[min(int((t - start) / width), COVERAGE_BINS - 1)] += 1
    empty = [
        f"[{fmt(start + i * width)}, {fmt(start + (i + 1) * width)})"
        for i, c in enumerate(counts)
        if c == 0
    ]
    return counts, empty


def check_time_sampling(run: RunRecords) -> Verdict:
    """B: t departs from the declared sampler (KS), or part of the trajectory is never drawn.

    The coverage rule does not ask the declared sampler: a sampler configured to skip part
    of the sampling range (``UniformTimeSampler(low=0.5)``, a very narrow logit-normal)
    leaves the solver integrating through times the model never trained on, and is flagged.
    """
    draws = [num(t) for s in run.steps for t in s["t_values"]]
    draws = [t for t in draws if math.isfinite(t)]
    if not draws:
        return Verdict("B", "t sampling non-uniform or biased", False, ["no t recorded"], "-")
    distance = ks_distance(run, draws)
    limit = KS_COEFFICIENT / math.sqrt(len(draws)) + KS_RESOLUTION
    counts, empty = empty_tenths(run, draws)
    reasons = []
    if distance > limit:
        reasons.append(f"t departs from {run.schedule['time_sampler']}'s declared quantiles")
    if empty and len(draws) >= COVERAGE_MIN_DRAWS:
        reasons.append(f"no draws at all in {', '.join(empty)}")
    mean = sum(draws) / len(draws)
    std = math.sqrt(sum((t - mean) ** 2 for t in draws) / max(len(draws) - 1, 1))
    evidence = [
        f"{len(draws)} t draws over {len(run.steps)} records: range {span(draws)}, mean "
        f"{fmt(mean)}, std {fmt(std)} (U[0, 1] has mean 0.5, std 0.289)",
        f"KS distance to {run.schedule['time_sampler']}'s declared quantiles: {fmt(distance)} "
        f"(rule: > {KS_COEFFICIENT}/sqrt(n) + {KS_RESOLUTION} = {fmt(limit)})",
        f"draws per tenth of the sampling range {run.schedule['sampling_range']}: {counts} "
        f"(rule: none empty once >= {COVERAGE_MIN_DRAWS} draws)",
    ]
    conclusion = (
        "; ".join(reasons) + ": the sampler's output never covers what it should."
        if reasons
        else "t follows the declared sampler and covers the whole sampling range."
    )
    return Verdict("B", "t sampling non-uniform or biased", bool(reasons), evidence, conclusion)


def check_forward_process(run: RunRecords) -> Verdict:
    """C: x_t differs from alpha x1 + sigma noise, or the noise is not N(0, 1)."""
    residuals = [num(s["forward_residual"]) for s in run.steps]
    finite = [r for r in residuals if math.isfinite(r)]
    data_bad = sum(run.stat("x1", "nan")) + sum(run.stat("x1", "inf")) > 0
    mean, std = pooled_mean_std(run.stat("noise", "mean"), run.stat("noise", "std"))
    noise_bad = int(sum(run.stat("noise", "nan")) + sum(run.stat("noise", "inf")))
    reasons = []
    if finite and max(finite) > FORWARD_RESIDUAL_MAX:
        reasons.append(f"x_t misses alpha x1 + sigma noise by up to {fmt(max(finite))}")
    if len(finite) < len(residuals) and not data_bad:
        reasons.append("x_t is non-finite although x1 is finite")
    std_ok = NOISE_STD_RANGE[0] <= std <= NOISE_STD_RANGE[1]
    if noise_bad or abs(mean) > NOISE_MEAN_MAX or not std_ok:
        reasons.append("the noise is not N(0, 1)")
    evidence = [
        f"forward residual ||xt - (alpha x1 + sigma noise)|| / ||xt||: max "
        f"{fmt(max(finite, default=math.nan))} over {len(finite)} records, "
        f"{len(residuals) - len(finite)} non-finite"
        + (" (x1 has NaN/Inf: see A)" if data_bad else "")
        + f" (rule: <= {FORWARD_RESIDUAL_MAX})",
        f"noise pooled mean {fmt(mean)}, std {fmt(std)}, range "
        f"[{fmt(min(run.stat('noise', 'min')))}, {fmt(max(run.stat('noise', 'max')))}], "
        f"NaN/Inf {noise_bad} (rule: |mean| <= {NOISE_MEAN_MAX}, std in {list(NOISE_STD_RANGE)})",
        f"xt range {span(run.stat('xt', 'min') + run.stat('xt', 'max'))}, std per record "
        f"{span(run.stat('xt', 'std'))}",
    ]
    conclusion = (
        "; ".join(reasons) + "."
        if reasons
        else "x_t = alpha x1 + sigma noise holds and the noise is standard normal."
    )
    return Verdict("C", "forward process wrong", bool(reasons), evidence, conclusion)
