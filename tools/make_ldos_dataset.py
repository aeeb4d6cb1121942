r"""Make (or check) a dataset of disorder potentials and their LDOS maps.

    python tools/make_ldos_dataset.py --lattice square --size 32 --num 5000 \
        --energies -3 -2 -1 0.5 --out data/ldos_square32 [--disorder gaussian --strength 1.0 \
        --correlation-length 2.0] [--solver exact --broadening 0.1] [--workers 2] [--shard 0/2]
    python tools/make_ldos_dataset.py verify data/ldos_square32 [--num 20] [--seed 0]

Writes ``OUT/manifest.json`` (every parameter, as registry configs) and
``OUT/samples/{index:06d}.npz``: ``potential`` (H, W) and ``ldos`` (C, H, W), float32, plus
``index`` and ``seed``. Sample i draws its disorder from
``np.random.default_rng(np.random.SeedSequence([seed, i]))`` and every map is computed with
one BLAS thread, so it is the same for any ``--workers`` or ``--shard`` and can be recomputed
alone (``verify`` does). Resumable: a finished sample is never rewritten; rerun the same command
to finish a killed run. A manifest that disagrees with the request stops the run (exit 2).
"""

from __future__ import annotations

import argparse
import glob
import json
import multiprocessing
import os
import os.path as osp
import re
import sys
import time
from typing import NamedTuple

import numpy as np

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from _cli import exit_cleanly_on_bad_input  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402
from tqdm import tqdm  # noqa: E402

from greenreg import __version__  # noqa: E402
from greenreg.datasets.ldos_maps import (  # noqa: E402
    FORMAT_VERSION,
    read_manifest,
    read_sample,
    sample_path,
)
from greenreg.registry import DISORDERS as DISORDER_REGISTRY  # noqa: E402
from greenreg.registry import LATTICES as LATTICE_REGISTRY  # noqa: E402
from greenreg.registry import LDOS_SOLVERS  # noqa: E402

LATTICES = {"square": "SquareLattice", "honeycomb": "HoneycombLattice"}
SOLVERS = {"exact": "ExactGreenLDOSSolver", "kpm": "KPMLDOSSolver", "leads": "KwantLeadsLDOSSolver"}
# --disorder NAME -> registered type and its options (CLI dest -> default)
DISORDERS = {
    "gaussian": ("GaussianCorrelatedDisorder", {"strength": 1.0, "correlation_length": 2.0}),
    "anderson": ("AndersonDisorder", {"width": 2.0}),
    "impurities": ("PointImpurityDisorder", {"density": 0.05, "strength": 2.0}),
}
# what must agree between a stored manifest and a new request (the rest is description)
PARAMETER_KEYS = ("format_version", "lattice", "disorder", "solver", "energies", "num", "seed")
PARAMETER_KEYS += ("grid_shape", "num_sites", "sample_pattern")
VERIFY_RTOL = 1e-5
MAX_PROBLEM_LINES = 20
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class Physics(NamedTuple):
    """The built components one map needs."""

    lattice: object
    disorder: object
    solver: object


class OneLineParser(argparse.ArgumentParser):
    """argparse that raises ValueError (one line, exit 2 via _cli) instead of printing usage."""

    def error(self, message: str) -> None:  # noqa: D102
        raise ValueError(f"{message} (see {self.prog} --help)")


