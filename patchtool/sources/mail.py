"""One patch mail (as ``git format-patch`` or a mail client wrote it) -> a Patch.

The stdlib ``email`` package parses the MIME structure; what decides the
patch (the author, the parts and their text, format=flowed, To/Cc) is read
as ``git mailinfo`` reads it, in ``sources.mailinfo``.
What is left here is git's own layout of the body: in-body ``From:``/
``Date:``/``Subject:`` headers, the message up to ``---``, the notes up to
the first file header (``diff --git``, or a quilt/``diff -u`` ``---``/``+++``
pair: ``diffparse.diff_start``; the maintainer's words kept apart from git's
``--stat --summary`` block), the diff, and the footers after it.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import functools
import re
from dataclasses import dataclass
from email.message import EmailMessage

from patchtool.diffparse import diff_start, parse_diff
from patchtool.errors import BadInput
from patchtool.model import Cover, Patch, Person, Subject
from patchtool.sources.mailinfo import (
    address_list,
    author_of,
    body_of,
    decode_words,
    inbody_headers,
    unsurrogate,
)
from patchtool.subject import parse_subject, split_trailers

_UNIXFROM = re.compile(rb"^From ([0-9a-f]{40}|[0-9a-f]{64}) ")
# format-patch's own first line: the commit and a fixed date no mail system writes.
_FORMAT_PATCH_FROM = re.compile(rb"^From ([0-9a-f]{40}|[0-9a-f]{64}) Mon Sep 17 00:00:00 2001\r?\n")
# The lines of git's `--stat --summary` block (diff.c's show_stats and show_summary).
_STAT_FILE = re.compile(r"^ .+ \| +(?:\d+(?: \+*-*)?|Bin(?: \d+ -> \d+ bytes)?)$")
_STAT_TOTAL = re.compile(r"^ \d+ files? changed(?:, \d+ insertions?\(\+\))?(?:, \d+ deletions?\(-\))?$")
_STAT_SUMMARY = re.compile(r"^ (?:create mode|delete mode|mode change|rename|copy|rewrite) ")
# mailinfo.c's patchbreak(): the lines that end a commit message.
_PATCHBREAK = re.compile(r"^(?:---[ \t]*$|--- [^ \t\n\r]|diff -|Index: )", re.MULTILINE)
# The stdlib's parser recurses once per nested multipart or message/rfc822 part, and checks every line
# against the boundary of each level it is in (300 mails nested 200 deep took minutes): past this many
# containers a mail is refused before it is parsed.  git mailinfo nests 5 (MAX_BOUNDARIES), reading
# deeper parts as text; real mail nests 2 or 3.
MAX_CONTAINERS = 32
_CONTAINER = re.compile(rb"^content-type:[ \t]*(?:\r?\n[ \t]+)?(?:multipart|message)/", re.IGNORECASE | re.MULTILINE)
# Longer header values are no mail's (RFC 5322 lines stop at 998 bytes; a To/Cc of thousands of addresses
# or a deep thread's References stay far below the second): refused, since reading one is linear at best.
MAX_HEADER = 64 * 1024
MAX_LIST_HEADER = 1024 * 1024
_LIST_HEADERS = ("to", "cc", "references")
# The Content-* headers the stdlib parses itself (of the mail and of each part), folded lines and all.
_CONTENT_HEADER = re.compile(rb"^content-[a-z-]*:[^\n]*(?:\n[ \t][^\n]*)*", re.IGNORECASE | re.MULTILINE)


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
    body: str
    commit: str | None
    raw: bytes
    # Every id of In-Reply-To (a reply to several mails names them all); in_reply_to is the first.
    in_reply_to_all: tuple[str, ...] = ()
    list_id: str = ""  # the List-Id the mail came through, in brackets there
    flowed: bool = False  # a format=flowed part, read as git mailinfo undoes it
    # The To: and Cc: values as they came (unfolded), read into entries on first use: only the cover's
    # (or the first mail's) go to series.toml, and a reply of 10,000 addresses costs a tenth of a second.
    to_cc_text: tuple[str, str] = ("", "")

    @functools.cached_property
    def _recipients(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        (to, to_notes), (cc, cc_notes) = (address_list(v) if v else ((), ()) for v in self.to_cc_text)
        return to, cc, tuple(f"To: {n}" for n in to_notes) + tuple(f"Cc: {n}" for n in cc_notes)

    @property
    def to(self) -> tuple[str, ...]:
        """``To:`` as series.toml keeps it (``Name <addr>``, or the bare address)."""
        return self._recipients[0]

    @property
    def cc(self) -> tuple[str, ...]:
        return self._recipients[1]

    @property
    def warnings(self) -> tuple[str, ...]:
        """What reading To/Cc went past (an odd entry), one line each, for import to report."""
        return self._recipients[2]


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
    raw = unsurrogate(" ".join(_raw_values(msg, name, source)))
    ids = _msgids(raw)
    if not ids:
        decoded = _header(msg, name, source)
        bare = _msgid(decoded)
        ids = _msgids(decoded) or ((bare,) if bare else ())
    return ids


# git mailinfo takes the last of these (the others: the first); To and Cc are all of them.
_LAST = ("from", "subject", "date")


def _header(msg: EmailMessage, name: str, source: str) -> str:
    """A header's decoded text, read from the raw header: odd encodings never refuse a mail."""
    values = _raw_values(msg, name, source)
    if not values:
        return ""
    raw = ", ".join(values) if name.lower() in ("to", "cc") else values[-1 if name.lower() in _LAST else 0]
    return " ".join(decode_words(raw).split())


