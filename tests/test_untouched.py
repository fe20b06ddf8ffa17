"""The untouched-repository guard (``tests/untouched.py``) catches what it must, and is in place."""

from __future__ import annotations

from pathlib import Path

import pytest

import patchtool.cli
from tests.conftest import Repo
from tests.untouched import guarded, snapshot


def _dirty(repo: Repo) -> None:
    repo.write("a.c", "one\n")
    repo.commit("base")
    repo.write("a.c", "stashed\n")
    repo.git("stash")
    repo.write("a.c", "staged\n")
    repo.git("add", "a.c")
    repo.write("a.c", "worktree\n")
    repo.write("untracked.txt", "mine\n")


@pytest.mark.parametrize("change", ["ref", "index", "worktree", "object", "config", "stash"])
def test_the_guard_sees_every_kind_of_change(repo: Repo, change: str) -> None:
    _dirty(repo)

    def bad_main(argv: list[str] | None = None) -> int:
        if change == "ref":
            repo.git("branch", "extra")
        elif change == "index":
            repo.git("add", "untracked.txt")
        elif change == "worktree":
            repo.write("a.c", "changed\n")
        elif change == "object":
            repo.git("hash-object", "-w", "--stdin", input=b"new object\n")
        elif change == "config":
            repo.git("config", "x.y", "z")
        else:
            repo.git("stash", "drop")
        return 0

    with pytest.raises(AssertionError, match="changed the repository"):
        guarded(bad_main)(["show", "x", "--repo", str(repo.path)])


def test_a_read_only_command_passes_the_guard(repo: Repo, tmp_path: Path) -> None:
    _dirty(repo)
    before = snapshot(repo.path)
    assert patchtool.cli.main(["show", str(tmp_path / "none"), "--repo", str(repo.path)]) == 2
    assert snapshot(repo.path) == before


def test_the_guard_is_installed_for_the_suite() -> None:
    from patchtool.cli import main

    assert hasattr(main, "unguarded")
