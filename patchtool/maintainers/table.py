"""Parsing a MAINTAINERS text into ``Maintainers`` and answering paths, keywords and recipients.

See the package docstring for get_maintainer.pl's rules this follows.
"""

from __future__ import annotations

import bisect
import hashlib
import marshal
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import overload

from patchtool import cache
from patchtool.maintainers.conf import DEFAULT_PATH, MaintainersSource
from patchtool.maintainers.index import _NEVER, _convert, _Index, _required_literal
from patchtool.maintainers.sections import (
    _META_RE,
    _PATCH_FILE,
    _PATCH_SKIP,
    _WS,
    CHIEF_PENGUINS,
    ParseProblem,
    Recipients,
    Section,
    SectionMatch,
    _parse_email,
)


@dataclass(frozen=True)
class Maintainers:
    """Parsed MAINTAINERS files: their sections and the index to match paths.

    ``source`` says which files were read (in order) and which
    ``.get_maintainer.conf`` chose them; ``parse_maintainers`` reads one.
    """

    sections: Sequence[Section]  # a tuple's behaviour; built as read (``_Sections``)
    _index: _Index = field(default_factory=_Index, repr=False, compare=False)
    _problems: tuple[ParseProblem, ...] = field(default=(), repr=False, compare=False)
    source: MaintainersSource = field(default_factory=MaintainersSource, compare=False)
    _lines: _Lines | None = field(default=None, repr=False, compare=False)

    def problems(self) -> tuple[ParseProblem, ...]:
        """Odd input tolerated: type lines before any section, regexes that do
        not compile (compiled here; they match nothing), in file and line order."""
        bad = [r for r in self._index.regexes if r.compiled() is _NEVER]
        where = self._lines or _Lines((DEFAULT_PATH,), (1,))
        found = []
        for r in bad:
            file, line = where.locate(r.line)
            found.append(ParseProblem(line, f"regex {r.source!r} does not compile ({r.error}); ignored", file))
        order = {name: i for i, name in enumerate(where.files)}
        return tuple(sorted({*self._problems, *found}, key=lambda p: (order.get(p.file, 0), p.line, p.message)))

    def section(self, name: str) -> Section | None:
        """The first section called ``name``."""
        return next((s for s in self.sections if s.name == name), None)

    def sections_for(self, path: str) -> tuple[SectionMatch, ...]:
        """Every section owning ``path`` (repository-relative), deepest first.

        Ties keep file order; X:-excluded sections are left out.
        """
        return self._index.sections_for(path)

    def most_specific(self, path: str) -> Section | None:
        """The deepest section owning ``path``; THE REST only if nothing else does."""
        matches = self.sections_for(path)
        return matches[0].section if matches else None

    def keyword_sections(self, patch_text: str) -> tuple[Section, ...]:
        """Sections whose K: regexes match the patch (see module doc), file order."""
        keywords = self._index.keywords
        found: set[int] = set()
        in_diff = False
        for line in _lines_with_ends(patch_text) if keywords else ():
            if _PATCH_FILE.match(line):
                in_diff = True
            elif not _PATCH_SKIP.match(line):
                found.update(
                    s for s, plain, diff in keywords if s not in found and (diff if in_diff else plain).search(line)
                )
        return tuple(self.sections[i] for i in sorted(found))

    def recipients(
        self,
        paths: Iterable[str],
        *,
        patch_text: str | None = None,
        chief_penguins: bool = False,
    ) -> Recipients:
        """get_maintainer.pl's default recipients for ``paths`` (see module doc)."""
        order: dict[int, Section] = {}
        for path in dict.fromkeys(paths):
            for match in self.sections_for(path):
                order.setdefault(match.section.index, match.section)
        keyword = self.keyword_sections(patch_text) if patch_text else ()
        return _collect(tuple(order.values()), keyword, chief_penguins)


