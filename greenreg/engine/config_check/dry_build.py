"""Dry builds, and naming the argument behind an error raised deep inside one."""

from __future__ import annotations

import inspect
import os
import re

from mmengine.registry import Registry
from torch import nn

from greenreg.engine.config_check.runner_sections import _ema_config, _hooks, _schedulers
from greenreg.engine.config_check.signatures import (
    GREENREG_DIR,
    MMENGINE_BUILD,
    OPTIM_WRAPPER_RUNNER_KEYS,
    PROBES,
    USER_ERRORS,
    ConfigError,
    _along_kwargs,
    _sub_configs,
    find_class,
)


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
    if isinstance(origin, FileNotFoundError):
        return origin  # a missing file (weights, a data set to generate) names itself
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
