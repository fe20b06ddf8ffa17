"""Folder writes that survive kills and a second writer: the swap, the lock, the sweep (``fsatomic``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from patchtool import fsatomic
from patchtool.errors import BadInput

ROOT = Path(__file__).resolve().parent.parent


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_swap_in_replaces_the_folder_whole(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "a").write_text("old\n")
    new = fsatomic.temp_folder(folder, "new")
    (new / "a").write_text("new\n")
    (new / "b").write_text("only in new\n")
    fsatomic.swap_in(new, folder)
    assert _tree(folder) == {"a": b"new\n", "b": b"only in new\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]  # nothing left beside it


def test_swap_in_without_the_exchange_falls_back_to_two_renames(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fsatomic, "_exchange", lambda a, b: False)
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "a").write_text("old\n")
    new = fsatomic.temp_folder(folder, "new")
    (new / "a").write_text("new\n")
    fsatomic.swap_in(new, folder)
    assert _tree(folder) == {"a": b"new\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_a_second_writer_is_refused_naming_the_holder(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    with fsatomic.locked(folder, "rebase"):
        with pytest.raises(BadInput, match=rf"another patchtool \(pid {os.getpid()}: rebase"), \
                fsatomic.locked(folder, "reroll"):
            pass
        assert (folder / fsatomic.LOCK_NAME).is_file()
    assert not (folder / fsatomic.LOCK_NAME).exists()


def test_a_lock_held_by_another_live_process(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from patchtool import fsatomic\n"
         "with fsatomic.locked(Path(sys.argv[1]), 'update'):\n print('held', flush=True); time.sleep(30)",
         str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(BadInput, match=rf"pid {holder.pid}: update"), fsatomic.locked(folder, "trailers"):
            pass
    finally:
        holder.kill()
        holder.wait()
    # Killed while holding it: the next writer takes it over.
    with fsatomic.locked(folder, "trailers"):
        assert (folder / fsatomic.LOCK_NAME).read_text().startswith(f"{os.getpid()} ")


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / fsatomic.LOCK_NAME).write_text(f"{_dead_pid()} - import 2026-12-01T00:00:00\n")
    with fsatomic.locked(folder, "base"):
        assert (folder / fsatomic.LOCK_NAME).read_text().startswith(f"{os.getpid()} ")


def test_locking_a_new_folder_leaves_nothing_when_nothing_was_written(tmp_path: Path) -> None:
    folder = tmp_path / "new-series"
    with fsatomic.locked(folder, "import"):
        assert folder.is_dir()
    assert not folder.exists()


def test_sweep_removes_what_dead_writers_left_and_keeps_live_ones(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    dead = _dead_pid()
    (tmp_path / f".s.new-{dead}-abc").mkdir()
    (tmp_path / f".s.old-{dead}-def").mkdir()
    live = tmp_path / f".s.new-{os.getpid()}-ghi"
    live.mkdir()
    (tmp_path / f".other.new-{dead}-x").mkdir()  # another folder's: not ours to judge
    fsatomic.sweep(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".other.new-{dead}-x", f".s.new-{os.getpid()}-ghi", "s"]


def test_sweep_puts_back_an_old_folder_whose_writer_died_between_its_renames(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    old = tmp_path / f".s.old-{_dead_pid()}-abc"
    old.mkdir()
    (old / "series.toml").write_text('title = "x"\n')
    fsatomic.sweep(folder)
    assert _tree(folder) == {"series.toml": b'title = "x"\n'}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_a_command_that_writes_a_held_series_exits_2_naming_the_holder(tmp_path: Path) -> None:
    """Two writers at once through the CLI: the second is refused, and the folder is left as it was."""
    shutil.copytree(ROOT / "series" / "io_uring-lsm", tmp_path / "s")
    folder = tmp_path / "s"
    before = _tree(folder)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from patchtool import fsatomic\n"
         "with fsatomic.locked(Path(sys.argv[1]), 'rebase'):\n print('held', flush=True); time.sleep(30)",
         str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        for argv in (["reroll", str(folder)], ["base", str(folder), "HEAD"], ["lint", str(folder), "--fix"]):
            proc = subprocess.run([str(Path(sys.executable).with_name("patchtool")), *argv],
                                  capture_output=True, text=True, cwd=tmp_path)
            assert proc.returncode == 2, proc.stderr
            assert proc.stderr.count("\n") == 1 and f"another patchtool (pid {holder.pid}: rebase " in proc.stderr
        assert _tree(folder) == {**before, fsatomic.LOCK_NAME: (folder / fsatomic.LOCK_NAME).read_bytes()}
    finally:
        holder.kill()
        holder.wait()
