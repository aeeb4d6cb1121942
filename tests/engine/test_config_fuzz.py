"""Bad input, tried systematically (issue 5): every shipped config, mutated by hypothesis.

Each mutation changes one place of one shipped config in one of six ways: an unknown key
(misspelt or new), a wrong type (a str, list, dict or None where the constructor's
annotation forbids it), a missing required key, an out-of-range number (ranges below, from
the components' documented contracts), an unknown ``type`` name, or, as a control, an
absent argument set explicitly to its declared default (the very same call: it must pass).

The oracle is independent of greenreg/engine/config_check.py: accepted keys and types come
from the constructors' signatures (``**kwargs`` followed to the next ``__init__`` in the
MRO), ranges from RANGES. Every invalid mutation must be rejected by ``check_config`` (its
static pass, then the dry builds it does) before any Runner exists or any work dir is
written, with a ValueError, TypeError or KeyError whose message names the key
(``model.backbone.width``) or the argument (``DiTBackbone.width``) and says what was
expected. bench/config_fuzz.py runs the same catalogue at scale and tabulates the outcomes.
"""

from __future__ import annotations

import copy
import functools
import glob
import inspect
import math
import os
import re
import string
import types
import typing
from dataclasses import dataclass, field
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mmengine.config import Config
from mmengine.registry import FUNCTIONS, Registry
from torch import Tensor, nn

import greenreg.datasets.captioned_digits as captioned_digits
from greenreg import registry as greenreg_registry
from greenreg.engine.config_check import check_config
from tests.conftest import CONFIGS

SHIPPED = sorted(
    glob.glob(os.path.join(CONFIGS, "*.py")) + glob.glob(os.path.join(CONFIGS, "ablations", "*.py"))
)
KINDS = ("unknown_key", "wrong_type", "missing_key", "out_of_range", "unknown_type")
CONTROL = "explicit_default"
# the parts of a config the Runner builds for training: what check_config must cover
SECTIONS = (
    "model",
    "train_dataloader",
    "val_dataloader",
    "val_evaluator",
    "custom_hooks",
    "default_hooks",
    "optim_wrapper",
    "param_scheduler",
    "train_cfg",
    "val_cfg",
)
REQUIRED_SECTIONS = ("model", "train_dataloader", "train_cfg", "optim_wrapper")
VALIDATION_SECTIONS = ("val_dataloader", "val_cfg", "val_evaluator")
DATA_SECTIONS = ("train_dataloader", "val_dataloader", "val_evaluator")
CLEAR_TYPES = (ValueError, TypeError, KeyError)
DELETE = "<deleted>"
# arguments the Runner (or the component that builds it) passes itself
INJECTED = {
    "sampler": {"dataset"},
    "train_cfg": {"runner", "dataloader"},
    "val_cfg": {"runner", "dataloader", "evaluator"},
    "optimizer": {"params"},
    "param_scheduler": {"optimizer", "param_name"},
    "ema": {"model"},
}
# data loader keys the Runner consumes before calling DataLoader(**rest)
DATALOADER_RUNNER_KEYS = frozenset(
    {"dataset", "sampler", "batch_sampler", "collate_fn", "worker_init_fn"}
)
OPTIM_WRAPPER_RUNNER_KEYS = frozenset({"optimizer", "constructor", "paramwise_cfg", "clip_grad"})


