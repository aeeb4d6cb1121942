"""Checks a config against the constructors it names, before anything is built or written.

mmengine builds a component by calling its class with the config's keys; a typo, a missing
key or a string where a number belongs then fails deep inside torch, often after the work
dir has been written to. This walks every ``dict(type=...)`` reachable from the parts of a
config that the Runner builds (model, data loaders, evaluator, hooks, optimizer and its
wrapper, LR schedules, loops), checks the keys the Runner consumes itself (``batch_size``,
``max_iters``, ``clip_grad``, ...), then builds the components once, so that a constructor's
own range check (or its crash) is reported as one line naming the key.
"""

from __future__ import annotations

import difflib
import inspect
import math
import os
import re
import types
import typing
from collections.abc import Iterator

import torch
from mmengine.registry import FUNCTIONS, Registry
from torch import Tensor, nn

from greenreg import registry as greenreg_registry

# errors a constructor raises on purpose for bad input; anything else is a crash
USER_ERRORS = (ValueError, TypeError, KeyError, FileNotFoundError)
REQUIRED_TOP_LEVEL = ("model", "train_dataloader", "train_cfg", "optim_wrapper")
# data loader keys the Runner consumes before calling torch's DataLoader with the rest
DATALOADER_RUNNER_KEYS = {
    "dataset",
    "sampler",
    "batch_sampler",
    "collate_fn",
    "worker_init_fn",
    "num_batch_per_epoch",
    "disable_subprocess_warning",
}
# ints the Runner reads itself (no constructor checks them): their minimum
RUNNER_INT_RANGES = {
    "batch_size": 1,
    "num_workers": 0,
    "prefetch_factor": 1,
    "num_batch_per_epoch": 1,
    "max_iters": 1,
    "max_epochs": 1,
    "val_interval": 1,
}
# arguments of mmengine's LR/param schedulers that mmengine takes on trust: (name, rule,
# minimum, why); a negative eta_min or restart weight trains with a negative LR, a zero
# period divides by zero mid-training
SCHEDULER_RANGES = (
    ("T_max", ">", 0, "a zero or negative period divides by zero mid-training"),
    ("periods", ">", 0, "a zero or negative period divides by zero mid-training"),
    ("eta_min", ">=", 0, "a negative minimum LR ascends the loss"),
    ("restart_weights", ">=", 0, "a negative weight gives a negative LR"),
)
# stand-ins for a required number when finding which argument a constructor rejects
PROBES = {int: (1, 2, 4, 8, 16, 32, 64, 128, 256), float: (0.5, 0.1, 1.0, 2.0)}
# optim_wrapper keys mmengine's optimizer-wrapper constructor consumes
OPTIM_WRAPPER_RUNNER_KEYS = {"optimizer", "constructor", "paramwise_cfg", "clip_grad"}
# clip_grad's type -> (its bound, the torch function the wrapper calls with its other keys)
CLIP_FUNCTIONS = {
    "norm": ("max_norm", torch.nn.utils.clip_grad_norm_),
    "value": ("clip_value", torch.nn.utils.clip_grad_value_),
}
# top-level keys mmengine reads besides the Runner's arguments
CONFIG_KEYS = {"_base_", "runner_type", "custom_imports"}
GREENREG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MMENGINE_BUILD = os.path.join("mmengine", "registry", "build_functions.py")


class ConfigError(ValueError):
    """A config names an unknown component, an unknown or missing key, or a wrong value."""


def _registries() -> list[Registry]:
    return [r for r in vars(greenreg_registry).values() if isinstance(r, Registry)]


def _registered_names(reg: Registry) -> set[str]:
    names = set(reg.module_dict)
    parent = reg.parent
    while parent is not None:
        names |= set(parent.module_dict)
        parent = parent.parent
    return names


def _closest(name: str, known: set[str]) -> str:
    """'did you mean ...?' with up to three close names, else three registered examples."""
    close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.4)
    if close:
        return f"did you mean {', '.join(repr(c) for c in close)}?"
    some = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.0)
    return f"expected a registered name; none is close (e.g. {', '.join(map(repr, some))})."


def find_class(type_name: str, key: str, registries: list[Registry], field: str = "type") -> type:
    """The class registered as ``type_name`` in the first registry that has it.

    Raises:
        ConfigError: no registry has it; lists the three closest registered names.
    """
    for reg in registries:
        reg.import_from_location()
        # Registry.get tries to import unknown names as module paths: slow, so ask it only
        # for names it (or a parent) holds, or for dotted paths
        if type_name in _registered_names(reg) or "." in type_name:
            cls = reg.get(type_name)
            if cls is not None:
                return cls
    known = set().union(*(_registered_names(r) for r in registries))
    raise ConfigError(
        f"{key}.{field}: {type_name!r} is not a registered component; {_closest(type_name, known)}"
    )


