"""Benchmark: ``patchtool check`` against the ways people check a series today.

Builds (once, cached under ``benchmarks/out/``) a 75,000-file and a
1,000-file kernel-shaped repository with ``kernelrepo.generate`` and two
series on ``v5.14-rc5`` with ``kernelrepo.make_series``: (a) 9 patches
touching 18 files, (b) 200 patches.  Then times, median of ``--repeat``:

* patchtool, the library call (``apply_series`` in a scratch store) and the
  whole ``patchtool check --json`` process;
* (1) the naive way: ``git worktree add`` at the base, ``git am``, removal;
* (2) a temporary index and ``git apply --cached`` per patch (the first
  applier, ``apply.apply_series_git``);
* (3) b4's way: a ``--no-checkout`` worktree, ``sparse-checkout init``,
  ``checkout -f``, ``git am``, removal.

Each way's result tree is checked against patchtool's.  Prints the medians,
the ratios and whether the targets hold: for (a) on 75,000 files at least
30x faster than (1) and 2x faster than (2) and (3), and at most 1.5x slower
than on 1,000 files; for (b) at least 3x faster than (2).

Run: ``.venv/bin/python benchmarks/bench_check.py [--repeat 5] [--files 75000]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kernelrepo
from common import BASE, OUT, PATCHTOOL, build, git
from common import env as _env

from patchtool.apply import apply_series, apply_series_git
from patchtool.gitrepo import GitRepo
from patchtool.model import Patch
from patchtool.seriesdir import read_series, write_series
from patchtool.sources import load_source


def series(repo: kernelrepo.KernelRepo, name: str, n_patches: int, n_files: int) -> Path:
    """A series folder made from ``make_series`` mails (cached next to the repository)."""
    folder = OUT / f"series-{repo.n_files}-{name}"
    if not (folder / "series.toml").is_file():
        mails = OUT / f"mails-{repo.n_files}-{name}"
        shutil.rmtree(mails, ignore_errors=True)
        kernelrepo.make_series(repo, BASE, n_patches, n_files, out=mails)
        loaded = load_source(str(mails), name=name, repo_path=repo.path)
        write_series(loaded, folder)
    return folder


def mails_of(folder: Path) -> list[Path]:
    order = [ln.strip() for ln in (folder / "patches" / "series").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    return [folder / "patches" / n for n in order]


def timed(fn: Callable[[], str | None], repeat: int) -> tuple[float, str | None]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


# -- the ways --------------------------------------------------------------------------------


def ours_library(repo: GitRepo, patches: tuple[Patch, ...]) -> Callable[[], str | None]:
    def run() -> str | None:
        with repo.scratch() as store:
            return apply_series(store, BASE, patches).result_tree
    return run


def ours_process(path: Path, folder: Path) -> Callable[[], str | None]:
    def run() -> str | None:
        import json

        proc = subprocess.run([str(PATCHTOOL), "check", str(folder), "--repo", str(path), "--base", BASE, "--json"],
                              capture_output=True, env=_env())
        if proc.returncode not in (0, 1):
            raise RuntimeError(proc.stderr.decode())
        return json.loads(proc.stdout)["bases"][0]["result_tree"]
    return run


def standin(repo: GitRepo, patches: tuple[Patch, ...]) -> Callable[[], str | None]:
    def run() -> str | None:
        with repo.scratch() as store:
            return apply_series_git(store, BASE, patches).result_tree
    return run


def _am(wt: Path, mails: list[Path]) -> str | None:
    proc = subprocess.run(["git", "-c", "commit.gpgsign=false", "am", "-q", "-3", *map(str, mails)],
                          cwd=wt, capture_output=True, env=_env())
    if proc.returncode:
        subprocess.run(["git", "am", "--abort"], cwd=wt, capture_output=True, env=_env())
        return None
    return git(wt, "rev-parse", "HEAD^{tree}").strip()


def naive(path: Path, mails: list[Path]) -> Callable[[], str | None]:
    def run() -> str | None:
        wt = Path(tempfile.mkdtemp(prefix="bench-wt-")) / "wt"
        try:
            git(path, "worktree", "add", "-q", "--detach", str(wt), BASE)
            return _am(wt, mails)
        finally:
            git(path, "worktree", "remove", "--force", str(wt))
            shutil.rmtree(wt.parent, ignore_errors=True)
    return run


def b4_way(path: Path, mails: list[Path]) -> Callable[[], str | None]:
    def run() -> str | None:
        wt = Path(tempfile.mkdtemp(prefix="bench-b4-")) / "wt"
        try:
            git(path, "worktree", "add", "-q", "--detach", "--no-checkout", str(wt), BASE)
            git(wt, "sparse-checkout", "init")
            git(wt, "checkout", "-q", "-f")
            return _am(wt, mails)
        finally:
            git(path, "worktree", "remove", "--force", str(wt))
            shutil.rmtree(wt.parent, ignore_errors=True)
    return run


def measure(repo: kernelrepo.KernelRepo, folder: Path, repeat: int, slow_repeat: int,
            ways: tuple[str, ...]) -> dict[str, float]:
    g = GitRepo.open(repo.path)
    patches = read_series(folder).patches
    mails = mails_of(folder)
    want = ours_library(g, patches)()
    runs = {
        "patchtool (library)": (ours_library(g, patches), repeat),
        "patchtool check (process)": (ours_process(repo.path, folder), repeat),
        "(1) worktree + git am": (naive(repo.path, mails), slow_repeat),
        "(2) index + git apply --cached": (standin(g, patches), slow_repeat),
        "(3) b4: sparse worktree + git am": (b4_way(repo.path, mails), slow_repeat),
    }
    out: dict[str, float] = {}
    for label, (fn, n) in runs.items():
        if not label.startswith(ways):
            continue
        seconds, tree = timed(fn, n)
        same = "same tree" if tree == want else f"TREE DIFFERS ({tree} != {want})"
        print(f"  {label:36} {seconds * 1000:10.1f} ms   ({n} runs, {same})", flush=True)
        out[label] = seconds
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--files", type=int, default=75_000)
    ap.add_argument("--small", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--slow-repeat", type=int, default=3, help="runs of the slow ways (1)-(3)")
    ap.add_argument("--skip-worktrees", action="store_true",
                    help="leave out (1) and (3), the ways that take minutes on a busy machine")
    args = ap.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    big, small = build(args.files), build(args.small)
    a_big, a_small = series(big, "a", 9, 18), series(small, "a", 9, 18)
    b_big = series(big, "b", 200, 300)
    all_ways = ("patchtool", "(2)") if args.skip_worktrees else ("patchtool", "(1)", "(2)", "(3)")
    print(f"\n(a) 9 patches, 18 files, on {BASE}, {args.files} files:")
    ra = measure(big, a_big, args.repeat, args.slow_repeat, all_ways)
    print(f"(a) the same series on {args.small} files:")
    rs = measure(small, a_small, args.repeat, args.slow_repeat, ("patchtool",))
    print(f"(b) 200 patches on {BASE}, {args.files} files:")
    rb = measure(big, b_big, args.repeat, args.slow_repeat, all_ways)

    lib, proc = "patchtool (library)", "patchtool check (process)"
    one, two, three = "(1) worktree + git am", "(2) index + git apply --cached", "(3) b4: sparse worktree + git am"
    checks: list[tuple[str, float, str, bool]] = []
    for ours in (lib, proc):
        kind = "library" if ours == lib else "process"
        checks += [(f"(a) {kind}: {way[:3]} / patchtool", ra[way] / ra[ours], target, False)
                   for way, target in ((one, ">= 30"), (two, ">= 2"), (three, ">= 2")) if way in ra]
        checks += [
            (f"(a) {kind}: {args.files} / {args.small} files", ra[ours] / rs[ours], "<= 1.5", True),
            (f"(b) {kind}: (2) / patchtool", rb[two] / rb[ours], ">= 3", False),
        ]
    print("\nratios:")
    ok_all = True
    for label, value, target, at_most in checks:
        bound = float(target.split()[1])
        ok = value <= bound if at_most else value >= bound
        ok_all &= ok
        print(f"  {label:42} {value:8.2f}x  (target {target}: {'met' if ok else 'NOT MET'})")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
