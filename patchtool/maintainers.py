"""MAINTAINERS parsing and matching, pure: which sections own a path.

This module owns the kernel's ``MAINTAINERS`` format and get_maintainer.pl's
answer to "who looks after this file".  It does no I/O and calls no git: the
caller hands in the file's text (and, if it wants get_maintainer's directory
rule, a predicate saying which names are directories in the tree).

Parsing (get_maintainer.pl's ``read_maintainer_file``, v5.14)
-------------------------------------------------------------
* A line matching ``^([A-Z]):\\s*(.*)`` is a *type line*: one letter, a colon,
  any whitespace (tabs or spaces, or none), then the value up to the end of
  the line, trailing whitespace included.
* Blank lines and lines whose first non-blank character is ``#`` are skipped
  entirely: they do not end a section, so type lines after a blank line still
  belong to the section above.
* Every other line is a *name line*.  A section is the last name line before
  a run of type lines; name lines not followed by a type line (the preamble,
  its indented ``\\tM: ...`` descriptions, headings, dashes) name nothing.
* Type lines before any name line are tolerated as get_maintainer.pl
  tolerates them: they form a first section named after its first line
  (``"F:value"``), whose first line counts for F:/X:/N:/K: matching but not as
  a person, list or status (get_maintainer.pl reads people from the line after
  a section's name).  It is reported in ``Maintainers.problems``.
* Deliberate deviation: a trailing ``\\r`` (CRLF files) is dropped; Perl keeps
  it and then no pattern of such a file can match.

Matching a path (``get_maintainers`` and ``file_match_pattern``)
----------------------------------------------------------------
* F:/X: values become regexes: ``.`` -> ``\\.``, ``*`` -> ``.*``, ``?`` -> ``.``;
  every other character keeps its regex meaning (``[...]`` is a class).  With
  ``is_dir``, a value naming a directory of the tree gets a trailing ``/``.
* A pattern ending in ``/`` matches every path it is a prefix of (regex
  ``^pattern``): the whole subtree.  Because ``*`` is ``.*``, a glob in such a
  pattern crosses ``/``: ``arch/*/include/uapi/`` matches
  ``arch/x86/include/uapi/asm/a.h``.
* Any other pattern matches when ``^pattern`` matches (not anchored at the
  end) *and* the path has exactly as many ``/`` as the pattern: ``fs/*`` is
  the files directly in ``fs/``, ``kernel/audit*`` matches ``kernel/auditsc.c``
  and ``include/linux/fs.h`` also matches ``include/linux/fs.h.orig``.
* ``X:`` first: a section with a matching X: pattern is dropped for that path,
  its F: and N: lines included.
* ``N:`` is a Perl ``/x`` regex searched anywhere in the path.
* Depth: F: pattern -> number of ``/`` in it, +1 unless it ends in ``/``, and
  -1 when it starts with ``*`` (THE REST's ``*`` and ``*/``); N: -> 0.  Within
  one section the *last* matching F:/N: line (file order) sets the section's
  depth, exactly as get_maintainer.pl overwrites its hash.
* Sections are ranked deepest first.  get_maintainer.pl breaks ties in Perl
  hash order (random); here ties keep file order.
* An F:/X:/N: value that Python's ``re`` cannot compile matches nothing and is
  reported in ``problems`` (Perl would die on it).

Keywords (``K:``), reported separately
--------------------------------------
* ``K:`` is a Perl ``/x`` regex tested line by line on the patch text.  Before
  the first ``--- x``/``+++ x`` line every line counts (headers, commit
  message); after it only ``+``/``-`` lines do (``^[+-].*`` is prefixed to the
  regex, without a group, as Perl interpolates it).  ``diff --git``,
  ``rename from/to``, `` mode change``, ``Fixes: <sha>``, file header and
  ``@@ -a,b`` lines are never tested.  Sections come back in file order.

Recipients (get_maintainer.pl's default output, no git)
-------------------------------------------------------
* Every matching section of every path (not only the most specific), paths in
  the caller's order (get_maintainer.pl sorts a patch's paths: pass
  ``sorted(paths)`` to get its order), each path's sections deepest first, then
  the keyword sections if ``patch_text`` is given.
* M: and R: in the order met, de-duplicated the way ``--remove-duplicates``
  does: an entry is dropped when its name or its address (case-insensitive)
  was already taken, so one person listed with two addresses is mailed once.
  Entries without an ``@`` address are dropped (get_maintainer warns).
* The chief penguin (``Linus Torvalds <torvalds@linux-foundation.org>``) is
  removed unless ``chief_penguins=True`` (``--git-chief-penguins``).
* L: de-duplicated on the bare address; ``moderated`` lists kept,
  ``subscribers-only`` lists left out (its ``--s`` is off by default).
* No ``.mailmap`` rewriting, no git signers (``--nogit --nogit-fallback``).

Speed
-----
Patterns are indexed by their literal leading directories.  Mapping a path
looks up each directory prefix of the path (cached per directory), tests only
the glob patterns filed under those prefixes, finds literal file patterns by
dictionary look-ups of the path's own prefixes, and pre-filters N: regexes by
a trigram of a literal every match must contain.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

__all__ = [
    "CHIEF_PENGUINS",
    "Maintainers",
    "ParseProblem",
    "Recipients",
    "Section",
    "SectionMatch",
    "dir_predicate",
    "email_address",
    "list_address",
    "parse_maintainers",
]

# Perl's \s on a byte string: ASCII whitespace only.
_WS = " \t\n\r\f\v"
_TYPE_LINE = re.compile(r"([A-Z]):[ \t\n\r\f\v]*(.*)")
# Characters that give an F:/X: value regex meaning beyond the three glob
# conversions (``.`` is escaped, so it is literal).
_META_RE = re.compile(r"[\\^$|?*+()\[\]{}]")
_GLOB_CHARS = re.compile(r"[*?\[]")
# Globs that can be split at their slashes: plain characters, * ? and classes
# without "/" (anything else may match a "/" or count one it does not match).
_SIMPLE_GLOB = re.compile(r"(?:[^\\^$|+(){}\[\]]|\[\^?[^\]\[/\\^]+\])*")

_NAME_ADDRESS = re.compile(r"([^<]+)<(.+@.*)>")
_BRACKETED = re.compile(r"[ \t\n\r\f\v]*<(.+@\S*)>")
_BARE = re.compile(r"(.+@\S*)")

CHIEF_PENGUINS = ("Linus Torvalds <torvalds@linux-foundation.org>",)

# The lines get_maintainer.pl's patch reader consumes before any keyword test.
_PATCH_SKIP = re.compile(
    r"(?: mode change [0-7]+ => [0-7]+ \S+\s*$"
    r"|rename (?:from|to) \S+\s*$"
    r"|diff --git a/\S+ b/\S+\s*$"
    r"|Fixes:\s+[0-9a-fA-F]{6,40}"
    r"|@@ -\d+,\d+)"
)
_PATCH_FILE = re.compile(r"(?:\+\+\+|---)\s+\S")


@dataclass(frozen=True)
class Section:
    """One MAINTAINERS section; values are kept as written in the file.

    ``index`` is the section's position in file order, ``line`` the 1-based
    line number of its name line.  ``other`` holds every field this model has
    no attribute for (W:, Q:, B:, C:, P:, T:, unknown letters) in file order.
    """

    name: str
    maintainers: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    status: str | None = None
    files: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    regexes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    other: tuple[tuple[str, str], ...] = ()
    index: int = 0
    line: int = 0

    def emails(self) -> tuple[str, ...]:
        """Bare addresses of the M: then R: people (entries without one skipped)."""
        found = (email_address(entry) for entry in (*self.maintainers, *self.reviewers))
        return tuple(address for address in found if address)

    def list_addresses(self) -> tuple[str, ...]:
        """Bare addresses of the L: lists."""
        return tuple(list_address(entry) for entry in self.lists)

    def field(self, letter: str) -> tuple[str, ...]:
        """Values of one of the ``other`` letters, e.g. ``field("T")``."""
        return tuple(value for key, value in self.other if key == letter)


@dataclass(frozen=True)
class SectionMatch:
    """A section that owns a path, how deep, and the line that decided it."""

    section: Section
    depth: int
    kind: Literal["F", "N"]
    pattern: str


@dataclass(frozen=True)
class ParseProblem:
    """Input get_maintainer.pl would tolerate (or die on) that we tolerate."""

    line: int
    message: str


@dataclass(frozen=True)
class Recipients:
    """get_maintainer.pl's default answer for a set of paths (see module doc)."""

    maintainers: tuple[str, ...]
    reviewers: tuple[str, ...]
    lists: tuple[str, ...]
    sections: tuple[Section, ...]
    keyword_sections: tuple[Section, ...] = ()

    def list_addresses(self) -> tuple[str, ...]:
        """The lists' bare addresses, ``(moderated for non-subscribers)`` dropped."""
        return tuple(list_address(entry) for entry in self.lists)

    def addresses(self) -> tuple[str, ...]:
        """Bare addresses: maintainers, reviewers, then lists."""
        people = (email_address(entry) for entry in (*self.maintainers, *self.reviewers))
        return (*people, *self.list_addresses())


