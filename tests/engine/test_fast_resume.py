"""Resume by index: the same batches as mmengine's replay, and bit-exact after a kill -9."""

import itertools
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from mmengine.dataset import InfiniteSampler

from greenreg.datasets import ResumableInfiniteSampler
from greenreg.engine.checkpoint import load_checkpoint
from tests.conftest import REPO, tiny_config


def test_skipping_gives_the_stream_a_replay_would_reach():
    data = list(range(37))
    plain = iter(InfiniteSampler(data, shuffle=True, seed=3))
    replayed = [next(plain) for _ in range(200)][130:]
    resumable = ResumableInfiniteSampler(data, shuffle=True, seed=3)
    resumable.skip_samples(130)
    assert list(itertools.islice(iter(resumable), 70)) == replayed


def train(config: str, work_dir: str, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    args = [sys.executable, "tools/train.py", config, "--work-dir", work_dir, *extra]
    return subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip


@pytest.mark.slow
def test_kill_minus_9_then_resume_equals_a_straight_run(tmp_path):
    config = tmp_path / "tiny.py"
    cfg = tiny_config(str(tmp_path / "unused"), max_iters=40)
    cfg.default_hooks.checkpoint.interval = 10
    cfg.train_cfg.val_interval = 10  # validation inside both runs must not shift RNG streams
    cfg.log_level = "INFO"  # the loop reports how it resumed
    cfg.dump(str(config))
    straight = train(str(config), str(tmp_path / "straight"))
    killed_dir = tmp_path / "killed"
    victim = train(str(config), str(killed_dir))
    marker = killed_dir / "last_checkpoint"
    deadline = time.time() + 300
    while not (marker.exists() and "iter_20" in marker.read_text()):
        assert victim.poll() is None and time.time() < deadline, victim.stdout.read()[-2000:]
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert not (killed_dir / "iter_40.pth").exists()
    resumed = train(str(config), str(killed_dir), "--resume")
    log = resumed.communicate()[0]
    assert resumed.returncode == 0, log[-2000:]
    assert "by index, no batch replayed" in log and "Advance dataloader" not in log
    assert straight.wait() == 0

    a = load_checkpoint(str(tmp_path / "straight" / "iter_40.pth"))
    b = load_checkpoint(str(killed_dir / "iter_40.pth"))
    for part in ("state_dict", "ema_state_dict"):
        for key in a[part]:
            assert torch.equal(a[part][key], b[part][key]), (part, key)
    for sa, sb in zip(a["optimizer"]["state"].values(), b["optimizer"]["state"].values()):
        assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert a["param_schedulers"] == b["param_schedulers"]
    assert torch.equal(a["rng_state"]["torch"], b["rng_state"]["torch"])
    assert a["rng_state"]["python"] == b["rng_state"]["python"]
    flow_a, flow_b = (c["loss_ema_history"]["loss_flow"] for c in (a, b))
    assert flow_a["raw"] == flow_b["raw"]  # the same batches, in the same order
