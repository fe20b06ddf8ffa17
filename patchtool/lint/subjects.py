"""Subject rules: ``subject-format``, ``subject-unique``, ``subject-period``, ``subject-length``, ``subject-prefix``.

Kernel subjects read ``subsys: summary`` (or ``subsys: part: summary``);
the prefix is whatever the files' history uses, so ``subject-prefix`` asks
``git log`` for the last subjects touching the patch's files in the base
tree and compares prefixes, comma lists (``audit,io_uring:``) and nested
ones (``net: dsa:``) included.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Iterator, Sequence

from patchtool.lint.findings import Context, Finding, Severity
from patchtool.model import ChangeKind, Patch

# checkpatch's limit for a line of the commit log; a subject over it wraps in
# every mail client and in `git log --oneline`.
MAX_SUBJECT = 75
HISTORY = 50
_TOKEN = re.compile(r'([^\s:"]+):\s+')


def prefix_chain(summary: str) -> tuple[tuple[str, ...], str]:
    """``net: dsa: fix x`` -> (("net", "dsa"), "fix x"); no prefix -> ((), summary)."""
    tokens: list[str] = []
    rest = summary.strip()
    while m := _TOKEN.match(rest):
        tokens.append(m.group(1))
        rest = rest[m.end():]
    return tuple(tokens), rest


def _parts(token: str) -> set[str]:
    return {p.casefold() for p in token.split(",") if p}


def prefixes_agree(ours: Sequence[str], theirs: Sequence[str]) -> bool:
    """Whether two prefix chains name the same subsystem: one extends the other, comma lists overlapping."""
    if not ours or not theirs:
        return False
    return all(_parts(a) & _parts(b) for a, b in zip(ours, theirs, strict=False))


def _is_revert(summary: str) -> bool:
    return summary.startswith('Revert "')


def check(ctx: Context) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for n, patch in enumerate(ctx.series.patches, 1):
        summary = patch.subject.summary
        yield from _format(n, summary)
        key = " ".join(summary.split()).casefold()
        if key in seen:
            yield Finding("subject-unique", Severity.ERROR, n, f"same subject as patch {seen[key]}: {summary!r}")
        else:
            seen[key] = n
    if ctx.repo is not None and ctx.base is not None:
        for n, patch in enumerate(ctx.series.patches, 1):
            yield from _prefix(ctx, n, patch)


def _format(n: int, summary: str) -> Iterator[Finding]:
    if not summary.strip():
        yield Finding("subject-format", Severity.ERROR, n, "empty subject")
        return
    chain, rest = prefix_chain(summary)
    if not _is_revert(summary) and (not chain or not rest):
        yield Finding("subject-format", Severity.WARNING, n,
                      f"subject is not of the form 'subsystem: summary': {summary!r}")
    if summary.rstrip().endswith(".") and not summary.rstrip().endswith("..."):
        yield Finding("subject-period", Severity.WARNING, n, "subject ends with a period")
    if len(summary) > MAX_SUBJECT:
        yield Finding("subject-length", Severity.WARNING, n,
                      f"subject is {len(summary)} characters (more than {MAX_SUBJECT})")


def history_paths(patch: Patch) -> list[str]:
    """The paths whose history names the patch's subsystem: its files, and a new file's folder."""
    paths = list(patch.paths)
    for fc in patch.files:
        if fc.kind is ChangeKind.ADD and fc.new_path and "/" in fc.new_path:
            paths.append(posixpath.dirname(fc.new_path))
    return list(dict.fromkeys(paths))


def _prefix(ctx: Context, n: int, patch: Patch) -> Iterator[Finding]:
    chain, _ = prefix_chain(patch.subject.summary)
    paths = history_paths(patch)
    if not chain or not paths or ctx.repo is None or ctx.base is None:
        return
    history = [prefix_chain(s)[0] for s in ctx.repo.log_subjects(ctx.base, paths, limit=HISTORY)
               if not _is_revert(s)]
    history = [h for h in history if h]
    if not history or any(prefixes_agree(chain, h) for h in history):
        return
    common = Counter(": ".join(h) for h in history).most_common(3)
    shown = ", ".join(f"'{p}:' ({c})" for p, c in common)
    yield Finding("subject-prefix", Severity.WARNING, n,
                  f"prefix '{': '.join(chain)}:' is not among those git log shows for these files; "
                  f"most common: {shown}")
