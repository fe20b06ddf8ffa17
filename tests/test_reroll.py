"""``patchtool reroll``: the posted version kept byte for byte, the next one opened."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.seriesdir import read_series

EXAMPLE = Path(__file__).resolve().parent.parent / "series" / "io_uring-lsm"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "io_uring-lsm"
    shutil.copytree(EXAMPLE, copy)
    return copy


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_reroll_keeps_the_posted_version_and_opens_the_next(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _files(folder)
    assert main(["reroll", str(folder), "--no-rfc"]) == 0
    assert "now [PATCH v3 0/9]" in capsys.readouterr().out
    kept = folder / "history" / "v2"
    assert _files(kept) == before
    new = read_series(folder)
    old = read_series(kept)
    assert (old.version, old.rfc) == (2, True)
    assert (new.version, new.rfc) == (3, False)
    assert new.changes[3] == "" and new.changes[2] == old.changes[2]
    assert new.links[2] == "https://lore.kernel.org/r/162871480969.63873.9434591871437326374.stgit@olly"
    assert new.links[1] == old.links[1]
    assert new.cover.message_id is None and new.cover.date is None
    assert new.cover.prose == old.cover.prose
    assert [p.raw for p in new.patches] == [p.raw for p in old.patches]
    assert new.extra == old.extra  # branch = "working-io_uring" and friends survive


def test_second_reroll_keeps_both_and_rfc_stays_unless_asked(folder: Path) -> None:
    assert main(["reroll", str(folder)]) == 0
    assert main(["reroll", str(folder)]) == 0
    assert sorted(p.name for p in (folder / "history").iterdir()) == ["v2", "v3"]
    assert read_series(folder / "history" / "v3").version == 3
    now = read_series(folder)
    assert (now.version, now.rfc) == (4, True)


def test_existing_history_refuses_and_changes_nothing(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "history" / "v2").mkdir(parents=True)
    before = _files(folder)
    assert main(["reroll", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "history/v2 exists already" in err
    assert _files(folder) == before
    assert sorted(p.name for p in folder.parent.iterdir()) == ["io_uring-lsm"]