@dataclass(frozen=True)
class Range:
    """A documented valid range; ``invalid()`` draws numbers outside it."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    integer: bool = False

    def invalid(self) -> st.SearchStrategy:
        """Numbers outside the range, and NaN for a real-valued argument."""
        parts = []
        if self.integer:
            if self.low is not None:
                parts.append(st.integers(-(10**6), int(self.low) - (0 if self.low_open else 1)))
            if self.high is not None:
                parts.append(st.integers(int(self.high) + (0 if self.high_open else 1), 10**6))
            return st.one_of(parts)
        if self.low is not None:
            parts.append(st.floats(-1e6, self.low, exclude_max=not self.low_open))
        if self.high is not None:
            parts.append(st.floats(self.high, 1e6, exclude_min=not self.high_open))
        return st.one_of(*parts, st.just(math.nan))


POSITIVE_INT = Range(1, integer=True)
NON_NEGATIVE_INT = Range(0, integer=True)
POSITIVE = Range(0, low_open=True)
NON_NEGATIVE = Range(0)
PROBABILITY = Range(0, 1)
UNIT_OPEN = Range(0, 1, low_open=True, high_open=True)
# argument name -> valid range, as the components document it (Args:, paper, torch)
RANGES = {
    **dict.fromkeys(
        (
            "in_channels image_size patch_size width depth num_heads vocab_size text_width "
            "grid_size hidden_width field_channels field_size num_layers embed_dim num_classes "
            "num_steps samples_per_digit max_caption_length per_row num_samples interval "
            "batch_size max_iters val_interval latent_shape periods"
        ).split(),
        POSITIVE_INT,
    ),
    **dict.fromkeys(
        "num_dwconv num_convs until_iter heldout_size num_workers".split(), NON_NEGATIVE_INT
    ),
    **dict.fromkeys("mlp_ratio temperature gamma max_norm T_max".split(), POSITIVE),
    **dict.fromkeys("lr weight_decay eps eta eta_min restart_weights".split(), NON_NEGATIVE),
    **dict.fromkeys("early_fraction low high start_factor end_factor".split(), PROBABILITY),
    "drop_prob": Range(0, 1, high_open=True),
    "betas": Range(0, 1, high_open=True),
    "beta_start": UNIT_OPEN,
    "beta_end": UNIT_OPEN,
    "scale": Range(1),
}
# (owner, argument) -> range where the name alone misleads; None: not a range to fuzz
RANGE_OVERRIDES = {
    ("DDPMDiscretePath", "num_steps"): Range(2, integer=True),
    ("EMAHook", "momentum"): UNIT_OPEN,
    ("EMAHook", "gamma"): Range(0, low_open=True, integer=True),
    ("LossEMAHook", "momentum"): Range(0, 1, low_open=True),
    ("CheckpointHook", "interval"): None,  # -1 means "never"
}


@dataclass(frozen=True)
class Site:
    """One place a mutation can hit: a component config, or a dict the Runner reads."""

    path: tuple  # keys and list indices from the config root
    owner: str  # class name, or "DataLoader" / "clip_grad_norm_"
    accepted: frozenset | None  # argument names it takes; None: open **kwargs
    required: frozenset
    hints: dict = field(default_factory=dict, compare=False, hash=False)
    defaults: dict = field(default_factory=dict, compare=False, hash=False)
    typed: bool = True  # its config names a registered ``type``


@dataclass(frozen=True)
class Mutation:
    """One change to one config; ``valid``: the resulting call is provably the same."""

    kind: str
    path: tuple  # to the changed, deleted or added entry
    value: typing.Any
    owner: str
    names: tuple  # a clear message names one of these
    valid: bool = False
    renamed_from: str = ""  # a misspelt top-level section: its original name

    @property
    def key(self) -> str:
        """The dotted key, e.g. ``model.backbone.width`` or ``custom_hooks[3].momentum``."""
        return key_of(self.path)

    @property
    def arg(self) -> str:
        return next((p for p in reversed(self.path) if isinstance(p, str)), "")

    def apply(self, cfg: dict) -> dict:
        """A mutated deep copy of ``cfg``."""
        cfg = copy.deepcopy(cfg)
        if self.renamed_from:
            cfg[self.path[0]] = cfg.pop(self.renamed_from)
            return cfg
        return set_in(cfg, self.path, self.value)


def set_in(node, path: tuple, value):
    """``node`` with the entry at ``path`` set to ``value`` (removed for DELETE)."""
    head, *rest = path
    if rest:
        child = set_in(node[head], tuple(rest), value)
    elif isinstance(value, str) and value == DELETE:
        del node[head]
        return node
    else:
        child = value
    if isinstance(node, tuple):  # a tuple (betas) is rebuilt around the new element
        return node[:head] + (child,) + node[head + 1 :]
    node[head] = child
    return node


def key_of(path: tuple) -> str:
    """``("custom_hooks", 3, "momentum")`` -> ``custom_hooks[3].momentum``."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def get(cfg, path: tuple):
    for p in path:
        cfg = cfg[p]
    return cfg


# --- the oracle: what a constructor takes, read from its signature ---------------------------


def _registries() -> list[Registry]:
    return [r for r in vars(greenreg_registry).values() if isinstance(r, Registry)]


