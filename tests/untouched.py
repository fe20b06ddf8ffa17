"""The untouched-repository guard: every in-process ``patchtool`` call of the suite is checked.

``tests/conftest.py`` puts ``guarded_main`` in place of ``patchtool.cli.main``
before any test module imports it, so every ``main([...])`` a test makes
runs between two snapshots of the repository it works on (``--repo``, else
the current directory): refs, HEAD, the index's bytes, the config, the
stash, the set of object files and every work tree file's content.  Any
difference fails the test that made the call, naming the command.  The only
command whose job is to write into the repository, ``export --branch``, is
left out, and so is ``demo`` (it makes a repository of its own).
"""

from __future__ import annotations

import functools
import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path

_WRITES_THE_REPO = ("demo",)


def _git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", "--no-optional-locks", *args], cwd=cwd, capture_output=True)
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else f"<exit {proc.returncode}>"


def _files(root: Path, skip: str | None, mine: tuple[Path, ...] = ()) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if skip and rel.parts and rel.parts[0] == skip:
            continue
        if any((p == m or m in p.parents) and m != root and m not in root.parents for m in mine):
            continue
        if p.is_file() and not p.is_symlink():
            out[str(rel)] = hashlib.sha1(p.read_bytes()).hexdigest()
    return out


def snapshot(repo: Path, mine: tuple[Path, ...] = ()) -> dict[str, object] | None:
    """What a command must not change in the repository at ``repo`` (None: not a repository);
    ``mine``: the folders the command was given (a series folder, ``-o DIR``), which may lie in
    the work tree and are the command's to write."""
    git_dir = _git(repo, "rev-parse", "--absolute-git-dir").strip()
    if git_dir.startswith("<exit") or not git_dir:
        return None
    gd = Path(git_dir)
    top = _git(repo, "rev-parse", "--show-toplevel").strip()
    objects = gd / "objects"
    return {
        "refs": _git(repo, "for-each-ref", "--format=%(refname) %(objectname)"),
        "HEAD": (gd / "HEAD").read_bytes() if (gd / "HEAD").exists() else None,
        "index": (gd / "index").read_bytes() if (gd / "index").exists() else None,
        "config": (gd / "config").read_bytes() if (gd / "config").exists() else None,
        "stash": _git(repo, "stash", "list"),
        "objects": sorted(str(p.relative_to(objects)) for p in objects.rglob("*") if p.is_file()),
        "worktree": _files(Path(top), ".git", mine) if top and not top.startswith("<exit") else None,
    }


_PROJECT = Path(__file__).resolve().parent.parent


def repo_of(argv: list[str]) -> Path | None:
    """The repository a call works on: ``--repo``, else the current directory, unless that is this
    project's own checkout (where the suite runs; other runs may be editing it)."""
    for i, arg in enumerate(argv):
        if arg == "--repo" and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith("--repo="):
            return Path(arg.split("=", 1)[1])
    cwd = Path.cwd().resolve()
    return None if cwd == _PROJECT or _PROJECT in cwd.parents else cwd


def guarded(main: Callable[[list[str] | None], int]) -> Callable[[list[str] | None], int]:
    @functools.wraps(main)
    def guarded_main(argv: list[str] | None = None) -> int:
        if not argv or argv[0] in _WRITES_THE_REPO or (argv[0] == "export" and "--branch" in argv) or (
                "--help" in argv):
            return main(argv)
        repo = repo_of(argv)
        mine = tuple(Path(a).absolute() for a in argv[1:] if not a.startswith("-"))
        before = snapshot(repo, mine) if repo is not None and repo.is_dir() else None
        code = main(argv)
        if before is not None and repo is not None:
            after = snapshot(repo, mine)
            changed = sorted(k for k in before if after is None or before[k] != after[k])
            assert not changed, f"patchtool {' '.join(argv)} changed the repository's {', '.join(changed)}"
        return code
    guarded_main.unguarded = main  # type: ignore[attr-defined]
    return guarded_main
