"""`patchtool export --in-reply-to` and `--range-diff` against `git format-patch` on the same commits.

git writes its own files for the commits the series came from, with
``--in-reply-to`` and ``--range-diff``; every file must be equal byte for
byte except the Message-Ids patchtool generates (masked by first
appearance, as tests/test_export.py does; the id replied to stays as
written), the cover's Date, and the commit ids inside the range-diff
(range-diff names the commits it compared: git's, or patchtool's scratch
commits).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.seriesdir import read_series, write_series
from patchtool.sources import load_source
from tests.conftest import Repo
from tests.test_export import CC, TO, build_history, files_of, normalized
from tests.test_rangediff import _two_versions

PARENT = "<20210811.parent.1@lore.example.org>"
SHA = re.compile(r"\b[0-9a-f]{7,40}\b")


def masked(texts: list[str], parent: str) -> list[str]:
    """``normalized`` with the id replied to kept literally, so the headers naming it are compared as written."""
    keep = "\0PARENT\0"
    return [t.replace(keep, parent) for t in normalized([t.replace(parent, keep) for t in texts])]


def _series_folder(repo: Repo, tmp_path: Path) -> Path:
    series = replace(load_source("v1..master", name="s", repo_path=repo.path), version=2, rfc=True,
                     prefix="PATCH net-next", to=TO, cc=CC, base="v1")
    folder = tmp_path / "series" / "s"
    write_series(series, folder)
    return folder


def _format_patch(repo: Repo, out: Path, *args: str, version: int = 2, rev: str = "v1..master") -> None:
    repo.git("format-patch", "-q", "--cover-letter", f"-v{version}", *args, "-o", str(out), rev)


@pytest.mark.parametrize("thread", ["shallow", "deep"])
@pytest.mark.parametrize("given", [PARENT, PARENT.strip("<>")])
def test_in_reply_to_equals_format_patch(repo: Repo, tmp_path: Path, thread: str, given: str) -> None:
    build_history(repo)
    folder = _series_folder(repo, tmp_path)
    ours = tmp_path / "ours"
    assert main(["export", str(folder), "-o", str(ours), "--repo", str(repo.path), "--thread", thread,
                 "--in-reply-to", given]) == 0
    theirs = tmp_path / "theirs"
    _format_patch(repo, theirs, "--subject-prefix=RFC PATCH net-next", f"--thread={thread}", f"--in-reply-to={given}",
                  "--base=v1", *(f"--to={t}" for t in TO), *(f"--cc={c}" for c in CC))
    our_names, our_texts = files_of(ours)
    git_names, git_texts = files_of(theirs)
    assert our_names == git_names
    assert f"\nIn-Reply-To: {PARENT}\nReferences: {PARENT}\n" in our_texts[0]
    assert all(f"\nReferences: {PARENT}\n\t" in t for t in our_texts[1:])
    assert masked(our_texts, PARENT) == masked(git_texts, PARENT)


def _v1_exported_then_v2(repo: Repo, tmp_path: Path) -> tuple[Path, str]:
    """v1 exported (its ids recorded in [[posted.v1]]), re-rolled to v2 from branch v2; and the v1 cover's id."""
    _two_versions(repo)
    folder = tmp_path / "s"
    assert main(["import", "base..v1", "-o", str(folder), "--base", "base", "--repo", str(repo.path)]) == 0
    assert main(["export", str(folder), "-o", str(tmp_path / "out-v1"), "--repo", str(repo.path)]) == 0
    cover = (tmp_path / "out-v1" / "0000-cover-letter.patch").read_text()
    v1_id = re.search(r"^Message-Id: (<.*>)$", cover, re.M)
    assert v1_id is not None
    assert main(["reroll", str(folder), "--from", "base..v2", "--repo", str(repo.path)]) == 0
    # The drafted change log is patchtool's own text: without it the cover is git's, blurb placeholder and all.
    write_series(replace(read_series(folder), changes={}), folder)  # type: ignore[arg-type]
    return folder, v1_id.group(1)


def _range_diff_masked(text: str) -> str:
    start = text.find("Range-diff against v1:")
    if start < 0:
        return text
    end = text.index("\n-- \n", start)
    return text[:start] + SHA.sub("<sha>", text[start:end]) + text[end:]


