"""Fault injection: tiny DDPM runs, each with one known bug; the diagnosis must name it.

Each faulty run must get exactly its hypothesis ACCEPTED and every other REJECTED; the
healthy run must get none. The runs are trained once per module (about 5 s each on one CPU
thread) and shared by the tests.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys

import pytest
import torch
from mmengine.logging import MessageHub

from greenreg.datasets import CaptionedDigitsDataset
from greenreg.diagnosis import diagnose, load_run, write_report
from greenreg.diagnosis.records import newest_scalars_file, read_json_lines
from greenreg.models.backbones import DiTBackbone
from greenreg.registry import DATASETS, MODELS
from tests.conftest import REPO, with_tensor_stats
from tests.diagnosis.tiny_ddpm import tiny_ddpm_config, train

MAX_ITERS = 100
NAN_FROM_ITER = 50


class UnnormalisedDigitsDataset(CaptionedDigitsDataset):
    """The digits in [0, 1]: the ``x * 2 - 1`` scaling forgotten."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.images = (self.images + 1) / 2


class NaNFromIterDiTBackbone(DiTBackbone):
    """A DiT whose output turns NaN from iteration ``nan_from_iter`` on (an overflow)."""

    def __init__(self, nan_from_iter: int = NAN_FROM_ITER, **kwargs) -> None:
        super().__init__(**kwargs)
        self.nan_from_iter = nan_from_iter

    def forward(self, xt, t, cond=None):
        out = super().forward(xt, t, cond)
        if MessageHub.get_current_instance().get_info("iter", 0) >= self.nan_from_iter:
            out = out * float("nan")
        return out


def unnormalised_data(cfg):
    cfg.train_dataloader.dataset.type = "UnnormalisedDigitsDataset"


def wrong_betas(cfg):
    cfg.model.path.beta_end = 0.002  # terminal alphas_cumprod ~ exp(-1.05) ~ 0.35


def biased_t(cfg):
    # continuous t in [0.5, 1]: the noisier half of the trajectory is never trained
    cfg.model.time_sampler = dict(type="UniformTimeSampler", low=0.5)


def nan_backbone(cfg):
    cfg.model.backbone.type = "NaNFromIterDiTBackbone"


