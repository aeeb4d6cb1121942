"""Consolidate a sharded FSDP checkpoint into one file a single process loads.

    python tools/consolidate_checkpoint.py work_dirs/fm_gridquery-fsdp/iter_500.pth \
        --out work_dirs/fm_gridquery-fsdp/iter_500-full.pth

Reads the torch.distributed.checkpoint directory that ShardedCheckpointFSDPStrategy writes
(no process group, any number of ranks it was written by) and saves the layout a one-process
run writes: ``state_dict`` (the EMA weights when the run averaged), ``ema_state_dict`` (the
trained ones), ``optimizer`` (keyed by parameter name), ``meta``, RNG streams, .... The file
serves ``tools/sample.py``, ``tools/evaluate.py``, ``tools/export.py`` and ``load_from``;
those tools also read the sharded directory directly.
"""

from __future__ import annotations

import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from _cli import exit_cleanly_on_bad_input  # noqa: E402


@exit_cleanly_on_bad_input
def main() -> None:
    """Check the paths, consolidate, write atomically, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", help="sharded checkpoint directory (iter_N.pth/)")
    parser.add_argument("--out", required=True, help="the one-file checkpoint to write (.pth)")
    args = parser.parse_args()
    if osp.exists(args.out):
        raise FileExistsError(f"--out {args.out!r}: exists; expected a new file name.")
    if not osp.isdir(osp.dirname(osp.abspath(args.out))):
        raise FileNotFoundError(f"--out {args.out!r}: its folder does not exist.")

    import torch

    from greenreg.engine.sharded_checkpoint import consolidate_sharded_checkpoint

    checkpoint = consolidate_sharded_checkpoint(args.checkpoint)
    tmp = f"{args.out}.tmp"
    torch.save(checkpoint, tmp)
    os.replace(tmp, args.out)  # never a half-written file under the final name
    weights = checkpoint["state_dict"]
    count = sum(v.numel() for v in weights.values() if isinstance(v, torch.Tensor))
    iteration = checkpoint.get("meta", {}).get("iter", "?")
    ema = "EMA weights" if "ema_state_dict" in checkpoint else "trained weights"
    print(
        f"wrote {args.out}: iteration {iteration}, {len(weights)} tensors, {count:,} values ({ema})"
    )


if __name__ == "__main__":
    main()
