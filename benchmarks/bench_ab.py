"""Benchmark: one patchtool command under two source trees (two checkouts), timed in turn.

For a change too small to see across runs on a VM whose speed drifts: each
round runs the command once under each tree (``PYTHONPATH`` first, so the
checkout's ``patchtool`` package is the one imported), and the medians and
the children's CPU time are printed per tree.  ``--instructions`` counts
instead what the Python process executes (valgrind's callgrind, its git
children not included): deterministic to a tenth of a percent, whatever the
VM does.

Run: ``.venv/bin/python benchmarks/bench_ab.py OLD_TREE NEW_TREE [--repeat 21] -- check SERIES --base v6.1``
(a tree: ``git worktree add /tmp/old <commit>``).
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import env

_MAIN = "import sys\nsys.argv[0] = 'patchtool'\nfrom patchtool.cli import main\nmain()"


def _argv(command: list[str]) -> list[str]:
    # -P: no current folder before PYTHONPATH, which would import the patchtool beside it for both trees
    return [sys.executable, "-P", "-c", _MAIN, *command]


def instructions(tree: Path, command: list[str]) -> int:
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *_argv(command)],
                          capture_output=True, text=True, env={**env(), "PYTHONPATH": str(tree)})
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if found is None:
        raise RuntimeError(f"valgrind: {proc.stderr.strip()[-300:]}")
    return int(found.group(1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("trees", nargs=2, type=Path)
    ap.add_argument("--repeat", type=int, default=21)
    ap.add_argument("--instructions", action="store_true", help="count instructions (valgrind) instead")
    argv = sys.argv[1:]
    if "--" not in argv:
        ap.error("give the patchtool command after --")
    cut = argv.index("--")
    args, command = ap.parse_args(argv[:cut]), argv[cut + 1:]
    if not command:
        ap.error("no patchtool command given after --")
    if args.instructions:
        if shutil.which("valgrind") is None:
            ap.error("--instructions needs valgrind")
        for tree in args.trees:
            print(f"{tree}: {instructions(tree, command) / 1e6:.1f} M instructions ({command[0]})")
        return 0
    wall: dict[Path, list[float]] = {t: [] for t in args.trees}
    cpu: dict[Path, list[float]] = {t: [] for t in args.trees}
    for tree in args.trees:  # bytecode written, caches warm
        subprocess.run(_argv(command), capture_output=True, env={**env(), "PYTHONPATH": str(tree)})
    for _ in range(args.repeat):
        for tree in args.trees:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(_argv(command), capture_output=True, env={**env(), "PYTHONPATH": str(tree)})
            wall[tree].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[tree].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    for tree in args.trees:
        print(f"{tree}: median {statistics.median(wall[tree]):.3f} s, fastest {min(wall[tree]):.3f} s, "
              f"CPU {statistics.median(cpu[tree]):.3f} s ({command[0]}, {args.repeat} runs in turn)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
