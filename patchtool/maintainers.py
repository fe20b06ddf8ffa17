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
  tolerates them: they form a first section named after its first line as
  get_maintainer.pl stores it (``"F:fs/.*"``), whose first line counts for
  F:/X:/N:/K: matching but not as a person, list or status (get_maintainer.pl
  reads those from the line after a section's name).  ``problems()`` says so.
* Deliberate deviation: a trailing ``\\r`` (CRLF files) is dropped; Perl keeps
  it and then no pattern of such a file can match.

Matching a path (``get_maintainers`` and ``file_match_pattern``)
----------------------------------------------------------------
Paths are repository-relative, as git prints them.

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
* ``most_specific`` is the first of that ranking: THE REST only when nothing
  else matches.
* An F:/X:/N:/K: value that Python's ``re`` cannot compile matches nothing and
  ``problems()`` reports it (Perl would die on it).

Keywords (``K:``), reported separately
--------------------------------------
* ``K:`` is a Perl ``/x`` regex tested line by line on the patch text.  Before
  the first ``--- x``/``+++ x`` line every line counts (headers, commit
  message); after it only ``+``/``-`` lines do (``^[+-].*`` is prefixed to the
  regex, without a group, as Perl interpolates it; a leading inline flag such
  as ``(?i)``, which Python refuses mid-pattern, is moved in front).  ``diff --git``,
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

Speed (the index)
-----------------
Parsing compiles nothing; regexes are compiled on first use.  Paths are
answered per directory first, and the plan for a directory is built once from
its parent's: literal subtree patterns are a dict look-up per directory level;
a subtree glob's match ends at a "/", so the directory decides it; a glob
without a trailing "/" whose only specials are ``* ? [..]`` cannot cross a "/"
once slash counts are equal, so it is filed under its deepest literal
directory component and its directories are tested once per directory; N:
regexes are filed under a trigram of a literal every match contains, and
decided per directory when a match there holds for every file in it.  What is
left for the file itself: literal file patterns (dict look-ups of the path's
prefixes), the last component of globs, and the rare other patterns.  Plans,
compiled regexes and answers are cached in the ``Maintainers`` object (which
is otherwise immutable), so memory grows with the directories asked about.
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
# Characters that give an F:/X: value regex meaning beyond the three glob
# conversions (``.`` is escaped, so it is literal).
_META_RE = re.compile(r"[\\^$|?*+()\[\]{}]")
_GLOB_CHARS = re.compile(r"[*?\[]")
# Globs that can be split at their slashes: plain characters, * ? and classes
# without "/" (anything else may match a "/" or count one it does not match).
_SIMPLE_GLOB = re.compile(r"(?:[^\\^$|+(){}\[\]]|\[\^?[^\]\[/\\^]+\])*")

# An N: regex that can tell "dir/" from "dir/file" by looking at the end.
_END_SENSITIVE = re.compile(r"\$|\\[ZzBA]|\(\?")

_LEADING_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")

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

    def values_of(self, letter: str) -> tuple[str, ...]:
        """Values of one of the ``other`` letters, e.g. ``values_of("T")`` for the trees."""
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
_NEVER = re.compile(r"(?!)")


class _Regex:
    """A regex compiled on first use: most of a kernel-size file's are never
    needed for one patch.  One that does not compile matches nothing."""

    __slots__ = ("_compiled", "error", "flags", "line", "source")

    def __init__(self, source: str, flags: int, line: int) -> None:
        self.source, self.flags, self.line = source, flags, line
        self._compiled: re.Pattern[str] | None = None
        self.error = ""

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            try:
                self._compiled = re.compile(self.source, self.flags)
            except (re.error, OverflowError, RecursionError) as err:
                self.error, self._compiled = str(err), _NEVER
        return self._compiled

    def search(self, text: str) -> bool:
        return (self._compiled or self.compiled()).search(text) is not None


_Test = tuple[_Regex, bool, int, _Hit]  # regex, ends in "/", slashes, hit


class _SplitGlob(NamedTuple):
    """A glob without a trailing "/" and with no "/" but its separators: with
    equal slash counts it matches component by component, since a wildcard
    swallowing a "/" would leave the path more slashes than the pattern."""

    hit: _Hit
    dirs: tuple[str, ...]  # the value's directory components, as written
    leaf: str  # its last component, as written


class _RegexPattern(NamedTuple):
    hit: _Hit
    regex: _Regex
    literal: str  # every match contains it ("" when none is known)
    prefix_safe: bool  # a match in "dir/" is a match in "dir/anything"


class _DirPlan(NamedTuple):
    """What the paths directly in one directory must test; built once."""

    chain_hits: tuple[_Hit, ...]  # subtree F: matching this directory, so all below
    chain_excluded: frozenset[int]  # the same for X:
    chain_tests: tuple[_Test, ...]  # non-literal patterns filed at or above it, still undecided
    path_tests: tuple[_Test, ...]  # those the basename can decide
    decisive: dict[int, _Hit]  # per section the hit of its last matching line
    excluded: frozenset[int]
    leaf_tests: tuple[tuple[_Matcher, _Hit], ...]  # split globs left to test on the basename
    leaf_lengths: tuple[int, ...]  # basename lengths of literal file patterns here
    n_tests: tuple[tuple[Callable[[str], object], _Hit], ...]  # N: the directory could not decide
    n_known: frozenset[int]  # lines of the N: decided or listed above
    result: tuple[SectionMatch, ...]  # the answer when nothing else matches
    answers: dict[tuple[_Hit, ...], tuple[SectionMatch, ...]]  # the answer for other hits, once known


def _convert(value: str) -> str:
    return value.replace(".", "\\.").replace("*", ".*").replace("?", ".")


def _index_key(value: str) -> str:
    """The literal directory prefix every path matching ``value`` starts with."""
    if "|" in value:  # ``^a|b``: the second branch is not anchored
        return ""
    m = _META_RE.search(value)
    literal = value if m is None else value[: max(m.start() - (m[0] in "+{"), 0)]  # "c+": drop the c
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
        self.prefix_globs: dict[str, list[_Test]] = {}
        self.n_by_gram: dict[str, list[_RegexPattern]] = {}
        self.n_always: list[_RegexPattern] = []
        self.n_grams: frozenset[str] = frozenset()
        self.keywords: list[tuple[int, _Regex, _Regex]] = []
        self.regexes: list[_Regex] = []
        self.plans: dict[str, _DirPlan] = {}
        self.matchers: dict[tuple[str, bool], _Matcher] = {}
        self.sections: tuple[Section, ...] = ()
        self.answers: dict[_Hit, SectionMatch] = {}
        self.basename_n: dict[str, tuple[_RegexPattern, ...]] = {}

    def regex(self, source: str, flags: int, line: int) -> _Regex:
        regex = _Regex(source, flags, line)
        self.regexes.append(regex)
        return regex

    def add_file_pattern(self, hit: _Hit, text: str, literal: bool) -> None:
        value, tree = hit[4], text.endswith("/")
        if literal and tree:
            self.tree_literals.setdefault(text, []).append(hit)
        elif literal:
            self.file_literals.setdefault(text, []).append(hit)
            cut = text.rfind("/") + 1
            self.leaf_lengths.setdefault(text[:cut], set()).add(len(text) - cut)
        elif not tree and _SIMPLE_GLOB.fullmatch(value):
            *dirs, leaf = value.split("/")
            split = _SplitGlob(hit, tuple(dirs), leaf)
            literal_dirs = [i for i, part in enumerate(dirs) if not _GLOB_CHARS.search(part)]
            if literal_dirs:  # filed under its deepest literal directory component
                key = (len(dirs), literal_dirs[-1], dirs[literal_dirs[-1]])
                self.split_globs.setdefault(key, []).append(split)
            else:
                self.split_unkeyed.setdefault(len(dirs), []).append(split)
        else:
            test = (self.regex("^" + text, 0, hit[1]), tree, text.count("/"), hit)
            self.prefix_globs.setdefault(_index_key(value), []).append(test)

    def add_n(self, hit: _Hit) -> None:
        value = hit[4]
        safe = not _END_SENSITIVE.search(value)
        pattern = _RegexPattern(hit, self.regex(value, re.VERBOSE, hit[1]), _required_literal(value), safe)
        if len(pattern.literal) >= 3 and "/" not in pattern.literal:
            self.n_by_gram.setdefault(pattern.literal[:3], []).append(pattern)
        else:
            self.n_always.append(pattern)

    def add_keyword(self, section: int, line: int, value: str) -> None:
        # Perl interpolates "^[+-].*$keyword" without a group: keep it so.  A
        # leading "(?i)" would then sit mid-pattern, which Python refuses: it
        # moves to the front, where it changes nothing for "^[+-].*".
        flags = _LEADING_FLAGS.match(value)
        lead, rest = (flags[0], value[flags.end() :]) if flags else ("", value)
        plain, prefixed = self.regex(value, re.VERBOSE, line), self.regex(lead + "^[+-].*" + rest, re.VERBOSE, line)
        self.keywords.append((section, plain, prefixed))

    def finish(self, sections: tuple[Section, ...]) -> None:
        self.sections = sections
        self.n_grams = frozenset(self.n_by_gram)

    def matcher(self, part: str, whole: bool) -> _Matcher:
        """Test for one component of a split glob (``whole``: to its end)."""
        found = self.matchers.get((part, whole))
        if found is None:
            found = self.matchers[(part, whole)] = _part_matcher(part, whole)
        return found

    def n_in(self, text: str) -> list[_RegexPattern]:
        """N: patterns whose literal occurs in ``text``."""
        grams = {text[i : i + 3] for i in range(len(text) - 2)} & self.n_grams
        return [p for gram in grams for p in self.n_by_gram[gram] if p.literal in text]

    def plan(self, directory: str) -> _DirPlan:
        """The plan for ``directory`` ("" or ending in "/"), from its parent's."""
        plan = self.plans.get(directory)
        if plan is not None:
            return plan
        hits: list[_Hit] = []
        excluded: set[int] = set()
        tests: list[_Test] = []
        if directory:
            parent = self.plan(directory[: directory.rfind("/", 0, len(directory) - 1) + 1])
            hits, excluded, tests = list(parent.chain_hits), set(parent.chain_excluded), list(parent.chain_tests)
            found = list(self.tree_literals.get(directory, ()))
        else:
            found = []
        tests += self.prefix_globs.get(directory, ())
        # A subtree glob's match ends at a "/" of the path, so the directory
        # alone decides it (unless "|" or "(?" make it something else); once
        # it holds, it holds for everything below.
        path_tests, undecided = [], []
        for test in tests:
            regex, tree, _slashes, hit = test
            if not tree or "|" in regex.source or "(?" in regex.source:
                path_tests.append(test)
                undecided.append(test)
            elif regex.search(directory):
                found.append(hit)
            else:
                undecided.append(test)
        _sort_hits(found, hits, excluded)
        chain_hits, chain_excluded = tuple(hits), frozenset(excluded)
        here: list[_Hit] = []  # what holds for the files directly in this directory only
        leaf_tests = []
        for split in self._split_candidates(directory):
            if split.leaf == "*":
                here.append(split.hit)
            else:
                leaf_tests.append((self.matcher(split.leaf, False), split.hit))
        n_candidates = {*self.n_in(directory), *self.n_always} if self.n_grams or self.n_always else set()
        n_tests = []
        for n in n_candidates:
            if n.prefix_safe and n.regex.search(directory):
                here.append(n.hit)
            else:
                n_tests.append((n.regex.compiled().search, n.hit))
        _sort_hits(here, hits, excluded)
        decisive = _decisive(hits, excluded)
        plan = _DirPlan(
            chain_hits=chain_hits,
            chain_excluded=chain_excluded,
            chain_tests=tuple(undecided),
            path_tests=tuple(path_tests),
            decisive=decisive,
            excluded=frozenset(excluded),
            leaf_tests=tuple(leaf_tests),
            leaf_lengths=tuple(sorted(self.leaf_lengths.get(directory, ()))),
            n_tests=tuple(n_tests),
            n_known=frozenset(n.hit[1] for n in n_candidates),
            result=self.ranked(decisive),
            answers={},
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
        base = path[cut:]
        found = [hit for match, hit in plan.leaf_tests if match(base)] if plan.leaf_tests else []
        for length in plan.leaf_lengths:
            found += self.file_literals.get(path[: cut + length], ())
        if plan.path_tests:
            slashes = path.count("/")
            found += [hit for regex, tree, n, hit in plan.path_tests if (tree or n == slashes) and regex.search(path)]
        found += [hit for search, hit in plan.n_tests if search(path)]
        if self.n_grams:
            in_base = self.basename_n.get(base)
            if in_base is None:
                in_base = self.basename_n[base] = tuple(self.n_in(base))
            found += [n.hit for n in in_base if n.hit[1] not in plan.n_known and n.regex.search(path)]
        if not found:
            return plan.result
        key = tuple(found)
        answer = plan.answers.get(key)
        if answer is None:
            answer = plan.answers[key] = self._rank_more(plan, found)
        return answer

    def _rank_more(self, plan: _DirPlan, found: list[_Hit]) -> tuple[SectionMatch, ...]:
        decisive = dict(plan.decisive)
        excluded = {hit[0] for hit in found if hit[3] == "X"}
        for section in excluded:
            decisive.pop(section, None)
        excluded.update(plan.excluded)
        for hit in found:
            known = decisive.get(hit[0])
            if hit[0] not in excluded and (known is None or hit[1] > known[1]):
                decisive[hit[0]] = hit
        return self.ranked(decisive)

    def ranked(self, decisive: dict[int, _Hit]) -> tuple[SectionMatch, ...]:
        """Deepest first, then file order."""
        ranked = sorted(decisive.values(), key=lambda hit: (-hit[2], hit[0]))
        return tuple(self.answers.get(hit) or self._answer(hit) for hit in ranked)

    def _answer(self, hit: _Hit) -> SectionMatch:
        section, _order, depth, kind, value = hit
        answer = SectionMatch(self.sections[section], depth, "N" if kind == "N" else "F", value)
        self.answers[hit] = answer
        return answer


def _sort_hits(found: Iterable[_Hit], hits: list[_Hit], excluded: set[int]) -> None:
    for hit in found:
        (excluded.add(hit[0]) if hit[3] == "X" else hits.append(hit))


def _decisive(hits: Iterable[_Hit], excluded: Container[int]) -> dict[int, _Hit]:
    """Per section not excluded, the hit of its last matching line."""
    decisive: dict[int, _Hit] = {}
    for hit in hits:
        known = decisive.get(hit[0])
        if hit[0] not in excluded and (known is None or hit[1] > known[1]):
            decisive[hit[0]] = hit
    return decisive


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
    _index: _Index = field(default_factory=_Index, repr=False, compare=False)
    _problems: tuple[ParseProblem, ...] = field(default=(), repr=False, compare=False)

    def problems(self) -> tuple[ParseProblem, ...]:
        """Odd input tolerated: type lines before any section, regexes that do
        not compile (compiled here; they match nothing), in line order."""
        bad = [r for r in self._index.regexes if r.compiled() is _NEVER]
        found = [ParseProblem(r.line, f"regex {r.source!r} does not compile ({r.error}); ignored") for r in bad]
        return tuple(sorted({*self._problems, *found}, key=lambda p: (p.line, p.message)))

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
    name: str
    line: int
    fields: list[tuple[int, str, str]] = field(default_factory=list)  # line, letter, value
    skip_people: bool = False  # the anonymous first section's first line


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
    problems: list[ParseProblem] = []
    index = _Index()
    sections: list[Section] = []
    could_match = _prefilter(only_paths) if only_paths is not None else None
    for number, draft in enumerate(_read_drafts(text, problems)):
        if could_match is not None and not draft.skip_people and not could_match(draft):
            sections.append(_section(draft, number))
            for line, letter, value in draft.fields:
                if letter == "K":  # keywords match patch text, not paths: always kept
                    index.add_keyword(number, line, value)
            continue
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
    return Maintainers(index.sections, index, tuple(problems))


def ancestor_dirs(paths: Iterable[str]) -> set[str]:
    """Every directory above ``paths``, as ``""`` (the top) and ``"a/"``, ``"a/b/"``."""
    dirs = {""}
    for path in paths:
        cut = path.find("/")
        while cut >= 0:
            dirs.add(path[: cut + 1])
            cut = path.find("/", cut + 1)
    return dirs


def _prefilter(paths: Iterable[str]) -> Callable[[_Draft], bool]:
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

    def could_match(draft: _Draft) -> bool:
        return any(
            (letter in "FX" and head_matches(value)) or (letter == "N" and n_matches(value))
            for _line, letter, value in draft.fields
        )

    return could_match


def _section(draft: _Draft, number: int) -> Section:
    """A section as listed, for one whose patterns were not indexed."""
    values: dict[str, list[str]] = {k: [] for k in "MRLSFXNK"}
    other: list[tuple[str, str]] = []
    for _line, letter, value in draft.fields:
        if letter in values:
            values[letter].append(value)
        else:
            other.append((letter, value))
    return Section(
        name=draft.name, maintainers=tuple(values["M"]), reviewers=tuple(values["R"]), lists=tuple(values["L"]),
        status=values["S"][-1] if values["S"] else None, files=tuple(values["F"]), excludes=tuple(values["X"]),
        regexes=tuple(values["N"]), keywords=tuple(values["K"]), other=tuple(other), index=number, line=draft.line,
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
