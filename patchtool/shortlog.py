"""Shortlogs as git prints them, and the ``.mailmap`` that renames their authors.

Two layouts, both byte-identical to git's:

* ``FORMAT_PATCH``: the block ``git format-patch --cover-letter`` writes
  (2-space entries wrapped at 72 columns, 4-space continuation);
* ``SHORTLOG_W``: ``git shortlog -w`` (6-space entries wrapped at 76,
  9-space continuation).

Authors are grouped by (mailmapped) name and sorted bytewise as git's
``string_list`` does; each author's subjects keep the series' order.  The
wrapping is a port of git's ``strbuf_add_wrapped_text`` (utf8.c), column
widths included (wide CJK = 2, combining marks = 0, controls = -1).

Pure: no git, no files.  The caller says which ``.mailmap`` text applies.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_GIT_SPACE = " \t\n\r"  # git's isspace(): no \v, no \f


@dataclass(frozen=True)
class Layout:
    """Where a shortlog entry starts, where its continuation starts, and the width it wraps at."""

    indent1: int
    indent2: int
    width: int


FORMAT_PATCH = Layout(indent1=2, indent2=4, width=72)  # MAIL_DEFAULT_WRAP in builtin/log.c
SHORTLOG_W = Layout(indent1=6, indent2=9, width=76)  # `git shortlog -w` defaults


# -- .mailmap --------------------------------------------------------------------


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fold(text: str) -> str:
    """strcasecmp's folding: ASCII letters only."""
    return text.translate(_ASCII_LOWER)


@dataclass(frozen=True)
class _Mapping:
    """What one .mailmap line maps a name or address to."""

    name: str | None
    email: str | None


@dataclass(frozen=True)
class Mailmap:
    """A parsed ``.mailmap``: lookups by e-mail, optionally narrowed by name (case-insensitive)."""

    simple: tuple[tuple[str, _Mapping], ...] = ()
    by_name: tuple[tuple[str, str, _Mapping], ...] = ()

    @functools.cached_property
    def _lookup(self) -> tuple[dict[str, _Mapping], dict[tuple[str, str], _Mapping]]:
        return dict(self.simple), {(e, n): m for e, n, m in self.by_name}

    def map(self, name: str, email: str) -> tuple[str, str]:
        """The (name, email) git shows for an author, as ``map_user()`` in mailmap.c."""
        key = _fold(email)
        simple, named = self._lookup
        if key not in simple:
            return name, email
        found = named.get((key, _fold(name))) or simple[key]
        return (found.name if found.name is not None else name,
                found.email if found.email is not None else email)


def _name_and_email(text: str, allow_empty_email: bool) -> tuple[str | None, str | None, str | None]:
    """mailmap.c's parse_name_and_email: (name, email, rest after '>') or Nones."""
    left = text.find("<")
    if left < 0:
        return None, None, None
    right = text.find(">", left + 1)
    if right < 0:
        return None, None, None
    if not allow_empty_email and right == left + 1:
        return None, None, None
    name = text[:left].strip(_GIT_SPACE) or None
    rest = text[right + 1:]
    return name, text[left + 1:right], rest or None


def parse_mailmap(text: str) -> Mailmap:
    """Parse ``.mailmap`` text with git's rules (mailmap.c ``read_mailmap_line``).

    Later lines win over earlier ones for the same key, as git's do.
    """
    simple: dict[str, _Mapping] = {}
    named: dict[tuple[str, str], _Mapping] = {}
    for line in text.split("\n"):
        if line.startswith("#"):
            continue
        name1, email1, rest = _name_and_email(line, False)
        name2 = email2 = None
        if rest is not None:
            name2, email2, _ = _name_and_email(rest, True)
        if email1 is None:
            continue
        new_name, new_email, old_name, old_email = name1, email1, name2, email2
        if old_email is None:
            old_email, new_email = new_email, None
        key = _fold(old_email)
        if old_name is None:
            prev = simple.get(key, _Mapping(None, None))
            simple[key] = _Mapping(new_name if new_name is not None else prev.name,
                                   new_email if new_email is not None else prev.email)
        else:
            simple.setdefault(key, _Mapping(None, None))
            named[(key, _fold(old_name))] = _Mapping(new_name, new_email)
    return Mailmap(tuple(simple.items()), tuple((e, n, m) for (e, n), m in named.items()))


# -- git's column arithmetic --------------------------------------------------------


