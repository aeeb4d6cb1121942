"""Export a checkpoint's model weights as safetensors beside its resolved config."""

from __future__ import annotations

import os
import os.path as osp

from safetensors.torch import load_file, save_file
from torch import Tensor

from greenreg.engine.checkpoint import CheckpointError, load_checkpoint, model_state_dict

WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.py"


def export_model(cfg, checkpoint: str, out_dir: str, use_ema: bool = True) -> dict[str, str]:
    """Writes the model's weights as safetensors and the resolved config into ``out_dir``.

    ``model.safetensors`` holds the EMA weights when the run kept them; ``config.py`` is
    the resolved config. ``tools/sample.py config.py model.safetensors`` samples from them.

    safetensors holds tensors only, so a file a user did not write cannot run code on load,
    unlike a pickled ``.pth``.

    Args:
        cfg (mmengine.Config): the config the checkpoint was trained with.
        checkpoint (str): an mmengine checkpoint (.pth).
        out_dir (str): folder to create or fill; existing export files are not replaced.
        use_ema (bool): the averaged weights if there are any, else the trained ones.

    Returns:
        dict: paths of the written ``weights`` and ``config``.

    Raises:
        FileExistsError: ``out_dir`` already holds an export.
        FileNotFoundError, CheckpointError: a missing, damaged or foreign checkpoint.
    """
    paths = dict(weights=osp.join(out_dir, WEIGHTS_FILE), config=osp.join(out_dir, CONFIG_FILE))
    clash = [p for p in paths.values() if osp.exists(p)]
    if clash:
        raise FileExistsError(
            f"--out {out_dir!r}: already holds {clash[0]}; choose another folder."
        )
    ckpt = load_checkpoint(checkpoint)
    weights = "ema" if use_ema and "ema_state_dict" in ckpt else "trained"
    state = {k: v.detach().cpu().contiguous() for k, v in model_state_dict(ckpt, use_ema).items()}
    meta = dict(
        source=osp.abspath(checkpoint),
        weights=weights,
        iter=str(ckpt.get("meta", {}).get("iter", "")),
    )
    os.makedirs(out_dir, exist_ok=True)
    save_file(state, paths["weights"], metadata=meta)
    cfg.dump(paths["config"])
    return paths


def load_exported_weights(path: str) -> dict[str, Tensor]:
    """The state dict of a ``model.safetensors`` export, on CPU, read without pickle.

    Raises:
        FileNotFoundError: no file at ``path``.
        CheckpointError: the file is not a safetensors file.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f"exported weights {path!r}: no such file.")
    try:
        return load_file(path, device="cpu")
    except Exception as err:  # safetensors raises its own SafetensorError for damaged files
        raise CheckpointError(
            f"exported weights {path!r}: not a readable safetensors file ({err}); expected "
            f"the output of tools/export.py."
        ) from None


__all__ = ["export_model", "load_exported_weights"]
