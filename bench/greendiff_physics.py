"""GreenDiff against its baselines on held-out LDOS maps: physics consistency and recovery.

    python bench/greendiff_physics.py \
        --ldm configs/greendiff_ldm.py work_dirs/greendiff_ldm/iter_2000.pth \
        --regression configs/greendiff_regression.py work_dirs/greendiff_regression/iter_2000.pth \
        [--extra NAME CONFIG CHECKPOINT ...] [--num-maps 100] [--k 4] [--workers 2] [--tag T]

For each of ``--num-maps`` held-out maps (the data set's test split, never trained on):

- physics consistency: relative L2 between the conditioning LDOS and the LDOS recomputed
  from the method's potential with the data set's own lattice, solver and energies (the
  manifest); for generative methods, of the first sample, the best of k (chosen by this
  same measure, which needs only the maps, not the true potential) and the mean over k;
- potential recovery: relative L2 and Pearson correlation to the true potential (first
  sample, and the mean of the k samples, the generator's posterior-mean estimate);
- spread: the per-site std over the k samples, relative to the true potential's std, and
  its correlation with the error of the k-sample mean, site by site (where the maps leave
  the potential undetermined, the samples should disagree).

Baselines: zero potential (the clean lattice), nearest-neighbour retrieval (the training
map closest in normalised LDOS, its potential), the direct regression network. Floors:
the true potential (checks the pipeline: ~0) and the true potential through the VAE (what
a perfect latent model could reach). Prints a table, writes bench/results/greendiff_physics
[_TAG].json and a PNG of maps, truths and samples.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _cli import load_config  # noqa: E402
from common import RESULTS, print_table, write_json  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from sample import load_model  # noqa: E402

import greenreg  # noqa: E402, F401
from greenreg.datasets.ldos_maps import LDOSMapDataset  # noqa: E402
from greenreg.evaluation import LDOSRecomputer, pearson, relative_l2  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ldm", nargs=2, metavar=("CONFIG", "CKPT"), required=True)
    parser.add_argument("--regression", nargs=2, metavar=("CONFIG", "CKPT"))
    parser.add_argument(
        "--extra", nargs=3, action="append", default=[], metavar=("NAME", "CONFIG", "CKPT"),
        help="more generators (ablations)",
    )  # fmt: skip
    parser.add_argument(
        "--guidance-scales", nargs="*", type=float, default=[],
        help="also sample the --ldm model with LGO guidance at these scales",
    )  # fmt: skip
    parser.add_argument("--num-maps", type=int, default=100)
    parser.add_argument("--k", type=int, default=4, help="samples per map")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--tag", default="")
    parser.add_argument(
        "--cfg-options", nargs="+", action=DictAction, default={},
        help="applied to every config (e.g. train_dataloader.dataset.data_root=DIR)",
    )  # fmt: skip
    return parser.parse_args()


def test_and_train(cfg) -> tuple[LDOSMapDataset, LDOSMapDataset]:
    """The held-out split and the training split of the config's data set."""
    data = dict(cfg.train_dataloader.dataset)
    data.pop("type")
    return LDOSMapDataset(**dict(data, split="test")), LDOSMapDataset(**dict(data, split="train"))


@torch.no_grad()
def generate(model, test: LDOSMapDataset, n: int, k: int, batch_size: int) -> np.ndarray:
    """k samples per map, raw potentials (n, k, H, W); sample j of map i has seed 1000 j + i."""
    out = []
    for j in range(k):
        per_j = []
        for start in range(0, n, batch_size):
            idx = list(range(start, min(n, start + batch_size)))
            ldos = torch.stack([test[i]["ldos"] for i in idx])
            x = model.sample(dict(ldos=ldos), seeds=[1000 * j + i for i in idx])
            per_j.append(test.denormalize_potential(x[:, 0].float().cpu()).numpy())
        out.append(np.concatenate(per_j))
    return np.stack(out, axis=1)


@torch.no_grad()
def regress(model, test: LDOSMapDataset, n: int) -> np.ndarray:
    ldos = torch.stack([test[i]["ldos"] for i in range(n)])
    return test.denormalize_potential(model.predict_data(ldos)[:, 0].cpu()).numpy()[:, None]


