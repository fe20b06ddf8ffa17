"""Trailer rules: ``signoff``, ``trailer-syntax`` and ``fixes``.

The DCO needs a ``Signed-off-by:`` from the patch's author; person trailers
must name a person (``Name <address>``); a ``Fixes:`` tag reads
``Fixes: 123456789abc ("subject")`` with at least 12 hex digits of a commit
the repository has, and that commit's own subject in the quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.utils import parseaddr

from patchtool.lint.findings import Context, Finding, Severity
from patchtool.model import Patch

PERSON_TRAILERS = frozenset(k.casefold() for k in (
    "Signed-off-by", "Co-developed-by", "Acked-by", "Reviewed-by", "Tested-by", "Reported-by",
    "Suggested-by", "Reported-and-tested-by", "Cc",
))
_FIXES = re.compile(r'^([0-9a-fA-F]+) \("(.*)"\)$')
_LEADING_ID = re.compile(r"^([0-9a-fA-F]{4,40})\b")
MIN_FIXES_ID = 12


def person_of(value: str) -> tuple[str, str] | None:
    """(name, address) of a trailer value, or None when it names no mail address.

    ``Cc: stable@vger.kernel.org # 5.10+``: the ``#`` comment is the kernel's
    stable-tree convention, not part of the address.
    """
    text = value.split(" #", 1)[0].strip()
    name, address = parseaddr(text)
    if "@" not in address or " " in address:
        return None
    return name, address


def check(ctx: Context) -> Iterator[Finding]:
    for n, patch in enumerate(ctx.series.patches, 1):
        yield from _syntax(n, patch)
        yield from _signoff(n, patch)
        yield from _fixes(ctx, n, patch)


def _syntax(n: int, patch: Patch) -> Iterator[Finding]:
    for t in patch.trailers:
        if t.is_note or t.key.casefold() not in PERSON_TRAILERS:
            continue
        if person_of(t.value) is None:
            severity = Severity.ERROR if t.key.casefold() == "signed-off-by" else Severity.WARNING
            yield Finding("trailer-syntax", severity, n,
                          f"'{t.key}: {t.value}' does not name a person as 'Name <address>'")


def _signoff(n: int, patch: Patch) -> Iterator[Finding]:
    signers = [p for t in patch.trailers if t.key.casefold() == "signed-off-by" if (p := person_of(t.value))]
    author_mail = patch.author.email.casefold()
    if any(addr.casefold() == author_mail for _, addr in signers):
        return
    by_name = [f"{name} <{addr}>" for name, addr in signers
               if name and name.casefold() == patch.author.name.casefold()]
    if by_name:
        yield Finding("signoff", Severity.WARNING, n,
                      f"the author signs off as {by_name[0]} but the patch is from {patch.author}")
    else:
        yield Finding("signoff", Severity.ERROR, n, f"no Signed-off-by: from the author, {patch.author}")


def _fixes(ctx: Context, n: int, patch: Patch) -> Iterator[Finding]:
    for t in patch.trailers:
        if t.key.casefold() != "fixes":
            continue
        value = " ".join(t.value.split())
        m = _FIXES.match(value)
        if m is None:
            yield Finding("fixes", Severity.ERROR, n,
                          f"'Fixes: {value}' should read 'Fixes: <12+ hex digits> (\"<its subject>\")'")
            lead = _LEADING_ID.match(value)
            if lead is None or ctx.repo is None:
                continue
            commit_id, quoted = lead.group(1), None
        else:
            commit_id, quoted = m.group(1), m.group(2)
            if len(commit_id) < MIN_FIXES_ID:
                yield Finding("fixes", Severity.ERROR, n,
                              f"'Fixes: {value}': the commit id needs at least {MIN_FIXES_ID} hex digits")
        if ctx.repo is None:
            continue
        sha = ctx.repo.try_resolve(commit_id)
        if sha is None:
            yield Finding("fixes", Severity.ERROR, n,
                          f"'Fixes: {value}': no commit {commit_id} in the repository (or it is ambiguous)")
            continue
        info = ctx.repo.commit_info([sha])[0]
        actual = " ".join(info.message.strip().split("\n\n", 1)[0].split())
        if quoted is not None and quoted != actual:
            yield Finding("fixes", Severity.ERROR, n,
                          f"'Fixes: {value}': commit {commit_id} is (\"{actual}\")")
