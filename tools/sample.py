"""Generate images from a trained checkpoint.

    python tools/sample.py CONFIG CHECKPOINT --num-samples 64 --out samples/
    python tools/sample.py CONFIG CHECKPOINT --captions "a handwritten seven" "the digit two"
    python tools/sample.py CONFIG CHECKPOINT --solver heun --steps 15
    python tools/sample.py configs/ddpm_mnist.py CKPT --solver ddim --steps 50 --cfg 3.0

Caption-conditioned models take ``--captions``; class-conditional ones (DiffusionGenerator)
take ``--labels`` and, with ``--cfg SCALE``, classifier-free guidance.

Uses the EMA weights when the checkpoint has them (``--raw`` for the trained weights). Writes
``grid.png``, one PNG per sample and ``captions.txt`` into ``--out``; refuses to overwrite
files already there.
"""

from __future__ import annotations

import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from _cli import exit_cleanly_on_bad_input, load_config  # noqa: E402
from mmengine.config import DictAction  # noqa: E402

# --solver name -> registered solver class
SOLVER_NAMES = {
    "euler": "EulerSolver",
    "heun": "HeunSolver",
    "midpoint": "MidpointSolver",
    "rk4": "RK4Solver",
    "adaptive": "AdaptiveHeunSolver",
    "ddim": "DDIMSampler",
    "ddpm": "DDPMAncestralSampler",
}
ADAPTIVE = ("AdaptiveHeunSolver",)