def _lines_with_ends(text: str) -> list[str]:
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def _collect(sections: tuple[Section, ...], keyword: tuple[Section, ...], chief_penguins: bool) -> Recipients:
    names: set[str] = set()
    addresses: set[str] = set()
    people: list[tuple[str, str]] = []  # (role, entry)
    lists: list[str] = []
    list_seen: set[str] = set()
    for section in (*sections, *keyword):
        for role, entries in (("M", section.maintainers), ("R", section.reviewers)):
            for entry in entries:
                name, address = _parse_email(entry)
                if not address:
                    continue
                if (name and name.lower() in names) or address.lower() in addresses:
                    continue
                if name:
                    names.add(name.lower())
                addresses.add(address.lower())
                people.append((role, entry.strip(_WS)))
        for entry in section.lists:
            address, remark = [*entry.split(None, 1), "", ""][:2]
            if "subscribers-only" in remark or address.lower() in list_seen:
                continue
            list_seen.add(address.lower())
            lists.append(entry.strip(_WS))
    if not chief_penguins:
        people = [p for p in people if not any(c in _formatted(p[1]) for c in CHIEF_PENGUINS)]
    return Recipients(
        maintainers=tuple(entry for role, entry in people if role == "M"),
        reviewers=tuple(entry for role, entry in people if role == "R"),
        lists=tuple(lists),
        sections=sections,
        keyword_sections=keyword,
    )


def _formatted(entry: str) -> str:
    name, address = _parse_email(entry)
    return f"{name} <{address}>" if name else address


# --------------------------------------------------------------------------
# Parsing


@dataclass
class _Draft:
    """A section as read, before its fields are sorted into a ``Section``."""

    name: str
    line: int
    fields: list[tuple[int, str, str]] = field(default_factory=list)  # line, letter, value
    skip_people: bool = False  # the anonymous first section's first line
    file: str = DEFAULT_PATH


def _read_drafts(text: str, problems: list[ParseProblem]) -> list[_Draft]:
    drafts: list[_Draft] = []
    pending: tuple[int, str] | None = None  # last name line
    after_type = False  # the previous kept line was a type line
    for number, line in enumerate(text.split("\n"), 1):
        if line.endswith("\r"):
            line = line[:-1]
        # get_maintainer.pl's /^([A-Z]):\s*(.*)/ spelled out: this loop sees every line of the file.
        if not (line[1:2] == ":" and "A" <= line[:1] <= "Z"):
            stripped = line.lstrip(_WS)
            if stripped and stripped[0] != "#":
                pending, after_type = (number, line), False
            continue
        letter, value = line[0], line[2:].lstrip(_WS)
        if not after_type:
            if pending is None:
                problems.append(ParseProblem(number, f"{letter}: line before any section name"))
                drafts.append(_Draft("", number, skip_people=True))  # named by parse_maintainers
            else:
                drafts.append(_Draft(pending[1], pending[0]))
                pending = None
        drafts[-1].fields.append((number, letter, value))
        after_type = True
    return drafts


@dataclass(frozen=True)
class _Lines:
    """Where each file's lines start in the joined text, to give (file, line) back."""

    files: tuple[str, ...]
    starts: tuple[int, ...]

    @classmethod
    def join(cls, files: Sequence[tuple[str, str]]) -> tuple[str, _Lines]:
        texts, starts, line = [], [], 1
        for _name, text in files:
            starts.append(line)
            if text and not text.endswith("\n"):  # Perl reads each file's last line as a line
                text += "\n"
            texts.append(text)
            line += text.count("\n")
        return "".join(texts), cls(tuple(name for name, _text in files), tuple(starts))

    def locate(self, line: int) -> tuple[str, int]:
        at = max(bisect.bisect_right(self.starts, line) - 1, 0)
        return self.files[at], line - self.starts[at] + 1


