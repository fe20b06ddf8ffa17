"""The added (and removed) lines of a patch, with line numbers in the new file, for the rules that read code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from patchtool.model import FileChange, Hunk, Patch


@dataclass(frozen=True)
class AddedLine:
    """A line a patch adds, where it lands in the file after the patch."""

    path: str
    line: int  # 1-based, in the file after the patch
    text: str  # without the leading '+' and the newline
    hunk: Hunk


def added_lines(patch: Patch) -> Iterator[AddedLine]:
    for fc in patch.files:
        yield from file_added_lines(fc)


def file_added_lines(fc: FileChange) -> Iterator[AddedLine]:
    if fc.binary:
        return
    for hunk in fc.hunks:
        line = hunk.new_start
        for raw in hunk.lines:
            tag = raw[:1]
            if tag == "+":
                yield AddedLine(fc.path, line, raw[1:].rstrip("\n"), hunk)
                line += 1
            elif tag == " ":
                line += 1


def removed_lines(patch: Patch) -> Iterator[tuple[str, str]]:
    """(path, text) of every removed line, the path the file had before the patch."""
    for fc in patch.files:
        if fc.binary:
            continue
        for hunk in fc.hunks:
            for raw in hunk.lines:
                if raw[:1] == "-":
                    yield fc.old_path or fc.path, raw[1:].rstrip("\n")
