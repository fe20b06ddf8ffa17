"""Benchmark: what lint's subject-prefix rule costs on a real long history, cold and warm.

The rule reads, for each patch, the subjects of the last commits that
touched its files at the base (``lint.subjects.histories``: one streamed
``git log`` for the whole series).  Measured on a real history given as
REPO (U-Boot's, 107,000 commits: ``fetch github:u-boot/u-boot``): the series
is the files of the last ``--patches`` non-merge commits below ``--base``
(what a series of that many patches touches), the base ``--base``.  Three
ways, medians of ``--repeat``:

* ``histories`` cold (the cache off): what the rule adds to a lint; target
  <= 0.3 s;
* ``histories`` warm (the cache on, second run): what it adds when the
  base and the files have not changed since the last lint;
* one ``git log -n50 --since=... -- files`` per patch
  (``GitRepo.log_subjects``), the way lint read it before: the answers must
  be equal;
* with ``--unbounded``, once, the walk without the window of
  ``WINDOW_DAYS`` (the whole history).

Run: ``.venv/bin/python benchmarks/bench_prefix_history.py REPO [--base TAG] [--patches 9] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import median

from patchtool import cache
from patchtool.gitrepo import GitRepo
from patchtool.lint.subjects import HISTORY, WINDOW_DAYS, histories, window_start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("repo", type=Path)
    ap.add_argument("--base", default="HEAD")
    ap.add_argument("--patches", type=int, default=9)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--unbounded", action="store_true", help="also time the walk without the window, once")
    args = ap.parse_args()
    repo = GitRepo.open(args.repo)
    base = repo.resolve(args.base)
    commits = repo.text("rev-list", "--no-merges", f"-n{args.patches}", base).split()
    groups = [repo.text("diff-tree", "--no-commit-id", "--name-only", "-r", "--root", c).split() for c in commits]
    count = int(repo.text("rev-list", "--count", base))
    print(f"{args.repo}: {count} commits below {args.base}; {len(groups)} patches over "
          f"{sum(map(len, groups))} files; median of {args.repeat}")

    tmp = tempfile.mkdtemp(prefix="bench-prefix-cache-")
    os.environ["XDG_CACHE_HOME"] = tmp
    try:
        with cache.disabled():
            cold = median(lambda: histories(repo, base, groups, HISTORY), args.repeat)
        ours = histories(repo, base, groups, HISTORY)  # fills the cache
        warm = median(lambda: histories(repo, base, groups, HISTORY), args.repeat)
        again = histories(repo, base, groups, HISTORY)
        since = window_start(repo, base, WINDOW_DAYS)
        def per_patch() -> list[list[str]]:
            return [repo.log_subjects(base, g, limit=HISTORY, since=since) for g in groups]

        old, theirs = median(per_patch, args.repeat), per_patch()
        whole = median(lambda: histories(repo, base, groups, HISTORY, window=None), 1) if args.unbounded else None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    same = ours == again == theirs
    print(f"histories, cold (one git log)      {cold:7.3f} s   target <= 0.3 s: {'met' if cold <= 0.3 else 'NOT met'}")
    print(f"histories, warm (the cache)        {warm:7.3f} s")
    print(f"one git log per patch (before)     {old:7.3f} s   {old / cold:5.1f}x the cold way")
    if whole is not None:
        print(f"histories, cold, the whole history {whole:7.3f} s   (no --since window: every commit walked)")
    print(f"answers equal to git log per patch: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
