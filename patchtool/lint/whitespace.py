"""Rule ``whitespace``: what ``git apply --whitespace=error`` rejects in added lines.

git's default ``core.whitespace`` is ``blank-at-eol,space-before-tab,blank-at-eof``:

* blank-at-eol: an added line ending in spaces, tabs or a CR ("trailing whitespace");
* space-before-tab: a tab in the indent after a space, looked for only
  before the trailing whitespace starts ("space before tab in indent");
* blank-at-eof: a hunk that reaches the end of the file and adds blank
  lines there, blank context lines in between allowed ("new blank line at
  EOF", once per hunk, at the first of those lines).

Messages are git's.  Whether a hunk reaches the end of the file is judged
from the patch alone: fewer trailing context lines than the 3 git writes
means the file ended there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from patchtool.lint.findings import Context, Finding, Severity
from patchtool.lint.lines import added_lines
from patchtool.model import Hunk, Patch

# git's isspace(): space, tab, LF and CR (not VT or FF).
_SPACE = " \t\n\r"
DEFAULT_CONTEXT = 3
SHOWN_PER_PATCH = 5


@dataclass(frozen=True)
class WhitespaceError:
    """A whitespace error ``git apply --whitespace=error`` would stop at."""

    path: str
    line: int  # in the file after the patch
    message: str  # git's words, e.g. "trailing whitespace"
    text: str  # the added line


def line_errors(text: str) -> list[str]:
    """git's ``ws_check`` on one added line: the names of the errors it finds, in git's order."""
    trailing = len(text)
    while trailing > 0 and text[trailing - 1] in _SPACE:
        trailing -= 1
    errors = []
    if trailing < len(text):
        errors.append("trailing whitespace")
    written = 0
    for i, ch in enumerate(text[:trailing]):
        if ch == " ":
            continue
        if ch != "\t":
            break
        if written < i:
            errors.append("space before tab in indent")
            break
        written = i + 1
    return errors


def _is_blank(text: str) -> bool:
    return all(ch in _SPACE for ch in text)


def _blank_at_eof(hunk: Hunk) -> int | None:
    """Index (in the hunk's added lines) of the first added blank line at EOF, or None."""
    body = [line for line in hunk.lines if not line.startswith("\\")]
    trailing = 0
    for line in reversed(body):
        if not line.startswith(" "):
            break
        trailing += 1
    if trailing >= DEFAULT_CONTEXT:
        return None
    run_start = None
    added_index = -1
    for line in body:
        tag, text = line[:1], line[1:]
        if tag == "+":
            added_index += 1
            if _is_blank(text):
                if run_start is None:
                    run_start = added_index
            else:
                run_start = None
        elif tag == " " and _is_blank(text):
            continue
        else:
            run_start = None
    return run_start


def whitespace_errors(patch: Patch) -> list[WhitespaceError]:
    """Every error in git's order: the line errors of the whole patch (git finds them while
    parsing), then the blank lines at EOF (found while applying, file by file)."""
    found: list[WhitespaceError] = []
    at_eof: list[WhitespaceError] = []
    eof_at: dict[int, int] = {}  # id(hunk) -> index of its first blank added line at EOF
    counter: dict[int, int] = {}
    for added in added_lines(patch):
        key = id(added.hunk)
        if key not in eof_at:
            first = _blank_at_eof(added.hunk)
            eof_at[key] = -1 if first is None else first
            counter[key] = -1
        counter[key] += 1
        messages = line_errors(added.text)
        if messages:
            found.append(WhitespaceError(added.path, added.line, ", ".join(messages), added.text))
        if counter[key] == eof_at[key]:
            at_eof.append(WhitespaceError(added.path, added.line, "new blank line at EOF", added.text))
    return found + at_eof


def check(ctx: Context) -> Iterator[Finding]:
    for n, patch in enumerate(ctx.series.patches, 1):
        errors = whitespace_errors(patch)
        for e in errors[:SHOWN_PER_PATCH]:
            yield Finding("whitespace", Severity.ERROR, n, f"{e.path}:{e.line}: {e.message}")
        if len(errors) > SHOWN_PER_PATCH:
            yield Finding("whitespace", Severity.ERROR, n,
                          f"... and {len(errors) - SHOWN_PER_PATCH} more whitespace errors")