def nearest_neighbour(test: LDOSMapDataset, train: LDOSMapDataset, n: int) -> np.ndarray:
    """The potential of the training map nearest in normalised LDOS (L2), (n, 1, H, W)."""
    queries = torch.stack([test[i]["ldos"] for i in range(n)]).flatten(1)
    keys = torch.stack([train[i]["ldos"] for i in range(len(train))]).flatten(1)
    nearest = torch.cdist(queries, keys).argmin(1)
    return train.potentials_raw[nearest].numpy()[:, None]


@torch.no_grad()
def through_vae(model, test: LDOSMapDataset, n: int) -> np.ndarray:
    """The true potentials encoded and decoded by the LDM's frozen VAE, (n, 1, H, W)."""
    x = torch.stack([test[i]["inputs"] for i in range(n)])
    recon = model.autoencoder.inner.decode(model.autoencoder.inner.encode(x))
    return test.denormalize_potential(recon[:, 0].cpu()).numpy()[:, None]


@torch.no_grad()
def operator_error(model, test: LDOSMapDataset, n: int) -> dict:
    """Relative L2 of the Latent Green Operator's LDOS from the true latent, at t = 1 and 0.5."""
    if "lgo" not in getattr(model, "loss_terms", {}):
        return {}
    x = torch.stack([test[i]["inputs"] for i in range(n)])
    ldos = torch.stack([test[i]["ldos"] for i in range(n)])
    z1 = model.encode(x)
    g = torch.Generator().manual_seed(0)
    operator, out = model.loss_terms["lgo"].operator, {}
    for t in (1.0, 0.5):
        tt = torch.full((n,), t)
        c = model.path.coefficients(tt).expand_like(z1)
        zt = c.alpha * z1 + c.sigma * torch.randn(z1.shape, generator=g)
        pred = test.denormalize_ldos(operator(zt, tt))
        out[f"lgo_rel_l2_t{t:g}"] = float(
            relative_l2(pred.numpy(), test.denormalize_ldos(ldos).numpy()).mean()
        )
    return out


def score(name: str, potentials: np.ndarray, truth: np.ndarray, ldos: np.ndarray, recompute):
    """Metrics of potentials (n, k, H, W) against truths (n, H, W) and maps (n, C, H, W)."""
    n, k = potentials.shape[:2]
    start = time.perf_counter()
    recomputed = recompute(potentials.reshape(n * k, *potentials.shape[2:]), progress=True)
    phys = relative_l2(recomputed, np.repeat(ldos, k, axis=0)).reshape(n, k)
    mean_pot = potentials.mean(1)
    row = dict(
        method=name,
        k=k,
        phys_one=phys[:, 0].mean(),
        phys_best=phys.min(1).mean(),
        phys_mean=phys.mean(),
        pot_rel_l2=relative_l2(potentials[:, 0], truth).mean(),
        pot_corr=pearson(potentials[:, 0], truth).mean(),
        pot_rel_l2_mean_k=relative_l2(mean_pot, truth).mean(),
        pot_corr_mean_k=pearson(mean_pot, truth).mean(),
        spread=(potentials.std(1).mean((1, 2)) / truth.std((1, 2))).mean() if k > 1 else 0.0,
        # does the spread sit where the error is? per-site std vs |mean - truth|, per map
        spread_error_corr=pearson(potentials.std(1), np.abs(mean_pot - truth)).mean()
        if k > 1
        else 0.0,
    )
    print(f"{name}: physics {row['phys_one']:.4f} ({time.perf_counter() - start:.0f} s)")
    return row, phys


