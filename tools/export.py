"""Export a trained checkpoint for sharing: safetensors weights plus the resolved config.

    python tools/export.py CONFIG CHECKPOINT --out DIR [--raw]
    python tools/sample.py DIR/config.py DIR/model.safetensors --num-samples 64 --out samples/

Writes ``DIR/model.safetensors`` (the EMA weights, or the trained ones with ``--raw``) and
``DIR/config.py``. Loading them unpickles nothing, so an export from someone else cannot
run code on your machine; the optimizer, EMA bookkeeping and RNG states stay behind.
"""

from __future__ import annotations

import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from _cli import exit_cleanly_on_bad_input, load_config  # noqa: E402


@exit_cleanly_on_bad_input
def main() -> None:
    """Check the inputs, write the export, report what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", help="the config the checkpoint was trained with")
    parser.add_argument("checkpoint", help="checkpoint file (.pth)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--raw", action="store_true", help="trained weights instead of EMA")
    args = parser.parse_args()
    cfg = load_config(args.config)

    from greenreg.engine.export import export_model

    paths = export_model(cfg, args.checkpoint, args.out, use_ema=not args.raw)
    print(f"wrote {paths['weights']} and {paths['config']}")


if __name__ == "__main__":
    main()
