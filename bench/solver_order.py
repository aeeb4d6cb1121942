"""Solver order and cost on flows whose exact solution is known.

    python bench/solver_order.py

Problem 1 (the figure issue 4 asks for): the linear path from N(0, I) to N(2, 0.5^2 I),
whose marginal velocity and flow map are closed-form (GaussianLinearFlow). Problem 2:
dx/dt = cos(t) x, x(1) = x0 exp(sin 1), time-dependent throughout. For each fixed-step
solver, the RMS endpoint error at 32..256 steps and the least-squares slope of log error vs
log steps (the empirical order). Then the adaptive solver: NFE to reach Euler-100's error.
Writes bench/results/solver_order.json and solver_order.png.
"""

from __future__ import annotations

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from common import RESULTS, print_table, write_json  # noqa: E402

import greenreg.solvers  # noqa: E402, F401
from greenreg.registry import SOLVERS  # noqa: E402
from greenreg.solvers import ModelFn  # noqa: E402
from greenreg.solvers.reference_problems import GaussianLinearFlow  # noqa: E402

STEPS = (32, 64, 128, 256)
EXPECTED = {"EulerSolver": 1, "HeunSolver": 2, "MidpointSolver": 2, "RK4Solver": 4}


def problems() -> dict:
    """name -> (velocity, x0, exact endpoint), all float64."""
    gauss = GaussianLinearFlow(mean=2.0, scale=0.5)
    x0 = gauss.sources(1024, dim=8)
    y0 = torch.randn(1024, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    return {
        "gaussian": (gauss.velocity, x0, gauss.exact_endpoint(x0)),
        "cos(t) x": (
            lambda x, t: torch.cos(t.double()).view(-1, 1) * x,
            y0,
            y0 * math.exp(math.sin(1.0)),
        ),
    }


def rms(a: torch.Tensor, b: torch.Tensor) -> float:
    """Root-mean-square difference."""
    return float((a - b).pow(2).mean().sqrt())


def solve(cfg: dict, velocity, x0: torch.Tensor, steps: int = 1):
    """One solver run over a uniform grid of ``steps`` intervals (adaptive: its ends only)."""
    grid = torch.linspace(0.0, 1.0, steps + 1, dtype=torch.float64)
    return SOLVERS.build(cfg).solve(ModelFn.from_velocity(velocity), x0, grid)


def order_rows(velocity, x0, exact) -> list[dict]:
    """Errors and fitted order of each fixed-step solver."""
    rows = []
    for name, expected in EXPECTED.items():
        errors = [rms(solve(dict(type=name), velocity, x0, n).x1, exact) for n in STEPS]
        slope = -np.polyfit(np.log(STEPS), np.log(errors), 1)[0]
        rows.append(dict(solver=name, expected=expected, order=float(slope), errors=errors))
    return rows


def adaptive_row(velocity, x0, exact) -> dict:
    """Euler-100's error and the fewest adaptive NFE that match it (threshold sweep)."""
    euler = solve(dict(type="EulerSolver"), velocity, x0, 100)
    target = rms(euler.x1, exact)
    seed_default = solve(dict(type="AdaptiveHeunSolver", threshold=0.01), velocity, x0)
    best = None
    for threshold in np.logspace(-1, -5, 17):
        out = solve(dict(type="AdaptiveHeunSolver", threshold=float(threshold)), velocity, x0)
        if rms(out.x1, exact) <= target:
            best = dict(threshold=float(threshold), nfe=out.nfe, error=rms(out.x1, exact))
            break
    return dict(
        euler100_error=target,
        euler100_nfe=euler.nfe,
        adaptive_at_0_01=dict(nfe=seed_default.nfe, error=rms(seed_default.x1, exact)),
        adaptive_matching=best,
    )


def plot(results: dict, path: str) -> None:
    """Log-log error vs steps per solver, one panel per problem."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 4))
    for ax, (name, res) in zip(axes, results.items()):
        for row in res["orders"]:
            ax.loglog(
                STEPS, row["errors"], "o-", label=f"{row['solver']} (slope {row['order']:.2f})"
            )
        ax.set_title(name)
        ax.set_xlabel("steps")
        ax.set_ylabel("RMS endpoint error")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    """Measure, print, save."""
    torch.set_num_threads(1)
    results = {}
    for name, (velocity, x0, exact) in problems().items():
        results[name] = dict(
            orders=order_rows(velocity, x0, exact), adaptive=adaptive_row(velocity, x0, exact)
        )
        print(f"\n{name}: empirical order over {STEPS} steps")
        print_table(results[name]["orders"], ["solver", "expected", "order"])
        a = results[name]["adaptive"]
        print(
            f"Euler-100: error {a['euler100_error']:.3g} at 100 NFE; adaptive (threshold 0.01): "
            f"error {a['adaptive_at_0_01']['error']:.3g} at {a['adaptive_at_0_01']['nfe']} NFE; "
            f"adaptive matching Euler-100: {a['adaptive_matching']}"
        )
    os.makedirs(RESULTS, exist_ok=True)
    plot(results, os.path.join(RESULTS, "solver_order.png"))
    print(f"\nwrote {write_json('solver_order', dict(steps=STEPS, results=results))}")


if __name__ == "__main__":
    main()
