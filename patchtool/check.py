"""``check``: a series applied on one or many bases, and its report as JSON.

This module owns choosing the bases (the series' own, ``--base`` refs and
globs), running the applier on each (in parallel processes when there are
several, each in its own scratch object directory) and the JSON of SPEC's
``check``.  It prints nothing; the command in ``cli/check_cmd.py`` does.

The worker processes are forked, and each leads a process group of its
own: a terminal's Ctrl-C reaches only the parent, which then kills every
group at once (the worker and the git it runs), sweeps their scratch
folders and raises ``CheckInterrupted`` with the bases that had finished.
A pool of our own rather than ``concurrent.futures``, whose shutdown waits
for queued work and hangs on a second Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from patchtool.apply import ApplyResult, PatchResult, Problem, apply_series
from patchtool.errors import BadInput
from patchtool.gitrepo import GitError, GitRepo
from patchtool.model import Patch, Series
from patchtool.tempdirs import interrupts_held, sweep_after

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class CheckReport:
    """The series checked on each base, in the order of the bases given (``choose_bases``: git's order)."""

    series: Series
    results: tuple[ApplyResult, ...]

    @property
    def applies(self) -> bool:
        return all(r.applies for r in self.results)

    @property
    def postable(self) -> bool:
        """Every patch lands and changes something on every base (``check`` exits 0)."""
        return self.applies and not any(r.already_applied for r in self.results)


def choose_bases(repo: GitRepo, series: Series, requested: Sequence[str]) -> list[tuple[str, str]]:
    """(label, commit) per base: ``requested`` refs and globs, else the series' own base.

    The bases that are tags and branches come in git's order, as ``git for-each-ref
    --sort=version:refname`` lists them (so ``git tag --sort=version:refname`` for tags, the
    repository's ``versionsort.suffix`` honoured), whatever order the ``--base`` options came in;
    other revisions (``HEAD~2``, an id) follow, as given.
    BadInput names a ref that does not resolve or a glob that matches nothing.
    """
    if not requested:
        ref = series.base_commit or series.base
        if not ref:
            from patchtool.seriesdir import missing_base

            raise missing_base(series.name, repo.newest_tag(), option=True)
        commit = repo.resolve(ref)
        return [(series.base or ref, commit)]
    bases: list[tuple[str, str]] = []
    known: dict[str, str] = {}  # label -> full ref name, for the refs a glob listed
    for ref in requested:
        if _GLOB_CHARS & set(ref):
            names = repo.refs_matching(ref)
            if not names:
                raise BadInput(f"no tag or branch matches {ref!r}")
            for short, full, commit in names:  # one git process for all of them, not two per base
                bases.append((short, commit or repo.resolve(short)))
                known.setdefault(short, full)
        else:
            bases.append((ref, repo.resolve(ref)))
    return in_git_order(repo, list(dict.fromkeys(bases)), known)


def in_git_order(repo: GitRepo, bases: Sequence[tuple[str, str]],
                 known: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """``bases`` (label, commit) sorted as git sorts their refs; the labels that name no ref after them.
    ``known``: labels whose full ref name is known already."""
    if len(bases) < 2:
        return list(bases)
    known = known or {}
    full = {label: known[label] if label in known else repo.full_ref_name(label) for label, _ in bases}
    rank = {name: i for i, name in enumerate(repo.in_version_order([f for f in full.values() if f]))}
    last = len(rank)
    # sorted() is stable: two labels of one ref, and the revisions that are no ref, keep their order.
    return sorted(bases, key=lambda b: rank.get(full[b[0]] or "", last))


class CheckInterrupted(KeyboardInterrupt):
    """Ctrl-C during ``check_series``, raised once every worker is stopped and its scratch folder gone:
    ``report`` holds the bases that had finished (in the order given), ``total`` how many there were."""

    def __init__(self, report: CheckReport, total: int):
        super().__init__(f"interrupted after {len(report.results)} of {total} bases")
        self.report = report
        self.total = total


def _check_on(git_dir: str, work_tree: str | None, objects: str, commit: str,
              patches: tuple[Patch, ...]) -> ApplyResult:
    # A GitRepo of its own, a scratch store of its own (in a worker process, or the only one).
    repo = GitRepo(Path(git_dir), Path(work_tree) if work_tree else None, Path(objects))
    with repo.scratch() as store:
        result = apply_series(store, commit, patches, write=False)  # a check reads no tree back
    return replace(result, trees=None)  # nor any file: what goes back to the parent is the verdicts


def check_series(
    repo: GitRepo,
    series: Series,
    bases: Sequence[tuple[str, str]],
    *,
    jobs: int | None = None,
    on_done: Callable[[str], None] | None = None,
) -> CheckReport:
    """Apply the series on every base; several bases are checked in parallel processes.

    A KeyboardInterrupt stops everything at once and becomes ``CheckInterrupted``.
    """
    jobs = jobs or os.cpu_count() or 1
    args = (str(repo.git_dir), str(repo.work_tree) if repo.work_tree else None, str(repo.objects_dir))
    results: dict[int, ApplyResult] = {}

    def done(i: int, result: ApplyResult) -> None:
        results[i] = result
        if on_done:
            on_done(bases[i][0])

    try:
        if len(bases) == 1 or jobs == 1 or not hasattr(os, "fork"):
            for i, (_, commit) in enumerate(bases):
                done(i, _check_on(*args, commit, series.patches))
        else:
            _in_workers(args, [commit for _, commit in bases], series.patches, min(jobs, len(bases)), done)
    except KeyboardInterrupt as exc:
        finished = tuple(_relabel(results[i], bases[i][0]) for i in sorted(results))
        raise CheckInterrupted(CheckReport(series=series, results=finished), len(bases)) from exc
    # The applier was given commit ids; report the names the user gave.
    labelled = tuple(_relabel(results[i], label) for i, (label, _) in enumerate(bases))
    return CheckReport(series=series, results=labelled)


def _in_workers(args: tuple[str, str | None, str], commits: list[str], patches: tuple[Patch, ...], count: int,
                done: Callable[[int, ApplyResult], None]) -> None:
    """Each commit checked by one of ``count`` worker processes, a base at a time; any exception (a
    KeyboardInterrupt above all) kills every worker's process group before it goes on."""
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork")  # the patches and the repository come along, unpickled
    workers: dict[Connection, BaseProcess] = {}
    todo = list(enumerate(commits))[::-1]
    try:
        with interrupts_held():  # a Ctrl-C now waits until every worker started is known
            for _ in range(count):
                ours, theirs = ctx.Pipe()
                # The child closes our ends it inherits, so it sees EOF when we are gone.
                proc = ctx.Process(target=_worker, args=(theirs, [*workers, ours], *args, patches), daemon=True)
                proc.start()
                workers[ours] = proc
                with contextlib.suppress(OSError):  # the worker does the same: whoever comes first
                    os.setpgid(proc.pid, proc.pid)
                theirs.close()
        for conn in workers:
            conn.send(todo.pop())
        busy = set(workers)
        while busy:
            for conn in wait(list(busy)):
                try:
                    i, ok, value = conn.recv()
                except EOFError:
                    raise GitError("a check worker process died") from None
                if not ok:
                    raise value
                done(i, value)
                if todo:
                    conn.send(todo.pop())
                else:
                    conn.send(None)
                    busy.discard(conn)
        for proc in workers.values():
            proc.join()
    except BaseException:
        with interrupts_held():  # a second Ctrl-C must not leave a worker or a folder behind
            _stop(workers.values())
        raise
    finally:
        for conn in workers:
            conn.close()


def _stop(workers: Iterable[BaseProcess]) -> None:
    """Kill the workers with the git they run, reap them, and remove the scratch folders they leave."""
    for proc in workers:
        if proc.pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.kill()  # in case it did not lead its group yet
    for proc in workers:
        proc.join()
    sweep_after(proc.pid for proc in workers if proc.pid is not None)


def _worker(conn: Connection, parents: list[Connection], git_dir: str, work_tree: str | None, objects: str,
            patches: tuple[Patch, ...]) -> None:
    """A worker process: (index, commit) from ``conn``, (index, ok, result or error) back, until None
    or until the parent has gone (``parents``: the parent's pipe ends, inherited, closed here)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # never a KeyboardInterrupt traceback from here
    for end in parents:
        end.close()
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)  # a terminal's Ctrl-C no longer reaches us or our git: the parent decides
    try:
        while (task := conn.recv()) is not None:
            i, commit = task
            try:
                conn.send((i, True, _check_on(git_dir, work_tree, objects, commit, patches)))
            except Exception as exc:
                try:
                    conn.send((i, False, exc))
                except Exception:  # an error that does not pickle
                    conn.send((i, False, GitError(f"{type(exc).__name__}: {exc}")))
    except (EOFError, OSError):
        return  # the parent has gone


def _relabel(result: ApplyResult, label: str) -> ApplyResult:
    return replace(result, base=label)


# -- JSON (SPEC "JSON of check"; extra keys only add) ----------------------------------------


def problem_json(p: Problem) -> dict[str, Any]:
    out: dict[str, Any] = {"file": p.file, "hunk": p.hunk, "message": p.message}
    if p.expected or p.actual:
        out.update(expected=list(p.expected), actual=list(p.actual), actual_line=p.actual_line)
    return out


def patch_result_json(r: PatchResult, upstream: str | None = None) -> dict[str, Any]:
    """One patch's verdict; ``upstream``: the upstream commit an ``applied`` patch is, when known."""
    return {
        "number": r.number,
        "subject": r.patch.subject.summary,
        "status": r.status.value,
        "files": list(r.patch.paths),
        "problems": [problem_json(p) for p in r.problems],
        "offsets": [{"file": o.file, "hunk": o.hunk, "lines": o.lines} for o in r.offsets],
        "tree": r.tree if r.applies else None,
        "after_conflict": r.after_conflict,
        "touches_failed": r.touches_failed,
        "upstream": upstream,
    }


def check_json(report: CheckReport, upstream: Sequence[Mapping[int, str]] | None = None) -> dict[str, Any]:
    """The payload of ``check --json`` (``render.to_json`` adds ``"schema": 1``).

    ``upstream``, per base: patch number -> the upstream commit with its patch-id.
    Per base, ``applied`` lists the patches already in it (SPEC: exit 1).
    """
    named = list(upstream or [])
    named += [{}] * (len(report.results) - len(named))
    return {
        "series": report.series.name,
        "version": report.series.version,
        "applies": report.applies,
        "bases": [
            {
                "base": r.base,
                "commit": r.commit,
                "applies": r.applies,
                "result_tree": r.result_tree,
                "applied": list(r.already_applied),
                "patches": [patch_result_json(p, ups.get(p.number)) for p in r.patches],
            }
            for r, ups in zip(report.results, named, strict=True)
        ],
    }