def figure(path: str, test, truth, columns: dict, phys: dict, n_show: int = 6) -> None:
    """Rows: maps; columns: LDOS at the lowest energy, the truth, each method's potential."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(columns)
    fig, axes = plt.subplots(n_show, 2 + len(names), figsize=(1.6 * (2 + len(names)), 1.7 * n_show))
    for r in range(n_show):
        lim = np.abs(truth[r]).max()
        axes[r, 0].imshow(test.ldos_raw[r, 0].numpy(), cmap="magma")
        axes[r, 1].imshow(truth[r], cmap="RdBu_r", vmin=-lim, vmax=lim)
        for c, name in enumerate(names):
            axes[r, 2 + c].imshow(columns[name][r], cmap="RdBu_r", vmin=-lim, vmax=lim)
            axes[r, 2 + c].set_title(f"{phys[name][r]:.3f}", fontsize=7, pad=2)
        for ax in axes[r]:
            ax.set_xticks([]), ax.set_yticks([])
    energy = test.metainfo["energies"][0]
    for c, title in enumerate([f"LDOS E={energy}", "true V", *names]):
        axes[0, c].set_xlabel(title, fontsize=7)
        axes[0, c].xaxis.set_label_position("top")
    fig.suptitle("physics error (rel. L2 of recomputed LDOS) above each potential", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    args = parse_args()
    torch.set_num_threads(1)
    init_default_scope("greenreg")
    ldm_cfg = load_config(args.ldm[0], args.cfg_options)
    test, train = test_and_train(ldm_cfg)
    n = min(args.num_maps, len(test))
    truth = test.potentials_raw[:n].numpy().astype(np.float64)
    ldos = test.ldos_raw[:n].numpy().astype(np.float64)
    recompute = LDOSRecomputer(test.manifest, workers=args.workers)
    ldm_cfg.model.autoencoder.checkpoint = None  # the LDM checkpoint holds the VAE's weights
    ldm = load_model(ldm_cfg, args.ldm[1], use_ema=True)

    candidates: dict[str, np.ndarray] = {
        "true potential (floor)": truth[:, None],
        "true V through the VAE": through_vae(ldm, test, n),
        "zero potential": np.zeros_like(truth)[:, None],
        "nearest neighbour": nearest_neighbour(test, train, n),
    }
    if args.regression:
        reg = load_model(
            load_config(args.regression[0], args.cfg_options), args.regression[1], use_ema=True
        )
        candidates["direct regression"] = regress(reg, test, n)
    timings = {}
    for name, (cfg_path, ckpt) in [("GreenDiff", args.ldm), *((e[0], e[1:]) for e in args.extra)]:
        cfg = load_config(cfg_path, args.cfg_options)
        cfg.model.autoencoder.checkpoint = None
        model = ldm if cfg_path == args.ldm[0] else load_model(cfg, ckpt, use_ema=True)
        start = time.perf_counter()
        candidates[name] = generate(model, test, n, args.k, args.batch_size)
        timings[name] = (time.perf_counter() - start) / (n * args.k)
    lgo = operator_error(ldm, test, n)
    print(f"Latent Green Operator on the true latents: {lgo}")
    term = ldm.loss_terms["lgo"] if "lgo" in ldm.loss_terms else None
    for scale in args.guidance_scales if term is not None else []:
        term.guidance_scale, name = scale, f"GreenDiff + LGO guidance {scale:g}"
        start = time.perf_counter()
        candidates[name] = generate(ldm, test, n, args.k, args.batch_size)
        timings[name] = (time.perf_counter() - start) / (n * args.k)
        term.guidance_scale = 0.0
    rows, phys = [], {}
    for name, pots in candidates.items():
        row, per = score(name, pots, truth, ldos, recompute)
        if name in timings:
            row["sample_ms"] = 1000 * timings[name]
        rows.append(row)
        phys[name] = per[:, 0]
    columns = ["method", "k", "phys_one", "phys_best", "phys_mean", "pot_rel_l2", "pot_corr",
               "pot_rel_l2_mean_k", "pot_corr_mean_k", "spread", "spread_error_corr"]  # fmt: skip
    print_table(rows, columns)
    suffix = f"_{args.tag}" if args.tag else ""
    png = os.path.join(RESULTS, f"greendiff_physics{suffix}.png")
    shown = {k: v[:, 0] for k, v in candidates.items() if k not in ("true potential (floor)",)}
    figure(png, test, truth, shown, phys)
    write_json(
        f"greendiff_physics{suffix}",
        dict(
            command=" ".join(sys.argv),
            num_maps=n,
            k=args.k,
            manifest=test.manifest,
            rows=rows,
            latent_green_operator=lgo,
            figure=png,
        ),
    )
    print(f"figure: {png}")


if __name__ == "__main__":
    main()
