"""Input checks that cost nothing on an accelerator."""

from __future__ import annotations

import torch
from torch import Tensor


def check_in_range(owner: str, name: str, values: Tensor, low: float, high: float) -> None:
    """Raises ValueError unless every element of ``values`` lies in [low, high].

    On CPU the error names the range found. On an accelerator it is an asynchronous device
    assert instead: reading the result back would stall every training step (a sync).
    """
    in_range = ((values >= low) & (values <= high)).all()
    if values.device.type != "cpu":
        torch._assert_async(in_range, f"{owner}: {name} must lie in [{low}, {high}]")
    elif not bool(in_range):
        raise ValueError(
            f"{owner}: {name} must lie in [{low}, {high}]; got range "
            f"[{float(values.min())}, {float(values.max())}]."
        )


def check_int(where: str, value, minimum: int) -> None:
    """Raises ValueError unless ``value`` is an int (not a bool) >= ``minimum``.

    Args:
        where (str): ``<Class>.<arg> (<config key>)``, the start of the message.
        value: the value given.
        minimum (int): the smallest accepted value.
    """
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{where}: expected an int >= {minimum}, got {value!r}.")