def list_address(entry: str) -> str:
    """``linux-audit@redhat.com (moderated for non-subscribers)`` -> the address."""
    words = entry.split()
    return words[0] if words else ""


def _parse_email(entry: str) -> tuple[str, str]:
    """get_maintainer.pl's ``parse_email``: (name, address), either may be empty."""
    name, address = "", ""
    if m := _NAME_ADDRESS.match(entry):
        name, address = m[1], m[2]
    elif m := _BRACKETED.match(entry) or _BARE.match(entry):
        address = m[1]
    name = name.strip(_WS)
    name = name.removeprefix('"').removesuffix('"')
    return name, address.strip(_WS)


def email_address(entry: str) -> str:
    """``Paul Moore <paul@paul-moore.com>`` -> ``paul@paul-moore.com`` ("" if none)."""
    return _parse_email(entry)[1]


def dir_predicate(paths: Iterable[str]) -> Callable[[str], bool]:
    """``is_dir`` for ``parse_maintainers`` from a tree's file paths.

    get_maintainer.pl asks the file system (``-d``) whether an F:/X: value is
    a directory, and if so treats it as ``value/``; this answers the same
    question from ``git ls-files``-style paths.
    """
    dirs: set[str] = set()
    for path in paths:
        cut = path.rfind("/")
        while cut > 0 and path[:cut] not in dirs:
            dirs.add(path[:cut])
            cut = path.rfind("/", 0, cut)
    return lambda name: name.rstrip("/") in dirs if name else False


