"""Generate images from a trained checkpoint.

    python tools/sample.py CONFIG CHECKPOINT --num-samples 64 --out samples/
    python tools/sample.py CONFIG CHECKPOINT --captions "a handwritten seven" "the digit two"
    python tools/sample.py CONFIG CHECKPOINT --solver heun --steps 15
    python tools/sample.py configs/ddpm_mnist.py CKPT --solver ddim --steps 50 --cfg 3.0
    python tools/sample.py configs/ddpm_mnist.py CKPT --solver heun --steps 10 --grid karras
    python tools/sample.py configs/isonext.py CKPT --styles thick slant --structure digits.npz

Every solver works with every model. Caption-conditioned models (a CaptionGaussianSource)
take ``--captions``; class-conditional ones (a ClassEmbeddingConditioner) take ``--labels``
and, with ``--cfg SCALE``, classifier-free guidance. Style-transfer models (a
PairedDataSource) flow from structure images: ``--structure`` (a .npz/.npy of (N, H, W)
images in [0, 255]; default: the held-out digits) in each of ``--styles`` (names, default
all), sample i being structure i // S in style i % S; ``pairs.png`` shows each structure
above its output.

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

from _cli import check_positive_ints, exit_cleanly_on_bad_input, load_config  # noqa: E402
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
    "dopri5": "Dopri5Solver",
}
ADAPTIVE = ("AdaptiveHeunSolver", "Dopri5Solver")
# --grid name -> registered time grid
GRID_NAMES = {
    "uniform": "UniformTimeGrid",
    "logsnr": "LogSNRUniformTimeGrid",
    "karras": "KarrasTimeGrid",
    "ddpm": "DDPMSpacingTimeGrid",
}


def parse_args() -> argparse.Namespace:
    """Command-line arguments of the sample tool."""
    parser = argparse.ArgumentParser(description="Sample images from a greenreg checkpoint.")
    parser.add_argument("config", help="the config the checkpoint was trained with")
    parser.add_argument(
        "checkpoint",
        help="checkpoint (.pth file or sharded directory) or model.safetensors (tools/export.py)",
    )
    parser.add_argument("--num-samples", type=int, default=64, help="images to generate")
    parser.add_argument("--captions", nargs="+", help="captions (default: every digit in turn)")
    parser.add_argument("--out", default="samples", help="output folder")
    parser.add_argument(
        "--solver", choices=sorted(SOLVER_NAMES), help="ODE solver (default: the config's)"
    )
    parser.add_argument("--steps", type=int, help="time-grid steps (default: the config's)")
    parser.add_argument(
        "--grid", choices=sorted(GRID_NAMES), help="time grid (default: the config's)"
    )
    parser.add_argument("--labels", nargs="+", type=int, help="classes (default: 0..9 in turn)")
    parser.add_argument("--structure", help="structure images (.npz/.npy) for style transfer")
    parser.add_argument("--styles", nargs="+", help="style names (default: every style)")
    parser.add_argument("--cfg", type=float, help="classifier-free guidance scale (>= 1)")
    parser.add_argument("--cfg-decay", default="constant", choices=["constant", "linear", "cosine"])
    parser.add_argument("--seed", type=int, default=0, help="seed of the first sample")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--raw", action="store_true", help="trained weights instead of EMA")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, metavar="KEY=VALUE")
    args = parser.parse_args()
    check_positive_ints(args, ("num_samples", "batch_size", "steps"))
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
    from greenreg.engine.export import load_exported_weights
    from greenreg.registry import MODELS

    model = MODELS.build(cfg.model)
    if checkpoint.endswith(".safetensors"):  # tools/export.py: one set of weights, no pickle
        if not use_ema:
            raise ValueError(
                f"--raw: {checkpoint!r} is an export holding one set of weights; drop --raw "
                f"(export with `tools/export.py --raw` for the trained ones)."
            )
        state = load_exported_weights(checkpoint)
    else:
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


def write_pairs(sources, outputs, path: str, per_row: int = 8) -> None:
    """A grid whose odd rows are the structures and even rows their outputs."""
    import mmcv
    import torch

    from greenreg.visualization import sample_grid

    rows = []
    for i in range(0, len(outputs), per_row):
        rows += [sources[i : i + per_row].cpu(), outputs[i : i + per_row].cpu()]
    padded = [torch.cat([r, -torch.ones(per_row - len(r), *r.shape[1:])]) for r in rows]
    mmcv.imwrite(sample_grid(torch.cat(padded), per_row=per_row)[..., ::-1], path)


def apply_sampling_options(cfg, args: argparse.Namespace) -> None:
    """Writes --solver, --grid, --steps and --cfg into cfg.model.

    A solver or grid of the config's own type keeps its other settings (e.g. DDIM's clip_x1).
    """
    model = cfg.model
    if args.solver is not None and model.get("solver", {}).get("type") != SOLVER_NAMES[args.solver]:
        model.solver = dict(type=SOLVER_NAMES[args.solver])
    grid = model.get("time_grid") or dict(type="UniformTimeGrid")
    if args.grid is not None and grid.get("type") != GRID_NAMES[args.grid]:
        grid = dict(type=GRID_NAMES[args.grid], num_steps=grid.get("num_steps", 50))
    if args.steps is not None:
        if model.get("solver", {}).get("type") in ADAPTIVE:
            raise ValueError("--steps: the adaptive solver chooses its own steps; drop --steps.")
        grid["num_steps"] = args.steps
    model.time_grid = grid
    if args.cfg is not None:
        if (model.get("conditioning") or {}).get("type") != "ClassEmbeddingConditioner":
            raise ValueError(
                f"--cfg: guidance needs a class-conditional model (model.conditioning = "
                f"ClassEmbeddingConditioner); {cfg.model.type} has none."
            )
        cfg.model.guidance = dict(
            type="ClassifierFreeGuidance", scale=args.cfg, decay=args.cfg_decay
        )


def structures_for(args: argparse.Namespace, count: int, image_size: int):
    """``count`` structure images (N, 1, S, S) in [-1, 1]: --structure's, else held-out digits.

    Raises:
        FileNotFoundError, KeyError, ValueError: an unreadable --structure file.
    """
    from greenreg.datasets import CaptionedDigitsDataset, ImageArrayDataset

    if args.structure:
        return ImageArrayDataset(args.structure, labels_key=None, image_size=image_size).images
    return CaptionedDigitsDataset("mnist", "heldout", image_size, num_samples=count).images


def style_transfer_conditions(args: argparse.Namespace, image_size: int):
    """(batch with ``source`` and ``label``, text per sample) for a style-transfer model.

    Raises:
        KeyError: an unknown style name (names the known ones).
    """
    import torch

    from greenreg.datasets import STYLES
    from greenreg.datasets.digit_styles import style_index

    names = args.styles or list(STYLES)
    try:
        styles = [style_index(name) for name in names]
    except KeyError as err:
        raise KeyError(f"--styles: {err.args[0]}") from None
    per_structure = len(styles)
    structures = structures_for(args, -(-args.num_samples // per_structure), image_size)
    index = [i // per_structure % len(structures) for i in range(args.num_samples)]
    labels = [styles[i % per_structure] for i in range(args.num_samples)]
    texts = [f"{STYLES[y]} of structure {k}" for k, y in zip(index, labels)]
    return dict(source=structures[index], label=torch.tensor(labels)), texts


def conditions_for(model, args: argparse.Namespace, tokenizer_length: int, image_size: int = 32):
    """(batch of conditions, text per sample) for the keys the model samples from.

    ``label`` (class-conditional models) comes from --labels, ``tokens`` (caption sources)
    from --captions, ``source`` and ``label`` of style-transfer models from --structure and
    --styles; a model that needs none gets an empty batch.
    """
    import torch

    from greenreg.datasets import CaptionTokenizer

    keys = set(model.condition_keys())
    unknown = sorted(keys - {"label", "tokens", "source"})
    if unknown:
        raise ValueError(
            f"tools/sample.py: {type(model).__name__} samples from batch keys {unknown}; expected "
            f"only 'label' (--labels), 'tokens' (--captions) or 'source' (--structure)."
        )
    if "source" in keys:
        return style_transfer_conditions(args, image_size)
    batch, texts = {}, [f"sample {i}" for i in range(args.num_samples)]
    if "label" in keys:
        given = args.labels or list(range(10))
        labels = [given[i % len(given)] for i in range(args.num_samples)]
        batch["label"], texts = torch.tensor(labels), [f"label {y}" for y in labels]
    if "tokens" in keys:
        texts = captions_for(args)
        batch["tokens"] = CaptionTokenizer(tokenizer_length).encode(texts, strict=True)
    return batch, texts


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
    made = ["grid.png", "pairs.png", "captions.txt", *names]
    clash = [n for n in made if osp.exists(osp.join(args.out, n))]
    if clash:
        raise FileExistsError(
            f"--out {args.out!r}: already holds {clash[0]}; choose another folder."
        )
    dataset_cfg = (cfg.get("train_dataloader") or {}).get("dataset") or {}
    model = load_model(cfg, args.checkpoint, use_ema=not args.raw)
    conditions, captions = conditions_for(
        model, args, dataset_cfg.get("max_caption_length", 8), dataset_cfg.get("image_size", 32)
    )
    seeds = list(range(args.seed, args.seed + len(captions)))
    batches = tqdm(range(0, len(captions), args.batch_size), desc="sampling", unit="batch")
    images = torch.cat(
        [
            model.sample(
                {k: v[i : i + args.batch_size] for k, v in conditions.items()},
                seeds[i : i + args.batch_size],
            ).cpu()
            for i in batches
        ]
    )
    write_samples(images, captions, args.out, names)
    if "source" in conditions:  # each structure above its output, 8 pairs a row
        write_pairs(conditions["source"], images, osp.join(args.out, "pairs.png"))
    print(f"wrote {len(images)} samples, grid.png and captions.txt to {args.out}")


if __name__ == "__main__":
    main()
