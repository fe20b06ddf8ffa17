"""Before a rebase: which upstream commits between the old base and the new one touch the series' lines.

The series' hunks (their old side, context included) are mapped back to
the old base's line numbers, then carried forward through each upstream
commit's zero-context diff the way ``git log -L`` follows a range: a
commit whose hunk overlaps a range is listed, and later ranges shift by
what it added or removed above them.  Line numbers of a file that an
earlier patch of the series already changed are mapped back through that
patch's hunks, so they are as good as the patches' own headers.

Some of those commits may be the series itself, merged or cherry-picked:
``upstream_copies`` names them by ``git patch-id --stable`` (what ``git
rebase`` compares to skip "patch contents already upstream"), and
``forecast_rebase`` adds which patches the new base already holds by
content (the ``applied`` verdict), which also catches an equivalent change
made upstream with other context, where no patch-id matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from patchtool.apply import apply_series
from patchtool.gitrepo import GitRepo
from patchtool.model import ChangeKind, Patch

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


@dataclass(frozen=True)
class Touch:
    commit: str
    subject: str
    path: str
    lines: tuple[int, int]  # the series' range it touched, in the old base's numbering
    patches: tuple[int, ...]  # the patches whose hunks those lines are
    upstream_of: tuple[int, ...] = ()  # the patches this commit is (same patch-id): not a collision


@dataclass(frozen=True)
class Upstream:
    """A patch of the series that an upstream commit is, by ``git patch-id --stable``."""

    patch: int
    commit: str
    subject: str


@dataclass(frozen=True)
class Forecast:
    touches: tuple[Touch, ...]
    upstream: tuple[Upstream, ...]  # patches with a patch-id twin in old..new
    applied: tuple[int, ...]  # patches whose changes the new base holds (by content)

    @property
    def upstream_map(self) -> dict[int, str]:
        return {u.patch: u.commit for u in self.upstream}


def series_ranges(patches: Sequence[Patch]) -> dict[str, list[tuple[int, int, int]]]:
    """path -> (first, last, patch number) line ranges of the old base each hunk reads."""
    ranges: dict[str, list[tuple[int, int, int]]] = {}
    # Per path, (start in the current numbering, lines added - removed) of every hunk applied so far.
    shifts: dict[str, list[tuple[int, int]]] = {}
    for number, patch in enumerate(patches, 1):
        for change in patch.files:
            if change.kind is ChangeKind.ADD or change.old_path is None or change.binary:
                continue
            path = change.old_path
            earlier = shifts.get(path, [])
            for hunk in change.hunks:
                if hunk.old_len == 0:
                    continue
                back = sum(delta for start, delta in earlier if start < hunk.old_start)
                first = hunk.old_start - back
                ranges.setdefault(path, []).append((first, first + hunk.old_len - 1, number))
            shifts.setdefault(path, []).extend((h.new_start, h.new_len - h.old_len) for h in change.hunks)
    return ranges


def forecast(repo: GitRepo, patches: Sequence[Patch], old_base: str, new_base: str) -> tuple[Touch, ...]:
    """The upstream commits in ``old_base..new_base`` that change lines the series' hunks read."""
    ranges = {path: [[a, b, n] for a, b, n in spans] for path, spans in series_ranges(patches).items()}
    if not ranges:
        return ()
    out = repo.run("log", "--reverse", "--no-merges", "-p", "-U0", "--no-renames", "--format=%x00%H%x00%s",
                   f"{repo.resolve(old_base)}..{repo.resolve(new_base)}", "--", *sorted(ranges))
    touches: list[Touch] = []
    for commit, subject, diff in _records(out):
        for path, hunks in _file_hunks(diff).items():
            spans = ranges.get(path)
            if not spans:
                continue
            for old_start, old_len, _new_len in hunks:
                for first, last, number in spans:
                    if old_len:  # lines old_start .. old_start+old_len-1 change
                        hit = old_start <= last and old_start + old_len - 1 >= first
                    else:  # lines go in after line old_start
                        hit = first <= old_start < last
                    if hit:
                        touches.append(Touch(commit, subject, path, (first, last), (number,)))
            for span in spans:  # what the commit added or removed above a line moves it
                span[0] += sum(n - o for s, o, n in hunks if (s + o - 1 if o else s) < span[0])
                span[1] += sum(n - o for s, o, n in hunks if (s + o - 1 if o else s) < span[1])
    return tuple(dict.fromkeys(touches))