# --------------------------------------------------------------------------
# Compiled patterns and the index


_Kind = Literal["F", "N", "X"]
_Hit = tuple[int, int, int, _Kind, str]  # section, order (line), depth, kind, value
_Matcher = Callable[[str], object]


class _FilePattern(NamedTuple):
    hit: _Hit
    text: str  # the regex source; for a literal value the value itself
    tree: bool  # ends in "/": matches the whole subtree


class _SplitGlob(NamedTuple):
    """A glob without a trailing "/": with equal slash counts it matches
    component by component (a wildcard cannot swallow a "/" without the path
    then having more slashes than the pattern)."""

    pattern: _FilePattern
    dirs: tuple[str, ...]  # the value's directory components, as written
    leaf: str  # its last component, as written


class _RegexPattern(NamedTuple):
    section: int
    order: int
    value: str
    regex: re.Pattern[str]
    literal: str  # every match contains it ("" when none is known)


class _DirPlan(NamedTuple):
    """What the paths directly in one directory must test; built once."""

    chain_hits: tuple[_Hit, ...]  # subtree F: matching this directory (so all below it)
    chain_excluded: frozenset[int]  # the same for X:
    chain_tests: tuple[tuple[re.Pattern[str], bool, int, _Hit], ...]  # regex, tree, slashes, hit
    path_tests: tuple[tuple[re.Pattern[str], bool, int, _Hit], ...]  # those a basename can change
    hits: tuple[_Hit, ...]  # chain_hits + globs whose every component already matched
    excluded: frozenset[int]
    leaf_tests: tuple[tuple[_Matcher, _Hit], ...]  # globs left to test on the basename
    leaf_lengths: tuple[int, ...]  # basename lengths of literal file patterns here
    n_tests: tuple[_RegexPattern, ...]  # N: whose literal is in the directory part
    result: tuple[SectionMatch, ...]  # the answer when nothing else matches


