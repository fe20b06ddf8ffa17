"""Benchmark: MAINTAINERS parsing and matching, and ``patchtool diffstat --by subsystem``.

On the generated 75,000-file kernel-shaped repository (``kernelrepo``,
cached under ``benchmarks/out/``) and its ~3,000-section MAINTAINERS, times
(median of ``--repeat``):

* parsing MAINTAINERS (the index included), and reading the base tree's
  directories that get_maintainer.pl's ``-d`` rule needs;
* mapping every path of the tree to its most specific section, against the
  naive way (every pattern tested against every path, on a sample,
  extrapolated and labelled so);
* the whole ``patchtool diffstat --by subsystem`` process for a 20-file
  series, against the naive way to get the same answer: ``git worktree add``
  at the base, ``git am``, ``git diff --numstat``, then every pattern
  against each changed file.

Targets (issue 4): parse < 0.2 s, all paths < 2 s, the 20-file series
< 0.5 s whole process.

Run: ``.venv/bin/python benchmarks/bench_diffstat.py [--repeat 5] [--files 75000]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BASE, OUT, PATCHTOOL, build, kernelrepo, median, run

from patchtool.gitrepo import GitRepo
from patchtool.maintainers import parse_maintainers
from patchtool.owners import maintainers_at
from patchtool.seriesdir import read_series


class NaiveMaintainers:
    """get_maintainer.pl's loop, literally: every section's every F:/X: pattern against each path.

    Patterns are compiled once (as Perl caches them); only the index is missing.
    """

    def __init__(self, text: str):
        self.sections: list[tuple[str, list[tuple[str, re.Pattern[str], int, bool]]]] = []
        for line in text.splitlines():
            m = re.match(r"^([A-Z]):\s*(.*)$", line)
            if not m:
                if line.strip() and not line.startswith("#"):
                    self.sections.append((line, []))
                continue
            kind, value = m.groups()
            if kind in "FX" and self.sections:
                rx = "^" + value.replace(".", r"\.").replace("*", ".*").replace("?", ".")
                try:
                    compiled = re.compile(rx)
                except re.error:
                    continue
                self.sections[-1][1].append((kind, compiled, value.count("/"), value.endswith("/")))

    def sections_for(self, path: str) -> list[str]:
        slashes = path.count("/")
        found = []
        for name, patterns in self.sections:
            hit = excluded = False
            for kind, rx, count, tree in patterns:
                if rx.match(path) and (tree or count == slashes):
                    if kind == "X":
                        excluded = True
                    else:
                        hit = True
            if hit and not excluded:
                found.append(name)
        return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--files", type=int, default=75_000)
    parser.add_argument("--sample", type=int, default=100, help="paths for the naive extrapolation")
    args = parser.parse_args(argv)

    krepo = build(args.files)
    repo = GitRepo.open(krepo.path)
    base = repo.resolve(BASE)

    # A 20-file series on the base, imported once.  The whole-process runs come first, while
    # this process is small: forking a parent that holds 75,000 parsed paths costs the child time.
    series_dir = OUT / f"diffstat-series-{args.files}"
    if not (series_dir / "series.toml").exists():
        mails = Path(tempfile.mkdtemp(prefix="bench-mails-"))
        kernelrepo.make_series(krepo, BASE, 5, 20, out=mails)
        shutil.rmtree(series_dir, ignore_errors=True)
        run(PATCHTOOL, "import", mails, "-o", series_dir, "--repo", krepo.path)
        shutil.rmtree(mails)
    whole = [PATCHTOOL, "diffstat", series_dir, "--by", "subsystem", "--repo", krepo.path]
    print(run(*whole), end="")
    t_whole = median(lambda: run(*whole), args.repeat)

    text = (repo.read_path(base, "MAINTAINERS") or b"").decode()
    paths = repo.text("ls-tree", "-r", "--name-only", base).splitlines()
    dirs = repo.tree_dirs(base)
    t_dirs = median(lambda: repo.tree_dirs(base), args.repeat)
    t_parse = median(lambda: parse_maintainers(text, is_dir=lambda n: n.rstrip("/") in dirs), args.repeat)
    t_load = median(lambda: maintainers_at(repo, base), args.repeat)
    series_paths = sorted({p for patch in read_series(series_dir).patches for p in patch.paths})
    t_load_series = median(lambda: maintainers_at(repo, base, only_paths=series_paths), args.repeat)

    def map_all() -> None:
        table = parse_maintainers(text, is_dir=lambda n: n.rstrip("/") in dirs)
        for p in paths:
            table.most_specific(p)

    t_map = median(map_all, args.repeat) - t_parse
    sample = paths[:: max(1, len(paths) // args.sample)][: args.sample]
    naive = NaiveMaintainers(text)
    start = time.perf_counter()
    for p in sample:
        naive.sections_for(p)
    t_naive_map = (time.perf_counter() - start) / len(sample) * len(paths)

    patches = [series_dir / "patches" / n for n in (series_dir / "patches" / "series").read_text().split()]

    def naive_whole() -> None:
        tree = Path(tempfile.mkdtemp(prefix="bench-wt-")) / "wt"
        run("git", "-C", krepo.path, "worktree", "add", "-q", "--detach", tree, BASE)
        try:
            run("git", "-C", tree, "am", "-q", *patches)
            numstat = run("git", "-C", tree, "diff", "--numstat", BASE, "HEAD")
            table = NaiveMaintainers(text)
            for line in numstat.splitlines():
                table.sections_for(line.split("\t")[2])
        finally:
            run("git", "-C", krepo.path, "worktree", "remove", "--force", tree)
            shutil.rmtree(tree.parent, ignore_errors=True)

    t_naive_whole = median(naive_whole, max(1, args.repeat // 2))

    def row(label: str, ours: float, target: float | None = None, naive: float | None = None) -> None:
        verdict = "" if target is None else f"  target < {target:.2f} s: {'met' if ours < target else 'MISSED'}"
        versus = "" if naive is None else f"  naive {naive:8.3f} s  ({naive / ours:,.0f}x)"
        print(f"{label:<44} {ours:8.3f} s{versus}{verdict}")

    print()
    print(f"median of {args.repeat}, {len(paths)} paths, load {os.getloadavg()[0]:.1f}")
    row("read the base's directories (ls-tree -d)", t_dirs)
    row("parse MAINTAINERS", t_parse, 0.2)
    row("parse + directories (owners.maintainers_at)", t_load)
    row(f"the same for the series' {len(series_paths)} paths only", t_load_series)
    row(f"map all {len(paths)} paths", t_map, 2.0, t_naive_map)
    print(f"{'':<44} (naive: {len(sample)} paths timed, extrapolated)")
    row("diffstat --by subsystem, 20 files, process", t_whole, 0.5, t_naive_whole)
    print(f"{'':<44} (naive: worktree add + git am + numstat + every pattern per file)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
