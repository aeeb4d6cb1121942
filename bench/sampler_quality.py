"""The DDPM constants, and sample quality vs NFE per sampler and time grid.

    python bench/sampler_quality.py [--checkpoint CKPT] [--samples-per-digit 50] [--threads 2]
        [--config configs/ddpm_mnist.py] [--budgets 10 20 50 100] [--tag _unet]

Trains configs/ddpm_mnist.py with the Runner unless ``--checkpoint`` names a trained one,
then samples ``--samples-per-digit`` images per digit with the EMA weights through Euler,
Heun (in t, and in EDM's variables x / alpha, sigma / alpha), DDIM (eta 0) and DDPM
ancestral on uniform, log-SNR and Karras (EDM, rho 7) time grids at budgets of about 10,
20, 50 and 100 NFE, the adaptive Heun solver at several thresholds and dopri5. A held-out
digit classifier judges them (accuracy for the label, Frechet distance to held-out digits in
its feature space). Same seeds for every sampler. Prints tables, writes
bench/results/sampler_quality_<device><tag>.json and a PNG.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))

import torch  # noqa: E402
from _cli import load_config  # noqa: E402
from common import RESULTS, environment, print_table, write_json  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

import greenreg  # noqa: E402, F401
from greenreg.registry import MODELS, PATHS, SOLVERS, TIME_GRIDS  # noqa: E402

# budgets of model evaluations per sample; a sampler's steps are chosen to land near each
BUDGETS = (10, 20, 50, 100)
# name -> (solver config, evaluations per step): Heun's last step to sigma 0 costs one
SAMPLERS = {
    "Euler": (dict(type="EulerSolver"), 1),
    "Heun": (dict(type="HeunSolver"), 2),
    # EDM's Algorithm 1: Heun on d(x / alpha) / d(sigma / alpha) = eps
    "Heun-sigma": (dict(type="HeunSolver", ode_variables="sigma"), 2),
    # ... with x1 clamped to [-1, 1], as the recipe's DDIM and DDPM samplers clamp it
    "Heun-sigma-clip": (dict(type="HeunSolver", ode_variables="sigma", clip_x1=True), 2),
    "DDIM": (dict(type="DDIMSampler", eta=0.0, clip_x1=True), 1),
    "DDPM": (dict(type="DDPMAncestralSampler", clip_x1=True), 1),
}
GRIDS = {
    "uniform": dict(type="UniformTimeGrid"),
    "log-SNR": dict(type="LogSNRUniformTimeGrid"),
    "Karras": dict(type="KarrasTimeGrid", rho=7.0),
}
# (sampler, grid) pairs measured; DDPM ancestral stays on the grid it was designed for
PAIRS = [(s, g) for s in ("Euler", "Heun", "DDIM") for g in GRIDS]
PAIRS += [(s, g) for s in ("Heun-sigma", "Heun-sigma-clip") for g in ("log-SNR", "Karras")]
PAIRS += [("DDPM", "uniform")]
ADAPTIVE = [
    *(("adaptive Heun", f"threshold {t}", dict(type="AdaptiveHeunSolver", threshold=t))
      for t in (0.3, 0.1, 0.03, 0.01)),
    *(("dopri5", f"tol {t}", dict(type="Dopri5Solver", rtol=t, atol=t)) for t in (1e-2, 1e-3)),
]  # fmt: skip


def ddpm_constants(cfg) -> dict:
    """alphas_cumprod ends of the recipe's schedule against seed 004's values."""
    path = PATHS.build(cfg.model.path)
    abar = path.alphas_cumprod
    return dict(
        alphas_cumprod_first=abar[0].item(),
        alphas_cumprod_last=abar[-1].item(),
        seed_first=0.9999,
        seed_last=4.04e-5,
        betas=(path.betas[0].item(), path.betas[-1].item()),
    )


def trained_model(cfg, checkpoint: str | None, work_dir: str):
    """The recipe's model with EMA weights: from ``checkpoint``, or trained here."""
    from greenreg.engine.checkpoint import load_checkpoint, model_state_dict

    if checkpoint is None:
        from mmengine.runner import Runner

        cfg.work_dir = work_dir
        runner = Runner.from_cfg(cfg)
        runner.train()
        checkpoint = os.path.join(work_dir, f"iter_{runner.iter}.pth")
    model = MODELS.build(cfg.model)
    model.load_state_dict(model_state_dict(load_checkpoint(checkpoint), use_ema=True))
    return model.eval(), checkpoint


