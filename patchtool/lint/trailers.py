"""Rule ``trailer-syntax``: person trailers name a person (``Name <address>``); ``person_of`` reads one.

The sign-off chain is ``signedoff.py`` (``verify_signedoff``), the
``Fixes:`` tags ``fixes.py`` (``verify_fixes``).
"""

from __future__ import annotations

from collections.abc import Iterator

from patchtool.addresses import parse_address
from patchtool.lint.findings import Context, Finding, Severity
from patchtool.model import Patch

PERSON_TRAILERS = frozenset(k.casefold() for k in (
    "Signed-off-by", "Co-developed-by", "Acked-by", "Reviewed-by", "Tested-by", "Reported-by",
    "Suggested-by", "Reported-and-tested-by", "Cc",
))


def person_of(value: str) -> tuple[str, str] | None:
    """(name, address) of a trailer value, or None when it names no mail address.

    ``Cc: stable@vger.kernel.org # 5.10+``: the ``#`` comment is the kernel's
    stable-tree convention, not part of the address.
    """
    text = value.split(" #", 1)[0].strip()
    if "@" not in text:  # no address in it, however it is read
        return None
    name, address = parse_address(text)
    if "@" not in address or " " in address:
        return None
    return name, address


def check(ctx: Context) -> Iterator[Finding]:
    for n, patch in enumerate(ctx.series.patches, 1):
        yield from _syntax(n, patch)


def _syntax(n: int, patch: Patch) -> Iterator[Finding]:
    for t in patch.trailers:
        if t.is_note or t.key.casefold() not in PERSON_TRAILERS:
            continue
        if person_of(t.value) is None:
            severity = Severity.ERROR if t.key.casefold() == "signed-off-by" else Severity.WARNING
            yield Finding("trailer-syntax", severity, n,
                          f"'{t.key}: {t.value}' does not name a person as 'Name <address>'")
