"""Temporary folders (``patchtool.tempdirs``): removed on the way out whatever ends the block.

The Ctrl-C tests of ``test_interrupt.py`` see this from outside (no
``patchtool-*`` folder left after an interrupt); here the one moment they
hit only now and then is made to happen every time: a Ctrl-C whose
handler runs just as the block has ended, before the cleanup holds
interrupts (a git the same SIGINT killed is what ends such a block).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from patchtool import tempdirs


@pytest.fixture(autouse=True)
def _own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    return tmp_path


def test_the_folder_goes_when_the_block_ends(_own_tmp: Path) -> None:
    with tempdirs.temp_dir("marks") as path:
        (path / "marks").write_text(":1 abc\n")
        assert path.parent == _own_tmp and path.name.startswith(f"patchtool-marks-{os.getpid()}-")
    assert list(_own_tmp.iterdir()) == []


@pytest.mark.parametrize("ended_by", ["normal end", "an error"])
def test_a_ctrl_c_as_the_cleanup_starts_still_removes_the_folder(_own_tmp: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 ended_by: str) -> None:
    real = tempdirs.interrupts_held
    calls = []

    @contextlib.contextmanager
    def held() -> Iterator[None]:
        calls.append(1)
        if len(calls) == 2:  # the cleanup's hold: the interrupt came just before it took
            raise KeyboardInterrupt
        with real():
            yield

    monkeypatch.setattr(tempdirs, "interrupts_held", held)
    fds_before = set(os.listdir("/proc/self/fd"))
    with pytest.raises(KeyboardInterrupt), tempdirs.temp_dir("marks") as path:
        (path / "marks").write_text(":1 abc\n")
        if ended_by == "an error":
            raise RuntimeError("git fast-import died")
    assert not path.exists() and list(_own_tmp.iterdir()) == []
    assert set(os.listdir("/proc/self/fd")) <= fds_before  # its lock is closed too


def test_nested_children_stopped_blocks_start_nothing_until_the_outer_ends(tmp_path: Path) -> None:
    # lint's cleanup after a Ctrl-C stops the children while checkpatch's thread, unwinding, opens a block
    # of its own: the inner block ending let that thread start a perl again (a 30 s one held the exit).
    import subprocess

    from patchtool.gitrepo import GitRepo, children_stopped

    subprocess.run(["git", "init", "-q", str(tmp_path / "r")], check=True)
    repo = GitRepo.open(tmp_path / "r")
    with children_stopped():
        with children_stopped():
            pass
        with pytest.raises(KeyboardInterrupt, match="no new process"):
            repo.run("rev-parse", "--git-dir")
    assert repo.run("rev-parse", "--git-dir").strip()
