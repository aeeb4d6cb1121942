import glob
import os

import pytest
from mmengine.config import Config

from greenreg.engine.config_check import ConfigError, check_config
from tests.conftest import CONFIGS

SHIPPED = sorted(
    glob.glob(os.path.join(CONFIGS, "*.py")) + glob.glob(os.path.join(CONFIGS, "ablations", "*.py"))
)


@pytest.mark.parametrize("path", SHIPPED, ids=os.path.basename)
def test_every_shipped_config_passes(path):
    check_config(Config.fromfile(path), build_model=False)


@pytest.mark.parametrize(
    "key, value, match",
    [
        (
            "model.source.conditioner.type",
            "GridQueryConditioner",
            "did you mean 'GridQueryCrossAttnConditioner'",
        ),
        (
            "model.backbone.base_channel",
            64,
            r"model\.backbone\.base_channel: UNetBackbone has no such argument",
        ),
        (
            "model.backbone.base_channels",
            "wide",
            r"model\.backbone\.base_channels: wrong type .* expected int, got str",
        ),
        ("model.time_grid.num_steps", 2.5, r"model\.time_grid\.num_steps: wrong type"),
        ("model.loss_terms.kl.loss.type", "KLLoss", r"model\.loss_terms\.kl\.loss\.type"),
        ("train_dataloader.dataset.image_size", "32", r"train_dataloader\.dataset\.image_size"),
        ("custom_hooks", [dict(type="LossEMAHook", momentom=0.1)], r"custom_hooks\[0\]\.momentom"),
        (
            "optim_wrapper.optimizer.type",
            "AdamWW",
            r"optim_wrapper\.optimizer\.type: 'AdamWW'.*'AdamW'",
        ),
        (
            "param_scheduler",
            [dict(type="CosineRestartLr")],
            r"param_scheduler\[0\].*'CosineRestartLR'",
        ),
    ],
)
def test_bad_values_are_reported_with_their_key(key, value, match):
    cfg = Config.fromfile(os.path.join(CONFIGS, "fm_gridquery.py"))
    cfg.merge_from_dict({key: value})
    with pytest.raises(ConfigError, match=match):
        check_config(cfg, build_model=False)


def test_a_missing_required_key_is_named():
    cfg = Config.fromfile(os.path.join(CONFIGS, "fm_gridquery.py"))
    del cfg.model["backbone"]
    with pytest.raises(ConfigError, match=r"model\.backbone: required by FlowGenerator"):
        check_config(cfg, build_model=False)
    cfg.optim_wrapper = None
    with pytest.raises(ConfigError, match="optim_wrapper: required top-level key"):
        check_config(cfg, build_model=False)


def test_range_errors_surface_from_the_dry_build():
    cfg = Config.fromfile(os.path.join(CONFIGS, "fm_gridquery.py"))
    cfg.merge_from_dict({"model.loss_terms.contrastive.loss.temperature": -0.1})
    with pytest.raises(ValueError, match="temperature"):
        check_config(cfg)


@pytest.mark.parametrize(
    "key, value, match",
    [
        ("model.target.type", "EpsTarget", "did you mean 'EpsilonTarget'"),
        ("model.path.type", "DDPMPath", r"model\.path\.type: 'DDPMPath'.*'DDPMDiscretePath'"),
        ("model.solver.type", "DDIM", r"model\.solver\.type: 'DDIM'.*'DDIMSampler'"),
        ("model.weighting", dict(type="MinSNR"), "did you mean 'MinSNRWeighting'"),
        ("model.time_grid.num_steps", 0, r"num_steps \(model\.time_grid\.num_steps\)"),
        ("model.path.beta_end", 2.0, "beta_end"),
    ],
)
def test_diffusion_recipe_errors_name_the_value_and_the_accepted_ones(key, value, match):
    cfg = Config.fromfile(os.path.join(CONFIGS, "ddpm_mnist.py"))
    cfg.merge_from_dict({key: value})
    with pytest.raises(ValueError, match=match):
        check_config(cfg)
