"""Rebasing a series: re-applied on a new base in the object store, rewritten only if every patch lands.

Each patch is applied on the new base (three-way from its ``index`` blobs
where its context moved), committed in the scratch store with its own
author, date and message, and written back as ``git format-patch``
writes those commits, with the maintainer's notes (the words between
``---`` and the diffstat) carried over.  On any conflict nothing is
written: the report says which hunk of which patch, and what the base
has there.

A patch the new base already holds (the ``applied`` verdict: merged or
cherry-picked upstream) is never written as an empty patch: by default
the rebase refuses and names it; with ``drop_applied`` it is left out, the
rest renumbered, and the folder as it was is kept under
``history/vN-before-rebase`` in the same atomic swap, so the drop can be
undone by hand.  Before the swap the patches as written are applied again
on the new base and must make the computed tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from patchtool.apply import ApplyResult, Status, apply_series, make_commits
from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.lifecycle.forecast import upstream_copies
from patchtool.mailfmt import notes_block
from patchtool.model import Patch, Series
from patchtool.seriesdir import write_series
from patchtool.sources.gitrange import read_range
from patchtool.sources.mail import patch_from_mail, read_mail


@dataclass(frozen=True)
class Rebased:
    """The series on the new base, or why it is not written.

    ``result`` holds the verdict of every patch of the old series on ``onto``;
    ``series`` is what to write (None after a conflict, or when patches are
    already in ``onto`` and were not to be dropped); ``tree`` is the tree it
    makes there, ``git rebase``'s.
    """

    result: ApplyResult
    series: Series | None
    onto: str
    tree: str | None = None
    dropped: tuple[int, ...] = ()  # old numbers of the patches left out as already in onto
    upstream: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))  # patch -> same patch-id

    @property
    def applies(self) -> bool:
        return self.series is not None

    @property
    def refused(self) -> tuple[int, ...]:
        """The patches already in ``onto`` that stopped the rebase (``drop_applied`` was not given)."""
        return self.result.already_applied if self.series is None and self.result.applies else ()


def rebase_series(repo: GitRepo, series: Series, onto: str, *, drop_applied: bool = False,
                  on_stage: Callable[[str], None] | None = None) -> Rebased:
    """``series`` re-applied on ``onto``; its patches re-rendered from commits made there.
    ``on_stage`` hears the name of each stage as it starts (the CLI's progress line)."""
    stage = on_stage or (lambda _name: None)
    commit = repo.resolve(onto)
    with repo.scratch() as store:
        stage(f"applying {len(series.patches)} patches on {onto}")
        result = replace(apply_series(store, commit, series.patches), base=onto)
        upstream = _named_upstream(repo, series, commit, result.already_applied)
        if not result.applies or (result.already_applied and not drop_applied):
            return Rebased(result, None, onto, upstream=upstream)
        kept = [(p, r) for p, r in zip(series.patches, result.patches, strict=True) if r.status is not Status.APPLIED]
        base = onto if repo.is_ref_name(onto) else commit
        moved = replace(series, base=base, base_commit=commit)
        if not kept:  # the whole series is upstream: what git rebase leaves is onto itself
            return Rebased(result, replace(moved, patches=()), onto, result.base_tree, result.already_applied,
                           upstream)
        # An applied patch changed nothing, so the others' trees are the ones computed above.
        landed = replace(result, patches=tuple(replace(r, number=i) for i, (_, r) in enumerate(kept, 1)))
        old = [p for p, _ in kept]
        stage(f"making {len(kept)} commits")
        tips = make_commits(store, old, landed)
        stage("writing the patches as format-patch does")
        fresh = read_range(store, f"{commit}..{tips[-1]}", name=series.name)
    patches = carry_over(old, fresh.patches, renumber=bool(result.already_applied))
    return Rebased(result, replace(moved, patches=patches), onto, landed.result_tree, result.already_applied,
                   upstream)


def _named_upstream(repo: GitRepo, series: Series, commit: str, applied: Sequence[int]) -> Mapping[int, str]:
    """The upstream commits that are the applied patches (same patch-id), when the old base is known."""
    old = series.base_commit
    if not applied or not old or not repo.has_object(old):
        return MappingProxyType({})
    copies = upstream_copies(repo, series.patches, old, commit)
    return MappingProxyType({n: c for n, c in copies.items() if n in applied})


def store_rebased(repo: GitRepo, folder: Path, rebased: Rebased,
                  on_stage: Callable[[str], None] | None = None) -> tuple[Series, str | None]:
    """Write the rebased series; returns it as read back, and the history/ folder keeping the old one.

    When patches were dropped, the old version goes to ``history/`` in the
    same swap (``history_name``).  Before the swap the patches as written are applied on the new base
    again; unless each lands and together they make ``rebased.tree``, the
    old folder stays as it was (BadInput says what failed).
    """
    if rebased.series is None or rebased.tree is None:
        raise BadInput(f"not rebased onto {rebased.onto}: nothing to write", source=str(folder))
    commit, onto, want = rebased.result.commit, rebased.onto, rebased.tree

    def verify(written: Series) -> None:
        if on_stage is not None:
            on_stage("applying the patches as written, before the swap")
        with repo.scratch() as store:
            again = apply_series(store, commit, written.patches)
        for r in again.patches:
            if r.status is Status.CONFLICT or r.status is Status.APPLIED:
                why = "does not apply on" if r.status is Status.CONFLICT else "is already in"
                raise BadInput(f"rebased patch {r.number} ({r.patch.subject.summary}) as written {why} {onto}; "
                               "nothing changed", source=str(folder))
        if again.result_tree != want:
            raise BadInput(f"the patches as written make tree {again.result_tree}, they do not make the rebased "
                           f"tree {want}; nothing changed", source=str(folder))

    archive = history_name(folder, rebased.series.version) if rebased.dropped else None
    return write_series(rebased.series, folder, archive_as=archive, verify=verify), archive


def history_name(folder: Path, version: int) -> str:
    """``vN-before-rebase`` (``-2``, ``-3``, ... when taken): where a rebase that drops patches keeps the old folder.

    Not ``vN``: ``history/vN`` is a posted version (reroll, range-diff and
    ``cover --range-diff`` read it), and a rebase is not a posting.
    """
    name = f"v{version}-before-rebase"
    n = 1
    while (folder / "history" / name).exists():
        n += 1
        name = f"v{version}-before-rebase-{n}"
    return name


# -- carrying the maintainer's parts of each patch over to the re-rendered one ------------------

_FORMAT_PATCH_NAME = re.compile(r"^(v\d+-)?\d{4}-")


def carry_over(old: Sequence[Patch], fresh: Sequence[Patch], *, renumber: bool) -> tuple[Patch, ...]:
    """The re-rendered patches with the old ones' file names (renumbered if asked) and notes."""
    out = []
    for n, (was, new) in enumerate(zip(old, fresh, strict=True), 1):
        name = was.filename or new.filename
        if renumber and name and (m := _FORMAT_PATCH_NAME.match(name)):
            name = f"{m.group(1) or ''}{n:04d}-{name[m.end():]}"
        out.append(with_notes(replace(new, filename=name), was.notes))
    return tuple(out)


def with_notes(patch: Patch, notes: str) -> Patch:
    """``patch`` (as format-patch wrote it) with ``notes`` after ``---`` and before the diffstat,
    where ``git format-patch --notes`` puts them (``mailfmt.notes_block``)."""
    if not notes or patch.raw is None:
        return patch
    raw = patch.raw
    diff_at = raw.find(b"\ndiff --git ")
    cut = raw.rfind(b"\n---\n", 0, diff_at if diff_at >= 0 else len(raw))
    if cut < 0:
        return patch
    cut += len(b"\n---\n")
    text = raw[:cut] + notes_block(notes).encode("utf-8", "surrogateescape") + raw[cut:]
    source = patch.filename or patch.subject.summary
    return patch_from_mail(read_mail(text, source), source, filename=patch.filename)
