"""``patchtool range-diff``: equal to ``git range-diff`` of the same two versions as real commits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from patchtool.cli import main

from .conftest import Repo

SHA = re.compile(r"\b[0-9a-f]{7,40}\b")


def _two_versions(repo: Repo) -> str:
    repo.write("lib/a.c", "".join(f"a{i}\n" for i in range(30)))
    repo.write("lib/b.c", "".join(f"b{i}\n" for i in range(30)))
    base = repo.commit("base")
    repo.git("tag", "base")
    repo.git("checkout", "-q", "-b", "v1")
    repo.write("lib/a.c", (repo.path / "lib/a.c").read_text().replace("a3\n", "a3 fixed\n"))
    repo.commit("lib: fix a3\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    repo.write("lib/b.c", (repo.path / "lib/b.c").read_text().replace("b7\n", "b7 v1\n"))
    repo.commit("lib: change b7\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    repo.write("lib/c.c", "new in v1\n")
    repo.commit("lib: add c.c (dropped in v2)")
    repo.git("checkout", "-q", "-b", "v2", base)
    repo.write("lib/a.c", (repo.path / "lib/a.c").read_text().replace("a3\n", "a3 fixed\n"))
    repo.commit("lib: fix a3\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    repo.write("lib/b.c", (repo.path / "lib/b.c").read_text().replace("b7\n", "b7 v2, as reviewed\n"))
    repo.commit("lib: change b7\n\nReviewed-by: Grace Hopper <grace@example.org>\n"
                "Signed-off-by: Ada Lovelace <ada@example.org>")
    repo.write("lib/d.c", "new in v2\n")
    repo.commit("lib: add d.c")
    return base


def _rerolled(repo: Repo, tmp_path: Path) -> Path:
    """A series folder holding v1 in history/ and v2 as its patches (a maintainer's rework after review)."""
    _two_versions(repo)
    folder = tmp_path / "s"
    assert main(["import", "base..v1", "-o", str(folder), "--repo", str(repo.path)]) == 0
    assert main(["reroll", str(folder)]) == 0
    assert main(["import", "base..v2", "-o", str(tmp_path / "v2"), "--repo", str(repo.path)]) == 0
    (folder / "patches").rename(tmp_path / "old-patches")
    (tmp_path / "v2" / "patches").rename(folder / "patches")
    return folder


def test_range_diff_equals_git(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _rerolled(repo, tmp_path)
    capsys.readouterr()
    assert main(["range-diff", str(folder), "--repo", str(repo.path)]) == 0
    ours = capsys.readouterr().out
    theirs = repo.git("range-diff", "--no-color", "base..v1", "base..v2")
    assert SHA.sub("<id>", ours) == SHA.sub("<id>", theirs)
    assert "<" in ours and ">" in ours and "=" in ours  # dropped, added and unchanged commits


def test_range_diff_needs_an_earlier_version(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _two_versions(repo)
    folder = tmp_path / "s"
    assert main(["import", "base..v1", "-o", str(folder), "--repo", str(repo.path)]) == 0
    capsys.readouterr()
    assert main(["range-diff", str(folder), "--repo", str(repo.path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no earlier version in history/" in err
    assert main(["range-diff", str(folder), "--from", "7", "--repo", str(repo.path)]) == 2
    assert "no version 7 in history/" in capsys.readouterr().err


def test_cover_range_diff_section_equals_format_patch(repo: Repo, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = _rerolled(repo, tmp_path)
    capsys.readouterr()
    assert main(["cover", str(folder), "--template", "git", "--range-diff", "--repo", str(repo.path)]) == 0
    ours = capsys.readouterr().out
    repo.git("format-patch", "-q", "--cover-letter", "-v2", "--base=base", "--range-diff=base..v1",
             "-o", str(tmp_path / "fp"), "base..v2")
    theirs = (tmp_path / "fp" / "v2-0000-cover-letter.patch").read_text()

    def section(text: str) -> str:
        return SHA.sub("<id>", text[text.index("Range-diff against v1:"):text.index("\n-- \n")])

    assert section(ours) == section(theirs)
