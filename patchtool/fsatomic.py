"""Writing a series folder so that no kill, crash or second writer leaves it broken.

This module owns three things ``seriesdir`` builds on:

* **The swap.**  A new folder is built beside the old one and exchanged for it
  in one ``renameat2(RENAME_EXCHANGE)`` (Linux 3.15+): at every instant the
  folder's name holds either the whole old folder or the whole new one.
  Where the exchange is not available, two renames are used, and the gap
  between them (the folder missing, the old one beside it) is repaired by
  ``sweep``.
* **The lock.**  A writer holds ``<folder>/.patchtool.lock`` (created with
  ``O_EXCL``; it holds the writer's pid, the start time of that process and
  the command) from before it reads the folder until after it swapped the
  new one in; the file is carried into the new folder by the swap, so a
  second writer sees it throughout.  A lock whose process is gone (killed)
  is taken over.
* **The sweep.**  Temporary folders are named ``.<name>.new-<pid>-*`` and
  ``.<name>.old-<pid>-*``; those of a process that is gone are removed (or,
  for an ``old`` one whose folder is missing, put back) by the next writer.

No git here, and no output: conflicts are ``BadInput`` (exit 2).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from patchtool import tempdirs
from patchtool.errors import BadInput

LOCK_NAME = ".patchtool.lock"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (``/proc/PID/stat`` field 22), or ""."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def alive(pid: int, start: str = "") -> bool:
    """Whether process ``pid`` runs (``tempdirs.alive``) and is the one that started at ``start``, when given."""
    return tempdirs.alive(pid) and (not start or not _start_time(pid) or _start_time(pid) == start)


# -- the swap -----------------------------------------------------------------------------


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths; False where the system cannot."""
    import ctypes  # only a swap needs it: reading a folder does not

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def temp_folder(folder: Path, kind: str) -> Path:
    """A new empty folder beside ``folder``, named so ``sweep`` can tell whose it is."""
    return Path(tempfile.mkdtemp(prefix=f".{folder.name}.{kind}-{os.getpid()}-", dir=folder.parent))


def swap_in(new: Path, folder: Path) -> None:
    """Put the folder ``new`` in the place of ``folder`` (which may not exist yet)."""
    if not folder.exists():
        os.rename(new, folder)
        return
    if _exchange(new, folder):
        shutil.rmtree(new, ignore_errors=True)  # it holds the old folder now
        return
    old = temp_folder(folder, "old")
    os.rmdir(old)
    os.rename(folder, old)
    try:
        os.rename(new, folder)
    except BaseException:
        os.rename(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


def sweep(folder: Path) -> None:
    """Remove what killed writers left beside ``folder`` (and their lock in it); put an old folder
    back if the name is empty.  Every command that reads a series folder runs it first."""
    try:
        entries = list(folder.parent.iterdir())
    except OSError:
        return
    lock = folder / LOCK_NAME
    holder = _holder(lock)
    if holder is not None and holder[0] > 0 and not alive(holder[0], holder[1]):  # 0: being written now
        with contextlib.suppress(OSError):
            if _holder(lock) == holder:  # not taken over in the meantime
                lock.unlink()
    for entry in entries:
        for kind in ("new", "old"):
            prefix = f".{folder.name}.{kind}-"
            if not entry.name.startswith(prefix):
                continue
            pid = entry.name[len(prefix):].split("-", 1)[0]
            if not pid.isdigit() or alive(int(pid)):
                continue
            if kind == "old" and not folder.exists():
                os.rename(entry, folder)  # killed between its two renames: the old one is whole
            else:
                shutil.rmtree(entry, ignore_errors=True)


# -- the lock -----------------------------------------------------------------------------


def _holder(path: Path) -> tuple[int, str, str] | None:
    try:
        words = path.read_text(encoding="utf-8").split(maxsplit=2)
    except (OSError, UnicodeDecodeError):
        return None
    if len(words) < 2 or not words[0].isdigit():
        return (0, "", "")
    return int(words[0]), words[1] if words[1] != "-" else "", words[2].strip() if len(words) > 2 else ""


@contextlib.contextmanager
def locked(folder: Path, command: str) -> Iterator[None]:
    """Hold ``folder``'s lock for the block; BadInput naming the holder when another writer has it.

    A folder that does not exist yet (an import) is created for the lock, and
    removed again if the block leaves nothing else in it.
    """
    folder = folder.absolute()
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    sweep(folder)
    path = folder / LOCK_NAME
    me = f"{os.getpid()} {_start_time(os.getpid()) or '-'} {command} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n"
    for _ in range(5):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path)
            if holder is None:
                continue  # released while we looked
            pid, start, what = holder
            if alive(pid, start):
                raise BadInput(f"is being changed by another patchtool (pid {pid}: {what or 'unknown'}); "
                               f"try again when it is done", source=str(folder)) from None
            stale = path.with_name(f"{LOCK_NAME}.stale-{os.getpid()}")
            with contextlib.suppress(FileNotFoundError):
                os.rename(path, stale)
                os.unlink(stale)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(me)
        break
    else:
        raise BadInput("could not take the folder's lock", source=str(folder))
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            if path.read_text(encoding="utf-8") == me:
                path.unlink()
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty: nothing was written
