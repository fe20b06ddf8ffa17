"""A reworked branch or a new posting brought back into a stored series: ``update`` and ``reroll --from``.

The patches are replaced by the source's; every other part of the series
(title, version, RFC, prefix, To/Cc, cover prose and headers, change log,
links, history, render options, postings, unknown keys) is kept.  Old and
new patches are paired as ``git range-diff`` pairs them (``matching``);
each new patch is then ``unchanged`` (same ``git patch-id --stable``, same
message and author), ``edited``, or ``new``, each old one left over is
``dropped``, and a paired patch whose place among the others changed is
also ``reordered``.

Trailers the stored patch has and the new one lacks (review tags
collected from replies) are carried onto an unchanged patch; on an edited
one they are held back and reported, because whether a reviewer's tag
still holds for changed code is the maintainer's call.  Nothing here
prints: the functions return the new series and a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.lifecycle.matching import Pairing, keyed_diff, pair_patches
from patchtool.lifecycle.reroll import next_version
from patchtool.model import Patch, Series, Trailer
from patchtool.seriesdir import read_series, write_series
from patchtool.sources import load_source
from patchtool.sources.gitrange import read_range
from patchtool.sources.mail import patch_from_mail, read_mail

UNCHANGED, EDITED, NEW, DROPPED = "unchanged", "edited", "new", "dropped"


@dataclass(frozen=True)
class PatchUpdate:
    """What became of one patch.  ``old``/``new`` are 1-based numbers (None: absent on that side).

    ``changed`` says what an edited patch changed (``code``, ``message``,
    ``author``); ``carried`` are the collected trailers kept on it,
    ``held`` the ones not carried because it was edited.  ``loose``: an
    unchanged patch whose diff text still differs (whitespace, hunk
    context: what ``git patch-id`` ignores and ``range-diff`` shows).
    """

    status: str
    old: int | None
    new: int | None
    subject: str
    reordered: bool = False
    changed: tuple[str, ...] = ()
    carried: tuple[Trailer, ...] = ()
    held: tuple[Trailer, ...] = ()
    loose: bool = False

    @property
    def labels(self) -> tuple[str, ...]:
        """``("edited", "reordered")``: the status, and ``reordered`` when it applies."""
        return (self.status, "reordered") if self.reordered else (self.status,)


@dataclass(frozen=True)
class UpdateReport:
    """Every patch of both sides, in the order ``git range-diff`` lists them."""

    source: str
    patches: tuple[PatchUpdate, ...]
    old_base: str | None = None
    new_base: str | None = None  # set when the source sits on another base-commit
    source_version: int | None = None  # the version a mailed source's subjects say

    def having(self, status: str) -> tuple[PatchUpdate, ...]:
        return tuple(p for p in self.patches if p.status == status)

    @property
    def held(self) -> tuple[PatchUpdate, ...]:
        """The edited patches whose collected trailers were not carried over."""
        return tuple(p for p in self.patches if p.held)


# -- the source -------------------------------------------------------------------------


def load_update_source(source: str, series: Series, *, repo_path: str | Path = ".") -> tuple[str, Series]:
    """(the range or path read, the patches it holds): a range, an mbox, a folder, or a branch.

    A branch name means ``base..branch``, ``base`` being the series'
    ``base-commit`` (or ``base``).
    """
    if Path(source).exists() or ".." in source:
        return source, load_source(source, name=series.name, repo_path=repo_path)
    repo = GitRepo.open(repo_path)
    tip = repo.try_resolve(source)
    if tip is None:
        raise BadInput(f"no such file, folder, range or branch: {source}")
    base = series.base_commit if series.base_commit and repo.has_object(series.base_commit) else series.base
    if not base:
        raise BadInput(f"the series names no base: give the range BASE..{source}", source=series.name)
    if repo.rev_list("-n1", f"{tip}..{repo.resolve(base)}"):
        raise BadInput(f"{source} does not contain the series' base {base}: give the range NEWBASE..{source}")
    spec = f"{base}..{source}"
    return spec, read_range(repo, spec, name=series.name)


# -- pairing -> statuses ----------------------------------------------------------------------


def _moved(old_by_new: Sequence[int]) -> set[int]:
    """Positions outside one longest increasing run of old numbers: the patches that changed place."""
    n = len(old_by_new)
    length, prev = [1] * n, [-1] * n
    for k in range(n):
        for m in range(k):
            if old_by_new[m] < old_by_new[k] and length[m] + 1 > length[k]:
                length[k], prev[k] = length[m] + 1, m
    keep: set[int] = set()
    # Of equally long runs, the one ending last: a patch moved up is the one called moved.
    k = max(range(n), key=lambda x: (length[x], x)) if n else -1
    while k >= 0:
        keep.add(k)
        k = prev[k]
    return set(range(n)) - keep


def _compare(old: Patch, new: Patch, old_id: str | None,
             new_id: str | None) -> tuple[tuple[str, ...], tuple[Trailer, ...]]:
    """(what changed, the trailers collected on ``old`` that ``new`` lacks)."""
    collected = tuple(t for t in old.trailers if t.key and t not in new.trailers)
    kept = [t for t in old.trailers if t not in collected]
    changed = []
    if old_id != new_id or (old_id is None and old.diff != new.diff):
        changed.append("code")
    if (old.subject.summary, old.body) != (new.subject.summary, new.body) or kept != list(new.trailers):
        changed.append("message")
    if old.author != new.author:
        changed.append("author")
    return tuple(changed), collected


def _as_stored(patch: Patch) -> Patch:
    """The patch as the folder will read it (its notes and diffstat parsed), so a re-rendering keeps them."""
    if patch.raw is None:
        return patch
    name = patch.filename or "patch"
    return patch_from_mail(read_mail(patch.raw, name), name, filename=patch.filename)


def _paired(old: Patch, new: Patch, ids: tuple[str | None, str | None], numbers: tuple[int, int],
            moved: bool) -> tuple[PatchUpdate, Patch]:
    """The report line for a paired patch, and the patch the series keeps (collected trailers carried)."""
    changed, collected = _compare(old, new, *ids)
    if changed:
        return PatchUpdate(EDITED, *numbers, new.subject.summary, moved, changed=changed, held=collected), new
    kept = replace(_as_stored(new), trailers=old.trailers, raw=None) if collected else new
    return PatchUpdate(UNCHANGED, *numbers, new.subject.summary, moved, carried=collected,
                       loose=keyed_diff(old) != keyed_diff(new)), kept


def _new_base(series: Series, incoming: Series) -> tuple[str | None, str | None]:
    """(base, base-commit): the source's when it names another base-commit (a range from elsewhere, a footer)."""
    if not incoming.base_commit or incoming.base_commit == series.base_commit:
        return series.base, series.base_commit
    base = series.base if series.base == incoming.base else incoming.base or incoming.base_commit
    return base, incoming.base_commit


