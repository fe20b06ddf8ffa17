"""Patch mails byte for byte as ``git format-patch`` writes them: file names, headers, body, signature.

Ports of git's own rules (pretty.c, log-tree.c, builtin/log.c of git 2.39):
file-name slugs (``format_sanitized_subject``, 64-byte names), ``From:``
names quoted (RFC 822) or encoded (RFC 2047 ``q``, 76-column encoded
words), long ``Subject:``/``From:`` lines folded at 78 columns, RFC 2822
dates, the MIME headers a non-ASCII message needs, ``To:``/``Cc:`` lists
and threading headers, and the ``-- `` signature.  Pure: no git, no files;
the caller hands in the stat text and message ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from email.utils import parsedate_tz

from patchtool.errors import BadInput
from patchtool.model import Patch, Person, Subject
from patchtool.shortlog import wrap_text

GIT_SIGNATURE = "2.39.5"
MAX_HEADER = 78  # pretty.c's max_length for folded header lines
MAX_ENCODED = 76  # RFC 2047 encoded-word lines
PATCH_NAME_MAX = 64  # format.filenameMaxLength default
_RFC822_SPECIALS = set('()<>[]:;@,."\\')
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# -- file names -----------------------------------------------------------------


def sanitized_subject(text: str) -> str:
    """log.c's ``format_sanitized_subject``: runs of other bytes -> '-', '..' -> '.', no trailing '.'/'-'."""
    out: list[str] = []
    space = 2
    raw = text.encode("utf-8", "surrogateescape")
    i = 0
    while i < len(raw):
        ch = chr(raw[i])
        if ch.isascii() and (ch.isalnum() or ch in "._"):
            if space == 1:
                out.append("-")
            space = 0
            out.append(ch)
            if ch == ".":
                while i + 1 < len(raw) and raw[i + 1] == ord("."):
                    i += 1
        else:
            space |= 1
        i += 1
    return "".join(out).rstrip(".-")


def patch_file_name(number: int, summary: str, *, version: int = 1, max_len: int = PATCH_NAME_MAX) -> str:
    """format-patch's file name: ``[vN-]NNNN-slug.patch``, cut to ``max_len`` bytes with the suffix.

    git cuts after trimming, so a cut name may end in '-' (as git's do).
    """
    suffix = ".patch"
    name = (f"v{version}-" if version > 1 else "") + f"{number:04d}-{sanitized_subject(summary)}"
    return name[: max_len - (len(suffix) + 1)] + suffix


def cover_file_name(*, version: int = 1) -> str:
    return patch_file_name(0, "cover-letter", version=version)


# -- header values ---------------------------------------------------------------


def check_header_value(value: str, what: str) -> str:
    """Header values reach the mail verbatim: a CR or LF in one would forge headers."""
    if "\r" in value or "\n" in value:
        raise BadInput(f"{what} contains a line break: {value!r}")
    return value


def _needs_rfc2047(text: str) -> bool:
    return not text.isascii() or "\n" in text or "=?" in text


def _rfc2047_special(ch: str, address: bool) -> bool:
    if not ch.isascii() or not (0x20 <= ord(ch) <= 0x7E):
        return True
    if ch in " \t\n\r=?_":
        return True
    return address and not (ch.isalnum() or ch in "!*+-/")


def rfc2047(text: str, line_len: int, *, address: bool) -> str:
    """pretty.c's ``add_rfc2047``: one ``=?UTF-8?q?...?=`` word per 76 columns, whole characters only."""
    out = ["=?UTF-8?q?"]
    line_len += len("UTF-8") + 5
    for ch in text:
        raw = ch.encode("utf-8", "surrogateescape")
        special = len(raw) > 1 or _rfc2047_special(ch, address)
        piece = "".join(f"={b:02X}" for b in raw) if special else ch
        if line_len + len(piece) + 2 > MAX_ENCODED:
            out.append("?=\n =?UTF-8?q?")
            line_len = len("UTF-8") + 5 + 1
        out.append(piece)
        line_len += len(piece)
    out.append("?=")
    return "".join(out)


def _last_line_length(text: str) -> int:
    return len(text.rsplit("\n", 1)[-1].encode("utf-8", "surrogateescape"))


def from_header(person: Person, *, encode: bool = True) -> str:
    """The ``From:`` line as pretty.c's ``pp_user_info`` writes it (with its newline)."""
    name, email = person.name, person.email
    check_header_value(name, "author name")
    check_header_value(email, "author e-mail")
    line = "From: "
    max_length = MAX_HEADER
    if encode and _needs_rfc2047(name):
        line += rfc2047(name, _last_line_length(line), address=True)
        max_length = MAX_ENCODED
    else:
        if any(c in _RFC822_SPECIALS for c in name):
            name = '"' + "".join("\\" + c if c in '"\\' else c for c in name) + '"'
        line += wrap_text(name, -6, 1, max_length)[0]
    if max_length < _last_line_length(line) + len(" <") + len(email.encode()) + len(">"):
        line += "\n"
    return f"{line} <{email}>\n"


