"""Rules ``wip-marker`` and ``debug-print``: work not meant for merging.

``wip-marker`` reads the subject, body and trailers for the words people
put on patches they do not want applied: ``DO NOT MERGE``/``DO NOT COMMIT``
(error), ``dev/test``, ``HACK``, ``WIP``, ``debug`` (warning).  Subjects are
read case-blind; in the body only the shouted forms count (``HACK``,
``DEBUG``, ``debug only``), because kernel prose says "a hack" or "debug
output" about other code all the time.

``debug-print`` reads the added lines of C files for the calls left in
from debugging: ``trace_printk()`` (error: the kernel then allocates extra
trace buffers and prints a warning banner at boot) and ``printk()``, ``pr_debug()``,
``pr_devel()``, ``pr_info()``, ``dump_stack()`` (warning).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from patchtool.lint.findings import Context, Finding, Severity
from patchtool.lint.lines import added_lines
from patchtool.lint.subjects import prefix_chain
from patchtool.model import Patch

# (label, severity, pattern in the subject, pattern in body and trailers)
_MARKERS: tuple[tuple[str, Severity, re.Pattern[str], re.Pattern[str]], ...] = (
    ("DO NOT MERGE", Severity.ERROR,
     re.compile(r"\bdo[ _-]not[ _-](merge|apply)\b", re.I), re.compile(r"\bDO[ _-]NOT[ _-](MERGE|APPLY)\b")),
    ("DO NOT COMMIT", Severity.ERROR,
     re.compile(r"\bdo[ _-]not[ _-]commit\b", re.I), re.compile(r"\bDO[ _-]NOT[ _-]COMMIT\b")),
    ("dev/test", Severity.WARNING, re.compile(r"\bdev/test\b", re.I), re.compile(r"\bdev/test\b", re.I)),
    ("HACK", Severity.WARNING, re.compile(r"\bhack\b", re.I), re.compile(r"\bHACK\b")),
    ("WIP", Severity.WARNING, re.compile(r"\bWIP\b", re.I), re.compile(r"\bWIP\b")),
    ("debug", Severity.WARNING,
     re.compile(r"\bdebug(ging)?\b", re.I), re.compile(r"\bDEBUG\b|(?i:\bdebug(?:ging)? only\b)")),
)

_DEBUG_CALL = re.compile(r"\b(trace_printk|printk|pr_debug|pr_devel|pr_info|dump_stack)\s*\(")
_C_FILE = re.compile(r"\.(c|h)$")
_COMMENT = re.compile(r"^\s*(/\*|\*|//)")


def check(ctx: Context) -> Iterator[Finding]:
    for n, patch in enumerate(ctx.series.patches, 1):
        yield from _markers(n, patch)
        yield from _debug_prints(n, patch)


def _markers(n: int, patch: Patch) -> Iterator[Finding]:
    places = {
        "subject": patch.subject.summary,
        "body": patch.body,
        "trailers": "\n".join(str(t) for t in patch.trailers),
    }
    # "x86/debug: ..." names a subsystem, not debugging work.
    summary_only = prefix_chain(patch.subject.summary)[1]
    for label, severity, in_subject, in_text in _MARKERS:
        where = [place for place, text in places.items()
                 if (in_subject.search(summary_only if label == "debug" else text) if place == "subject"
                     else in_text.search(text))]
        if where:
            yield Finding("wip-marker", severity, n,
                          f"'{label}' in the {' and '.join(where)}: work not meant for merging")


def _debug_prints(n: int, patch: Patch) -> Iterator[Finding]:
    calls: Counter[str] = Counter()
    first: dict[str, str] = {}
    for added in added_lines(patch):
        if not _C_FILE.search(added.path) or _COMMENT.match(added.text):
            continue
        for m in _DEBUG_CALL.finditer(added.text):
            calls[m.group(1)] += 1
            first.setdefault(m.group(1), f"{added.path}:{added.line}")
    if not calls:
        return
    for severity in (Severity.ERROR, Severity.WARNING):
        names = [c for c in calls if (c == "trace_printk") == (severity is Severity.ERROR)]
        if not names:
            continue
        count = sum(calls[c] for c in names)
        what = ", ".join(f"{c}() x{calls[c]}" for c in names)
        yield Finding("debug-print", severity, n,
                      f"adds {count} debug print{'s' if count != 1 else ''} ({what}), first at {first[names[0]]}")
