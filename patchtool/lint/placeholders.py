"""Rules ``placeholder`` and ``changelog``: what an untouched template or a fresh reroll leaves behind.

``git format-patch --cover-letter`` writes ``*** SUBJECT HERE ***`` and
``*** BLURB HERE ***`` for the author to replace; one left in the title,
the cover letter or a patch is an error, for it goes out verbatim.

``reroll`` opens an empty change-log entry for the new version; posted
empty it renders as a bare ``Changes in v2:``.  An empty entry for the
version being posted is a warning, whether it is the ``[changes]`` entry
of series.toml or a ``Changes in v2:`` / ``v2:`` / ``v1 -> v2:`` heading
with nothing under it in the cover letter or a patch's notes.  Headings of
other versions are not this posting's business.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from patchtool.lint.findings import Context, Finding, Severity

_PLACEHOLDER = re.compile(r"\*\*\* [A-Z][A-Z ]* HERE \*\*\*")
# "Changes in v2:", "Changes since v1:", "v2:", "v1 -> v2:", "Changes v1..v2:", "v2 changes:"
_HEADING = re.compile(
    r"^\s*(?:changes\s+)?(?:(?P<since>since|from)\s+|in\s+|for\s+)?v(?P<a>\d+)"
    r"(?:\s*(?:->|=>|\.\.|to|-)\s*v(?P<b>\d+))?(?:\s+changes)?\s*:?\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^\s*(?:---+|--)\s*$")


def check(ctx: Context) -> Iterator[Finding]:
    series = ctx.series
    places = [(0, "title", series.title), (0, "cover letter", series.cover.prose)]
    places += [(n, "patch", f"{p.subject.summary}\n{p.body}\n{p.notes}") for n, p in enumerate(series.patches, 1)]
    for n, where, text in places:
        if m := _PLACEHOLDER.search(text):
            yield Finding("placeholder", Severity.ERROR, n,
                          f"'{m.group(0)}' in the {where}: git format-patch's placeholder, never filled in")
    version = series.version
    if version in series.changes and not series.changes[version].strip():
        yield Finding("changelog", Severity.WARNING, 0,
                      f"the change log of v{version} in series.toml is empty: say what changed since v{version - 1}")
    for n, where, text in [(0, "cover letter", series.cover.prose),
                           *((n, "notes", p.notes) for n, p in enumerate(series.patches, 1))]:
        if heading := empty_heading(text, version):
            yield Finding("changelog", Severity.WARNING, n,
                          f"'{heading}' in the {where} has nothing under it: say what changed")


def heading_version(line: str) -> int | None:
    """The version a change-log heading is for: ``v1 -> v2:`` and ``Changes since v1:`` are for v2."""
    m = _HEADING.match(line)
    if m is None:
        return None
    if m.group("b"):
        return int(m.group("b"))
    return int(m.group("a")) + 1 if m.group("since") else int(m.group("a"))


def empty_heading(text: str, version: int) -> str | None:
    """The first heading for ``version`` followed by nothing but blanks, another heading or a separator."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if heading_version(line) != version:
            continue
        following = next((ln for ln in lines[i + 1:] if ln.strip()), None)
        if following is None or heading_version(following) is not None or _SEPARATOR.match(following):
            return line.strip()
    return None