def make_parser() -> argparse.ArgumentParser:
    """The options of the default (make) command."""
    parser = OneLineParser(prog="make_ldos_dataset.py", description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--lattice", choices=LATTICES, default="square")
    add("--size", type=int, required=True, help="lattice side (sites or unit cells), >= 2")
    add("--hopping", type=float, default=1.0, help="nearest-neighbour hopping t")
    add("--next-hopping", type=float, default=0.0, help="next-nearest-neighbour hopping t'")
    add("--num", type=int, required=True, help="number of maps")
    add("--energies", type=float, nargs="+", required=True, help="in units of the hopping")
    add("--disorder", choices=DISORDERS, default="gaussian")
    for option in ("strength", "correlation_length", "width", "density"):
        add(f"--{option.replace('_', '-')}", type=float, default=None, help="disorder option")
    add("--solver", choices=SOLVERS, default="exact")
    add("--broadening", type=float, default=0.1, help="Lorentzian half-width eta")
    add("--num-moments", type=int, default=None, help="Chebyshev moments (--solver kpm only)")
    add("--seed", type=int, default=0, help="base seed (>= 0)")
    add("--out", required=True, help="output folder")
    add("--workers", type=int, default=os.cpu_count() or 1, help="processes (default: all)")
    add("--shard", default="0/1", help="K/N: compute only the indices i with i %% N == K")
    return parser


def verify_parser() -> argparse.ArgumentParser:
    """The options of ``verify``."""
    parser = OneLineParser(prog="make_ldos_dataset.py verify", description="check a dataset")
    parser.add_argument("data_root", help="folder made by this tool")
    parser.add_argument("--num", type=int, default=20, help="maps to recompute")
    parser.add_argument("--seed", type=int, default=0, help="seed of the recomputed subset")
    return parser


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> (K, N), or ValueError."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        k, n = -1, 0
    if not 0 <= k < n:
        raise ValueError(f"--shard: expected K/N with integers 0 <= K < N, got {text!r}.")
    return k, n


def check_args(args: argparse.Namespace) -> None:
    """ValueError for a CLI value out of range or an option the chosen component lacks."""
    for option, low in (("size", 2), ("num", 1), ("seed", 0), ("workers", 1)):
        if getattr(args, option) < low:
            value = getattr(args, option)
            raise ValueError(f"--{option}: too small; expected an integer >= {low}, got {value}.")
    if not np.isfinite(args.energies).all():
        raise ValueError(f"--energies: expected finite numbers, got {args.energies}.")
    options = DISORDERS[args.disorder][1]
    for option in ("strength", "correlation_length", "width", "density"):
        if getattr(args, option) is not None and option not in options:
            flags = ", ".join(f"--{o.replace('_', '-')}" for o in options)
            raise ValueError(
                f"--{option.replace('_', '-')}: not an option of --disorder {args.disorder}; "
                f"expected only {flags}, got {getattr(args, option)}."
            )
    if args.num_moments is not None and args.solver != "kpm":
        raise ValueError(f"--num-moments: only for --solver kpm; got --solver {args.solver}.")


def component_configs(args: argparse.Namespace) -> dict[str, dict]:
    """The registry configs (``type`` + keywords) of the lattice, disorder and solver."""
    disorder_type, options = DISORDERS[args.disorder]
    disorder = {o: d if getattr(args, o) is None else getattr(args, o) for o, d in options.items()}
    solver = dict(type=SOLVERS[args.solver], broadening=args.broadening)
    if args.solver == "kpm":
        solver["num_moments"] = 200 if args.num_moments is None else args.num_moments
    return dict(
        lattice=dict(
            type=LATTICES[args.lattice],
            size=args.size,
            hopping=args.hopping,
            next_hopping=args.next_hopping,
        ),
        disorder=dict(type=disorder_type, **disorder),
        solver=solver,
    )


def request_manifest(args: argparse.Namespace) -> dict:
    """The manifest the CLI arguments ask for (without grid_shape/num_sites), checked."""
    check_args(args)
    configs = component_configs(args)
    flags = dict(lattice=args.lattice, disorder=args.disorder, solver=args.solver)
    for config in configs.values():
        flags.update((key, value) for key, value in config.items() if key != "type")
    flags.update(num=args.num, seed=args.seed, energies=" ".join(map(str, args.energies)))
    command = " ".join(f"--{key.replace('_', '-')} {value}" for key, value in flags.items())
    return dict(
        format_version=FORMAT_VERSION,
        greenreg_version=__version__,
        **configs,
        energies=list(args.energies),
        num=args.num,
        seed=args.seed,
        sample_pattern="samples/{index:06d}.npz",
        arrays=dict(
            potential="(H, W) float32: on-site energy, units of the hopping (lattice.to_grid)",
            ldos="(C, H, W) float32: LDOS per site at each energy, states / (energy x site)",
        ),
        seeding="np.random.default_rng(np.random.SeedSequence([seed, index]))",
        command=f"python tools/make_ldos_dataset.py {command}",  # + --out DATA_ROOT
    )


def build_physics(manifest: dict) -> Physics:
    """Lattice, disorder and solver built from the manifest's registry configs."""
    return Physics(
        LATTICE_REGISTRY.build(dict(manifest["lattice"])),
        DISORDER_REGISTRY.build(dict(manifest["disorder"])),
        LDOS_SOLVERS.build(dict(manifest["solver"])),
    )


def compute_sample(physics: Physics, manifest: dict, index: int) -> dict[str, np.ndarray]:
    """Sample ``index``: its potential (H, W) and LDOS (C, H, W) float32, index, seed."""
    lattice, disorder, solver = physics
    rng = np.random.default_rng(np.random.SeedSequence([manifest["seed"], index]))
    potential = disorder.sample(lattice, rng)  # (N,)
    ldos = solver.ldos(lattice, potential, np.asarray(manifest["energies"], dtype=np.float64))
    return dict(
        potential=np.asarray(lattice.to_grid(potential), dtype=np.float32),  # (H, W)
        ldos=np.asarray(lattice.to_grid(ldos), dtype=np.float32),  # (C, H, W)
        index=np.int64(index),
        seed=np.int64(manifest["seed"]),
    )


def temp_path(path: str) -> str:
    """The hidden file a sample is written to before it is renamed into place."""
    return osp.join(osp.dirname(path), f".{osp.basename(path)}.tmp")


def write_sample(path: str, arrays: dict[str, np.ndarray]) -> None:
    """Writes atomically: a killed run leaves at most a temp file, never a half sample."""
    with open(temp_path(path), "wb") as file:  # a file object: savez adds no suffix
        np.savez(file, **arrays)
    os.replace(temp_path(path), path)


def is_finished(out: str, manifest: dict, index: int) -> bool:
    """Whether sample ``index`` loads with the right shapes, index and seed."""
    try:
        arrays = read_sample(sample_path(out, manifest, index), manifest)
    except (FileNotFoundError, ValueError):
        return False
    return arrays["index"] == index and arrays["seed"] == manifest["seed"]


def flat(config: dict, prefix: str = "") -> dict:
    """``{"lattice": {"size": 32}}`` -> ``{"lattice.size": 32}``."""
    items = {}
    for key, value in config.items():
        if isinstance(value, dict):
            items.update(flat(value, f"{prefix}{key}."))
        else:
            items[f"{prefix}{key}"] = value
    return items


def check_same(stored: dict, requested: dict, path: str) -> None:
    """ValueError naming the first parameter where a stored manifest and the request differ."""
    old = flat({key: stored.get(key) for key in PARAMETER_KEYS})
    new = flat({key: requested.get(key) for key in PARAMETER_KEYS})
    for key in [*new, *(k for k in old if k not in new)]:
        if old.get(key) != new.get(key):
            raise ValueError(
                f"{path}: {key} is {old.get(key)!r} there but {new.get(key)!r} was requested; "
                f"expected the parameters of the run that made it (use another --out)."
            )


def write_manifest(out: str, manifest: dict) -> None:
    """Writes OUT/manifest.json atomically, only if absent; an existing one must agree."""
    path = osp.join(out, "manifest.json")
    temp = f"{path}.{os.getpid()}.tmp"
    with open(temp, "w") as file:
        json.dump(manifest, file, indent=2)
        file.write("\n")
    try:
        os.link(temp, path)  # atomic and fails if another shard got there first
    except FileExistsError:
        check_same(read_manifest(out), manifest, path)
    except OSError:  # a file system without hard links
        os.replace(temp, path)
    finally:
        if osp.exists(temp):
            os.remove(temp)


_WORKER: dict = {}


def init_worker(out: str, manifest: dict) -> None:
    """Pool initializer: one BLAS/OpenMP thread per worker (see DESIGN.md), physics built once."""
    for variable in THREAD_VARIABLES:  # for libraries the worker loads later (kwant, MUMPS)
        os.environ[variable] = "1"
    _WORKER.update(
        limits=threadpool_limits(limits=1),
        physics=build_physics(manifest),
        out=out,
        manifest=manifest,
    )


def make_sample(out: str, manifest: dict, physics: Physics, index: int) -> None:
    """Computes sample ``index`` and writes it into ``out``."""
    write_sample(sample_path(out, manifest, index), compute_sample(physics, manifest, index))


def make_one(index: int) -> None:
    """Pool task: :func:`make_sample` with the worker's physics."""
    make_sample(_WORKER["out"], _WORKER["manifest"], _WORKER["physics"], index)


def compute_all(out: str, manifest: dict, physics: Physics, todo: list[int], workers: int) -> None:
    """Computes and writes the samples ``todo`` with ``workers`` processes, with a progress bar."""
    if workers == 1 or len(todo) <= 1:
        with threadpool_limits(limits=1), tqdm(total=len(todo), unit="map") as bar:
            for index in todo:
                make_sample(out, manifest, physics, index)
                bar.update()
        return
    # fork: workers start without re-importing greenreg (seconds each); one BLAS thread each
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with context.Pool(min(workers, len(todo)), init_worker, (out, manifest)) as pool:
        with tqdm(total=len(todo), unit="map") as bar:
            for _ in pool.imap_unordered(make_one, todo):
                bar.update()


def check_in_band(energies: list[float], lattice: object) -> None:
    """ValueError for an energy outside the clean band, [E_min, E_max] in units of t.

    The solvers accept each map's band widened by its own max|V|; an energy in that tail
    would pass for some maps and stop the run at others, so the tool holds to the clean band.
    """
    low, high = lattice.band_edges
    outside = [energy for energy in energies if not low <= energy <= high]
    if outside:
        raise ValueError(
            f"--energies: energy {outside[0]:g} lies outside the clean band of "
            f"{type(lattice).__name__}; expected energies in [{low:g}, {high:g}] (units of "
            f"the hopping), got {outside[0]:g}."
        )


def remove_temp_files(out: str, shard: int, num_shards: int) -> None:
    """Deletes the temp files a killed run of this shard left (other shards may be running)."""
    for temp in glob.glob(osp.join(out, "samples", ".*.npz.tmp")):
        index = re.fullmatch(r"\.(\d+)\.npz\.tmp", osp.basename(temp))
        if index and int(index[1]) % num_shards == shard:
            os.remove(temp)


def make(args: argparse.Namespace) -> None:
    """Checks the request against OUT, then computes this shard's missing samples."""
    shard, num_shards = parse_shard(args.shard)
    manifest = request_manifest(args)
    physics = build_physics(manifest)
    lattice = physics.lattice
    manifest.update(grid_shape=list(lattice.grid_shape), num_sites=lattice.num_sites)
    check_in_band(args.energies, lattice)
    path = osp.join(args.out, "manifest.json")
    stored = read_manifest(args.out) if osp.exists(path) else None
    if stored is not None:
        check_same(stored, manifest, path)  # before anything is written
    indices, start, probe = range(shard, args.num, num_shards), time.perf_counter(), None
    if stored is None and len(indices):  # the solver rejects bad energies before any write
        with threadpool_limits(limits=1):
            probe = compute_sample(physics, manifest, indices[0])
    os.makedirs(osp.join(args.out, "samples"), exist_ok=True)
    write_manifest(args.out, manifest)
    remove_temp_files(args.out, shard, num_shards)
    todo = [i for i in indices if not is_finished(args.out, manifest, i)]
    probed = int(probe is not None and todo[:1] == [indices[0]])
    if probed:
        write_sample(sample_path(args.out, manifest, indices[0]), probe)
    compute_all(args.out, manifest, physics, todo[probed:], args.workers)
    seconds = time.perf_counter() - start
    print(
        f"{args.out}: shard {shard}/{num_shards}: computed {len(todo)} maps in {seconds:.1f} s "
        f"({60 * len(todo) / max(seconds, 1e-9):.0f} maps/min); "
        f"{len(indices) - len(todo)} were already there."
    )


def relative_difference(stored: np.ndarray, expected: np.ndarray) -> float:
    """Max |stored - expected| / max |expected| (0 when both are zero)."""
    scale = float(np.abs(expected).max())
    error = float(np.abs(stored.astype(np.float64) - expected).max())
    return error / scale if scale > 0 else error


def verify(args: argparse.Namespace) -> int:
    """Checks every file and recomputes a seeded subset; returns the exit status."""
    manifest = read_manifest(args.data_root)
    problems, finished = [], []
    for index in range(manifest["num"]):
        path = sample_path(args.data_root, manifest, index)
        try:
            arrays = read_sample(path, manifest)
        except (FileNotFoundError, ValueError) as err:
            problems.append(str(err))
            continue
        if (arrays["index"], arrays["seed"]) != (index, manifest["seed"]):
            got = (arrays["index"], arrays["seed"])
            problems.append(
                f"{path}: wrong sample; expected index, seed {index, manifest['seed']}, got {got}."
            )
            continue
        finished.append(index)
    rng = np.random.default_rng(args.seed)
    chosen = sorted(rng.choice(finished, size=min(args.num, len(finished)), replace=False).tolist())
    physics, worst = build_physics(manifest), 0.0
    with threadpool_limits(limits=1):
        for index in chosen:
            path = sample_path(args.data_root, manifest, index)
            stored, expected = read_sample(path, manifest), compute_sample(physics, manifest, index)
            difference = max(
                relative_difference(stored[k], expected[k]) for k in ("potential", "ldos")
            )
            worst = max(worst, difference)
            if difference > VERIFY_RTOL:
                problems.append(
                    f"{path}: mismatch; expected the recomputed arrays within relative "
                    f"{VERIFY_RTOL:g}, got a max relative difference {difference:.3g}."
                )
    for line in problems[:MAX_PROBLEM_LINES]:
        print(line)
    if len(problems) > MAX_PROBLEM_LINES:
        print(f"... and {len(problems) - MAX_PROBLEM_LINES} more problems.")
    print(
        f"{args.data_root}: {len(finished)}/{manifest['num']} files load with the right shapes; "
        f"{len(chosen)} recomputed, max relative difference {worst:.3g}; "
        f"{'OK' if not problems else f'{len(problems)} problems'}."
    )
    return 1 if problems else 0


@exit_cleanly_on_bad_input
def main() -> None:
    """``verify DATA_ROOT`` checks a dataset; anything else makes one."""
    argv = sys.argv[1:]
    if argv[:1] == ["verify"]:
        status = verify(verify_parser().parse_args(argv[1:]))
        if status:
            sys.exit(status)
    else:
        make(make_parser().parse_args(argv))


if __name__ == "__main__":
    main()
