"""``status``: can the series go out (as a pull request)?  Trailers per patch, acks per MAINTAINERS section.

This module owns the answer as data; ``patchtool/cli/status_cmd.py`` prints it.

Which sections a patch answers to
---------------------------------
The sections of the *base* tree's MAINTAINERS that own the paths the patch
reads or writes (``Patch.paths``: both sides of a rename), matched with
get_maintainer.pl's rules (``patchtool.maintainers``, MAINTAINERS read for
the series' paths only, as ``diffstat --by subsystem`` and lint's recipients
rule read it).  By default a file answers to its *most specific* section:
the patch goes in through the tree of the maintainer closest to the file,
and the maintainers of the sections above it (``drivers/net/`` above
``drivers/net/ethernet/intel/``) take that tree's pull request rather than
ack each patch.  Sections tied at the deepest level all count (get_maintainer
breaks such ties at random; dropping one would hide a maintainer).
``all_sections=True`` asks every section that owns the file, as
get_maintainer.pl's default output lists them.  ``K:`` keyword sections are
not asked (they follow words in the patch, not the files it touches).

What covers a patch for a section
---------------------------------
* An ``Acked-by:`` or ``Reviewed-by:`` from one of the section's ``M:`` or
  ``R:`` people.  ``Tested-by:``, ``Reported-by:``, ``Suggested-by:`` and the
  rest are shown per patch but are not consent.
* The patch's author being one of its ``M:`` people ("author is a
  maintainer": in the kernel a maintainer does not ack their own patch), or a
  ``Signed-off-by:`` from one of them (a maintainer who signs off a patch has
  taken it into their tree).  An ``R:`` reviewer's own patch still needs a
  maintainer: reviewers review, maintainers decide.
* A person is matched by address, case-insensitively, and failing that by
  name (case and spacing ignored, quotes dropped): maintainers ack from other
  addresses than MAINTAINERS lists (work and personal mail), and
  get_maintainer.pl itself treats one name as one person when it removes
  duplicates.  A name match is reported as such (``matched="name"``) so a
  namesake cannot pass unseen; it is only ever tried against the few people
  of the section in question.

A section is ``ok`` when *every* patch that touches it is covered (the
question "has every subsystem I touch signed off on the patches that touch
it"), ``missing`` otherwise (its uncovered patches listed), and ``info``
when it waits for nobody: THE REST, and sections without an ``M:``/``R:``
address (lists only, orphans).  The series is ready when no section is
``missing``.

Without a base in the repository (or without a repository) ``sections`` is
None and ``note`` says why: the per-patch trailers are still there.  A base
without MAINTAINERS has no sections to wait for (``sections == ()``, a note).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from email.utils import parseaddr
from typing import Literal

from patchtool.gitrepo import GitRepo
from patchtool.lint.trailers import person_of
from patchtool.maintainers import Maintainers, MaintainersSource, Section, email_address
from patchtool.model import Patch, Person, Series, Trailer
from patchtool.owners import maintainers_at

THE_REST = "THE REST"
CONSENT_KEYS = ("acked-by", "reviewed-by")

How = Literal["acked-by", "reviewed-by", "author", "signed-off-by"]
State = Literal["ok", "missing", "info"]


@dataclass(frozen=True)
class PatchTrailers:
    """One patch: its trailers as ``Patch.trailers`` has them, and the sections it answers to."""

    number: int
    subject: str
    author: Person
    trailers: tuple[Trailer, ...]
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coverage:
    """Why ``patch`` needs nothing more from a section: who, how, and which of its entries they are."""

    patch: int
    how: How
    person: str  # as the trailer or the author gives it: "Name <address>"
    entry: str  # the section's M:/R: line it matched
    role: Literal["M", "R"]
    matched: Literal["address", "name"]


@dataclass(frozen=True)
class SectionStatus:
    """One touched MAINTAINERS section and what its patches have."""

    name: str
    maintainers: tuple[str, ...]
    reviewers: tuple[str, ...]
    lists: tuple[str, ...]
    patches: tuple[int, ...]
    covered: tuple[Coverage, ...] = ()
    missing: tuple[int, ...] = ()
    others: tuple[tuple[int, Trailer], ...] = ()  # Acked-by/Reviewed-by from people not M:/R: here
    file: str = "MAINTAINERS"  # the MAINTAINERS file it is in (.get_maintainer.conf may name several)

    @property
    def state(self) -> State:
        if not _waits(self.name, self.maintainers, self.reviewers):
            return "info"
        return "missing" if self.missing else "ok"


@dataclass(frozen=True)
class StatusReport:
    series: str
    version: int
    title: str
    base: str | None  # the name shown (a tag, or the short id)
    base_commit: str | None  # the commit MAINTAINERS was read from; None when not found
    all_sections: bool
    patches: tuple[PatchTrailers, ...]
    sections: tuple[SectionStatus, ...] | None  # None: no base to read MAINTAINERS from
    note: str = ""  # why sections is None or empty
    maintainers: MaintainersSource | None = None  # the MAINTAINERS files read (.get_maintainer.conf's choice)

    @property
    def ready(self) -> bool | None:
        """Every section has what it needs; None when that cannot be told (no base)."""
        if self.sections is None:
            return None
        return all(s.state != "missing" for s in self.sections)

    @property
    def waiting(self) -> tuple[SectionStatus, ...]:
        return tuple(s for s in self.sections or () if s.state == "missing")


def series_status(series: Series, repo: GitRepo | None, base: str | None = None, *,
                  all_sections: bool = False) -> StatusReport:
    """The status of ``series`` against the MAINTAINERS of ``base`` (default: the series' own base).

    ``base`` given and unknown is BadInput; the series' own base missing from
    ``repo`` (or no ``repo``) gives a report without sections and a note.
    """
    patches = tuple(PatchTrailers(n, p.subject.summary, p.author, p.trailers)
                    for n, p in enumerate(series.patches, 1))
    report = StatusReport(series.name, series.version, series.title, series.base or base, None,
                          all_sections, patches, None)
    if repo is None:
        return replace(report, note="no git repository: MAINTAINERS sections need the series' base")
    found = _find_base(repo, series, base)
    if isinstance(found, str):
        return replace(report, note=found)
    commit, shown = found
    table = maintainers_at(repo, commit, only_paths=[p for patch in series.patches for p in patch.paths])
    report = replace(report, base=shown, base_commit=commit)
    if table is None:
        return replace(report, sections=(), note=f"{shown} has no MAINTAINERS: no section to wait for")
    report = replace(report, maintainers=table.source)
    owners = [patch_sections(table, patch.paths, all_sections=all_sections) for patch in series.patches]
    sections = section_statuses(series.patches, owners)
    patches = tuple(replace(p, sections=tuple(s.name for s in owned)) for p, owned in zip(patches, owners, strict=True))
    return replace(report, patches=patches, sections=sections)


def _find_base(repo: GitRepo, series: Series, base: str | None) -> tuple[str, str] | str:
    """(commit, name shown) of the base, or a sentence saying why there is none."""
    if base is not None:
        return repo.resolve(base), base
    if series.base_commit and repo.has_object(series.base_commit):
        commit = repo.try_resolve(series.base_commit)
        if commit:
            return commit, series.base or series.base_commit[:12]
    if series.base and (commit := repo.try_resolve(series.base)):
        return commit, series.base
    named = " / ".join(x for x in (series.base, series.base_commit and series.base_commit[:12]) if x)
    if not named:
        return "the series names no base: give --base REF for the MAINTAINERS sections"
    return f"the base {named} is not in the repository: MAINTAINERS sections need it (or --base REF)"


def patch_sections(table: Maintainers, paths: Iterable[str], *, all_sections: bool = False) -> tuple[Section, ...]:
    """The sections a patch touching ``paths`` answers to, in MAINTAINERS order (see module doc)."""
    found: dict[int, Section] = {}
    for path in paths:
        matches = table.sections_for(path)
        if not matches:
            continue
        top = matches[0].depth
        for match in matches:
            if all_sections or match.depth == top:
                found.setdefault(match.section.index, match.section)
    return tuple(found[i] for i in sorted(found))


def section_statuses(patches: Sequence[Patch], owners: Sequence[tuple[Section, ...]]) -> tuple[SectionStatus, ...]:
    """Per section (MAINTAINERS order) its patches, what covers each, and what is missing."""
    touching: dict[int, tuple[Section, list[int]]] = {}
    for number, sections in enumerate(owners, 1):
        for section in sections:
            touching.setdefault(section.index, (section, []))[1].append(number)
    out = []
    for index in sorted(touching):
        section, numbers = touching[index]
        covered: list[Coverage] = []
        others: list[tuple[int, Trailer]] = []
        missing: list[int] = []
        waits = _waits(section.name, section.maintainers, section.reviewers)
        for number in numbers:
            got, foreign = coverage(section, patches[number - 1], number)
            covered.extend(got)
            others.extend((number, t) for t in foreign)
            if not got and waits:
                missing.append(number)
        out.append(SectionStatus(section.name, section.maintainers, section.reviewers, section.lists,
                                 tuple(numbers), tuple(covered), tuple(missing), tuple(others), section.file))
    return tuple(out)


def coverage(section: Section, patch: Patch, number: int) -> tuple[list[Coverage], list[Trailer]]:
    """What covers ``patch`` for ``section``, and the acks/reviews from people who are not its M:/R:."""
    people = _people(section)
    maintainers = [p for p in people if p[0] == "M"]
    got: list[Coverage] = []
    foreign: list[Trailer] = []
    author = (patch.author.name, patch.author.email)
    if hit := _match(author, maintainers):
        got.append(Coverage(number, "author", str(patch.author), hit[1], "M", hit[2]))
    for trailer in patch.trailers:
        key = trailer.key.casefold()
        if key not in (*CONSENT_KEYS, "signed-off-by") or (person := person_of(trailer.value)) is None:
            continue
        if key == "signed-off-by":
            if not _same(person, author) and (hit := _match(person, maintainers)):
                got.append(Coverage(number, "signed-off-by", _shown(person), hit[1], "M", hit[2]))
        elif hit := _match(person, people):
            got.append(Coverage(number, key, _shown(person), hit[1], hit[0], hit[2]))  # type: ignore[arg-type]
        else:
            foreign.append(trailer)
    return got, foreign


_Person = tuple[str, str, str, str]  # role, entry, name, address


def _people(section: Section) -> list[_Person]:
    out: list[_Person] = []
    for role, entries in (("M", section.maintainers), ("R", section.reviewers)):
        for entry in entries:
            address = email_address(entry)
            if address:
                out.append((role, entry.strip(), parseaddr(entry)[0], address))
    return out


def _waits(name: str, maintainers: tuple[str, ...], reviewers: tuple[str, ...]) -> bool:
    """Whether a section waits for anyone: not THE REST, and an M:/R: with an address."""
    return name != THE_REST and any(email_address(e) for e in (*maintainers, *reviewers))


def _norm_name(name: str) -> str:
    return " ".join(name.replace('"', " ").split()).casefold()


def _match(person: tuple[str, str], people: Sequence[_Person]) -> tuple[str, str, Literal["address", "name"]] | None:
    """(role, entry, how) of the first of ``people`` that ``person`` (name, address) is: address first."""
    name, address = person
    for role, entry, _name, addr in people:
        if address and addr.casefold() == address.casefold():
            return role, entry, "address"
    wanted = _norm_name(name)
    for role, entry, other, _addr in people:
        if wanted and _norm_name(other) == wanted:
            return role, entry, "name"
    return None


def _same(one: tuple[str, str], other: tuple[str, str]) -> bool:
    return _match(one, [("M", "", *other)]) is not None


def _shown(person: tuple[str, str]) -> str:
    name, address = person
    return str(Person(name, address))
