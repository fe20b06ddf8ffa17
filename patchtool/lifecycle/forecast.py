"""Before a rebase: which upstream commits between the old base and the new one touch the series' lines.

The series' hunks (their old side, context included) are mapped back to
the old base's line numbers, then carried forward through each upstream
commit's zero-context diff the way ``git log -L`` follows a range: a
commit whose hunk overlaps a range is listed, and later ranges shift by
what it added or removed above them.  Line numbers of a file that an
earlier patch of the series already changed are mapped back through that
patch's hunks, so they are as good as the patches' own headers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

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
