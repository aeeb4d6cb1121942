r"""Evaluate a checkpoint: FD, KID and precision/recall, the recipe's metrics, speed, memory.

    python tools/evaluate.py configs/isonext.py work_dirs/isonext/iter_2000.pth --num-samples 300
    python tools/evaluate.py CONFIG CKPT --num-samples 1000 --features inception \
        --feature-weights /models/inception_v3_google-0cc3c7bd.pth

Samples the first N items of the config's val dataset (cycled; seed = item index), EMA
weights unless ``--raw``. FD ("fid"), KID and precision/recall (k = 3) compare them with the
val items' ``inputs`` (each sample's ground truth for paired data) or, for a val dataset
without images (caption prompts), the train dataset's images, in the feature space of
``--features``: ``repo`` (the style classifier for a StyledDigitsDataset, else the digit
classifier), ``inception`` or ``dinov2`` (local weights only, never downloaded). The
config's ``val_evaluator`` runs on the same samples (plus StyleTransferMetric for paired
``source``/``inputs`` data). Latency: sampling wall time / N after one warm-up batch. Peak
memory: torch.cuda.max_memory_allocated on a GPU, the process's peak RSS on a CPU. Writes
JSON (default ``work_dirs/<config name>/eval_<checkpoint stem>.json``), prints a table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import os.path as osp
import resource
import sys
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from _cli import check_positive_ints, exit_cleanly_on_bad_input, load_config  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from sample import SOLVER_NAMES, apply_sampling_options, load_model  # noqa: E402

FEATURES = ("repo", "inception", "dinov2")
NEAREST_NEIGHBOUR_K = 3  # Kynkaanniemi et al. 2019's k for precision/recall


def parse_args() -> argparse.Namespace:
    """Command-line arguments of the evaluate tool (choices checked here: one-line errors)."""
    parser = argparse.ArgumentParser(description="Evaluate a greenreg checkpoint.")
    parser.add_argument("config", help="the config the checkpoint was trained with")
    parser.add_argument(
        "checkpoint", help="checkpoint (.pth file or sharded directory) or model.safetensors"
    )
    parser.add_argument("--num-samples", type=int, required=True, help="samples to draw")
    parser.add_argument("--out", help="JSON file (default work_dirs/<config>/eval_<ckpt>.json)")
    parser.add_argument("--features", default="repo", help=f"feature space: {', '.join(FEATURES)}")
    parser.add_argument("--feature-weights", help="local weights (file or dinov2 folder)")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--steps", type=int, help="time-grid steps (default: the config's)")
    parser.add_argument("--solver", help=f"one of {', '.join(sorted(SOLVER_NAMES))}")
    parser.add_argument("--raw", action="store_true", help="trained weights instead of EMA")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, metavar="KEY=VALUE")
    args = parser.parse_args()
    check_positive_ints(args, ("num_samples", "batch_size", "steps"))
    if args.features not in FEATURES:
        raise ValueError(f"--features: unknown feature space; expected one of {FEATURES}, "
                         f"got {args.features!r}.")  # fmt: skip
    if args.solver is not None and args.solver not in SOLVER_NAMES:
        raise ValueError(f"--solver: unknown solver; expected one of {sorted(SOLVER_NAMES)}, "
                         f"got {args.solver!r}.")  # fmt: skip
    if not osp.exists(args.checkpoint):  # before minutes of dataset and model building
        raise FileNotFoundError(f"checkpoint {args.checkpoint!r}: no such file or directory.")
    if args.feature_weights and not osp.exists(args.feature_weights):
        raise FileNotFoundError(f"--feature-weights: no such file or folder; expected local "
                                f"weights, got {args.feature_weights!r}.")  # fmt: skip
    if args.features != "repo" and not args.feature_weights:
        raise ValueError(f"--feature-weights: --features {args.features} reads local weights "
                         f"only; expected a path, got none.")  # fmt: skip
    # what tools/sample.py's apply_sampling_options reads
    args.grid, args.cfg, args.cfg_decay = None, None, "constant"
    return args


def build_datasets(cfg) -> tuple:
    """(val dataset, train dataset config): the val dataset is the train one if none."""
    from greenreg.registry import DATASETS

    train_cfg = (cfg.get("train_dataloader") or {}).get("dataset")
    val_cfg = (cfg.get("val_dataloader") or {}).get("dataset") or train_cfg
    if val_cfg is None:
        raise KeyError("config: neither val_dataloader.dataset nor train_dataloader.dataset.")
    return DATASETS.build(val_cfg), train_cfg


def feature_extractor(args: argparse.Namespace, dataset, device):
    """The feature space of ``--features`` (the repo's: styles for styled digits)."""
    from greenreg.datasets.styled_digits import StyledDigitsDataset
    from greenreg.evaluation import (
        ClassifierFeatureExtractor,
        DINOv2FeatureExtractor,
        InceptionFeatureExtractor,
        load_digit_classifier,
        load_style_classifier,
    )

    if args.features == "inception":
        return InceptionFeatureExtractor(args.feature_weights, device)
    if args.features == "dinov2":
        return DINOv2FeatureExtractor(args.feature_weights, device=device)
    if isinstance(dataset, StyledDigitsDataset):
        classifier = load_style_classifier(args.feature_weights, device)
        return ClassifierFeatureExtractor(classifier, "repo:style_classifier")
    classifier = load_digit_classifier(args.feature_weights, device)
    return ClassifierFeatureExtractor(classifier, "repo:digit_classifier")


def batches_of(dataset, num_samples: int, batch_size: int) -> list[dict]:
    """Collated batches of items 0..N-1 (cycled); ``seed`` = the item's index if absent."""
    import torch
    from mmengine.dataset import default_collate

    out = []
    for start in range(0, num_samples, batch_size):
        indices = range(start, min(start + batch_size, num_samples))
        batch = default_collate([dataset[i % len(dataset)] for i in indices])
        batch.setdefault("seed", torch.tensor(list(indices)))
        out.append(batch)
    return out


def draw_samples(model, batches: list[dict]) -> tuple[list[list[dict]], float, float | None]:
    """(predictions per batch, latency per sample in ms, mean NFE or None).

    One warm-up batch first (allocator, kernels), then every batch timed.
    """
    import torch
    from tqdm import tqdm

    nfes: list[int] = []
    solver = getattr(model, "solver", None)
    if solver is not None:  # solvers report their NFE, which FlowGenerator.sample drops
        solve = solver.solve

        def counted_solve(*args, **kwargs):
            result = solve(*args, **kwargs)
            nfes.append(result.nfe)
            return result

        solver.solve = counted_solve
    cuda = next(model.parameters()).is_cuda
    with torch.no_grad():
        model.val_step(batches[0])
        nfes.clear()
        if cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        outputs = [model.val_step(b) for b in tqdm(batches, desc="sampling", unit="batch")]
        if cuda:
            torch.cuda.synchronize()  # kernels run asynchronously: wait before reading time
    seconds = time.perf_counter() - start
    latency_ms = 1000 * seconds / sum(len(o) for o in outputs)
    return outputs, latency_ms, (sum(nfes) / len(nfes) if nfes else None)


def reference_images(val_dataset, batches: list[dict], train_cfg):
    """The val items' ``inputs`` if they have images, else the train dataset's images."""
    import torch

    from greenreg.registry import DATASETS

    if "inputs" in batches[0]:
        return torch.cat([b["inputs"] for b in batches]).float()
    if train_cfg is None:
        raise KeyError("config: the val items have no `inputs` and there is no train dataset.")
    train = DATASETS.build(train_cfg)
    images = getattr(train, "images", None)
    return images.float() if images is not None else torch.stack([x["inputs"] for x in train])


def distances(fake, real) -> dict:
    """FD, KID and precision/recall of two feature sets (None where too few samples)."""
    from greenreg.evaluation import frechet_distance, kernel_distance, precision_recall

    n = min(len(fake), len(real))
    scores = dict(fid=None, kid=None, precision=None, recall=None)
    if n >= 2:
        scores.update(fid=frechet_distance(fake, real), kid=kernel_distance(fake, real))
    if n > NEAREST_NEIGHBOUR_K:
        scores.update(precision_recall(real, fake, NEAREST_NEIGHBOUR_K).as_dict())
    return scores


def recipe_metrics(cfg, batches: list[dict], outputs: list[list[dict]]) -> dict:
    """The config's val_evaluator (and StyleTransferMetric for paired data) on the samples."""
    from mmengine.evaluator import Evaluator

    given = cfg.get("val_evaluator") or []
    metrics = list(given) if isinstance(given, (list, tuple)) else [given]
    paired = "source" in batches[0] and "inputs" in batches[0]
    if paired and all(m.get("type") != "StyleTransferMetric" for m in metrics):
        metrics.append(dict(type="StyleTransferMetric"))
    if not metrics:
        return {}
    evaluator = Evaluator(metrics)
    for batch, output in zip(batches, outputs):
        evaluator.process(output, batch)
    return evaluator.evaluate(sum(len(o) for o in outputs))


def peak_memory_mib(device) -> tuple[float, str]:
    """(peak memory in MiB, what was measured)."""
    import torch

    if torch.device(device).type == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20, "cuda_max_memory_allocated"
    # ru_maxrss is in KiB on Linux: the whole process's peak since it started
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "cpu_peak_rss"


def finite_or_none(value):
    """JSON has no NaN or infinity: those become null."""
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_table(results: dict) -> None:
    """One ``key  value`` line per scalar, recipe metrics indented."""
    flat = {k: v for k, v in results.items() if k != "recipe_metrics"}
    flat.update({f"  {k}": v for k, v in results["recipe_metrics"].items()})
    width = max(len(k) for k in flat)
    for key, value in flat.items():
        shown = f"{value:.4g}" if isinstance(value, float) else value
        print(f"{key:<{width}}  {shown}")


@exit_cleanly_on_bad_input
def main() -> None:
    """Check the inputs, sample N, score them, write JSON and print a table."""
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    apply_sampling_options(cfg, args)

    import torch
    from mmengine.device import get_device
    from mmengine.registry import init_default_scope

    if not torch.cuda.is_available():
        torch.set_num_threads(1)  # CPU runs share 2 cores: more threads run many times slower
    init_default_scope(cfg.get("default_scope", "greenreg"))
    device = get_device()
    val_dataset, train_cfg = build_datasets(cfg)
    extractor = feature_extractor(args, val_dataset, device)
    model = load_model(cfg, args.checkpoint, use_ema=not args.raw)
    batches = batches_of(val_dataset, args.num_samples, args.batch_size)
    outputs, latency_ms, nfe = draw_samples(model, batches)
    peak_mib, peak_kind = peak_memory_mib(device)
    samples = torch.stack([item["samples"].cpu() for o in outputs for item in o]).float()
    reference = reference_images(val_dataset, batches, train_cfg)
    results = dict(
        config=args.config, checkpoint=args.checkpoint, weights="raw" if args.raw else "ema",
        num_samples=len(samples), num_reference=len(reference), features=extractor.name,
        **distances(extractor(samples), extractor(reference)),
        latency_ms=latency_ms, peak_mem_mib=peak_mib, peak_mem_kind=peak_kind,
        device=str(device) + (f" ({torch.cuda.get_device_name()})" if device == "cuda" else ""),
        solver=type(model.solver).__name__ if hasattr(model, "solver") else None,
        num_steps=(cfg.model.get("time_grid") or {}).get("num_steps"), nfe=nfe,
        recipe_metrics=recipe_metrics(cfg, batches, outputs),
    )  # fmt: skip
    results = finite_or_none(results)
    config_name = osp.splitext(osp.basename(args.config))[0]
    ckpt_stem = osp.splitext(osp.basename(args.checkpoint))[0]
    out = args.out or osp.join("work_dirs", config_name, f"eval_{ckpt_stem}.json")
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(results, f, indent=2, default=float)  # numpy scalars as floats
    print_table(results)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
