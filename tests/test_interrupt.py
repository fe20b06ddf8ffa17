"""Ctrl-C stops patchtool at once, and no scratch folder outlives its run.

Each test starts the real ``patchtool`` console script in a session of its
own with a private ``TMPDIR``, on a real repository, and signals it the way
a terminal does (SIGINT to the whole process group, twice, 50 ms apart) or
the way ``timeout -s INT`` does (SIGINT to patchtool alone).  Then: exit
130 within a second of the first SIGINT, no traceback, no ``patchtool-*``
folder left in the private TMPDIR, no process of the session still alive.
A run killed with SIGKILL cannot clean up: the next run sweeps what it left,
and keeps what a live run holds.
"""

from __future__ import annotations

import contextlib
import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from patchtool.cli import main
from tests.conftest import Repo

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists() or not hasattr(os, "killpg"),
                                reason="needs POSIX process groups and Linux /proc to see the session's processes")

_SCRIPT = Path(sys.executable).with_name("patchtool")
PATCHTOOL = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-c", "from patchtool.cli import main; main()"]
BASES = 40  # tags v20.0 .. v20.39
PATCHES = 150  # the matrix takes ~10 s with --jobs 2 on this project's 2-core machine
FILES = 30
LINES = 300
WHO = b"Ada Lovelace <ada@example.org> 1628714897 -0400"


# -- a repository big enough that the matrix takes seconds, built by one git fast-import -------------------


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def _commit(ref: str, message: bytes, parent: str | None, changes: bytes, mark: int | None = None) -> bytes:
    out = f"commit {ref}\n".encode() + (b"mark :%d\n" % mark if mark else b"")
    out += b"author " + WHO + b"\ncommitter " + WHO + b"\n" + _data(message)
    out += f"from {parent}\n".encode() if parent else b""
    return out + changes + b"\n"


