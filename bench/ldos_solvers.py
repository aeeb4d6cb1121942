"""LDOS solvers: time per map, maps per minute and accuracy against the exact solver.

    python bench/ldos_solvers.py [--size 32] [--energies -3 -2 -1 0.5] [--broadening 0.1]
        [--maps 3] [--threads 1]

The dataset's physics (configs/_base_/datasets/ldos_square32.py): a size x size square
lattice with GaussianCorrelatedDisorder (strength 1, correlation length 2), the LDOS at
``--energies`` with Lorentzian broadening eta. Each solver computes ``--maps`` maps (seeds
0..maps-1, the same potentials for all) with ``--threads`` BLAS threads (threadpoolctl);
seconds per map is the mean. Maps per minute on 2 cores is 2 x the one-thread rate (the
dataset tool runs one single-threaded worker per core), not a measurement. Accuracy: the
relative L2 error ||rho - rho_exact|| / ||rho_exact|| over all maps and energies, against
ExactGreenLDOSSolver(method='dense') at the same eta. The Jackson-kernel and the eta = 0
open-system rows compute other physics (other line shape; leads): their error is a
distance, not a defect. Prints a table and a recommendation; writes
bench/results/ldos_solvers.json.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from common import print_table, write_json  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from greenreg.physics import GaussianCorrelatedDisorder, SquareLattice  # noqa: E402
from greenreg.registry import LDOS_SOLVERS  # noqa: E402

# a solver is a drop-in replacement for the exact one if its maps differ by less than this
# (relative L2): far below the float32 storage and the networks' errors
ACCURATE = 1e-3


def solver_configs(eta: float) -> list[tuple[str, dict, str]]:
    """(name, config, what its error means) of every solver measured."""
    same = "same physics"
    exact = dict(type="ExactGreenLDOSSolver", broadening=eta)
    rows = [
        ("exact dense (eigh)", exact, "reference"),
        ("exact sparse (LU)", dict(exact, method="sparse"), same),
    ]
    for moments in (200, 400, 600, 800):
        cfg = dict(type="KPMLDOSSolver", num_moments=moments, broadening=eta)
        rows.append((f"KPM local, Lorentz, M={moments}", cfg, same))
    rows.append(
        ("KPM local, Jackson, M=200", dict(type="KPMLDOSSolver", num_moments=200), "line shape")
    )
    for vectors in (16, 64):
        cfg = dict(type="KPMLDOSSolver", num_moments=600, num_vectors=vectors, broadening=eta)
        rows.append((f"KPM random R={vectors}, M=600", cfg, same))
    rows.append(("kwant leads x2, eta=0", dict(type="KwantLeadsLDOSSolver"), "open system"))
    cfg = dict(type="KwantLeadsLDOSSolver", broadening=eta)
    rows.append(("kwant leads x2, G(E+i eta)", cfg, "open system"))
    return rows


def run(solver, lattice, potentials, energies) -> tuple[np.ndarray, float]:
    """Maps (maps, E, N) and mean seconds per map."""
    start, maps = time.perf_counter(), []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the truncation warning of small M: measured here
        for potential in potentials:
            maps.append(solver.ldos(lattice, potential, energies))
    return np.stack(maps), (time.perf_counter() - start) / len(potentials)


@functools.cache
def _physics(size: int, cfg_items: tuple) -> tuple:
    """Lattice, disorder and solver, built once per worker as the dataset tool does."""
    lattice = SquareLattice(size)
    return lattice, GaussianCorrelatedDisorder(1.0, 2.0), LDOS_SOLVERS.build(dict(cfg_items))


def _one_map(job: tuple) -> None:
    """Pool task: one map with one BLAS thread (the dataset tool's worker setting)."""
    cfg, size, seed, energies = job
    lattice, disorder, solver = _physics(size, tuple(sorted(cfg.items())))
    potential = disorder.sample(lattice, np.random.default_rng(seed))
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        solver.ldos(lattice, potential, energies)


def measured_rate(cfg: dict, size: int, energies: np.ndarray, maps: int) -> float:
    """Maps per minute of 2 forked single-thread workers on ``maps`` maps (start-up included)."""
    context = multiprocessing.get_context("fork")
    jobs = [(cfg, size, seed, energies) for seed in range(maps)]
    with context.Pool(2) as pool:
        pool.map(_one_map, jobs[:2])  # warm-up: imports, kwant systems
        start = time.perf_counter()
        pool.map(_one_map, jobs, chunksize=1)
        return 60 * maps / (time.perf_counter() - start)


def main() -> None:
    """Every solver on the same potentials; print, recommend, save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--energies", type=float, nargs="+", default=[-3.0, -2.0, -1.0, 0.5])
    parser.add_argument("--broadening", type=float, default=0.1)
    parser.add_argument("--maps", type=int, default=3, help="disorder realisations per solver")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    parser.add_argument(
        "--pool-maps", type=int, default=20, help="maps for the 2-process check (0 = skip)"
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]  # other jobs on these cores slow every timing below
    lattice = SquareLattice(args.size)
    disorder = GaussianCorrelatedDisorder(strength=1.0, correlation_length=2.0)
    potentials = [disorder.sample(lattice, np.random.default_rng(s)) for s in range(args.maps)]
    energies = np.asarray(args.energies)
    rows, reference = [], None
    with threadpool_limits(limits=args.threads):
        blas = sorted({f"{i['internal_api']}:{i['num_threads']}" for i in threadpool_info()})
        lattice.hamiltonian()  # build and cache the clean kwant system outside the timings
        for name, cfg, meaning in solver_configs(args.broadening):
            maps, seconds = run(LDOS_SOLVERS.build(dict(cfg)), lattice, potentials, energies)
            reference = maps if reference is None else reference
            error = float(np.linalg.norm(maps - reference) / np.linalg.norm(reference))
            rows.append(
                dict(
                    solver=name,
                    s_per_map=seconds,
                    maps_per_min_2cores=2 * 60 / seconds,
                    rel_l2_vs_exact=error,
                    error_means=meaning,
                    config=cfg,
                )
            )
            print_table(rows[-1:], ["solver", "s_per_map", "rel_l2_vs_exact"])
    print(
        f"\n{args.size}x{args.size} square, Gaussian disorder (1, xi=2), E={args.energies}, "
        f"eta={args.broadening}, {args.maps} maps, {args.threads} BLAS thread(s) {blas}, "
        f"load average {load:.2f} at start"
    )
    columns = ["solver", "s_per_map", "maps_per_min_2cores", "rel_l2_vs_exact", "error_means"]
    print_table(rows, columns)
    usable = [r for r in rows if r["error_means"] in ("reference", "same physics")]
    usable = [r for r in usable if r["rel_l2_vs_exact"] < ACCURATE]
    best = min(usable, key=lambda r: r["s_per_map"])
    measured = None
    if args.pool_maps:
        measured = measured_rate(best["config"], args.size, energies, args.pool_maps)
        print(
            f"\n{best['solver']}: measured {measured:.0f} maps/min with 2 single-thread "
            f"processes on {os.cpu_count()} cores (shared machine: other jobs lower it)"
        )
    print(
        f"\nrecommended: {best['solver']} ({best['config']}): the fastest solver whose maps are "
        f"within relative L2 {ACCURATE:g} of the exact closed-system LDOS at eta = "
        f"{args.broadening}; {best['s_per_map']:.3f} s per map, "
        f"~{best['maps_per_min_2cores']:.0f} maps/min on 2 cores (2 x one-thread rate)."
    )
    path = write_json(
        "ldos_solvers",
        dict(
            size=args.size,
            energies=args.energies,
            broadening=args.broadening,
            maps=args.maps,
            blas_threads=args.threads,
            blas=blas,
            load_average_at_start=load,
            disorder=dict(type="GaussianCorrelatedDisorder", strength=1.0, correlation_length=2.0),
            maps_per_min_2cores="2 x the one-thread rate, not measured with 2 processes",
            rows=rows,
            recommended=best["solver"],
            recommended_config=best["config"],
            recommended_maps_per_min_2proc_measured=measured,
        ),
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
