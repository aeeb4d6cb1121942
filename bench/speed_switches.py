"""Speed switches as config flags, each on its own and all together: it/s, memory, MFU.

    python bench/speed_switches.py [--config CONFIG] [--steps 10] [--warmup 3] [--repeats 2]
        [--batch-size N] [--threads N] [--skip compile workers ...]

Default model: the latent DiT of ``configs/greendiff_ldm.py`` (its ``model.backbone``, built
through the registry) trained with a rectified-flow loss on random latent batches (the
latent plus the concatenated map channels, and the adaLN condition embedding); ``--config``
trains that config's whole model on its own training set instead. Every setting is the
baseline (fp32, plain AdamW, no workers) with config flags merged in, ``--cfg-options``
style: ``speed_switches.*`` are SpeedSwitchesHook's keywords (``custom_hooks`` in a
training config), the others the config keys of that name. Each setting builds the model
afresh from one seed; settings are interleaved over ``--repeats`` and the best kept.

Peak memory: ``torch.cuda.max_memory_allocated`` on a GPU; on a CPU the process's peak
resident set (Linux ``VmHWM``, reset before each setting; DataLoader workers not included).
MFU: FLOPs of one training step (FlopCounterMode: forward and backward) x it/s over the
GPU's dense bf16 peak. Without a GPU the GPU-only switch (TF32) is skipped with a notice.
Prints a table and writes bench/results/speed_switches_<cpu|gpu>.json.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
from common import environment, print_table, write_json  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.model import BaseModel  # noqa: E402
from mmengine.optim import build_optim_wrapper  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from torch import Tensor, nn  # noqa: E402
from torch.utils.data import DataLoader, Dataset  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

import greenreg  # noqa: E402, F401
from greenreg.engine.hooks import SpeedSwitchesHook  # noqa: E402
from greenreg.registry import DATASETS, MODELS  # noqa: E402
from greenreg.schedules import TrainProgress  # noqa: E402

# dense bf16 tensor-core peak, TFLOP/s (NVIDIA data sheets); first substring match wins
PEAK_BF16_TFLOPS = (("H100 PCIe", 756.0), ("H100", 989.0), ("H200", 989.0), ("A100", 312.0))
GPU_ONLY = ("tf32",)


class LatentDiT(BaseModel):
    """A DiT backbone trained alone on latents: rectified flow, x_t = t x1 + (1 - t) x0.

    Args:
        backbone (dict): ``DiTBackbone`` config; ``in_channels - out_channels`` channels of
            maps are concatenated to x_t, its ``width`` is the condition embedding's.
    """

    def __init__(self, backbone: dict) -> None:
        super().__init__()
        self.backbone = MODELS.build(backbone)

    def forward(self, inputs: Tensor, concat: Tensor, cond: Tensor, mode: str = "loss", **_):
        """Flow-matching loss of a batch.

        Args:
            inputs (Tensor): latents x1, shape (B, C, H, W).
            concat (Tensor): map channels concatenated to x_t, shape (B, C', H, W).
            cond (Tensor): adaLN condition embedding, shape (B, D).
            mode (str): only ``"loss"``.

        Returns:
            dict: ``loss_flow``, the mean squared velocity error.
        """
        x0 = torch.randn_like(inputs)
        t = torch.rand(len(inputs), device=inputs.device)
        tt = t.view(-1, 1, 1, 1)
        xt = tt * inputs + (1 - tt) * x0
        v_pred = self.backbone(torch.cat([xt, concat], dim=1), t, cond)  # (B, C, H, W)
        return dict(loss_flow=(v_pred - (inputs - x0)).square().mean())


class LatentBatches(Dataset):
    """Random latents, map channels and condition embeddings for a DiT config, fixed by seed."""

    def __init__(self, backbone: dict, num: int) -> None:
        g = torch.Generator().manual_seed(0)
        size, out = backbone["image_size"], backbone["out_channels"]
        self.inputs = torch.randn(num, out, size, size, generator=g)
        self.concat = torch.randn(num, backbone["in_channels"] - out, size, size, generator=g)
        self.cond = torch.randn(num, backbone["width"], generator=g)

    def __len__(self) -> int:
        return len(self.inputs)

    def __getitem__(self, i: int) -> dict:
        return dict(inputs=self.inputs[i], concat=self.concat[i], cond=self.cond[i])


@dataclass
class Setup:
    """What a bench run trains: a model factory, its data and the baseline run config."""

    build_model: Callable[[], nn.Module]
    dataset: Dataset
    run_cfg: dict  # speed_switches, optim_wrapper, train_dataloader


def latent_dit_setup(backbone: dict, batch_size: int) -> Setup:
    """The DiT ``backbone`` on random latent batches, AdamW at 1e-4 and clip 1."""
    backbone = dict(backbone)
    backbone.setdefault("out_channels", backbone["in_channels"])
    optimizer = dict(type="AdamW", lr=1e-4, weight_decay=0.0)
    return Setup(
        lambda: LatentDiT(backbone),
        LatentBatches(backbone, 8 * batch_size),
        baseline_cfg(optimizer, dict(max_norm=1.0), batch_size),
    )


def config_setup(cfg: Config) -> Setup:
    """A training config's model, training set, optimizer and clip, in fp32."""
    wrapper = cfg.optim_wrapper
    return Setup(
        lambda: MODELS.build(copy.deepcopy(cfg.model)),
        DATASETS.build(cfg.train_dataloader.dataset),
        baseline_cfg(wrapper.optimizer, wrapper.get("clip_grad"), cfg.train_dataloader.batch_size),
    )


def baseline_cfg(optimizer: dict, clip_grad: dict | None, batch_size: int) -> dict:
    """No switch on: fp32 OptimWrapper, unfused optimizer, data loaded in process."""
    optimizer = {key: value for key, value in optimizer.items() if key != "fused"}
    return dict(
        speed_switches=dict(),
        optim_wrapper=dict(type="OptimWrapper", optimizer=optimizer, clip_grad=clip_grad),
        train_dataloader=dict(batch_size=batch_size, num_workers=0),
    )


def switches(model: nn.Module) -> dict[str, dict]:
    """Each switch's config flags (dotted keys), for this model's conv and backbone parts."""
    conv_parts = [
        name
        for name, child in model.named_children()
        if any(isinstance(m, nn.Conv2d) for m in child.modules())
    ]
    return {
        "tf32": {"speed_switches.tf32": True},
        "channels_last": {"speed_switches.channels_last": conv_parts},
        "bf16_autocast": {
            "optim_wrapper.type": "AutocastOptimWrapper",
            "optim_wrapper.dtype": "bfloat16",
        },
        "fused_adamw": {"optim_wrapper.optimizer.fused": True},
        "compile": {"speed_switches.compile": ["backbone"]},
        "workers": {
            "train_dataloader.num_workers": 2,
            "train_dataloader.prefetch_factor": 4,
            "train_dataloader.persistent_workers": True,
        },
    }


def peak_memory_reset(device: str) -> bool:
    """Resets the peak-memory counter; False where there is none (non-Linux CPU)."""
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
        return True
    try:  # "5" resets the peak resident set size (Linux >= 4.0, proc(5))
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_memory_mib(device: str) -> float:
    """GPU memory allocated, or the process's peak resident set, since the reset (MiB)."""
    if device == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    with open("/proc/self/status") as f:
        kib = next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))
    return kib / 1024


