"""Recipes and ablations inherit and override exactly what they claim to."""

import os

from mmengine.config import Config

from tests.conftest import CONFIGS


def load(name):
    return Config.fromfile(os.path.join(CONFIGS, name)).to_dict()


def diff(a, b, prefix=""):
    """Dotted keys whose values differ between two nested dicts."""
    keys = set(a) | set(b)
    out = []
    for k in sorted(keys):
        key = f"{prefix}{k}"
        if isinstance(a.get(k), dict) and isinstance(b.get(k), dict):
            out += diff(a[k], b[k], key + ".")
        elif a.get(k) != b.get(k):
            out.append(key)
    return out


def test_conditioner_recipes_differ_from_the_baseline_only_in_the_conditioner():
    base = load("fm_pooledmlp.py")
    for name in ("fm_gridquery.py", "fm_convfield.py"):
        changed = diff(base, load(name))
        assert changed and all(k.startswith("model.source.conditioner.") for k in changed), changed


def test_each_ablation_changes_one_thing_of_the_main_job():
    main = load("fm_gridquery.py")
    assert diff(main, load("ablations/fm_lr_restart.py")) == ["param_scheduler"]
    b = diff(main, load("ablations/fm_logsnr_curriculum.py"))
    assert b and all(k.startswith("model.time_sampler") for k in b)
    c = diff(main, load("ablations/fm_structure_supervision.py"))
    assert set(c) == {"model.loss_terms.contrastive.weight", "model.loss_terms.lpips"}


def test_cfg_options_override_on_top_of_inheritance():
    cfg = Config.fromfile(os.path.join(CONFIGS, "fm_gridquery.py"))
    cfg.merge_from_dict({"model.source.conditioner.grid_size": 8, "train_cfg.max_iters": 20})
    assert cfg.model.source.conditioner.grid_size == 8
    assert cfg.model.source.conditioner.type == "GridQueryCrossAttnConditioner"
    assert cfg.train_cfg.max_iters == 20
