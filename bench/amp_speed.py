"""Training-step time with and without bf16 autocast, on whatever device this machine has.

    python bench/amp_speed.py [--configs CONFIG ...] [--steps 10] [--threads 2]
        [--batch-size 64] [--repeats 3] [--loss-iters 300]

Decides whether ``--amp`` pays off here: CPUs without native bf16 units (AVX-512 BF16 or
AMX) emulate it 10x or more slower, and AutocastOptimWrapper then trains in fp32 with a warning;
this bench autocasts regardless, to show the cost. Default configs: the main job (U-Net)
and its DiT variant.

With ``--loss-iters N`` it also trains the first config N iterations three times on the
same batches: fp32 and bf16 from one seed, and fp32 from a second seed. The bf16 run
matches fp32 "within noise" when its mean loss over the last third differs from fp32's by
no more than the two fp32 seeds differ from each other. Writes amp_loss_curves_<device>.png.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from _cli import load_config  # noqa: E402
from common import RESULTS, bare_train_step, environment, print_table, write_json  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from tqdm import tqdm  # noqa: E402

import greenreg  # noqa: E402, F401
from greenreg.engine.optim import has_native_bf16  # noqa: E402
from greenreg.registry import DATASETS, MODELS  # noqa: E402
from greenreg.schedules import TrainProgress  # noqa: E402


def loss_curve(cfg, autocast: bool, iters: int, seed: int, device: str) -> dict:
    """Total and flow loss per iteration of N training steps (AdamW at the config's lr, clip 1).

    The batches are the same for every call (drawn by a generator seeded with 0); ``seed``
    sets the weights' initialisation and the model's own draws (noise, t).
    """
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model).to(device)
    lr = cfg.optim_wrapper.optimizer.get("lr", 1e-3)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.95))
    data = DATASETS.build(cfg.train_dataloader.dataset)
    size = cfg.train_dataloader.batch_size
    order = torch.Generator().manual_seed(0)
    losses, flow = [], []
    for step in tqdm(range(iters), desc=f"{'bf16' if autocast else 'fp32'} seed {seed}"):
        idx = torch.randint(0, len(data.images), (size,), generator=order)
        batch = dict(inputs=data.images[idx], tokens=data.tokens[idx], label=data.labels[idx])
        batch = {k: v.to(device) for k, v in batch.items()}
        terms = bare_train_step(model, optimizer, batch, TrainProgress(step, step * size), autocast)
        losses.append(sum(terms.values()).item())
        flow.append(terms["loss_flow"].item())
    return dict(total=losses, flow=flow)


def compare_loss_curves(cfg, iters: int, device: str) -> dict:
    """fp32 vs bf16 (same seed) against fp32 vs fp32 (two seeds): last-third mean losses."""
    curves = dict(
        fp32=loss_curve(cfg, False, iters, 0, device),
        bf16=loss_curve(cfg, True, iters, 0, device),
        fp32_seed1=loss_curve(cfg, False, iters, 1, device),
    )
    result = dict(iters=iters, curves=curves)
    n = iters // 3
    for term in ("total", "flow"):
        tail = {k: float(np.mean(v[term][-n:])) for k, v in curves.items()}
        paired = np.array(curves["bf16"][term][-n:]) - np.array(curves["fp32"][term][-n:])
        stderr = float(paired.std(ddof=1) / np.sqrt(n))
        result[term] = dict(
            tail_mean_loss=tail,
            bf16_minus_fp32=float(paired.mean()),
            paired_stderr=stderr,
            fp32_seed_spread=tail["fp32_seed1"] - tail["fp32"],
            within_noise=abs(float(paired.mean())) <= 2 * stderr,
        )
    return result


def plot_loss_curves(curves: dict, path: str) -> None:
    """EMA-smoothed loss curves of the three runs."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, term in zip(axes, ("total", "flow")):
        for name, values in curves.items():
            smooth, ema = [], values[term][0]
            for v in values[term]:
                ema = 0.95 * ema + 0.05 * v
                smooth.append(ema)
            ax.plot(smooth, label=name)
        ax.set(xlabel="iteration", ylabel=f"{term} loss (EMA 0.95)", yscale="log")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def step_ms(cfg, autocast: bool, steps: int, device: str) -> float:
    """Mean milliseconds per training step (forward, backward, AdamW) after 3 warm-ups."""
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    data = DATASETS.build(cfg.train_dataloader.dataset)
    size = cfg.train_dataloader.batch_size
    x1, tokens, labels = (t[:size].to(device) for t in (data.images, data.tokens, data.labels))
    batch = dict(inputs=x1, tokens=tokens, label=labels)

    def one_step() -> None:
        with torch.autocast(device, dtype=torch.bfloat16, enabled=autocast):
            loss = sum(model.loss(batch, TrainProgress(0, 0)).values())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(3):
        one_step()
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        one_step()
    if device == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / steps * 1000


def main() -> None:
    """Time fp32 and bf16-autocast steps; print and save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--configs",
        nargs="+",
        default=["configs/fm_gridquery.py", "configs/ablations/fm_gridquery-dit.py"],
    )
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=None, help="default: the config's")
    parser.add_argument("--repeats", type=int, default=3, help="timings per mode, interleaved")
    parser.add_argument("--loss-iters", type=int, default=0, help="0: timing only")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    init_default_scope("greenreg")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    native = has_native_bf16(device)
    rows = []
    for config in args.configs:
        cfg = load_config(config)
        if args.batch_size:
            cfg.train_dataloader.batch_size = args.batch_size
        # interleaved repeats, fastest of each: a shared CPU's slow phases hit both alike
        times = {False: [], True: []}
        for _ in range(args.repeats):
            for amp in (False, True):
                times[amp].append(step_ms(cfg, amp, args.steps, device))
        fp32, bf16 = min(times[False]), min(times[True])
        backbone = cfg.model.backbone.type
        rows.append(
            dict(
                config=config,
                backbone=backbone,
                batch=cfg.train_dataloader.batch_size,
                fp32_ms=fp32,
                bf16_ms=bf16,
            )
        )
        rows[-1]["speedup"] = fp32 / bf16
    print(f"{environment()['device']}, torch threads {args.threads}, native bf16: {native}")
    print_table(rows, ["config", "backbone", "batch", "fp32_ms", "bf16_ms", "speedup"])
    payload = dict(native_bf16=native, rows=rows)
    if args.loss_iters:
        cfg = load_config(args.configs[0])
        if args.batch_size:
            cfg.train_dataloader.batch_size = args.batch_size
        curves = compare_loss_curves(cfg, args.loss_iters, device)
        payload["loss_curves"] = dict(config=args.configs[0], **curves)
        for term in ("total", "flow"):
            c = curves[term]
            print(
                f"{args.configs[0]}, {term} loss, mean of the last third of {args.loss_iters} "
                "iterations: "
                + ", ".join(f"{k} {v:.4f}" for k, v in c["tail_mean_loss"].items())
                + f"; bf16 - fp32 {c['bf16_minus_fp32']:+.4f} (2 standard errors "
                f"{2 * c['paired_stderr']:.4f}; fp32 seed 1 - seed 0 {c['fp32_seed_spread']:+.4f})"
                f": within noise {c['within_noise']}"
            )
        plot_loss_curves(curves["curves"], os.path.join(RESULTS, f"amp_loss_curves_{device}.png"))
    path = write_json(f"amp_speed_{device}", payload)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