def _convert(value: str) -> str:
    return value.replace(".", "\\.").replace("*", ".*").replace("?", ".")


def _index_key(value: str) -> str:
    """The literal directory prefix every path matching ``value`` starts with."""
    if "|" in value:  # ``^a|b``: the second branch is not anchored
        return ""
    m = _META_RE.search(value)
    literal = value if m is None else value[: m.start() - (m[0] in "+{")]
    return literal[: literal.rfind("/") + 1]


def _required_literal(pattern: str) -> str:
    """A string every match of the /x regex ``pattern`` contains ("" if unsure).

    Conservative scan: runs of plain characters outside groups and classes,
    cut before anything that may be optional; alternation, inline flags and
    ``\\Q`` give up.
    """
    if "|" in pattern or "(?" in pattern or "\\Q" in pattern:
        return ""
    runs: list[str] = []
    run: list[str] = []
    depth = 0
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if depth == 0 and (char.isalnum() or char in _PLAIN) and not _quantified(pattern, i + 1):
            run.append(char)
            i += 1
            continue
        runs.append("".join(run))
        run = []
        if char == "#":  # a /x comment runs to the end of the line
            i = pattern.find("\n", i)
            if i < 0:
                break
        elif char == "\\":
            i += 1
        elif char == "[":
            i = _class_end(pattern, i)
            if i < 0:
                return ""
        elif char == "{":
            i = pattern.find("}", i)
            if i < 0:
                return ""
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        i += 1
    runs.append("".join(run))
    return max(runs, key=len)


_PLAIN = frozenset("_/-,:=%@!<>'\"~&;`")


def _quantified(pattern: str, i: int) -> bool:
    """Whether a quantifier follows at ``i`` (/x: whitespace may come first)."""
    while i < len(pattern) and pattern[i] in _WS:
        i += 1
    return i < len(pattern) and pattern[i] in "?*+{"


def _class_end(pattern: str, i: int) -> int:
    """Index of the ``]`` closing the class opened at ``i`` (-1 if none)."""
    i += 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i
        i += 1
    return -1


