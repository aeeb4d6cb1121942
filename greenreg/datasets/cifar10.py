"""CIFAR-10 from a local copy (the python batches folder or its .tar.gz), never downloaded."""

from __future__ import annotations

import io
import os
import pickle
import posixpath
import tarfile
import zlib
from contextlib import closing

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from greenreg.datasets.batched_indexing import BatchedIndexingMixin
from greenreg.registry import DATASETS
from greenreg.utils import check_int

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar.html"
FOLDER = "cifar-10-batches-py"
ARCHIVE = "cifar-10-python.tar.gz"
SPLIT_FILES = {
    "train": tuple(f"data_batch_{i}" for i in range(1, 6)),
    "test": ("test_batch",),
}
IMAGE_SHAPE = (3, 32, 32)  # each row of b'data': 3 channel planes (R, G, B) of 32 x 32, row-major
NUM_CLASSES = 10
_HOW_TO_GET = (
    f"download {ARCHIVE} from {CIFAR10_URL} on a machine with network and pass its local "
    f"path: the archive, the extracted {FOLDER}/ folder, or a folder holding either"
)

# The only globals a CIFAR-10 batch references: numpy's array and dtype rebuilders. The files
# were pickled under numpy 1 (numpy.core); numpy 2 writes numpy._core. Both map to the objects
# of the installed numpy, so nothing is imported by name while unpickling.
_RECONSTRUCT = np.zeros(0).__reduce__()[0]  # numpy's multiarray._reconstruct, either version
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class _BatchUnpickler(pickle.Unpickler):
    """An unpickler resolving numpy's array rebuilders only.

    A pickle naming any other global (``os.system``, ``builtins.eval``...) is refused when
    the global is looked up, before anything is called.
    """

    def find_class(self, module: str, name: str):
        """The allowed numpy object, or an UnpicklingError naming the refused global."""
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"global {module}.{name} is not allowed (only numpy arrays may be rebuilt)"
            ) from None


def _unpickle_batch(data: bytes, source: str) -> dict:
    """A batch's dict, unpickled without running code, or a ValueError saying why not."""
    try:
        batch = _BatchUnpickler(io.BytesIO(data), encoding="bytes").load()
    except Exception as err:  # a truncated, foreign or hostile file: all are "not a batch"
        raise ValueError(
            f"CIFAR10Dataset.root (*.dataset.root): {source} is not a readable CIFAR-10 batch; "
            f"expected a pickled dict of numpy arrays ({type(err).__name__}: {err})."
        ) from None
    return batch