def subject_header(subject: Subject, *, encode: bool = True) -> str:
    """The ``Subject:`` line(s) as pretty.c's ``pp_title_line`` writes them: folded or RFC 2047."""
    title = subject.summary
    check_header_value(title, "subject")
    line = "Subject: " + Subject("", subject.prefix, subject.rfc, subject.version,
                                 subject.number, subject.total).render()
    if encode and _needs_rfc2047(title):
        line += rfc2047(title, _last_line_length(line), address=False)
    else:
        line += wrap_text(title, -_last_line_length(line), 1, MAX_HEADER)[0]
    return line + "\n"


def address_header(key: str, addresses: Sequence[str]) -> str:
    """``To:``/``Cc:`` as format-patch writes extra recipients: one per line, ``,`` and 4 spaces."""
    if not addresses:
        return ""
    for a in addresses:
        check_header_value(a, f"{key} address")
    return f"{key}: " + ",\n    ".join(addresses) + "\n"


def _rfc2822(when: dt.datetime, offset_minutes: int) -> str:
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return (f"{_DAYS[when.weekday()]}, {when.day} {_MONTHS[when.month - 1]} {when.year} "
            f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} {sign}{hours:02d}{minutes:02d}")


def git_date(text: str) -> str:
    """A date in git's RFC 2822 form (``Wed, 1 Sep 2021 06:48:17 +0000``); unparsable text stays."""
    parsed = parsedate_tz(text) if text else None
    try:
        when = dt.datetime(*parsed[:6]) if parsed is not None else None
    except (ValueError, OverflowError):  # "-5:33:33", a 13th month: read, but no date
        when = None
    if parsed is None or when is None:
        return check_header_value(text, "date")
    return _rfc2822(when, (parsed[9] or 0) // 60)


def epoch_date(timestamp: int, tz: str) -> str:
    """git's RFC 2822 rendering of an ident's ``<seconds> <+hhmm>``."""
    sign = -1 if tz.startswith("-") else 1
    minutes = sign * (int(tz[1:3]) * 60 + int(tz[3:5]))
    when = dt.datetime.fromtimestamp(timestamp, dt.timezone(dt.timedelta(minutes=minutes)))
    return _rfc2822(when, minutes)


MIME_HEADERS = ("MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
                "Content-Transfer-Encoding: 8bit\n")


def threading_headers(message_id: str | None, references: Sequence[str] = ()) -> str:
    """``Message-Id``, then ``In-Reply-To`` (the last reference) and ``References`` (folded with tabs)."""
    out = ""
    if message_id:
        out += f"Message-Id: {check_header_value(message_id, 'Message-Id')}\n"
    if references:
        for r in references:
            check_header_value(r, "References")
        out += f"In-Reply-To: {references[-1]}\n"
        out += "References: " + "\n\t".join(references) + "\n"
    return out


# -- whole mails -------------------------------------------------------------------


def notes_block(notes: str) -> str:
    """The notes as they stand after ``---``, the blank line below them included.

    ``git format-patch --notes`` (log-tree.c) writes a blank line, then
    ``Notes:`` and the note indented by four; a hand-written note starts
    right below ``---``.
    """
    if not notes:
        return ""
    lead = "\n" if notes.startswith(("Notes:", "Notes (")) else ""
    return lead + notes + "\n\n"


def render_patch(
    patch: Patch,
    subject: Subject,
    *,
    stat: str | None = None,
    commit: str | None = None,
    message_id: str | None = None,
    references: Sequence[str] = (),
    to: Sequence[str] = (),
    cc: Sequence[str] = (),
    signature: str = GIT_SIGNATURE,
) -> str:
    """One patch mail as ``git format-patch`` writes it.

    Below ``---`` come the patch's notes, where ``git format-patch --notes``
    puts them, then ``stat``: the ``--stat --summary`` text (default: the
    stat the patch came with); ``references`` thread it (the last one is
    ``In-Reply-To``).
    """
    sha = commit or patch.commit or "0" * 40
    message = patch.message.split("\n\n", 1)[1] if "\n\n" in patch.message else ""
    out = f"From {sha} Mon Sep 17 00:00:00 2001\n"
    out += threading_headers(message_id, references)
    out += from_header(patch.author)
    out += f"Date: {git_date(patch.date)}\n"
    out += subject_header(subject)
    # pretty.c looks at the message only (not the author line, not the diff).
    if not patch.message.isascii():
        out += MIME_HEADERS
    out += address_header("To", to) + address_header("Cc", cc)
    out += "\n" + message + "---\n" + notes_block(patch.notes)
    stat_text = stat if stat is not None else (patch.stat + "\n" if patch.stat else "")
    if stat_text:
        out += stat_text + "\n"
    out += patch.diff
    out += f"-- \n{signature}\n\n"
    return out
