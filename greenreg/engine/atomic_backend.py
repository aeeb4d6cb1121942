"""Atomic local writes for everything mmengine saves (checkpoints, configs, logs' JSON).

mmengine's LocalBackend.put opens the target with 'wb' and writes into it, so a kill during a
checkpoint save leaves a truncated file under the checkpoint's name, and with
``max_keep_ckpts`` the previous good one may already be gone. Here every write goes to a
temporary file in the same directory, is flushed and fsynced, and then renamed over the
target: rename within a file system is atomic, so the name always holds either the old or
the new complete file. Registered as mmengine's file backend ``"atomic_local"`` (mmengine's
own ``"local"`` is left as it is); ``CheckpointHook(backend_args=dict(backend=
"atomic_local"))`` in ``configs/_base_/default_runtime.py`` saves through it.
"""

from __future__ import annotations

import os
import os.path as osp
import tempfile
from pathlib import Path

from mmengine.fileio import LocalBackend, register_backend


def write_atomically(data: bytes, filepath: str | Path) -> None:
    """Writes ``data`` to ``filepath`` so that readers never see a partial file.

    Args:
        data (bytes): the complete content.
        filepath (str | Path): the target; its directory is created if missing.
    """
    filepath = os.fspath(filepath)
    directory = osp.dirname(osp.abspath(filepath))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{osp.basename(filepath)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


@register_backend("atomic_local")
class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend whose ``put`` and ``put_text`` are atomic renames."""

    def put(self, obj: bytes, filepath: str | Path) -> None:
        """Writes bytes atomically (temp file, fsync, rename)."""
        write_atomically(obj, filepath)

    def put_text(self, obj: str, filepath: str | Path, encoding: str = "utf-8") -> None:
        """Writes text atomically (temp file, fsync, rename)."""
        write_atomically(obj.encode(encoding), filepath)