def train_step(model, optim_wrapper, batch: dict, step: int) -> None:
    """BaseModel.train_step with the progress TrainProgressHook would hand over."""
    data = model.data_preprocessor(batch, True)
    progress = TrainProgress(step, step * len(next(iter(batch.values()))))
    with optim_wrapper.optim_context(model):
        losses = model(**data, mode="loss", progress=progress)
    optim_wrapper.update_params(sum(losses.values()))


def forever(loader: DataLoader):
    """The loader's batches, epoch after epoch."""
    while True:
        yield from loader


def measure(setup: Setup, flags: dict, steps: int, warmup: int, device: str) -> dict:
    """Trains ``warmup`` then ``steps`` steps with ``flags`` merged into the baseline.

    Returns:
        dict: ``it_per_s`` (after warm-up), ``first_step_s`` (the compiling step under
        ``compile``) and ``peak_mem_mib`` (None where it cannot be read).
    """
    cfg = Config(copy.deepcopy(setup.run_cfg))
    cfg.merge_from_dict(flags)
    saved = torch.get_float32_matmul_precision(), torch.backends.cudnn.allow_tf32
    has_peak = peak_memory_reset(device)
    torch.manual_seed(0)
    model = setup.build_model().to(device)
    hook = SpeedSwitchesHook(**cfg.speed_switches)
    hook.apply(model)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    batches = forever(
        DataLoader(setup.dataset, shuffle=True, drop_last=True, **cfg.train_dataloader)
    )
    sync = torch.cuda.synchronize if device == "cuda" else lambda: None
    hook.before_train_iter(None, 0)  # the console notice while torch.compile works
    start = time.perf_counter()
    for i in range(warmup + steps):  # warmup >= 1: step 0 is timed apart
        if i == warmup:
            sync()
            start = time.perf_counter()
        train_step(model, optim_wrapper, next(batches), i)
        if i == 0:
            sync()
            first = time.perf_counter() - start
    sync()
    seconds = time.perf_counter() - start
    torch.set_float32_matmul_precision(saved[0])
    torch.backends.cudnn.allow_tf32 = saved[1]
    torch._dynamo.reset()
    return dict(
        it_per_s=steps / seconds,
        first_step_s=first,
        peak_mem_mib=peak_memory_mib(device) if has_peak else None,
    )


