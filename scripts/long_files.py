#!/usr/bin/env python3
"""Fails when a source file outside the tests is over 400 lines.

Source files are the tracked `.rs`, `.js`, `.mjs`, `.ts` and `.py` files;
tests are files under a `tests/` folder, `tests.rs` files and `*.spec.ts`,
and the fuzz corpus. A file that grows past the limit is split by what it
holds, not trimmed.

Usage: long_files.py [LIMIT]
"""
import subprocess
import sys

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 400
SOURCE = (".rs", ".js", ".mjs", ".ts", ".py")


def is_test(path: str) -> bool:
    parts = path.split("/")
    return (
        "tests" in parts[:-1]
        or parts[-1] == "tests.rs"
        or parts[-1].endswith(".spec.ts")
        or path.startswith("fuzz/corpus/")
    )


def main() -> int:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    long = []
    for path in files:
        if not path.endswith(SOURCE) or is_test(path):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                lines = sum(1 for _ in f)
        except FileNotFoundError:
            continue  # deleted in the work tree
        if lines > LIMIT:
            long.append((lines, path))
    for lines, path in sorted(long, reverse=True):
        print(f"{path}: {lines} lines (the limit is {LIMIT}): split it by what it holds")
    return 1 if long else 0


if __name__ == "__main__":
    sys.exit(main())
