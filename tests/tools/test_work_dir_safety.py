"""A work dir holds one run: reuse is refused, --overwrite is explicit, a broken pointer falls back."""

import hashlib
import os

from greenreg.engine.checkpoint import load_checkpoint
from tests.conftest import tiny_config
from tests.tools.test_cli_tools import tool


def checksums(folder) -> dict[str, str]:
    """Every file under ``folder`` and its SHA-256."""
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            out[os.path.relpath(path, folder)] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return out


def test_a_fresh_run_refuses_a_used_work_dir_and_changes_nothing(tmp_path):
    config, work = tmp_path / "tiny.py", tmp_path / "work"
    tiny_config(str(work), max_iters=2).dump(str(config))
    assert tool("tools/train.py", str(config), "--work-dir", str(work)).returncode == 0
    before = checksums(work)
    assert "iter_2.pth" in before and "last_checkpoint" in before
    again = tool("tools/train.py", str(config), "--work-dir", str(work),
                 "--cfg-options", "optim_wrapper.optimizer.lr=0.01")  # fmt: skip
    assert again.returncode == 2, again.stderr[-2000:]
    assert len(again.stderr.strip().splitlines()) == 1
    for word in ("iter_2.pth", "--resume", "--overwrite", "another --work-dir"):
        assert word in again.stderr
    assert checksums(work) == before  # not a byte changed, nothing added

    both = tool("tools/train.py", str(config), "--work-dir", str(work), "--resume", "--overwrite")
    assert both.returncode == 2 and "--overwrite with --resume" in both.stderr
    replaced = tool("tools/train.py", str(config), "--work-dir", str(work), "--overwrite")
    assert replaced.returncode == 0 and "removed the earlier run's" in replaced.stdout
    assert checksums(work)["iter_2.pth"] != before["iter_2.pth"]  # a new run's checkpoint


def test_resume_falls_back_from_a_missing_or_damaged_last_checkpoint(tmp_path):
    config, work = tmp_path / "tiny.py", tmp_path / "work"
    cfg = tiny_config(str(work), max_iters=4)
    cfg.default_hooks.checkpoint.interval = 2
    cfg.dump(str(config))
    assert tool("tools/train.py", str(config), "--work-dir", str(work)).returncode == 0
    newest = work / "iter_4.pth"
    newest.write_bytes(newest.read_bytes()[:1000])  # a save cut short by a crash
    resumed = tool("tools/train.py", str(config), "--work-dir", str(work), "--resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    log = resumed.stdout + resumed.stderr
    assert "which is damaged" in log and "iter_2.pth', the newest complete checkpoint" in log
    assert load_checkpoint(str(newest))["meta"]["iter"] == 4  # trained 2 -> 4 again
    os.remove(newest)  # last_checkpoint now names a file that is gone
    gone = tool("tools/train.py", str(config), "--work-dir", str(work), "--resume")
    assert gone.returncode == 0 and "which is missing" in gone.stdout + gone.stderr


def test_a_full_disk_stops_the_run_in_one_line_and_keeps_the_last_checkpoint(tmp_path):
    config, work = tmp_path / "tiny.py", tmp_path / "work"
    cfg = tiny_config(str(work), max_iters=4)
    cfg.default_hooks.checkpoint.interval = 2
    cfg.custom_imports = dict(imports=["tests.engine.full_disk"], allow_failed_imports=False)
    cfg.dump(str(config))
    env = dict(PYTHONPATH=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    full = tool("tools/train.py", str(config), "--work-dir", str(work), env=env)
    assert full.returncode == 74, full.stderr[-2000:]
    line = full.stderr.strip().splitlines()[-1]
    assert len(full.stderr.strip().splitlines()) == 1, full.stderr[-2000:]
    for words in ("iter_4.pth", "no space left on the device", "bytes needed", "free",
                  "last complete checkpoint is", "iter_2.pth"):  # fmt: skip
        assert words in line, line
    assert sorted(p.name for p in work.glob("*.pth")) == ["iter_2.pth"]  # no partial file
    assert not list(work.glob(".*.tmp"))
    assert load_checkpoint(str(work / "iter_2.pth"))["meta"]["iter"] == 2


def test_little_free_space_is_announced_before_training(tmp_path, monkeypatch):
    import shutil

    from torch import nn

    from greenreg.engine import work_dir

    model = nn.Linear(1000, 1000)  # 4 MB of weights: ~16 MB a checkpoint
    assert work_dir.checkpoint_bytes_estimate(model) == 4 * 4 * (1000 * 1000 + 1000)
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(work_dir.shutil, "disk_usage", lambda p: usage._replace(free=20_000_000))
    warnings = []
    monkeypatch.setattr(work_dir, "print_log", lambda message, **_: warnings.append(message))
    work_dir.warn_if_little_space(str(tmp_path / "new" / "run"), model)
    assert len(warnings) == 1 and "20,000,000 bytes free, less than two checkpoints" in warnings[0]
    monkeypatch.setattr(work_dir.shutil, "disk_usage", lambda p: usage._replace(free=40_000_000))
    work_dir.warn_if_little_space(str(tmp_path), model)
    assert len(warnings) == 1  # enough room for two: no warning
