"""2-D optimal-transport flow matching: couplings x tasks, W2, NFE and path straightness.

    OMP_NUM_THREADS=1 python bench/ot_2d.py [--iters N] [--seeds 0 1 2] [--tasks ...]
        [--couplings ...] [--threads 1] [--eval-points 2000] [--out-tag TAG]
    python bench/ot_2d.py --merge TAG [TAG ...]   # one table, JSON and PNG from tagged parts

Iterations: 2,000 by default, not the anchors' 10k. Measured on one thread per process,
with other jobs on the two cores: training the 63 runs took 1.7 s per iteration together
(3,416 s for 2,000), 85 % of it in the 36 Sinkhorn runs (POT's Sinkhorn, then the
coupling's column-by-column permutation draw, ~7 ms per step at B = 256), so 10k iterations
would take ~2.4 h as two processes. The default bench took 31 min as two processes
(``--tasks gauss-8gauss 8gauss-moons --out-tag part1``, ``--tasks gauss-moons
8gauss-moons-cond --out-tag part2``, then ``--merge part1 part2``). The models are not
converged at 2,000: exact OT on 8gaussians -> moons, seed 0, measured W2@ada 0.55 at 2,000
and 0.31 at 10,000 iterations (I-CFM 0.60 and 0.39).

Trains greenreg's FlowGenerator (LinearPath, VelocityTarget, UniformTimeSampler,
MLPBackbone of width 64 with 3 GELU hidden layers, PairedDataSource reading x0 from the batch
key ``source``) with Adam (lr 1e-3, no gradient clipping, as torchcfm's 2-D notebooks),
batch 256, fresh draws every iteration, one thread, on four tasks: gaussian -> 8gaussians,
8gaussians -> moons, gaussian -> moons, and 8gaussians -> moons conditioned on the moon
(0/1) through ClassEmbeddingConditioner (num_classes 2, drop_prob 0). The distributions are
greenreg.datasets.toy_2d's, faithful to torchcfm's samplers (see that module: the clusters'
variance per axis is sqrt(0.1), the moons' noise a uniform diagonal shift). Couplings
(COUPLINGS): independent, exact OT, Sinkhorn at epsilon 0.01 / 0.05 / 0.2 (relative to the
batch's mean cost), and on the conditional task C2OT = ConditionAwareCoupling(ExactOT).

Columns (mean +- std over seeds; one run = task x coupling x seed):
    W2@1: sqrt(ot.emd2) on the squared-Euclidean cost (ot.dist) between ``--eval-points``
        samples after one Euler step and as many held-out data points (a fresh generator
        seed); on the conditional task per condition, samples drawn with that condition,
        then averaged over the two conditions.
    W2@ada: the same after the adaptive Dopri5Solver (rtol = atol = 1e-5).
    emd2@1, emd2@ada: the squared W2 behind those columns (what C2OT's script reports).
    NFE: Dopri5's model evaluations for the whole evaluation batch.
    straight: mean over samples and over the 100 states of a 100-step Euler trajectory of
        ||x_t - ((1 - t) x_0 + t x_1)||^2, x_0 / x_1 its first / last state; 0 = straight.
    train_s: wall seconds of one run's training.
Under the table, per task: the data floor, W2 between the held-out data and a second fresh
draw of as many points: what a perfect model scores with this evaluation.

Anchors (also in the JSON): torchcfm 1.0.7 measured on this machine (10k iterations,
dopri5): OT-CFM W2 0.581 / 0.434 / 0.409 on gaussian -> 8gaussians, 8gaussians -> moons,
gaussian -> moons; I-CFM 4.63 / 2.13 / 2.78. Published C2OT (arXiv 2503.10636,
8gaussians -> moons, 1 Euler step / adaptive): unconditional FM 6.232 / 0.120, OT 0.072 /
0.050; discrete conditions FM 2.573 / 0.059, OT 0.483 / 0.462, C2OT 0.048 / 0.018. Its
script (hkchengrex/C2OT moons.py) reports ``ot.emd2`` on ``ot.dist`` (squared W2) over
10,000 points after 20k iterations of a width-128 residual GELU MLP, lr 3e-4, OT on
batches of 1024, and on the conditional task over the pooled conditions: compare with
emd2, not W2. Writes bench/results/ot_2d[_TAG].json, ot_2d[_TAG]_trajectories.npz (the
plotted paths) and ot_2d[_TAG].png (20-step Euler paths of 300 samples, seed 0).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import ot  # noqa: E402
import torch  # noqa: E402
from common import RESULTS, print_table, write_json  # noqa: E402
from tqdm import tqdm  # noqa: E402

import greenreg  # noqa: E402, F401
from greenreg.datasets import sample_toy_2d, sample_toy_2d_labelled  # noqa: E402
from greenreg.registry import MODELS, SOLVERS, TIME_GRIDS  # noqa: E402
from greenreg.schedules import TrainProgress  # noqa: E402

BATCH_SIZE, LR, COND_DIM, EVAL_SEED_OFFSET = 256, 1e-3, 16, 10_000
# 10k (torchcfm's anchors) does not fit the ~35 min budget on one thread: see the docstring
DEFAULT_ITERS = 2_000
# name -> (source, data, conditional)
TASKS = {
    "gauss-8gauss": ("gaussian", "8gaussians", False),
    "8gauss-moons": ("8gaussians", "moons", False),
    "gauss-moons": ("gaussian", "moons", False),
    "8gauss-moons-cond": ("8gaussians", "moons", True),
}
COUPLINGS = {
    "independent": dict(type="IndependentCoupling"),
    "exact_ot": dict(type="ExactOTCoupling"),
    # POT's plain Sinkhorn: on these normalised float64 costs its plans equal the
    # log-domain solver's (max difference 3e-17, entries ~1.5e-5) at 1/30 of the time (9-26
    # vs 330-760 ms at epsilon 0.01, B = 256, one thread); the coupling's marginal check
    # guards it (no failure in 900 batches at epsilon 0.01)
    **{
        f"sinkhorn_{e}": dict(type="SinkhornCoupling", epsilon=e, method="sinkhorn")
        for e in (0.01, 0.05, 0.2)
    },
    "c2ot": dict(type="ConditionAwareCoupling", coupling=dict(type="ExactOTCoupling")),
}
CONDITIONAL_ONLY = ("c2ot",)
NOTES = dict(
    iterations="default 2,000, not 10k: 1.7 s per iteration for all 63 runs on one thread "
    "(85 % in the Sinkhorn runs); 10k would take ~2.4 h as two processes; models are not "
    "converged at 2,000",
    sinkhorn="SinkhornCoupling(method='sinkhorn'): same plans as 'sinkhorn_log' here (3e-17) "
    "at 1/30 of the time; marginals checked by the coupling",
    distributions="greenreg.datasets.toy_2d, faithful to torchcfm: 8gaussians variance "
    "sqrt(0.1) per axis, moons with torchdyn's uniform diagonal shift in [0, 0.2)",
    conditional_w2="per condition (samples drawn with it vs held-out data of it), averaged",
)
PLOTTED = ("independent", "exact_ot", "sinkhorn_0.05", "c2ot")
ANCHORS = dict(
    torchcfm_1_0_7_this_machine=dict(
        setting="10k iterations, dopri5, W2 (sqrt)",
        tasks=["gauss-8gauss", "8gauss-moons", "gauss-moons"],
        OT_CFM=[0.581, 0.434, 0.409],
        I_CFM=[4.63, 2.13, 2.78],
    ),
    c2ot_arxiv_2503_10636=dict(
        setting="8gaussians -> moons, [1 Euler step, adaptive]; the script's metric is ot.emd2 "
        "on ot.dist (squared W2) over 10,000 points, conditions pooled",
        unconditional=dict(FM=[6.232, 0.120], OT=[0.072, 0.050]),
        discrete_conditions=dict(FM=[2.573, 0.059], OT=[0.483, 0.462], C2OT=[0.048, 0.018]),
    ),
)


def build_model(task: str, coupling: str) -> torch.nn.Module:
    """FlowGenerator on the linear path with an MLPBackbone and the named coupling."""
    conditional = TASKS[task][2]
    conditioning = None
    if conditional:  # init_std 1: the label is as loud as x_t from the first step
        conditioning = dict(
            type="ClassEmbeddingConditioner",
            num_classes=2,
            embed_dim=COND_DIM,
            drop_prob=0.0,
            init_std=1.0,
        )
    return MODELS.build(
        dict(
            type="FlowGenerator",
            backbone=dict(type="MLPBackbone", dim=2, cond_dim=COND_DIM if conditional else None),
            path=dict(type="LinearPath"),
            target=dict(type="VelocityTarget"),
            time_sampler=dict(type="UniformTimeSampler"),
            source=dict(type="PairedDataSource", key="source"),
            coupling=COUPLINGS[coupling],
            conditioning=conditioning,
            sample_shape=(2,),  # FlowGenerator reads (C, H, W) from image backbones only
        )
    )


def train(model: torch.nn.Module, task: str, iters: int, seed: int) -> float:
    """Adam on fresh batches; returns the wall seconds."""
    source, data, conditional = TASKS[task]
    draws = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    model.train()
    start = time.perf_counter()
    for it in range(iters):
        x1, label = sample_toy_2d_labelled(data, BATCH_SIZE, draws)
        batch = dict(inputs=x1, source=sample_toy_2d(source, BATCH_SIZE, draws))
        if conditional:
            batch["label"] = label
        loss = sum(model.loss(batch, TrainProgress(it, it * BATCH_SIZE)).values())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def solve(model, batch: dict, solver: dict, num_steps: int = 1):
    """The generator's sampling pieces with a chosen solver; (x1 (N, 2), NFE).

    FlowGenerator.sample clamps to [-1, 1] (images); these points span [-7, 7].
    """
    fn = model.sampling_model(batch)
    x = model.source.draw(batch, model.sample_shape, None, "cpu")
    grid = TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=num_steps))(model.path)
    result = SOLVERS.build(solver).solve(fn, x, grid)
    return result.x1, result.nfe


def trajectory(model, batch: dict, num_steps: int) -> torch.Tensor:
    """Euler states at every point of a uniform grid, shape (num_steps + 1, N, 2)."""
    fn, euler = model.sampling_model(batch), SOLVERS.build(dict(type="EulerSolver"))
    x = model.source.draw(batch, model.sample_shape, None, "cpu")
    grid = TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=num_steps))(model.path)
    states = [x]
    for k in range(num_steps):
        states.append(euler.solve(fn, states[-1], grid[k : k + 2]).x1)
    return torch.stack(states)


def straightness(states: torch.Tensor) -> float:
    """Mean ||x_t - ((1 - t) x_0 + t x_1)||^2 over samples and the states after step 1..N."""
    t = torch.linspace(0, 1, len(states), dtype=states.dtype)[:, None, None]  # (N + 1, 1, 1)
    chord = (1 - t) * states[0] + t * states[-1]
    return float((states - chord)[1:].square().sum(-1).mean())


def emd2(x: torch.Tensor, y: torch.Tensor) -> float:
    """Exact squared W2 between two equal-weight point clouds (POT, network simplex)."""
    a, b = x.double().numpy(), y.double().numpy()
    return float(ot.emd2(ot.unif(len(a)), ot.unif(len(b)), ot.dist(a, b), numItermax=10**7))


def held_out(task: str, n: int, draw_seed: int) -> list[dict]:
    """Fresh (batch, data) per condition: one unconditional set, or one per moon."""
    source, data, conditional = TASKS[task]
    g = torch.Generator().manual_seed(draw_seed)
    if not conditional:
        x0, x1 = sample_toy_2d(source, n, g), sample_toy_2d(data, n, g)
        return [dict(batch=dict(source=x0), data=x1)]
    points, labels = sample_toy_2d_labelled(data, 2 * n, g)  # n per moon: equal halves
    sets = []
    for c in (0, 1):
        x0 = sample_toy_2d(source, n, g)
        batch = dict(source=x0, label=torch.full((n,), c, dtype=torch.int64))
        sets.append(dict(batch=batch, data=points[labels == c]))
    return sets


def data_floor(task: str, n: int, seed: int) -> float:
    """W2 between the held-out data and a second fresh draw: what a perfect model scores."""
    first = held_out(task, n, EVAL_SEED_OFFSET + seed)
    second = held_out(task, n, 2 * EVAL_SEED_OFFSET + seed)
    return float(np.mean([np.sqrt(emd2(a["data"], b["data"])) for a, b in zip(first, second)]))


@torch.no_grad()
def evaluate(model, task: str, n: int, seed: int) -> tuple[dict, np.ndarray]:
    """The metrics of one run, and 300 paths of 20 Euler steps (21, 300, 2) to plot."""
    model.eval()
    sets = held_out(task, n, EVAL_SEED_OFFSET + seed)
    scores = dict(emd2_euler1=[], emd2_ada=[], nfe=[], straight=[])
    dopri5 = dict(type="Dopri5Solver", rtol=1e-5, atol=1e-5)
    for s in sets:
        scores["emd2_euler1"].append(
            emd2(solve(model, s["batch"], dict(type="EulerSolver"))[0], s["data"])
        )
        x1, nfe = solve(model, s["batch"], dopri5)
        scores["emd2_ada"].append(emd2(x1, s["data"]))
        scores["nfe"].append(nfe)
        scores["straight"].append(straightness(trajectory(model, s["batch"], 100)))
    row = {k: float(np.mean(v)) for k, v in scores.items()}
    row["w2_euler1"] = float(np.mean(np.sqrt(scores["emd2_euler1"])))
    row["w2_ada"] = float(np.mean(np.sqrt(scores["emd2_ada"])))
    per_set = 300 // len(sets)
    paths = [trajectory(model, {k: v[:per_set] for k, v in s["batch"].items()}, 20) for s in sets]
    return row, torch.cat(paths, dim=1).numpy()


METRICS = ("w2_euler1", "w2_ada", "emd2_euler1", "emd2_ada", "nfe", "straight", "train_s")
COLUMNS = dict(
    w2_euler1="W2@1", w2_ada="W2@ada", emd2_euler1="emd2@1", emd2_ada="emd2@ada",
    nfe="NFE", straight="straight", train_s="train_s",
)  # fmt: skip


def summarise(rows: list[dict]) -> list[dict]:
    """Mean and std over seeds per (task, coupling), in the order the runs came."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["task"], r["coupling"]), []).append(r)
    summary = []
    for (task, coupling), runs in groups.items():
        entry = dict(task=task, coupling=coupling, seeds=len(runs))
        for m in METRICS:
            values = np.array([r[m] for r in runs])
            entry[m] = dict(mean=float(values.mean()), std=float(values.std()))
        summary.append(entry)
    return summary


