"""Seed 002's claims on the IsoNext recipe, each confirmed or refuted by its ablation.

    python tools/train.py configs/isonext.py   # and each configs/ablations/isonext-*.py
    python bench/isonext_claims.py [--num-samples 300] [--threads 1]

Every run samples the same held-out pairs (the first ``--num-samples`` items of the val set:
digits never trained on, in every style; seed = item index) from its
``work_dirs/<config>/iter_2000.pth`` EMA weights, Euler 15 steps with the config's guidance
(scale 2, decaying linearly to 1), and scores each output against its true rendering
(greenreg.evaluation.style_transfer): structure PSNR (dB; its spread = std over samples),
high-frequency PSNR (dB), artifact rate (% of pixels off by > 0.25), edge sharpness (1 = as
sharp as the truth), style accuracy (% the style classifier reads as the requested style),
style FID (style-classifier features vs the true renderings), latency per sample (ms, one
thread, batch 100 and batch 1; the backbones' forward latency also untrained and
interleaved in one process, so machine load hits both alike). The claims (seed 002's figures):

1. dynamic epsilon 0 -> 0.1 vs fixed (here 0: exact OT): artifacts -60%, PSNR +2.3 dB;
2. average style embedding vs a null token for guidance: "CFG stability +45%", PSNR
   spread 8 -> 2 dB; measured as the mean and spread of PSNR over guidance scales 1-5;
3. AdaGN MLP shared by 3 blocks vs one per block: -5% latency, < 0.3 dB lost;
4. AdaGN (and output layer) in fp32 under bf16 vs in bf16: +1.8 dB high-frequency PSNR;
5. adaptive steps (threshold 0.01) vs Euler 15: 1.8x faster.

Two references frame them: the data's true pairing (supervised: the ceiling) and shuffled
sources without OT (the floor). Pair recovery = how often the coupling pairs a styled image
with its own structure on training batches (shuffled sources, 20 batches of 64), per
epsilon. Prints tables, writes bench/results/isonext_claims.json and isonext_samples.png.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from common import environment, print_table, write_json  # noqa: E402

RUNS = {
    "isonext": "configs/isonext.py",
    "fixed_epsilon": "configs/ablations/isonext-fixed_epsilon.py",
    "null_token": "configs/ablations/isonext-null_token.py",
    "unshared_adagn": "configs/ablations/isonext-unshared_adagn.py",
    "bf16_adagn": "configs/ablations/isonext-bf16_adagn.py",
    "given_pairing": "configs/ablations/isonext-given_pairing.py",
    "independent": "configs/ablations/isonext-independent.py",
}
GUIDANCE_SCALES = (1.0, 2.0, 3.0, 5.0)
RECOVERY_EPSILONS = (0.0, 0.01, 0.025, 0.05, 0.1)
FIGURE_ITEMS = 18  # the first 3 held-out digits in all 6 styles
KEYS = ("structure_psnr", "structure_psnr_std", "hf_psnr", "artifact_rate", "edge_sharpness")


def load(config: str, checkpoint: str):
    """(cfg, model) with EMA weights."""
    from sample import load_model

    cfg = load_config_only(config)
    return cfg, load_model(cfg, checkpoint, use_ema=True)


def score(model, cfg, batches, singles=None) -> tuple[dict, list]:
    """The recipe's metrics, latency and NFE under the model's current solver and guidance."""
    from evaluate import draw_samples, recipe_metrics

    outputs, latency_ms, nfe = draw_samples(model, batches)
    metrics = recipe_metrics(cfg, batches, outputs)
    row = {k: metrics[f"style/{k}"] for k in (*KEYS, "style_accuracy", "style_fid")}
    row.update(latency_ms=latency_ms, nfe=nfe)
    if singles:
        row["latency_b1_ms"] = draw_samples(model, singles)[1]
    return row, outputs


def backbone_latency(repeats: int = 15) -> dict:
    """Forward latency (ms) of the shared and unshared AdaGN backbones, interleaved.

    Untrained copies (latency does not depend on the weights), timed in turn in one process
    so both see the same machine state; the fastest of ``repeats`` rounds (load from other
    processes only ever adds time), under bf16
    autocast as in training, at batch 1 and 100.
    """
    from greenreg.registry import MODELS

    nets = {}
    for name, share in (("shared", 3), ("unshared", 1)):
        cfg = load_config_only(RUNS["isonext"]).model.backbone
        nets[name] = MODELS.build(dict(cfg, share_adagn_every=share)).eval()
    cond = {b: torch.randn(b, nets["shared"].emb_dim) for b in (1, 100)}
    times = {(n, b): [] for n in nets for b in cond}
    with torch.no_grad(), torch.autocast("cpu", torch.bfloat16):
        for _ in range(repeats):
            for (name, b), got in times.items():
                x, t = torch.randn(b, 1, 32, 32), torch.rand(b)
                nets[name](x, t, cond[b])  # warm-up of this shape
                start = time.perf_counter()
                for _ in range(5):
                    nets[name](x, t, cond[b])
                got.append(1000 * (time.perf_counter() - start) / 5)
    return {f"{n}_b{b}_ms": min(v) for (n, b), v in times.items()}


def load_config_only(config: str):
    from _cli import load_config

    return load_config(config, None)


def pair_recovery(num_batches: int = 20, batch_size: int = 64) -> dict:
    """Share of styled images a coupling pairs with their own structure, per epsilon."""
    from greenreg.datasets import StyledDigitsDataset
    from greenreg.registry import COUPLINGS
    from greenreg.schedules import TrainProgress

    data = StyledDigitsDataset(split="train")
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)  # the plan's permutation draw uses the global generator
    rows = {}
    for eps in RECOVERY_EPSILONS:
        coupling = COUPLINGS.build(dict(type="SinkhornCoupling", epsilon=eps))
        hits = 0
        for _ in range(num_batches):
            idx = torch.randperm(len(data), generator=g)[:batch_size]
            x1 = torch.stack([data[int(i)]["inputs"] for i in idx])
            shuffle = torch.randperm(batch_size, generator=g)
            x0 = torch.stack([data[int(i)]["source"] for i in idx])[shuffle]
            index = coupling.plan(x0, x1, None, TrainProgress(0, 0)).source_index
            hits += int((shuffle[index] == torch.arange(batch_size)).sum())
        rows[eps] = 100 * hits / (num_batches * batch_size)
    return rows


def sample_figure(shown: dict, first: dict, path: str) -> None:
    """Rows: structure, truth, then each run's outputs; columns: 3 digits x 6 styles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = list(range(FIGURE_ITEMS))
    rows = {"structure": first["source"], "truth": first["inputs"], **shown}
    fig, axes = plt.subplots(
        len(rows), len(columns), figsize=(len(columns) * 0.8, len(rows) * 0.85)
    )
    for r, (name, images) in enumerate(rows.items()):
        for c, k in enumerate(columns):
            ax = axes[r, c]
            ax.imshow(images[k, 0].float().cpu().numpy(), cmap="gray", vmin=-1, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(name, fontsize=6, rotation=0, ha="right", va="center")
    fig.tight_layout(pad=0.1)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def set_sampling(model, solver: dict | None = None, guidance_scale: float | None = None) -> None:
    """Swaps the solver (and its grid) or the guidance scale of a loaded model."""
    from greenreg.registry import GUIDANCE, SOLVERS, TIME_GRIDS

    if solver is not None:
        model.solver = SOLVERS.build(solver)
    else:
        model.solver = SOLVERS.build(dict(type="EulerSolver"))
        model.time_grid = TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=15))
    if guidance_scale is not None:
        model.guidance = GUIDANCE.build(
            dict(type="ClassifierFreeGuidance", scale=guidance_scale, decay="linear")
        )


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def claims(rows: dict, scales: dict, latency: dict) -> list[dict]:
    """The five claims: seed figure, measured figure, verdict."""
    main, out = rows["isonext"], []

    def add(claim, seed, measured, holds):
        out.append(dict(claim=claim, seed=seed, measured=measured, verdict=holds))

    if "fixed_epsilon" in rows:
        fixed = rows["fixed_epsilon"]
        art = 100 * (main["artifact_rate"] / fixed["artifact_rate"] - 1)
        gain = main["structure_psnr"] - fixed["structure_psnr"]
        add("dynamic epsilon vs fixed 0", "artifacts -60%, PSNR +2.3 dB",
            f"artifacts {art:+.0f}%, PSNR {gain:+.2f} dB",
            "confirmed" if art <= -30 and gain >= 1 else "refuted")  # fmt: skip
    if "null_token" in scales and "isonext" in scales:
        avg, null = scales["isonext"], scales["null_token"]
        spread = {k: max(v) - min(v) for k, v in (("avg", avg), ("null", null))}
        add("average embedding vs null token", "PSNR spread 8 dB -> 2 dB over CFG",
            f"PSNR range over scales {GUIDANCE_SCALES}: null {spread['null']:.2f} dB, "
            f"average {spread['avg']:.2f} dB; spread over samples at 2: null "
            f"{rows['null_token']['structure_psnr_std']:.2f}, average "
            f"{main['structure_psnr_std']:.2f} dB",
            "confirmed" if spread["avg"] < 0.5 * spread["null"] else "refuted")  # fmt: skip
    if "unshared_adagn" in rows and latency:
        one = rows["unshared_adagn"]
        lat1 = 100 * (ratio(latency["shared_b1_ms"], latency["unshared_b1_ms"]) - 1)
        lat100 = 100 * (ratio(latency["shared_b100_ms"], latency["unshared_b100_ms"]) - 1)
        loss = one["structure_psnr"] - main["structure_psnr"]
        add("AdaGN MLP shared by 3 blocks", "latency -5%, < 0.3 dB lost",
            f"forward latency {lat1:+.1f}% (batch 1), {lat100:+.1f}% (batch 100); "
            f"PSNR {-loss:+.2f} dB",
            "confirmed" if lat1 <= -2.5 and loss < 0.3 else "refuted")  # fmt: skip
    if "bf16_adagn" in rows:
        hf = main["hf_psnr"] - rows["bf16_adagn"]["hf_psnr"]
        add("fp32 AdaGN under bf16", "high-frequency PSNR +1.8 dB", f"{hf:+.2f} dB",
            "confirmed" if hf >= 0.9 else "refuted")  # fmt: skip
    if "adaptive" in rows:
        speed = ratio(main["latency_ms"], rows["adaptive"]["latency_ms"])
        loss = main["structure_psnr"] - rows["adaptive"]["structure_psnr"]
        add("adaptive (0.01) vs Euler 15", "1.8x faster",
            f"{speed:.2f}x, NFE {rows['adaptive']['nfe']:.0f} vs {main['nfe']:.0f}, "
            f"PSNR {-loss:+.2f} dB", "confirmed" if speed >= 1.4 else "refuted")  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--num-samples", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--work-dirs", default="work_dirs")
    parser.add_argument("--runs", nargs="+", default=list(RUNS))
    parser.add_argument("--iteration", type=int, default=2000, help="checkpoint iter_N.pth")
    parser.add_argument(
        "--figure-only", action="store_true", help="only sample the figure's items of each run"
    )
    parser.add_argument(
        "--merge", action="store_true", help="keep the other runs of the last JSON (same settings)"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from evaluate import batches_of
    from mmengine.registry import init_default_scope

    from greenreg.registry import DATASETS

    init_default_scope("greenreg")
    rows, scales, shown, val = {}, {}, {}, None
    shown_path = os.path.join(ROOT, "bench", "results", "isonext_samples.npz")
    figure_path = os.path.join(ROOT, "bench", "results", "isonext_samples.png")
    last = os.path.join(ROOT, "bench", "results", "isonext_claims.json")
    if args.merge and os.path.isfile(last):  # runs trained at different times, scored alike
        with open(last) as f:
            previous = json.load(f)
        rows.update(previous["runs"])
        scales.update(
            {k: v for k, v in previous["psnr_by_guidance_scale"].items() if k != "scales"}
        )
        if os.path.isfile(shown_path):
            shown.update({k: torch.from_numpy(v) for k, v in np.load(shown_path).items()})
    for name in args.runs:
        checkpoint = os.path.join(
            args.work_dirs, os.path.basename(RUNS[name])[:-3], f"iter_{args.iteration}.pth"
        )
        if not os.path.isfile(checkpoint):
            print(f"skipping {name}: no {checkpoint} (train {RUNS[name]} first)")
            continue
        cfg, model = load(RUNS[name], checkpoint)
        val = val or DATASETS.build(cfg.val_dataloader.dataset)  # the same for every run
        batches = batches_of(val, args.num_samples, 100)
        singles = batches_of(val, 12, 1)
        set_sampling(model)
        if args.figure_only:
            first = batches_of(val, FIGURE_ITEMS, FIGURE_ITEMS)[0]
            shown[name] = torch.stack([o["samples"].float().cpu() for o in model.val_step(first)])
            continue
        start = time.perf_counter()
        rows[name], outputs = score(model, cfg, batches, singles)
        shown[name] = torch.stack([o["samples"].float().cpu() for o in outputs[0][:FIGURE_ITEMS]])
        if name in ("isonext", "null_token"):
            scales[name] = []
            for s in GUIDANCE_SCALES:  # the config's own scale (2) was scored above
                set_sampling(model, guidance_scale=s)
                again = s != 2.0
                psnr = score(model, cfg, batches)[0] if again else rows[name]
                scales[name].append(psnr["structure_psnr"])
        if name == "isonext":
            set_sampling(
                model, solver=dict(type="AdaptiveHeunSolver", threshold=0.01), guidance_scale=2.0
            )
            rows["adaptive"] = score(model, cfg, batches, singles)[0]
        print(f"{name}: {time.perf_counter() - start:.0f} s")
    if args.figure_only:
        np.savez(shown_path, **{k: v.numpy() for k, v in shown.items()})
        sample_figure(shown, batches_of(val, FIGURE_ITEMS, FIGURE_ITEMS)[0], figure_path)
        return
    table = [dict(run=n, **r) for n, r in rows.items()]
    print_table(
        table, ["run", *KEYS, "style_accuracy", "style_fid", "latency_ms", "latency_b1_ms", "nfe"]
    )
    if scales:
        columns = [f"cfg_{s:g}" for s in GUIDANCE_SCALES]
        by_scale = [dict(run=n, **dict(zip(columns, v))) for n, v in scales.items()]
        print_table(by_scale, ["run", *columns])
    recovery = pair_recovery()
    print_table(
        [dict(epsilon=e, pair_recovery_pct=v) for e, v in recovery.items()],
        ["epsilon", "pair_recovery_pct"],
    )
    latency = backbone_latency()
    print_table([dict(what=k, ms=v) for k, v in latency.items()], ["what", "ms"])
    verdicts = claims(rows, scales, latency) if "isonext" in rows else []
    print_table(verdicts, ["claim", "seed", "measured", "verdict"])
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    if shown and val is not None:
        np.savez(shown_path, **{k: v.numpy() for k, v in shown.items()})
        sample_figure(shown, batches_of(val, FIGURE_ITEMS, FIGURE_ITEMS)[0], figure_path)
    path = write_json("isonext_claims", dict(
        environment=environment(), threads=args.threads, num_samples=args.num_samples,
        sampling="Euler 15, CFG 2 decaying linearly, EMA weights", runs=rows,
        psnr_by_guidance_scale=dict(scales=GUIDANCE_SCALES, **scales),
        pair_recovery_pct=recovery, backbone_latency_ms=latency, claims=verdicts,
    ))  # fmt: skip
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
