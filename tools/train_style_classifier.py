"""Train the style classifier (six styles) on the styled train split and save its weights.

    python tools/train_style_classifier.py [--out PATH] [--epochs N]

The digit classifier's network with six outputs, trained on the StyledDigitsDataset
``train`` split (4,000 digits, each epoch every digit once in a style drawn at random,
styles balanced) and scored on all six renderings of the 1,000 ``heldout`` digits, which
neither it nor the generators see. StyleTransferMetric reads style accuracy and the style
FD/KID feature space from it. As for the digit classifier, the only augmentation is a shift
of up to 2 pixels: no blur and no noise, so blurred or speckled outputs stay foreign to it.
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
from train_digit_classifier import random_shift  # noqa: E402

from greenreg.datasets.digit_styles import STYLES  # noqa: E402
from greenreg.datasets.styled_digits import StyledDigitsDataset  # noqa: E402
from greenreg.evaluation import DEFAULT_STYLE_CLASSIFIER_PATH, DigitClassifier  # noqa: E402

BATCH_SIZE = 100


def balanced_styles(num_digits: int, generator: torch.Generator) -> torch.Tensor:
    """A style index per digit, shape (num_digits,): each style equally often, shuffled."""
    styles = torch.arange(num_digits) % len(STYLES)
    return styles[torch.randperm(num_digits, generator=generator)]


@torch.no_grad()
def heldout_accuracy(model: DigitClassifier, heldout: StyledDigitsDataset) -> float:
    """Accuracy (%) over every style of every held-out digit."""
    images = heldout.styled.flatten(0, 1)  # (N * S, 1, H, W), digit-major
    labels = heldout.style_labels.repeat(len(heldout.structure))  # (N * S,)
    preds = torch.cat([model(x).argmax(1) for x in images.split(500)])
    return float((preds == labels).float().mean() * 100)


def train_classifier(epochs: int, seed: int = 0) -> tuple[DigitClassifier, float]:
    """Trains on the train split; returns the model and its accuracy (%) on held-out."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    train = StyledDigitsDataset("mnist", "train", image_size=32)
    model = DigitClassifier(num_classes=len(STYLES))
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = epochs * (len(train.structure) // BATCH_SIZE)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, 2e-3, total_steps=steps)
    model.train()
    for _ in tqdm(range(epochs), desc="training style classifier", unit="epoch"):
        order = torch.randperm(len(train.structure), generator=generator)
        styles = balanced_styles(len(order), generator)
        for idx, style in zip(order.split(BATCH_SIZE), styles.split(BATCH_SIZE)):
            if len(idx) < BATCH_SIZE:
                continue
            x = random_shift(train.styled[idx, style], 2, generator)  # (B, 1, H, W)
            loss = F.cross_entropy(model(x), style, label_smoothing=0.05)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
    model.eval()
    heldout = StyledDigitsDataset("mnist", "heldout", image_size=32)
    return model, heldout_accuracy(model, heldout)


@exit_cleanly_on_bad_input
def main() -> None:
    """Train, report accuracy on the unseen held-out digits, save the state dict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_STYLE_CLASSIFIER_PATH, help="weights file")
    parser.add_argument("--epochs", type=int, default=8)
    args = parser.parse_args()
    if args.epochs < 1:
        raise ValueError(f"--epochs: expected an int >= 1, got {args.epochs}.")
    torch.set_num_threads(1)  # more threads run slower on a shared 2-core machine
    start = time.perf_counter()
    model, accuracy = train_classifier(args.epochs)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(model.state_dict(), args.out)
    print(
        f"style classifier: {accuracy:.2f}% on the 6 x 1,000 held-out renderings of digits it "
        f"never saw ({time.perf_counter() - start:.0f} s); saved to {args.out}"
    )


if __name__ == "__main__":
    main()
