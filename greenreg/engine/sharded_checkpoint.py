"""Sharded checkpoints: a torch.distributed.checkpoint directory plus the run's small state.

Layout of ``iter_N.pth/`` (written by ShardedCheckpointFSDPStrategy)::

    .metadata        torch.distributed.checkpoint's index of every tensor chunk
    __<r>_0.distcp   rank r's shards of ``state_dict`` (trained weights) and ``optimizer``
    extra.pth        rank 0: meta, message hub, schedulers and what hooks add (every rank's
                     RNG streams, the gathered EMA weights, loss history), a plain torch file

Any process reads it back without a process group: :func:`consolidate_sharded_checkpoint`
returns the same dict a one-process run saves (``state_dict`` = EMA weights when the run had
an EMA, ``ema_state_dict`` = the trained ones as ``module.*``, as mmengine's EMAHook lays
them out), so tools and ``load_from`` treat both alike.

The index is a pickle; it is read with an unpickler that admits torch.distributed.checkpoint's
metadata classes and a few plain types only, never arbitrary code.
"""

from __future__ import annotations

import os
import pickle
import shutil

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
from torch.distributed.checkpoint import FileSystemReader
from torch.distributed.checkpoint.default_planner import _EmptyStateDictLoadPlanner
from torch.distributed.checkpoint.state_dict_loader import _load_state_dict

from greenreg.engine.checkpoint import CheckpointError, load_checkpoint

EXTRA_FILE = "extra.pth"
METADATA_FILE = ".metadata"
SHARDED_EMA_KEY = "sharded_ema"  # extra.pth: dict(state_dict=averaged full weights, steps=int)

_SAFE_MODULE_PREFIXES = ("torch.distributed.checkpoint.",)
_SAFE_GLOBALS = {
    ("torch", "Size"),
    ("torch", "device"),
    ("torch", "dtype"),
    ("torch", "layout"),
    ("torch", "memory_format"),
    ("collections", "OrderedDict"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "slice"),
    ("builtins", "getattr"),  # how torch pickles dtypes: getattr(torch, "float32")
    ("torch.serialization", "_get_layout"),
    ("pathlib", "PosixPath"),  # the checkpoint id it was written to
    ("pathlib", "WindowsPath"),
}


