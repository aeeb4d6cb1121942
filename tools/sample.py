"""Generate images from a trained checkpoint.

    python tools/sample.py CONFIG CHECKPOINT --num-samples 64 --out samples/
    python tools/sample.py CONFIG CHECKPOINT --captions "a handwritten seven" "the digit two"

Uses the EMA weights when the checkpoint has them (``--raw`` for the trained weights). Writes
``grid.png`` and one PNG per sample into ``--out``; refuses to overwrite files already there.
"""

from __future__ import annotations

import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from _cli import exit_cleanly_on_bad_input, load_config  # noqa: E402
from mmengine.config import DictAction  # noqa: E402


def parse_args() -> argparse.Namespace:
    """Command-line arguments of the sample tool."""
    parser = argparse.ArgumentParser(description="Sample images from a greenreg checkpoint.")
    parser.add_argument("config", help="the config the checkpoint was trained with")
    parser.add_argument("checkpoint", help="checkpoint file (.pth)")
    parser.add_argument("--num-samples", type=int, default=64, help="images to generate")
    parser.add_argument("--captions", nargs="+", help="captions (default: every digit in turn)")
    parser.add_argument("--out", default="samples", help="output folder")
    parser.add_argument("--steps", type=int, help="solver steps (default: the config's)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first sample")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--raw", action="store_true", help="trained weights instead of EMA")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, metavar="KEY=VALUE")
    args = parser.parse_args()
    for name in ("num_samples", "batch_size"):
        if getattr(args, name) < 1:
            raise ValueError(
                f"--{name.replace('_', '-')}: expected an int >= 1, got {getattr(args, name)}."
            )
    if args.steps is not None and args.steps < 1:
        raise ValueError(f"--steps: expected an int >= 1, got {args.steps}.")
    return args


def captions_for(args: argparse.Namespace) -> list[str]:
    """``num_samples`` captions: the given ones cycled, or every digit in turn."""
    from greenreg.datasets.captions import caption_for

    if args.captions:
        return [args.captions[i % len(args.captions)] for i in range(args.num_samples)]
    return [caption_for(i % 10, i // 10) for i in range(args.num_samples)]


@exit_cleanly_on_bad_input
def main() -> None:
    """Build the model, load the weights safely, sample, write PNGs."""
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    if args.steps is not None:
        cfg.model.solver.num_steps = args.steps

    import mmcv
    import torch
    from mmengine.device import get_device
    from mmengine.registry import init_default_scope

    import greenreg  # noqa: F401
    from greenreg.datasets import CaptionTokenizer
    from greenreg.engine.checkpoint import check_state_dict_fits, load_checkpoint, model_state_dict
    from greenreg.registry import MODELS
    from greenreg.visualization import sample_grid

    init_default_scope(cfg.get("default_scope", "greenreg"))
    captions = captions_for(args)
    names = ["grid.png"] + [f"sample_{i:04d}.png" for i in range(len(captions))]
    clash = [n for n in names if osp.exists(osp.join(args.out, n))]
    if clash:
        raise FileExistsError(
            f"--out {args.out!r}: already holds {clash[0]}; choose another folder."
        )
    model = MODELS.build(cfg.model)
    state = model_state_dict(load_checkpoint(args.checkpoint), use_ema=not args.raw)
    check_state_dict_fits(state, model, f"checkpoint {args.checkpoint!r}")
    model.load_state_dict(state)
    device = get_device()
    model.to(device).eval()
    max_len = cfg.get("val_dataloader", {}).get("dataset", {}).get("max_caption_length", 8)
    tokens = CaptionTokenizer(max_len).encode(captions).to(device)
    seeds = list(range(args.seed, args.seed + len(captions)))
    images = torch.cat(
        [
            model.sample(tokens[i : i + args.batch_size], seeds[i : i + args.batch_size]).cpu()
            for i in range(0, len(captions), args.batch_size)
        ]
    )
    os.makedirs(args.out, exist_ok=True)
    mmcv.imwrite(sample_grid(images, per_row=8)[..., ::-1], osp.join(args.out, names[0]))
    for name, image in zip(names[1:], images):
        mmcv.imwrite(sample_grid(image[None], per_row=1)[..., ::-1], osp.join(args.out, name))
    with open(osp.join(args.out, "captions.txt"), "a") as f:
        f.writelines(f"{n}\t{c}\n" for n, c in zip(names[1:], captions))
    print(f"wrote {len(images)} samples and grid.png to {args.out}")


if __name__ == "__main__":
    main()
