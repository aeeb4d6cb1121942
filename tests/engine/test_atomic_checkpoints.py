"""A kill -9 in the middle of a checkpoint save leaves the previous checkpoint loadable."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import torch
from mmengine.fileio import get_file_backend

from greenreg.engine.atomic_backend import AtomicLocalBackend
from greenreg.engine.checkpoint import load_checkpoint
from tests.conftest import REPO

# saves ~64 MB checkpoints to one name forever, printing the version after each save
SAVER = textwrap.dedent(
    """
    import sys, torch
    import greenreg  # noqa: F401  (installs the atomic backend)
    from mmengine.runner.checkpoint import save_checkpoint
    version = 0
    while True:
        version += 1
        save_checkpoint({"version": version, "w": torch.full((16_000_000,), float(version))},
                        sys.argv[1])
        print("saved", version, flush=True)
    """
)


def test_mmengine_writes_local_files_through_the_atomic_backend(tmp_path):
    assert isinstance(get_file_backend(str(tmp_path / "x.pth")), AtomicLocalBackend)


def test_a_kill_during_a_save_leaves_a_complete_checkpoint(tmp_path):
    path = tmp_path / "iter_1.pth"
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=REPO)
    for delay in (0.05, 0.13, 0.31):
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(path)], stdout=subprocess.PIPE, text=True, env=env
        )
        # one save completed (mmengine may log a deprecation warning to stdout first)
        first = next(int(line.split()[1]) for line in proc.stdout if line.startswith("saved"))
        time.sleep(delay)  # the next save is under way (each takes ~0.3 s)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        checkpoint = load_checkpoint(str(path))
        version = checkpoint["version"]
        assert version >= first
        assert torch.equal(checkpoint["w"], torch.full((16_000_000,), float(version)))
    # no half-written file was left under a checkpoint name
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["iter_1.pth"]
