"""TensorStatsHook: what it records, when, on any generator; models without steps refused."""

import json
import math
import os

import pytest
import torch
from mmengine.runner import Runner
from torch import nn

from greenreg.diagnosis.records import newest_scalars_file, read_json_lines
from greenreg.engine.hooks import TensorStatsHook
from greenreg.schedules import TrainProgress
from tests.conftest import with_tensor_stats
from tests.diagnosis.tiny_ddpm import tiny_ddpm_config, train

TENSORS = {"x1", "t", "noise", "xt", "prediction", "target", "loss"}


@pytest.fixture(scope="module")
def eight_iterations(tmp_path_factory):
    """8 iterations recorded every 3, keeping 5 t values: records at 0, 3, 6 and 7 (last)."""
    cfg = tiny_ddpm_config(str(tmp_path_factory.mktemp("stats")), max_iters=8, interval=3)
    with_tensor_stats(cfg, max_t_values=5)
    runner = train(cfg)
    lines = open(os.path.join(cfg.work_dir, "tensor_stats.jsonl")).read().splitlines()
    return runner, [json.loads(line) for line in lines]


def test_schedule_record_first_then_steps_at_the_interval_and_the_last(eight_iterations):
    runner, records = eight_iterations
    assert [r["kind"] for r in records] == ["schedule"] + ["step"] * 4
    assert [r["iter"] for r in records[1:]] == [0, 3, 6, 7]
    schedule = records[0]
    assert schedule["path"] == "DDPMDiscretePath"
    assert schedule["time_sampler"] == "DiscreteUniformTimeSampler"
    assert schedule["sampling_range"] == [0.0, 1.0 - 1 / 1000]
    betas = schedule["constants"]["betas"]
    assert betas["len"] == 1000 and len(betas["first"]) == len(betas["last"]) == 10
    assert betas["min"] == pytest.approx(1e-4) and betas["max"] == pytest.approx(0.02)
    assert betas["monotone"] == "nondecreasing"
    assert schedule["constants"]["alphas_cumprod"]["monotone"] == "nonincreasing"
    assert schedule["constants_dtype"]["betas"] == "torch.float64"
    # unsubscribed after training: a further step writes nothing
    path = os.path.join(runner.work_dir, "tensor_stats.jsonl")
    size = os.path.getsize(path)
    x1 = torch.zeros(2, 1, 8, 8)
    runner.model.loss(dict(inputs=x1, label=torch.tensor([1, 2])), TrainProgress(9, 0))
    assert os.path.getsize(path) == size


def test_step_records_hold_consistent_statistics(eight_iterations):
    runner, records = eight_iterations
    scalars = {r["iter"]: r for r in read_json_lines(newest_scalars_file(runner.work_dir))}
    for step in records[1:]:
        tensors = step["tensors"]
        assert set(tensors) == TENSORS
        assert tensors["x1"]["shape"] == [16, 1, 8, 8] and tensors["t"]["shape"] == [16]
        assert tensors["loss"]["shape"] == [16] and tensors["x1"]["dtype"] == "float32"
        assert tensors["x1"]["min"] == -1.0 and tensors["x1"]["max"] == 1.0
        assert all(tensors[n]["nan"] == tensors[n]["inf"] == 0 for n in TENSORS)
        # t: 5 raw values inside the batch's range, 100 quantiles of U{steps} in [0, 1)
        assert len(step["t_values"]) == 5
        assert all(tensors["t"]["min"] <= t <= tensors["t"]["max"] for t in step["t_values"])
        quantiles = sorted(step["t_expected_quantiles"])
        assert len(quantiles) == 100 and 0 <= quantiles[0] < 0.01 and 0.99 < quantiles[-1] < 1
        assert step["forward_residual"] < 1e-6  # xt is exactly alpha x1 + sigma noise
        # the recipe's x0 (DataTarget) target is the data itself
        assert tensors["target"]["mean"] == tensors["x1"]["mean"]
        # the record's loss and lr are what mmengine logged for the same step (iter + 1)
        logged = scalars[step["iter"] + 1]
        assert step["loss"] == pytest.approx(logged["loss"], rel=1e-6)
        assert step["loss"] == pytest.approx(tensors["loss"]["mean"], rel=1e-5)
        assert step["lr"] == pytest.approx(logged["lr"], rel=1e-9)


def test_the_cross_modal_generator_is_recorded_too(tiny_cfg):
    cfg = tiny_cfg(max_iters=2)  # caption source, x1 target: any generator publishes steps
    with_tensor_stats(cfg, interval=1)
    cfg.experiment_name = "cross_modal_stats"
    Runner.from_cfg(cfg).train()
    records = read_json_lines(os.path.join(cfg.work_dir, "tensor_stats.jsonl"))
    assert [r["kind"] for r in records] == ["schedule", "step", "step"]
    assert records[0]["path"] == "LinearPath" and records[0]["target"] == "DataTarget"
    assert records[1]["forward_residual"] < 1e-6
    assert set(records[1]["tensors"]) == TENSORS


def test_a_model_without_training_steps_is_refused(tmp_path):
    with pytest.raises(ValueError, match="register_step_observer.*Linear"):
        TensorStatsHook().attach(nn.Linear(2, 2), str(tmp_path / "stats.jsonl"))
    assert not os.path.exists(tmp_path / "stats.jsonl")


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        (dict(interval=0), "interval"),
        (dict(max_t_values=-1), "max_t_values"),
        (dict(file_name="logs/stats.jsonl"), "file_name"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        TensorStatsHook(**kwargs)


def test_non_finite_numbers_are_strict_json_strings():
    from greenreg.engine.hooks.tensor_stats import json_safe

    record = json_safe(dict(loss=math.nan, log_snr=[1.0, -math.inf], n=3))
    assert json.loads(json.dumps(record, allow_nan=False)) == dict(
        loss="nan", log_snr=[1.0, "-inf"], n=3
    )


def test_two_hooks_writing_one_file_are_refused(tiny_cfg):
    cfg = tiny_cfg(max_iters=1)
    cfg.custom_hooks += [dict(type="TensorStatsHook", interval=1)] * 2  # on top of any default
    cfg.experiment_name = "twin_stats"
    with pytest.raises(ValueError, match="two TensorStatsHooks would write 'tensor_stats.jsonl'"):
        Runner.from_cfg(cfg).train()
