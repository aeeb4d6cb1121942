"""Test-only: the disk fills up during the second checkpoint save.

Imported by a config's ``custom_imports`` in a training subprocess. The atomic backend's
file writes go through a file object whose ``write`` stores half the bytes and then fails
with ENOSPC, as a full file system does, for any ``.pth`` once one checkpoint exists;
everything else (cleanup, the error, the tools' exit) is the real code.
"""

import errno
import glob
import os
import types

from greenreg.engine import atomic_backend


class FillingFile:
    def __init__(self, raw) -> None:
        self.raw = raw

    def write(self, data: bytes) -> int:
        self.raw.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self.raw, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.raw.close()


def fdopen(fd: int, mode: str = "r", *args, **kwargs):
    """os.fdopen, but a checkpoint's temporary file fails once another checkpoint exists."""
    raw = os.fdopen(fd, mode, *args, **kwargs)
    path = os.readlink(f"/proc/self/fd/{fd}")  # the backend's temporary file
    is_checkpoint = os.path.basename(path).startswith(".iter_")
    if is_checkpoint and glob.glob(os.path.join(os.path.dirname(path), "iter_*.pth")):
        return FillingFile(raw)
    return raw


atomic_backend.os = types.SimpleNamespace(**{**vars(os), "fdopen": fdopen})
