"""NIPA's checks of the added code: ``header_inline``, ``source_inline`` and ``deprecated_api``.

Each reads a patch's ``+`` and ``-`` lines with the patterns of NIPA's
shell tests (``tests/patch/<name>/<name>.sh``), case and all:

* ``header_inline``: in a ``.h`` file, an added ``static`` function without
  ``inline`` (or ``__always_inline``), or a function defined on one line
  (``int foo(void) { ... }``) without it; macro lines (ending in ``\\``) are
  left alone.  Each copy of the header would get its own out-of-line
  function.  NIPA fails it (error).
* ``source_inline``: ``inline`` on an added line of a ``.c`` file, where
  the compiler knows better (Documentation/process/coding-style.rst,
  "the inline disease").  A patch that adds as many as it removes (moved
  code) gets a warning, one that changes the count an error, as in NIPA.
* ``deprecated_api``: each configured API (``[[lint.deprecated-api]]``,
  NIPA's list by default): more added than removed uses is a finding at the
  API's level; for an ``error`` API, any added use while the count does not
  grow is still a warning (NIPA's 250).

The kernel profile holds all three to warnings (``[lint.severity]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from patchtool.lint.config import DeprecatedApi
from patchtool.lint.findings import Context, Finding, Severity
from patchtool.lint.lines import added_lines, removed_lines
from patchtool.model import Patch

_STATIC_NO_INLINE = re.compile(r"^static (?!(__always_)?inline).*\(.*[^\\]$")
_ONE_LINE_FUNCTION = re.compile(r"^(static )?(?!(__always_)?inline )((unsigned|long|short) )*"
                                r"(char|bool|void|int|u[0-9]*) [0-9A-Za-z_]*\(.*\) *\{.*[^\\]$")
_INLINE = re.compile(r"^(?:[^*/]*\W)?inline\W", re.IGNORECASE)


def check(ctx: Context) -> Iterator[Finding]:
    for n, patch in enumerate(ctx.series.patches, 1):
        yield from _header_inline(n, patch)
        yield from _source_inline(n, patch)
        yield from _deprecated(n, patch, ctx.config.deprecated)


def _header_inline(n: int, patch: Patch) -> Iterator[Finding]:
    hits = [f"{a.path}:{a.line}" for a in added_lines(patch) if a.path.endswith(".h")
            and (_STATIC_NO_INLINE.search(a.text) or _ONE_LINE_FUNCTION.search(a.text))]
    if hits:
        more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
        yield Finding("header_inline", Severity.ERROR, n,
                      f"{len(hits)} static function{'s' if len(hits) != 1 else ''} without inline in a header, "
                      f"first at {hits[0]}{more}: make it static inline")


def _source_inline(n: int, patch: Patch) -> Iterator[Finding]:
    added = [f"{a.path}:{a.line}" for a in added_lines(patch) if a.path.endswith(".c") and _INLINE.search(a.text)]
    if not added:
        return
    removed = sum(1 for path, text in removed_lines(patch) if path.endswith(".c") and _INLINE.search(text))
    severity = Severity.WARNING if len(added) == removed else Severity.ERROR
    yield Finding("source_inline", severity, n,
                  f"inline in a .c file (was {removed}, now {len(added)}), first at {added[0]}: "
                  "let the compiler decide")


def _under(path: str, folders: tuple[str, ...]) -> bool:
    return not folders or any(path == f.rstrip("/") or path.startswith(f.rstrip("/") + "/") for f in folders)


def _deprecated(n: int, patch: Patch, apis: tuple[DeprecatedApi, ...]) -> Iterator[Finding]:
    for api in apis:
        new = [f"{a.path}:{a.line}" for a in added_lines(patch)
               if _under(a.path, api.paths) and api.pattern.search(a.text)]
        if not new:
            continue
        old = sum(1 for path, text in removed_lines(patch) if _under(path, api.paths) and api.pattern.search(text))
        where = f"'{api.name}' was: {old} now: {len(new)}, first at {new[0]}"
        if len(new) > old:
            severity = Severity.ERROR if api.level == "error" else Severity.WARNING
            yield Finding("deprecated_api", severity, n, f"new use of a deprecated API: {where}")
        elif api.level == "error":
            yield Finding("deprecated_api", Severity.WARNING, n, f"a deprecated API in the added lines: {where}")
