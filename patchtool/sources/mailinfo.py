"""A mail read the way ``git mailsplit`` and ``git mailinfo`` read it (git 2.39).

What ``git am`` would commit is the oracle for what an imported patch is,
so the parts of a mail that decide it are read here by git's own rules
rather than by the stdlib's idea of a well-formed mail:

- ``split_mbox``: mailsplit's ``From `` lines (a time and a year after
  them, not any ``From `` at the start of a line), and the ``>From ``
  unquoting of mboxrd (lore and b4 write ``From mboxrd@z ...``); a plain
  mboxo is not unquoted, as ``git am`` without ``--patch-format=mboxrd``.
- ``author_of``: mailinfo's handle_from() and get_sane_name() (``addr
  (Full Name)``, ``"Name" <addr>``, a bare address, a name that is an
  address), then the crud git's ident code strips before it commits.
- ``body_of``: every part of a multipart mail in order, as mailinfo
  concatenates them (it looks at no part's type: the commit message is what
  stands before the first patch line, the patch is everything after); only
  ``text/html`` and parts that are neither text nor a ``.patch``/``.diff``
  attachment are left out, since git apply skips them anyway.  Each part is
  decoded (base64, quoted-printable, charset); ``format=flowed`` is undone
  as mailinfo undoes it (space-stuffing, soft line breaks, ``delsp``).
  Quoted CRLF line ends (inside base64 or quoted-printable, which
  mailsplit cannot strip) are stripped when every line of a part has one
  (the empty lines that end it aside), as MIME's canonical text form does
  (``git am --quoted-cr=strip``); a part with only some is kept as it is,
  since those are the lines of a CRLF file.
- ``address_list``: To/Cc entries, tolerant of group syntax
  (``undisclosed-recipients:;``), stray commas, comments and unbalanced
  quotes or brackets; what is no address is reported, never fatal.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.utils import collapse_rfc2231_value

from patchtool.errors import BadInput
from patchtool.model import Person

# -- mailsplit -----------------------------------------------------------------------


def _strtol(data: bytes) -> int:
    m = re.match(rb"[ \t\n\v\f\r]*([+-]?\d+)", data)
    return int(m.group(1)[:18]) if m else 0


def is_from_line(line: bytes) -> bool:
    """mailsplit's is_from_line(): ``From `` and something that looks like ``hh:mm:ss yyyy``."""
    if len(line) < 20 or not line.startswith(b"From "):
        return False
    colon = line.rfind(b":", 5, len(line) - 2)  # the last colon before the final two bytes
    if colon < 0:
        return False
    digits = [line[i:i + 1] for i in (colon - 4, colon - 2, colon - 1, colon + 1, colon + 2)]
    if not all(d.isdigit() for d in digits):
        return False
    return _strtol(line[colon + 3:]) > 90


_FROM_LINE = re.compile(rb"^From [^\n]*\n?", re.MULTILINE)
_GT_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def split_mbox(data: bytes) -> list[bytes]:
    """The mails of an mbox, each with its ``From `` line, as ``git mailsplit`` cuts them.

    A file whose first line is no ``From `` line is one bare mail (``git am``
    passes ``-b``).  mboxrd (first line ``From mboxrd@z``) loses one ``>`` of
    every ``>From `` line.
    """
    data = data.lstrip(b" \t\n\v\f\r")
    if not data:
        return []
    first = _FROM_LINE.match(data)
    if first is None or not is_from_line(first.group(0)):
        return [data]
    starts = [m.start() for m in _FROM_LINE.finditer(data) if is_from_line(m.group(0))]
    mails = [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)], strict=True)]
    if data.startswith(b"From mboxrd@z "):
        mails = [_GT_FROM.sub(rb"\1", m) for m in mails]
    return mails


# -- headers -------------------------------------------------------------------------

_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_SPACE = " \t\n\r\v\f"


_ESCAPED = re.compile("[\udc80-\udcff]")


