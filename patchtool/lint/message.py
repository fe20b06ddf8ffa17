"""Commit message rules: ``body-empty`` and ``body-line-length``.

A patch should say why, so an empty body is worth a warning.  Lines wrap
at 75 columns (checkpatch's COMMIT_LOG_LONG_LINE), except what must not be
wrapped: URLs, quoted logs and code (indented or ``>``-quoted), kernel log
lines (``[   12.345678] ...``), a single long token such as a path, and
trailer-like lines (``Link:``, ``Closes:``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from patchtool.lint.findings import Context, Finding, Severity

MAX_LINE = 75
_EXEMPT = re.compile(
    r"://"  # a URL anywhere in the line
    r"|^\s"  # indented: a quoted log, code, a backtrace
    r"|^>"  # quoted mail
    r"|^\[\s*\d+\.\d+\]"  # dmesg timestamp
    r"|^(?:Link|BugLink|Closes|Fixes|Cc|[A-Za-z-]+-by): "  # a trailer quoted in the prose
)


def check(ctx: Context) -> Iterator[Finding]:
    for n, patch in enumerate(ctx.series.patches, 1):
        if not patch.body.strip():
            yield Finding("body-empty", Severity.WARNING, n, "the commit message has no body: say why")
            continue
        long_lines = [
            (i, line) for i, line in enumerate(patch.body.split("\n"), 1)
            if len(line) > MAX_LINE and " " in line.strip() and not _EXEMPT.search(line)
        ]
        if long_lines:
            first, line = long_lines[0]
            more = f" (and {len(long_lines) - 1} more)" if len(long_lines) > 1 else ""
            yield Finding("body-line-length", Severity.WARNING, n,
                          f"commit message line {first} is {len(line)} characters (more than {MAX_LINE}){more}")