@functools.cache
def registered_names() -> frozenset:
    """Every name a greenreg registry (or its mmengine parent) resolves, and functions."""
    names = set(FUNCTIONS.module_dict)
    for reg in _registries():
        reg.import_from_location()
        while reg is not None:
            names |= set(reg.module_dict)
            reg = reg.parent
    return frozenset(names)


def find(type_name: str) -> type:
    """The class a shipped config's type name resolves to."""
    registered_names()
    for reg in _registries():
        cls = reg.get(type_name)
        if cls is not None:
            return cls
    raise LookupError(type_name)


def _hints(fn) -> dict:
    """Evaluated annotations; one that cannot be evaluated (a TYPE_CHECKING name) is left out."""
    try:
        return typing.get_type_hints(fn)
    except Exception:
        pass
    hints = {}
    for name, param in inspect.signature(fn).parameters.items():
        probe = types.SimpleNamespace(__annotations__={name: param.annotation})
        try:
            hints[name] = typing.get_type_hints(probe, getattr(fn, "__globals__", None))[name]
        except Exception:
            continue
    return hints


@dataclass
class Signature:
    """Named arguments (name -> default) of a constructor; ``open``: any key may be valid."""

    named: dict
    open: bool
    hints: dict

    def required(self, injected=()) -> set:
        empty = inspect.Parameter.empty
        return {n for n, d in self.named.items() if d is empty} - set(injected)


def signature_of(cls: type) -> Signature:
    """The arguments of ``cls``, following ``**kwargs`` to the next ``__init__`` in the MRO.

    LinearLR hands them to its param scheduler, AutocastOptimWrapper to OptimWrapper; a
    class without an ``__init__`` of its own (object's, nn.Module's) takes nothing; one
    whose ``**kwargs`` reach object's (EMAHook, CheckpointHook) is open.
    """
    named, hints, forwarding = {}, {}, False
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        if klass in (object, nn.Module):
            break
        params = inspect.signature(init).parameters
        hints = {**_hints(init), **hints}
        for name, p in params.items():
            if name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                named.setdefault(name, p.default)
        forwarding = any(p.kind is p.VAR_KEYWORD for p in params.values())
        if not forwarding:
            break
    return Signature(named, forwarding, hints)


def fits(annotation, value) -> bool | None:
    """Whether ``value`` fits ``annotation``; None where the annotation is not plain."""
    if annotation in (inspect.Parameter.empty, typing.Any):
        return None
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        answers = [fits(a, value) for a in typing.get_args(annotation)]
        return True if True in answers else (None if None in answers else False)
    if annotation is type(None):
        return value is None
    base = origin or annotation
    if base in (list, tuple):
        return isinstance(value, (list, tuple))
    plain = {bool: bool, int: int, float: (int, float), str: str, dict: dict, Tensor: Tensor}
    if base in plain:
        return isinstance(value, plain[base]) and (base is bool or not isinstance(value, bool))
    return None


# --- where a config can be hit -----------------------------------------------------------------


def component_site(cfg: dict, path: tuple, injected=()) -> Site:
    """The Site of a ``dict(type=...)`` config at ``path``."""
    cls = find(cfg["type"])
    sig = signature_of(cls)
    named = {k: v for k, v in sig.named.items() if k not in injected}
    return Site(
        path=path,
        owner=cls.__name__,
        accepted=None if sig.open else frozenset(named),
        required=frozenset(sig.required(injected)),
        hints=sig.hints,
        defaults=named,
    )


def ema_site(hook: dict, path: tuple) -> Site:
    """EMAHook plus the averaged model it builds from its extra keys in before_run."""
    hook_sig = signature_of(find(hook["type"]))
    ema_sig = signature_of(find(hook.get("ema_type", hook_sig.named["ema_type"])))
    ema_named = {k: v for k, v in ema_sig.named.items() if k not in INJECTED["ema"]}
    return Site(
        path=path,
        owner=find(hook["type"]).__name__,
        accepted=None if ema_sig.open else frozenset(hook_sig.named) | frozenset(ema_named),
        required=frozenset(ema_sig.required(INJECTED["ema"])),
        hints={**ema_sig.hints, **hook_sig.hints},
        defaults={**ema_named, **hook_sig.named},
    )


