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

import errno
import os
import os.path as osp
import shutil
import tempfile
from pathlib import Path

from mmengine.fileio import LocalBackend, register_backend

# write failures of the storage, not of the program: reported in one line (StorageWriteError)
STORAGE_ERRNOS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
}


class StorageWriteError(OSError):
    """A file could not be written for lack of space or permission; the message is one line."""


def _last_complete_checkpoint(directory: str) -> str:
    marker = osp.join(directory, "last_checkpoint")
    if osp.isfile(marker):
        with open(marker) as f:
            return repr(f.read().strip())
    return "none in this work dir yet"


def storage_write_error(err: OSError, filepath: str, size: int) -> StorageWriteError:
    """One line: the file, why, the bytes needed and free, and the last complete checkpoint."""
    directory = osp.dirname(osp.abspath(filepath))
    try:
        free = f"{shutil.disk_usage(directory).free:,}"
    except OSError:
        free = "unknown"
    return StorageWriteError(
        err.errno,
        f"cannot write {filepath!r}: {STORAGE_ERRNOS[err.errno]} ({size:,} bytes needed, "
        f"{free} free); nothing was replaced, and the last complete checkpoint is "
        f"{_last_complete_checkpoint(directory)}.",
    )


def write_atomically(data: bytes, filepath: str | Path) -> None:
    """Writes ``data`` to ``filepath`` so that readers never see a partial file.

    Args:
        data (bytes): the complete content.
        filepath (str | Path): the target; its directory is created if missing.

    Raises:
        StorageWriteError: the disk is full, over quota, read-only or not writable; the
            temporary file is removed and ``filepath`` keeps its previous content.
    """
    try:
        _write_atomically(data, os.fspath(filepath))
    except OSError as err:
        if err.errno in STORAGE_ERRNOS and not isinstance(err, StorageWriteError):
            raise storage_write_error(err, os.fspath(filepath), len(data)) from None
        raise


def _write_atomically(data: bytes, filepath: str) -> None:
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
