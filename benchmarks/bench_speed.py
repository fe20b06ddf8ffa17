"""Benchmark: patchtool's everyday commands on a real kernel tree, against the other ways, as whole processes.

The tree is Debian's ``linux-source-6.1`` (``realtree.repository()``: one
commit of the whole 75k-file tree, packed, nothing checked out); the series
are real-shaped (``realtree.series``: 9 patches over 18 real C files; 20 for
the matrix) and the matrix's bases 26 (``v6.1``, ``v6.1.1`` .. ``v6.1.25``).
Each line prints the median of ``--repeat`` runs of each way, measured in
the same run (check and diffstat: the two ways in turn, so a VM whose speed
drifts slows both alike), and the ratio:

* the floor: ``python -c pass``, ``python -c "import typer"`` and
  ``patchtool check --help``, what every command pays before its work.
* ``check``: ``patchtool check SERIES --base v6.1`` against a temporary index
  (``read-tree``, ``git apply --cached`` per patch, ``write-tree``: what a
  script does without a worktree); target <= 0.10 s and >= 5x.
* ``check matrix``: the 20-patch series on the 26 bases, against the same
  temporary-index way once per base; target <= 5 s, and its output (piped,
  ``COLUMNS=80``) at most 60 lines of at most 80 columns.
* ``lint``: ``patchtool lint SERIES`` cold (``--no-cache``) and warm, against
  ``scripts/checkpatch.pl`` run on the nine patches; targets warm <= 0.3 s,
  cold <= 1.0 s.
* ``diffstat --by subsystem`` warm, against one ``scripts/get_maintainer.pl``
  call over the nine patches; target <= 0.15 s.

Run: ``.venv/bin/python benchmarks/bench_speed.py [--repeat 5]`` (the first run
builds the repository: minutes, once).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import realtree
from common import OUT, PATCHTOOL, env, median, medians


def _run(argv: list[str], *, cwd: Path | None = None, extra: dict[str, str] | None = None,
         ok: tuple[int, ...] = (0, 1)) -> str:
    proc = subprocess.run(argv, capture_output=True, cwd=cwd, env={**env(), **(extra or {})})
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(argv[:4])}: exit {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode(errors="replace")


def folder_of(git_dir: Path, branch: str, base: str = "v6.1") -> Path:
    folder = OUT / f"real-{branch}"
    if not (folder / "series.toml").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        _run([str(PATCHTOOL), "import", f"{base}..{branch}", "-o", str(folder), "--repo", str(git_dir)])
    return folder


def mails_of(folder: Path) -> list[str]:
    order = [ln.strip() for ln in (folder / "patches" / "series").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    return [str(folder / "patches" / n) for n in order]


def temp_index(git_dir: Path, base: str, mails: list[str]) -> str | None:
    """The way without patchtool and without a worktree: a temporary index, git apply --cached."""
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        extra = {"GIT_DIR": str(git_dir), "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _run(["git", "read-tree", base], extra=extra)
        for mail in mails:
            if subprocess.run(["git", "apply", "--cached", mail], capture_output=True,
                              env={**env(), **extra}).returncode:
                return None
        return _run(["git", "write-tree"], extra=extra).strip()


def line(what: str, ours: float, theirs: float, other: str, target: str, met: bool) -> None:
    print(f"{what:<34} {ours:7.3f} s   {other:<34} {theirs:7.3f} s   {theirs / ours:5.1f}x   "
          f"{target}: {'met' if met else 'NOT met'}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    git_dir, branch, _ = realtree.series(9)
    _, branch20, touched20 = realtree.series(20)
    bases = realtree.stable_bases(25, touched20)
    tree = realtree.kernel_tree()
    nine, twenty = folder_of(git_dir, branch), folder_of(git_dir, branch20)
    mails = mails_of(nine)
    pt = str(PATCHTOOL)
    cache = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    extra = {"XDG_CACHE_HOME": str(cache)}
    for command in ("check", "lint", "diffstat"):  # bytecode written once (common.env), as an install has it
        _run([pt, command, "--help"])
    files = _run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "--name-only", "v6.1"]).count("\n")
    print(f"repository {git_dir}: {files} files; {os.cpu_count()} cores; median of {args.repeat}")
    # What every command pays before it does anything, on this machine, in this run: the interpreter, and
    # the CLI library the commands are written in (typer, its click).
    floors = medians([lambda: _run([sys.executable, "-c", "pass"]),
                      lambda: _run([sys.executable, "-c", "import typer"]),
                      lambda: _run([pt, "check", "--help"])], args.repeat)
    print(f"{'the floor':<34} python {floors[0]:.3f} s, python -c 'import typer' {floors[1]:.3f} s, "
          f"patchtool check --help {floors[2]:.3f} s", flush=True)

    want = _run(["git", "--git-dir", str(git_dir), "rev-parse", f"{branch}^{{tree}}"]).strip()
    assert temp_index(git_dir, "v6.1", mails) == want
    ours, theirs = medians([lambda: _run([pt, "check", str(nine), "--repo", str(git_dir), "--base", "v6.1"]),
                            lambda: temp_index(git_dir, "v6.1", mails)], args.repeat)
    line("check, 9 patches", ours, theirs, "temp index + git apply --cached", "<= 0.10 s and >= 5x",
         ours <= 0.10 and theirs / ours >= 5)

    mails20 = mails_of(twenty)
    ours = median(lambda: _run([pt, "check", str(twenty), "--repo", str(git_dir), "--base", "v6.1*"]),
                  max(1, args.repeat // 2))
    theirs = median(lambda: [temp_index(git_dir, b, mails20) for b in bases], 1)
    line(f"check matrix, 20 patches x {len(bases)}", ours, theirs, "temp index per base", "<= 5 s", ours <= 5)
    screen = _run([pt, "check", str(twenty), "--repo", str(git_dir), "--base", "v6.1*"], extra={"COLUMNS": "80"})
    rows = screen.splitlines()
    widest = max(map(len, rows), default=0)
    print(f"{'  its output at COLUMNS=80':<34} {len(rows)} lines, the widest {widest} columns   "
          f"<= 60 lines, <= 80 columns: {'met' if len(rows) <= 60 and widest <= 80 else 'NOT met'}", flush=True)

    checkpatch = tree / "scripts" / "checkpatch.pl"
    lint = [pt, "lint", str(nine), "--repo", str(git_dir)]
    cold = median(lambda: _run([*lint, "--no-cache"], extra=extra, ok=(0, 1, 2)), args.repeat)
    _run(lint, extra=extra, ok=(0, 1, 2))
    warm = median(lambda: _run(lint, extra=extra, ok=(0, 1, 2)), args.repeat)
    theirs = median(lambda: _run(["perl", str(checkpatch), "--no-tree", "-q", *mails], ok=(0, 1)), args.repeat)
    line("lint, cold (--no-cache)", cold, theirs, "checkpatch.pl on the 9 patches", "<= 1.0 s", cold <= 1.0)
    line("lint, warm", warm, theirs, "checkpatch.pl on the 9 patches", "<= 0.3 s", warm <= 0.3)

    diffstat = [pt, "diffstat", str(nine), "--repo", str(git_dir), "--by", "subsystem"]
    _run(diffstat, extra=extra)
    warm, theirs = medians([lambda: _run(diffstat, extra=extra),
                            lambda: _run(["perl", str(tree / "scripts" / "get_maintainer.pl"), "--no-git",
                                          "--no-git-fallback", *mails], cwd=tree)], args.repeat)
    line("diffstat --by subsystem, warm", warm, theirs, "get_maintainer.pl on the 9 patches", "<= 0.15 s",
         warm <= 0.15)
    shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