def dataloader_site(path: tuple) -> Site:
    """A data loader dict: torch DataLoader's arguments plus the keys the Runner consumes."""
    import torch.utils.data

    sig = signature_of(torch.utils.data.DataLoader)
    return Site(
        path=path,
        owner="DataLoader",
        accepted=frozenset(sig.named) | DATALOADER_RUNNER_KEYS,
        required=frozenset({"dataset", "sampler"}),
        hints=sig.hints,
        defaults={k: v for k, v in sig.named.items() if k not in DATALOADER_RUNNER_KEYS},
        typed=False,
    )


def clip_grad_site(path: tuple) -> Site:
    """optim_wrapper.clip_grad: the keyword arguments of clip_grad_norm_."""
    import torch

    fn = torch.nn.utils.clip_grad_norm_
    params = list(inspect.signature(fn).parameters.values())[1:]  # [0]: the gradients
    named = {p.name: p.default for p in params}
    return Site(
        path=path,
        owner=fn.__name__,
        accepted=frozenset(named) | {"type"},
        required=frozenset(n for n, d in named.items() if d is inspect.Parameter.empty),
        hints=_hints(fn),
        defaults=named,
        typed=False,
    )


def _walk_components(value, path: tuple) -> list[Site]:
    sites = []
    if isinstance(value, dict):
        if isinstance(value.get("type"), str):
            sites.append(component_site(value, path))
        for k, v in value.items():
            sites += _walk_components(v, path + (k,)) if k != "type" else []
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            sites += _walk_components(v, path + (i,))
    return sites


def sites_of(cfg: dict) -> list[Site]:
    """Every place in the Runner-built sections of ``cfg`` that a mutation can hit."""
    sites = _walk_components(cfg["model"], ("model",))
    for loader in ("train_dataloader", "val_dataloader"):
        if isinstance(cfg.get(loader), dict):
            sites.append(dataloader_site((loader,)))
            sites.append(component_site(cfg[loader]["dataset"], (loader, "dataset")))
            sites.append(component_site(cfg[loader]["sampler"], (loader, "sampler"), {"dataset"}))
    if isinstance(cfg.get("val_evaluator"), dict):
        sites += _walk_components(cfg["val_evaluator"], ("val_evaluator",))
    for i, hook in enumerate(cfg.get("custom_hooks") or []):
        make = ema_site if hook["type"] == "EMAHook" else component_site
        sites.append(make(hook, ("custom_hooks", i)))
    for name, hook in (cfg.get("default_hooks") or {}).items():
        if hook is not None:
            sites.append(component_site(hook, ("default_hooks", name)))
    wrapper = component_site(cfg["optim_wrapper"], ("optim_wrapper",))
    if wrapper.accepted is not None:
        wrapper = Site(
            **{**vars(wrapper), "accepted": wrapper.accepted | OPTIM_WRAPPER_RUNNER_KEYS}
        )
    sites.append(wrapper)
    optimizer = cfg["optim_wrapper"]["optimizer"]
    sites.append(component_site(optimizer, ("optim_wrapper", "optimizer"), INJECTED["optimizer"]))
    if isinstance(cfg["optim_wrapper"].get("clip_grad"), dict):
        sites.append(clip_grad_site(("optim_wrapper", "clip_grad")))
    schedulers = cfg.get("param_scheduler") or []
    for i, scheduler in enumerate([schedulers] if isinstance(schedulers, dict) else schedulers):
        sites.append(component_site(scheduler, ("param_scheduler", i), INJECTED["param_scheduler"]))
    for loop in ("train_cfg", "val_cfg"):
        if isinstance(cfg.get(loop), dict) and "type" in cfg[loop]:
            sites.append(component_site(cfg[loop], (loop,), INJECTED[loop]))
    return sites


# --- the kinds of mutation, as hypothesis strategies -------------------------------------------


def _misspell(name: str) -> st.SearchStrategy[str]:
    """One edit of ``name``: swap two letters, drop, double or replace one."""

    def edit(args) -> str:
        op, i, c = args
        i %= len(name)
        if op == 0 and i + 1 < len(name):
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        if op == 1 and len(name) > 1:
            return name[:i] + name[i + 1 :]
        if op == 2:
            return name[:i] + name[i] + name[i:]
        return name[:i] + c + name[i + 1 :]

    letters = st.sampled_from(string.ascii_lowercase)
    return st.tuples(st.integers(0, 3), st.integers(0, 63), letters).map(edit)


def _fresh_name() -> st.SearchStrategy[str]:
    return st.text(string.ascii_lowercase + "_", min_size=1, max_size=12).filter(str.isidentifier)


