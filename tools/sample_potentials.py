"""Sample disorder potentials from LDOS maps with a trained GreenDiff checkpoint.

    python tools/sample_potentials.py configs/greendiff_ldm.py CKPT --maps maps.npz --k 4 --out out/
    python tools/sample_potentials.py configs/greendiff_ldm.py CKPT --test-maps 0 1 2 --k 8
    python tools/sample_potentials.py ... --guidance 1.0      # Latent Green Operator guidance

``--maps`` takes an .npz with ``ldos`` of shape (C, H, W) or (N, C, H, W) in states per site
per unit energy (what tools/make_ldos_dataset.py writes) and, optionally, ``energies`` (C,):
both are checked against the data set the checkpoint was trained on (its manifest).
``--test-maps`` takes maps of that data set's held-out split by index. Every potential's LDOS
is recomputed with the data set's own physics and compared with its map (relative L2).
Writes ``potentials.npz`` (``potentials`` (N, k, H, W) in units of the hopping t, ``ldos``,
``physics_rel_l2`` (N, k)) and ``potentials.png``; refuses to overwrite them.
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
    """Command-line arguments of the tool."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config", help="the LDM config the checkpoint was trained with")
    parser.add_argument("checkpoint", help="its checkpoint (.pth)")
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("--maps", help=".npz with `ldos` (C, H, W) or (N, C, H, W)")
    given.add_argument("--test-maps", nargs="+", type=int, help="held-out map indices")
    parser.add_argument("--k", type=int, default=4, help="potentials per map")
    parser.add_argument("--guidance", type=float, help="LGO guidance scale (default: config's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="potentials", help="output folder")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, metavar="KEY=VALUE")
    args = parser.parse_args()
    if args.k < 1:
        raise ValueError(f"--k: expected an int >= 1, got {args.k}.")
    return args


def read_maps(path: str, manifest: dict):
    """LDOS maps (N, C, H, W) from ``path``, checked against the training data's manifest."""
    import numpy as np

    if not osp.isfile(path):
        raise FileNotFoundError(f"--maps: no file {path!r}.")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            content = {key: arrays[key] for key in arrays.files}
    except (ValueError, OSError) as err:
        raise ValueError(f"--maps {path!r}: not a readable .npz ({err}).") from None
    if "ldos" not in content:
        raise KeyError(f"--maps {path!r}: no array 'ldos'; got {sorted(content)}.")
    ldos = content["ldos"][None] if content["ldos"].ndim == 3 else content["ldos"]
    expected = (len(manifest["energies"]), *manifest["grid_shape"])
    if ldos.ndim != 4 or tuple(ldos.shape[1:]) != expected:
        raise ValueError(
            f"--maps {path!r}: 'ldos' has shape {tuple(content['ldos'].shape)}; this checkpoint's "
            f"data set has maps of shape (C, H, W) = {expected} (energies {manifest['energies']})."
        )
    if not np.isfinite(ldos).all() or (ldos < 0).any():
        raise ValueError(f"--maps {path!r}: 'ldos' must be finite and >= 0 (a density).")
    if "energies" in content and not np.allclose(content["energies"], manifest["energies"]):
        raise ValueError(
            f"--maps {path!r}: energies {content['energies'].tolist()} differ from the ones this "
            f"checkpoint was trained on, {manifest['energies']}."
        )
    return ldos.astype(np.float32)


@exit_cleanly_on_bad_input
def main() -> None:
    """Check the maps, sample k potentials per map, recompute their LDOS, write the results."""
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    if "lgo" not in (cfg.model.get("loss_terms") or {}) and args.guidance:
        raise ValueError("--guidance: the config has no Latent Green Operator (loss_terms.lgo).")
    if args.guidance is not None:
        cfg.model.loss_terms.lgo.guidance_scale = args.guidance
    cfg.model.autoencoder.checkpoint = None  # the LDM checkpoint holds the VAE's weights
    out = [osp.join(args.out, name) for name in ("potentials.npz", "potentials.png")]
    if any(osp.exists(p) for p in out):
        raise FileExistsError(f"--out {args.out!r}: already holds results; choose another folder.")

    import numpy as np
    import torch
    from mmengine.registry import init_default_scope
    from sample import load_model

    from greenreg.datasets.ldos_maps import LDOSMapDataset
    from greenreg.evaluation import LDOSRecomputer, relative_l2

    init_default_scope("greenreg")
    data = dict(cfg.train_dataloader.dataset)
    data.pop("type")
    train = LDOSMapDataset(**data)  # its normalisation is the model's
    if args.maps:
        raw = read_maps(args.maps, train.manifest)
    else:
        test = LDOSMapDataset(**dict(data, split="test"))
        bad = [i for i in args.test_maps if not 0 <= i < len(test)]
        if bad:
            raise ValueError(f"--test-maps: {bad} outside [0, {len(test)}).")
        raw = test.ldos_raw[args.test_maps].numpy()
    model = load_model(cfg, args.checkpoint, use_ema=True)
    ldos = train.normalize_ldos(torch.from_numpy(raw))
    n = len(raw)
    samples = []
    for j in range(args.k):
        seeds = [args.seed + j * n + i for i in range(n)]
        x = model.sample(dict(ldos=ldos), seeds=seeds)[:, 0].cpu()
        samples.append(train.denormalize_potential(x).numpy())
    potentials = np.stack(samples, axis=1)  # (N, k, H, W)
    recomputed = LDOSRecomputer(train.manifest, workers=args.workers)(
        potentials.reshape(n * args.k, *potentials.shape[2:])
    )
    errors = relative_l2(recomputed, np.repeat(raw, args.k, axis=0)).reshape(n, args.k)
    os.makedirs(args.out, exist_ok=True)
    np.savez(out[0], potentials=potentials, ldos=raw, physics_rel_l2=errors)
    write_figure(out[1], raw, potentials, errors, train.metainfo["energies"])
    for i in range(n):
        print(f"map {i}: physics rel. L2 of the {args.k} potentials {np.round(errors[i], 4)}")
    print(f"wrote {out[0]} and {out[1]}")


def write_figure(path: str, raw, potentials, errors, energies) -> None:
    """One row per map: its LDOS at the first energy, then the k potentials."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n, k = potentials.shape[:2]
    fig, axes = plt.subplots(n, k + 1, figsize=(1.6 * (k + 1), 1.7 * n), squeeze=False)
    lim = abs(potentials).max()
    for i in range(n):
        axes[i, 0].imshow(raw[i, 0], cmap="magma")
        axes[i, 0].set_title(f"LDOS E={energies[0]}", fontsize=7)
        for j in range(k):
            axes[i, j + 1].imshow(potentials[i, j], cmap="RdBu_r", vmin=-lim, vmax=lim)
            axes[i, j + 1].set_title(f"rel. L2 {errors[i, j]:.3f}", fontsize=7)
        for ax in axes[i]:
            ax.set_xticks([]), ax.set_yticks([])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
