"""A series' base: set it, or guess it from the pre-image blobs of its ``index`` lines.

A thread posted without a ``base-commit:`` footer (StGit, many mailers)
still says which tree it was made on: each ``index <old>..<new>`` line
names the blob the file had before the patch.  ``guess_base`` finds the
commit whose tree holds those blobs at those paths, by b4's rules (``b4 am
--guess-base``): only the first pre-image of each path counts (a later
patch of the same file starts from the series' own result), new files
count for nothing, the search runs over the tags and branches in a window
of time ending a day after the series' newest mail and starting
``lookback_days`` before that, and the answer is the newest commit that
has every pre-image blob, else the one with the most (a "best match").

Why the few candidates suffice: take the newest commit X of the window
with the most matches.  If no commit of the window has X as parent, X is a
tip of the window (the ``frontier``).  Otherwise a child Y of X is newer
and, being no better, lacks a blob X has; then Y's diff against X has that
blob on its old side, and ``git log -m --find-object`` lists Y.  So X is a
frontier commit or a parent of a listed commit, and only those trees are
read (one ``cat-file --batch-check`` of ``<commit>:<path>``, newest first,
stopping at the first chunk that holds an exact match).  "Newest" is git's
``--date-order`` (no parent before its children), which makes the argument
hold even when committer dates go backwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from pathlib import Path

from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.model import Series
from patchtool.seriesdir import write_series

SEARCH_REFS = ("--branches", "--tags", "--remotes")
LOOKBACK_DAYS = 21  # b4's --guess-lookback default
_DAY = 86400
_SLACK = _DAY  # a mail's Date is the sender's clock; commits made up to a day later still count
_CHUNKS = (32, 256, 2048)  # candidates read per cat-file batch, newest first; then the rest


@dataclass(frozen=True)
class PreImage:
    """A file the series expects in its base: the path and the blob id its ``index`` line gives."""

    path: str
    blob: str  # as the patch wrote it: abbreviated (format-patch's default) or full, lower case


@dataclass(frozen=True)
class Guess:
    """The commit found, and how well its tree matches the series' pre-images."""

    commit: str
    name: str  # a tag or branch pointing at the commit, else the commit id
    matched: int
    total: int
    missing: tuple[str, ...]  # the paths whose pre-image blob the commit lacks
    candidates: int  # trees read to find it

    @property
    def exact(self) -> bool:
        return self.matched == self.total

    def describe(self) -> str:
        where = self.name if self.name == self.commit else f"{self.name} ({self.commit[:12]})"
        if self.exact:
            files = "file" if self.total == 1 else "files"
            return f"{where}: has the pre-image blob of all {self.total} {files}"
        shown = ", ".join(self.missing[:3]) + (", ..." if len(self.missing) > 3 else "")
        return f"best match: {self.matched} of {self.total} files, {where} (not matching: {shown})"


def pre_images(series: Series) -> tuple[PreImage, ...]:
    """The (path, blob) pairs the series' base must have, in patch order.

    A path an earlier patch touched (either side of a rename or copy) is
    skipped: its blob then comes from the series itself.  New files and
    changes without an ``index`` line (pure renames, mode changes) say nothing.
    """
    seen: set[str] = set()
    out: list[PreImage] = []
    for patch in series.patches:
        for change in patch.files:
            old, blob = change.old_path, (change.old_blob or "").lower()
            if old is not None and blob and set(blob) != {"0"} and old not in seen:
                out.append(PreImage(old, blob))
            seen.update(change.paths)
    return tuple(dict.fromkeys(out))


def series_date(series: Series) -> int | None:
    """The newest ``Date:`` of the series' mails (epoch seconds), None when none parses."""
    dates = [p.date for p in series.patches] + [series.cover.date or ""]
    stamps = []
    for text in dates:
        try:
            stamps.append(int(parsedate_to_datetime(text).timestamp()))
        except (TypeError, ValueError, IndexError):
            continue
    return max(stamps) if stamps else None


