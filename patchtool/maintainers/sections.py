"""MAINTAINERS records: sections, matches, parse problems, recipients, address helpers.

The shapes ``table`` builds and answers with; the rules are in the package docstring.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

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

    ``index`` is the section's position in file order (over every file read,
    in the order read), ``file`` the MAINTAINERS file it is in and ``line`` the
    1-based line number of its name line there.  ``other`` holds every field
    this model has no attribute for (W:, Q:, B:, C:, P:, T:, unknown letters)
    in file order.
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
    file: str = "MAINTAINERS"

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
    file: str = "MAINTAINERS"


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