class _Index:
    """Patterns filed so that a path meets only those that can match it."""

    def __init__(self) -> None:
        self.tree_literals: dict[str, list[_Hit]] = {}
        self.file_literals: dict[str, list[_Hit]] = {}
        self.leaf_lengths: dict[str, set[int]] = {}
        self.split_globs: dict[tuple[int, int, str], list[_SplitGlob]] = {}
        self.split_unkeyed: dict[int, list[_SplitGlob]] = {}
        self.prefix_globs: dict[str, list[tuple[re.Pattern[str], bool, int, _Hit]]] = {}
        self.n_by_gram: dict[str, list[_RegexPattern]] = {}
        self.n_always: list[_RegexPattern] = []
        self.n_grams: frozenset[str] = frozenset()
        self.plans: dict[str, _DirPlan] = {}
        self.matchers: dict[tuple[str, bool], _Matcher] = {}
        self.sections: tuple[Section, ...] = ()
        self.answers: dict[_Hit, SectionMatch] = {}

    def finish(self, sections: tuple[Section, ...]) -> None:
        self.sections = sections
        self.n_grams = frozenset(self.n_by_gram)

    def add_file_pattern(self, pattern: _FilePattern, regex: re.Pattern[str] | None) -> None:
        value = pattern.hit[4]
        if regex is None and pattern.tree:
            self.tree_literals.setdefault(pattern.text, []).append(pattern.hit)
        elif regex is None:
            self.file_literals.setdefault(pattern.text, []).append(pattern.hit)
            cut = pattern.text.rfind("/") + 1
            self.leaf_lengths.setdefault(pattern.text[:cut], set()).add(len(pattern.text) - cut)
        elif not pattern.tree and _SIMPLE_GLOB.fullmatch(value):
            *dirs, leaf = value.split("/")
            split = _SplitGlob(pattern, tuple(dirs), leaf)
            literal = [i for i, part in enumerate(dirs) if not _GLOB_CHARS.search(part)]
            if literal:  # file it under its deepest literal directory component
                key = (len(dirs), literal[-1], dirs[literal[-1]])
                self.split_globs.setdefault(key, []).append(split)
            else:
                self.split_unkeyed.setdefault(len(dirs), []).append(split)
        else:
            test = (regex, pattern.tree, pattern.text.count("/"), pattern.hit)
            self.prefix_globs.setdefault(_index_key(value), []).append(test)

    def add_regex(self, pattern: _RegexPattern) -> None:
        if len(pattern.literal) >= 3 and "/" not in pattern.literal:
            self.n_by_gram.setdefault(pattern.literal[:3], []).append(pattern)
        else:
            self.n_always.append(pattern)

    def matcher(self, part: str, whole: bool) -> _Matcher:
        """Test for one component of a split glob (``whole``: to its end)."""
        found = self.matchers.get((part, whole))
        if found is None:
            found = self.matchers[(part, whole)] = _part_matcher(part, whole)
        return found

    def n_in(self, text: str) -> list[_RegexPattern]:
        """N: patterns whose literal occurs in ``text`` (no "/" in it)."""
        grams = {text[i : i + 3] for i in range(len(text) - 2)} & self.n_grams
        return [p for gram in grams for p in self.n_by_gram[gram] if p.literal in text]

    def plan(self, directory: str) -> _DirPlan:
        """The plan for ``directory`` ("" or ending in "/"), from its parent's."""
        plan = self.plans.get(directory)
        if plan is not None:
            return plan
        hits: list[_Hit] = []
        excluded: set[int] = set()
        tests = []
        if directory:
            parent = self.plan(directory[: directory.rfind("/", 0, len(directory) - 1) + 1])
            hits, excluded, tests = list(parent.chain_hits), set(parent.chain_excluded), list(parent.chain_tests)
            for hit in self.tree_literals.get(directory, ()):
                (excluded.add(hit[0]) if hit[3] == "X" else hits.append(hit))
        tests += self.prefix_globs.get(directory, ())
        # A subtree glob's match ends at a "/" of the path, so it is decided
        # by the directory alone (unless "|" or "(?" make it something else).
        path_tests = []
        for test in tests:
            regex, tree, _slashes, hit = test
            if not tree or "|" in regex.pattern or "(?" in regex.pattern:
                path_tests.append(test)
            elif regex.search(directory):
                (excluded.add(hit[0]) if hit[3] == "X" else hits.append(hit))
        chain_hits, chain_excluded = tuple(hits), frozenset(excluded)
        leaf_tests = []
        for split in self._split_candidates(directory):
            hit = split.pattern.hit
            if split.leaf == "*":
                (excluded.add(hit[0]) if hit[3] == "X" else hits.append(hit))
            else:
                leaf_tests.append((self.matcher(split.leaf, False), hit))
        plan = _DirPlan(
            chain_hits=chain_hits,
            chain_excluded=chain_excluded,
            chain_tests=tuple(tests),
            path_tests=tuple(path_tests),
            hits=tuple(hits),
            excluded=frozenset(excluded),
            leaf_tests=tuple(leaf_tests),
            leaf_lengths=tuple(sorted(self.leaf_lengths.get(directory, ()))),
            n_tests=tuple(self.n_in(directory)) if self.n_by_gram else (),
            result=self.rank(hits, excluded),
        )
        self.plans[directory] = plan
        return plan

    def _split_candidates(self, directory: str) -> list[_SplitGlob]:
        parts = directory.split("/")[:-1]
        found = list(self.split_unkeyed.get(len(parts), ()))
        for i, part in enumerate(parts):
            found += self.split_globs.get((len(parts), i, part), ())
        return [
            split
            for split in found
            if all(self.matcher(own, True)(part) for own, part in zip(split.dirs, parts, strict=True))
        ]

    def sections_for(self, path: str) -> tuple[SectionMatch, ...]:
        cut = path.rfind("/") + 1
        plan = self.plans.get(path[:cut]) or self.plan(path[:cut])
        found = [hit for match, hit in plan.leaf_tests if match(path[cut:])]
        for length in plan.leaf_lengths:
            found += self.file_literals.get(path[: cut + length], ())
        if plan.path_tests:
            slashes = path.count("/")
            found += [hit for regex, tree, n, hit in plan.path_tests if (tree or n == slashes) and regex.search(path)]
        n_tests = {*plan.n_tests, *self.n_always, *(self.n_in(path[cut:]) if self.n_grams else ())}
        found += [(n.section, n.order, 0, "N", n.value) for n in n_tests if n.regex.search(path)]
        if not found:
            return plan.result
        hits = list(plan.hits)
        excluded = set(plan.excluded)
        for hit in found:
            (excluded.add(hit[0]) if hit[3] == "X" else hits.append(hit))
        return self.rank(hits, excluded)

    def rank(self, hits: Iterable[_Hit], excluded: Container[int]) -> tuple[SectionMatch, ...]:
        """Per section the hit of its last matching line; deepest first, then file order."""
        decisive: dict[int, _Hit] = {}
        for hit in hits:
            if hit[0] not in excluded and (hit[0] not in decisive or hit[1] > decisive[hit[0]][1]):
                decisive[hit[0]] = hit
        ranked = sorted(decisive.values(), key=lambda hit: (-hit[2], hit[0]))
        return tuple(self.answers.get(hit) or self._answer(hit) for hit in ranked)

    def _answer(self, hit: _Hit) -> SectionMatch:
        section, _order, depth, kind, value = hit
        answer = SectionMatch(self.sections[section], depth, "N" if kind == "N" else "F", value)
        self.answers[hit] = answer
        return answer