def judge(model, solver: dict, grid: dict, labels: torch.Tensor, metric) -> dict:
    """Samples every label with ``solver`` on ``grid``; returns NFE, metrics and seconds."""
    model.solver, model.time_grid = SOLVERS.build(solver), TIME_GRIDS.build(grid)
    calls = []
    handle = model.backbone.register_forward_hook(lambda *_: calls.append(1))
    start = time.perf_counter()
    images = model.sample(dict(label=labels), list(range(len(labels))))
    seconds = time.perf_counter() - start
    handle.remove()
    metric.results = []
    metric.process({}, [dict(samples=x, label=int(y)) for x, y in zip(images, labels)])
    scores = metric.compute_metrics(metric.results)
    # guidance runs both branches in one batched call: one forward is one NFE
    return dict(nfe=len(calls), accuracy_pct=scores["accuracy"], fd=scores["fd"], sample_s=seconds)


def plot(rows: list[dict], path: str, target: str) -> None:
    """Accuracy and FD against NFE, one line per sampler."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5))
    names = list(dict.fromkeys(r["sampler"] for r in rows))
    colours = plt.get_cmap("tab20")(range(len(names)))  # one colour per sampler
    for name, colour in zip(names, colours):
        mine = sorted((r for r in rows if r["sampler"] == name), key=lambda r: r["nfe"])
        for ax, key in zip(axes, ("accuracy_pct", "fd")):
            xs, ys = [r["nfe"] for r in mine], [r[key] for r in mine]
            ax.plot(xs, ys, "o-", label=name, ms=4, color=colour)
    for ax, label in zip(axes, ("classifier accuracy (%)", "Frechet distance (lower is better)")):
        ax.set(xscale="log", xlabel="NFE (model evaluations per sample)", ylabel=label)
        ax.grid(alpha=0.3)
    axes[1].set_yscale("log")  # Heun's unstable low-NFE points would flatten the rest
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=5, fontsize=8)
    fig.suptitle(f"DDPM recipe ({target}, EMA weights, guided): sample quality vs sampling budget")
    fig.tight_layout(rect=(0, 0.16, 1, 1))  # room for the legend below the panels
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    """Constants, then every sampler at every budget; print and save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/ddpm_mnist.py")
    parser.add_argument("--checkpoint", help="a trained checkpoint of --config")
    parser.add_argument("--samples-per-digit", type=int, default=50)
    parser.add_argument(
        "--budgets", type=int, nargs="+", default=list(BUDGETS), help="NFE per sample to aim at"
    )
    parser.add_argument("--tag", default="", help="result name: sampler_quality_<device><tag>")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work-dir", default="work_dirs/bench_sampler_quality")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, metavar="KEY=VALUE")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    init_default_scope("greenreg")
    cfg = load_config(args.config, args.cfg_options)
    constants = ddpm_constants(cfg)
    print_table([constants], list(constants))
    from greenreg.evaluation.digit_sample_metric import DigitSampleMetric

    model, checkpoint = trained_model(cfg, args.checkpoint, args.work_dir)
    metric = DigitSampleMetric(**{k: v for k, v in cfg.val_evaluator.items() if k != "type"})
    labels = torch.arange(10 * args.samples_per_digit) % 10
    rows = []
    for name, grid_name in PAIRS:
        solver, per_step = SAMPLERS[name]
        for budget in args.budgets:
            steps = max(1, (budget + per_step - 1) // per_step)
            grid = dict(GRIDS[grid_name], num_steps=steps)
            result = judge(model, solver, grid, labels, metric)
            rows.append(dict(sampler=f"{name} / {grid_name}", setting=f"{steps} steps", **result))
            print_table(rows[-1:], list(rows[-1]))
    for name, setting, solver in ADAPTIVE:
        grid = dict(type="UniformTimeGrid", num_steps=1)  # adaptive: the grid's ends only
        rows.append(
            dict(sampler=name, setting=setting, **judge(model, solver, grid, labels, metric))
        )
        print_table(rows[-1:], list(rows[-1]))
    env = environment()
    print(f"\n{env['device']}, torch threads {env['torch_threads']}, {len(labels)} samples each")
    print_table(rows, ["sampler", "setting", "nfe", "accuracy_pct", "fd", "sample_s"])
    suffix = ("_gpu" if torch.cuda.is_available() else "_cpu") + args.tag
    png = os.path.join(RESULTS, f"sampler_quality{suffix}.png")
    os.makedirs(RESULTS, exist_ok=True)
    plot(rows, png, cfg.model.target.type)
    out = write_json(
        f"sampler_quality{suffix}",
        dict(
            ddpm_constants=constants,
            rows=rows,
            checkpoint=checkpoint,
            config=args.config,
            backbone=cfg.model.backbone.type,
            samples=10 * args.samples_per_digit,
        ),
    )
    print(f"wrote {out} and {png}")


if __name__ == "__main__":
    main()