def unsurrogate(text: str) -> str:
    """A header the parser read as ASCII with escapes: its 8-bit bytes as UTF-8 (else Latin-1)."""
    if not _ESCAPED.search(text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _word_bytes(encoding: str, payload: str) -> bytes:
    if encoding in "bB":
        clean = re.sub(r"[^A-Za-z0-9+/]", "", payload)
        clean = clean[:-1] if len(clean) % 4 == 1 else clean
        try:
            return binascii.a2b_base64((clean + "=" * (-len(clean) % 4)).encode("ascii"))
        except binascii.Error:
            return payload.encode("utf-8", "replace")
    out = bytearray()
    data = payload.replace("_", " ").encode("utf-8", "replace")
    i = 0
    while i < len(data):
        if data[i:i + 1] == b"=" and re.fullmatch(rb"[0-9A-Fa-f]{2}", data[i + 1:i + 3]):
            out.append(int(data[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(data[i])
            i += 1
    return bytes(out)


def _decoded(raw: bytes, charset: str) -> str:
    try:
        return raw.decode(charset.split("*", 1)[0], "replace")
    except (LookupError, UnicodeError):  # unknown, or a codec that raises whatever errors= says (punycode)
        return raw.decode("utf-8", "replace")


def decode_words(text: str) -> str:
    """RFC 2047 encoded words decoded as mailinfo's decode_header() does, never raising.

    Whitespace between two encoded words goes; adjacent words of one charset
    are decoded together (a UTF-8 character split across two words survives).
    """
    text = unsurrogate(text)
    out: list[str] = []
    pending: tuple[str, bytearray] | None = None
    pos = 0
    for m in _WORD.finditer(text):
        between = text[pos:m.start()]
        charset = m.group(1).lower()
        if pending is not None and between.strip(_SPACE) == "" and pending[0] == charset:
            pending[1].extend(_word_bytes(m.group(2), m.group(3)))
        else:
            if pending is not None:
                out.append(_decoded(bytes(pending[1]), pending[0]))
            if pending is None or between.strip(_SPACE):
                out.append(between)
            pending = (charset, bytearray(_word_bytes(m.group(2), m.group(3))))
        pos = m.end()
    if pending is not None:
        out.append(_decoded(bytes(pending[1]), pending[0]))
    out.append(text[pos:])
    return "".join(out)


def cleanup_space(text: str) -> str:
    """mailinfo's cleanup_space(): each run of (ASCII) white space becomes one space."""
    return re.sub(r"[ \t\n\r\v\f]+", " ", text)


# -- the author ----------------------------------------------------------------------


def _unquote_pairs(text: str) -> str:
    """mailinfo's unquote_quoted_pair(): quoted strings lose their quotes, comments keep parentheses."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        i += 1
        if c == '"':
            while i < n:
                c = text[i]
                i += 1
                if c == "\\":
                    if i < n:
                        out.append(text[i])
                        i += 1
                    continue
                if c == '"':
                    break
                out.append(c)
        elif c == "(":
            out.append("(")
            depth = 1
            while i < n and depth:
                c = text[i]
                i += 1
                if c == "\\":
                    if i < n:
                        out.append(text[i])
                        i += 1
                    continue
                if c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                out.append(c)
        else:
            out.append(c)
    return "".join(out)


def _sane_name(name: str, email: str, sane: bool) -> str:
    """get_sane_name(): no name, a name over 60 bytes or one with ``@<>`` -> the address."""
    if not name or (sane and (len(name.encode("utf-8", "surrogateescape")) > 60 or any(c in name for c in "@<>"))):
        return email
    return name


def _crud(c: str) -> bool:
    return ord(c) <= 32 or c in ".,:;<>\"\\'"


def without_crud(text: str) -> str:
    """ident.c's strbuf_addstr_without_crud(): what git commits of a name or an address."""
    start, end = 0, len(text)
    while start < end and _crud(text[start]):
        start += 1
    while end > start and _crud(text[end - 1]):
        end -= 1
    return "".join(c for c in text[start:end] if c not in "\n<>")


def author_of(value: str, *, sane: bool = True) -> Person:
    """The author ``git am`` commits for a From value (decoded, as mailinfo's handle_from() reads it).

    ``sane=False`` keeps a name git's get_sane_name() would replace by the
    address (over 60 bytes, or holding ``@<>``): for what ``git format-patch``
    wrote of a commit, whose author is the commit's, not a mail client's.
    """
    line = cleanup_space(value)
    f = _unquote_pairs(line)
    at = f.find("@")
    if at < 0:  # parse_bogus_from(): "John Doe <johndoe>"
        bra = line.find("<")
        ket = line.find(">", bra + 1) if bra >= 0 else -1
        if ket < 0:
            return Person("", "")
        email = line[bra + 1:ket]
        name = _sane_name(line[:bra].strip(_SPACE), email, sane)
    else:
        start = at
        while start > 0:
            c = f[start - 1]
            if c in _SPACE:
                break
            if c == "<":
                f = f[:start - 1] + " " + f[start:]
                break
            start -= 1
        length = 0
        while start + length < len(f) and f[start + length] not in _SPACE + ">":
            length += 1
        email = f[start:start + length]
        end = start + length + (1 if start + length < len(f) else 0)
        rest = cleanup_space(f[:start] + f[end:]).strip(_SPACE)
        if len(rest) >= 2 and rest[0] == "(" and rest[-1] == ")":
            rest = rest[1:-1]
        name = _sane_name(rest, email, sane)
    return Person(without_crud(name), without_crud(email))


# -- To / Cc -------------------------------------------------------------------------

# Only from the start of a run (the look-behind): else findall over a long run without an @ is quadratic.
_ADDR = re.compile(r"(?<![^\s<>()\",;:@])[^\s<>()\",;:@]+@[^\s<>()\",;:@]+")
_COMMENT = r"\((?:[^()\\]|\\.)*\)"
_NAME_ADDR = re.compile(r'(?:\s*("(?:[^"\\]|\\.)*")\s*|([^"<>()]*))<\s*([^<>\s]+)\s*>\s*')


def _pieces(value: str) -> tuple[list[str], bool]:
    """Top-level entries of an address list (group names dropped), and whether it was balanced."""
    pieces: list[str] = []
    cur: list[str] = []
    quote = angle = False
    depth = 0
    i = 0
    while i < len(value):
        c = value[i]
        if c == "\\" and (quote or depth) and i + 1 < len(value):
            cur.append(value[i:i + 2])
            i += 2
            continue
        if quote:
            quote = c != '"'
        elif depth:
            depth += {"(": 1, ")": -1}.get(c, 0)
        elif angle:
            angle = c != ">"
        elif c == '"':
            quote = True
        elif c == "(":
            depth = 1
        elif c == "<":
            angle = True
        elif c in ",;":
            pieces.append("".join(cur))
            cur = []
            i += 1
            continue
        elif c == ":" and "@" not in "".join(cur):  # "group-name:" starts a group
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    pieces.append("".join(cur))
    return pieces, not (quote or angle or depth)


def _strict(piece: str) -> Person | None:
    """``Name <addr>``, ``"Name" <addr>``, ``addr``, ``addr (Name)``; None for anything else."""
    comments = re.findall(_COMMENT, piece) if '"' not in piece else []
    bare = re.sub(_COMMENT, " ", piece) if comments else piece
    if m := _NAME_ADDR.fullmatch(bare):
        quoted, plain, addr = m.groups()
        name = re.sub(r"\\(.)", r"\1", quoted[1:-1]) if quoted else (plain or "").strip()
    elif m := re.fullmatch(r"\s*([^\s<>()\",;]+)\s*", bare):
        addr = m.group(1)
        name = comments[0][1:-1] if comments else ""
    else:
        return None
    if not _ADDR.fullmatch(addr):
        return None
    return Person(" ".join(decode_words(name).split()), addr)


def _lenient(piece: str) -> Person | None:
    """An entry that is no proper address: its one address, the rest of the text as the name."""
    found = _ADDR.findall(piece)
    if len(found) != 1:
        return None
    name = piece.replace(found[0], " ")
    name = re.sub(r'[<>"()\\]', " ", name)
    return Person(" ".join(decode_words(name).split()), found[0])


def _only_comments(piece: str) -> bool:
    return not re.sub(_COMMENT, "", piece).strip()


def address_list(value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(entries as series.toml keeps them: ``Name <addr>`` or ``addr``, what was read past and how).

    Empty entries (stray commas, ``undisclosed-recipients:;``, a lone
    comment) are nothing; an entry that is no proper address is kept by the
    one address it holds (reported), or dropped (reported).
    """
    pieces, balanced = _pieces(value)
    if not balanced:  # an unbalanced quote or bracket: entries are what the commas delimit
        pieces = [p.split(":", 1)[1] if re.match(r"[^@<\"]*:", p) else p for p in re.split(r"[,;]", value)]
    kept: list[str] = []
    notes: list[str] = []
    for piece in pieces:
        if _only_comments(piece):
            continue
        person = _strict(piece)
        if person is None:
            person = _lenient(piece)
            shown = " ".join(piece.split())
            if person is None:
                notes.append(f"{shown!r} is no address: dropped")
                continue
            notes.append(f"{shown!r} is malformed: kept as {str(_entry(person))!r}")
        kept.append(_entry(person))
    return tuple(dict.fromkeys(kept)), tuple(notes)


def _entry(person: Person) -> str:
    return str(person) if person.name else person.email


# -- the body ------------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    """The text mailinfo reads a mail's patch and message from, and whether it came format=flowed."""

    text: str
    flowed: bool = False


_PATCH_TYPES = ("application/x-patch", "application/x-diff", "application/patch", "application/diff")


def _filename(part: Message) -> str:
    try:
        return (part.get_filename() or "").lower()
    except Exception:  # a malformed RFC 2231 parameter
        return ""


def _param(part: Message, name: str) -> str:
    try:
        value = part.get_param(name)
    except Exception:
        return ""
    if isinstance(value, tuple):
        value = collapse_rfc2231_value(value)
    return str(value or "").strip().lower()


def _wanted(part: Message) -> bool:
    ctype = part.get_content_type()
    if ctype == "text/html":
        return False
    return (part.get_content_maintype() == "text" or ctype in _PATCH_TYPES
            or _filename(part).endswith((".patch", ".diff")))


def _part_text(part: Message, source: str) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken base64/QP body: the stdlib raises several kinds
        raise BadInput("mail body cannot be decoded", source=source) from None
    if not isinstance(payload, bytes):
        payload = b""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset)
    except (LookupError, UnicodeError):  # UnicodeError: punycode and idna raise no UnicodeDecodeError
        text = payload.decode("utf-8", "surrogateescape")
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() in ("base64", "quoted-printable"):
        text = _quoted_cr(text)
    return text


def _quoted_cr(text: str) -> str:
    """A part whose every line ends in CRLF (MIME's canonical form) loses one CR per line.

    The empty lines that end a part (the blank line before the next
    boundary or mail, outside the encoded CRLF text) do not count.
    """
    lines = text.split("\n")
    whole = len(lines)
    while whole and lines[whole - 1] == "":
        whole -= 1
    if whole and all(line.endswith("\r") for line in lines[:whole]):
        return "\n".join(line[:-1] if line.endswith("\r") else line for line in lines)
    return text


def unflow(text: str, delsp: bool) -> str:
    """mailinfo's handle_filter_flowed(): undo space-stuffing, join soft line breaks (RFC 3676)."""
    out: list[str] = []
    prev = ""
    for line in re.findall(r"[^\n]*\n|[^\n]+$", text):
        body = line[:-1] if line.endswith("\n") else line
        body = body[:-1] if body.endswith("\r") else body
        ending = line[len(body):]
        if body == "-- ":  # the signature separator stays as it is
            if prev:
                out.append(prev + "\n")
                prev = ""
            out.append(line)
            continue
        if body.startswith(" "):
            body = body[1:]
        if body.endswith(" "):
            prev += body[:-1] if delsp else body
            continue
        out.append(prev + body + ending)
        prev = ""
    return "".join(out) + prev


def body_of(msg: EmailMessage, source: str) -> Body:
    """The text of the mail's parts that mailinfo's patch and message come from, in order."""
    if not msg.is_multipart():
        parts: list[Message] = [msg]
    else:
        leaves = [p for p in msg.walk() if not p.is_multipart()]
        parts = [p for p in leaves if _wanted(p)] or [p for p in leaves if p.get_content_maintype() == "text"]
    texts: list[str] = []
    flowed = False
    for part in parts:
        text = _part_text(part, source)
        if _param(part, "format") == "flowed":
            text = unflow(text, _param(part, "delsp") == "yes")
            flowed = True
        if texts and texts[-1] and not texts[-1].endswith("\n"):
            texts[-1] += "\n"
        texts.append(text)
    return Body("".join(texts), flowed)


# -- in-body headers -----------------------------------------------------------------

MAX_INBODY = 64 * 1024  # sources.mail.MAX_HEADER, for the From:/Subject:/Date: lines atop a body
_INBODY = re.compile(r"(from|subject|date):[ \t\n\r\v\f]*(.*)", re.IGNORECASE | re.DOTALL)
_FORMAT_PATCH_SEPARATOR = re.compile(r"From [0-9a-f]{40} Mon Sep 17 00:00:00 2001")


def inbody_headers(lines: list[str]) -> tuple[dict[str, str], int]:
    """mailinfo's check_inbody_header() over the body's first lines: ({"from"|"subject"|"date": value}, lines used).

    Each of ``From:``, ``Subject:``, ``Date:`` (any case) counts once,
    folded continuation lines join it, a quoted format-patch ``>From <sha>``
    line is skipped, a ``[PATCH] summary`` line is the subject; blank lines
    before the first are skipped and the blank line after them is used up.
    Values are decoded (RFC 2047) and their white space collapsed.
    """
    found: dict[str, str] = {}
    accum: list[str] = []
    i = 0

    def flush() -> None:
        if accum:
            m = _INBODY.match(accum[0])
            if m:
                key = m.group(1).lower()
                if (size := sum(map(len, accum))) > MAX_INBODY:  # decoding it is linear at best
                    raise BadInput(f"the in-body {m.group(1)} header is {size} bytes long: no mail's is")
                found[key] = " ".join(cleanup_space(decode_words(m.group(2) + "".join(accum[1:]))).split())
            accum.clear()

    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            if accum:
                flush()
                break
            continue
        if accum and line[:1] in (" ", "\t"):
            accum.append(line)
            i += 1
            continue
        flush()
        if line.startswith(">From") and line[5:6] in _SPACE and line[5:6]:
            if not _FORMAT_PATCH_SEPARATOR.fullmatch(line[1:]):
                break
        elif line.startswith("[PATCH]") and (len(line) == 7 or line[7] in _SPACE):
            found["subject"] = " ".join(line.split())
        elif (m := _INBODY.match(line)) and m.group(1).lower() not in found:
            accum.append(line)
        else:
            break
        i += 1
    flush()
    return found, i