def update_patches(series: Series, incoming: Series, *, source: str = "") -> tuple[Series, UpdateReport]:
    """``series`` with the patches of ``incoming`` (collected trailers carried where unchanged), and the report."""
    old, new = series.patches, incoming.patches
    pairing: Pairing = pair_patches(old, new)
    ids = GitRepo.patch_ids([p.diff for p in old] + [p.diff for p in new])
    paired = [(i, j) for i, j in pairing.order if i is not None and j is not None]
    paired.sort(key=lambda pair: pair[1])
    moved = {paired[k][1] for k in _moved([i for i, _ in paired])}
    patches = list(new)
    entries = []
    for i, j in pairing.order:
        if i is not None and j is None:
            entries.append(PatchUpdate(DROPPED, i + 1, None, old[i].subject.summary))
        elif i is None and j is not None:
            entries.append(PatchUpdate(NEW, None, j + 1, new[j].subject.summary))
        elif i is not None and j is not None:
            entry, patches[j] = _paired(old[i], new[j], (ids[i], ids[len(old) + j]), (i + 1, j + 1), j in moved)
            entries.append(entry)
    base, base_commit = _new_base(series, incoming)
    mailed = bool(source) and Path(source).exists()  # an mbox or a folder: its subjects name a version
    report = UpdateReport(source=source, patches=tuple(entries), old_base=series.base_commit,
                          new_base=base_commit if base_commit != series.base_commit else None,
                          source_version=incoming.version if mailed else None)
    return replace(series, patches=tuple(patches), base=base, base_commit=base_commit), report


# -- the operations -----------------------------------------------------------------------


def update(folder: Path, source: str, *, repo_path: str | Path = ".",
           dry_run: bool = False) -> tuple[Series, UpdateReport]:
    """Replace the stored series' patches with those of ``source``; write it unless ``dry_run``."""
    series = read_series(folder)
    spec, incoming = load_update_source(source, series, repo_path=repo_path)
    updated, report = update_patches(series, incoming, source=spec)
    if not dry_run:
        updated = write_series(updated, folder)
    return updated, report


def changelog_draft(report: UpdateReport) -> str:
    """The new version's change log, drafted from the report for the maintainer to rewrite.

    Numbers are the new version's, except for dropped patches (which only
    the old version has).
    """
    lines = []
    for p in report.patches:
        if p.status == NEW:
            lines.append(f"- patch {p.new}: new ({p.subject})")
        elif p.status == DROPPED:
            lines.append(f"- patch {p.old}: dropped ({p.subject})")
        elif p.status == EDITED:
            moved = f", moved from {p.old}" if p.reordered else ""
            lines.append(f"- patch {p.new}: edited ({', '.join(p.changed)}{moved})")
        elif p.reordered:
            lines.append(f"- patch {p.new}: moved (was {p.old})")
    if report.new_base:
        lines.append(f"- rebased onto {report.new_base[:12]}")
    return "\n".join(lines) if lines else "- no changes to the patches"


def reroll_from(folder: Path, source: str, *, repo_path: str | Path = ".",
                rfc: bool | None = None) -> tuple[Series, UpdateReport]:
    """Reroll and update in one write: vN kept in history/vN, vN+1 with the source's patches and a change log draft."""
    series = read_series(folder)
    spec, incoming = load_update_source(source, series, repo_path=repo_path)
    updated, report = update_patches(next_version(series, rfc=rfc), incoming, source=spec)
    changes = dict(updated.changes)
    opened = changes.get(updated.version, "").strip("\n")
    draft = changelog_draft(report)
    changes[updated.version] = f"{opened}\n{draft}" if opened else draft
    updated = replace(updated, changes=MappingProxyType(changes))
    return write_series(updated, folder, archive_as=f"v{series.version}"), report
