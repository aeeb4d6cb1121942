"""Checks a config against the constructors it names, before anything is built or written.

mmengine builds a component by calling its class with the config's keys; a typo, a missing
key or a string where a number belongs then fails deep inside torch, often after the work
dir has been written to. This walks every ``dict(type=...)`` reachable from the parts of a
config that the Runner builds (model, data loaders, evaluator, hooks, optimizer and its
wrapper, LR schedules, loops), checks the keys the Runner consumes itself (``batch_size``,
``max_iters``, ``clip_grad``, ...), then builds the components once, so that a constructor's
own range check (or its crash) is reported as one line naming the key.
"""

from greenreg.engine.config_check.check import check_config
from greenreg.engine.config_check.signatures import ConfigError, check_component, find_class

__all__ = ["ConfigError", "check_component", "check_config", "find_class"]
