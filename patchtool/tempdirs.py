"""patchtool's temporary folders: named for their owner, locked while it lives, swept once it is gone.

Every folder patchtool makes under the temp directory is
``patchtool-<kind>-<pid>-<random>``, and its owner holds a shared ``flock``
on it for as long as it uses it.  A run that is killed outright (SIGKILL,
the OOM killer) runs no cleanup; the next run's first ``temp_dir`` sweeps
such leftovers with one listdir of the temp directory and a lock probe per
``patchtool-`` folder: a folder is dead when nobody holds its lock and its
process is gone (a zombie counts as gone), or its process id now names
someone else (the lock is free and the folder is older than the instant
between ``mkdtemp`` and ``flock``).  Folders of other users, and names of
other shapes (those of older patchtool versions), are left alone.

Making and removing a folder is done with Ctrl-C held (``interrupts_held``):
a Ctrl-C that lands in the middle of removing a large scratch store would
otherwise leave it half removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

KINDS = ("objects", "fp", "checkpatch", "merge", "marks", "sizes")  # "marks": fast-import's, once; swept
_NAME = re.compile(rf"^patchtool-(?:{'|'.join(KINDS)})-(\d+)-")
# A folder whose lock is free while its pid lives is being made right now, or
# names a reused pid; past this many seconds, the latter.
_MAKING = 10.0
_swept = [False]  # once per process: the first temp_dir sweeps


@contextlib.contextmanager
def temp_dir(kind: str) -> Iterator[Path]:
    """A fresh folder ``patchtool-<kind>-<pid>-<random>`` in the temp directory, removed on exit."""
    if kind not in KINDS:
        raise ValueError(f"unknown temporary folder kind: {kind}")
    if not _swept[0]:
        _swept[0] = True
        sweep()
    path: Path | None = None
    fd: int | None = None
    try:
        with interrupts_held():
            path = Path(tempfile.mkdtemp(prefix=f"patchtool-{kind}-{os.getpid()}-"))
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)  # not inherited by the processes we start
            fcntl.flock(fd, fcntl.LOCK_SH)
        yield path
    finally:
        held: list[Path | int | None] = [path, fd]
        try:
            with interrupts_held():
                _drop(held)
        except KeyboardInterrupt:
            # The first Ctrl-C, come between the end of the block and the hold (a git the same SIGINT
            # killed ends the block; Python runs the handler a few instructions later): the cleanup
            # is done all the same, then the interrupt goes on.  Later ones are the CLI's to ignore.
            _drop(held)
            raise


def _drop(held: list[Path | int | None]) -> None:
    """Remove a temporary folder (``held[0]``) and close its lock (``held[1]``), each once: what is done
    is forgotten first, so a second call never closes a descriptor that is another's by then."""
    path, fd = held
    if isinstance(path, Path):
        remove(path)
        held[0] = None
    if isinstance(fd, int):
        held[1] = None
        os.close(fd)


def sweep() -> list[Path]:
    """Remove the folders of patchtool processes that are gone; returns what was removed."""
    removed: list[Path] = []
    for path, pid in _ours():
        if _abandoned(str(path), pid):
            remove(path)
            removed.append(path)
    return removed


def sweep_after(groups: Iterable[int], timeout: float = 0.5) -> None:
    """``sweep`` once the process groups just killed (SIGKILL) have died out, waiting at most
    ``timeout`` seconds: a git that a killed worker ran may still hold a folder's lock, or write into
    it, for a moment after its SIGKILL, and would keep or recreate the folder."""
    groups = set(groups)
    deadline = time.monotonic() + timeout
    while any(group_alive(g) for g in groups) and time.monotonic() < deadline:
        time.sleep(0.005)
    sweep()


def _ours() -> list[tuple[Path, int]]:
    """(folder, owner's pid) of every ``patchtool-`` folder in the temp directory."""
    try:
        entries = list(os.scandir(tempfile.gettempdir()))
    except OSError:
        return []
    return [(Path(e.path), int(m.group(1))) for e in entries if (m := _NAME.match(e.name))]


def _abandoned(path: str, pid: int) -> bool:
    try:
        st = os.lstat(path)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            return False
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # its owner (or a child it forked) holds it
        return not alive(pid) or time.time() - st.st_mtime > _MAKING
    finally:
        os.close(fd)


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists and has not died: a zombie waits for init, which may take seconds."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rpartition(b")")[2].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: existing is alive
    return state != b"Z"


def group_alive(pgid: int) -> bool:
    """Whether process group ``pgid`` has a member that has not died (zombies do not count)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        entries = os.listdir("/proc")
    except OSError:
        return True  # no /proc: existing is alive
    for entry in entries:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    state, _ppid, pgrp = fh.read().rpartition(b")")[2].split()[:3]
            except (OSError, ValueError):
                continue
            if int(pgrp) == pgid and state != b"Z":
                return True
    return False


def remove(path: Path) -> None:
    """Remove a folder we own; again a moment later if a process killed just now was still writing to it."""
    for _ in range(5):
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.lexists(path):
            return
        time.sleep(0.01)


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Ctrl-C waits while the block runs: a cleanup (or a start) that a Ctrl-C must not cut short,
    leaving processes or folders behind.  One that came is delivered when the block ends, unless the
    block is unwinding already (most often from a first Ctrl-C).  Only the main thread receives
    signals; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: came.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
    if came:  # the block ended normally: deliver it as it would have been
        if callable(previous):
            previous(signal.SIGINT, None)
        elif previous != signal.SIG_IGN:
            signal.raise_signal(signal.SIGINT)
