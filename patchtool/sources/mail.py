"""One patch mail (as ``git format-patch`` or a mail client wrote it) -> a Patch.

The stdlib ``email`` package does the mail work: RFC 2047 names and
subjects, quoted-printable and base64 bodies, charsets, folded headers.
What it leaves to us is git's own layout of the body: in-body ``From:``/
``Date:``/``Subject:`` headers, the message up to ``---``, the notes up to
the first ``diff --git`` (the maintainer's words kept apart from git's
``--stat --summary`` block), the diff, and the footers after it.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from patchtool.diffparse import parse_diff
from patchtool.errors import BadInput
from patchtool.model import Cover, Patch, Person, Subject
from patchtool.subject import parse_subject, split_trailers

_UNIXFROM = re.compile(rb"^From ([0-9a-f]{40}|[0-9a-f]{64}) ")
_IN_BODY = re.compile(r"^(From|Date|Subject):[ \t]*(.*)$")
# format-patch's own first line: the commit and a fixed date no mail system writes.
_FORMAT_PATCH_FROM = re.compile(rb"^From ([0-9a-f]{40}|[0-9a-f]{64}) Mon Sep 17 00:00:00 2001\r?\n")
# The lines of git's `--stat --summary` block (diff.c's show_stats and show_summary).
_STAT_FILE = re.compile(r"^ .+ \| +(?:\d+(?: \+*-*)?|Bin(?: \d+ -> \d+ bytes)?)$")
_STAT_TOTAL = re.compile(r"^ \d+ files? changed(?:, \d+ insertions?\(\+\))?(?:, \d+ deletions?\(-\))?$")
_STAT_SUMMARY = re.compile(r"^ (?:create mode|delete mode|mode change|rename|copy|rewrite) ")


@dataclass(frozen=True)
class Mail:
    """A decoded mail: the headers patchtool reads and the text body."""

    subject: Subject
    subject_text: str
    sender: Person
    date: str
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    to: tuple[str, ...]
    cc: tuple[str, ...]
    body: str
    commit: str | None
    raw: bytes
    # Every id of In-Reply-To (a reply to several mails names them all); in_reply_to is the first.
    in_reply_to_all: tuple[str, ...] = ()
    list_id: str = ""  # the List-Id the mail came through, in brackets there


def _person(value: str) -> Person:
    name, addr = parseaddr(value)
    return Person(" ".join(name.split()), addr)


def _msgids(value: str | None) -> tuple[str, ...]:
    """The ``<id>``s of a Message-ID, In-Reply-To or References value, in order, each once.

    RFC 5322 comments and quoted strings are skipped, so that what clients
    write around the id is not taken for one: Gnus and Emacs write ``<id>
    (Jens Axboe's message of "Fri, 1 Sep 2023 14:01:05 -0600")``, folded
    over two lines; a comment can hold an address (``(message from A <a@x>)``).
    Inside ``<...>`` nothing is special: real ids hold ``(`` and ``$``.  An
    unbalanced quote or comment falls back to every ``<...>`` of the value.
    """
    if not value:
        return ()
    ids: list[str] = []
    i, n, depth = 0, len(value), 0
    while i < n:
        c = value[i]
        if depth:
            if c == "\\":
                i += 1
            elif c in "()":
                depth += 1 if c == "(" else -1
        elif c == "(":
            depth = 1
        elif c == '"':
            end = i + 1
            while end < n and value[end] != '"':
                end += 2 if value[end] == "\\" else 1
            i = end
        elif c == "<" and (end := value.find(">", i)) > i:
            if inner := "".join(value[i + 1:end].split()):  # a fold inside an id joins up
                ids.append(f"<{inner}>")
            i = end
        i += 1
    if depth or not ids:
        ids = ["<" + "".join(m.split()) + ">" for m in re.findall(r"<([^<>]+)>", value) if m.strip()]
    return tuple(dict.fromkeys(ids))


def _msgid(value: str | None) -> str | None:
    """The first id of a header value; a bare ``id@host`` without brackets gets them."""
    ids = _msgids(value)
    if ids:
        return ids[0]
    bare = (value or "").split()
    return f"<{bare[0]}>" if len(bare) == 1 and "@" in bare[0] else None


def _id_header(msg: EmailMessage, name: str, source: str) -> tuple[str, ...]:
    """The ids of every ``name`` header, read from the raw header.

    The stdlib's parsed Message-ID stops at a ``(`` inside the id; an id
    encoded as RFC 2047 words (wrong, but lists carry them) is only found
    in the decoded value.
    """
    raw = " ".join(str(v) for k, v in msg.raw_items() if k.lower() == name.lower())
    ids = _msgids(raw)
    if not ids:
        decoded = _header(msg, name, source)
        bare = _msgid(decoded)
        ids = _msgids(decoded) or ((bare,) if bare else ())
    return ids


def _text_body(msg: EmailMessage, source: str) -> str:
    part = msg.get_body(preferencelist=("plain",)) if msg.is_multipart() else msg
    if part is None:
        raise BadInput("mail has no text/plain part", source=source)
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken base64/QP body: the stdlib raises several kinds
        raise BadInput("mail body cannot be decoded", source=source) from None
    if payload is None:
        payload = b""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        text = payload.decode("utf-8", "surrogateescape")
    # git am's default: mailsplit drops the CR of CRLF line ends.
    return text.replace("\r\n", "\n")


def _header(msg: EmailMessage, name: str, source: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # malformed encoded words raise from the header registry
        raise BadInput(f"malformed {name} header", source=source) from None
    return " ".join(str(value).split()) if value is not None else ""


def read_mail(data: bytes, source: str) -> Mail:
    """Decode one mail; BadInput if it is not a mail at all."""
    if b"\x00" in data:
        raise BadInput("file contains NUL bytes: not a patch mail", source=source)
    if not data.strip():
        raise BadInput("file is empty", source=source)
    commit = None
    if m := _UNIXFROM.match(data):
        commit = m.group(1).decode()
    body_data = data.split(b"\n", 1)[1] if data.startswith(b"From ") else data
    msg = email.message_from_bytes(body_data, policy=email.policy.default)
    subject_text = _header(msg, "Subject", source)
    from_text = _header(msg, "From", source)
    if not subject_text or not from_text:
        missing = "Subject" if not subject_text else "From"
        raise BadInput(f"not a patch mail: no {missing} header", source=source, line=1)
    return Mail(
        subject=parse_subject(subject_text),
        subject_text=subject_text,
        sender=_person(from_text),
        date=_header(msg, "Date", source),
        message_id=next(iter(_id_header(msg, "Message-ID", source)), None),
        in_reply_to=next(iter(parents := _id_header(msg, "In-Reply-To", source)), None),
        references=_id_header(msg, "References", source),
        to=_addresses(msg, "To", source),
        cc=_addresses(msg, "Cc", source),
        body=_text_body(msg, source),
        commit=commit,
        raw=data,
        in_reply_to_all=parents,
        list_id=_list_id(_header(msg, "List-Id", source)),
    )


def _list_id(value: str) -> str:
    """``List-Id: Linux Security <linux-security-module.vger.kernel.org>`` -> the id in brackets."""
    m = re.search(r"<([^<>]+)>", value)
    return m.group(1) if m else value.strip()


def is_format_patch(raw: bytes) -> bool:
    """Whether a mail file is ``git format-patch`` output rather than a mail as received.

    format-patch starts every file with ``From <commit> Mon Sep 17 00:00:00
    2001``; a mail that went through a mail system starts with its headers
    or an mbox separator (``From mboxrd@z ...``, ``From sender date``).
    """
    return _FORMAT_PATCH_FROM.match(raw) is not None


def split_notes(block: str) -> tuple[str, str]:
    """What stands between ``---`` and the diff -> (the maintainer's note, git's stat block).

    The stat block is the last run of `` path | N +-`` lines ending in
    `` N files changed, ...`` (and its `` create mode ...`` summary lines);
    the rest, above or below it, is the note (both trimmed of blank lines).
    """
    lines = block.split("\n")
    totals = [i for i, line in enumerate(lines) if _STAT_TOTAL.match(line) and i and _STAT_FILE.match(lines[i - 1])]
    if not totals:
        return block.strip("\n"), ""
    start = end = totals[-1]
    while start > 0 and _STAT_FILE.match(lines[start - 1]):
        start -= 1
    end += 1
    while end < len(lines) and _STAT_SUMMARY.match(lines[end]):
        end += 1
    words = ("\n".join(lines[:start]).strip("\n"), "\n".join(lines[end:]).strip("\n"))
    return "\n\n".join(w for w in words if w), "\n".join(lines[start:end])


def _addresses(msg: EmailMessage, name: str, source: str) -> tuple[str, ...]:
    """``To:``/``Cc:`` as series.toml keeps them: ``Name <addr>``, or the bare address."""
    value = _header(msg, name, source)
    pairs = getaddresses([value]) if value else []
    return tuple(str(Person(" ".join(n.split()), a)) if n else a for n, a in pairs if a)


def _body_line_of(mail: Mail, marker: str) -> int:
    """The 1-based line of the raw file where ``marker`` starts (for error messages)."""
    raw = mail.raw.decode("utf-8", "replace")
    idx = raw.find(marker)
    return raw.count("\n", 0, idx) + 1 if idx >= 0 else 1


def patch_from_mail(mail: Mail, source: str, filename: str | None = None) -> Patch:
    """A Patch from a decoded patch mail; BadInput if it carries no diff."""
    lines = mail.body.split("\n")
    author, date, subject = mail.sender, mail.date, mail.subject
    # In-body headers (git send-email puts the real author there).
    i = 0
    while i < len(lines) and (m := _IN_BODY.match(lines[i])):
        if m.group(1) == "From":
            author = _person(m.group(2))
        elif m.group(1) == "Date":
            date = m.group(2)
        else:
            inner = parse_subject(m.group(2))
            subject = Subject(inner.summary, subject.prefix, subject.rfc, subject.version,
                              subject.number, subject.total, subject.is_reply)
        i += 1
    if i:
        while i < len(lines) and not lines[i].strip():
            i += 1
    body = "\n".join(lines[i:])
    diff_at = re.search(r"^diff --git ", body, re.MULTILINE)
    if diff_at is None:
        raise BadInput("no 'diff --git' in this mail: not a patch", source=source,
                       line=_body_line_of(mail, "\n\n") + 1)
    before, diff_text = body[: diff_at.start()], body[diff_at.start():]
    sep = re.search(r"^---[ \t]*$", before, re.MULTILINE)
    if sep:
        message, notes = before[: sep.start()], before[sep.end() + 1:]
    else:
        message, notes = before, ""
    first_line = _body_line_of(mail, diff_text.split("\n", 1)[0] + "\n")
    files, _footer = parse_diff(diff_text, source=source, first_line=first_line)
    prose, trailers = split_trailers(message)
    note, stat = split_notes(notes)
    return Patch(
        subject=subject,
        author=author,
        date=date,
        body=prose,
        trailers=trailers,
        files=files,
        notes=note,
        stat=stat,
        commit=mail.commit,
        message_id=mail.message_id,
        in_reply_to=mail.in_reply_to,
        sender=mail.sender,
        raw=mail.raw,
        filename=filename,
    )


def cover_from_mail(mail: Mail) -> Cover:
    """The prose of a 0/N mail: what stands before git's shortlog block."""
    return Cover(prose=cover_prose(mail.body), author=mail.sender, date=mail.date,
                 message_id=mail.message_id)


_SHORTLOG_AUTHOR = re.compile(r"^\S.* \(\d+\):$")


def cover_prose(body: str) -> str:
    """Cut the generated blocks (shortlog, diffstat, base-commit, signature) off a cover body."""
    lines = body.split("\n")
    end = len(lines)
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _SHORTLOG_AUTHOR.match(line) and nxt.startswith("  "):
            end = i
            break
        if line == "-- " or line.startswith("base-commit: "):
            end = i
            break
    prose = "\n".join(lines[:end]).strip("\n")
    prose = prose.replace("*** BLURB HERE ***", "").strip("\n")
    return prose + "\n" if prose else ""