def parse_args() -> argparse.Namespace:
    """Command-line arguments of the sample tool."""
    parser = argparse.ArgumentParser(description="Sample images from a greenreg checkpoint.")
    parser.add_argument("config", help="the config the checkpoint was trained with")
    parser.add_argument("checkpoint", help="checkpoint file (.pth)")
    parser.add_argument("--num-samples", type=int, default=64, help="images to generate")
    parser.add_argument("--captions", nargs="+", help="captions (default: every digit in turn)")
    parser.add_argument("--out", default="samples", help="output folder")
    parser.add_argument(
        "--solver", choices=sorted(SOLVER_NAMES), help="ODE solver (default: the config's)"
    )
    parser.add_argument("--steps", type=int, help="solver steps (default: the config's)")
    parser.add_argument("--labels", nargs="+", type=int, help="classes (default: 0..9 in turn)")
    parser.add_argument("--cfg", type=float, help="classifier-free guidance scale (>= 1)")
    parser.add_argument("--cfg-decay", default="constant", choices=["constant", "linear", "cosine"])
    parser.add_argument("--seed", type=int, default=0, help="seed of the first sample")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--raw", action="store_true", help="trained weights instead of EMA")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, metavar="KEY=VALUE")
    args = parser.parse_args()
    for name in ("num_samples", "batch_size", "steps"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ValueError(f"--{name.replace('_', '-')}: expected an int >= 1, got {value}.")
    return args


def captions_for(args: argparse.Namespace) -> list[str]:
    """``num_samples`` captions: the given ones cycled, or every digit in turn."""
    from greenreg.datasets.captions import caption_for

    if args.captions:
        return [args.captions[i % len(args.captions)] for i in range(args.num_samples)]
    return [caption_for(i % 10, i // 10) for i in range(args.num_samples)]


def load_model(cfg, checkpoint: str, use_ema: bool):
    """The config's model with the checkpoint's weights, on the current device, in eval mode.

    Raises:
        FileNotFoundError, CheckpointError: a missing, damaged, unsafe or foreign checkpoint.
    """
    from mmengine.device import get_device

    from greenreg.engine.checkpoint import check_state_dict_fits, load_checkpoint, model_state_dict
    from greenreg.registry import MODELS

    model = MODELS.build(cfg.model)
    state = model_state_dict(load_checkpoint(checkpoint), use_ema=use_ema)
    check_state_dict_fits(state, model, f"checkpoint {checkpoint!r}")
    model.load_state_dict(state)
    return model.to(get_device()).eval()


def write_samples(images, captions: list[str], out: str, names: list[str]) -> None:
    """Writes the grid, one PNG per image and captions.txt into ``out``."""
    import mmcv

    from greenreg.visualization import sample_grid

    os.makedirs(out, exist_ok=True)
    mmcv.imwrite(sample_grid(images, per_row=8)[..., ::-1], osp.join(out, "grid.png"))
    for name, image in zip(names, images):
        mmcv.imwrite(sample_grid(image[None], per_row=1)[..., ::-1], osp.join(out, name))
    with open(osp.join(out, "captions.txt"), "w") as f:
        f.writelines(f"{n}\t{c}\n" for n, c in zip(names, captions))


def apply_sampling_options(cfg, args: argparse.Namespace) -> None:
    """Writes --solver, --steps and --cfg into cfg.model.

    A solver of the config's own type keeps its other settings (e.g. DDIM's clip_x1).
    """
    if args.solver is not None and cfg.model.solver.type != SOLVER_NAMES[args.solver]:
        cfg.model.solver = dict(type=SOLVER_NAMES[args.solver])
    if args.steps is not None:
        if cfg.model.solver.type in ADAPTIVE:
            raise ValueError("--steps: the adaptive solver chooses its own steps; drop --steps.")
        cfg.model.solver.num_steps = args.steps
    if args.cfg is not None:
        if cfg.model.get("conditioner", {}).get("type") != "ClassEmbeddingConditioner":
            raise ValueError(
                f"--cfg: guidance needs a class-conditional model (DiffusionGenerator with a "
                f"ClassEmbeddingConditioner); {cfg.model.type} has none."
            )
        cfg.model.guidance = dict(
            type="ClassifierFreeGuidance", scale=args.cfg, decay=args.cfg_decay
        )


def conditions_for(model, args: argparse.Namespace, tokenizer_length: int):
    """(condition tensor, text per sample): labels for class-conditional models, else tokens."""
    import torch

    from greenreg.datasets import CaptionTokenizer
    from greenreg.models.generators import DiffusionGenerator

    if isinstance(model, DiffusionGenerator):
        given = args.labels or list(range(10))
        labels = [given[i % len(given)] for i in range(args.num_samples)]
        return torch.tensor(labels), [f"label {y}" for y in labels]
    captions = captions_for(args)
    return CaptionTokenizer(tokenizer_length).encode(captions, strict=True), captions


@exit_cleanly_on_bad_input
def main() -> None:
    """Check the inputs, build and load the model, sample in batches, write PNGs."""
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    apply_sampling_options(cfg, args)

    import torch
    from mmengine.registry import init_default_scope
    from tqdm import tqdm

    init_default_scope(cfg.get("default_scope", "greenreg"))
    names = [f"sample_{i:04d}.png" for i in range(args.num_samples)]
    clash = [n for n in ["grid.png", "captions.txt", *names] if osp.exists(osp.join(args.out, n))]
    if clash:
        raise FileExistsError(
            f"--out {args.out!r}: already holds {clash[0]}; choose another folder."
        )
    dataset_cfg = (cfg.get("train_dataloader") or {}).get("dataset") or {}
    model = load_model(cfg, args.checkpoint, use_ema=not args.raw)
    conditions, captions = conditions_for(model, args, dataset_cfg.get("max_caption_length", 8))
    conditions = conditions.to(next(model.parameters()).device)
    seeds = list(range(args.seed, args.seed + len(captions)))
    batches = tqdm(range(0, len(captions), args.batch_size), desc="sampling", unit="batch")
    images = torch.cat(
        [
            model.sample(conditions[i : i + args.batch_size], seeds[i : i + args.batch_size]).cpu()
            for i in batches
        ]
    )
    write_samples(images, captions, args.out, names)
    print(f"wrote {len(images)} samples, grid.png and captions.txt to {args.out}")


if __name__ == "__main__":
    main()
