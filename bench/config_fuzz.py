"""Bad input at scale: mutations of every shipped config, and how check_config answers each.

    python bench/config_fuzz.py [--per-kind 30] [--threads 1]

Draws ``--per-kind`` mutations of each kind (unknown key, wrong type, missing key, out of
range, unknown type, and the explicit-default control) for every configs/*.py and
configs/ablations/*.py, with the strategies and oracle of tests/engine/test_config_fuzz.py
(deterministic: hypothesis derandomised). Each is run through ``check_config`` as that test
does (static pass, then the model or data dry build it concerns) and classified:

- clear: ValueError/TypeError/KeyError naming the key or Class.arg and what was expected;
- unclear: a user-error type whose message lacks the key or the rule;
- crashed-deep: any other exception type, or an unclear one raised inside torch/mmengine;
- accepted-invalid: no error for an invalid mutation;
- accepted-valid / rejected-valid: the control passed / was refused (a false positive).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import torch  # noqa: E402
from common import print_table, write_json  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

import greenreg  # noqa: E402, F401
from tests.engine.test_config_fuzz import (  # noqa: E402
    CONTROL,
    KINDS,
    OUTCOMES,
    SHIPPED,
    baseline,
    cache_digit_images,
    classify,
    message_of,
    mutations,
    run_check,
)


def draw(strategy, count: int) -> list:
    """Up to ``count`` distinct examples of ``strategy``, the same on every run."""
    found = {}

    @settings(
        derandomize=True,
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(mutation) -> None:
        found.setdefault((mutation.path, repr(mutation.value), mutation.renamed_from), mutation)

    collect()
    return list(found.values())


def run(per_kind: int) -> list[dict]:
    """Every drawn mutation with its outcome, error type and message."""
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        work_dir = os.path.join(tmp, "work_dir")
        for path in SHIPPED:
            cfg, buildable = baseline(path)
            name = os.path.relpath(path, os.path.join(ROOT, "configs"))
            for kind in KINDS + (CONTROL,):
                for mutation in draw(mutations(cfg, kind, buildable), per_kind):
                    start = time.perf_counter()
                    err = run_check(cfg, mutation, buildable, work_dir)
                    records.append(
                        dict(
                            config=name,
                            kind=kind,
                            key=mutation.key,
                            value=repr(mutation.value)[:80],
                            outcome=classify(mutation, err),
                            error=type(err).__name__ if err else None,
                            message=message_of(err)[:400] if err else None,
                            work_dir_written=os.path.exists(work_dir),
                            check_ms=1000 * (time.perf_counter() - start),
                        )
                    )
    return records


def tally(records: list[dict], by: str) -> list[dict]:
    """Counts of each outcome per value of ``by`` (kind or config), plus a total row."""
    groups = collections.defaultdict(collections.Counter)
    for r in records:
        groups[r[by]][r["outcome"]] += 1
    groups["total"] = sum(groups.values(), collections.Counter())
    rows = []
    for group, counts in groups.items():
        row = {by: group, "tried": sum(counts.values())}
        row.update({o: counts.get(o, 0) for o in OUTCOMES})
        rows.append(row)
    return rows


def main() -> None:
    """Fuzz, print the tables and every non-clear case, save bench/results/config_fuzz.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=30, help="mutations per kind and config")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    init_default_scope("greenreg")
    cache_digit_images()
    start = time.perf_counter()
    records = run(args.per_kind)
    seconds = time.perf_counter() - start
    columns = ["tried", *OUTCOMES]
    print(f"{len(records)} mutations of {len(SHIPPED)} shipped configs in {seconds:.1f} s\n")
    print_table(tally(records, "kind"), ["kind", *columns])
    print()
    print_table(tally(records, "config"), ["config", *columns])
    bad = [r for r in records if r["outcome"] not in ("clear", "accepted-valid")]
    print(f"\n{len(bad)} not clear:")
    for r in bad:
        print(f"  [{r['outcome']}] {r['config']}: {r['kind']} {r['key']} = {r['value']}")
        print(f"      {r['error']}: {r['message']}")
    written = sum(r["work_dir_written"] for r in records)
    print(f"\nwork dir written by check_config: {written} times")
    path = write_json(
        "config_fuzz",
        dict(
            per_kind=args.per_kind,
            seconds=seconds,
            by_kind=tally(records, "kind"),
            by_config=tally(records, "config"),
            records=records,
        ),
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
