"""The first screen of a ``check`` on several bases: a line per base, then each distinct conflict once.

A line per base (in the order of the bases: git's version order) says whether the series
applies there (with its offset, 3way and already-applied counts and the result tree) or the
first patch that fails and a short why.  Then each patch that fails somewhere gets one block:
its problems, each listed once with the bases it occurs on (the same file, hunk, message and
lines; a match found at another line of the base is the same conflict), and the lines the
patch expects beside what the base has, as the single-base report shows them.  A patch that
fails on top of an earlier failed patch's files is counted, not explained: it is that failure
again.  ``check -v`` prints the whole table instead (``check_cmd.plain_report``).

Every line fits ``width`` columns (a tab counted to the next stop of 8, wide characters as 2,
as a terminal shows them): base names longer than ``NAME_MAX`` stand as ``#1``, ``#2``... with
a legend.  The details stop at ``FIRST_SCREEN`` lines (or a few more than the base lines take,
when there are many bases); what is left out is left to ``-v``, which the last line says.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from patchtool.apply import ApplyResult, PatchResult, Problem
    from patchtool.check import CheckReport

WIDTH = 80
FIRST_SCREEN = 60
NAME_MAX = 24
# The place of the nearest match is where the base has the lines, not what it has.
_AT_LINE = re.compile(r" at line \d+")

Segment = tuple[str, str | None]  # text, and its rich style on a terminal
Line = list[Segment]


@dataclass
class _Issue:
    """One problem of one patch, on every base it occurs on: base index -> the line of the nearest match."""

    problem: Problem
    on: dict[int, int | None] = field(default_factory=dict)


@dataclass
class _Failing:
    """A patch that fails on some bases (not only on top of an earlier failure)."""

    patch: PatchResult
    bases: set[int] = field(default_factory=set)
    issues: dict[tuple[object, ...], _Issue] = field(default_factory=dict)
    left_out: int = 0  # problems on other files than the one the conflict is about


def summary_lines(report: CheckReport, *, width: int = WIDTH) -> list[Line]:
    """The first screen of a multi-base check (see the module's docstring)."""
    results = report.results
    names, legend = _display_names([r.base for r in results])
    name_width = max(len(n) for n in names)
    fails = sum(1 for r in results if not r.applies)
    holding = sum(1 for r in results if r.applies and r.already_applied)
    series = report.series
    count = len(series.patches)
    head = (f"{series.name} v{series.version}: {count} patch{'es' if count != 1 else ''} on {len(results)} "
            f"bases: {len(results) - fails - holding} apply, {fails} fail")
    if holding:
        head += f", {holding} already hold some"
    mandatory: list[Line] = [[(line, "bold")] for line in _wrap(head, width)]
    for name, r in zip(names, results, strict=True):
        mandatory.append(_base_line(name.ljust(name_width), r, width))
    mandatory += [[(line, "dim")] for entry in legend for line in _wrap(entry, width, "     ")]
    if any(r.already_applied for r in results):
        mandatory += _applied_note(width)
    return _with_details(mandatory, _failing(results), names, len(series.patches), width)


# -- a line per base ------------------------------------------------------------------------------------


def _base_line(label: str, r: ApplyResult, width: int) -> Line:
    from patchtool.apply import Status

    def count(status: Status) -> int:
        return sum(1 for p in r.patches if p.status is status)

    parts = [f"{n} 3way" for n in [count(Status.THREEWAY)] if n]
    if r.already_applied:
        parts.append(f"{len(r.already_applied)} already applied")
    conflicts = [p for p in r.patches if p.status is Status.CONFLICT]
    if not conflicts:
        parts[:0] = [f"{n} offset" for n in [count(Status.OFFSET)] if n]
        text = "applies" + (f" ({', '.join(parts)})" if parts else "")
        tree = f"; tree {r.result_tree[:12]}" if r.result_tree else ""
        if _cols(f"{label}  {text}{tree}") <= width:
            text += tree
        style = "cyan" if r.already_applied else "green"
        return [(f"{label}  ", None), (_fit(text, width - _cols(label) - 2), style)]
    if len(conflicts) > 1:
        parts.insert(0, f"{len(conflicts) - 1} more after it")
    text = f"fails at {conflicts[0].number}" + (f" ({', '.join(parts)})" if parts else "") + ": "
    return [(f"{label}  ", None), (_fit_why(text, _decisive(conflicts[0]), width - _cols(label) - 2), "red")]


def _decisive(p: PatchResult) -> Problem | None:
    """The problem that decided the conflict: the 3-way merge's, unless that says only that there could be
    none (the plain apply's first problem then says more)."""
    problems = p.problems
    if not problems:
        return None
    if problems[-1].message.startswith("3-way merge impossible") and len(problems) > 1:
        return problems[0]
    return problems[-1]


def _fit_why(text: str, prob: Problem | None, width: int) -> str:
    """``text`` and the short why: ``FILE: message`` while it fits, else fewer of the message's ``: `` parts."""
    if prob is None:
        return _fit(text + "does not apply", width)
    message = prob.message.removeprefix(f"{prob.file}: ") if prob.file else prob.message
    parts = message.split(": ")
    for n in range(len(parts), 0, -1):
        why = ": ".join(([prob.file] if prob.file else []) + parts[:n])
        if _cols(text + why) <= width:
            return text + why
    return _fit(text + (prob.file or message), width)


def _problem_head(prob: Problem) -> str:
    """What the single-base report prints for a problem: ``FILE HUNK: message``."""
    if not prob.file or prob.message.startswith(f"{prob.file}:"):
        return prob.message
    where = f"{prob.file} {prob.hunk}" if prob.hunk else prob.file
    return f"{where}: {prob.message}"


def _display_names(bases: list[str]) -> tuple[list[str], list[str]]:
    """The names as the lines show them, and the legend of those too long to (``#1 = NAME``)."""
    names, legend = [], []
    for base in bases:
        if len(base) > NAME_MAX:
            short = f"#{len(legend) + 1}"
            legend.append(f"{short} = {base}")
            base = short
        names.append(base)
    return names, legend


def _applied_note(width: int) -> list[Line]:
    text = ("already applied: the base has the patch's changes (git am -3 skips it as \"already applied\"): "
            "the series cannot be posted there as is; patchtool rebase --onto BASE --drop-applied drops them "
            "(-v names their upstream commits)")
    return [[(line, "cyan")] for line in _wrap(text, width, "  ")]


# -- each distinct conflict once -------------------------------------------------------------------------


def _failing(results: Sequence[ApplyResult]) -> list[_Failing]:
    """The patches that fail on their own somewhere (first on a base, or on files no failed patch touched),
    each problem grouped across the bases it occurs on."""
    from patchtool.apply import Status

    by_number: dict[int, _Failing] = {}
    for i, r in enumerate(results):
        for p in r.patches:
            if p.status is not Status.CONFLICT or p.touches_failed:
                continue
            failing = by_number.setdefault(p.number, _Failing(p))
            failing.bases.add(i)
            decisive = _decisive(p)
            # The problems of the file the conflict is about; other files' are left to -v.
            for prob in p.problems:
                if decisive is not None and prob.file != decisive.file:
                    failing.left_out += 1
                    continue
                key = (prob.file, prob.hunk, _AT_LINE.sub("", prob.message), prob.expected, prob.actual)
                issue = failing.issues.setdefault(key, _Issue(prob))
                issue.on[i] = prob.actual_line
    return [by_number[n] for n in sorted(by_number)]


def _with_details(mandatory: list[Line], failing: list[_Failing], names: list[str], total: int,
                  width: int) -> list[Line]:
    """The base lines, then as many conflict blocks, and then as many of their lines, as the screen holds."""
    budget = max(FIRST_SCREEN, len(mandatory) + 16) - 1  # one line kept for the pointer to -v
    used = len(mandatory)
    blocks: list[_Block] = []
    for f in failing:
        block = _block(f, names, total, width)
        if used + 1 + block.size > budget:
            break
        used += 1 + block.size
        blocks.append(block)
    wanted = [(b, j) for b, block in enumerate(blocks) for j, (_, body) in enumerate(block.issues) if body]
    shown: set[tuple[int, int]] = set()
    for b, j in wanted:
        size = len(blocks[b].issues[j][1])
        if used + size <= budget:
            used += size
            shown.add((b, j))
    out = list(mandatory)
    for b, block in enumerate(blocks):
        out.append([("", None)])
        out += block.own
        for j, (lines, body) in enumerate(block.issues):
            out += lines + (body if (b, j) in shown else [])
    if len(blocks) < len(failing) or len(shown) < len(wanted) or any(f.left_out for f in failing):
        left = [str(f.patch.number) for f in failing[len(blocks):]]
        what = f"patch{'es' if len(left) > 1 else ''} {', '.join(left)} fail{'s' if len(left) == 1 else ''} too" \
            if left else ""
        note = f"({what}{'; ' if what else ''}-v: every patch on every base, with all the lines)"
        if _cols(note) > width:
            note = _fit(f"({what}: -v)", width)
        out.append([(note, "dim")])
    return out


@dataclass
class _Block:
    """A failing patch's lines: its own, then per problem its lines and (``body``) the lines of code."""

    own: list[Line]
    issues: list[tuple[list[Line], list[Line]]]

    @property
    def size(self) -> int:
        return len(self.own) + sum(len(lines) for lines, _ in self.issues)


def _block(f: _Failing, names: list[str], total: int, width: int) -> _Block:
    from dataclasses import replace

    own: list[Line] = [[(line, "bold")] for line in _wrap(f"patch {f.patch.number}/{total} "
                                                         f"{f.patch.patch.subject.summary}", width, "  ")]
    own += [[(line, None)] for line in _wrap(f"fails on {_bases_text(f.bases, names)}", width, "    ", "  ")]
    issues: list[tuple[list[Line], list[Line]]] = []
    files = list(dict.fromkeys(issue.problem.file for issue in f.issues.values()))
    # By file, its hunks before what the 3-way merge said of it.
    for issue in sorted(f.issues.values(), key=lambda i: (files.index(i.problem.file), i.problem.hunk is None)):
        prob = issue.problem
        # Found at different lines on different bases: the message without its line, the body says.
        same_place = len(set(issue.on.values())) == 1
        shown = prob if same_place else replace(prob, message=_AT_LINE.sub("", prob.message))
        lines = [[(line, "red")] for line in _wrap(_problem_head(shown), width, "    ", "  ")]
        if set(issue.on) != f.bases:
            lines += [[(line, "dim")] for line in _wrap(f"on {_bases_text(set(issue.on), names)}", width,
                                                         "      ", "    ")]
        issues.append((lines, _body(issue, names, width)))
    return _Block(own, issues)


def _body(issue: _Issue, names: list[str], width: int) -> list[Line]:
    """The patch's lines and the base's, as the single-base report prints them (each cut to ``width``)."""
    prob = issue.problem
    if not (prob.expected or prob.actual):
        return []
    out = ["    the patch expects:", *(f"      |{line}" for line in prob.expected)]
    at: dict[int | None, set[int]] = {}
    for i, line in issue.on.items():
        at.setdefault(line, set()).add(i)
    if len(at) == 1:
        line = next(iter(at))
        where = f" (line {line})" if line else ""
    else:
        # The most common place without its bases, the others with theirs.
        ranked = sorted(at.items(), key=lambda kv: (-len(kv[1]), min(kv[1])))
        where = " (line " + "; ".join([str(ranked[0][0])] + [f"{n} on {_bases_text(b, names)}"
                                                             for n, b in ranked[1:]]) + ")"
    header = _wrap(f"the base has{where}:", width, "      ", "    ")
    out += [*header, *(f"      |{line}" for line in prob.actual)] if prob.actual else [*header, "      (nothing alike)"]
    return [[(_fit(line, width), None)] for line in out]


# -- text helpers ---------------------------------------------------------------------------------------


def _bases_text(indices: set[int], names: list[str]) -> str:
    """``every base``, ``v6.1``, ``3 bases: v6.1 to v6.3``, ``every base but v6.5, v6.6``: runs in the bases' order."""
    n = len(names)
    if len(indices) == n and n > 1:
        return "every base"
    runs = _runs(sorted(indices))
    others = _runs(sorted(set(range(n)) - indices))
    if len(indices) > n // 2 and len(others) < len(runs):
        return f"every base but {_runs_text(others, names)}"
    text = _runs_text(runs, names)
    return f"{len(indices)} bases: {text}" if len(indices) > 2 else text


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _runs_text(runs: list[tuple[int, int]], names: list[str]) -> str:
    words = []
    for a, b in runs:
        words.append(names[a] if a == b else f"{names[a]}, {names[b]}" if b == a + 1 else f"{names[a]} to {names[b]}")
    return ", ".join(words)


def _wrap(text: str, width: int, indent: str = "", first: str = "") -> list[str]:
    """Prose wrapped at spaces (textwrap counts characters: a wide one is cut by ``_fit``)."""
    lines = textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=indent,
                          break_on_hyphens=False) or [first]
    return [_fit(line, width) for line in lines]


def _cols(text: str) -> int:
    """How many columns a terminal gives ``text`` from the start of a line."""
    col = 0
    for ch in text:
        col = _advance(col, ch)
    return col


def _advance(col: int, ch: str) -> int:
    if ch == "\t":
        return col + 8 - col % 8
    if unicodedata.combining(ch):
        return col
    return col + (2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1)


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, an ellipsis marking the cut."""
    if _cols(text) <= width:
        return text
    col = 0
    for n, ch in enumerate(text):
        col = _advance(col, ch)
        if col > width - 1:
            return text[:n] + "…"
    return text


def display_width(text: str) -> int:
    """The columns of a line as a terminal shows it (tests measure the output with it)."""
    return _cols(text)


def plain(lines: Sequence[Line]) -> str:
    return "\n".join("".join(text for text, _ in line) for line in lines)
