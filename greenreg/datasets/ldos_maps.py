"""Disorder potentials and their LDOS maps, as written by ``tools/make_ldos_dataset.py``.

On disk (``DATA_ROOT``): ``manifest.json`` (every parameter of the physics, see the tool) and
``samples/{index:06d}.npz``, each holding ``potential`` (H, W) float32, ``ldos`` (C, H, W)
float32 (C = number of energies, site values mapped to the grid), ``index`` and ``seed``.
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from greenreg.datasets.batched_indexing import BatchedIndexingMixin
from greenreg.registry import DATASETS

FORMAT_VERSION = 1
SPLITS = ("train", "test", "all")
MAKE_TOOL = "tools/make_ldos_dataset.py"


def read_manifest(data_root: str) -> dict:
    """The parsed ``DATA_ROOT/manifest.json``.

    Raises:
        FileNotFoundError: no folder or no manifest; the message gives the command making one.
        ValueError: the manifest is not JSON or has another format version.
    """
    path = os.path.join(data_root, "manifest.json")
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"LDOSMapDataset.data_root (*.dataset.data_root): no LDOS dataset at {data_root!r} "
            f"(no manifest.json); expected a folder made by `python {MAKE_TOOL} --lattice square "
            f"--size 32 --num 5000 --energies -3 -2 -1 0.5 --out {data_root}`."
        )
    try:
        with open(path) as file:
            manifest = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: not a JSON manifest ({err}).") from None
    version = manifest.get("format_version") if isinstance(manifest, dict) else None
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{path}: unsupported LDOS dataset format; expected format_version "
            f"{FORMAT_VERSION}, got {version!r}."
        )
    return manifest


def sample_path(data_root: str, manifest: dict, index: int) -> str:
    """Where sample ``index`` lives (``manifest['sample_pattern']`` under ``data_root``)."""
    return os.path.join(data_root, manifest["sample_pattern"].format(index=index))


def read_sample(path: str, manifest: dict) -> dict[str, np.ndarray]:
    """One sample's arrays, checked against the manifest (shapes, dtype, finite values).

    Returns:
        dict: ``potential`` (H, W) float32, ``ldos`` (C, H, W) float32, ``index`` and
        ``seed`` as Python ints.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: the file does not load, or an array is missing, misshapen or not finite.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: missing.")
    height, width = manifest["grid_shape"]
    expected = {
        "potential": (height, width),
        "ldos": (len(manifest["energies"]), height, width),
        "index": (),
        "seed": (),
    }
    try:
        with np.load(path, allow_pickle=False) as archive:  # a pickle here could run code
            arrays = {key: archive[key] for key in expected if key in archive.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise ValueError(f"{path}: corrupt, does not load ({type(err).__name__}: {err}).") from None
    for key, shape in expected.items():
        got = arrays[key].shape if key in arrays else "no such array"
        if got != shape:
            raise ValueError(f"{path}: corrupt; expected {key} of shape {shape}, got {got}.")
    for key in ("potential", "ldos"):
        if arrays[key].dtype != np.float32 or not np.isfinite(arrays[key]).all():
            raise ValueError(
                f"{path}: corrupt; expected {key} finite float32, got dtype {arrays[key].dtype} "
                f"with {np.size(arrays[key]) - np.isfinite(arrays[key]).sum()} non-finite values."
            )
    arrays["index"], arrays["seed"] = int(arrays["index"]), int(arrays["seed"])
    return arrays


@DATASETS.register_module()
class LDOSMapDataset(BatchedIndexingMixin, Dataset):
    """Disorder potentials (inputs) and their LDOS maps, normalised with train statistics.

    Loads every sample at construction; samples ``[0, num - test_size)`` are ``train``, the
    last ``test_size`` are ``test``. The normalisation comes from the train maps only, so both
    splits share it: ``ldos_scale`` (C,) is the mean LDOS per energy, ``potential_scale`` is
    given or 3 x the std of the train potentials (potentials then lie roughly in [-1, 1]).

    Args:
        data_root (str): folder written by ``tools/make_ldos_dataset.py --out``.
        split (str): ``"train"``, ``"test"`` or ``"all"``.
        test_size (int): number of maps held out at the end; 0 <= test_size < num.
        potential_scale (float | None): divide potentials by this (energy units of the
            hopping); None = 3 x std of the train potentials.
        energies (list[float] | None): if given, must equal the manifest's energies.
        size (int | None): if given, must equal the manifest's lattice size.

    Each item is a dict: ``inputs`` (1, H, W) float32 potential / potential_scale, ``ldos``
    (C, H, W) float32 LDOS / ldos_scale per energy, ``index`` int (position in the dataset
    folder). ``default_collate`` stacks them; ``get_batch`` indexes a batch at once.

    Raises:
        FileNotFoundError: no manifest, or a sample file is missing.
        ValueError: a corrupt sample, a bad split/test_size, or energies/size that disagree.

    Example:
        ``dict(type='LDOSMapDataset', data_root='data/ldos_square32', split='train')``
    """

    def __init__(
        self,
        data_root: str,
        split: str = "train",
        test_size: int = 500,
        potential_scale: float | None = None,
        energies: list | None = None,
        size: int | None = None,
    ) -> None:
        self.manifest = manifest = read_manifest(data_root)
        self._check_request(manifest, split, test_size, potential_scale, energies, size)
        potentials, ldos = self._load_all(data_root, manifest)
        num_train = manifest["num"] - test_size
        train_ldos = ldos[:num_train].astype(np.float64)
        self.ldos_scale = torch.from_numpy(train_ldos.mean(axis=(0, 2, 3))).float()  # (C,)
        if potential_scale is None:
            potential_scale = 3.0 * float(potentials[:num_train].astype(np.float64).std())
        self.potential_scale = float(potential_scale)
        self._check_scales(data_root)
        indices = {"train": range(num_train), "test": range(num_train, manifest["num"])}
        self.indices = list(indices.get(split, range(manifest["num"])))
        self.potentials_raw = torch.from_numpy(potentials[self.indices])  # (N, H, W)
        self.ldos_raw = torch.from_numpy(ldos[self.indices])  # (N, C, H, W)
        self._folder_index = torch.tensor(self.indices, dtype=torch.long)  # (N,)
        self.metainfo = dict(
            ldos_scale=self.ldos_scale.tolist(),
            potential_scale=self.potential_scale,
            energies=list(manifest["energies"]),
            grid_shape=list(manifest["grid_shape"]),
            lattice=manifest["lattice"],
            disorder=manifest["disorder"],
            solver=manifest["solver"],
        )

    @staticmethod
    def _check_request(manifest, split, test_size, potential_scale, energies, size) -> None:
        """Raises ValueError for a bad split/test_size/scale or a disagreeing energies/size."""
        if split not in SPLITS:
            raise ValueError(
                f"LDOSMapDataset.split (*.dataset.split): unknown split; expected one of "
                f"{SPLITS}, got {split!r}."
            )
        num = manifest["num"]
        if not 0 <= test_size < num or (split == "test" and test_size == 0):
            low = 1 if split == "test" else 0
            raise ValueError(
                f"LDOSMapDataset.test_size (*.dataset.test_size): must leave train maps; "
                f"expected {low} <= test_size < {num} (the dataset's num), got {test_size}."
            )
        if potential_scale is not None and not potential_scale > 0:
            raise ValueError(
                f"LDOSMapDataset.potential_scale (*.dataset.potential_scale): must be "
                f"positive; expected a float > 0 or None, got {potential_scale}."
            )
        stored = [float(e) for e in manifest["energies"]]
        if energies is not None and [float(e) for e in energies] != stored:
            raise ValueError(
                f"LDOSMapDataset.energies (*.dataset.energies): the config's energies "
                f"disagree with the dataset's manifest; expected {stored}, got {list(energies)}."
            )
        if size is not None and size != manifest["lattice"].get("size"):
            raise ValueError(
                f"LDOSMapDataset.size (*.dataset.size): the config's lattice size disagrees "
                f"with the dataset's manifest; expected {manifest['lattice'].get('size')}, "
                f"got {size}."
            )

    @staticmethod
    def _load_all(data_root: str, manifest: dict) -> tuple[np.ndarray, np.ndarray]:
        """Potentials (num, H, W) and LDOS (num, C, H, W), float32, of every sample file."""
        command = f"{manifest.get('command', f'python {MAKE_TOOL} ...')} --out {data_root}"
        finish = f"; run `{command}` to finish the dataset (existing maps are kept)."
        potentials, ldos = [], []
        for index in range(manifest["num"]):
            path = sample_path(data_root, manifest, index)
            try:
                arrays = read_sample(path, manifest)
            except FileNotFoundError as err:
                raise FileNotFoundError(f"LDOSMapDataset: {str(err).rstrip('.')}{finish}") from None
            except ValueError as err:
                raise ValueError(f"LDOSMapDataset: {str(err).rstrip('.')}{finish}") from None
            potentials.append(arrays["potential"])
            ldos.append(arrays["ldos"])
        return np.stack(potentials), np.stack(ldos)

    def _check_scales(self, data_root: str) -> None:
        """Raises ValueError when a scale is zero or not finite (division would blow up)."""
        scales = [*self.ldos_scale.tolist(), self.potential_scale]
        if not all(np.isfinite(scales)) or min(scales) <= 0:
            raise ValueError(
                f"LDOSMapDataset ({data_root!r}): the train maps give a zero or non-finite "
                f"normalisation; expected a positive mean LDOS per energy and a positive "
                f"potential std, got ldos_scale {scales[:-1]}, potential_scale {scales[-1]} "
                f"(pass potential_scale for a disorder-free dataset)."
            )

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> dict:
        return dict(
            inputs=self.potentials_raw[index][None] / self.potential_scale,  # (1, H, W)
            ldos=self.normalize_ldos(self.ldos_raw[index]),  # (C, H, W)
            index=self.indices[index],
        )

    def get_batch(self, index: Tensor) -> dict:
        """``inputs`` (B, 1, H, W), ``ldos`` (B, C, H, W), ``index`` (B,) int64."""
        return dict(
            inputs=self.potentials_raw[index][:, None] / self.potential_scale,
            ldos=self.normalize_ldos(self.ldos_raw[index]),
            index=self._folder_index[index],
        )

    def denormalize_potential(self, x: Tensor) -> Tensor:
        """Potential in energy units from a normalised one, any shape."""
        return torch.as_tensor(x) * self.potential_scale

    def normalize_ldos(self, raw: Tensor) -> Tensor:
        """LDOS / ldos_scale per energy; ``raw`` shape (..., C, H, W)."""
        raw = torch.as_tensor(raw)
        return raw / self.ldos_scale.to(raw.device)[:, None, None]

    def denormalize_ldos(self, x: Tensor) -> Tensor:
        """LDOS in states per energy per site from a normalised one, shape (..., C, H, W)."""
        x = torch.as_tensor(x)
        return x * self.ldos_scale.to(x.device)[:, None, None]
