"""Hypothesis F: the noise schedule's constants are wrong."""

from __future__ import annotations

import math

from greenreg.diagnosis.records import RunRecords, num
from greenreg.diagnosis.verdict import Verdict, fmt

# F: the least noisy step must be almost clean: Ho et al.'s schedule has 0.9999 there; below
# 0.99 the model never learns the last denoising steps
ALPHAS_CUMPROD_FIRST_MIN = 0.99
# F: the noisiest step must be almost pure noise (Ho et al.: 4e-5); above 1e-2 sampling
# starts from N(0, I) at a step trained on images still 10% visible (Lin et al. 2024,
# "Common Diffusion Noise Schedules and Sample Steps are Flawed")
ALPHAS_CUMPROD_LAST_MAX = 1e-2
# F: the same two rules as log SNR = log(alphas_cumprod / (1 - alphas_cumprod)), for paths
# whose alpha^2 + sigma^2 != 1 (rectified flow, VE): logit(0.99) and logit(0.01)
LOG_SNR_FIRST_MIN = math.log(ALPHAS_CUMPROD_FIRST_MIN / (1 - ALPHAS_CUMPROD_FIRST_MIN))
LOG_SNR_LAST_MAX = math.log(ALPHAS_CUMPROD_LAST_MAX / (1 - ALPHAS_CUMPROD_LAST_MAX))


def ends(summary: dict) -> tuple[float, float]:
    """(first, last) value of a summarised schedule list."""
    return num(summary["first"][0]), num(summary["last"][-1])


def edges(summary: dict, count: int = 3) -> str:
    """The first and last ``count`` values of a summarised list, as seed 004 quotes them."""
    first = ", ".join(fmt(num(v)) for v in summary["first"][:count])
    last = ", ".join(fmt(num(v)) for v in summary["last"][-count:])
    return f"first [{first}, ...], last [..., {last}]"


def ddpm_reasons(constants: dict) -> list[str]:
    """Rule violations of DDPM-style constants (betas and alphas_cumprod by step)."""
    reasons = []
    first, last = ends(constants["alphas_cumprod"])
    if first < ALPHAS_CUMPROD_FIRST_MIN:
        reasons.append(f"alphas_cumprod[0] = {fmt(first)}: the first step is already noisy")
    if last > ALPHAS_CUMPROD_LAST_MAX:
        reasons.append(f"alphas_cumprod[-1] = {fmt(last)}: the last step is not pure noise")
    betas = constants["betas"]
    if not 0 < num(betas["min"]) <= num(betas["max"]) < 1:
        reasons.append(f"betas leave (0, 1): [{fmt(num(betas['min']))}, {fmt(num(betas['max']))}]")
    if betas["monotone"] != "nondecreasing":
        reasons.append(f"betas are {betas['monotone']}, not nondecreasing")
    return reasons


def log_snr_reasons(constants: dict) -> list[str]:
    """Rule violations of a continuous path, read from its log SNR at both ends."""
    first, last = ends(constants["log_snr"])
    reasons = []
    if first < LOG_SNR_FIRST_MIN:
        reasons.append(f"log SNR at the least noisy step is {fmt(first)}: already noisy")
    if last > LOG_SNR_LAST_MAX:
        reasons.append(f"log SNR at the noisiest step is {fmt(last)}: not pure noise")
    return reasons


def check_schedule_constants(run: RunRecords) -> Verdict:
    """F: too noisy at the first step, not pure noise at the last, or bad betas."""
    schedule = run.schedule
    constants = schedule.get("constants", {})
    if "betas" in constants and "alphas_cumprod" in constants:
        reasons = ddpm_reasons(constants)
    elif "log_snr" in constants:
        reasons = log_snr_reasons(constants)
    else:
        evidence = [f"{schedule['path']} reports no schedule constants"]
        return Verdict("F", "schedule constants wrong", False, evidence, "Nothing to check.")
    dtypes = sorted(set(schedule.get("constants_dtype", {}).values())) or ["-"]
    evidence = [f"path {schedule['path']}, its tensors in {', '.join(dtypes)}"]
    if "betas" in constants:
        betas = constants["betas"]
        evidence.append(
            f"betas range [{fmt(num(betas['min']))}, {fmt(num(betas['max']))}], "
            f"{betas['monotone']}, {betas['len']} steps (rule: in (0, 1), nondecreasing)"
        )
    for name in ("alphas_cumprod", "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod"):
        if name in constants:
            evidence.append(f"{name}: {edges(constants[name])}")
    if "alphas_cumprod" in constants:
        first, last = ends(constants["alphas_cumprod"])
        evidence.append(
            f"alphas_cumprod first {fmt(first)}, last {fmt(last)} (rule: first >= "
            f"{ALPHAS_CUMPROD_FIRST_MIN}, last <= {ALPHAS_CUMPROD_LAST_MAX})"
        )
    if "log_snr" in constants:
        first, last = ends(constants["log_snr"])
        evidence.append(
            f"log SNR from {fmt(first)} to {fmt(last)} (rule: first >= "
            f"{fmt(LOG_SNR_FIRST_MIN)}, last <= {fmt(LOG_SNR_LAST_MAX)})"
        )
    conclusion = (
        "; ".join(reasons) + ": fix the schedule's parameters."
        if reasons
        else "The schedule runs from almost clean to almost pure noise, as in Ho et al."
    )
    return Verdict("F", "schedule constants wrong", bool(reasons), evidence, conclusion)
