"""Bad input: one clear stderr line naming the file (and line), exit 2, nothing written.

Each case starts from a real ``git format-patch`` mail and breaks it the
way mail clients, editors and hostile senders do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from patchtool.cli import main

from .conftest import Repo


@pytest.fixture
def good_patch(repo: Repo, tmp_path: Path) -> Path:
    repo.write("lib/list.c", "".join(f"line {i}\n" for i in range(1, 21)))
    repo.commit("base")
    repo.write("lib/list.c", "".join(f"line {i}\n" for i in range(1, 21)).replace("line 10\n", "line ten\n"))
    repo.commit("lib: spell ten\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    out = tmp_path / "good"
    repo.git("format-patch", "-q", "-o", str(out), "-1")
    (patch,) = out.glob("*.patch")
    return patch


def _drop_hunk_tail(text: str) -> str:
    return text[: text.index(" line 11\n")]


def _lie_about_counts(text: str) -> str:
    return re.sub(r"@@ -7,7 \+7,7 @@", "@@ -7,9 +7,9 @@", text)


def _absolute_path(text: str) -> str:
    return text.replace("a/lib/list.c", "a//etc/passwd").replace("b/lib/list.c", "b//etc/passwd")


def _dotdot_path(text: str) -> str:
    return text.replace("a/lib/list.c", "a/../../etc/passwd").replace("b/lib/list.c", "b/../../etc/passwd")


MUTATIONS: dict[str, tuple[Callable[[str], str], str, bool]] = {
    # name: (mutation, text the error must contain, whether a line number is named)
    "truncated hunk": (_drop_hunk_tail, "truncated hunk @@ -7,7 +7,7 @@", True),
    "counts that lie": (_lie_about_counts, "fewer lines than its header says", True),
    "absolute path": (_absolute_path, "unsafe path in diff header: '/etc/passwd'", True),
    "dotdot path": (_dotdot_path, "unsafe path in diff header: '../../etc/passwd'", True),
}


def _assert_one_line(err: str, *needles: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_broken_patch_mail(case: str, good_patch: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mutate, needle, with_line = MUTATIONS[case]
    bad = tmp_path / "bad.patch"
    bad.write_text(mutate(good_patch.read_text()))
    out = tmp_path / "series" / "s"
    assert main(["import", str(bad), "-o", str(out)]) == 2
    line = _assert_one_line(capsys.readouterr().err, str(bad), needle)
    if with_line:
        assert re.search(rf"{re.escape(str(bad))}:\d+: ", line), line
    assert not out.exists() and not out.parent.exists()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "file is empty"),
        (b"   \n\n", "file is empty"),
        (b"just some notes\nnothing like a mail\n", "not a patch mail"),
        (b"From: a@b\nSubject: [PATCH] x\n\nbody\x00with a NUL\n", "NUL bytes"),
        (b"From: Ada <ada@example.org>\nSubject: [PATCH] hi\n\nno diff here\n", "no 'diff --git' in this mail"),
    ],
)
def test_not_a_patch(content: bytes, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "input.mbox"
    bad.write_bytes(content)
    assert main(["import", str(bad), "-o", str(tmp_path / "s")]) == 2
    _assert_one_line(capsys.readouterr().err, str(bad), needle)
    assert not (tmp_path / "s").exists()


def test_bad_file_in_a_folder_names_that_file(good_patch: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "0001-good.patch").write_bytes(good_patch.read_bytes())
    (folder / "0002-bad.patch").write_text(_drop_hunk_tail(good_patch.read_text()))
    assert main(["import", str(folder), "-o", str(tmp_path / "s")]) == 2
    _assert_one_line(capsys.readouterr().err, str(folder / "0002-bad.patch"), "truncated hunk")


def test_not_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert main(["import", "v1..v2", "-o", str(tmp_path / "s"), "--repo", str(plain)]) == 2
    _assert_one_line(capsys.readouterr().err, f"not a git repository: {plain}")
    assert not (tmp_path / "s").exists()


def test_range_that_does_not_resolve(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("a", "a\n")
    repo.commit("a")
    assert main(["import", "v9.9..HEAD", "-o", str(tmp_path / "s"), "--repo", str(repo.path)]) == 2
    _assert_one_line(capsys.readouterr().err, "unknown revision: v9.9")
    assert not (tmp_path / "s").exists()


def test_existing_series_is_not_overwritten(good_patch: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s"
    assert main(["import", str(good_patch), "-o", str(out)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.patch"
    bad.write_text(_drop_hunk_tail(good_patch.read_text()))
    assert main(["import", str(bad), "-o", str(out), "--force"]) == 2
    _assert_one_line(capsys.readouterr().err, "truncated hunk")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["bad.patch", "good", "repo", "s"])


def test_malformed_series_toml(good_patch: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s"
    assert main(["import", str(good_patch), "-o", str(out)]) == 0
    (out / "series.toml").write_text("title = 'unterminated\n")
    assert main(["show", str(out)]) == 2
    _assert_one_line(capsys.readouterr().err, str(out / "series.toml"), "invalid TOML")