def _raw_values(msg: EmailMessage, name: str, source: str) -> list[str]:
    """Every ``name`` header's raw value; BadInput when they are longer than any mail's."""
    values = [str(v) for k, v in msg.raw_items() if k.lower() == name.lower()]
    size = sum(map(len, values))
    if size > (MAX_LIST_HEADER if name.lower() in _LIST_HEADERS else MAX_HEADER):
        raise BadInput(f"the {name} header is {size} bytes long: no mail's is", source=source)
    return values


_PIECE = 1 << 16


def _parsed(data: bytes) -> EmailMessage:
    """``email.message_from_bytes(data)``, fed to the parser a piece at a time.

    The same parse (the stdlib feeds its parser 8 KB at a time too), without
    first decoding the whole mail into one str and copying that into a
    StringIO (four bytes a character): a mail with a 10 MB line costs tens of
    MB less.
    """
    # compat32: headers stay the strings they came as (patchtool reads them raw, the mailinfo way); the
    # default policy's header objects made a mail 5 to 30 times slower to parse (a 300-mail mbox of
    # nested multipart mails took minutes).
    parser = email.parser.BytesFeedParser(policy=email.policy.compat32)
    view = memoryview(data)
    for at in range(0, len(data), _PIECE):
        parser.feed(bytes(view[at:at + _PIECE]))
    return parser.close()  # type: ignore[return-value]


