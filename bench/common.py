"""Helpers shared by the benchmarks: environment facts, tables, JSON results."""

from __future__ import annotations

import json
import os
import platform
import time

import torch

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def bare_train_step(model, optimizer, batch: dict, progress, autocast: bool = False) -> dict:
    """One optimiser step without the Runner: loss terms, backward, clip at 1.0, AdamW.

    The loss-weight schedules read ``progress``, as TrainProgressHook hands it over. Under
    ``autocast`` the forward runs in bf16 on the batch's device. Returns the loss terms.
    """
    device = next(iter(batch.values())).device.type
    with torch.autocast(device, dtype=torch.bfloat16, enabled=autocast):
        terms = model.loss(batch, progress)
        loss = sum(terms.values())
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return terms


def best_of(fn, repeats: int) -> float:
    """The fastest of ``repeats`` timed calls (seconds), after one warm-up call."""
    fn()  # warm-up: first calls pay for caches and lazy imports
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def environment() -> dict:
    """Device, threads and versions, recorded with every result."""
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else platform.processor()
    return dict(
        device=device or platform.machine(),
        cuda=torch.cuda.is_available(),
        torch_threads=torch.get_num_threads(),
        cpu_count=os.cpu_count(),
        torch=torch.__version__,
        date=time.strftime("%Y-%m-%d %H:%M"),
    )


def print_table(rows: list[dict], columns: list[str]) -> None:
    """Prints rows as an aligned text table."""
    cells = [[c for c in columns]] + [[_fmt(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    for k, row in enumerate(cells):
        print("  ".join(v.rjust(w) for v, w in zip(row, widths)))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def write_json(name: str, payload: dict) -> str:
    """Writes bench/results/<name>.json; returns its path."""
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"{name}.json")
    with open(path, "w") as f:
        json.dump(dict(payload, environment=environment()), f, indent=2)
    return path


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
