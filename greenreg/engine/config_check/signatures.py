"""Component signatures: registered names, accepted keys and their types."""

from __future__ import annotations

import difflib
import inspect
import math
import os
import types
import typing
from collections.abc import Iterator

import torch
from mmengine.registry import Registry
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
GREENREG_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
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


def _chain_stays_open(cls: type) -> bool:
    """Whether every ``__init__`` along the MRO, up to nn.Module's, takes ``**kwargs``."""
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        if klass in (object, nn.Module):
            return True
        params = inspect.signature(init).parameters.values()
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
            return False
    return True


def _signature(cls: type) -> tuple[dict[str, inspect.Parameter], bool]:
    """Named constructor parameters, and whether it takes ``**kwargs``.

    A class without its own ``__init__`` (object's or nn.Module's) takes no arguments, though
    their signatures read ``(*args, **kwargs)``.
    """
    if cls.__init__ in (object.__init__, nn.Module.__init__):
        return {}, False
    if cls.__module__.startswith("greenreg."):
        # greenreg's own ``**kwargs`` go to the parent's __init__ (OneStepGenerator ->
        # FlowGenerator): the chain's named parameters are the whole signature
        named, _ = _along_kwargs(cls)
        return named, _chain_stays_open(cls)
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
        ConfigError: naming ``key`` (e.g. ``model.source.conditioner.grid_size``) and what was
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
