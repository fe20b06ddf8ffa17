"""Benchmark: ``patchtool base --guess`` on a long history, against the brute-force search.

Generates (once, cached under ``benchmarks/out/``) with one ``git fast-import`` a history of
``--commits`` commits (default 20,000, one every 5 minutes: 69 days) over ``--files`` files
(2,000), each commit changing 1-3 files, a third of the changes going to 40 "hot" files; a tag
every 500 commits, a topic branch forked every 2,000 commits and merged back 100 commits later.
A series of 18 files (15 hot, 3 cold) is cut on a commit two days before the series' date
(four fifths into the history) with
``git format-patch``.  Then times, median of ``--repeat``:

* patchtool: the library call (``lifecycle.base.guess_base``) and the whole
  ``patchtool base SERIES --guess`` process;
* the brute force over the same 21-day window: every commit's ``git ls-tree -r``, compared
  path by path, newest first; it stops at the first commit holding every blob (that is its
  answer, checked equal to patchtool's) or after ``--sample`` commits, and its cost per commit
  is extrapolated to the whole window (what it pays to find a best match, or to learn there is none).

Run: ``.venv/bin/python benchmarks/bench_base.py [--commits 20000] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, PATCHTOOL, git, run

from patchtool.gitrepo import GitRepo
from patchtool.lifecycle.base import guess_base
from patchtool.sources import load_source

T0 = 1_600_000_000
STEP = 300


def _data(text: str) -> str:
    return f"data {len(text.encode())}\n{text}\n"


def _path(i: int) -> str:
    return f"d{i % 50:02d}/sub{i % 7}/file{i:05d}.c"


def generate(dest: Path, commits: int, files: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    paths = [_path(i) for i in range(files)]
    hot = paths[:40]
    root = f"commit refs/heads/master\nmark :1\ncommitter A <a@example.org> {T0} +0000\n{_data('root')}"
    out = [root + "".join(f"M 100644 inline {p}\n{_data(f'{p} 0' + chr(10))}" for p in paths) + "\n"]
    topic_from: dict[int, int] = {}
    for n in range(2, commits + 1):
        date = T0 + n * STEP
        branch = "master"
        if n % 2000 == 0:  # a topic branch forks off master's tip
            topic_from[n] = n - 1
            out.append(f"reset refs/heads/topic{n}\nfrom :{n - 1}\n")
        live = [t for t in topic_from if t <= n < t + 100]
        if live and rng.random() < 0.3:
            branch = f"topic{live[0]}"
        block = f"commit refs/heads/{branch}\nmark :{n}\ncommitter A <a@example.org> {date} +0000\n"
        block += _data(f"commit {n}")
        if branch == "master" and any(n == t + 100 for t in topic_from):
            t = next(t for t in topic_from if n == t + 100)
            block += f"merge refs/heads/topic{t}\n"
        for _ in range(rng.randint(1, 3)):
            p = rng.choice(hot) if rng.random() < 0.33 else rng.choice(paths)
            block += f"M 100644 inline {p}\n{_data(f'{p} {n}' + chr(10))}"
        out.append(block + "\n")
        if n % 500 == 0:
            out.append(f"reset refs/tags/v{n // 500}\nfrom :{n}\n")
    git(dest, "fast-import", "--quiet", input="".join(out).encode())


def cut_series(dest: Path, series_dir: Path, date: int, files: int) -> str:
    """18 files (15 hot, 3 cold) changed on the last master commit two days before ``date``; the base."""
    base = git(dest, "rev-list", "-n1", f"--min-age={date - 2 * 86400}", "master").strip()
    chosen = [_path(i) for i in [*range(15), files - 1, files - 2, files - 3]]
    stream = f"commit refs/heads/series\ncommitter S <s@example.org> {date} +0000\n{_data('sub: change')}from {base}\n"
    stream += "".join(f"M 100644 inline {p}\n{_data('patched' + chr(10))}" for p in chosen)
    git(dest, "fast-import", "--quiet", input=stream.encode())
    shutil.rmtree(series_dir, ignore_errors=True)
    git(dest, "format-patch", "-q", "-o", str(series_dir), f"{base}..refs/heads/series")
    git(dest, "update-ref", "-d", "refs/heads/series")
    return base


def brute_force_walk(dest: Path, want: dict[str, str], since: int, until: int,
                     sample: int) -> tuple[str | None, float, int]:
    """Newest-first over the window until a commit has every blob: (answer, seconds per commit, window size)."""
    log = git(dest, "log", "--date-order", "--format=%H", f"--max-age={since}", f"--min-age={until}",
              "--branches", "--tags").split()
    t0 = time.perf_counter()
    walked = 0
    answer = None
    for commit in log:
        walked += 1
        tree = {line.split("\t", 1)[1]: line.split()[2] for line in git(dest, "ls-tree", "-r", commit).splitlines()}
        if all(tree.get(p) == oid for p, oid in want.items()):
            answer = commit
            break
        if walked >= sample:
            break
    return answer, (time.perf_counter() - t0) / walked, len(log)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=20000)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sample", type=int, default=1500)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    dest = OUT / f"history-{args.commits}"
    if not (dest / ".git").is_dir():
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        git(dest, "init", "-q", "-b", "master")
        t0 = time.perf_counter()
        generate(dest, args.commits, args.files)
        print(f"generated {args.commits} commits in {time.perf_counter() - t0:.1f} s", flush=True)
    date = T0 + args.commits * STEP * 4 // 5  # four fifths in: later commits lie after the window
    series_dir = OUT / f"history-{args.commits}-series"
    base = cut_series(dest, series_dir, date, args.files)
    folder = OUT / f"history-{args.commits}-imported"
    run(PATCHTOOL, "import", series_dir, "-o", folder, "--force", "--repo", dest)
    series = load_source(str(series_dir), name="s", repo_path=dest)
    repo = GitRepo.open(dest)

    lib = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        got = guess_base(repo, series)
        lib.append(time.perf_counter() - t0)
    proc = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        run(PATCHTOOL, "base", folder, "--guess", "--repo", dest)
        proc.append(time.perf_counter() - t0)
    until = date + 86400
    want = {line.split("\t", 1)[1]: line.split()[2] for line in git(dest, "ls-tree", "-r", base).splitlines()
            if line.split("\t", 1)[1] in {i for i in series_paths(series)}}
    answer, per_commit, size = brute_force_walk(dest, want, until - 21 * 86400, until, args.sample)
    print(f"window: {size} commits; patchtool read {got.candidates} trees; answer {got.describe()}")
    if answer is not None:
        print(f"brute force found {answer[:12]} (patchtool: {got.commit[:12]}): "
              f"{'equal' if answer == got.commit else 'DIFFERENT'}")
    lib_ms, proc_ms = statistics.median(lib) * 1000, statistics.median(proc) * 1000
    whole = per_commit * size
    print(f"patchtool library {lib_ms:.0f} ms, process {proc_ms:.0f} ms; brute force {per_commit * 1000:.1f} ms a "
          f"commit, {whole:.1f} s for the window ({whole * 1000 / lib_ms:.0f}x)")


def series_paths(series: object) -> list[str]:
    from patchtool.lifecycle.base import pre_images

    return [i.path for i in pre_images(series)]  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
