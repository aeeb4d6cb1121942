"""check_config: every check, before the Runner writes anything."""

from __future__ import annotations

import difflib
import inspect

from greenreg.engine.config_check.dry_build import _dry_build, _dry_build_runner_parts
from greenreg.engine.config_check.runner_sections import (
    _check_dataloader,
    _check_hook,
    _check_loops,
    _check_optim_wrapper,
    _check_scheduler,
    _evaluators,
    _hooks,
    _schedulers,
)
from greenreg.engine.config_check.signatures import (
    CONFIG_KEYS,
    REQUIRED_TOP_LEVEL,
    ConfigError,
    _registries,
    check_component,
)


def _check_top_level_keys(cfg) -> None:
    """A top-level key one typo away from a Runner key (``custom_hook``) is not a variable.

    mmengine ignores top-level keys it does not know (a config may define variables for its
    own arithmetic), so ``custom_hook = [...]`` would silently train without those hooks.
    """
    from mmengine.runner import FlexibleRunner, Runner

    runner_keys = set(inspect.signature(Runner.__init__).parameters) | set(
        inspect.signature(FlexibleRunner.__init__).parameters
    )
    runner_keys = runner_keys - {"self", "cfg"}
    for name in cfg:
        if name in runner_keys or name in CONFIG_KEYS:
            continue
        close = difflib.get_close_matches(name, sorted(runner_keys), n=1, cutoff=0.8)
        if close:
            raise ConfigError(
                f"{name}: not a Runner key, and mmengine would ignore it; did you mean "
                f"{close[0]!r}? Expected a Runner key, or a variable name not this close to one."
            )


def check_config(cfg, build_model: bool = True, build_data: bool = False):
    """Checks the parts of a training config that the Runner builds.

    Every component config is checked against its constructor's signature (unknown, missing
    and wrongly typed keys, NaN), and the keys the Runner reads itself against their ranges.
    Hooks, the optimizer, its wrapper and the LR schedules are then built once on a toy
    model (milliseconds). By default the model is built once too, so that range checks in
    constructors and missing weight files fail before the Runner writes anything into the
    work dir; ``build_data`` also builds the datasets and metrics (seconds: loads the data).

    Returns:
        nn.Module | None: the model built from ``cfg.model`` (None if ``build_model`` is off).

    Raises:
        ConfigError: the first problem, as one line naming its key.
        ValueError, TypeError, KeyError, FileNotFoundError: from a constructor.
    """
    for name in REQUIRED_TOP_LEVEL:
        if name not in cfg or cfg[name] is None:
            raise ConfigError(
                f"{name}: required top-level key is missing from the config; expected a "
                f"dict, as in configs/_base_/."
            )
    validation = {k: cfg.get(k) for k in ("val_dataloader", "val_cfg", "val_evaluator")}
    if len({v is None for v in validation.values()}) > 1:
        missing = [k for k, v in validation.items() if v is None]
        raise ConfigError(
            f"{missing[0]}: validation needs val_dataloader, val_cfg and val_evaluator; "
            f"expected all three or none, got None for {missing}."
        )
    _check_top_level_keys(cfg)
    registries = _registries()
    check_component(cfg["model"], "model", registries)
    loaders = ["train_dataloader"] + (["val_dataloader"] if cfg.get("val_dataloader") else [])
    for loader in loaders:
        _check_dataloader(cfg[loader], loader, registries)
    for key, evaluator in _evaluators(cfg):
        check_component(evaluator, key, registries)
    for key, hook in _hooks(cfg):
        _check_hook(hook, key, registries)
    _check_optim_wrapper(cfg["optim_wrapper"], registries)
    for i, scheduler in enumerate(_schedulers(cfg)):
        _check_scheduler(scheduler, f"param_scheduler[{i}]", registries)
    _check_loops(cfg, registries)
    _dry_build_runner_parts(cfg, registries)
    model = _dry_build(cfg["model"], "model", registries) if build_model else None
    if build_data:
        for loader in loaders:
            dataset = _dry_build(cfg[loader]["dataset"], f"{loader}.dataset", registries)
            inject = {"dataset": dataset}
            _dry_build(cfg[loader]["sampler"], f"{loader}.sampler", registries, inject)
        for key, evaluator in _evaluators(cfg):
            _dry_build(evaluator, key, registries)
    return model