class _MetadataUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in _SAFE_GLOBALS or module.startswith(_SAFE_MODULE_PREFIXES):
            return super().find_class(module, name)
        if module == "torch" and isinstance(getattr(torch, name, None), torch.dtype):
            return getattr(torch, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a checkpoint index")


class SafeFileSystemReader(FileSystemReader):
    """torch's FileSystemReader, reading the index with a restricted unpickler."""

    def read_metadata(self, *args, **kwargs):
        """The checkpoint's index (torch.distributed.checkpoint ``Metadata``)."""
        path = str(self._get_metadata_path(kwargs.get("rank")))
        with self.fs.create_stream(path, "rb") as f:
            try:
                metadata = _MetadataUnpickler(f).load()
            except (pickle.UnpicklingError, EOFError, AttributeError) as err:
                raise CheckpointError(
                    f"sharded checkpoint {os.path.dirname(path)!r}: its index {METADATA_FILE} "
                    f"cannot be read safely ({err}); expected one written by "
                    f"torch.distributed.checkpoint."
                ) from None
        if getattr(metadata, "storage_meta", None) is None:
            from torch.distributed.checkpoint.metadata import StorageMeta

            metadata.storage_meta = StorageMeta()
        metadata.storage_meta.load_id = self.load_id
        return metadata


def is_sharded_checkpoint(path: str) -> bool:
    """Whether ``path`` is a directory in the layout above."""
    return os.path.isfile(os.path.join(path, METADATA_FILE))


def has_optimizer_state(path: str) -> bool:
    """Whether the sharded checkpoint at ``path`` holds optimizer state."""
    keys = SafeFileSystemReader(path).read_metadata().state_dict_metadata
    return any(key.startswith("optimizer.") for key in keys)


def sharded_weight_shapes(path: str) -> dict[str, torch.Tensor]:
    """The trained weights' names and full shapes from the index alone, as meta tensors.

    Enough to check that a checkpoint fits a model before a resume, without reading (or
    gathering into one process) any shard.
    """
    shapes = {}
    for key, item in SafeFileSystemReader(path).read_metadata().state_dict_metadata.items():
        if key.startswith("state_dict.") and hasattr(item, "size"):
            shapes[key.removeprefix("state_dict.")] = torch.empty(item.size, device="meta")
    return shapes


def _rank() -> int:
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def _barrier() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.barrier()


def save_sharded_checkpoint(path: str, shards: dict, extra: dict) -> None:
    """Writes a sharded checkpoint; a collective: every rank calls it with its shards.

    Everything goes into ``<path>.tmp`` first; rank 0 renames it when all ranks are done,
    so a run killed mid-save leaves the previous checkpoint and no half-written one.

    Args:
        path (str): the checkpoint directory, e.g. ``work_dir/iter_500.pth``.
        shards (dict): this rank's sharded state, e.g. ``dict(state_dict=..., optimizer=...)``
            from torch.distributed.checkpoint.state_dict.
        extra (dict): the rest of the checkpoint (rank 0's is written).
    """
    tmp = f"{path}.tmp"
    if _rank() == 0 and os.path.exists(tmp):
        shutil.rmtree(tmp)
    _barrier()
    dcp.save(shards, checkpoint_id=tmp)
    if _rank() == 0:
        with open(os.path.join(tmp, EXTRA_FILE), "wb") as f:
            torch.save(extra, f)
            f.flush()
            os.fsync(f.fileno())
        if os.path.isdir(path):
            shutil.rmtree(path)
        os.replace(tmp, path)
    _barrier()


def load_sharded_shards(path: str, template: dict) -> dict:
    """Fills ``template`` (this rank's sharded state dicts) from the checkpoint at ``path``.

    Collective when a process group exists; the checkpoint may come from another number of
    ranks (torch.distributed.checkpoint reshards).
    """
    dcp.load(template, storage_reader=SafeFileSystemReader(path))
    return template


def load_sharded_extra(path: str) -> dict:
    """The ``extra.pth`` of a sharded checkpoint (weights-only loader)."""
    return load_checkpoint(os.path.join(path, EXTRA_FILE))


def consolidate_sharded_checkpoint(path: str) -> dict:
    """A sharded checkpoint as one process's checkpoint dict; no process group needed.

    Args:
        path (str): the checkpoint directory.

    Returns:
        dict: ``state_dict`` (EMA weights if the run averaged, else the trained ones),
        ``ema_state_dict`` (trained weights as ``module.*`` plus ``steps``, with an EMA),
        ``optimizer`` (keyed by parameter name), and everything in ``extra.pth``.

    Raises:
        FileNotFoundError: ``path`` is not a sharded checkpoint directory.
        CheckpointError: its index or files cannot be read.
    """
    if not is_sharded_checkpoint(path):
        raise FileNotFoundError(
            f"sharded checkpoint {path!r}: no {METADATA_FILE} in it; expected a directory "
            f"written by ShardedCheckpointFSDPStrategy."
        )
    checkpoint = load_sharded_extra(path)
    shards: dict = {}
    # what torch's dcp_to_torch_save does, with the restricted index reader
    _load_state_dict(
        shards,
        storage_reader=SafeFileSystemReader(path),
        planner=_EmptyStateDictLoadPlanner(),
        no_dist=True,
    )
    trained = shards["state_dict"]
    ema = checkpoint.pop(SHARDED_EMA_KEY, None)
    if ema is None:
        checkpoint["state_dict"] = trained
    else:  # mmengine's EMAHook layout: the average deploys, the trained weights resume
        checkpoint["state_dict"] = ema["state_dict"]
        raw = {f"module.{k}": v for k, v in trained.items()}
        checkpoint["ema_state_dict"] = dict(raw, steps=torch.tensor(ema["steps"]))
    if "optimizer" in shards:
        checkpoint["optimizer"] = shards["optimizer"]
    return checkpoint
