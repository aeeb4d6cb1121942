"""Checks a config against the constructors it names, before anything is built or written.

mmengine builds a component by calling its class with the config's keys; a typo, a missing
key or a string where a number belongs then fails deep inside torch, often after the work
dir has been written to. This walks every ``dict(type=...)`` reachable from the parts of a
config that greenreg builds and reports the first problem as one line naming the key.
"""

from __future__ import annotations

import difflib
import inspect
import types
import typing
from collections.abc import Iterator

from mmengine.registry import Registry

from greenreg import registry as greenreg_registry

# keys the Runner consumes itself, never passed to the constructor
RUNNER_KEYS = {"hooks": {"priority"}}
REQUIRED_TOP_LEVEL = ("model", "train_dataloader", "train_cfg", "optim_wrapper")


class ConfigError(ValueError):
    """A config names an unknown component, an unknown or missing key, or a wrong type."""


def _registries() -> list[Registry]:
    return [r for r in vars(greenreg_registry).values() if isinstance(r, Registry)]


def _registered_names(reg: Registry) -> set[str]:
    names = set(reg.module_dict)
    parent = reg.parent
    while parent is not None:
        names |= set(parent.module_dict)
        parent = parent.parent
    return names


def find_class(type_name: str, key: str, registries: list[Registry]) -> type:
    """The class registered as ``type_name`` in the first registry that has it.

    Raises:
        ConfigError: no registry has it; lists the three closest registered names.
    """
    for reg in registries:
        reg.import_from_location()
        cls = reg.get(type_name)
        if cls is not None:
            return cls
    known = set().union(*(_registered_names(r) for r in registries))
    close = difflib.get_close_matches(type_name, sorted(known), n=3, cutoff=0.4)
    hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else "none is close."
    raise ConfigError(f"{key}.type: {type_name!r} is not a registered component; {hint}")


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
    return True


def _type_hints(cls: type) -> dict:
    try:
        return typing.get_type_hints(cls.__init__)
    except Exception:  # annotations we cannot evaluate are simply not checked
        return {}


def _sub_configs(value, key: str) -> Iterator[tuple[str, dict]]:
    """Nested ``dict(type=...)`` configs inside a value (dicts of dicts, lists of dicts)."""
    if isinstance(value, dict):
        if "type" in value and isinstance(value["type"], str):
            yield key, value
        else:
            for k, v in value.items():
                yield from _sub_configs(v, f"{key}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _sub_configs(v, f"{key}[{i}]")


def check_component(cfg: dict, key: str, registries: list[Registry], ignore=()) -> None:
    """Checks one ``dict(type=...)`` config and, recursively, the configs inside it.

    Raises:
        ConfigError: naming ``key`` (e.g. ``model.conditioner.grid_size``) and what was
            expected.
    """
    if not isinstance(cfg.get("type"), str):
        raise ConfigError(
            f"{key}.type: expected the name of a registered component, got {cfg.get('type')!r}."
        )
    cls = find_class(cfg["type"], key, registries)
    params = inspect.signature(cls.__init__).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    named = {
        n: p
        for n, p in params.items()
        if n != "self"
        and p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    }
    hints = _type_hints(cls)
    given = {k: v for k, v in cfg.items() if k != "type" and k not in ignore and k != "_scope_"}
    if not takes_any:
        unknown = sorted(set(given) - set(named))
        if unknown:
            raise ConfigError(
                f"{key}.{unknown[0]}: {cfg['type']} has no such argument; expected one of "
                f"{sorted(named)}."
            )
    missing = [
        n for n, p in named.items() if p.default is inspect.Parameter.empty and n not in given
    ]
    if missing:
        raise ConfigError(f"{key}.{missing[0]}: required by {cfg['type']} but missing.")
    for name, value in given.items():
        annotation = hints.get(name, inspect.Parameter.empty)
        if not _accepts(annotation, value):
            expected = getattr(annotation, "__name__", None) or str(annotation).replace(
                "typing.", ""
            )
            raise ConfigError(
                f"{key}.{name}: wrong type for {cfg['type']}; expected {expected}, "
                f"got {type(value).__name__} {value!r}."
            )
        for sub_key, sub_cfg in _sub_configs(value, f"{key}.{name}"):
            check_component(sub_cfg, sub_key, registries)


def _check_training_type_names(cfg, registries: list[Registry]) -> None:
    """Checks the type names of the optimizer, its wrapper and the LR schedulers.

    Their arguments are left to mmengine: the Runner injects some of them (``optimizer``).
    """
    import mmengine.optim  # noqa: F401  (registers torch's optimizers)

    optim_wrapper = cfg.get("optim_wrapper") or {}
    if isinstance(optim_wrapper.get("type"), str):
        find_class(optim_wrapper["type"], "optim_wrapper", registries)
    optimizer = optim_wrapper.get("optimizer")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("type"), str):
        find_class(optimizer["type"], "optim_wrapper.optimizer", registries)
    schedulers = cfg.get("param_scheduler") or []
    for i, scheduler in enumerate([schedulers] if isinstance(schedulers, dict) else schedulers):
        if isinstance(scheduler, dict) and isinstance(scheduler.get("type"), str):
            find_class(scheduler["type"], f"param_scheduler[{i}]", registries)


def check_config(cfg, build_model: bool = True):
    """Checks the parts of a training config that greenreg builds.

    Then (by default) builds the model once, so that range checks in constructors and
    missing weight files fail before the Runner writes anything into the work dir.

    Returns:
        nn.Module | None: the model built from ``cfg.model`` (None if ``build_model`` is off).

    Raises:
        ConfigError: the first problem, as one line naming its key.
        ValueError, TypeError, KeyError, FileNotFoundError: from a constructor.
    """
    for name in REQUIRED_TOP_LEVEL:
        if name not in cfg or cfg[name] is None:
            raise ConfigError(f"{name}: required top-level key is missing from the config.")
    registries = _registries()
    check_component(cfg["model"], "model", registries)
    for loader in ("train_dataloader", "val_dataloader"):
        dataset = (cfg.get(loader) or {}).get("dataset")
        if isinstance(dataset, dict):
            check_component(dataset, f"{loader}.dataset", registries)
    evaluator = cfg.get("val_evaluator")
    if isinstance(evaluator, dict) and "type" in evaluator:
        check_component(evaluator, "val_evaluator", registries)
    for i, hook in enumerate(cfg.get("custom_hooks") or []):
        check_component(hook, f"custom_hooks[{i}]", registries, ignore=RUNNER_KEYS["hooks"])
    _check_training_type_names(cfg, registries)
    return greenreg_registry.MODELS.build(cfg["model"]) if build_model else None
