"""A kill -9 in the middle of a checkpoint save leaves the previous checkpoint loadable."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import torch
from mmengine.fileio import get_file_backend

from greenreg.engine.atomic_backend import AtomicLocalBackend
from greenreg.engine.checkpoint import load_checkpoint
from tests.conftest import REPO

# saves ~64 MB checkpoints to one name forever, printing the version after each save
SAVER = textwrap.dedent(
    """
    import sys, torch
    import greenreg  # noqa: F401  (registers the atomic backend)
    from mmengine.runner.checkpoint import save_checkpoint
    version = 0
    while True:
        version += 1
        save_checkpoint({"version": version, "w": torch.full((16_000_000,), float(version))},
                        sys.argv[1], backend_args=dict(backend="atomic_local"))
        print("saved", version, flush=True)
    """
)


def test_the_default_runtime_saves_checkpoints_through_the_atomic_backend(tmp_path):
    from mmengine.config import Config

    hook = Config.fromfile(os.path.join(REPO, "configs", "_base_", "default_runtime.py"))
    args = hook.default_hooks.checkpoint.backend_args
    assert isinstance(
        get_file_backend(str(tmp_path / "x.pth"), backend_args=args), AtomicLocalBackend
    )


def test_importing_greenreg_patches_nothing_in_mmengine_or_torch():
    probe = textwrap.dedent(
        """
        import torch
        from mmengine.fileio import LocalBackend, get_file_backend
        from mmengine.logging import HistoryBuffer
        before = (HistoryBuffer.__getstate__, HistoryBuffer.__setstate__)
        import greenreg, greenreg.engine, greenreg.models, greenreg.solvers  # noqa: F401
        after = (HistoryBuffer.__getstate__, HistoryBuffer.__setstate__)
        assert before == after, "import patched mmengine's HistoryBuffer"
        # (mmengine and torch add entries of their own when imported: look for ours)
        assert HistoryBuffer not in torch.serialization.get_safe_globals(), "allow-list set"
        assert type(get_file_backend("/tmp/x.pth")) is LocalBackend
        print("clean")
        """
    )
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=REPO)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "clean", out.stderr[-2000:]


@pytest.mark.slow
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
        saved = [first] + [int(line.split()[1]) for line in proc.stdout if line.startswith("saved")]
        checkpoint = load_checkpoint(str(path))
        version = checkpoint["version"]
        # the last save reported complete, or the next one if its rename landed before the kill
        assert saved[-1] <= version <= saved[-1] + 1, (saved, version)
        assert torch.equal(checkpoint["w"], torch.full((16_000_000,), float(version)))
    # no half-written file was left under a checkpoint name
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["iter_1.pth"]