def _matrix_stream() -> bytes:
    """v20.0: FILES files; topic: PATCHES patches on v20.0, each changing one line; v20.1 ..: upstream
    commits that each add a file of their own (so the series applies on every base)."""
    files = {k: [f"line {j} of f{k}\n" for j in range(LINES)] for k in range(FILES)}

    def put(k: int) -> bytes:
        return f"M 100644 inline src/f{k}.c\n".encode() + _data("".join(files[k]).encode())

    out = bytearray(_commit("refs/heads/master", b"base", None, b"".join(put(k) for k in range(FILES)), mark=1))
    for i in range(1, PATCHES + 1):
        k = i % FILES
        files[k][(i * 7) % (LINES - 10) + 3] = f"patched {i}\n"
        msg = f"f{k}: patch {i}\n\nSigned-off-by: Ada Lovelace <ada@example.org>\n".encode()
        out += _commit("refs/heads/topic", msg, ":1" if i == 1 else None, put(k))
    for t in range(1, BASES):
        add = f"M 100644 inline upstream/u{t}.txt\n".encode() + _data(b"x\n")
        out += _commit("refs/heads/master", b"upstream %d" % t, ":1" if t == 1 else None, add, mark=1000 + t)
    out += b"reset refs/tags/v20.0\nfrom :1\n\n"
    for t in range(1, BASES):
        out += b"reset refs/tags/v20.%d\nfrom :%d\n\n" % (t, 1000 + t)
    return bytes(out)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(repository, series folder): PATCHES patches checked on BASES tags."""
    root = tmp_path_factory.mktemp("matrix")
    path = root / "repo"
    path.mkdir()
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", "-b", "master"], cwd=path, check=True, env=env)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=_matrix_stream(), check=True, env=env)
    folder = root / "series" / "big"
    assert main(["import", "v20.0..topic", "-o", str(folder), "--repo", str(path)]) == 0
    return path, folder


# -- a patchtool run in a session of its own -------------------------------------------------------------


class Run:
    """``patchtool ARGS`` started in its own session (so its process group is a terminal's foreground
    job) with a private TMPDIR; output to files, or to a pseudo-terminal so the progress bar runs."""

    def __init__(self, args: list[str], tmpdir: Path, out: Path, *, tty: bool = False):
        self.tmpdir = tmpdir
        self.out_path, self.err_path = out.with_suffix(".out"), out.with_suffix(".err")
        env = {**os.environ, "TMPDIR": str(tmpdir), "COLUMNS": "100", "TERM": "xterm"}
        self._tty_out = bytearray()
        self._reader: threading.Thread | None = None
        if tty:
            master, slave = pty.openpty()
            self.proc = subprocess.Popen([*PATCHTOOL, *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                                         env=env, start_new_session=True)
            os.close(slave)
            self._reader = threading.Thread(target=self._drain, args=(master,), daemon=True)
            self._reader.start()
        else:
            with open(self.out_path, "wb") as out_fh, open(self.err_path, "wb") as err_fh:
                self.proc = subprocess.Popen([*PATCHTOOL, *args], stdin=subprocess.DEVNULL, stdout=out_fh,
                                             stderr=err_fh, env=env, start_new_session=True)
        self.sid = self.proc.pid

    def _drain(self, fd: int) -> None:
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: every holder of the terminal's other end has gone
                break
            if not chunk:
                break
            self._tty_out += chunk
        os.close(fd)

    def output(self) -> tuple[str, str]:
        """(stdout, stderr); on a terminal both are the terminal's text, given as stderr."""
        if self._reader is not None:
            self._reader.join(timeout=5)
            return "", self._tty_out.decode("utf-8", "replace")
        return self.out_path.read_text(errors="replace"), self.err_path.read_text(errors="replace")

    def processes(self) -> list[tuple[int, str]]:
        """(pid, name) of every live process of the run's session (zombies are dead: init reaps them late)."""
        return [(pid, name) for pid, name, state, sid in _all_processes() if sid == self.sid and state != "Z"]

    def scratch(self) -> list[str]:
        return sorted(p.name for p in self.tmpdir.iterdir() if p.name.startswith("patchtool-"))

    def wait_until(self, ready: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"patchtool ended ({self.proc.returncode}) before {what}: {self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} after {timeout} s")
            time.sleep(0.01)

    def interrupt(self, how: str) -> float:
        """SIGINT twice, 50 ms apart, to the process group (a terminal's Ctrl-C) or to patchtool alone
        (``timeout -s INT``); the seconds from the first SIGINT to the exit."""
        send = (lambda: os.killpg(self.sid, signal.SIGINT)) if how == "group" else (
            lambda: os.kill(self.sid, signal.SIGINT))
        start = time.monotonic()
        send()
        time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):  # already gone
            send()
        try:
            self.proc.wait(timeout=15)
        finally:
            elapsed = time.monotonic() - start
            self.kill()
        return elapsed

    def kill(self) -> None:
        for pid, _ in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.wait()


def _all_processes() -> Iterator[tuple[int, str, str, int]]:
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        state, _ppid, _pgrp, sid = stat[stat.rindex(")") + 2:].split()[:4]
        yield int(entry), name, state, int(sid)


def assert_stopped_cleanly(run: Run, elapsed: float) -> tuple[str, str]:
    out, err = run.output()
    leftover = run.processes()
    assert "Traceback" not in err and "Traceback" not in out, err
    assert run.proc.returncode == 130, (run.proc.returncode, err)
    assert elapsed < 1.0, f"exit {elapsed:.2f} s after the first SIGINT"
    assert run.scratch() == [], ("scratch folders left behind", run.scratch(), err)
    assert leftover == [], f"processes of the run still alive: {leftover}"
    assert err.rstrip().endswith("patchtool: interrupted"), err
    return out, err


# -- check: the matrix in worker processes ---------------------------------------------------------------


@pytest.mark.parametrize(("how", "tty", "jobs"), [("group", False, "2"), ("parent", False, "2"), ("group", True, "2"),
                                                 ("group", False, "1"), ("parent", False, "1")],
                         ids=["ctrl-c-piped", "timeout-s-int", "ctrl-c-progress-bar", "ctrl-c-serial",
                              "timeout-s-int-serial"])