def _always(_text: str) -> bool:
    return True


def _part_matcher(part: str, whole: bool) -> _Matcher:
    if not _GLOB_CHARS.search(part):
        return part.__eq__ if whole else operator.methodcaller("startswith", part)
    head, star, tail = part.partition("*")
    if star and not tail and not _GLOB_CHARS.search(head):  # "prefix*": the commonest glob
        return operator.methodcaller("startswith", head) if head else _always
    try:
        return re.compile(_convert(part) + ("\\Z" if whole else "")).match
    except (re.error, OverflowError, RecursionError):
        return lambda _text: False


# --------------------------------------------------------------------------
# The parsed file


@dataclass(frozen=True)
class Maintainers:
    """A parsed MAINTAINERS file: its sections and the index to match paths."""

    sections: tuple[Section, ...]
    problems: tuple[ParseProblem, ...] = ()
    _index: _Index = field(default_factory=_Index, repr=False, compare=False)
    _keywords: tuple[tuple[int, re.Pattern[str], re.Pattern[str]], ...] = field(default=(), repr=False, compare=False)

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
        if not self._keywords:
            return ()
        found: set[int] = set()
        in_diff = False
        for line in _lines_with_ends(patch_text):
            if _PATCH_FILE.match(line):
                in_diff = True
                continue
            if _PATCH_SKIP.match(line):
                continue
            for section, plain, prefixed in self._keywords:
                if section not in found and (prefixed if in_diff else plain).search(line):
                    found.add(section)
        return tuple(self.sections[i] for i in sorted(found))

    def recipients(
        self,
        paths: Iterable[str],
        *,
        patch_text: str | None = None,
        chief_penguins: bool = False,
    ) -> Recipients:
        """get_maintainer.pl's default recipients for ``paths`` (see module doc)."""
        order: list[Section] = []
        seen: set[int] = set()
        for path in dict.fromkeys(paths):
            for match in self.sections_for(path):
                if match.section.index not in seen:
                    seen.add(match.section.index)
                    order.append(match.section)
        keyword = self.keyword_sections(patch_text) if patch_text else ()
        return _collect(tuple(order), keyword, chief_penguins)


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
    name: str
    line: int
    fields: list[tuple[int, str, str]] = field(default_factory=list)  # line, letter, value
    skip_people: bool = False  # the anonymous first section's first line


