"""Running git: the scrubbed environment, the registry of live child processes, git's errors.

Every child process is registered while it runs, so that the cleanup after
a Ctrl-C can kill them all (a program such as checkpatch in a process group
of its own, with whatever it starts) and refuse new ones
(``children_stopped``); a KeyboardInterrupt while waiting for one kills it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from patchtool.tempdirs import interrupts_held

# Variables that would point our git calls at another repository, index or
# object store than the one we mean.  pre-commit scrubs the same set.
_SCRUBBED = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_PREFIX",
    "GIT_QUARANTINE_PATH",
)

# Config that keeps git's answers stable whatever the user's config says:
# pagers and colour would corrupt machine output, and objects we write are
# never signed.
_STABLE_CONFIG = (
    "-c", "color.ui=false",
    "-c", "commit.gpgSign=false",
    "-c", "log.showSignature=false",
    "-c", "core.pager=cat",
)

ZERO_OID = "0" * 40


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    env.pop("GIT_PAGER", None)
    if extra:
        env.update(extra)
    return env


class _Children:
    """The child processes running now: process -> whether it leads a process group of its own."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.live: dict[subprocess.Popen[bytes], bool] = {}
        # How many ``children_stopped`` blocks are open (they nest: a thread's cleanup inside lint's), so
        # the inner one ending does not let a new process start while the outer one still stops them.
        self.stopping = 0


_children = _Children()
# A forked worker starts with none of its parent's children (and a lock nobody holds).
os.register_at_fork(after_in_child=_children.__init__)


def _kill(proc: subprocess.Popen[bytes], own_group: bool) -> None:
    with contextlib.suppress(OSError):
        if own_group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()


def _stop(proc: subprocess.Popen[bytes], own_group: bool) -> None:
    _kill(proc, own_group)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=1)  # reaped, so nothing of ours is left when we exit


def _run_process(argv: Sequence[str], *, input: bytes | None = None, env: Mapping[str, str],
                 cwd: Path | str | None, own_group: bool = False) -> subprocess.CompletedProcess[bytes]:
    """``subprocess.run(argv, capture_output=True)``, registered while it runs; killed (with its
    group) when the wait is interrupted."""
    proc: subprocess.Popen[bytes] | None = None
    try:
        # A Ctrl-C while Popen forks and execs would leave a child no one knows of, still writing (into a
        # temporary folder its caller then fails to remove): it waits until the child is registered,
        # and then kills it below like one that came during the wait.
        with interrupts_held(), _children.lock:
            if _children.stopping:
                raise KeyboardInterrupt("interrupted: no new process")
            proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE if input is not None else None,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
                                    process_group=0 if own_group else None)
            _children.live[proc] = own_group
            proc._sigint_wait_secs = 0  # on a KeyboardInterrupt, communicate() would give it 0.25 s: we kill it
        with proc:
            try:
                out, err = proc.communicate(input)
            except BaseException:
                _stop(proc, own_group)  # before ``with proc`` ends: its exit would wait for it
                raise
    except BaseException:
        if proc is not None and proc.returncode is None:  # the Ctrl-C held while it started
            _stop(proc, own_group)
        raise
    finally:
        if proc is not None:
            # The Popen is let go where a Ctrl-C waits: its ``__del__`` is Python code, and the CLI's
            # KeyboardInterrupt raised inside a finalizer is "ignored", printed as a traceback.
            with interrupts_held():
                with _children.lock:
                    _children.live.pop(proc, None)
                args, code = proc.args, proc.returncode
                del proc
    return subprocess.CompletedProcess(args, code, out, err)


@contextlib.contextmanager
def children_stopped() -> Iterator[None]:
    """Kill every child process running now and start none until the block ends: the cleanup after
    an interrupt, while the threads that waited for them finish."""
    with _children.lock:
        _children.stopping += 1
        running = dict(_children.live)
    for proc, own_group in running.items():
        _kill(proc, own_group)
    try:
        yield
    finally:
        with _children.lock:
            _children.stopping -= 1


def parse_tree(data: bytes) -> dict[bytes, tuple[str, str]]:
    """A tree object's entries (as ``cat-file --batch`` gives them): name -> (mode, oid)."""
    entries: dict[bytes, tuple[str, str]] = {}
    pos = 0
    while pos < len(data):
        sp = data.index(b" ", pos)
        nul = data.index(b"\x00", sp)
        entries[data[sp + 1:nul]] = (data[pos:sp].decode(), data[nul + 1:nul + 21].hex())
        pos = nul + 21
    return entries


class GitError(Exception):
    """git failed where it should not have: a bug or a broken repository, not bad input."""


@dataclass(frozen=True)
class CommitInfo:
    """A commit's metadata as ``git log`` gives it (``History.commit_infos``)."""

    sha: str
    tree: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: str  # RFC 2822, as format-patch writes it
    message: str  # full raw message