@pytest.mark.parametrize("thread", ["shallow", "deep"])
def test_in_reply_to_previous_with_range_diff_equals_format_patch(repo: Repo, tmp_path: Path, thread: str) -> None:
    folder, v1_id = _v1_exported_then_v2(repo, tmp_path)
    before = (folder / "series.toml").read_text()
    assert f"[[posted.v1]]\nnumber = 0\nmessage-id = \"{v1_id}\"" in (folder / "history/v1/series.toml").read_text()
    ours = tmp_path / "ours"
    assert main(["export", str(folder), "-o", str(ours), "--repo", str(repo.path), "--thread", thread,
                 "--in-reply-to", "previous", "--range-diff"]) == 0
    theirs = tmp_path / "theirs"
    _format_patch(repo, theirs, f"--thread={thread}", f"--in-reply-to={v1_id}", "--range-diff=base..v1",
                  "--base=base", rev="base..v2")
    our_names, our_texts = files_of(ours)
    git_names, git_texts = files_of(theirs)
    assert our_names == git_names
    assert "\nRange-diff against v1:\n" in our_texts[0]
    assert f"\nIn-Reply-To: {v1_id}\n" in our_texts[0]
    assert [_range_diff_masked(t) for t in masked(our_texts, v1_id)] == \
        [_range_diff_masked(t) for t in masked(git_texts, v1_id)]
    # v2's own ids were recorded; v1's record is kept as it was.
    after = read_series(folder)
    assert after.posted[1] == read_series(folder / "history" / "v1").posted[1]
    assert after.posted[2].message_id(0) in our_texts[0]
    assert before != (folder / "series.toml").read_text()


def _v1_unposted_then_v2(repo: Repo, tmp_path: Path, **changes: object) -> Path:
    _two_versions(repo)
    folder = tmp_path / "s"
    assert main(["import", "base..v1", "-o", str(folder), "--base", "base", "--repo", str(repo.path)]) == 0
    write_series(replace(read_series(folder), **changes), folder)  # type: ignore[arg-type]
    assert main(["reroll", str(folder), "--from", "base..v2", "--repo", str(repo.path)]) == 0
    return folder


def test_in_reply_to_previous_from_a_lore_link(repo: Repo, tmp_path: Path) -> None:
    """No posting on record: the `[links]` entry reroll or the user wrote for v1 names the cover."""
    folder = _v1_unposted_then_v2(repo, tmp_path, links={1: "https://lore.kernel.org/r/" + PARENT.strip("<>")})
    ours = tmp_path / "ours"
    assert main(["export", str(folder), "-o", str(ours), "--repo", str(repo.path),
                 "--in-reply-to", "previous"]) == 0
    theirs = tmp_path / "theirs"
    _format_patch(repo, theirs, "--thread", f"--in-reply-to={PARENT}", "--base=base", rev="base..v2")
    our_texts, git_texts = masked(files_of(ours)[1], PARENT), masked(files_of(theirs)[1], PARENT)
    # The cover's body says what changed since v1 and links it (patchtool's text); its headers are git's.
    assert our_texts[0].split("\n\n")[0] == git_texts[0].split("\n\n")[0]
    assert f"\nIn-Reply-To: {PARENT}\nReferences: {PARENT}\n" in our_texts[0]
    assert our_texts[1:] == git_texts[1:]


def test_in_reply_to_previous_unknown_is_one_line(repo: Repo, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = _v1_unposted_then_v2(repo, tmp_path)
    before = (folder / "series.toml").read_bytes()
    capsys.readouterr()
    ours = tmp_path / "ours"
    assert main(["export", str(folder), "-o", str(ours), "--repo", str(repo.path),
                 "--in-reply-to", "previous"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "v1" in err and "--in-reply-to MSGID" in err
    assert not ours.exists()
    assert (folder / "series.toml").read_bytes() == before


@pytest.mark.parametrize("bad", ["two words@x", "<>", "<a@b>\nBcc: victim@example.org"])
def test_bad_in_reply_to_is_refused(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    bad: str) -> None:
    build_history(repo)
    folder = _series_folder(repo, tmp_path)
    capsys.readouterr()
    assert main(["export", str(folder), "-o", str(tmp_path / "ours"), "--repo", str(repo.path),
                 "--in-reply-to", bad]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert not (tmp_path / "ours").exists()


def test_previous_without_history_is_one_line(repo: Repo, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    build_history(repo)
    folder = _series_folder(repo, tmp_path)
    capsys.readouterr()
    for args in (["--in-reply-to", "previous"], ["--range-diff"]):
        assert main(["export", str(folder), "-o", str(tmp_path / "ours"), "--repo", str(repo.path), *args]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "no earlier version in history/" in err
