"""Train the evaluation classifier on the train split and save its weights.

    python tools/train_digit_classifier.py [--out PATH] [--epochs N]

It trains on the 4,000 ``train`` images (as an Inception network is trained on data of the
domain it judges) and is scored on the 1,000 ``heldout`` images, which neither it nor the
generators see; DigitSampleMetric takes its FD/KID reference and its floor from them. No
augmentation that hides noise (no blur, no added noise): only shifts of up to 2 pixels, so
speckled samples look as foreign to it as they are.
"""

from __future__ import annotations

import argparse
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from _cli import exit_cleanly_on_bad_input  # noqa: E402
from tqdm import tqdm  # noqa: E402

from greenreg.datasets import CaptionedDigitsDataset  # noqa: E402
from greenreg.evaluation import DEFAULT_CLASSIFIER_PATH, DigitClassifier  # noqa: E402


def random_shift(
    images: torch.Tensor, max_shift_px: int, generator: torch.Generator
) -> torch.Tensor:
    """Translates each image by up to ``max_shift_px`` pixels (background -1 fills in)."""
    padded = F.pad(images, [max_shift_px] * 4, value=-1.0)
    size = images.shape[-1]
    out = torch.empty_like(images)
    offsets = torch.randint(0, 2 * max_shift_px + 1, (len(images), 2), generator=generator)
    for i, (dy, dx) in enumerate(offsets.tolist()):
        out[i] = padded[i, :, dy : dy + size, dx : dx + size]
    return out


def train_classifier(epochs: int, seed: int = 0) -> tuple[DigitClassifier, float]:
    """Trains on the train split; returns the model and its accuracy (%) on held-out."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    train = CaptionedDigitsDataset("mnist", "train", 32)
    test = CaptionedDigitsDataset("mnist", "heldout", 32)
    model = DigitClassifier()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = epochs * (len(train) // 100)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, 2e-3, total_steps=steps)
    model.train()
    for _ in tqdm(range(epochs), desc="training classifier", unit="epoch"):
        order = torch.randperm(len(train), generator=generator)
        for idx in order.split(100):
            if len(idx) < 100:
                continue
            x = random_shift(train.images[idx], 2, generator)
            loss = F.cross_entropy(model(x), train.labels[idx], label_smoothing=0.05)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
    model.eval()
    with torch.no_grad():
        preds = torch.cat([model(x).argmax(1) for x in test.images.split(500)])
    return model, float((preds == test.labels).float().mean() * 100)


@exit_cleanly_on_bad_input
def main() -> None:
    """Train, report accuracy on the unseen held-out split, save the state dict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_CLASSIFIER_PATH, help="where to save weights")
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    if args.epochs < 1:
        raise ValueError(f"--epochs: expected an int >= 1, got {args.epochs}.")
    start = time.perf_counter()
    model, accuracy = train_classifier(args.epochs)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(model.state_dict(), args.out)
    print(
        f"classifier: {accuracy:.2f}% on the 1,000 held-out images it never saw "
        f"({time.perf_counter() - start:.0f} s); saved to {args.out}"
    )


if __name__ == "__main__":
    main()
