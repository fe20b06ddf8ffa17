"""Subjects, trailers and footers: the one home of patch-mail text patterns.

``[RFC PATCH net-next v2 03/12] subsys: summary`` becomes a Subject; the
closing paragraph of a commit message becomes Trailers; ``base-commit:``
and ``prerequisite-patch-id:`` footers are found here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from patchtool.model import Subject, Trailer

_REPLY = re.compile(r"^\s*((re|aw|fwd?)\s*:\s*)+", re.IGNORECASE)
_BRACKETS = re.compile(r"^\s*\[([^\]]*)\]\s*")
_VERSION = re.compile(r"^[vV](\d+)$")
_NUMBERING = re.compile(r"^([+-]?\d+)/([+-]?\d+)$")
# No series is longer: past it an n/N is broken or hostile (and walking 1..N would hang import).
MAX_PATCHES = 10_000
_HUGE = 10**30  # numbers of more digits are kept as this (int() of thousands of digits is slow or refused)
# git's trailer key: a token of letters, digits and dashes, then ':'.
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$")
# Notes kernel maintainers put between trailers: "[PM: rebased]".
_BRACKET_NOTE = re.compile(r"^\[.*\]$")
_FOOTER = re.compile(r"^(base-commit|prerequisite-patch-id): *([0-9a-f]{7,64})\s*$", re.MULTILINE)
# Lines git itself adds that are never part of a human trailer block.
_CHERRY = re.compile(r"^\(cherry picked from commit [0-9a-f]+\)$")

# Trailers reviewers give in replies and that belong on the patch.
REVIEW_TRAILERS = ("Reviewed-by", "Acked-by", "Tested-by", "Reported-by", "Suggested-by")
# Where a reply stops being the sender's own words.
_ORIGINAL_MESSAGE = re.compile(r"^-{3,}\s*Original Message\s*-{3,}$", re.IGNORECASE)
_WRAPPED_ADDRESS = re.compile(r"^<[^<>\s]+@[^<>\s]+>$")


def parse_subject(text: str) -> Subject:
    """Split a mail subject into its bracket words and summary.

    Several bracket groups (``[PATCH] [net-next]``) are read as one; words
    are separated by spaces or commas (``[PATCH v2,3/5]``).
    """
    text = " ".join(text.split())
    is_reply = bool(_REPLY.match(text))
    text = _REPLY.sub("", text)
    words: list[str] = []
    saw_brackets = False
    while m := _BRACKETS.match(text):
        saw_brackets = True
        words.extend(w for w in re.split(r"[\s,]+", m.group(1)) if w)
        text = text[m.end():]
    rfc = False
    version = 1
    number = total = None
    prefix: list[str] = []
    for word in words:
        if word.upper() == "RFC":
            rfc = True
        elif v := _VERSION.match(word):
            version = _number(v.group(1))
        elif n := _NUMBERING.match(word):
            number, total = _number(n.group(1)), _number(n.group(2))
        else:
            prefix.append(word)
    return Subject(
        summary=text.strip(),
        prefix=" ".join(prefix) if saw_brackets else "",
        rfc=rfc,
        version=version,
        number=number,
        total=total,
        is_reply=is_reply,
    )


def _number(text: str) -> int:
    digits = text.lstrip("+-")
    value = int(digits) if len(digits) <= 30 else _HUGE
    return -value if text.startswith("-") else value


def _shown(value: int) -> str:
    return str(value) if abs(value) < _HUGE else f"{'-' if value < 0 else ''}(30+ digits)"


def numbering_problem(subject: Subject) -> str | None:
    """Why a subject's ``n/N`` numbers no mail of a series (0/N being the cover), or None when it does."""
    n, total = subject.number, subject.total
    if n is None or total is None:
        return None
    shown = f"{_shown(n)}/{_shown(total)}"
    if total > MAX_PATCHES:
        return f"numbering {shown}: more than {MAX_PATCHES} patches is no series"
    if total < 1:
        return f"numbering {shown}: a series of no patches"
    if not 0 <= n <= total:
        return f"patch number {shown} is out of range"
    return None


def split_trailers(message: str) -> tuple[str, tuple[Trailer, ...]]:
    """Split a commit message body into (prose, trailers).

    The trailer block is the last paragraph when every line in it is a
    ``Key: value`` trailer, an indented continuation, or a bracketed
    maintainer note, and at least one line is a trailer (git's rule for a
    block made only of trailers).
    """
    text = message.strip("\n")
    if not text:
        return "", ()
    head, sep, last = text.rpartition("\n\n")
    lines = last.split("\n")
    trailers: list[Trailer] = []
    for line in lines:
        if m := _TRAILER.match(line):
            trailers.append(Trailer(m.group(1), m.group(2).rstrip()))
        elif line[:1] in (" ", "\t") and trailers and not trailers[-1].is_note:
            prev = trailers[-1]
            trailers[-1] = Trailer(prev.key, f"{prev.value}\n{line}")
        elif _BRACKET_NOTE.match(line.strip()) or _CHERRY.match(line):
            trailers.append(Trailer("", line))
        else:
            return text, ()
    if not any(not t.is_note for t in trailers):
        return text, ()
    return head.strip("\n") if sep else "", tuple(trailers)


def find_trailers(text: str, keys: tuple[str, ...] = REVIEW_TRAILERS) -> tuple[Trailer, ...]:
    """Trailers with ``keys`` anywhere in a reply, in text order, each once.

    Quoted lines (``> Acked-by:``, however deeply) and everything from the
    signature (``-- ``) or an Outlook ``-----Original Message-----`` block on
    are not the sender's words.  A value without an address is no trailer
    (``Acked-by: nobody``), unless the address was wrapped onto the next
    line (``Reviewed-by: A Long Name`` / ``<addr>``), as mail clients wrap it.
    """
    wanted = {k.lower(): k for k in keys}
    found: list[Trailer] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.rstrip("\r") == "-- " or _ORIGINAL_MESSAGE.match(line.strip()):
            break
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        m = _TRAILER.match(stripped)
        if not m or m.group(1).lower() not in wanted:
            continue
        value = " ".join(m.group(2).split())
        if "@" not in value and i + 1 < len(lines) and _WRAPPED_ADDRESS.match(lines[i + 1].strip()):
            value = f"{value} {lines[i + 1].strip()}"
        if "@" in value:
            found.append(Trailer(wanted[m.group(1).lower()], value))
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Footers:
    """The ``base-commit:`` and ``prerequisite-patch-id:`` lines format-patch writes under a patch."""

    base_commit: str | None
    prerequisites: tuple[str, ...]


def find_footers(text: str) -> Footers:
    base = None
    prereq: list[str] = []
    for m in _FOOTER.finditer(text):
        if m.group(1) == "base-commit":
            base = m.group(2)
        else:
            prereq.append(m.group(2))
    return Footers(base, tuple(prereq))


def strip_footers(text: str) -> str:
    return _FOOTER.sub("", text)
