"""The per-directory index that answers "which F:/X:/N: lines match this path" fast.

See the package docstring, "Speed (the index)".
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Container, Iterable, Sequence
from typing import NamedTuple

from patchtool.maintainers.sections import (
    _END_SENSITIVE,
    _GLOB_CHARS,
    _LEADING_FLAGS,
    _META_RE,
    _SIMPLE_GLOB,
    _WS,
    Section,
    SectionMatch,
    _Hit,
    _Matcher,
)

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
        self.sections: Sequence[Section] = ()
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

    def finish(self, sections: Sequence[Section]) -> None:
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