def train_flops(setup: Setup, device: str) -> int:
    """FLOPs of one training step (forward and backward) of the baseline model."""
    torch.manual_seed(0)
    model = setup.build_model().to(device)
    batch_size = setup.run_cfg["train_dataloader"]["batch_size"]
    batch = next(iter(DataLoader(setup.dataset, batch_size=batch_size)))
    data = model.data_preprocessor(batch, True)
    with FlopCounterMode(display=False) as counter:
        losses = model(**data, mode="loss", progress=TrainProgress(0, 0))
        sum(losses.values()).backward()
    return counter.get_total_flops()


def peak_bf16_tflops(device_name: str) -> float | None:
    """Dense bf16 peak of a GPU by its name; None for one not in the table."""
    return next((peak for key, peak in PEAK_BF16_TFLOPS if key in device_name), None)


def bench(
    setup: Setup,
    skip: tuple = (),
    steps: int = 10,
    warmup: int = 3,
    repeats: int = 2,
    device: str = "cpu",
) -> list[dict]:
    """Baseline, each switch alone and all together; one row each, best of ``repeats``.

    Rows hold ``setting``, ``it_per_s``, ``speedup`` (over the baseline), ``first_step_s``,
    ``peak_mem_mib`` and ``flags`` (the config flags merged into the baseline).
    """
    table = {k: v for k, v in switches(setup.build_model()).items() if k not in skip}
    if device != "cuda":
        table = {k: v for k, v in table.items() if k not in GPU_ONLY}
    settings = {"baseline": {}, **table}
    if len(table) > 1:
        settings["all"] = {key: value for flags in table.values() for key, value in flags.items()}
    best: dict[str, dict] = {}
    for repeat in range(repeats):
        for k, (name, flags) in enumerate(settings.items()):
            result = measure(setup, flags, steps, warmup, device)
            print(
                f"[{k + 1}/{len(settings)}, repeat {repeat + 1}/{repeats}] {name}: "
                f"{result['it_per_s']:.2f} it/s, first step {result['first_step_s']:.1f} s",
                flush=True,
            )
            old = best.setdefault(name, dict(result, setting=name, flags=flags))
            old["it_per_s"] = max(old["it_per_s"], result["it_per_s"])
            old["first_step_s"] = max(old["first_step_s"], result["first_step_s"])
    base = best["baseline"]["it_per_s"]
    return [dict(row, speedup=row["it_per_s"] / base) for row in best.values()]