def _accepts(annotation, value) -> bool:
    """Whether ``value`` fits a plain annotation; unknown annotations accept anything."""
    if annotation is inspect.Parameter.empty or annotation is typing.Any:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(arg, value) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    base = origin or annotation
    if base is bool:
        return isinstance(value, bool)
    if base is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if base is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if base is str:
        return isinstance(value, str)
    if base in (tuple, list):
        return isinstance(value, (tuple, list))
    if base is dict:
        return isinstance(value, dict)
    if base is Tensor:  # a config holds literals: a float | Tensor argument needs the float
        return isinstance(value, Tensor)
    return True


def _describe(annotation) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _type_hints(init) -> dict:
    """Evaluated annotations of ``init``; one that cannot be evaluated is left out."""
    try:
        return typing.get_type_hints(init)
    except Exception:  # fall back to one parameter at a time
        pass
    hints = {}
    for name, param in inspect.signature(init).parameters.items():
        probe = types.SimpleNamespace(__annotations__={name: param.annotation})
        try:
            hints[name] = typing.get_type_hints(probe, getattr(init, "__globals__", None))[name]
        except Exception:
            continue
    return hints


def _along_kwargs(cls: type) -> tuple[dict[str, inspect.Parameter], dict]:
    """Parameters and annotations of ``cls.__init__`` and of those its ``**kwargs`` reach.

    LinearLR takes ``(optimizer, *args, **kwargs)`` and hands them to its param scheduler,
    whose ``start_factor: float`` and ``by_epoch: bool`` still apply; the chain ends at
    object's or nn.Module's ``__init__``.
    """
    named: dict = {}
    hints: dict = {}
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        if klass in (object, nn.Module):
            break
        hints = {**_type_hints(init), **hints}
        params = inspect.signature(init).parameters
        for name, p in params.items():
            if name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                named.setdefault(name, p)
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
            break
    return named, hints


def _signature(cls: type) -> tuple[dict[str, inspect.Parameter], bool]:
    """Named constructor parameters, and whether it takes ``**kwargs``.

    A class without its own ``__init__`` (object's or nn.Module's) takes no arguments, though
    their signatures read ``(*args, **kwargs)``.
    """
    if cls.__init__ in (object.__init__, nn.Module.__init__):
        return {}, False
    params = inspect.signature(cls.__init__).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    named = {
        n: p
        for n, p in params.items()
        if n != "self"
        and p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    }
    return named, takes_any