def unknown_key(cfg: dict, site: Site, buildable: frozenset):
    if site.accepted is None:
        return None  # open **kwargs: any key may be valid
    node = get(cfg, site.path)
    given = [k for k in node if k not in ("type", "_scope_")]
    taken = set(site.accepted) | set(node) | {"type", "_scope_", "priority"}
    misspelt = st.sampled_from(given).flatmap(_misspell) if given else st.nothing()

    def make(new_key: str) -> Mutation:
        path = site.path + (new_key,)
        return Mutation("unknown_key", path, 1, site.owner, (key_of(path),))

    return st.one_of(misspelt, _fresh_name()).filter(lambda k: k not in taken).map(make)


@functools.cache
def runner_keys() -> frozenset:
    from mmengine.runner import FlexibleRunner, Runner

    params = inspect.signature(Runner.__init__).parameters
    return frozenset(params) | frozenset(inspect.signature(FlexibleRunner.__init__).parameters)


def top_level_unknown_key(cfg: dict):
    """A misspelt Runner section, e.g. ``custom_hook`` for ``custom_hooks``."""
    present = [s for s in SECTIONS if s in cfg]

    def make(args) -> Mutation:
        old, new = args
        return Mutation("unknown_key", (new,), None, "Runner", (new, old), renamed_from=old)

    return (
        st.sampled_from(present)
        .flatmap(lambda s: st.tuples(st.just(s), _misspell(s)))
        .filter(lambda a: a[1] not in runner_keys() and a[1] not in cfg)
        .map(make)
    )


def wrong_type(cfg: dict, site: Site, buildable: frozenset):
    node = get(cfg, site.path)
    options = []
    for name, value in node.items():
        annotation = site.hints.get(name)
        if name in ("type", "_scope_") or annotation is None:
            continue
        as_text = str(value) if isinstance(value, (int, float)) else "oops"
        for bad in (as_text, None, [value], {"value": value}):
            if fits(annotation, bad) is False:
                path = site.path + (name,)
                names = (key_of(path), f"{site.owner}.{name}")
                options.append(Mutation("wrong_type", path, bad, site.owner, names))
    if site.typed and not _held_by_argument(cfg, site.path):
        # a config in a list or mapping of configs, or a section: replaced by its type
        # name as a bare string, or wrapped in a list
        bads = [node["type"]] + ([] if site.path[0] in ("val_evaluator",) else [[node]])
        for bad in bads:
            names = (key_of(site.path),)
            options.append(Mutation("wrong_type", site.path, bad, site.owner, names))
    return st.sampled_from(options) if options else None


def _held_by_argument(cfg: dict, path: tuple) -> bool:
    """Whether the config at ``path`` is the value of a component's argument."""
    if len(path) < 2 or isinstance(path[-1], int):
        return False
    parent = get(cfg, path[:-1])
    return isinstance(parent, dict) and isinstance(parent.get("type"), str)


def missing_key(cfg: dict, site: Site, buildable: frozenset):
    node = get(cfg, site.path)
    options = []
    for name in sorted(site.required):
        if name in node:
            path = site.path + (name,)
            names = (key_of(path), f"{site.owner}.{name}")
            options.append(Mutation("missing_key", path, DELETE, site.owner, names))
    # the Runner builds a val_cfg without type as ValLoop; a model argument's missing type
    # shows only in the dry build
    static = not (site.path[0] == "model" and _held_by_argument(cfg, site.path))
    if site.typed and site.path != ("val_cfg",) and ("model" in buildable or static):
        path = site.path + ("type",)
        names = (key_of(path), key_of(site.path))
        options.append(Mutation("missing_key", path, DELETE, site.owner, names))
    return st.sampled_from(options) if options else None


def top_level_missing_key(cfg: dict):
    options = [s for s in REQUIRED_SECTIONS if s in cfg]
    if all(cfg.get(s) is not None for s in VALIDATION_SECTIONS):
        options += VALIDATION_SECTIONS  # the Runner needs all three or none
    return st.sampled_from([Mutation("missing_key", (s,), DELETE, "Runner", (s,)) for s in options])


def range_of(owner: str, name: str) -> Range | None:
    if (owner, name) in RANGE_OVERRIDES:
        return RANGE_OVERRIDES[(owner, name)]
    return RANGES.get(name)