def parse_maintainers(
    text: str, *, is_dir: Callable[[str], bool] | None = None, only_paths: Iterable[str] | None = None
) -> Maintainers:
    """Parse a MAINTAINERS file's text; never raises on odd input (see module doc).

    ``is_dir`` tells whether an F:/X: value names a directory of the tree
    (``dir_predicate`` builds one); without it no value gets a slash added.
    ``only_paths``: the caller will only ask about these paths, so the F:/X:
    patterns of sections that cannot match any of them are not indexed —
    a 20-file series then skips most of a 20,000-pattern file.  Every
    section is still listed, and answers for other paths are incomplete.
    """
    return parse_maintainer_files([(DEFAULT_PATH, text)], is_dir=is_dir, only_paths=only_paths)


def parse_maintainer_files(
    files: Sequence[tuple[str, str]],
    *,
    is_dir: Callable[[str], bool] | None = None,
    only_paths: Iterable[str] | None = None,
    source: MaintainersSource | None = None,
) -> Maintainers:
    """Parse several MAINTAINERS files, ``(path, text)`` in the order read, as get_maintainer.pl does.

    Their lines are joined into one list (``patchtool.maintainers.conf``): sections are
    numbered across the files, each knows its ``file`` and its ``line`` there.  Patterns
    are relative to the top of the tree whichever file they are in.  ``source``
    defaults to the files' names without a conf.
    """
    text, lines = _Lines.join(files)
    problems: list[ParseProblem] = []
    index = _Index()
    plain, problems, wanted, keywords = _cached_drafts(text, only_paths)
    problems = [ParseProblem(line, p.message, file) for p in problems for file, line in [lines.locate(p.line)]]
    sections = _Sections(plain, lines)
    for number in range(len(plain)):
        if wanted is not None and number not in wanted:  # built when read (``_Sections``)
            for line, value in keywords.get(number, ()):  # keywords match patch text, not paths: always kept
                index.add_keyword(number, line, value)
            continue
        name, first, fields, skip_people = plain[number]
        draft = _Draft(name, first, list(fields), skip_people)
        draft.file, draft.line = lines.locate(draft.line)
        if draft.skip_people:  # get_maintainer.pl names it after its first line as it stores it
            _line, letter, value = draft.fields[0]
            draft.name = f"{letter}:{_stored_pattern(value, is_dir) if letter in 'FX' else value}"
        values: dict[str, list[str]] = {k: [] for k in "MRLSFXNK"}
        other: list[tuple[str, str]] = []
        for position, (line, letter, value) in enumerate(draft.fields):
            if letter in "FX":
                _add_file_pattern(index, number, line, letter, value, is_dir)
            elif letter == "N":
                index.add_n((number, line, 0, "N", value))
            elif letter == "K":
                index.add_keyword(number, line, value)
            elif draft.skip_people and position == 0:
                continue
            if letter in values:
                values[letter].append(value)
            else:
                other.append((letter, value))
        sections.built[number] = (
            Section(
                name=draft.name,
                maintainers=tuple(values["M"]),
                reviewers=tuple(values["R"]),
                lists=tuple(values["L"]),
                status=values["S"][-1] if values["S"] else None,
                files=tuple(values["F"]),
                excludes=tuple(values["X"]),
                regexes=tuple(values["N"]),
                keywords=tuple(values["K"]),
                other=tuple(other),
                index=number,
                line=draft.line,
                file=draft.file,
            )
        )
    index.finish(sections)
    return Maintainers(index.sections, index, tuple(problems),
                       source or MaintainersSource(lines.files), lines)


_Plain = tuple[str, int, tuple[tuple[int, str, str], ...], bool]  # a _Draft as cached: name, line, fields, skip


class _Drafts(Sequence[_Plain]):
    """Every section's draft, as cached: the ones a series can reach given, the rest loaded (a
    ``marshal`` of all 2,600 of the kernel's) only when one of them is first read."""

    def __init__(self, count: int, known: dict[int, _Plain], everything: bytes) -> None:
        self._count, self._known, self._everything = count, known, everything
        self._all: Sequence[_Plain] | None = None

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, at: int) -> _Plain: ...
    @overload
    def __getitem__(self, at: slice) -> Sequence[_Plain]: ...

    def __getitem__(self, at: int | slice) -> _Plain | Sequence[_Plain]:
        if isinstance(at, int) and at in self._known:
            return self._known[at]
        if self._all is None:
            self._all = marshal.loads(self._everything)
        return self._all[at]