def _read_drafts(text: str, problems: list[ParseProblem]) -> list[_Draft]:
    drafts: list[_Draft] = []
    pending: tuple[int, str] | None = None  # last name line
    after_type = False  # the previous kept line was a type line
    for number, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        m = _TYPE_LINE.match(line)
        if m is None:
            stripped = line.lstrip(_WS)
            if stripped and not stripped.startswith("#"):
                pending, after_type = (number, line), False
            continue
        letter, value = m[1], m[2]
        if not after_type:
            if pending is None:
                problems.append(ParseProblem(number, f"{letter}: line before any section name"))
                drafts.append(_Draft(f"{letter}:{value}", number, skip_people=True))
            else:
                drafts.append(_Draft(pending[1], pending[0]))
                pending = None
        drafts[-1].fields.append((number, letter, value))
        after_type = True
    return drafts


def parse_maintainers(text: str, *, is_dir: Callable[[str], bool] | None = None) -> Maintainers:
    """Parse a MAINTAINERS file's text; never raises on odd input (see module doc).

    ``is_dir`` tells whether an F:/X: value names a directory of the tree
    (``dir_predicate`` builds one); without it no value gets a slash added.
    """
    problems: list[ParseProblem] = []
    index = _Index()
    keywords: list[tuple[int, re.Pattern[str], re.Pattern[str]]] = []
    sections: list[Section] = []
    for number, draft in enumerate(_read_drafts(text, problems)):
        values: dict[str, list[str]] = {k: [] for k in "MRLSFXNK"}
        other: list[tuple[str, str]] = []
        for position, (line, letter, value) in enumerate(draft.fields):
            if letter in "FX":
                _add_file_pattern(index, number, line, letter, value, is_dir, problems)
            elif letter == "N":
                _add_regex(index, number, line, value, problems)
            elif letter == "K":
                _add_keyword(keywords, number, line, value, problems)
            if draft.skip_people and position == 0 and letter not in "FXNK":
                continue
            if letter in values:
                values[letter].append(value)
            else:
                other.append((letter, value))
        sections.append(
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
            )
        )
    index.finish(tuple(sections))
    return Maintainers(index.sections, tuple(problems), index, tuple(keywords))


def _compile(source: str, flags: int, line: int, problems: list[ParseProblem]) -> re.Pattern[str]:
    try:
        return re.compile(source, flags)
    except (re.error, OverflowError, RecursionError) as err:
        problems.append(ParseProblem(line, f"regex {source!r} does not compile ({err}); ignored"))
        return re.compile(r"(?!)")


def _add_file_pattern(
    index: _Index,
    section: int,
    line: int,
    letter: str,
    value: str,
    is_dir: Callable[[str], bool] | None,
    problems: list[ParseProblem],
) -> None:
    text = _convert(value)
    if is_dir is not None and text and not text.endswith("/") and is_dir(text):
        text += "/"
    tree = text.endswith("/")
    literal = _META_RE.search(value) is None
    if literal:  # matched as written: "." only needs escaping in a regex
        text = value + ("/" if tree and not value.endswith("/") else "")
    depth = -1 if value.startswith("*") else text.count("/") + (0 if tree else 1)
    hit: _Hit = (section, line, depth, "F" if letter == "F" else "X", value)
    regex = None if literal else _compile("^" + text, 0, line, problems)
    index.add_file_pattern(_FilePattern(hit, text, tree), regex)


def _add_regex(index: _Index, section: int, line: int, value: str, problems: list[ParseProblem]) -> None:
    regex = _compile(value, re.VERBOSE, line, problems)
    index.add_regex(_RegexPattern(section, line, value, regex, _required_literal(value)))


def _add_keyword(
    keywords: list[tuple[int, re.Pattern[str], re.Pattern[str]]],
    section: int,
    line: int,
    value: str,
    problems: list[ParseProblem],
) -> None:
    plain = _compile(value, re.VERBOSE, line, problems)
    prefixed = _compile("^[+-].*" + value, re.VERBOSE, line, problems)
    keywords.append((section, plain, prefixed))
