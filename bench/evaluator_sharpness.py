"""Does the sample metric see artifacts? Real digits, real + noise, and filtered samples.

    python bench/evaluator_sharpness.py [--samples bench/results/main_job_quality_*_samples.npz]

Scores, with DigitSampleMetric, the 500 real held-out digits of its floor half; the same with
Gaussian noise of std 0.1, 0.2 and 0.4 added (speckle, clamped to [-1, 1]); and any sample
sets given (``.npz`` from bench/main_job_quality.py), as they are and after a 3x3 median
filter, which removes speckle but not bad shapes. Prints a table, writes
bench/results/evaluator_sharpness.json.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from common import print_table, write_json  # noqa: E402

from greenreg.datasets import CaptionedDigitsDataset  # noqa: E402
from greenreg.evaluation import DigitSampleMetric  # noqa: E402

COLUMNS = ["images", "accuracy", "fd", "kid"] + [
    f"{k}_ratio"
    for k in ("total_variation", "mid_grey_fraction", "high_frequency_share", "background_level")
]


def median_filter(images: torch.Tensor) -> torch.Tensor:
    """3x3 median of (N, C, H, W) images, edges replicated."""
    padded = F.pad(images, [1] * 4, mode="replicate")
    patches = padded.unfold(2, 3, 1).unfold(3, 3, 1)  # (N, C, H, W, 3, 3)
    return patches.reshape(*images.shape, 9).median(-1).values


def main() -> None:
    """Score each image set; print and save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", nargs="*", default=[], help="npz files of samples")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    metric = DigitSampleMetric(source="mnist", image_size=32)
    heldout = CaptionedDigitsDataset("mnist", "heldout", 32)
    real, labels = heldout.images[500:], heldout.labels[500:].numpy()
    noise = torch.randn(real.shape, generator=torch.Generator().manual_seed(0))
    sets = {"real (floor half)": (real, labels)}
    for std in (0.1, 0.2, 0.4):
        sets[f"real + noise {std}"] = ((real + std * noise).clamp(-1, 1), labels)
    for path in args.samples:
        data = np.load(path)
        images = torch.from_numpy(data["images"]).float() / 127.5 - 1  # PNG levels -> [-1, 1]
        name = os.path.basename(path).removesuffix("_samples.npz")
        sets[name] = (images, data["labels"])
        sets[f"{name}, median 3x3"] = (median_filter(images), data["labels"])
    rows = []
    for name, (images, y) in sets.items():
        rows.append(dict(images=name, **metric.score(images, y)))
    print(f"floors: fd_real {rows[0]['fd_real']:.2f}, kid_real {rows[0]['kid_real']:.3f}")
    print_table(rows, COLUMNS)
    print(f"wrote {write_json('evaluator_sharpness', dict(rows=rows))}")


if __name__ == "__main__":
    main()