def _checked_batch(batch, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Pixels (n, 3, 32, 32) uint8 and labels (n,) int64 of one batch, or a ValueError."""
    where = f"CIFAR10Dataset.root (*.dataset.root): {source}"
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        keys = sorted(batch) if isinstance(batch, dict) else type(batch).__name__
        raise ValueError(
            f"{where} is not a CIFAR-10 batch; expected a dict with keys b'data' and "
            f"b'labels', got {keys}."
        )
    data, labels = batch[b"data"], batch[b"labels"]
    width = int(np.prod(IMAGE_SHAPE))
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.uint8
        or data.ndim != 2
        or data.shape[1] != width
        or not len(data)
    ):
        got = (
            f"dtype {data.dtype}, shape {data.shape}"
            if isinstance(data, np.ndarray)
            else f"a {type(data).__name__}"
        )
        raise ValueError(
            f"{where} has malformed b'data'; expected a uint8 array of shape (N, {width}) "
            f"with N > 0, got {got}."
        )
    labels = np.asarray(labels) if isinstance(labels, (list, tuple, np.ndarray)) else None
    if (
        labels is None
        or labels.shape != (len(data),)
        or not np.issubdtype(labels.dtype, np.integer)
        or labels.min() < 0
        or labels.max() >= NUM_CLASSES
    ):
        got = "not a list" if labels is None else f"dtype {labels.dtype}, shape {labels.shape}"
        raise ValueError(
            f"{where} has malformed b'labels'; expected {len(data)} integers in "
            f"[0, {NUM_CLASSES - 1}], one per image, got {got}."
        )
    return data.reshape(len(data), *IMAGE_SHAPE), labels.astype(np.int64)


def _find_source(root: str, names: tuple[str, ...]) -> tuple[str, str]:
    """``('folder', path)`` or ``('archive', path)`` holding the batches ``names``."""
    if not os.path.exists(root):
        raise FileNotFoundError(
            f"CIFAR10Dataset.root (*.dataset.root): no file or folder {root!r}; expected a "
            f"local CIFAR-10 copy (it is never downloaded): {_HOW_TO_GET}."
        )
    if os.path.isfile(root):
        return "archive", root
    for folder in (root, os.path.join(root, FOLDER)):
        if all(os.path.isfile(os.path.join(folder, name)) for name in names):
            return "folder", folder
    archive = os.path.join(root, ARCHIVE)
    if os.path.isfile(archive):
        return "archive", archive
    present = sorted(os.listdir(root))
    raise FileNotFoundError(
        f"CIFAR10Dataset.root (*.dataset.root): no CIFAR-10 batches {list(names)} in {root!r}; "
        f"expected them in {root!r} itself, in {FOLDER}/ under it, or a {ARCHIVE} under it, "
        f"got {present[:10]}{' ...' if len(present) > 10 else ''}; {_HOW_TO_GET}."
    )


def _read_folder(folder: str, names: tuple[str, ...]):
    """Yields (source, bytes) of each batch file, in order."""
    for name in names:
        path = os.path.join(folder, name)
        with open(path, "rb") as file:
            yield repr(path), file.read()


def _read_archive(path: str, names: tuple[str, ...]):
    """Yields (source, bytes) of each batch member of the tar archive, read in memory."""
    unreadable = (tarfile.TarError, OSError, EOFError, zlib.error)  # not a tar, cut off
    wanted = [f"{FOLDER}/{name}" for name in names]
    data, missing = {}, []
    try:
        with tarfile.open(path, "r:*") as archive:
            members = {}
            for member in archive.getmembers():
                if member.isfile():  # "./cifar-10-batches-py/x" and "cifar-10-batches-py/x"
                    members.setdefault(posixpath.normpath(member.name), member)
            missing = [name for name in wanted if name not in members]
            # one forward pass in the archive's order: a backward seek in a .gz decompresses
            # again from its start, and the batches need not be stored in order
            for name in [] if missing else sorted(wanted, key=lambda n: members[n].offset_data):
                data[name] = archive.extractfile(members[name]).read()
    except unreadable as err:
        raise ValueError(
            f"CIFAR10Dataset.root (*.dataset.root): {path!r} is not a readable tar archive; "
            f"expected {ARCHIVE} as downloaded from {CIFAR10_URL} ({type(err).__name__}: {err})."
        ) from None
    if missing:
        raise FileNotFoundError(
            f"CIFAR10Dataset.root (*.dataset.root): the archive {path!r} lacks CIFAR-10 "
            f"batches; expected members {wanted}, got no {missing}; {_HOW_TO_GET}."
        )
    for name in wanted:
        yield f"{path!r} member {name!r}", data.pop(name)


@DATASETS.register_module()
class CIFAR10Dataset(BatchedIndexingMixin, Dataset):
    """CIFAR-10 (32 x 32 RGB, 10 classes) from a local copy, scaled to [-1, 1].

    ``root`` is the python version of the dataset as distributed at
    https://www.cs.toronto.edu/~kriz/cifar.html: the archive ``cifar-10-python.tar.gz``
    (members read in memory, nothing extracted), the extracted ``cifar-10-batches-py/``
    folder, or a folder holding either. Nothing is ever downloaded. The batch files are
    pickles, read by an unpickler that rebuilds numpy arrays only (a pickle naming any other
    global is refused, not run). Every batch is checked when the dataset is built.

    The pixels stay uint8 in memory (``_pixels``, (N, 3, 32, 32): 150 MB for the train
    split); ``images`` is a property computing the float32 [-1, 1] tensor on demand (600 MB
    for the train split), so read it once, not per item.

    Args:
        root (str): local archive or folder, as above.
        split (str): ``'train'`` (data_batch_1..5, 50,000 images) or ``'test'``
            (test_batch, 10,000 images).
        hflip_prob (float): probability of a horizontal flip per item, drawn from torch's
            global RNG; 0 (no draw at all) for evaluation.
        max_items (int | None): keep the first N images of the split (all when N exceeds
            the split), for quick runs; None keeps all.

    Items are ``dict(inputs=FloatTensor (3, 32, 32) in [-1, 1], label=int64 scalar tensor)``.

    Example:
        ``dataset=dict(type='CIFAR10Dataset', root='data/cifar-10-python.tar.gz',
        hflip_prob=0.5)``
    """

    def __init__(
        self,
        root: str,
        split: str = "train",
        hflip_prob: float = 0.0,
        max_items: int | None = None,
    ) -> None:
        self._check_args(split, hflip_prob, max_items)
        names = SPLIT_FILES[split]
        kind, path = _find_source(os.fspath(root), names)
        read = _read_folder if kind == "folder" else _read_archive
        pixels, labels, count = [], [], 0
        with closing(read(path, names)) as batches:  # closes the archive on an early stop
            for source, data in batches:
                batch = _checked_batch(_unpickle_batch(data, source), source)
                pixels.append(batch[0])
                labels.append(batch[1])
                count += len(batch[1])
                if max_items is not None and count >= max_items:
                    break  # the later batches are not unpickled (nor read, from a folder)
        pixels, labels = np.concatenate(pixels), np.concatenate(labels)
        if max_items is not None and max_items < count:  # copies: no hidden rest of a batch
            pixels, labels = pixels[:max_items].copy(), labels[:max_items].copy()
        self._pixels = torch.from_numpy(pixels)  # (N, 3, 32, 32) uint8
        self.labels = torch.from_numpy(labels)  # (N,) int64
        self.split = split
        self.hflip_prob = float(hflip_prob)

    @staticmethod
    def _check_args(split, hflip_prob, max_items) -> None:
        """Raises ValueError for an unknown split, a bad flip probability or max_items."""
        if split not in SPLIT_FILES:
            raise ValueError(
                f"CIFAR10Dataset.split (*.dataset.split): unknown split; expected one of "
                f"{tuple(SPLIT_FILES)}, got {split!r}."
            )
        if (
            not isinstance(hflip_prob, (int, float))
            or isinstance(hflip_prob, bool)
            or not 0 <= hflip_prob <= 1
        ):
            raise ValueError(
                f"CIFAR10Dataset.hflip_prob (*.dataset.hflip_prob): not a probability; "
                f"expected a float in [0, 1], got {hflip_prob!r}."
            )
        if max_items is not None:
            check_int("CIFAR10Dataset.max_items (*.dataset.max_items)", max_items, 1)

    @staticmethod
    def _scaled(pixels: Tensor) -> Tensor:
        """uint8 [0, 255] to float32 [-1, 1] (0 -> -1.0, 255 -> 1.0 exactly)."""
        return pixels.float() / 127.5 - 1

    @property
    def images(self) -> Tensor:
        """Every image, (N, 3, 32, 32) float32 in [-1, 1], computed on each access."""
        return self._scaled(self._pixels)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict:
        x = self._scaled(self._pixels[index])
        if self.hflip_prob > 0 and float(torch.rand(())) < self.hflip_prob:
            x = x.flip(-1)
        return dict(inputs=x, label=self.labels[index])

    def get_batch(self, index: Tensor) -> dict:
        """``inputs`` (B, 3, 32, 32) in [-1, 1], ``label`` (B,).

        The flips are drawn as ``__getitem__`` draws them, one uniform per sample in index
        order: torch's CPU generator gives ``torch.rand(B)`` the numbers of B ``rand(())``.
        """
        x = self._scaled(self._pixels[index])  # (B, 3, 32, 32)
        if self.hflip_prob > 0:
            flip = torch.rand(len(index)) < self.hflip_prob  # (B,)
            x = torch.where(flip[:, None, None, None], x.flip(-1), x)
        return dict(inputs=x, label=self.labels[index])
