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


# -- a version whose base is not in the repository ------------------------------------------


def _set_base(folder: Path, base: str, base_commit: str) -> None:
    from dataclasses import replace

    from patchtool.seriesdir import read_series, write_series

    write_series(replace(read_series(folder), base=base, base_commit=base_commit), folder)


def test_range_diff_without_the_old_base_uses_preimage_blobs(repo: Repo, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """v1 says it was posted on a tree this repository does not have: its patches are applied on a tree
    of their pre-image blobs, and the comparison still equals git range-diff of the real branches."""
    folder = _rerolled(repo, tmp_path)
    _set_base(folder / "history" / "v1", "other-tree/main", "1234567890abcdef1234567890abcdef12345678")
    capsys.readouterr()
    assert main(["range-diff", str(folder), "--repo", str(repo.path)]) == 0
    out = capsys.readouterr()
    theirs = repo.git("range-diff", "--no-color", "base..v1", "base..v2")
    assert SHA.sub("<id>", out.out) == SHA.sub("<id>", theirs)
    assert out.err == ("patchtool: v1: base other-tree/main is not in the repository: applied on a tree of "
                       "its patches' pre-image blobs\n")


def _markers(text: str) -> list[tuple[str, str]]:
    """(marker, subject) per pair line of range-diff output."""
    pair = re.compile(r"^\s*[-\d]+:\s+\S+ ([=!<>]) \s*[-\d]+:\s+\S+ (.*)$")
    return [(m.group(1), m.group(2)) for line in text.splitlines() if (m := pair.match(line))]


def test_range_diff_without_base_or_blobs_compares_patch_by_patch(repo: Repo, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """v1 was made on another tree whose files this repository never had: the per-patch comparison pairs
    the patches as git range-diff pairs them where both versions are commits (the other tree)."""
    other = Repo(tmp_path / "other")
    other.path.mkdir()
    other.git("init", "-q", "-b", "master")
    _two_versions(other)  # v1 and v2 on the other tree: git range-diff's pairing is the oracle
    theirs = other.git("range-diff", "--no-color", "base..v1", "base..v2")
    folder = tmp_path / "s"
    assert main(["import", "base..v1", "-o", str(folder), "--repo", str(other.path)]) == 0
    assert main(["reroll", str(folder)]) == 0
    # This repository has v2's base only, with other contents: v1's blobs exist nowhere here.
    repo.write("lib/a.c", "unrelated\n")
    repo.write("lib/b.c", "unrelated\n")
    repo.commit("another tree")
    v2 = tmp_path / "v2"
    assert main(["import", "base..v2", "-o", str(v2), "--repo", str(other.path)]) == 0
    (folder / "patches").rename(tmp_path / "old-patches")
    (v2 / "patches").rename(folder / "patches")
    _set_base(folder / "history" / "v1", "other-tree/main", "1234567890abcdef1234567890abcdef12345678")
    _set_base(folder, "other-tree/next", "fedcba0987654321fedcba0987654321fedcba09")
    capsys.readouterr()
    assert main(["range-diff", str(folder), "--repo", str(repo.path)]) == 0
    out = capsys.readouterr()
    assert _markers(out.out) == _markers(theirs)
    assert "compared one by one" in out.err and out.err.count("\n") >= 1
    assert "+    -b7 v1" in out.out or "b7 v2, as reviewed" in out.out