def table(summary: list[dict]) -> None:
    """Prints the summary as mean +- std strings."""
    rows = []
    for s in summary:
        row = dict(task=s["task"], coupling=s["coupling"])
        for m, name in COLUMNS.items():
            digits = 0 if m in ("nfe", "train_s") else 3
            row[name] = f"{s[m]['mean']:.{digits}f} +- {s[m]['std']:.{digits}f}"
        rows.append(row)
    print_table(rows, ["task", "coupling", *COLUMNS.values()])


def plot(paths: dict[str, np.ndarray], path: str) -> None:
    """One panel per (task, plotted coupling): faint paths, start and end points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = [t for t in TASKS if any(k.startswith(t + "/") for k in paths)]
    cols = [c for c in PLOTTED if any(k.endswith("/" + c) for k in paths)]
    fig, axes = plt.subplots(len(tasks), len(cols), figsize=(3 * len(cols), 3 * len(tasks)))
    axes = np.atleast_2d(axes).reshape(len(tasks), len(cols))
    for i, task in enumerate(tasks):
        for j, coupling in enumerate(cols):
            ax, key = axes[i, j], f"{task}/{coupling}"
            ax.set(xlim=(-8, 8), ylim=(-8, 8), xticks=[], yticks=[], aspect="equal")
            if key not in paths:
                ax.axis("off")
                continue
            p = paths[key]  # (21, 300, 2)
            ax.plot(p[:, :, 0], p[:, :, 1], color="olive", alpha=0.25, linewidth=0.5)
            ax.scatter(p[0, :, 0], p[0, :, 1], s=3, color="black")
            # conditional task: the first half of the paths ends on moon 0, the rest on moon 1
            colours = ["tab:blue"] * p.shape[1]
            if TASKS[task][2]:
                colours[: p.shape[1] // 2] = ["tab:red"] * (p.shape[1] // 2)
            ax.scatter(p[-1, :, 0], p[-1, :, 1], s=3, c=colours)
            ax.set_title(f"{task}\n{coupling}", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def runs_of(args) -> list[tuple[str, str, int]]:
    """(task, coupling, seed) to run; C2OT only where there is a condition."""
    return [
        (task, coupling, seed)
        for task in args.tasks
        for coupling in args.couplings
        if TASKS[task][2] or coupling not in CONDITIONAL_ONLY
        for seed in args.seeds
    ]


def finish(name: str, rows: list[dict], paths: dict, meta: dict) -> None:
    """Table, JSON, trajectories and PNG under bench/results/<name>.*."""
    summary = summarise(rows)
    table(summary)
    for task, floor in meta["data_floor_w2"].items():
        spread = f"{floor['mean']:.3f} +- {floor['std']:.3f}"
        print(f"data floor W2 (held-out data vs a second draw), {task}: {spread}")
    np.savez_compressed(os.path.join(RESULTS, f"{name}_trajectories.npz"), **paths)
    plot(paths, os.path.join(RESULTS, f"{name}.png"))
    out = write_json(name, dict(meta, anchors=ANCHORS, summary=summary, rows=rows))
    print(f"results: {out} (+ .png, _trajectories.npz)")


def merge(tags: list[str]) -> None:
    """Combines tagged parts (disjoint tasks) into ot_2d.json / .png."""
    rows, paths, parts, floors = [], {}, [], {}
    for tag in tags:
        with open(os.path.join(RESULTS, f"ot_2d_{tag}.json")) as f:
            part = json.load(f)
        rows += part["rows"]
        parts.append({k: part[k] for k in ("command", "environment", "total_s")})
        floors.update(part["data_floor_w2"])
        with np.load(os.path.join(RESULTS, f"ot_2d_{tag}_trajectories.npz")) as npz:
            paths.update({k: npz[k] for k in npz.files})
    meta = {k: v for k, v in part.items() if k not in ("rows", "summary", "environment")}
    meta.update(command=" ".join(sys.argv), merged_from=parts, data_floor_w2=floors, notes=NOTES)
    meta["total_s"] = max(p["total_s"] for p in parts)  # the parts ran side by side
    finish("ot_2d", rows, paths, meta)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iters", type=int, default=DEFAULT_ITERS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--tasks", nargs="+", choices=list(TASKS), default=list(TASKS))
    parser.add_argument("--couplings", nargs="+", choices=list(COUPLINGS), default=list(COUPLINGS))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--eval-points", type=int, default=2000)
    parser.add_argument("--out-tag", default="")
    parser.add_argument("--merge", nargs="+", metavar="TAG", help="combine tagged parts")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.merge:
        merge(args.merge)
        return
    torch.set_num_threads(args.threads)
    start, rows, paths = time.perf_counter(), [], {}
    for task, coupling, seed in tqdm(runs_of(args), desc="runs"):
        torch.manual_seed(seed)  # init, training times, Sinkhorn's draws
        model = build_model(task, coupling)
        train_s = train(model, task, args.iters, seed)
        row, plotted = evaluate(model, task, args.eval_points, seed)
        rows.append(dict(task=task, coupling=coupling, seed=seed, train_s=train_s, **row))
        if seed == args.seeds[0] and coupling in PLOTTED:
            paths[f"{task}/{coupling}"] = plotted
    floors = {}
    for task in args.tasks:
        values = [data_floor(task, args.eval_points, seed) for seed in args.seeds]
        floors[task] = dict(mean=float(np.mean(values)), std=float(np.std(values)))
    meta = dict(
        command=" ".join(sys.argv), data_floor_w2=floors, notes=NOTES,
        iters=args.iters, default_iters=DEFAULT_ITERS,
        threads=torch.get_num_threads(), batch_size=BATCH_SIZE, lr=LR, optimizer="Adam",
        eval_points=args.eval_points, seeds=args.seeds, tasks=args.tasks,
        couplings=args.couplings, total_s=time.perf_counter() - start,
    )  # fmt: skip
    finish("ot_2d" + (f"_{args.out_tag}" if args.out_tag else ""), rows, paths, meta)


if __name__ == "__main__":
    main()