def test_ctrl_c_stops_the_check_matrix_at_once(matrix: tuple[Path, Path], tmp_path: Path, how: str,
                                               tty: bool, jobs: str) -> None:
    repo, folder = matrix
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    run = Run(["check", str(folder), "--repo", str(repo), "--base", "v20*", "--jobs", jobs], tmpdir,
              tmp_path / "check", tty=tty)
    seen: set[str] = set()

    def two_bases_done() -> bool:
        # A base's scratch object store appeared and went: the worker is done with it.  A third
        # store means a worker was given its next base, which it is only once the parent has its
        # result: at least one base is done as far as the report goes.
        now = {name for name in run.scratch() if name.startswith("patchtool-objects-")}
        seen.update(now)
        return len(seen - now) >= 2 and len(seen) >= 3

    run.wait_until(two_bases_done, "finished base")
    elapsed = run.interrupt(how)
    out, err = assert_stopped_cleanly(run, elapsed)
    assert out == ""
    if tty:
        return
    # What finished is reported, with the tree git itself makes for the series on that base.
    done = re.findall(r"^  (v20\.\d+) \([0-9a-f]{12}\): result tree ([0-9a-f]{40})$", err, re.M)
    match = re.search(r"^patchtool: checked (\d+) of 40 bases before the interrupt:$", err, re.M)
    assert match and int(match.group(1)) == len(done) >= 1, err
    for base, tree in done:
        merged = subprocess.run(["git", "merge-tree", "--write-tree", base, "topic"], cwd=repo,
                                capture_output=True, text=True, check=True)
        assert merged.stdout.split()[0] == tree


def test_a_finished_matrix_leaves_nothing_behind(matrix: tuple[Path, Path], tmp_path: Path) -> None:
    repo, folder = matrix
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    run = Run(["check", str(folder), "--repo", str(repo), "--base", "v20.[0-4]", "--jobs", "2", "--json"], tmpdir,
              tmp_path / "check")
    assert run.proc.wait(timeout=60) == 0, run.output()
    assert run.processes() == [] and run.scratch() == []


def test_workers_of_a_killed_parent_leave_by_themselves(matrix: tuple[Path, Path], tmp_path: Path) -> None:
    """kill -9 of patchtool alone: its workers (process groups of their own) see it gone after the base
    they are on, and end, removing their scratch folders."""
    repo, folder = matrix
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    run = Run(["check", str(folder), "--repo", str(repo), "--base", "v20*", "--jobs", "2"], tmpdir,
              tmp_path / "check")
    run.wait_until(lambda: sum(n.startswith("patchtool-objects-") for n in run.scratch()) == 2, "workers")
    os.kill(run.sid, signal.SIGKILL)
    run.proc.wait()
    deadline = time.monotonic() + 10
    while run.processes() and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        assert run.processes() == []
        assert run.scratch() == []
    finally:
        run.kill()


# -- lint: checkpatch in threads, one perl each ------------------------------------------------------------

# A checkpatch that takes its time: every batch would hold lint for 30 s.
SLOW_CHECKPATCH = "sleep 30;\nexit 0;\n"