def add_throughput(rows: list[dict], flops: int, peak_tflops: float | None) -> None:
    """Adds achieved ``gflop_per_s`` and ``mfu`` (None without a known peak) to each row."""
    for row in rows:
        row["gflop_per_s"] = flops * row["it_per_s"] / 1e9
        row["mfu"] = row["gflop_per_s"] / (peak_tflops * 1e3) if peak_tflops else None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=None, help="default: greendiff_ldm's latent DiT")
    parser.add_argument("--steps", type=int, default=None, help="timed; CPU 10, GPU 100")
    parser.add_argument("--warmup", type=int, default=None, help="untimed; CPU 3, GPU 10")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved; best kept")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the config's")
    parser.add_argument("--threads", type=int, default=None, help="default: torch's")
    parser.add_argument("--skip", nargs="*", default=[], help="switches not to measure")
    args = parser.parse_args()
    names = set(switches(nn.Module()))
    if set(args.skip) - names:
        parser.error(f"--skip: expected some of {sorted(names)}, got {args.skip}")
    gpu = torch.cuda.is_available()
    args.steps = (100 if gpu else 10) if args.steps is None else args.steps
    args.warmup = (10 if gpu else 3) if args.warmup is None else args.warmup
    if min(args.steps, args.warmup, args.repeats) < 1:
        parser.error("--steps, --warmup, --repeats: expected integers >= 1")
    return args


def main() -> None:
    """Measures every setting, prints the table and writes the JSON."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
    from _cli import load_config

    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    init_default_scope("greenreg")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    cfg = load_config(args.config or "configs/greendiff_ldm.py")
    if args.batch_size:
        cfg.train_dataloader.batch_size = args.batch_size
    batch_size = cfg.train_dataloader.batch_size
    if args.config:
        setup = config_setup(cfg)
    else:
        setup = latent_dit_setup(cfg.model.backbone.to_dict(), batch_size)
    env = environment()
    peak = peak_bf16_tflops(env["device"]) if device == "cuda" else None
    print(f"{env['device']}, torch threads {torch.get_num_threads()}, batch {batch_size}")
    if device != "cuda":
        print(f"no GPU: the GPU-only switches {list(GPU_ONLY)} are skipped; MFU n/a")
    elif peak is None:
        print(f"MFU n/a: no bf16 peak known for {env['device']!r} (known: H100, H200, A100)")
    flops = train_flops(setup, device)
    print(f"one training step: {flops / 1e9:.2f} GFLOP (forward + backward)", flush=True)
    rows = bench(setup, tuple(args.skip), args.steps, args.warmup, args.repeats, device)
    add_throughput(rows, flops, peak)
    columns = ["setting", "it_per_s", "speedup", "first_step_s", "peak_mem_mib"]
    shown = [{k: "n/a" if v is None else v for k, v in row.items()} for row in rows]
    print_table(shown, columns + ["gflop_per_s", "mfu"])
    for row in rows[1:]:
        print(f"  {row['setting']}: {row['flags']}")
    kind = "gpu" if device == "cuda" else "cpu"
    path = write_json(
        f"speed_switches_{kind}",
        dict(
            command=" ".join(["python"] + sys.argv),
            model=args.config or "configs/greendiff_ldm.py: model.backbone on latent batches",
            batch_size=batch_size,
            steps=args.steps,
            warmup=args.warmup,
            repeats=args.repeats,
            train_step_flops=flops,
            peak_bf16_tflops=peak,
            peak_mem="cuda max_memory_allocated" if kind == "gpu" else "process VmHWM",
            rows=rows,
        ),
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
