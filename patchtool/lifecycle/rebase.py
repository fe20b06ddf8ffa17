"""Rebasing a series: re-applied on a new base in the object store, rewritten only if every patch lands.

Each patch is applied on the new base (three-way from its ``index`` blobs
where its context moved), committed in the scratch store with its own
author, date and message, and written back as ``git format-patch``
writes those commits.  On any conflict nothing is written: the report
says which hunk of which patch, and what the base has there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from patchtool.apply import ApplyResult, apply_series, make_commits
from patchtool.gitrepo import GitRepo
from patchtool.model import Series
from patchtool.sources.gitrange import read_range


@dataclass(frozen=True)
class Rebased:
    """The series on the new base (None when a patch did not land) and the applier's verdicts."""

    result: ApplyResult
    series: Series | None

    @property
    def applies(self) -> bool:
        return self.series is not None


def rebase_series(repo: GitRepo, series: Series, onto: str) -> Rebased:
    """``series`` re-applied on ``onto``; its patches re-rendered from commits made there."""
    commit = repo.resolve(onto)
    with repo.scratch() as store:
        result = apply_series(store, commit, series.patches)
        result = replace(result, base=onto)
        if not result.applies:
            return Rebased(result, None)
        tips = make_commits(store, series.patches, result)
        fresh = read_range(store, f"{commit}..{tips[-1]}", name=series.name)
    # Keep the maintainer's file names (format-patch would give the same ones unless a subject changed).
    patches = tuple(replace(new, filename=old.filename or new.filename)
                    for new, old in zip(fresh.patches, series.patches, strict=True))
    base = onto if repo.is_ref_name(onto) else commit
    return Rebased(result, replace(series, patches=patches, base=base, base_commit=commit))
