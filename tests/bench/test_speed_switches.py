"""bench/speed_switches.py on a tiny DiT: every CPU switch trains, tabulated against baseline."""

import importlib.util
import os
import sys

import pytest
from mmengine.registry import init_default_scope

from tests.conftest import REPO

TINY_DIT = dict(
    type="DiTBackbone",
    in_channels=3,  # 2 latent + 1 concatenated map channel
    out_channels=2,
    image_size=4,
    patch_size=1,
    width=16,
    depth=1,
    num_heads=2,
)


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "speed_switches_bench", os.path.join(REPO, "bench", "speed_switches.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    init_default_scope("greenreg")
    return module


def test_every_cpu_switch_trains_and_is_compared_with_the_baseline(bench):
    setup = bench.latent_dit_setup(TINY_DIT, batch_size=4)
    rows = bench.bench(setup, skip=("compile",), steps=2, warmup=1, repeats=1, device="cpu")
    names = [row["setting"] for row in rows]
    # tf32 is GPU-only: skipped on a CPU
    assert names == ["baseline", "channels_last", "bf16_autocast", "fused_adamw", "workers", "all"]
    assert rows[0]["speedup"] == 1.0 and rows[0]["flags"] == {}
    assert rows[-1]["flags"]["optim_wrapper.optimizer.fused"] is True
    assert all(row["it_per_s"] > 0 and row["peak_mem_mib"] > 0 for row in rows)
    bench.add_throughput(rows, bench.train_flops(setup, "cpu"), peak_tflops=None)
    assert all(row["gflop_per_s"] > 0 and row["mfu"] is None for row in rows)


def test_gpu_peaks_by_name(bench):
    assert bench.peak_bf16_tflops("NVIDIA H100 80GB HBM3") == 989.0
    assert bench.peak_bf16_tflops("NVIDIA H100 PCIe") == 756.0
    assert bench.peak_bf16_tflops("NVIDIA H200") == 989.0
    assert bench.peak_bf16_tflops("NVIDIA A100-SXM4-80GB") == 312.0
    assert bench.peak_bf16_tflops("Tesla T4") is None  # unknown: MFU n/a
    rows = [dict(it_per_s=2.0)]
    bench.add_throughput(rows, flops=10**12, peak_tflops=1000.0)
    assert rows[0]["gflop_per_s"] == 2000.0 and rows[0]["mfu"] == pytest.approx(0.002)
