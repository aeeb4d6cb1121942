"""Physics consistency: the LDOS of a generated potential against the maps it came from."""

from __future__ import annotations

import multiprocessing as mp
import os

import numpy as np

_WORKER: dict = {}


def relative_l2(pred: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """||pred - ref|| / ||ref|| per sample, over every non-batch axis; shape (N,)."""
    pred, ref = np.asarray(pred, np.float64), np.asarray(ref, np.float64)
    diff = (pred - ref).reshape(len(ref), -1)
    return np.linalg.norm(diff, axis=1) / np.maximum(
        np.linalg.norm(ref.reshape(len(ref), -1), axis=1), 1e-12
    )


def pearson(pred: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Pearson correlation per sample over every non-batch axis; shape (N,)."""
    a = np.asarray(pred, np.float64).reshape(len(ref), -1)
    b = np.asarray(ref, np.float64).reshape(len(ref), -1)
    a, b = a - a.mean(1, keepdims=True), b - b.mean(1, keepdims=True)
    denom = np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-12)
    return (a * b).sum(1) / denom


def _init_worker(manifest: dict) -> None:
    from threadpoolctl import threadpool_limits

    from greenreg.registry import LATTICES, LDOS_SOLVERS

    # one BLAS thread per worker: two threads per process on two busy cores ran 45x slower
    _WORKER["limits"] = threadpool_limits(1)
    _WORKER["lattice"] = LATTICES.build(dict(manifest["lattice"]))
    _WORKER["solver"] = LDOS_SOLVERS.build(dict(manifest["solver"]))
    _WORKER["energies"] = np.asarray(manifest["energies"], dtype=np.float64)


def _ldos_of(potential_grid: np.ndarray) -> np.ndarray:
    lattice, solver = _WORKER["lattice"], _WORKER["solver"]
    values = solver.ldos(lattice, lattice.from_grid(potential_grid), _WORKER["energies"])
    return lattice.to_grid(values).astype(np.float32)  # (C, H, W)


class LDOSRecomputer:
    """Recomputes LDOS maps of potentials with a data set's own lattice, solver and energies.

    The measure GreenDiff is judged by first: an LDOS map is what the microscope measured,
    so a potential consistent with it must reproduce it through the same physics (the data
    set's manifest: lattice, LDOS solver with its broadening, energies).

    Args:
        manifest (dict): the data set's ``manifest.json`` (``tools/make_ldos_dataset.py``).
        workers (int): processes, each with one BLAS thread; 0 or 1 = in this process.
    """

    def __init__(self, manifest: dict, workers: int = 1) -> None:
        self.manifest, self.workers = manifest, max(1, int(workers))

    def __call__(self, potentials: np.ndarray, progress: bool = False) -> np.ndarray:
        """LDOS maps (N, C, H, W), float32, of raw potentials (N, H, W) in units of t."""
        potentials = np.asarray(potentials, dtype=np.float64)
        items = list(potentials)
        if self.workers == 1:
            _init_worker(self.manifest)
            results = [_ldos_of(p) for p in _progress(items, progress)]
        else:
            ctx = mp.get_context("fork" if os.name == "posix" else "spawn")
            with ctx.Pool(self.workers, _init_worker, (self.manifest,)) as pool:
                results = list(
                    _progress(pool.imap(_ldos_of, items, chunksize=4), progress, len(items))
                )
        return np.stack(results)


def _progress(items, enabled: bool, total: int | None = None):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc="LDOS", unit="map", leave=False, disable=None)
