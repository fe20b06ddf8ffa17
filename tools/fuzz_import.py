"""The long fuzzing run: hostile inputs, each through its own ``patchtool import`` process, with counts.

Each input is a real patch mail or thread broken by one to three of the
mutators of ``tests/fuzzing.py`` (the ones ``tests/test_fuzz.py`` runs a few
dozen of), with long lines of ``--big`` bytes (10 MB).  Each runs as
``patchtool import INPUT -o OUT --repo REPO`` in its own process and a fresh
folder, under a ``--timeout`` of CPU seconds (``RLIMIT_CPU``: this machine
is shared, and its load stretches wall time several times over; six times
as many wall-clock seconds kill it and the git it runs, too; a timeout is
tried once more before it counts as a hang) and an address-space limit of
``--memory`` MB (``RLIMIT_AS``); an import that succeeds is followed by
``show OUT`` and ``check OUT --base v1 -j 1`` processes under the same
limits.  After every input: the repository's refs, HEAD, index and objects
must be as they were, nothing may have been written outside OUT (its folder
holds the input, OUT and an empty TMPDIR; the rest of the work folder is
unchanged), and no imported path may leave the tree.  Prints the counts;
exit 1 if any input went wrong (kept in ``--keep`` with what was printed).

Processes: by default each is forked from this one after it has imported
patchtool (``main([...])`` in the child, its limits set there, stdout and
stderr to files, an uncaught exception printed as Python prints it), which
saves the half second of imports a process costs; ``--exec`` starts each as
``python -c 'from patchtool.cli import main; main()' ARGS`` instead, the
console script's way, with the limits set in ``preexec_fn``.

Run: ``nice .venv/bin/python tools/fuzz_import.py [--count 10000] [--seed 1] [--timeout 5] [--per-mail 0.001]
[--per-mb 0.5] [--jobs 2] [--exec]``.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzzing import GIT_ENV, RepoState, error_problem, listing, make_repo, random_input, seeds, unsafe_paths

WALL = 6  # wall-clock seconds per CPU second of --timeout
BAD = ("traceback", "multi-line error", "no error line", "other exit", "hang", "memory kill", "repo changed",
       "wrote outside", "unsafe path imported", "show failed", "check failed")
Result = tuple[int | None, str, str]  # exit code (None: a timeout), stdout, stderr
Trial = Generator[list[str], Result, None]


def _limits(memory: int, cpu: float) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    seconds = max(1, round(cpu))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))  # SIGXCPU, then SIGKILL
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@dataclass
class Running:
    trial: Trial
    pid: int
    work: Path
    deadline: float
    proc: subprocess.Popen[bytes] | None
    command: str


class Runner:
    """Starts patchtool processes (forked, or exec'd) and collects how they ended."""

    def __init__(self, opts: argparse.Namespace):
        self.opts = opts
        self.memory = opts.memory << 20
        if not opts.exec:
            import patchtool.cli  # noqa: F401  (imported once, here: the children inherit it)

    def cpu(self, work: Path) -> float:
        """The input's CPU bound, linear in its size: ``--timeout``, ``--per-mail`` for each mail past the
        first and ``--per-mb`` for each MB (a 27 MB mbox of 1.6 million folded header lines is 7.6 s)."""
        data = (work / "input.mbox").read_bytes()
        return self.opts.timeout + self.opts.per_mail * data.count(b"\nFrom ") + self.opts.per_mb * len(data) / 2**20

    def start(self, args: list[str], work: Path) -> tuple[int, subprocess.Popen[bytes] | None]:
        cpu = self.cpu(work)
        env = {**os.environ, **GIT_ENV, "TMPDIR": str(work / "tmp"), "COLUMNS": "100"}
        out, err = (open(work / name, "wb") for name in ("stdout", "stderr"))  # noqa: SIM115
        with out, err:
            if self.opts.exec:
                proc = subprocess.Popen([sys.executable, "-c", "from patchtool.cli import main; main()", *args],
                                        cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                        start_new_session=True,
                                        preexec_fn=lambda: _limits(self.memory, cpu))
                return proc.pid, proc
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # the child: never returns
                code = 1
                try:
                    os.setsid()
                    _limits(self.memory, cpu)
                    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                    os.dup2(out.fileno(), 1)
                    os.dup2(err.fileno(), 2)
                    os.chdir(work)
                    os.environ.clear()
                    os.environ.update(env)
                    tempfile.tempdir = None
                    from patchtool.cli import main

                    code = main(args)
                except BaseException:
                    traceback.print_exc()
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            return pid, None

    def ended(self, status: int, work: Path) -> Result:
        out, err = ((work / name).read_bytes().decode("utf-8", "replace") for name in ("stdout", "stderr"))
        code = os.waitstatus_to_exitcode(status)
        if code in (-signal.SIGXCPU, -signal.SIGKILL) and not err:
            return None, "", ""  # the CPU limit
        return code, out, err


def verdict(code: int | None, out: str, err: str) -> str | None:
    if code is None:
        return "hang"
    if code < 0 or "MemoryError" in err:
        return "memory kill"
    problem = error_problem(code, out, err)
    return "other exit" if problem and problem.startswith("exit") else problem


class Fuzz:
    def __init__(self, opts: argparse.Namespace, root: Path):
        self.opts = opts
        self.root = root
        self.repo = root / "repo"
        self.seeds = seeds(make_repo(self.repo))
        (root / "runs").mkdir()
        self.state = RepoState.of(self.repo)
        # .git is RepoState's: git freshens (touches) an object it is asked to write and already has.
        self.skip = [root / "runs", self.repo / ".git"]
        self.around = listing(root, skip=self.skip)
        self.counts: collections.Counter[str] = collections.Counter()
        self.by_mutator: collections.Counter[str] = collections.Counter()
        self.rss: list[tuple[int, int, str]] = []  # (peak RSS in KB, input, command) of every process

    def trial(self, i: int, work: Path) -> Trial:
        """One input: the commands it runs (yielded) and, at the end, its counts."""
        rng = random.Random(f"{self.opts.seed}:{i}")
        data, names, index = random_input(rng, self.seeds, self.opts.big, self.opts.many)
        (work / "tmp").mkdir(parents=True)
        (work / "input.mbox").write_bytes(data)
        found: list[tuple[str, str]] = []
        import_args = ["import", "input.mbox", "-o", "out", "--repo", str(self.repo)]
        code, out, err = yield import_args
        if code is None:  # once more, on a machine that may only have been busy
            shutil.rmtree(work / "out", ignore_errors=True)
            code, out, err = yield import_args
        bad = verdict(code, out, err)
        if bad:
            found.append((bad, f"import: exit {code}\n{err}"))
        if code in (0, 1) and not bad:
            if unsafe := unsafe_paths(work / "out"):
                found.append(("unsafe path imported", ", ".join(unsafe)))
            for args, name in ((["show", "out"], "show failed"),
                               (["check", "out", "--base", "v1", "-j", "1", "--repo", str(self.repo)], "check failed")):
                c, o, e = yield args
                if problem := verdict(c, o, e):
                    found.append((problem if problem in ("hang", "memory kill") else name, f"{args[0]}: exit {c}\n{e}"))
        if RepoState.of(self.repo) != self.state:
            found.append(("repo changed", ""))
        # A killed import leaves its half-written .out.new-* folder (the next command sweeps it: fsatomic).
        leftover = (".out.",) if bad in ("hang", "memory kill") else ("\0",)
        extra = sorted({p for p in os.listdir(work) if p not in ("input.mbox", "out", "tmp", "stdout", "stderr")
                        and not p.startswith(leftover)} | {"tmp/" + p for p in os.listdir(work / "tmp")})
        now = listing(self.root, skip=self.skip)
        if extra or now != self.around:
            found.append(("wrote outside", f"{extra} {sorted(set(now.items()) ^ set(self.around.items()))[:5]}"))
        self.count(i, data, names, index, code, bad, found)

    def count(self, i: int, data: bytes, names: list[str], index: int, code: int | None, bad: str | None,
              found: list[tuple[str, str]]) -> None:
        self.counts["inputs"] += 1
        if not bad:  # the exit codes of the imports that ended well: with the bad ones, they add up to inputs
            self.counts[f"exit {code}"] += 1
            self.counts["one-line errors ok"] += code == 2
        for kind, detail in found:
            self.counts[kind] += 1
            self.by_mutator.update(names)
            keep = Path(self.opts.keep)
            keep.mkdir(parents=True, exist_ok=True)
            stem = f"{self.opts.seed}-{i}-{kind.replace(' ', '-')}"
            (keep / f"{stem}.mbox").write_bytes(data)
            (keep / f"{stem}.txt").write_text(f"seed {index}, mutators {names}\n{detail}\n")
            print(f"BAD input {i} ({kind}; seed {index}, {names}): {detail.splitlines()[-1:] or ''}", flush=True)
        if self.counts["inputs"] % 1000 == 0:
            print(f"... {self.counts['inputs']} inputs", flush=True)

    def run(self) -> None:
        runner = Runner(self.opts)
        running: dict[int, Running] = {}
        todo = iter(range(self.opts.count))

        def advance(trial: Trial, work: Path, result: Result | None) -> None:
            try:
                args = next(trial) if result is None else trial.send(result)
            except StopIteration:
                shutil.rmtree(work, ignore_errors=True)
                return
            pid, proc = runner.start(args, work)
            running[pid] = Running(trial, pid, work, time.monotonic() + runner.cpu(work) * WALL, proc, args[0])

        while True:
            while len(running) < self.opts.jobs and (i := next(todo, None)) is not None:
                work = self.root / "runs" / str(i)
                advance(self.trial(i, work), work, None)
            if not running:
                return
            pid, status, usage = os.wait4(-1, os.WNOHANG)
            if pid == 0:
                now = time.monotonic()
                for r in list(running.values()):
                    if now > r.deadline:
                        os.killpg(r.pid, signal.SIGKILL)
                        r.deadline = float("inf")
                time.sleep(0.002)
                continue
            r = running.pop(pid, None)
            if r is None:
                continue
            self.rss.append((usage.ru_maxrss, int(r.work.name), r.command))  # KB on Linux
            if r.proc is not None:
                r.proc.returncode = os.waitstatus_to_exitcode(status)
            with contextlib.suppress(ProcessLookupError, PermissionError):  # the git a killed process ran
                os.killpg(pid, signal.SIGKILL)
            killed = r.deadline == float("inf")
            advance(r.trial, r.work, (None, "", "") if killed else runner.ended(status, r.work))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=5.0, help="CPU seconds per process (wall: 6x)")
    ap.add_argument("--per-mail", type=float, default=0.001,
                    help="CPU seconds added to --timeout for each mail of the input past the first")
    ap.add_argument("--per-mb", type=float, default=0.5, help="CPU seconds added to --timeout for each MB of input")
    ap.add_argument("--many", type=int, default=100_000, help="the most empty mails in one mbox")
    ap.add_argument("--memory", type=int, default=1024, help="address-space limit per process, MB")
    ap.add_argument("--big", type=int, default=10_000_000, help="length of a long line, bytes")
    ap.add_argument("--jobs", type=int, default=1, help="processes at once")
    ap.add_argument("--exec", action="store_true", help="exec each process (default: fork it from this one)")
    ap.add_argument("--keep", default="fuzz-failures", help="folder for the inputs that went wrong")
    opts = ap.parse_args()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fuzz-import-") as tmp:
        fuzz = Fuzz(opts, Path(tmp))
        fuzz.run()
    c = fuzz.counts
    print(f"inputs {c['inputs']} (seed {opts.seed}, {'exec' if opts.exec else 'fork'}, timeout {opts.timeout:g} "
          f"CPU s + {opts.per_mail:g} a mail + {opts.per_mb:g} a MB, many {opts.many}, "
          f"memory {opts.memory} MB, long lines {opts.big} bytes, {time.monotonic() - start:.0f} s)")
    print(f"exit 0: {c['exit 0']}, exit 1: {c['exit 1']}, exit 2: {c['exit 2']} "
          f"(one-line errors ok: {c['one-line errors ok']})")
    print(", ".join(f"{k}: {c[k]}" for k in BAD))
    if fuzz.rss:
        peak, at, command = max(fuzz.rss)
        imports = sorted(kb for kb, _, cmd in fuzz.rss if cmd == "import")
        median, p99 = imports[len(imports) // 2], imports[len(imports) * 99 // 100]
        print(f"peak RSS of a process: {peak / 1024:.0f} MB ({command} of input {at}); imports: median "
              f"{median / 1024:.0f} MB, 99th percentile {p99 / 1024:.0f} MB")
    if fuzz.by_mutator:
        print("bad inputs by mutator: " + ", ".join(f"{k} {v}" for k, v in fuzz.by_mutator.most_common()))
    return 1 if any(c[k] for k in BAD) else 0


if __name__ == "__main__":
    raise SystemExit(main())
