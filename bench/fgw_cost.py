"""FGW coupling cost vs memory size and batch: POT's exact vs entropic FGW, through FGWCoupling.

    python bench/fgw_cost.py [--batches 32 64] [--memories 256 1024 4096] [--dim 128]
        [--repeats 3] [--threads 1]

Times ``FGWCoupling.plan`` (batch x memory, max-normalised costs, plan checked) on Gaussian
features of width ``--dim`` at seed 003's settings (alpha 0.1, 10 FGW iterations): exact
(epsilon 0, POT's conditional gradient ``fused_gromov_wasserstein``) and entropic (epsilon
0.1, ``entropic_fused_gromov_wasserstein``). Best of ``--repeats`` after a warm-up call.
CPU only here; POT's batched GPU solvers (``ot.batch``) are for a machine with a GPU.
Prints a table, writes bench/results/fgw_cost.json.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
from common import best_of, environment, print_table, write_json  # noqa: E402

from greenreg.couplings import FGWCoupling  # noqa: E402
from greenreg.schedules import TrainProgress  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--memories", type=int, nargs="+", default=[256, 1024, 4096])
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(0)
    progress = TrainProgress(0, 0)
    rows = []
    for batch in args.batches:
        for memory in args.memories:
            x = torch.randn(batch, args.dim, generator=g)
            bank = torch.randn(memory, args.dim, generator=g)
            row = dict(batch=batch, memory=memory)
            for name, epsilon in (("exact", 0.0), ("entropic", 0.1)):
                coupling = FGWCoupling(alpha=0.1, epsilon=epsilon, max_iter=10)
                row[f"{name}_ms"] = 1000 * best_of(
                    lambda c=coupling, x=x, b=bank: c.plan(x, b, progress), args.repeats
                )
            rows.append(row)
            print_table([row], ["batch", "memory", "exact_ms", "entropic_ms"])
    print_table(rows, ["batch", "memory", "exact_ms", "entropic_ms"])
    path = write_json(
        "fgw_cost",
        dict(environment=environment(), threads=args.threads, dim=args.dim, rows=rows,
             settings="alpha 0.1, 10 FGW iterations, epsilon 0 (exact) / 0.1 (entropic)"),
    )  # fmt: skip
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