def read_mail(data: bytes, source: str) -> Mail:
    """Decode one mail; BadInput if it is not a mail at all."""
    if b"\x00" in data:
        raise BadInput("file contains NUL bytes: not a patch mail", source=source)
    if not data.strip():
        raise BadInput("file is empty", source=source)
    commit = None
    if m := _UNIXFROM.match(data):
        commit = m.group(1).decode()
    body_data = data.partition(b"\n")[2] if data.startswith(b"From ") else data
    if (containers := len(_CONTAINER.findall(body_data))) > MAX_CONTAINERS:
        raise BadInput(f"{containers} multipart or message parts: more than {MAX_CONTAINERS} is no mail",
                       source=source)
    # The stdlib's parser of these is slower than linear: a 10 MB folded Content-Type took minutes.
    if long := next((m for m in _CONTENT_HEADER.finditer(body_data) if len(m[0]) > MAX_HEADER), None):
        name = long[0].split(b":", 1)[0].decode("ascii", "replace")
        raise BadInput(f"the {name} header is {len(long[0])} bytes long: no mail's is", source=source)
    # git am's default: mailsplit drops the CR of CRLF line ends (encoded bodies: mailinfo.body_of).
    msg = _parsed(body_data.replace(b"\r\n", b"\n"))
    subject_text = _header(msg, "Subject", source)
    from_text = _header(msg, "From", source)
    if not subject_text or not from_text:
        missing = "Subject" if not subject_text else "From"
        raise BadInput(f"not a patch mail: no {missing} header", source=source, line=1)
    body = body_of(msg, source)
    return Mail(
        subject=parse_subject(subject_text),
        subject_text=subject_text,
        # The author git am commits (mailinfo's handle_from); format-patch's own files as written.
        sender=author_of(from_text, sane=not is_format_patch(data)),
        date=_header(msg, "Date", source),
        message_id=next(iter(_id_header(msg, "Message-ID", source)), None),
        in_reply_to=next(iter(parents := _id_header(msg, "In-Reply-To", source)), None),
        references=_id_header(msg, "References", source),
        body=body.text,
        commit=commit,
        raw=data,
        in_reply_to_all=parents,
        list_id=_list_id(_header(msg, "List-Id", source)),
        flowed=body.flowed,
        to_cc_text=(_addresses(msg, "To", source), _addresses(msg, "Cc", source)),
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


def _addresses(msg: EmailMessage, name: str, source: str) -> str:
    """``To:``/``Cc:``'s raw value, unfolded, for ``Mail.to``/``cc`` to read entry by entry
    (``address_list``): group syntax (``unlisted-recipients:; (no To-header on input)``), stray commas
    and unbalanced quotes are no reason to refuse a patch."""
    values = _raw_values(msg, name, source)
    return " ".join(unsurrogate(", ".join(values)).split()) if values else ""


def _body_line_of(mail: Mail, marker: str) -> int:
    """The 1-based line of the raw file where ``marker`` starts (for error messages)."""
    if not any(c == "\ufffd" or "\ud800" <= c <= "\udfff" for c in marker):
        # Found in the bytes where the decoded text has it first: the raw file is not decoded whole.
        at = mail.raw.find(marker.encode("utf-8"))
        return mail.raw.count(b"\n", 0, at) + 1 if at >= 0 else 1
    raw = mail.raw.decode("utf-8", "replace")
    idx = raw.find(marker)
    return raw.count("\n", 0, idx) + 1 if idx >= 0 else 1


_HEAD_LINES = 200


def _inbody(text: str) -> tuple[dict[str, str], str]:
    """(``inbody_headers`` of a body, the body after them and the blank lines that follow them).

    Only the first lines are split off (a patch may hold a 10 MB line); all
    of them when the headers run past those (no real mail's do).
    """
    for limit in (_HEAD_LINES, -1):
        lines = text.split("\n", limit)
        rest = len(lines) > limit > 0  # the last piece is the unsplit rest
        if rest:
            lines.pop()
        found, i = inbody_headers(lines)
        if i:
            while i < len(lines) and not lines[i].strip():
                i += 1
        if not rest or i < len(lines) - 1:
            at = sum(len(line) + 1 for line in lines[:i])
            return found, text[at:] if at else text
    raise AssertionError("unreachable: the second round splits every line")


def patch_from_mail(mail: Mail, source: str, filename: str | None = None) -> Patch:
    """A Patch from a decoded patch mail; BadInput if it carries no diff."""
    author, date, subject = mail.sender, mail.date, mail.subject
    # In-body headers (git send-email puts the real author there), read as git mailinfo reads them.
    try:
        inbody, body = _inbody(mail.body)
    except BadInput as exc:  # a header of megabytes
        raise BadInput(exc.message, source=source, line=1) from None
    if "from" in inbody:
        author = author_of(inbody["from"], sane=not is_format_patch(mail.raw))
    date = inbody.get("date", date)
    if "subject" in inbody:
        inner = parse_subject(inbody["subject"])
        subject = Subject(inner.summary, subject.prefix, subject.rfc, subject.version,
                          subject.number, subject.total, subject.is_reply)
    if not author.email:
        raise BadInput("the mail's From names no e-mail address (git am refuses it too)", source=source, line=1)
    diff_at = diff_start(body)
    if diff_at is None:
        raise BadInput("no 'diff --git' in this mail, nor a '--- a/file' '+++ b/file' '@@' header: not a patch",
                       source=source, line=_body_line_of(mail, "\n\n") + 1)
    before, diff_text = body[:diff_at], body[diff_at:]
    # The message ends where git mailinfo's patchbreak() says: a '---' line, or a line
    # that starts a diff ('diff -', 'Index: ', '--- name') outside the diff itself.
    sep = _PATCHBREAK.search(before)
    if sep is None:
        message, notes = before, ""
    elif re.fullmatch(r"---[ \t]*", sep.group(0)):  # the separator line itself is dropped
        message, notes = before[: sep.start()], before[sep.end() + 1:]
    else:
        message, notes = before[: sep.start()], before[sep.start():]
    first_line = _body_line_of(mail, diff_text[:diff_text.find("\n")] + "\n" if "\n" in diff_text
                               else diff_text + "\n")
    try:
        files, _footer = parse_diff(diff_text, source=source, first_line=first_line)
    except BadInput as exc:
        if not mail.flowed:
            raise
        raise BadInput(f"{exc.message} (the mail is format=flowed: its mail client re-wrapped the patch; "
                       "ask for it again sent with git send-email)", source=exc.source, line=exc.line) from None
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
    # The prose is kept as text (cover.txt is UTF-8): bytes that were no UTF-8 become U+FFFD.
    prose = cover_prose(mail.body).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return Cover(prose=prose, author=mail.sender, date=mail.date,
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
