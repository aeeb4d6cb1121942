"""Whether a device computes bf16 natively, or would emulate it (tens of times slower)."""

from __future__ import annotations

import torch


def has_native_bf16(device_type: str) -> bool:
    """True when bf16 matmuls and convolutions run on hardware units of this device type.

    On CPU, oneDNN's bf16 kernels need AVX-512 BF16 or AMX (``mkldnn_bf16`` support);
    without them torch falls back to reference loops: on a 2-core AVX2 CPU here a
    2048 x 2048 bf16 matmul took 64 s against 0.18 s in fp32, and a U-Net training step
    20.5 s against 1.9 s. CUDA GPUs from Ampere on have bf16 tensor cores.
    """
    if device_type == "cpu":
        try:
            return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
        except (AttributeError, RuntimeError):  # a build without oneDNN
            return False
    if device_type == "cuda":
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    return True
