"""Safe checkpoint loading: torch's weights-only unpickler with an explicit allow-list.

Since torch 2.6, ``torch.load`` defaults to ``weights_only=True`` and refuses mmengine's
checkpoints, which hold its ``HistoryBuffer`` (with numpy arrays) in the message hub; that
breaks ``Runner(resume=True)`` (mmengine #1655). Passing ``weights_only=False`` would run any
pickle a file carries. Instead greenreg allow-lists exactly the classes a checkpoint holds,
and makes ``HistoryBuffer`` pickle without references to its statistic functions, which would
otherwise need ``getattr`` allow-listed (a way to reach arbitrary attributes).
"""

from __future__ import annotations

import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from torch import Tensor


def _history_buffer_getstate(self: HistoryBuffer) -> dict:
    # mmengine's version stores the statistic functions; __setstate__ re-registers the
    # defaults anyway, so leave them out and keep the pickle free of function references
    state = dict(self.__dict__)
    state.pop("statistics_methods", None)
    return state


HISTORY_BUFFER_FIELDS = ("max_length", "_log_history", "_count_history")


def _history_buffer_setstate(self: HistoryBuffer, state: dict) -> None:
    # mmengine's version merges a pickled `statistics_methods` into the class-wide registry
    # and any key into __dict__: a crafted file could swap statistics for any allow-listed
    # callable. Take the three data fields only.
    self._set_default_statistics()
    self.__dict__.update({k: state[k] for k in HISTORY_BUFFER_FIELDS if k in state})


def _numpy_globals() -> list:
    """Numpy's array and scalar reconstructors, and the dtypes mmengine's buffers use."""
    # numpy 2 pickles arrays via numpy._core (numpy.core is its deprecated alias)
    multiarray = np._core.multiarray if hasattr(np, "_core") else np.core.multiarray
    dtype_classes = [type(np.dtype(t)) for t in (np.float64, np.float32, np.int64, np.int32)]
    return [multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype, *dtype_classes]


def allow_mmengine_checkpoints() -> None:
    """Lets ``torch.load(weights_only=True)`` read checkpoints written by mmengine's Runner.

    Idempotent. Called by SafeCheckpointsHook before a run saves or resumes anything, and by
    :func:`load_checkpoint`; never at import.
    """
    HistoryBuffer.__getstate__ = _history_buffer_getstate
    HistoryBuffer.__setstate__ = _history_buffer_setstate
    torch.serialization.add_safe_globals([HistoryBuffer, OrderedDict, *_numpy_globals()])


class CheckpointError(ValueError):
    """A checkpoint file is missing, damaged, unsafe or does not fit the model."""


def load_checkpoint(path: str, map_location: str | torch.device = "cpu") -> dict:
    """Reads a checkpoint with the weights-only unpickler; never runs code from the file.

    Args:
        path (str): checkpoint file.
        map_location (str | torch.device): where tensors are placed.

    Returns:
        dict: the checkpoint (``state_dict``, ``meta``, optionally ``ema_state_dict``, ...).

    Raises:
        FileNotFoundError: no file at ``path``.
        CheckpointError: the file is truncated, not a checkpoint, or holds objects outside
            the allow-list (a pickle that would run code is refused here).
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"checkpoint {path!r}: no such file.")
    allow_mmengine_checkpoints()
    try:
        checkpoint = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        reason = str(err).splitlines()[-1] if str(err) else "unpickling failed"
        raise CheckpointError(
            f"checkpoint {path!r}: refused by the weights-only loader (it holds objects "
            f"outside greenreg's allow-list, e.g. code to run); expected tensors and plain "
            f"containers. Loader said: {reason[:300]}"
        ) from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError) as err:
        raise CheckpointError(
            f"checkpoint {path!r}: cannot be read ({type(err).__name__}: {str(err)[:200]}); "
            f"expected a complete file written by torch.save (truncated or corrupt?)."
        ) from None
    if not isinstance(checkpoint, dict):
        raise CheckpointError(
            f"checkpoint {path!r}: expected a dict, got {type(checkpoint).__name__}."
        )
    return checkpoint


def model_state_dict(checkpoint: dict, use_ema: bool = True) -> dict[str, Tensor]:
    """The model weights of a checkpoint.

    mmengine's EMAHook saves the averaged weights under ``state_dict`` (ready to deploy)
    and the trained ones under ``ema_state_dict`` as ``module.*``; a run without EMA has
    only ``state_dict``.

    Args:
        checkpoint (dict): as returned by :func:`load_checkpoint`.
        use_ema (bool): the averaged weights if there are any, else the trained ones.
    """
    if "state_dict" not in checkpoint:
        raise CheckpointError(
            f"checkpoint: no 'state_dict' key; expected one of mmengine's checkpoints, "
            f"got keys {sorted(checkpoint)[:10]}."
        )
    if use_ema or "ema_state_dict" not in checkpoint:
        return checkpoint["state_dict"]
    raw = checkpoint["ema_state_dict"]
    return {k.removeprefix("module."): v for k, v in raw.items() if k.startswith("module.")}


def check_state_dict_fits(state: dict[str, Tensor], model: torch.nn.Module, source: str) -> None:
    """Raises CheckpointError unless ``state`` has exactly the model's keys and shapes."""
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = {k: tuple(v.shape) for k, v in state.items()}
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    mismatched = sorted(k for k in set(expected) & set(found) if expected[k] != found[k])
    if missing or unexpected or mismatched:
        details = []
        if missing:
            details.append(f"{len(missing)} missing (e.g. {missing[:3]})")
        if unexpected:
            details.append(f"{len(unexpected)} unexpected (e.g. {unexpected[:3]})")
        if mismatched:
            k = mismatched[0]
            details.append(
                f"{len(mismatched)} of another shape (e.g. {k}: model {expected[k]}, "
                f"checkpoint {found[k]})"
            )
        raise CheckpointError(
            f"{source}: weights do not fit this model's architecture: {'; '.join(details)}. "
            f"Expected a checkpoint of the same config."
        )
