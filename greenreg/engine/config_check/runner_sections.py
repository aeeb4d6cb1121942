"""The config sections the Runner builds itself: dataloaders, hooks, optimizer, loops."""

from __future__ import annotations

import inspect

import torch
from mmengine.registry import FUNCTIONS, Registry

from greenreg.engine.config_check.signatures import (
    CLIP_FUNCTIONS,
    DATALOADER_RUNNER_KEYS,
    OPTIM_WRAPPER_RUNNER_KEYS,
    RUNNER_INT_RANGES,
    SCHEDULER_RANGES,
    ConfigError,
    _accepts,
    _closest,
    _describe,
    _expect_dict,
    _signature,
    _type_hints,
    check_component,
    find_class,
)


def _check_int_range(cfg: dict, key: str) -> None:
    """The Runner-level ints of ``cfg`` (``batch_size``, ``max_iters``, ...) in range."""
    for name, minimum in RUNNER_INT_RANGES.items():
        if name not in cfg or (name == "prefetch_factor" and cfg[name] is None):
            continue
        value = cfg[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise ConfigError(
                f"{key}.{name}: out of range; expected an int >= {minimum}, got {value!r}."
            )


def _check_function(cfg, key: str) -> None:
    """A ``dict(type=<function name>, **kwargs)`` such as ``collate_fn``."""
    cfg = _expect_dict(cfg, key, "a dict(type=...) naming a registered function")
    FUNCTIONS.import_from_location()
    fn = FUNCTIONS.get(cfg.get("type")) if isinstance(cfg.get("type"), str) else None
    if fn is None:
        raise ConfigError(
            f"{key}.type: {cfg.get('type')!r} is not a registered function; "
            f"{_closest(str(cfg.get('type')), set(FUNCTIONS.module_dict))}"
        )
    params = list(inspect.signature(fn).parameters)[1:]  # the first one is the batch
    unknown = sorted(set(cfg) - {"type", *params})
    if unknown:
        raise ConfigError(
            f"{key}.{unknown[0]}: {cfg['type']} has no such argument; expected one of {params}."
        )


def _check_dataloader(cfg, key: str, registries: list[Registry]) -> None:
    cfg = _expect_dict(cfg, key, "a dict of DataLoader arguments")
    loader_args, _ = _signature(torch.utils.data.DataLoader)
    hints = _type_hints(torch.utils.data.DataLoader.__init__)
    unknown = sorted(set(cfg) - set(loader_args) - DATALOADER_RUNNER_KEYS)
    if unknown:
        raise ConfigError(
            f"{key}.{unknown[0]}: not a DataLoader argument; expected one of "
            f"{sorted(set(loader_args) | DATALOADER_RUNNER_KEYS)}."
        )
    for name in ("dataset", "sampler"):
        if cfg.get(name) is None:
            raise ConfigError(
                f"{key}.{name}: required by the Runner but missing; expected a "
                f"dict(type=...) config."
            )
    for name, value in cfg.items():
        if name not in DATALOADER_RUNNER_KEYS and not _accepts(hints.get(name), value):
            raise ConfigError(
                f"{key}.{name}: wrong type for DataLoader; expected {_describe(hints[name])}, "
                f"got {type(value).__name__} {value!r}."
            )
    _check_int_range(cfg, key)
    check_component(cfg["dataset"], f"{key}.dataset", registries)
    check_component(cfg["sampler"], f"{key}.sampler", registries, injected={"dataset"})
    if cfg.get("batch_sampler") is not None:
        injected = {"sampler", "batch_size"}
        check_component(cfg["batch_sampler"], f"{key}.batch_sampler", registries, injected)
    if "collate_fn" in cfg:
        _check_function(cfg["collate_fn"], f"{key}.collate_fn")


def _check_hook(hook, key: str, registries: list[Registry]) -> None:
    from mmengine.hooks import EMAHook
    from mmengine.runner.priority import get_priority

    check_component(hook, key, registries, injected={"priority"})
    if "priority" in hook:
        try:
            get_priority(hook["priority"])
        except (KeyError, ValueError, TypeError):
            raise ConfigError(
                f"{key}.priority: unknown hook priority; expected an int in [0, 100] or a name "
                f"such as 'NORMAL' or 'LOW', got {hook['priority']!r}."
            ) from None
    if issubclass(find_class(hook["type"], key, registries), EMAHook):
        # EMAHook hands every extra key to the averaged model it builds in before_run
        check_component(_ema_config(hook, key, registries), key, registries, {"model"})


def _ema_config(hook: dict, key: str, registries: list[Registry]) -> dict:
    named, _ = _signature(find_class(hook["type"], key, registries))
    ema_type = hook.get("ema_type", named["ema_type"].default)
    if not isinstance(ema_type, str):
        raise ConfigError(
            f"{key}.ema_type: expected the name of a registered model, got {ema_type!r}."
        )
    find_class(ema_type, key, registries, field="ema_type")
    extra = {k: v for k, v in hook.items() if k not in {"type", "priority", *named}}
    return dict(type=ema_type, **extra)


def _check_clip_grad(clip_grad, key: str) -> None:
    if clip_grad is None:
        return
    clip_grad = _expect_dict(clip_grad, key, "None or a dict of clip_grad_norm_ arguments")
    kind = clip_grad.get("type", "norm")
    if kind not in CLIP_FUNCTIONS:
        raise ConfigError(f"{key}.type: expected 'norm' or 'value', got {kind!r}.")
    bound, fn = CLIP_FUNCTIONS[kind]
    params = [p for p in inspect.signature(fn).parameters if p != "parameters"]
    unknown = sorted(set(clip_grad) - {"type", *params})
    if unknown:
        raise ConfigError(
            f"{key}.{unknown[0]}: not an argument of {fn.__name__}; expected one of {params}."
        )
    value = clip_grad.get(bound)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigError(
            f"{key}.{bound}: gradients are clipped to it; expected a number > 0, got {value!r}."
        )


def _check_optim_wrapper(cfg, registries: list[Registry]) -> None:
    import mmengine.optim  # noqa: F401  (registers torch's optimizers)

    wrapper = _expect_dict(cfg, "optim_wrapper")
    check_component(wrapper, "optim_wrapper", registries, injected=OPTIM_WRAPPER_RUNNER_KEYS)
    if wrapper.get("optimizer") is None:
        raise ConfigError(
            "optim_wrapper.optimizer: required by the Runner but missing; expected a "
            "dict(type=...) optimizer config."
        )
    check_component(wrapper["optimizer"], "optim_wrapper.optimizer", registries, {"params"})
    _check_clip_grad(wrapper.get("clip_grad"), "optim_wrapper.clip_grad")


def _check_loops(cfg, registries: list[Registry]) -> None:
    """train_cfg names its loop by ``type`` or, without one, by ``by_epoch`` (mmengine)."""
    train_cfg = _expect_dict(cfg["train_cfg"], "train_cfg", "a dict(type=...) loop config")
    if "type" in train_cfg and "by_epoch" in train_cfg:
        raise ConfigError(
            "train_cfg.by_epoch: the Runner refuses both `type` and `by_epoch`; expected one."
        )
    if "type" not in train_cfg:
        if not isinstance(train_cfg.get("by_epoch"), bool):
            raise ConfigError(
                f"train_cfg.type: missing; expected a loop name such as 'IterBasedTrainLoop' "
                f"(or by_epoch=True/False), got by_epoch={train_cfg.get('by_epoch')!r}."
            )
        loop = "EpochBasedTrainLoop" if train_cfg["by_epoch"] else "IterBasedTrainLoop"
        train_cfg = {**train_cfg, "type": loop}
        train_cfg.pop("by_epoch")
    check_component(train_cfg, "train_cfg", registries, injected={"runner", "dataloader"})
    _check_int_range(train_cfg, "train_cfg")
    val_cfg = cfg.get("val_cfg")
    if val_cfg is not None:
        val_cfg = _expect_dict(val_cfg, "val_cfg", "a dict(type=...) loop config")
        val_cfg = {"type": "ValLoop", **val_cfg}  # the Runner's default
        check_component(val_cfg, "val_cfg", registries, {"runner", "dataloader", "evaluator"})


def _check_scheduler(scheduler, key: str, registries: list[Registry]) -> None:
    check_component(scheduler, key, registries, injected={"optimizer"})
    for name, rule, minimum, why in SCHEDULER_RANGES:
        if scheduler.get(name) is None:  # eta_min=None: mmengine uses eta_min_ratio
            continue
        value = scheduler[name]
        for v in value if isinstance(value, (list, tuple)) else [value]:
            number = isinstance(v, (int, float)) and not isinstance(v, bool)
            if not number or not (v > minimum if rule == ">" else v >= minimum):
                raise ConfigError(
                    f"{key}.{name}: out of range ({why}); expected numbers {rule} {minimum}, "
                    f"got {value!r}."
                )


def _schedulers(cfg) -> list:
    schedulers = cfg.get("param_scheduler") or []
    if isinstance(schedulers, dict):
        return [schedulers]
    if not isinstance(schedulers, (list, tuple)):
        raise ConfigError(
            f"param_scheduler: expected a list of dict(type=...) configs, got {schedulers!r}."
        )
    return list(schedulers)


def _hooks(cfg) -> list[tuple[str, dict]]:
    """(key, config) of every custom and default hook; a default hook set to None is off."""
    custom = cfg.get("custom_hooks") or []
    if not isinstance(custom, (list, tuple)):
        raise ConfigError(
            f"custom_hooks: expected a list of dict(type=...) configs, got {custom!r}."
        )
    defaults = _expect_dict(cfg.get("default_hooks") or {}, "default_hooks", "a dict of hooks")
    hooks = [(f"custom_hooks[{i}]", h) for i, h in enumerate(custom)]
    return hooks + [(f"default_hooks.{n}", h) for n, h in defaults.items() if h is not None]


def _evaluators(cfg) -> list[tuple[str, dict]]:
    """(key, config) of every metric: a metric, a list of them, or dict(metrics=...)."""
    evaluator, key = cfg.get("val_evaluator"), "val_evaluator"
    if isinstance(evaluator, dict) and "type" not in evaluator and "metrics" in evaluator:
        evaluator, key = evaluator["metrics"], "val_evaluator.metrics"
    if evaluator is None:
        return []
    if isinstance(evaluator, (list, tuple)):
        return [(f"{key}[{i}]", e) for i, e in enumerate(evaluator)]
    return [(key, _expect_dict(evaluator, key, "a dict(type=...) metric or a list of them"))]


# --- dry builds: each component once, failures explained by key and argument -------------