def _char_width(ch: str) -> int:
    """git_wcwidth(): -1 for controls, 0 for combining/format marks, 2 for wide, else 1."""
    code = ord(ch)
    if code == 0:
        return 0
    if code < 32 or 0x7F <= code < 0xA0:
        return -1
    if 0x1160 <= code <= 0x11FF or (unicodedata.category(ch) in ("Mn", "Me", "Cf") and code != 0xAD):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


def _esc_len(text: str, i: int) -> int:
    """Length of an ANSI colour sequence (ESC [ digits/; m) at ``i``, else 0."""
    if not text.startswith("\033[", i):
        return 0
    j = i + 2
    while j < len(text) and (text[j] in "0123456789;"):
        j += 1
    return j + 1 - i if j < len(text) and text[j] == "m" else 0


def wrap_text(text: str, indent1: int, indent2: int, width: int) -> tuple[str, int]:
    """Port of git's ``strbuf_add_wrapped_text``: (wrapped text, column reached).

    A negative ``indent1`` means the first line already holds that many
    columns (how git folds mail headers).  Text that is not valid UTF-8
    (surrogate escapes) is measured a byte a column, as git falls back to.
    """
    utf8 = not any(0xD800 <= ord(c) <= 0xDFFF for c in text)

    def measure(ch: str) -> int:
        return _char_width(ch) if utf8 else len(ch.encode("utf-8", "surrogateescape"))

    out: list[str] = []
    n = len(text)
    i = bol = 0
    w = indent = indent1
    space: int | None = None
    if indent < 0:
        w = -indent
        space = 0
    while True:
        while skip := _esc_len(text, i):
            i += skip
        c = text[i] if i < n else ""
        if c and c not in _GIT_SPACE:
            w += measure(c)
            i += 1
            continue
        new_line = False
        if w <= width or space is None:
            start = bol
            if not c and i == start:
                return "".join(out), w
            if space is not None:
                start = space
            else:
                out.append(" " * indent)
            out.append(text[start:i])
            if not c:
                return "".join(out), w
            space = i
            if c == "\t":
                w |= 0x07
            elif c == "\n":
                space += 1
                nxt = text[space] if space < n else ""
                if nxt == "\n":
                    out.append("\n")
                    new_line = True
                elif not (nxt.isascii() and nxt.isalnum()):
                    new_line = True
                else:
                    out.append(" ")
            if not new_line:
                w += 1
                i += 1
                continue
        out.append("\n")
        assert space is not None
        i = bol = space + (1 if space < n and text[space] in _GIT_SPACE else 0)
        space = None
        w = indent = indent2


# -- the shortlog -------------------------------------------------------------------


def _format_subject(message: str) -> str:
    """pretty.c's ``format_subject``: the first paragraph's lines, right-trimmed, joined by spaces."""
    lines: list[str] = []
    for line in message.split("\n"):
        line = line.rstrip(_GIT_SPACE)
        if not line:
            break
        lines.append(line)
    return " ".join(lines)


def oneline(message: str) -> str:
    """The entry git's shortlog shows for a commit message (``%s``, then ``insert_one_record``).

    Blank lines before the subject are skipped, the first paragraph's lines
    join with spaces, then leading whitespace and a leading ``[PATCH...]``
    bracket go (an old git habit still in shortlog.c).
    """
    lines = message.split("\n")
    while lines and not lines[0].strip(_GIT_SPACE):
        lines.pop(0)
    text = _format_subject("\n".join(lines)).lstrip(_GIT_SPACE)
    if text.startswith("[PATCH") and "]" in text:
        text = text[text.index("]") + 1:]
    return _format_subject(text.lstrip(" \t\r"))


def group_by_author(
    entries: Iterable[tuple[str, str, str]], mailmap: Mailmap | None = None
) -> list[tuple[str, list[str]]]:
    """(author name, email, subject) -> [(shown name, [entries in order])], sorted by name bytes."""
    groups: dict[str, list[str]] = {}
    for name, email, subject in entries:
        shown = mailmap.map(name, email)[0] if mailmap else name
        groups.setdefault(shown, []).append(oneline(subject))
    return sorted(groups.items(), key=lambda kv: kv[0].encode("utf-8", "surrogateescape"))


def render_shortlog(
    entries: Sequence[tuple[str, str, str]], layout: Layout = FORMAT_PATCH, mailmap: Mailmap | None = None
) -> str:
    """The shortlog block: ``Name (N):``, wrapped entries, a blank line after each author."""
    out: list[str] = []
    for name, subjects in group_by_author(entries, mailmap):
        out.append(f"{name} ({len(subjects)}):\n")
        for subject in subjects:
            out.append(wrap_text(subject, layout.indent1, layout.indent2, layout.width)[0] + "\n")
        out.append("\n")
    return "".join(out)