@pytest.fixture
def slow_lint(repo: Repo, tmp_path: Path) -> tuple[Path, Path]:
    repo.write("scripts/checkpatch.pl", SLOW_CHECKPATCH)
    repo.write("lib/a.c", "int a;\n")
    repo.commit("base")
    repo.git("tag", "v1")
    for i in range(6):
        repo.write(f"lib/f{i}.c", f"int f{i};\n")
        repo.commit(f"lib: add f{i}\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    folder = tmp_path / "series" / "slow"
    assert main(["import", "v1..HEAD", "-o", str(folder), "--repo", str(repo.path)]) == 0
    return repo.path, folder


@pytest.mark.parametrize(("how", "tty"), [("group", False), ("parent", False), ("group", True)],
                         ids=["ctrl-c-piped", "timeout-s-int", "ctrl-c-progress-bar"])
def test_ctrl_c_stops_lints_checkpatch_at_once(slow_lint: tuple[Path, Path], tmp_path: Path, how: str,
                                               tty: bool) -> None:
    repo, folder = slow_lint
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    run = Run(["lint", str(folder), "--repo", str(repo)], tmpdir, tmp_path / "lint", tty=tty)
    run.wait_until(lambda: sum(name == "perl" for _, name in run.processes()) >= 2, "checkpatch running")
    elapsed = run.interrupt(how)
    out, _ = assert_stopped_cleanly(run, elapsed)
    assert out == ""


def test_a_ctrl_c_in_the_wait_for_a_background_check_still_waits_for_its_cleanup() -> None:
    # CPython 3.11's Thread.join marks a running thread stopped when a KeyboardInterrupt cuts its wait
    # short (threading.py, bpo-45274's recovery): a join after it returns at once.  lint's stop() must still
    # wait until the work has ended (its perls killed, its temporary folder removed).
    import _thread
    import threading

    from patchtool.lint.background import Background

    release, log = threading.Event(), []

    def work(counted: object) -> list[int]:
        try:
            release.wait(10)
            return []
        finally:
            time.sleep(0.2)  # the cleanup: what stop() must wait for
            log.append("cleaned up")

    interrupter = threading.Timer(0.2, _thread.interrupt_main)
    background = Background(work, name="slow")
    interrupter.start()
    with pytest.raises(KeyboardInterrupt):
        background.wait()
    release.set()
    background.stop()
    log.append("stopped")
    assert log == ["cleaned up", "stopped"]


def test_a_git_process_is_let_go_where_a_ctrl_c_waits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Popen.__del__ is Python code: a Ctrl-C landing in it raised the CLI's KeyboardInterrupt inside a
    # finalizer, which Python prints as "Exception ignored ... Traceback" (seen once in CI, a check matrix
    # interrupted).  Every Popen of a git call must be finalized while SIGINT is held.
    import signal

    from patchtool.gitrepo import GitRepo, core

    handlers = []

    class Recorded(subprocess.Popen):  # type: ignore[type-arg]
        def __del__(self) -> None:
            handlers.append(signal.getsignal(signal.SIGINT))
            super().__del__()

    subprocess.run(["git", "init", "-q", str(tmp_path / "r")], check=True)
    repo = GitRepo.open(tmp_path / "r")
    cli_handler = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(core.subprocess, "Popen", Recorded)
    repo.run("rev-parse", "--git-dir")
    repo.run_status("rev-parse", "--verify", "--quiet", "nothing")
    assert len(handlers) == 2 and all(h is not cli_handler for h in handlers), handlers


# -- the sweep: what a SIGKILLed run left is removed by the next run -------------------------------------

HOLDER = """
import sys, time
from patchtool.gitrepo import GitRepo
with GitRepo.open(sys.argv[1]).scratch():
    print("ready", flush=True)
    time.sleep(60)
"""


def test_a_killed_runs_scratch_is_swept_by_the_next_run(matrix: tuple[Path, Path], tmp_path: Path) -> None:
    repo, folder = matrix
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    # A run killed outright (the OOM killer, kill -9) leaves its scratch folder.
    killed = Run(["check", str(folder), "--repo", str(repo), "--base", "v20*", "--jobs", "1"], tmpdir,
                 tmp_path / "killed")
    killed.wait_until(lambda: bool(killed.scratch()), "scratch folder")
    os.killpg(killed.sid, signal.SIGKILL)
    killed.proc.wait()
    deadline = time.monotonic() + 5
    while killed.processes() and time.monotonic() < deadline:
        time.sleep(0.01)
    left = killed.scratch()
    assert len(left) == 1 and left[0].startswith(f"patchtool-objects-{killed.sid}-")
    # A live run holding its scratch folder, and a folder whose name a live process's id only borrows
    # (the id was reused), old enough not to be one being created.
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(repo)], stdout=subprocess.PIPE, env=env)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"ready\n"
        (held,) = set(killed.scratch()) - set(left)
        assert held.startswith(f"patchtool-objects-{holder.pid}-")
        reused = tmpdir / f"patchtool-objects-{os.getpid()}-reused"
        reused.mkdir()
        hour_ago = time.time() - 3600
        os.utime(reused, (hour_ago, hour_ago))
        fresh = tmpdir / f"patchtool-merge-{os.getpid()}-fresh"
        fresh.mkdir()
        # The next run sweeps the dead and the reused, and keeps the live and the one just made.
        proc = subprocess.run([*PATCHTOOL, "check", str(folder), "--repo", str(repo)], env=env,
                              capture_output=True)
        assert proc.returncode == 0, proc.stderr
        assert killed.scratch() == sorted([held, fresh.name])
    finally:
        holder.kill()
        holder.wait()