def _records(out: bytes) -> list[tuple[str, str, str]]:
    """(commit, subject, zero-context diff) from ``log --format=%x00%H%x00%s -p``."""
    fields = out.decode("utf-8", "surrogateescape").split("\x00")[1:]
    records = []
    for sha, rest in zip(fields[0::2], fields[1::2], strict=False):
        subject, _, diff = rest.partition("\n")
        records.append((sha.strip(), subject, diff))
    return records


def _file_hunks(diff: str) -> dict[str, list[tuple[int, int, int]]]:
    """path -> (old start, old length, new length) of each zero-context hunk."""
    found: dict[str, list[tuple[int, int, int]]] = {}
    current = None
    for line in diff.split("\n"):
        if line.startswith("--- a/"):
            current = line[6:]
        elif line.startswith("--- /dev/null"):
            current = None
        elif current and (m := _HUNK.match(line)):
            old_len = int(m.group(2)) if m.group(2) is not None else 1
            new_len = int(m.group(4)) if m.group(4) is not None else 1
            found.setdefault(current, []).append((int(m.group(1)), old_len, new_len))
    return found


def _patch_ids(repo: GitRepo, text: str) -> dict[str, str]:
    """label -> patch-id for each ``commit <label>`` record of ``text`` (``git patch-id --stable``)."""
    out = repo.run("patch-id", "--stable", input=text.encode("utf-8", "surrogateescape")).decode()
    return {label: pid for pid, label in (line.split() for line in out.splitlines() if line.strip())}


def upstream_copies(repo: GitRepo, patches: Sequence[Patch], old_base: str, new_base: str) -> dict[int, str]:
    """patch number -> the first commit of ``old_base..new_base`` with the patch's patch-id.

    Only commits touching the series' paths are read (``--full-diff``: their
    whole diff, so the patch-id is the commit's own, as ``git rebase`` and
    ``git cherry`` compute it).
    """
    paths = sorted({path for p in patches for path in p.paths})
    if not paths:
        return {}
    # patch-id wants 40 hex digits after "commit": the patch number stands in for the id.
    ours = _patch_ids(repo, "".join(f"commit {n:040x}\n{p.diff}" for n, p in enumerate(patches, 1) if p.diff))
    wanted: dict[str, int] = {}
    for label, pid in ours.items():
        wanted.setdefault(pid, int(label, 16))
    log = repo.run("log", "--reverse", "--no-merges", "-p", "--full-diff", "--binary", "-M", "--format=commit %H",
                   f"{repo.resolve(old_base)}..{repo.resolve(new_base)}", "--", *paths,
                   env={"GIT_LITERAL_PATHSPECS": "1"})
    theirs = _patch_ids(repo, log.decode("utf-8", "surrogateescape")) if log.strip() else {}
    found: dict[int, str] = {}
    for commit, pid in theirs.items():  # patch-id prints them in log order, oldest first
        if pid in wanted:
            found.setdefault(wanted[pid], commit)
    return dict(sorted(found.items()))


def forecast_rebase(repo: GitRepo, patches: Sequence[Patch], old_base: str, new_base: str) -> Forecast:
    """The touches, which of them are the series' own patches upstream, and what ``new_base`` holds already."""
    copies = upstream_copies(repo, patches, old_base, new_base)
    subjects = {c.sha: c.message.split("\n", 1)[0] for c in repo.commit_info(dict.fromkeys(copies.values()))}
    is_patch: dict[str, tuple[int, ...]] = {}
    for number, commit in copies.items():
        is_patch[commit] = (*is_patch.get(commit, ()), number)
    touches = tuple(replace(t, upstream_of=is_patch.get(t.commit, ())) for t in forecast(repo, patches, old_base,
                                                                                         new_base))
    with repo.scratch() as store:
        applied = apply_series(store, repo.resolve(new_base), patches).already_applied
    upstream = tuple(Upstream(n, c, subjects.get(c, "")) for n, c in copies.items())
    return Forecast(touches, upstream, applied)
