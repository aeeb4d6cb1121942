"""PreemptionHook: a signal saves a checkpoint and stops; --resume continues bit for bit."""

import glob
import os
import random
import signal
import subprocess
import sys
import time

import pytest
import torch

from greenreg.engine.checkpoint import load_checkpoint
from greenreg.engine.hooks import EXIT_PREEMPTED, PreemptionHook
from greenreg.registry import HOOKS
from tests.conftest import REPO, tiny_config

ITERS = 40


def test_builds_from_config_and_names_bad_arguments():
    hook = HOOKS.build(dict(type="PreemptionHook", signals=["SIGTERM"], check_interval_iters=5))
    assert isinstance(hook, PreemptionHook) and hook.signals == ("SIGTERM",)
    with pytest.raises(ValueError, match="SIGNOPE"):
        PreemptionHook(signals=["SIGNOPE"])
    with pytest.raises(ValueError, match="check_interval_iters"):
        PreemptionHook(check_interval_iters=0)


def train(config: str, work_dir: str, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    args = [sys.executable, "tools/train.py", config, "--work-dir", work_dir, *extra]
    return subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip


def logged_iterations(work_dir: str) -> int:
    """Training iterations logged so far (the tiny config logs every iteration)."""
    paths = glob.glob(os.path.join(work_dir, "*", "vis_data", "scalars.json"))
    if not paths:
        return 0
    with open(paths[0]) as f:
        return sum('"loss"' in line for line in f)


def signal_at(process: subprocess.Popen, work_dir: str, iteration: int, *signums) -> str:
    """Sends ``signums`` once ``iteration`` iterations are logged; returns the output."""
    deadline = time.time() + 300
    while logged_iterations(work_dir) < iteration:
        assert process.poll() is None and time.time() < deadline, process.stdout.read()[-2000:]
        time.sleep(0.02)
    for signum in signums:
        process.send_signal(signum)
    return process.communicate(timeout=300)[0]


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    root = tmp_path_factory.mktemp("preempt")
    config = root / "tiny.py"
    cfg = tiny_config(str(root / "unused"), max_iters=ITERS)
    cfg.default_hooks.checkpoint.interval = 10
    cfg.train_cfg.val_interval = 10
    cfg.dump(str(config))
    run = train(str(config), str(root / "straight"))
    assert run.wait() == 0, run.stdout.read()[-2000:]
    return config, root / "straight"


def assert_same_as_straight(work_dir, straight_dir) -> None:
    a = load_checkpoint(str(straight_dir / f"iter_{ITERS}.pth"))
    b = load_checkpoint(str(work_dir / f"iter_{ITERS}.pth"))
    for part in ("state_dict", "ema_state_dict"):
        assert all(torch.equal(a[part][k], b[part][k]) for k in a[part]), part
    for sa, sb in zip(a["optimizer"]["state"].values(), b["optimizer"]["state"].values()):
        assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert torch.equal(a["rng_state"]["torch"], b["rng_state"]["torch"])


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGUSR1])
def test_a_signal_at_a_random_iteration_saves_and_resume_matches_a_straight_run(
    straight, tmp_path, signum
):
    config, straight_dir = straight
    work_dir = tmp_path / "preempted"
    at = random.Random(int(signum)).randrange(3, ITERS - 5)
    process = train(str(config), str(work_dir))
    output = signal_at(process, str(work_dir), at, signum)
    assert process.returncode == EXIT_PREEMPTED, output[-2000:]
    pointed = (work_dir / "last_checkpoint").read_text().strip()
    stopped = load_checkpoint(pointed)["meta"]["iter"]
    assert at <= stopped < ITERS, (at, stopped)
    assert f"stopped after iteration {stopped} with a checkpoint" in output
    resumed = train(str(config), str(work_dir), "--resume")
    assert resumed.wait() == 0, resumed.stdout.read()[-2000:]
    assert_same_as_straight(work_dir, straight_dir)


@pytest.mark.slow
def test_a_second_signal_during_the_save_leaves_a_loadable_checkpoint(straight, tmp_path):
    config, straight_dir = straight
    work_dir = tmp_path / "twice"
    process = train(str(config), str(work_dir))
    signal_at(process, str(work_dir), 12, signal.SIGTERM, signal.SIGTERM, signal.SIGINT)
    assert process.returncode == EXIT_PREEMPTED
    assert load_checkpoint((work_dir / "last_checkpoint").read_text().strip())["meta"]["iter"] >= 12
    assert not glob.glob(str(work_dir / ".*.tmp"))  # no half-written file left behind
    resumed = train(str(config), str(work_dir), "--resume")
    assert resumed.wait() == 0
    assert_same_as_straight(work_dir, straight_dir)
