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
from dataclasses import dataclass

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

    A sharded checkpoint directory (FSDP, ShardedCheckpointFSDPStrategy) is consolidated
    in memory into the same layout a one-process run saves.

    Args:
        path (str): checkpoint file, or a sharded checkpoint directory.
        map_location (str | torch.device): where tensors are placed.

    Returns:
        dict: the checkpoint (``state_dict``, ``meta``, optionally ``ema_state_dict``, ...).

    Raises:
        FileNotFoundError: no file at ``path``.
        CheckpointError: the file is truncated, not a checkpoint, or holds objects outside
            the allow-list (a pickle that would run code is refused here).
    """
    if os.path.isdir(path):
        from greenreg.engine.sharded_checkpoint import consolidate_sharded_checkpoint

        return consolidate_sharded_checkpoint(path)
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


@dataclass
class StateDictMatch:
    """How a checkpoint's weights line up with a model's (keys sorted).

    Attributes:
        matched (list[str]): keys with the model's shape.
        missing (list[str]): model keys the checkpoint lacks.
        unexpected (list[str]): checkpoint keys the model lacks.
        mismatched (list[str]): keys of another shape.
        matched_fraction (float): the model's tensor elements the matched keys cover, in [0, 1].
    """

    matched: list[str]
    missing: list[str]
    unexpected: list[str]
    mismatched: list[str]
    matched_fraction: float

    @property
    def exact(self) -> bool:
        """True when every key matches in both directions."""
        return not (self.missing or self.unexpected or self.mismatched)

    def describe(self, shapes: tuple[dict, dict] | None = None) -> str:
        """One line: counts with the first few keys of each kind."""
        details = []
        if self.missing:
            details.append(f"{len(self.missing)} missing (e.g. {self.missing[:3]})")
        if self.unexpected:
            details.append(f"{len(self.unexpected)} unexpected (e.g. {self.unexpected[:3]})")
        if self.mismatched:
            k = self.mismatched[0]
            example = f"{k}: model {shapes[0][k]}, checkpoint {shapes[1][k]}" if shapes else k
            details.append(f"{len(self.mismatched)} of another shape (e.g. {example})")
        return "; ".join(details)


def _shapes(state: dict[str, Tensor], model: torch.nn.Module) -> tuple[dict, dict]:
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    return expected, {k: tuple(v.shape) for k, v in state.items()}


def match_state_dict(state: dict[str, Tensor], model: torch.nn.Module) -> StateDictMatch:
    """Compares ``state``'s keys and shapes with ``model.state_dict()``'s."""
    expected, found = _shapes(state, model)
    common = set(expected) & set(found)
    matched = sorted(k for k in common if expected[k] == found[k])
    sizes = {k: max(1, int(torch.Size(v).numel())) for k, v in expected.items()}
    total = sum(sizes.values()) or 1
    return StateDictMatch(
        matched=matched,
        missing=sorted(set(expected) - set(found)),
        unexpected=sorted(set(found) - set(expected)),
        mismatched=sorted(k for k in common if expected[k] != found[k]),
        matched_fraction=sum(sizes[k] for k in matched) / total,
    )


def matching_state_dict(
    state: dict[str, Tensor],
    model: torch.nn.Module,
    source: str,
    min_matched_fraction: float = 0.5,
) -> tuple[dict[str, Tensor], StateDictMatch]:
    """The tensors of ``state`` that fit ``model``, for loading across architecture changes.

    Args:
        state (dict): the checkpoint's weights.
        model (nn.Module): the model to load them into.
        source (str): what the weights are, for messages.
        min_matched_fraction (float): refuse when the matched tensors cover less of the
            model's elements than this, in [0, 1]; 0 loads whatever matches.

    Returns:
        tuple: (the matching tensors, the match report).

    Raises:
        CheckpointError: too little of the model matched.
    """
    match = match_state_dict(state, model)
    if match.matched_fraction < min_matched_fraction:
        raise CheckpointError(
            f"{source}: only {match.matched_fraction:.1%} of this model's weights match the "
            f"checkpoint ({match.describe(_shapes(state, model))}); expected at least "
            f"{min_matched_fraction:.0%} (min_matched_fraction). Lower it to load anyway."
        )
    return {k: state[k] for k in match.matched}, match


def check_state_dict_fits(state: dict[str, Tensor], model: torch.nn.Module, source: str) -> None:
    """Raises CheckpointError unless ``state`` has exactly the model's keys and shapes."""
    match = match_state_dict(state, model)
    if not match.exact:
        raise CheckpointError(
            f"{source}: weights do not fit this model's architecture: "
            f"{match.describe(_shapes(state, model))}. Expected a checkpoint of the same config."
        )
