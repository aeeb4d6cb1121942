"""FGW coupling cost vs memory size and batch: POT's exact, entropic and batched FGW.

    python bench/fgw_cost.py [--batches 32 64] [--memories 256 1024 4096] [--dim 128]
        [--repeats 3] [--threads 1]

One FGW problem per (batch, memory) size, on Gaussian features of width ``--dim``: batch
features (B, D) against memory features (M, D), the feature cost (B, M), within-batch cost
(B, B) and within-memory cost (M, M) all squared Euclidean distances divided by their
maximum, uniform marginals, seed 003's settings (alpha 0.1, 10 FGW iterations). Three solvers,
each timed as best of ``--repeats`` after a warm-up call:

- ``exact_ms``: ``FGWCoupling.plan`` at epsilon 0, POT's conditional gradient
  ``ot.gromov.fused_gromov_wasserstein`` (numpy, CPU).
- ``entropic_ms``: ``FGWCoupling.plan`` at epsilon 0.1, POT's
  ``ot.gromov.entropic_fused_gromov_wasserstein`` (numpy, CPU).
- ``batched_ms``: the same problem (costs built in torch with ``ot.dist``, float64) solved by
  POT's batched solver ``ot.batch.solve_gromov_batch(Ca[None], Cb[None], reg=0.1,
  loss="sqeuclidean", symmetric=True, M=M[None], alpha=0.1, max_iter=10, tol=0,
  max_iter_inner=50, grad="detach")``: 10 outer iterations, at most 50 log-domain Sinkhorn
  iterations each (seed 003's 10 FGW / 50 Sinkhorn), one problem (leading batch dimension 1).
  ``tol=0`` because its default outer tolerance (1e-5, absolute, on the mean change of plan
  entries of size ~1/(B M)) stops it after one step at 64 x 1024 (``batched_outer_iters``
  records the steps taken). ``loss="sqeuclidean"`` is the ground loss
  (C_a[i, k] - C_b[j, l])^2 of POT's ``"square_loss"`` (it does not refer to the costs being
  squared distances); the costs are symmetric, so ``symmetric=True`` skips POT's symmetry
  test. The solver's argument is ``reg`` (its docstring says ``epsilon``), M must be
  (1, B, M) (the docstring says (B, M)) and its ``grad`` default is ``"envelope"`` (the
  docstring says ``"detach"``); the plan is not differentiated here, so ``"detach"``.

Why it matters: the batched solver runs in torch, so on a GPU it can solve many bank chunks
(or many batches) at once, while POT's exact and entropic FGW run in numpy on the CPU (the
training path copies features to the host). Note that the batched solver's ``reg`` is the step of a
proximal-point (KL to the previous plan) iteration, not an entropic regularisation of the
objective: it heads for the exact FGW optimum, so its plan is compared against both.

Checks per row, on the plans of the last timed call: ``batched_marginal_err`` (the larger L1
error of the batched plan's two marginals; FGWCoupling accepts <= 1e-3) and the FGW objective
(1 - alpha) <M_ab, T> + alpha sum (C_a[i, k] - C_b[j, l])^2 T_ij T_kl of each plan, computed
by one function (``objective_exact``, ``objective_entropic``, ``objective_batched``). With
CUDA, ``*_cuda_ms`` time all three with the features on the GPU (exact and entropic copy them
to the host; the batched solver stays on the GPU; ``torch.cuda.synchronize`` before the clock
is read); without it, those columns are skipped with a notice. Prints a table, writes
bench/results/fgw_cost.json.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from common import best_of, environment, print_table, write_json  # noqa: E402
from torch import Tensor  # noqa: E402

from greenreg.couplings import FGWCoupling  # noqa: E402
from greenreg.couplings.fgw import normalised_distances  # noqa: E402
from greenreg.couplings.pot import ot  # noqa: E402  (POT with unused backends switched off)
from greenreg.schedules import TrainProgress  # noqa: E402

ALPHA, EPSILON, MAX_ITER, MAX_ITER_INNER = 0.1, 0.1, 10, 50


def torch_normalised_distances(a: Tensor, b: Tensor) -> Tensor:
    """``normalised_distances`` in torch on a's device: POT's ``ot.dist`` over its maximum."""
    cost = ot.dist(a, b)
    return cost / cost.max().clamp_min(1e-300)


def batched_plan(features: Tensor, memory: Tensor) -> tuple[Tensor, Tensor, int]:
    """The FGW plan (B, M) by ``ot.batch.solve_gromov_batch``, its marginal error, its steps.

    One problem (leading batch dimension 1), float64, on the features' device; the error is
    the larger of the row and column L1 errors, as FGWCoupling checks it (a 0-d tensor).
    ``tol=0``: the solver's outer stopping test is the mean absolute plan change against an
    absolute 1e-5, and a plan's entries average 1/(B M), so from B M ~ 2e5 on (64 x 1024 here)
    the default stops after its first step, which is plain entropic OT from the product plan.
    """
    a, b = features.double(), memory.double()
    feature_cost = torch_normalised_distances(a, b)
    within_batch, within_memory = torch_normalised_distances(a, a), torch_normalised_distances(b, b)
    result = ot.batch.solve_gromov_batch(
        within_batch[None], within_memory[None], reg=EPSILON, loss="sqeuclidean",
        symmetric=True, M=feature_cost[None], alpha=ALPHA, max_iter=MAX_ITER,
        tol=0.0, max_iter_inner=MAX_ITER_INNER, grad="detach",
    )  # fmt: skip
    plan = result.plan[0]
    rows, cols = plan.sum(1) - 1 / len(a), plan.sum(0) - 1 / len(b)
    return plan, torch.maximum(rows.abs().sum(), cols.abs().sum()), result.log["n_iter"] + 1


def fgw_objective(features: Tensor, memory: Tensor, plan) -> float:
    """(1 - alpha) <M_ab, T> + alpha sum_ijkl (C_a[i, k] - C_b[j, l])^2 T_ij T_kl, numpy.

    The quadratic term uses the plan's own marginals, so it is exact for any plan; it equals
    POT's ``fgw_dist`` (square loss) and ``solve_gromov_batch``'s ``value`` on their plans.
    """
    a, b = features.double().cpu().numpy(), memory.double().cpu().numpy()
    cost = normalised_distances(a, b)
    ca, cb = normalised_distances(a, a), normalised_distances(b, b)
    t = np.asarray(torch.as_tensor(plan).cpu())
    p, q = t.sum(1), t.sum(0)
    quadratic = p @ ca**2 @ p + q @ cb**2 @ q - 2 * np.sum((ca @ t @ cb.T) * t)
    return float((1 - ALPHA) * np.sum(cost * t) + ALPHA * quadratic)


def time_solvers(x: Tensor, bank: Tensor, repeats: int, suffix: str, progress) -> tuple:
    """{name + suffix: ms} for exact, entropic and batched, and the last call's plans."""
    cuda = x.is_cuda
    times, plans = {}, {}

    def run(name, fn):
        plans[name] = fn()
        if cuda:
            torch.cuda.synchronize()

    for name, epsilon in (("exact", 0.0), ("entropic", EPSILON)):
        coupling = FGWCoupling(alpha=ALPHA, epsilon=epsilon, max_iter=MAX_ITER)
        fn = lambda c=coupling: c.plan(x, bank, progress).plan  # noqa: E731
        times[f"{name}{suffix}_ms"] = 1000 * best_of(lambda n=name, f=fn: run(n, f), repeats)
    fn = lambda: batched_plan(x, bank)  # noqa: E731
    times[f"batched{suffix}_ms"] = 1000 * best_of(lambda: run("batched", fn), repeats)
    return times, plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--memories", type=int, nargs="+", default=[256, 1024, 4096])
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cuda = torch.cuda.is_available()
    columns = ["batch", "memory", "exact_ms", "entropic_ms", "batched_ms"]
    if cuda:
        columns += ["exact_cuda_ms", "entropic_cuda_ms", "batched_cuda_ms"]
    else:
        print(
            "CUDA is not available: the GPU columns (exact_cuda_ms, entropic_cuda_ms, "
            "batched_cuda_ms) are skipped."
        )
    columns += ["batched_marginal_err"]
    columns += [f"objective_{name}" for name in ("exact", "entropic", "batched")]
    g = torch.Generator().manual_seed(0)
    progress = TrainProgress(0, 0)
    rows = []
    for batch in args.batches:
        for memory in args.memories:
            x = torch.randn(batch, args.dim, generator=g)
            bank = torch.randn(memory, args.dim, generator=g)
            row = dict(batch=batch, memory=memory)
            times, plans = time_solvers(x, bank, args.repeats, "", progress)
            row.update(times)
            if cuda:
                on_gpu = (x.cuda(), bank.cuda(), args.repeats, "_cuda", progress)
                times_cuda, plans_cuda = time_solvers(*on_gpu)
                row.update(times_cuda)
                row["batched_cuda_marginal_err"] = float(plans_cuda["batched"][1])
            plans["batched"], error, steps = plans["batched"]
            row["batched_marginal_err"], row["batched_outer_iters"] = float(error), steps
            for name in ("exact", "entropic", "batched"):
                row[f"objective_{name}"] = fgw_objective(x, bank, plans[name])
            rows.append(row)
            print_table([row], columns)
    print_table(rows, columns)
    path = write_json(
        "fgw_cost",
        dict(environment=environment(), threads=args.threads, dim=args.dim, rows=rows,
             settings="alpha 0.1, 10 FGW iterations, epsilon 0 (exact) / 0.1 (entropic); "
                      "batched: ot.batch.solve_gromov_batch(reg=0.1, loss='sqeuclidean', "
                      "symmetric=True, max_iter=10, tol=0, max_iter_inner=50, grad='detach'), "
                      "float64, batch dimension 1",
             cuda=cuda),
    )  # fmt: skip
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
