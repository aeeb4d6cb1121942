"""Shared by the tools: clean one-line errors for bad input, and config loading."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps

# exit status when a file could not be written for lack of space or permission (sysexits'
# EX_IOERR); the message names the file, the bytes needed and free, the last checkpoint
EXIT_STORAGE = 74
# errors caused by what the user passed in: reported as one line, exit status 2
USER_ERRORS = (ValueError, KeyError, TypeError, FileNotFoundError, FileExistsError, SyntaxError)


def exit_cleanly_on_bad_input(main: Callable[[], None]) -> Callable[[], None]:
    """Runs ``main`` and turns bad input into one line and exit status 2.

    A config, registry, checkpoint, data or CLI error prints ``<tool>: error: <message>``
    without a traceback; a disk that is full, over quota or read-only does the same with
    exit status 74.

    ``GREENREG_DEBUG=1`` re-raises instead, with the full traceback.
    """

    @wraps(main)
    def wrapper() -> None:
        from greenreg.engine.atomic_backend import StorageWriteError

        try:
            main()
        except StorageWriteError as err:  # a full or read-only disk: one line, no traceback
            if os.environ.get("GREENREG_DEBUG"):
                raise
            print(f"{sys.argv[0].rsplit('/', 1)[-1]}: error: {err.strerror}", file=sys.stderr)
            sys.exit(EXIT_STORAGE)
        except USER_ERRORS as err:
            if os.environ.get("GREENREG_DEBUG"):
                raise
            message = err.args[0] if isinstance(err, KeyError) and err.args else err
            tool = sys.argv[0].rsplit("/", 1)[-1]
            print(f"{tool}: error: {type(err).__name__}: {message}", file=sys.stderr)
            sys.exit(2)

    return wrapper


def load_config(path: str, cfg_options: dict | None = None):
    """Reads a config file (with ``_base_`` inheritance) and applies ``--cfg-options``.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: the file is not a valid Python config.
    """
    from mmengine.config import Config

    if not os.path.isfile(path):
        raise FileNotFoundError(f"config {path!r}: no such file.")
    try:
        cfg = Config.fromfile(path)
    except (SyntaxError, NameError, ImportError, AttributeError) as err:
        raise ValueError(
            f"config {path!r}: cannot be parsed ({type(err).__name__}: {err})."
        ) from None
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def check_positive_ints(args, names: tuple[str, ...]) -> None:
    """Raises ValueError naming the option when one of ``names`` is given and < 1."""
    for name in names:
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ValueError(f"--{name.replace('_', '-')}: expected an int >= 1, got {value}.")