def _nan_path(value, key: str) -> str | None:
    """The key of a NaN inside ``value`` (lists and plain dicts included), if any."""
    if isinstance(value, float) and math.isnan(value):
        return key
    if isinstance(value, dict):
        inner = ((f"{key}.{k}", v) for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        inner = ((f"{key}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    return next((found for k, v in inner if (found := _nan_path(v, k))), None)


def _sub_configs(value, key: str) -> Iterator[tuple[str, dict]]:
    """Nested ``dict(type=...)`` configs inside a value (dicts of dicts, lists of dicts)."""
    if isinstance(value, dict):
        if "type" in value and isinstance(value["type"], str):
            yield key, value
            return
        typed = [k for k, v in value.items() if isinstance(v, dict) and "type" in v]
        for k, v in value.items():
            # a mapping of component configs holds nothing else (e.g. model.losses)
            if typed and not (isinstance(v, dict) and "type" in v):
                if isinstance(v, dict):
                    raise ConfigError(
                        f"{key}.{k}.type: missing; expected the name of a registered "
                        f"component, as {key}.{typed[0]} has."
                    )
                raise ConfigError(
                    f"{key}.{k}: expected a dict(type=...) component config like "
                    f"{key}.{typed[0]}, got {v!r}."
                )
            yield from _sub_configs(v, f"{key}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _sub_configs(v, f"{key}[{i}]")


def _expect_dict(value, key: str, what: str = "a dict(type=...) component config") -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected {what}, got {type(value).__name__} {value!r}.")
    return value


def check_component(cfg: dict, key: str, registries: list[Registry], injected=()) -> None:
    """Checks one ``dict(type=...)`` config and, recursively, the configs inside it.

    Args:
        cfg (dict): the component config.
        key (str): its place in the config, e.g. ``model.backbone``.
        registries (list[Registry]): where to look its type up.
        injected (Iterable[str]): arguments the Runner passes itself (``optimizer``,
            ``dataset``, ``priority``, ...): neither checked nor required.

    Raises:
        ConfigError: naming ``key`` (e.g. ``model.conditioner.grid_size``) and what was
            expected.
    """
    _expect_dict(cfg, key)
    if not isinstance(cfg.get("type"), str):
        got = f", got {cfg['type']!r}" if "type" in cfg else " (missing)"
        raise ConfigError(f"{key}.type: expected the name of a registered component{got}.")
    cls = find_class(cfg["type"], key, registries)
    named, takes_any = _signature(cls)
    _, hints = _along_kwargs(cls)
    skip = {"type", "_scope_", *injected}
    given = {k: v for k, v in cfg.items() if k not in skip}
    if not takes_any:
        unknown = sorted(set(given) - set(named))
        if unknown:
            choices = sorted(set(named) - skip)
            expected = f"one of {choices}" if choices else "no arguments"
            raise ConfigError(
                f"{key}.{unknown[0]}: {cfg['type']} has no such argument; expected {expected}."
            )
    missing = [
        n
        for n, p in named.items()
        if p.default is inspect.Parameter.empty and n not in given and n not in skip
    ]
    if missing:
        annotation = hints.get(missing[0])
        expected = "a value" if annotation is None else f"a {_describe(annotation)}"
        raise ConfigError(
            f"{key}.{missing[0]}: required by {cfg['type']} but missing; expected {expected}."
        )
    for name, value in given.items():
        nan_key = _nan_path(value, f"{key}.{name}")
        if nan_key:
            raise ConfigError(f"{nan_key}: not a number (NaN); expected a finite value.")
        annotation = hints.get(name, inspect.Parameter.empty)
        if not _accepts(annotation, value):
            raise ConfigError(
                f"{key}.{name}: wrong type for {cfg['type']}; expected {_describe(annotation)}, "
                f"got {type(value).__name__} {value!r}."
            )
        for sub_key, sub_cfg in _sub_configs(value, f"{key}.{name}"):
            check_component(sub_cfg, sub_key, registries)


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


def _construct(cfg: dict, key: str, registries: list[Registry], inject: dict | None = None):
    cls = find_class(cfg["type"], key, registries)
    args = {k: v for k, v in cfg.items() if k not in ("type", "_scope_")}
    return cls(**args, **(inject or {}))


def _origin(err: BaseException) -> BaseException:
    """The exception mmengine's registry re-raised (it prefixes the class name)."""
    while err.__context__ is not None and _raised_in(err, MMENGINE_BUILD):
        err = err.__context__
    return err


def _raised_in(err: BaseException, path: str) -> bool:
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and path in tb.tb_frame.f_code.co_filename


def _message(err: BaseException) -> str:
    text = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
    return str(text).strip().splitlines()[0] if str(text).strip() else type(err).__name__


def _locate(cfg: dict, key: str, registries, inject) -> tuple[str, dict, dict | None]:
    """The innermost component config that fails to build on its own, with its injections."""
    for name, value in cfg.items():
        if name in ("type", "_scope_"):
            continue
        for sub_key, sub_cfg in _sub_configs(value, f"{key}.{name}"):
            try:
                _construct(sub_cfg, sub_key, registries)
            except ConfigError:
                continue
            except Exception:
                return _locate(sub_cfg, sub_key, registries, None)
    return key, cfg, inject


def _blame(cfg: dict, key: str, registries, inject) -> tuple[str, object] | None:
    """(argument, a value that builds) for the argument ``cfg`` fails on, if one is found.

    Each argument in turn is dropped (its default instead) or, if required, replaced by a
    few numbers of its type; the first change that lets ``cfg`` build names the culprit.
    """
    named, _ = _along_kwargs(find_class(cfg["type"], key, registries))
    for name, value in cfg.items():
        if name in ("type", "_scope_"):
            continue
        required = name in named and named[name].default is inspect.Parameter.empty
        kind = float if isinstance(value, float) else type(value)
        trials = PROBES.get(kind, ()) if required and not isinstance(value, bool) else (None,)
        for trial in trials:
            changed = {k: v for k, v in cfg.items() if k != name}
            if trial is not None:
                changed[name] = trial
            try:
                _construct(changed, key, registries, inject)
            except Exception:
                continue
            return name, (named[name].default if trial is None and name in named else trial)
    return None


def _explain(err: Exception, cfg: dict, key: str, registries, inject) -> Exception:
    """The error of a failed dry build as one line naming the key and argument."""
    origin = _origin(err)
    text = _message(origin)
    where, part, part_inject = _locate(cfg, key, registries, inject)
    if isinstance(origin, USER_ERRORS) and f"({where}" in text:
        return origin  # the constructor's own check, already naming the key
    cls_name = part["type"]
    if 'must contain the key "type"' in text:
        untyped = [n for n, v in part.items() if isinstance(v, dict) and "type" not in v]
        if untyped:
            return ConfigError(
                f"{where}.{untyped[0]}.type: missing; expected the name of a registered "
                f"component, got a dict with keys {sorted(part[untyped[0]])}."
            )
    named, _ = _along_kwargs(find_class(cls_name, where, registries))
    if isinstance(origin, TypeError):  # Python's own words for a bad call, e.g. via **kwargs
        missing = re.search(r"missing \d+ required .*?arguments?: '(\w+)'", text)
        if missing and missing.group(1) not in part:
            return ConfigError(
                f"{where}.{missing.group(1)}: required by {cls_name} but missing; expected a "
                f"value ({text})."
            )
        unexpected = re.search(r"unexpected keyword argument '(\w+)'", text)
        if unexpected and unexpected.group(1) in part:
            return ConfigError(
                f"{where}.{unexpected.group(1)}: {cls_name} has no such argument; expected one "
                f"of its arguments ({text})."
            )
    blamed = _blame(part, where, registries, part_inject)
    if blamed is None:
        given = ", ".join(
            f"{k}={v!r}" for k, v in part.items() if isinstance(v, (int, float, str, bool))
        )
        return ConfigError(
            f"{where}: {cls_name} cannot be built from this config ({type(origin).__name__}: "
            f"{text}); expected arguments it accepts, got {given}."
        )
    arg, works = blamed
    label = f"{cls_name}.{arg} ({where}.{arg})"
    if isinstance(origin, USER_ERRORS) and _greenreg_raised(origin):
        rest = re.sub(rf"^{re.escape(cls_name)}\.[\w/]+( \([^)]*\))?:\s*", "", text)
        try:
            return type(origin)(f"{label}: {rest}")
        except Exception:
            return ConfigError(f"{label}: {rest}")
    if arg not in named:
        return ConfigError(
            f"{where}.{arg}: {cls_name} has no such argument ({type(origin).__name__}: {text}); "
            f"expected one of {sorted(named)}."
        )
    such_as = f", such as {works!r}" if works is not inspect.Parameter.empty else ""
    return ConfigError(
        f"{label}: {cls_name} cannot be built with {arg}={part[arg]!r} "
        f"({type(origin).__name__}: {text}); expected a value it accepts{such_as}."
    )


def _greenreg_raised(err: BaseException) -> bool:
    return _raised_in(err, GREENREG_DIR + os.sep)


def _dry_build(cfg: dict, key: str, registries, inject: dict | None = None):
    """Builds ``cfg`` once; a failure becomes one error naming its key and argument."""
    try:
        return _construct(cfg, key, registries, inject)
    except Exception as err:
        try:
            explained = _explain(err, cfg, key, registries, inject)
        except Exception:  # explaining must never hide the original error
            raise err from None
        raise explained from None


def _dry_build_runner_parts(cfg, registries: list[Registry]) -> None:
    """Builds hooks, optimizer, its wrapper and the LR schedules on a one-parameter model."""
    from mmengine.hooks import EMAHook

    toy = nn.Linear(1, 1)
    for key, hook in _hooks(cfg):
        hook_cfg = {k: v for k, v in hook.items() if k != "priority"}
        if isinstance(_dry_build(hook_cfg, key, registries), EMAHook):
            _dry_build(_ema_config(hook, key, registries), key, registries, {"model": toy})
    wrapper = cfg["optim_wrapper"]

    def optimizer():
        params = {"params": list(toy.parameters())}
        return _dry_build(wrapper["optimizer"], "optim_wrapper.optimizer", registries, params)

    wrapper_cfg = {k: v for k, v in wrapper.items() if k not in OPTIM_WRAPPER_RUNNER_KEYS}
    if "clip_grad" in wrapper:
        wrapper_cfg["clip_grad"] = wrapper["clip_grad"]
    _dry_build(wrapper_cfg, "optim_wrapper", registries, {"optimizer": optimizer()})
    for i, scheduler in enumerate(_schedulers(cfg)):
        scheduler = {k: v for k, v in scheduler.items() if k != "convert_to_iter_based"}
        _dry_build(scheduler, f"param_scheduler[{i}]", registries, {"optimizer": optimizer()})


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