_Keywords = dict[int, tuple[tuple[int, str], ...]]  # section number -> its K: values (line, value)


def _cached_drafts(text: str, only_paths: Iterable[str] | None
                   ) -> tuple[Sequence[_Plain], list[ParseProblem], set[int] | None, _Keywords]:
    """``_read_drafts`` of ``text``, its problems, and, with ``only_paths``, the numbers of the drafts
    ``_prefilter`` keeps (with the anonymous first section, always built) and every section's K: values:
    from the cache (``patchtool.cache``) when this text was read before, keyed by its sha256 (so by the
    blob ids of the MAINTAINERS files joined in it) and the paths.  Reading the kernel's 20,000 lines
    costs 0.1 s and testing their 2,600 sections for a series as much; loading what they gave (a
    ``marshal`` of plain tuples: the kept drafts alone, the others only if one is read), a millisecond."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    entry = None
    if (stored := cache.get_marshal("maintainers-drafts.v2", [digest])) is not None:
        try:
            of, count, found, keywords, skipped, everything = stored
            if of != digest:  # another text's entry (a file copied over this one): a miss
                raise ValueError(of)
            if not (isinstance(count, int) and isinstance(keywords, dict) and isinstance(everything, bytes)):
                raise TypeError(type(keywords))
            entry = count, [ParseProblem(line, message) for line, message in found], keywords, set(skipped), everything
        except (ValueError, TypeError):  # written by another shape of this code: read afresh
            entry = None
    drafts: Sequence[_Plain] | None = None
    if entry is None:
        problems: list[ParseProblem] = []
        drafts = tuple((d.name, d.line, tuple(d.fields), d.skip_people) for d in _read_drafts(text, problems))
        keywords = {n: k for n, (_name, _line, fields, _skip) in enumerate(drafts)
                    if (k := tuple((line, value) for line, letter, value in fields if letter == "K"))}
        skipped = {n for n, d in enumerate(drafts) if d[3]}
        everything = marshal.dumps(drafts)
        entry = len(drafts), problems, keywords, skipped, everything
        cache.put_marshal("maintainers-drafts.v2", [digest], (
            digest, len(drafts), tuple((p.line, p.message) for p in problems), keywords, tuple(skipped), everything))
    count, problems, keywords, skipped, everything = entry
    if only_paths is None:
        return drafts if drafts is not None else marshal.loads(everything), problems, None, keywords
    paths = sorted(set(only_paths))
    kept = None
    if (stored := cache.get_marshal("maintainers-kept.v1", [digest, *paths])) is not None:
        try:
            of, kept = stored
            if of != digest or not isinstance(kept, dict) or not all(
                    isinstance(n, int) and isinstance(d, tuple) and len(d) == 4 for n, d in kept.items()):
                raise ValueError(of)
        except (ValueError, TypeError):
            kept = None
    if kept is None:
        every = drafts if drafts is not None else marshal.loads(everything)
        could_match = _prefilter(paths)
        kept = {i: d for i, d in enumerate(every) if i in skipped or could_match(d[2])}
        cache.put_marshal("maintainers-kept.v1", [digest, *paths], (digest, kept))
    return _Drafts(count, kept, everything), problems, set(kept), keywords


def ancestor_dirs(paths: Iterable[str]) -> set[str]:
    """Every directory above ``paths``, as ``""`` (the top) and ``"a/"``, ``"a/b/"``."""
    dirs = {""}
    for path in paths:
        cut = path.find("/")
        while cut >= 0:
            dirs.add(path[: cut + 1])
            cut = path.find("/", cut + 1)
    return dirs


def _prefilter(paths: Iterable[str]) -> Callable[[Iterable[tuple[int, str, str]]], bool]:
    """Whether a section may own one of ``paths``: some F:/X: value's literal head is a prefix of one.

    An F:/X: value is anchored at the path's start, so the text before its
    first wildcard or regex character must begin the path.  N: and K: lines
    are regexes searched anywhere: their sections count unless a literal
    every match must contain is in none of the paths.
    """
    wanted = tuple(dict.fromkeys(paths))
    dirs = ancestor_dirs(wanted)

    def head_matches(value: str) -> bool:
        m = _META_RE.search(value)
        head = value if m is None else value[: m.start()]
        if (m is not None and m[0] in "+{|") or "|" in value:  # "c+", "{2}", "a|b": the head is not certain
            return True
        if head[: head.rfind("/") + 1] not in dirs:
            return False
        return any(path.startswith(head) or path + "/" == head for path in wanted)

    def n_matches(value: str) -> bool:
        literal = _required_literal(value)
        return not literal or any(literal in path for path in wanted)

    def could_match(fields: Iterable[tuple[int, str, str]]) -> bool:
        return any(
            (letter in "FX" and head_matches(value)) or (letter == "N" and n_matches(value))
            for _line, letter, value in fields
        )

    return could_match


class _Sections(Sequence[Section]):
    """The sections in file order.  Those whose patterns were indexed are built while parsing; the
    others (of a kernel's 2,600, all but the few dozen a series can reach) when first read."""

    def __init__(self, plain: Sequence[_Plain], lines: _Lines) -> None:
        self._plain = plain
        self._lines = lines
        self.built: list[Section | None] = [None] * len(plain)

    def __len__(self) -> int:
        return len(self.built)

    @overload
    def __getitem__(self, at: int) -> Section: ...
    @overload
    def __getitem__(self, at: slice) -> tuple[Section, ...]: ...

    def __getitem__(self, at: int | slice) -> Section | tuple[Section, ...]:
        if isinstance(at, slice):
            return tuple(self[i] for i in range(*at.indices(len(self.built))))
        number = range(len(self.built))[at]  # IndexError as a tuple's
        found = self.built[number]
        if found is None:
            found = self.built[number] = _section(self._plain[number], number, self._lines)
        return found

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Sections | tuple):  # equal to the tuple it stands for, as a tuple is
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