def out_of_range(cfg: dict, site: Site, buildable: frozenset):
    if site.path[0] == "model" and "model" not in buildable:
        return None  # its ranges are checked by the dry build, impossible on this machine
    if site.path[0] in DATA_SECTIONS and "data" not in buildable:
        return None  # the same for data that must be generated first
    node = get(cfg, site.path)
    options = []
    for name, value in node.items():
        rule = range_of(site.owner, name)
        if rule is None or isinstance(value, bool):
            continue
        names = (key_of(site.path + (name,)), f"{site.owner}.{name}")
        if isinstance(value, (int, float)):
            paths = [site.path + (name,)]
        elif isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
            paths = [site.path + (name, i) for i in range(len(value))]
        else:
            continue
        for path in paths:
            options.append(rule.invalid().map(_at(path, site.owner, names)))
    return st.one_of(options) if options else None


def _at(path: tuple, owner: str, names: tuple):
    return lambda value: Mutation("out_of_range", path, value, owner, names)


def unknown_type(cfg: dict, site: Site, buildable: frozenset):
    if not site.typed:
        return None
    node = get(cfg, site.path)
    type_key = "ema_type" if "ema_type" in node else "type"
    path = site.path + (type_key,)
    made_up = _fresh_name().map(lambda s: s.title().replace("_", "") + "Sampler")
    return (
        st.one_of(_misspell(node[type_key]), made_up)
        .filter(lambda t: t not in registered_names())
        .map(lambda t: Mutation("unknown_type", path, t, site.owner, (key_of(path),)))
    )


def explicit_default(cfg: dict, site: Site, buildable: frozenset):
    """The control: an absent argument set to its declared default (the same call)."""
    node = get(cfg, site.path)
    literal = (type(None), bool, int, float, str)
    options = [
        Mutation(CONTROL, site.path + (name,), default, site.owner, (), valid=True)
        for name, default in sorted(site.defaults.items())
        if name not in node
        and name not in DATALOADER_RUNNER_KEYS
        and (isinstance(default, literal) or isinstance(default, tuple))
        and all(isinstance(v, literal) for v in (default if isinstance(default, tuple) else []))
    ]
    return st.sampled_from(options) if options else None


KIND_STRATEGIES = {
    "unknown_key": unknown_key,
    "wrong_type": wrong_type,
    "missing_key": missing_key,
    "out_of_range": out_of_range,
    "unknown_type": unknown_type,
    CONTROL: explicit_default,
}


def mutations(
    cfg: dict, kind: str, buildable: frozenset = frozenset({"model", "data"})
) -> st.SearchStrategy[Mutation]:
    """Mutations of one kind anywhere in ``cfg``; a site is drawn first, uniformly."""
    per_site = []
    for site in sites_of(cfg):
        strategy = KIND_STRATEGIES[kind](cfg, site, buildable)
        if strategy is not None:
            per_site.append(strategy)
    if kind == "unknown_key":
        per_site.append(top_level_unknown_key(cfg))
    if kind == "missing_key":
        per_site.append(top_level_missing_key(cfg))
    return st.integers(0, len(per_site) - 1).flatmap(lambda i: per_site[i])


# --- running and judging one mutation ----------------------------------------------------------


@functools.cache
def baseline(path: str) -> tuple[dict, frozenset]:
    """(the config as a plain dict, what of it can be dry-built here: {"model", "data"}).

    A model that needs a local weights file this machine lacks (LPIPS' VGG16, a VAE run's
    checkpoint) is checked without the model build; data that must be generated first (an
    LDOS data set: tools/make_ldos_dataset.py) without the data build. The unmutated config
    must pass either way.
    """
    cfg = Config.fromfile(path).to_dict()
    check_config(copy.deepcopy(cfg), build_model=False)
    built = set()
    for part, options in (("model", dict(build_model=True)),
                          ("data", dict(build_model=False, build_data=True))):  # fmt: skip
        try:
            check_config(copy.deepcopy(cfg), **options)
            built.add(part)
        except FileNotFoundError:
            pass
    return cfg, frozenset(built)


