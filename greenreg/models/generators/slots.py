"""FlowGenerator's plumbing: building its slots and applying a coupling's pairing."""

from __future__ import annotations

from torch import Tensor


def component_config(cfg, slot: str) -> dict:
    """Checks that a slot holds ``dict(type=...)``; returns it.

    Raises:
        TypeError: ``cfg`` is not a dict with a string ``type``; the message names the slot.
    """
    if not (isinstance(cfg, dict) and isinstance(cfg.get("type"), (str, type))):
        raise TypeError(
            f"FlowGenerator.{slot} (model.{slot}): expected a dict(type=...) component config, "
            f"got {cfg!r}."
        )
    return cfg


def build_optional(registry, cfg: dict | None, slot: str):
    """``registry.build(cfg)``, or None for None."""
    return None if cfg is None else registry.build(component_config(cfg, slot))


def build_or_default(registry, cfg: dict | None, slot: str, default: str):
    """``registry.build(cfg)``; None builds ``dict(type=default)`` (an empty dict is an error)."""
    return registry.build(dict(type=default) if cfg is None else component_config(cfg, slot))


def take(x: Tensor | None, index: Tensor | None) -> Tensor | None:
    """x[index] along the batch dimension (x itself for a None index or x)."""
    return x if x is None or index is None else x[index.to(x.device)]


def take_all(entries: dict, index: Tensor | None) -> dict:
    """:func:`take` on every tensor with a batch dimension; other entries pass through."""
    if index is None:
        return dict(entries)
    return {
        k: take(v, index) if isinstance(v, Tensor) and v.dim() else v for k, v in entries.items()
    }
