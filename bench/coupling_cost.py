"""Coupling cost vs batch size, and greenreg's overhead over calling POT on the same arrays.

    python bench/coupling_cost.py [--sizes 256 1024 2048] [--dim 2] [--repeats 3] [--threads 1]

For each batch size B: the time of ExactOTCoupling.plan and SinkhornCoupling.plan (epsilon
0.05 relative to the mean cost, log domain) on B x dim Gaussian batches, against POT called
directly on the same cost arrays (``ot.emd``; ``ot.sinkhorn(method="sinkhorn_log")``) plus
the permutation read-out each needs. Overhead = greenreg / direct - 1 (goal <= 10%). The best
of ``--repeats`` runs (after one warm-up call) is kept. Prints a table, writes
bench/results/coupling_cost.json.
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from common import best_of, print_table, write_json  # noqa: E402

from greenreg.couplings import sample_permutation  # noqa: E402
from greenreg.couplings.pot import ot, uniform  # noqa: E402
from greenreg.registry import COUPLINGS  # noqa: E402
from greenreg.schedules import TrainProgress  # noqa: E402

EPSILON = 0.05


def direct_exact(x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    """What a user would write with POT: cost, emd, argmax per column."""
    cost = ot.dist(x0, x1) / x0.shape[1]
    n = len(x0)
    return ot.emd(uniform(n), uniform(n), cost).argmax(0)


def direct_sinkhorn(x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    cost = ot.dist(x0, x1) / x0.shape[1]
    cost = cost / cost.mean()
    n = len(x0)
    plan = ot.sinkhorn(uniform(n), uniform(n), cost, EPSILON, method="sinkhorn_log")
    return sample_permutation(plan).numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[256, 1024, 2048])
    parser.add_argument("--dim", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    exact = COUPLINGS.build(dict(type="ExactOTCoupling"))
    sinkhorn = COUPLINGS.build(dict(type="SinkhornCoupling", epsilon=EPSILON))
    rows = []
    for n in args.sizes:
        g = torch.Generator().manual_seed(n)
        x0, x1 = torch.randn(n, args.dim, generator=g), torch.randn(n, args.dim, generator=g) + 2
        a, b = x0.double().numpy(), x1.double().numpy()
        for name, coupling, direct in (
            ("exact OT", exact, direct_exact),
            ("Sinkhorn 0.05", sinkhorn, direct_sinkhorn),
        ):
            ours = partial(coupling.plan, x0, x1, None, TrainProgress(0))
            direct = partial(direct, a, b)
            t_ours, t_direct = best_of(ours, args.repeats), best_of(direct, args.repeats)
            rows.append(
                dict(
                    coupling=name,
                    batch=n,
                    greenreg_ms=1000 * t_ours,
                    pot_direct_ms=1000 * t_direct,
                    overhead=t_ours / t_direct - 1,
                )
            )
            print(f"{name} B={n}: {1000 * t_ours:.1f} ms vs {1000 * t_direct:.1f} ms", flush=True)
    print_table(rows, ["coupling", "batch", "greenreg_ms", "pot_direct_ms", "overhead"])
    path = write_json(
        "coupling_cost",
        dict(command=" ".join(sys.argv), dim=args.dim, threads=args.threads, rows=rows),
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