def run_check(cfg: dict, mutation: Mutation, buildable: frozenset, work_dir: str):
    """check_config on the mutated config: the static pass, then the dry builds it concerns.

    Returns:
        Exception | None: what check_config raised.
    """
    mutated = mutation.apply(cfg)
    mutated["work_dir"] = work_dir
    in_model = mutation.path[0] == "model" and "model" in buildable
    in_data = mutation.path[0] in DATA_SECTIONS and "data" in buildable
    try:
        check_config(mutated, build_model=False)
        if in_model or in_data:
            check_config(mutated, build_model=in_model, build_data=in_data)
    except Exception as err:  # judged by classify
        return err
    return None


def message_of(err: BaseException) -> str:
    return str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)


def names_the_place(message: str, mutation: Mutation) -> bool:
    """The message names the key, or the component and the argument."""
    if any(n and n in message for n in mutation.names):
        return True
    # or "Class.a/b" for a rule over two arguments (DDPMDiscretePath.beta_start/beta_end)
    owner, arg = re.escape(mutation.owner), re.escape(mutation.arg)
    return bool(arg and re.search(rf"\b{owner}\.[\w/]*\b{arg}\b", message))


def says_what_was_expected(message: str) -> bool:
    return bool(re.search(r"\bexpected\b|did you mean", message, re.IGNORECASE))


def _raised_deep(err: BaseException) -> bool:
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = tb.tb_frame.f_code.co_filename if tb is not None else ""
    return any(f"{os.sep}{p}{os.sep}" in where for p in ("torch", "mmengine"))


OUTCOMES = (
    "clear",
    "unclear",
    "crashed-deep",
    "accepted-invalid",
    "accepted-valid",
    "rejected-valid",
)


def classify(mutation: Mutation, err: BaseException | None) -> str:
    """One of OUTCOMES: every invalid mutation must come out "clear"."""
    if mutation.valid:
        return "accepted-valid" if err is None else "rejected-valid"
    if err is None:
        return "accepted-invalid"
    if not isinstance(err, CLEAR_TYPES):
        return "crashed-deep"
    message = message_of(err)
    # an argument the constructor takes, reported as unknown, misleads
    misleads = mutation.kind in ("wrong_type", "out_of_range") and "no such argument" in message
    if names_the_place(message, mutation) and says_what_was_expected(message) and not misleads:
        return "clear"
    if _raised_deep(err):
        return "crashed-deep"
    return "unclear"


def cache_digit_images() -> None:
    """Loads the embedded MNIST once per process (2-4 s a load; the same arrays each time)."""
    loader = captioned_digits.load_digit_images
    if not hasattr(loader, "cache_info"):
        captioned_digits.load_digit_images = functools.cache(loader)


# --- the tests -----------------------------------------------------------------------------------

EXAMPLES = {"out_of_range": 10}


# an ablation overrides one key of its recipe, whose sections are fuzzed already: its
# unmutated config must pass (the control), the mutations would repeat the recipe's
CASES = [
    pytest.param(path, kind, id=f"{os.path.basename(path)}-{kind}")
    for path in SHIPPED
    for kind in KINDS + (CONTROL,)
    if kind == CONTROL or os.path.basename(os.path.dirname(path)) != "ablations"
]


@pytest.mark.slow
@pytest.mark.parametrize("path, kind", CASES)
def test_every_mutation_is_rejected_clearly_before_training(path, kind, tmp_path):
    cfg, buildable = baseline(path)
    cache_digit_images()
    work_dir = str(tmp_path / "work_dir")

    @settings(
        derandomize=True,
        max_examples=EXAMPLES.get(kind, 5),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(mutation=mutations(cfg, kind, buildable))
    def check(mutation: Mutation) -> None:
        with mock.patch("mmengine.runner.Runner.__init__", side_effect=AssertionError("Runner")):
            err = run_check(cfg, mutation, buildable, work_dir)
        assert not os.path.exists(work_dir), "check_config wrote the work dir"
        outcome = classify(mutation, err)
        allowed = {"accepted-valid"} if mutation.valid else {"clear"}
        assert outcome in allowed, (
            f"{mutation.kind} {mutation.key} = {mutation.value!r}: {outcome}: "
            f"{type(err).__name__ if err else 'no error'}: {message_of(err) if err else ''}"
        )

    check()


def test_the_oracle_reaches_every_section_the_runner_builds():
    cfg, _ = baseline(os.path.join(CONFIGS, "fm_gridquery.py"))
    reached = {site.path[0] for site in sites_of(cfg)}
    assert reached == {s for s in SECTIONS if cfg.get(s)}
