"""The kill-safety trials of ``tests/test_kill_safety.py`` by the hundred, with counts.

Each of the seven writing commands is killed (SIGKILL, its whole process
group) at ``--trials`` random moments within its run time; after every kill
the folder must be exactly the old or exactly the new version, and after
the next command (``show``) nothing may be left beside it.  Prints, per
command, how many kills left the old folder, how many the new one, and how
many came after the command had ended; any broken folder stops the run with
the reason (exit 1).

Run: ``.venv/bin/python tools/kill_writers.py [--trials 30] [--seed 1]`` (7 x 30 = 210 kills).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.test_kill_safety import run_all


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--trials", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kill-writers-") as tmp:
        try:
            tallies = run_all(Path(tmp), args.trials, args.seed)
        except AssertionError as exc:
            print(f"BROKEN: {exc}", file=sys.stderr)
            return 1
    print(f"{'command':<16} {'old':>5} {'new':>5} {'ended':>6}")
    total = [0, 0, 0]
    for name, t in tallies.items():
        print(f"{name:<16} {t.old:5d} {t.new:5d} {t.finished:6d}")
        total = [total[0] + t.old, total[1] + t.new, total[2] + t.finished]
    print(f"{'all':<16} {total[0]:5d} {total[1]:5d} {total[2]:6d}   "
          f"{sum(total)} kills, 0 broken folders, 0 left behind, {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
