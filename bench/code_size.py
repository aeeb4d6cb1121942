"""Lines of code per layer at two revisions: what the generator layer costs a recipe.

    python bench/code_size.py [--before 9c7e471] [--after HEAD]

Counts lines (all, and non-blank non-comment) of the Python files under each group's folders
at both git revisions, from ``git show``, so the working tree is not touched. Writes
bench/results/code_size.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import print_table, write_json  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GROUPS = {
    "generators": ["greenreg/models/generators"],
    "hooks": ["greenreg/engine/hooks"],
    "config_check": ["greenreg/engine/config_check"],
    "sources, couplings, loss terms, schedules": [
        "greenreg/models/sources",
        "greenreg/couplings",
        "greenreg/models/loss_terms",
        "greenreg/schedules",
    ],
    "solvers and time grids": ["greenreg/solvers", "greenreg/timegrids"],
    "library total": ["greenreg"],
}


def git(*args: str) -> str:
    """Output of a git command run in the repository."""
    return subprocess.run(
        ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout


def count(revision: str, folders: list[str]) -> dict:
    """Files, lines and code lines of the .py files under ``folders`` at ``revision``."""
    files = [
        f
        for f in git("ls-tree", "-r", "--name-only", revision, "--", *folders).splitlines()
        if f.endswith(".py")
    ]
    lines = code = 0
    for path in files:
        text = git("show", f"{revision}:{path}").splitlines()
        lines += len(text)
        code += sum(1 for line in text if line.strip() and not line.strip().startswith("#"))
    return dict(files=len(files), lines=lines, code_lines=code)


def main() -> None:
    """Count every group at both revisions; print and save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="9c7e471", help="revision before the change")
    parser.add_argument("--after", default="HEAD", help="revision after the change")
    args = parser.parse_args()
    rows = []
    for group, folders in GROUPS.items():
        before, after = count(args.before, folders), count(args.after, folders)
        rows.append(
            dict(
                group=group,
                files_before=before["files"],
                lines_before=before["lines"],
                files_after=after["files"],
                lines_after=after["lines"],
                code_before=before["code_lines"],
                code_after=after["code_lines"],
            )
        )
    print(f"lines of Python per group, {args.before} -> {args.after}")
    print_table(rows, list(rows[0]))
    revisions = dict(
        before=git("rev-parse", args.before).strip(), after=git("rev-parse", args.after).strip()
    )
    print(f"wrote {write_json('code_size', dict(revisions=revisions, rows=rows))}")


if __name__ == "__main__":
    main()
