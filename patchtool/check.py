"""``check``: a series applied on one or many bases, and its report as JSON.

This module owns choosing the bases (the series' own, ``--base`` refs and
globs), running the applier on each (in parallel processes when there are
several, each in its own scratch object directory) and the JSON of SPEC's
``check``.  It prints nothing; the command in ``cli/check_cmd.py`` does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from patchtool.apply import ApplyResult, PatchResult, Problem, apply_series
from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.model import Patch, Series

_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class CheckReport:
    """The series checked on each base, in the order the bases were given."""

    series: Series
    results: tuple[ApplyResult, ...]

    @property
    def applies(self) -> bool:
        return all(r.applies for r in self.results)


def choose_bases(repo: GitRepo, series: Series, requested: Sequence[str]) -> list[tuple[str, str]]:
    """(label, commit) per base: ``requested`` refs and globs, else the series' own base.

    BadInput names a ref that does not resolve or a glob that matches nothing.
    """
    if not requested:
        ref = series.base_commit or series.base
        if not ref:
            raise BadInput("the series names no base (base-commit or base in series.toml): give --base")
        commit = repo.resolve(ref)
        return [(series.base or ref, commit)]
    bases: list[tuple[str, str]] = []
    for ref in requested:
        if _GLOB_CHARS & set(ref):
            names = repo.refs_matching(ref)
            if not names:
                raise BadInput(f"no tag or branch matches {ref!r}")
            bases += [(name, repo.resolve(name)) for name in names]
        else:
            bases.append((ref, repo.resolve(ref)))
    return list(dict.fromkeys(bases))


def _check_on(git_dir: str, work_tree: str | None, commit: str, patches: tuple[Patch, ...]) -> ApplyResult:
    # Runs in a worker process: a GitRepo of its own, a scratch store of its own.
    repo = GitRepo(Path(git_dir), Path(work_tree) if work_tree else None)
    with repo.scratch() as store:
        return apply_series(store, commit, patches)


def check_series(
    repo: GitRepo,
    series: Series,
    bases: Sequence[tuple[str, str]],
    *,
    jobs: int | None = None,
    on_done: Callable[[str], None] | None = None,
) -> CheckReport:
    """Apply the series on every base; several bases are checked in parallel processes."""
    jobs = jobs or os.cpu_count() or 1
    args = (str(repo.git_dir), str(repo.work_tree) if repo.work_tree else None)
    results: dict[int, ApplyResult] = {}
    if len(bases) == 1 or jobs == 1:
        for i, (label, commit) in enumerate(bases):
            results[i] = _check_on(*args, commit, series.patches)
            if on_done:
                on_done(label)
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=min(jobs, len(bases))) as pool:
            futures = {pool.submit(_check_on, *args, commit, series.patches): i
                       for i, (_, commit) in enumerate(bases)}
            for fut in as_completed(futures):
                i = futures[fut]
                results[i] = fut.result()
                if on_done:
                    on_done(bases[i][0])
    # The applier was given commit ids; report the names the user gave.
    labelled = tuple(_relabel(results[i], label) for i, (label, _) in enumerate(bases))
    return CheckReport(series=series, results=labelled)


def _relabel(result: ApplyResult, label: str) -> ApplyResult:
    return replace(result, base=label)


# -- JSON (SPEC "JSON of check"; extra keys only add) ----------------------------------------


def problem_json(p: Problem) -> dict[str, Any]:
    out: dict[str, Any] = {"file": p.file, "hunk": p.hunk, "message": p.message}
    if p.expected or p.actual:
        out.update(expected=list(p.expected), actual=list(p.actual), actual_line=p.actual_line)
    return out


def patch_result_json(r: PatchResult) -> dict[str, Any]:
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
    }


def check_json(report: CheckReport) -> dict[str, Any]:
    """The payload of ``check --json`` (``render.to_json`` adds ``"schema": 1``)."""
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
                "patches": [patch_result_json(p) for p in r.patches],
            }
            for r in report.results
        ],
    }
