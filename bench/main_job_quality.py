"""Quality of a trained main job on 500 EMA samples, with real-digit floors and goals.

    python bench/main_job_quality.py CONFIG CHECKPOINT [--tag unet] [--num-samples 500]
        [--cfg-options model.solver.type=HeunSolver model.time_grid.num_steps=10]

Samples ``--num-samples`` images (every digit in turn, the caption templates cycled, seeds
0..N-1) with the EMA weights, as ``tools/sample.py`` does, and scores them with
DigitSampleMetric: accuracy for the caption's digit, FD and KID to real held-out digits in
the classifier's multi-scale features, and the pixel statistics (total variation, mid-grey
fraction, high-frequency share, background level) as ratios to real digits. Each score is
printed beside its floor (the same score for as many real digits) and the issue's goal.
Writes bench/results/main_job_quality_<tag>.json, the samples as .npz and a grid PNG.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _cli import load_config  # noqa: E402
from common import RESULTS, print_table, write_json  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from sample import conditions_for, load_model, write_samples  # noqa: E402

import greenreg  # noqa: E402, F401
from greenreg.evaluation import DigitSampleMetric  # noqa: E402

# score -> (floor key, goal as text, test of the goal)
GOALS = {
    "accuracy": ("accuracy_real", ">= 97", lambda v, f: v >= 97),
    "fd": ("fd_real", "<= 3x floor", lambda v, f: v <= 3 * f),
    "total_variation_ratio": (None, "0.85-1.15", lambda v, f: abs(v - 1) <= 0.15),
    "high_frequency_share_ratio": (None, "0.85-1.15", lambda v, f: abs(v - 1) <= 0.15),
    "background_level_ratio": (None, "0.85-1.15", lambda v, f: abs(v - 1) <= 0.15),
    "mid_grey_fraction_ratio": (None, "-", None),
    "kid": ("kid_real", "-", None),
}


def main() -> None:
    """Sample, score, print the table, save JSON, npz and grid."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("checkpoint")
    parser.add_argument("--tag", default="main", help="result name: main_job_quality_<tag>")
    parser.add_argument("--num-samples", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, metavar="KEY=VALUE")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cfg = load_config(args.config, args.cfg_options)
    init_default_scope(cfg.get("default_scope", "greenreg"))
    model = load_model(cfg, args.checkpoint, use_ema=True)
    request = SimpleNamespace(num_samples=args.num_samples, captions=None, labels=None)
    length = cfg.train_dataloader.dataset.get("max_caption_length", 8)
    conditions, captions = conditions_for(model, request, length)
    labels = np.arange(args.num_samples) % 10
    start = time.perf_counter()
    with torch.no_grad():
        images = torch.cat(
            [
                model.sample(
                    {k: v[i : i + 100] for k, v in conditions.items()}, list(range(i, i + 100))
                )
                .cpu()
                .float()
                for i in range(0, args.num_samples, 100)
            ]
        )[: args.num_samples]
    sample_s = time.perf_counter() - start
    scores = DigitSampleMetric(source="mnist", image_size=images.shape[-1]).score(images, labels)
    rows = []
    for key, (floor_key, goal, met) in GOALS.items():
        floor = scores[floor_key] if floor_key else 1.0
        ok = "-" if met is None else ("yes" if met(scores[key], floor) else "no")
        rows.append(dict(score=key, samples=scores[key], real=floor, goal=goal, met=ok))
    print(f"{args.config} ({args.checkpoint}), {args.num_samples} EMA samples in {sample_s:.0f} s")
    print_table(rows, ["score", "samples", "real", "goal", "met"])
    out = os.path.join(RESULTS, f"main_job_quality_{args.tag}")
    pixels = ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).numpy()  # PNG levels
    np.savez_compressed(f"{out}_samples.npz", images=pixels, labels=labels)
    write_samples(images[:80], captions[:80], f"{out}_grid", [])
    payload = dict(
        config=args.config,
        cfg_options=args.cfg_options,
        checkpoint=args.checkpoint,
        num_samples=args.num_samples,
        sample_s=sample_s,
        scores=scores,
        rows=rows,
    )
    print(f"wrote {write_json(f'main_job_quality_{args.tag}', payload)}")


if __name__ == "__main__":
    main()