def _full_ids(repo: GitRepo, images: Sequence[PreImage]) -> dict[str, tuple[str, ...]]:
    """abbreviated blob -> every blob of the repository it can name (none: not in this repository)."""
    found = repo.object_ids(f"{i.blob}^{{blob}}" for i in images)
    out: dict[str, tuple[str, ...]] = {}
    for image in images:
        hit = found.get(f"{image.blob}^{{blob}}")
        if hit is not None:
            out[image.blob] = (hit[0],)
        elif len(image.blob) < 40:  # absent, or an abbreviation several objects share
            many = repo.objects_with_prefix(image.blob)
            kinds = repo.object_ids(many)
            out[image.blob] = tuple(oid for oid in many if kinds.get(oid, ("", ""))[1] == "blob")
        else:
            out[image.blob] = ()
    return out


def _day(stamp: int) -> str:
    import time

    return time.strftime("%Y-%m-%d", time.gmtime(stamp))


def guess_base(repo: GitRepo, series: Series, *, lookback_days: int = LOOKBACK_DAYS,
               refs: Sequence[str] = SEARCH_REFS) -> Guess:
    """The newest commit of ``refs`` in the window whose tree has every pre-image blob, else the
    one with the most; BadInput when no commit has any, or the repository has none of the blobs."""
    images = pre_images(series)
    if not images:
        raise BadInput(f"{series.name}: no index line names a pre-image blob (the series only adds files): "
                       "nothing to guess a base from; set one with `patchtool base SERIES REF`")
    full = _full_ids(repo, images)
    if not any(full.values()):
        raise BadInput(f"{series.name}: none of the {len(images)} pre-image blobs is in this repository: "
                       "the series was made on a tree it does not have")
    date = series_date(series)
    until = date + _SLACK if date is not None else None
    end = until if until is not None else repo.newest_commit_date(refs)
    since = max(0, end - lookback_days * _DAY) if end is not None else None
    walk = repo.walk_window(refs, since=since, until=until)
    changed = repo.commits_changing_objects([oid for ids in full.values() for oid in ids], refs,
                                            since=since, until=until)
    span = f"between {_day(since)} and {_day(end)}" if since is not None and end is not None else "in the window"
    if not walk:
        raise BadInput(f"{series.name}: no commit of the tags and branches {span} (try --lookback DAYS)")
    rank = {commit: i for i, (commit, _) in enumerate(walk)}
    has_child = {p for _, parents in walk for p in parents}
    wanted = {c for c, _ in walk if c not in has_child}
    for commit, parents in changed.items():
        wanted.add(commit)
        wanted.update(parents)
    candidates = sorted((c for c in wanted if c in rank), key=rank.__getitem__)
    best: tuple[int, str, tuple[str, ...]] | None = None
    read = 0
    for chunk in _chunks(candidates):
        read += len(chunk)
        trees = repo.object_ids(f"{c}:{i.path}" for c in chunk for i in images)
        for commit in chunk:
            missing = tuple(i.path for i in images
                            if not trees.get(f"{commit}:{i.path}", ("", ""))[0].startswith(i.blob))
            if best is None or len(missing) < len(best[2]):
                best = (rank[commit], commit, missing)
        if best is not None and not best[2]:
            break
    if best is None or len(best[2]) == len(images):
        raise BadInput(f"{series.name}: no commit of the tags and branches {span} has any of the "
                       f"{len(images)} pre-image blobs (try --lookback DAYS)")
    _, commit, missing = best
    names = repo.refs_at(commit)
    return Guess(commit, names[0] if names else commit, len(images) - len(missing), len(images), missing, read)


def _chunks(items: Sequence[str]) -> list[Sequence[str]]:
    out, start = [], 0
    for size in _CHUNKS:
        if start < len(items):
            out.append(items[start:start + size])
            start += size
    if start < len(items):
        out.append(items[start:])
    return out


def based_on(repo: GitRepo, series: Series, ref: str) -> Series:
    """``series`` aimed at ``ref``: ``base`` the name (an id when ``ref`` is not a tag or branch),
    ``base-commit`` the commit it resolves to; BadInput when it resolves to none."""
    commit = repo.resolve(ref)
    return replace(series, base=ref if repo.is_ref_name(ref) else commit, base_commit=commit)


def guessed(series: Series, guess: Guess) -> Series:
    return replace(series, base=guess.name, base_commit=guess.commit)


def store_base(folder: Path, series: Series) -> Series:
    """Write the series with its new base (the verified swap of ``write_series``); returns it as read back."""
    return write_series(series, folder)
