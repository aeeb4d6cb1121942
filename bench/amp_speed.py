"""Training-step time with and without bf16 autocast, on whatever device this machine has.

    python bench/amp_speed.py [--configs CONFIG ...] [--steps 10] [--threads 2]

Decides whether ``--amp`` pays off here: CPUs without native bf16 units (AVX-512 BF16 or
AMX) emulate it 10x or more slower, and AutocastOptimWrapper then trains in fp32 with a warning;
this bench autocasts regardless, to show the cost. Default configs: the main job (U-Net)
and its DiT variant.
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
from common import environment, print_table, write_json  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

import greenreg  # noqa: E402, F401
from greenreg.engine.optim import has_native_bf16  # noqa: E402
from greenreg.registry import DATASETS, MODELS  # noqa: E402
from greenreg.schedules import TrainProgress  # noqa: E402


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
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    init_default_scope("greenreg")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    native = has_native_bf16(device)
    rows = []
    for config in args.configs:
        cfg = load_config(config)
        fp32, bf16 = (step_ms(cfg, amp, args.steps, device) for amp in (False, True))
        backbone = cfg.model.backbone.type
        rows.append(dict(config=config, backbone=backbone, fp32_ms=fp32, bf16_ms=bf16))
        rows[-1]["speedup"] = fp32 / bf16
    print(f"{environment()['device']}, torch threads {args.threads}, native bf16: {native}")
    print_table(rows, ["config", "backbone", "fp32_ms", "bf16_ms", "speedup"])
    path = write_json(f"amp_speed_{device}", dict(native_bf16=native, rows=rows))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