def _section(plain: _Plain, number: int, lines: _Lines) -> Section:
    """A section as listed, for one whose patterns were not indexed."""
    name, first, fields, _skip = plain
    file, line = lines.locate(first)
    values: dict[str, list[str]] = {k: [] for k in "MRLSFXNK"}
    other: list[tuple[str, str]] = []
    for _line, letter, value in fields:
        if letter in values:
            values[letter].append(value)
        else:
            other.append((letter, value))
    return Section(
        name=name, maintainers=tuple(values["M"]), reviewers=tuple(values["R"]), lists=tuple(values["L"]),
        status=values["S"][-1] if values["S"] else None, files=tuple(values["F"]), excludes=tuple(values["X"]),
        regexes=tuple(values["N"]), keywords=tuple(values["K"]), other=tuple(other), index=number, line=line,
        file=file,
    )


def _stored_pattern(value: str, is_dir: Callable[[str], bool] | None) -> str:
    """An F:/X: value as get_maintainer.pl keeps it: a regex, "/" added to a directory."""
    text = _convert(value)
    if is_dir is not None and text and not text.endswith("/") and is_dir(text):
        text += "/"
    return text


def _add_file_pattern(
    index: _Index, section: int, line: int, letter: str, value: str, is_dir: Callable[[str], bool] | None
) -> None:
    text = _stored_pattern(value, is_dir)
    tree = text.endswith("/")
    literal = _META_RE.search(value) is None
    if literal:  # matched as written: "." only needs escaping in a regex
        text = value + ("/" if tree and not value.endswith("/") else "")
    depth = -1 if value.startswith("*") else text.count("/") + (0 if tree else 1)
    index.add_file_pattern((section, line, depth, "F" if letter == "F" else "X", value), text, literal)
