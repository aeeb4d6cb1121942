"""KimgStatsHook: a JSON line per kimg tick, appended across resumes, strict JSON numbers."""

import glob
import json
import math
import os

import numpy as np
import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn
from torch.utils.data import Dataset

from greenreg.engine.hooks import KimgStatsHook, SafeCheckpointsHook
from greenreg.engine.hooks.kimg_stats import json_number


class Points(Dataset):
    """64 fixed 2-d points: default_collate makes dict batches, as greenreg's datasets do."""

    def __init__(self):
        self.x = torch.linspace(-1, 1, 128).reshape(64, 2)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return dict(inputs=self.x[i])


class Toy(BaseModel):
    """A linear map with two loss terms (``loss``, ``loss_aux``) and one non-loss scalar."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)

    def forward(self, inputs, data_samples=None, mode="loss"):
        out = self.linear(inputs)
        return dict(loss=out.pow(2).mean(), loss_aux=out.abs().mean().detach(), norm=out.norm())


def train(work_dir, max_iters, kimg_per_tick=0.008, resume_from=None):
    """Trains the toy on batches of 4 (so 0.008 kimg = 2 iterations); checkpoints every 5."""
    runner = Runner(
        model=Toy(),
        work_dir=str(work_dir),
        experiment_name=f"kimg_{os.path.basename(str(work_dir))}_{max_iters}_{resume_from is not None}",
        train_dataloader=dict(
            dataset=Points(),
            sampler=dict(type="DefaultSampler", shuffle=False),
            batch_size=4,
            num_workers=0,
            collate_fn=dict(type="default_collate"),
        ),
        optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.01)),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        default_hooks=dict(checkpoint=dict(type="CheckpointHook", by_epoch=False, interval=5)),
        # SafeCheckpointsHook: torch's weights-only loader must accept the resumed checkpoint
        custom_hooks=[SafeCheckpointsHook(), KimgStatsHook(kimg_per_tick=kimg_per_tick)],
        load_from=resume_from,
        resume=resume_from is not None,
        default_scope="greenreg",
        env_cfg=dict(dist_cfg=dict(backend="gloo")),
    )
    runner.train()
    return runner


def read_lines(work_dir):
    return open(os.path.join(work_dir, "stats.jsonl")).read().splitlines()


@pytest.fixture(scope="module")
def ten_iterations(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp("kimg")
    runner = train(work_dir, max_iters=10)
    return runner, [json.loads(line) for line in read_lines(work_dir)]


def test_a_line_every_tick_with_the_documented_fields(ten_iterations):
    _, records = ten_iterations
    assert [r["tick"] for r in records] == [1, 2, 3, 4, 5]
    assert [r["iter"] for r in records] == [2, 4, 6, 8, 10]
    assert [r["kimg"] for r in records] == [0.008, 0.016, 0.024, 0.032, 0.04]
    assert np.diff([r["kimg"] for r in records]) == pytest.approx([0.008] * 4)
    for r in records:
        assert {"sec_per_kimg", "total_sec", "lr", "loss", "loss_aux", "time", "data_time"} <= set(
            r
        )
        assert math.isfinite(r["norm"])  # what a model logs beside its losses
        assert math.isfinite(r["loss"]) and math.isfinite(r["loss_aux"])
        assert r["lr"] == pytest.approx(0.01)
        assert r["sec_per_kimg"] > 0 and r["time"] > 0 and r["data_time"] >= 0
    total = [r["total_sec"] for r in records]
    assert total == sorted(total)


def test_the_loss_is_the_latest_iterations_and_a_summary_is_logged(ten_iterations):
    runner, records = ten_iterations
    assert records[-1]["loss"] == pytest.approx(
        runner.message_hub.get_scalar("train/loss").current()
    )
    log = open(glob.glob(os.path.join(runner.log_dir, "*.log"))[0]).read()
    assert "kimg 0.040  sec/kimg " in log and "  loss " in log and "  lr 0.01  " in log


def test_a_resumed_run_appends_and_continues_the_tick_count(tmp_path):
    train(tmp_path, max_iters=6)  # ticks 1-3; checkpoints at iterations 5 and 6
    first = read_lines(tmp_path)
    with open(tmp_path / "stats.jsonl", "a") as f:
        f.write('{"tick": 4, "kim')  # a run killed in the middle of a line
    train(tmp_path, max_iters=10, resume_from=str(tmp_path / "iter_5.pth"))
    lines = read_lines(tmp_path)
    assert lines[:3] == first  # never truncated
    assert lines[3] == '{"tick": 4, "kim'  # the broken line stays on its own
    resumed = [json.loads(line) for line in lines[4:]]
    # iteration 5 = 0.020 kimg, inside tick 2: tick 3 (iteration 6) is reported again
    assert [r["tick"] for r in resumed] == [3, 4, 5]
    assert [r["iter"] for r in resumed] == [6, 8, 10]
    assert [r["kimg"] for r in resumed] == [0.024, 0.032, 0.04]
    assert all(math.isfinite(r["loss"]) for r in resumed)


def test_an_iteration_crossing_several_boundaries_reports_once(tmp_path):
    train(tmp_path, max_iters=3, kimg_per_tick=0.003)  # 4 images a step, a tick every 3
    records = [json.loads(line) for line in read_lines(tmp_path)]
    assert [(r["iter"], r["tick"], r["kimg"]) for r in records] == [
        (1, 1, 0.004),
        (2, 2, 0.008),
        (3, 4, 0.012),
    ]


def test_a_non_positive_tick_is_refused_in_the_house_format():
    with pytest.raises(ValueError) as caught:
        KimgStatsHook(kimg_per_tick=-1)
    assert str(caught.value) == (
        "KimgStatsHook.kimg_per_tick (custom_hooks[].kimg_per_tick): must be positive; "
        "expected a float > 0, got -1."
    )


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        (dict(kimg_per_tick=0), "must be positive.*got 0"),
        (dict(kimg_per_tick=math.nan), "must be positive.*got nan"),
        (dict(kimg_per_tick=True), "must be positive.*got True"),
        (dict(kimg_per_tick="1"), "must be positive.*got '1'"),
        (dict(kimg_per_tick=math.inf), "must be finite.*got inf"),
        (dict(filename="logs/stats.jsonl"), "filename.*plain file name"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        KimgStatsHook(**kwargs)


def test_numbers_become_strict_json():
    assert json_number(torch.tensor(0.5)) == 0.5
    assert json_number(torch.tensor([2.0], requires_grad=True)) == 2.0
    assert json_number(np.float32(0.25)) == 0.25
    assert json_number(3) == 3.0
    assert json_number(math.nan) is None and json_number(-math.inf) is None
    line = json.dumps(dict(loss=json_number(torch.tensor(math.nan))), allow_nan=False)
    assert json.loads(line) == dict(loss=None)
