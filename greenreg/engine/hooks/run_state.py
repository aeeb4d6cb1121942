"""What a hook may ask of the run it is in, from the run's config."""

from __future__ import annotations


def is_resuming(runner) -> bool:
    """Whether the run continues an earlier one (``resume=True`` in its config, or --resume).

    Read from the config the Runner was built from, not from the Runner's private state.
    """
    return bool(runner.cfg.get("resume", False))
