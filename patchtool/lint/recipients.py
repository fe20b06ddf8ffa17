"""Rule ``recipients``: the people and lists of every touched MAINTAINERS section are in To/Cc.

MAINTAINERS is read from the base commit and matched with get_maintainer.pl's
rules (``patchtool.maintainers``), patch by patch.  A missing M:/R: person or
L: list is a warning; one that only THE REST names (Linus,
linux-kernel@vger.kernel.org) is information, since most series are not
sent there.  The one who sends the series (the cover letter's From) need
not write to themselves.  ``missing`` also feeds ``lint --fix``, which adds
the warned-about entries to the series' ``cc``.

The files read are get_maintainer.pl's: the base's ``.get_maintainer.conf``
may add ``board/*/MAINTAINERS`` and the like (``patchtool.owners``).  Then an
info finding says which files were read, and a section from a file other
than the top ``MAINTAINERS`` is named with its file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from types import EllipsisType

from patchtool.addresses import address_list, parse_address
from patchtool.lint.findings import Context, Finding, Severity
from patchtool.maintainers import CHIEF_PENGUINS, Maintainers, Section, email_address, list_address
from patchtool.owners import maintainers_at

THE_REST = "THE REST"
_CHIEF_ADDRESSES = frozenset(email_address(c).casefold() for c in CHIEF_PENGUINS)


@dataclass(frozen=True)
class Missing:
    """A MAINTAINERS entry the series does not write to."""

    entry: str  # as --fix adds it to cc: "Name <address>" for people, the bare address for lists
    address: str
    role: str  # "M", "R" or "L"
    sections: tuple[str, ...]
    patches: tuple[int, ...]

    @property
    def only_the_rest(self) -> bool:
        return self.address.casefold() in _CHIEF_ADDRESSES or all(s == THE_REST for s in self.sections)


def people_of(entries: tuple[str, ...]) -> set[str]:
    """The addresses and names of To/Cc entries (``Name <a@b>``, ``a@b``, comma lists), case-folded."""
    pairs = address_list(entries)
    return {addr.casefold() for _, addr in pairs if addr} | {name.casefold() for name, _ in pairs if name}


def maintainers_of(ctx: Context) -> Maintainers | None:
    """The base's MAINTAINERS files for the series' paths; None without a repository, base or MAINTAINERS."""
    if ctx.repo is None or ctx.base is None:
        return None
    return maintainers_at(ctx.repo, ctx.base, only_paths=[p for patch in ctx.series.patches for p in patch.paths])


def missing(ctx: Context, table: Maintainers | EllipsisType | None = ...) -> list[Missing] | None:
    """The entries not written to, in the order get_maintainer.pl lists them; None without a MAINTAINERS.

    ``table``: what ``maintainers_of(ctx)`` gave, when the caller has it already.
    """
    if isinstance(table, EllipsisType):
        table = maintainers_of(ctx)
    if table is None:
        return None
    series = ctx.series
    present = people_of(series.to + series.cc)
    if series.cover.author and series.cover.author.email:
        present |= {series.cover.author.email.casefold(), series.cover.author.name.casefold()} - {""}
    found: list[Missing] = []
    index: dict[str, int] = {}  # address or name -> position in found
    for n, patch in enumerate(series.patches, 1):
        if not patch.paths:
            continue
        rec = table.recipients(patch.paths, chief_penguins=True)
        wanted = [*(("M", e) for e in rec.maintainers), *(("R", e) for e in rec.reviewers),
                  *(("L", e) for e in rec.lists)]
        for role, entry in wanted:
            address = list_address(entry) if role == "L" else email_address(entry)
            name = "" if role == "L" else parse_address(entry)[0]
            # get_maintainer.pl's rule: a person is one name, whichever address a section gives.
            keys = {address.casefold(), name.casefold()} - {""}
            if not address or keys & present:
                continue
            sections = _sections_naming(rec.sections, address.casefold(), role)
            at = next((index[k] for k in keys if k in index), None)
            if at is not None:
                old = found[at]
                patches = old.patches if old.patches[-1] == n else (*old.patches, n)
                found[at] = replace(old, sections=tuple(dict.fromkeys((*old.sections, *sections))), patches=patches)
                continue
            shown = address if role == "L" else " ".join(entry.split())
            index.update(dict.fromkeys(keys, len(found)))
            found.append(Missing(shown, address, role, sections, (n,)))
    return found


def _sections_naming(sections: tuple[Section, ...], key: str, role: str) -> tuple[str, ...]:
    def names(s: Section) -> tuple[str, ...]:
        return s.list_addresses() if role == "L" else s.emails()

    return tuple(section_label(s) for s in sections if any(a.casefold() == key for a in names(s)))


def section_label(section: Section) -> str:
    """The section's name, with its file when that is not the top MAINTAINERS."""
    return section.name if section.file == "MAINTAINERS" else f"{section.name} in {section.file}"


def _patches(numbers: tuple[int, ...]) -> str:
    return f"patch{'es' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"


def findings(ctx: Context, entries: list[Missing] | None, table: Maintainers | None = None) -> Iterator[Finding]:
    if entries is None:
        if ctx.repo is not None and ctx.base is not None:
            yield Finding("recipients", Severity.INFO, 0, "the base has no MAINTAINERS: recipients not checked")
        return
    if table is not None and table.source.configured:
        yield Finding("recipients", Severity.INFO, 0, table.source.describe())
    for m in entries:
        sections = ", ".join(m.sections) or "MAINTAINERS"
        if m.only_the_rest:
            yield Finding("recipients", Severity.INFO, 0,
                          f"{m.entry} ({m.role}: {sections}) is not in To/Cc ({_patches(m.patches)}); "
                          "only THE REST names it")
        else:
            yield Finding("recipients", Severity.WARNING, 0,
                          f"{m.entry} ({m.role}: {sections}) is not in To/Cc ({_patches(m.patches)})")