# scenario -> (config change, the one hypothesis that must be accepted; None = healthy)
SCENARIOS = {
    "healthy": (None, None),
    "unnormalised_data": (unnormalised_data, "A"),
    "biased_t": (biased_t, "B"),
    "nan_backbone": (nan_backbone, "D"),
    "wrong_betas": (wrong_betas, "F"),
    "lr_100x_low": (None, "H"),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Trains every scenario once; yields {scenario: work dir}."""
    # module-scoped, so the function-scoped temporary_registration fixture cannot serve
    DATASETS.register_module(module=UnnormalisedDigitsDataset)
    MODELS.register_module(module=NaNFromIterDiTBackbone)
    try:
        work_dirs = {}
        for name, (change, _) in SCENARIOS.items():
            lr = 2e-5 if name == "lr_100x_low" else 2e-3
            cfg = tiny_ddpm_config(str(tmp_path_factory.mktemp(name)), MAX_ITERS, lr=lr)
            if change is not None:
                change(cfg)
            train(cfg)
            work_dirs[name] = cfg.work_dir
        yield work_dirs
    finally:
        DATASETS.module_dict.pop("UnnormalisedDigitsDataset", None)
        MODELS.module_dict.pop("NaNFromIterDiTBackbone", None)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_exactly_the_injected_fault_is_accepted(runs, scenario):
    verdicts = diagnose(load_run(runs[scenario]))
    expected = SCENARIOS[scenario][1]
    accepted = [v.key for v in verdicts if v.accepted]
    details = "\n".join(f"{v.key} {v.label}: {v.evidence} -> {v.conclusion}" for v in verdicts)
    assert accepted == ([] if expected is None else [expected]), details
    assert [v.key for v in verdicts] == list("ABCDEFGH")


def test_nan_run_records_the_nan_and_blames_the_prediction_not_the_loss(runs):
    run = load_run(runs["nan_backbone"])
    broken = [s["iter"] for s in run.steps if s["tensors"]["prediction"]["nan"] > 0]
    assert broken[0] == NAN_FROM_ITER and broken[-1] == MAX_ITERS - 1
    loss = {v.key: v for v in diagnose(run)}["E"]
    assert not loss.accepted and "that is D" in loss.conclusion


def test_wrong_betas_quotes_the_terminal_alphas_cumprod(runs):
    run = load_run(runs["wrong_betas"])
    last = run.schedule["constants"]["alphas_cumprod"]["last"][-1]
    betas = torch.linspace(1e-4, 0.002, 1000, dtype=torch.float64)
    assert last == pytest.approx(float(torch.prod(1 - betas)), rel=1e-9)
    assert 0.34 < last < 0.36
    schedule = {v.key: v for v in diagnose(run)}["F"]
    assert (
        f"alphas_cumprod[-1] = {last:.4g}: the last step is not pure noise" in schedule.conclusion
    )
    assert "betas range [0.0001, 0.002], nondecreasing" in " ".join(schedule.evidence)


def test_report_has_summary_sections_and_plots(runs, tmp_path):
    run = load_run(runs["unnormalised_data"])
    report = write_report(run, diagnose(run), str(tmp_path / "out" / "diagnosis.md"))
    text = open(report.markdown).read()
    assert text.splitlines()[4].startswith("**Accepted: A (data range abnormal)")
    assert "### A: data range abnormal: ACCEPTED" in text
    assert text.count(": REJECTED\n") == 7 and text.count("**Conclusion**") == 8
    for plot in report.plots:
        assert os.path.getsize(plot) > 10_000  # a real figure, not an empty canvas


def diagnose_tool(*args):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    command = [sys.executable, "tools/diagnose.py", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env, timeout=300)


def test_tool_end_to_end_and_on_bad_paths(runs, tmp_path):
    out = diagnose_tool(runs["biased_t"], "--out", str(tmp_path / "d" / "diagnosis.md"))
    assert out.returncode == 0, out.stderr[-2000:]
    assert "B  ACCEPTED" in out.stdout and out.stdout.count("REJECTED") == 7, out.stdout
    assert {"diagnosis.md", "loss_curve.png", "tensor_stats.png"} <= set(os.listdir(tmp_path / "d"))
    # a work dir without records: one line naming the hook to add, exit 2
    out = diagnose_tool(str(tmp_path / "d"))
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "add dict(type='TensorStatsHook', interval=50) to custom_hooks" in out.stderr
    assert "default_runtime.py has it" in out.stderr
    with pytest.raises(FileNotFoundError, match="no such directory"):
        load_run(str(tmp_path / "missing"))


def accepted_after(run, edit) -> dict:
    """Diagnoses a copy of ``run`` after ``edit(copy)``; returns {key: Verdict}."""
    run = copy.deepcopy(run)
    edit(run)
    return {v.key: v for v in diagnose(run)}


def test_faults_no_run_injects_are_caught_in_edited_records(runs):
    healthy = load_run(runs["healthy"])

    def wrong_xt(run):  # x_t built with a wrong coefficient in one step
        run.steps[10]["forward_residual"] = 0.02

    def nan_target(run):  # NaN loss while the prediction is still finite
        run.steps[5]["loss"] = "nan"

    def spike(run):  # one late batch 20x the loss of its neighbours
        run.scalars[80]["loss"] *= 20

    def raw_spike(run):  # the same, seen only in a record (mmengine logged a window mean)
        run.steps[40]["loss"] *= 20

    def bf16_target(run):
        for step in run.steps:
            step["tensors"]["target"]["dtype"] = "bfloat16"

    cases = [(wrong_xt, "C"), (nan_target, "E"), (spike, "E"), (raw_spike, "E")]
    cases += [(bf16_target, "G")]
    for edit, key in cases:
        verdicts = accepted_after(healthy, edit)
        assert [k for k, v in verdicts.items() if v.accepted] == [key], (edit.__name__, key)


def test_a_bf16_prediction_alone_is_normal_mixed_precision(runs):
    def bf16_prediction(run):
        for step in run.steps:
            step["tensors"]["prediction"]["dtype"] = "bfloat16"

    precision = accepted_after(load_run(runs["healthy"]), bf16_prediction)["G"]
    assert not precision.accepted
    assert "normal mixed precision" in " ".join(precision.evidence)


def test_the_tool_reads_a_run_that_validated(tmp_path):
    # the recipe as shipped validates at the end: scalars.json then holds a line with no
    # `iter` and no `loss`, which once stopped the tool with "KeyError: iter"
    from tests.conftest import tiny_ddpm_config as tiny_ddpm_with_validation

    cfg = tiny_ddpm_with_validation(str(tmp_path / "run"), max_iters=4)
    with_tensor_stats(cfg, interval=2)
    cfg.experiment_name = "ddpm_with_validation"
    train(cfg)
    scalars = read_json_lines(newest_scalars_file(cfg.work_dir))
    assert any("iter" not in r for r in scalars)  # the validation line is there
    run = load_run(cfg.work_dir)
    assert [s["step"] for s in run.scalars] == [0, 1, 2, 3]
    out = diagnose_tool(cfg.work_dir, "--out", str(tmp_path / "report" / "diagnosis.md"))
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.count("ACCEPTED") + out.stdout.count("REJECTED") == 8, out.stdout
