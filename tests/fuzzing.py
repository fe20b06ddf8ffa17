"""Hostile inputs for ``patchtool import``: mutators of real patch mails, and the checks on what came out.

Shared by ``tests/test_fuzz.py`` (a few dozen inputs in process) and
``tools/fuzz_import.py`` (thousands, each its own process).  Every mutator
takes a ``Ctx`` (a seeded ``random.Random``, the size of a "long line", the
seed inputs) and the bytes of a mail or mbox, and returns new bytes: git
format-patch output and real threads broken the ways mail clients, editors,
lists and hostile senders break them.

The seeds are ``tests/data/*.mbox``, ``series/io_uring-lsm/patches/*.patch``
(alone, and as one mbox) and what ``git format-patch`` writes of a series in
the small repository ``make_repo`` builds (which holds a symlink pointing
outside it, for paths "through" it).  ``RepoState`` and ``listing`` are what
must not change: a repository's refs, HEAD, index and objects, and the files
around the output folder.
"""

from __future__ import annotations

import base64
import functools
import os
import random
import re
import subprocess
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_FILES = (*sorted((ROOT / "tests" / "data").glob("*.mbox")),
              *sorted((ROOT / "series" / "io_uring-lsm" / "patches").glob("*.patch")))


@dataclass
class Ctx:
    rng: random.Random
    big: int  # the length of a "long line": 1 MB in the suite, 10 MB in the long run
    seeds: Sequence[bytes]
    bomb: int = 0  # what a zlib bomb inflates to (0: 200 long lines)
    many: int = 5000  # the most empty mails in one mbox: 5000 in the suite, 100,000 in the long run


Mutator = Callable[[Ctx, bytes], bytes]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines)


def _where(ctx: Ctx, lines: list[bytes], pattern: bytes) -> list[int]:
    rx = re.compile(pattern)
    return [i for i, line in enumerate(lines) if rx.match(line)]


def truncate(ctx: Ctx, data: bytes) -> bytes:
    return data[: ctx.rng.randrange(len(data) + 1)]


def drop_lines(ctx: Ctx, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(ctx.rng.randint(1, 4)):
        if lines:
            at = ctx.rng.randrange(len(lines))
            del lines[at:at + ctx.rng.choice((1, 1, 2, 10))]
    return _join(lines)


def dup_lines(ctx: Ctx, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(ctx.rng.randint(1, 4)):
        at = ctx.rng.randrange(len(lines))
        chunk = lines[at:at + ctx.rng.choice((1, 1, 3, 20))]
        to = ctx.rng.choice((at, ctx.rng.randrange(len(lines) + 1)))
        lines[to:to] = chunk * ctx.rng.choice((1, 1, 2, 50))
    return _join(lines)


def _lies(ctx: Ctx) -> list[bytes]:
    r = ctx.rng
    return [
        b"@@ -1,99999999 +1 @@", b"@@ -1,-1 +1,-1 @@", b"@@ --1,3 +-1,3 @@", b"@@ -1 +1 @@", b"@@ -0,0 +0,0 @@",
        b"@@ -99999999999999999999999999999,1 +1,1 @@", b"@@ -1,3 +1,99999999999999999999999999999999 @@",
        b"@@ @@", b"@@ -a,b +c,d @@", b"@@ -1,2 +1,2", b"@@ -1,", b"@@ -" + b"9" * 5000 + b" +1 @@",
        b"@@ -1," + b"9" * 5000 + b" +1," + b"9" * 5000 + b" @@", b"@@ -0,1 +0,1 @@", b"@@ -1,0 +1,0 @@",
        f"@@ -{r.randint(0, 60)},{r.randint(0, 30)} +{r.randint(0, 60)},{r.randint(0, 30)} @@".encode(),
        f"@@ -{r.randint(0, 9)} +{r.randint(0, 9)},{r.randint(0, 3)} @@ int f(void)".encode(),
    ]


def hunk_headers(ctx: Ctx, data: bytes) -> bytes:
    """Hunk headers whose counts lie: huge, negative, missing, not numbers."""
    lines = _lines(data)
    at = _where(ctx, lines, rb"@@ ") or _where(ctx, lines, rb"\+\+\+ ")
    for i in ctx.rng.sample(at, min(len(at), ctx.rng.randint(1, 3))) if at else ():
        lie = ctx.rng.choice(_lies(ctx))
        if lines[i].startswith(b"@@"):
            lines[i] = lie
        else:
            lines.insert(i + 1, lie)
    return _join(lines)


def flip_bytes(ctx: Ctx, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(ctx.rng.randint(1, 24)):
        if out:
            out[ctx.rng.randrange(len(out))] ^= ctx.rng.randint(1, 255)
    return bytes(out)


def crlf(ctx: Ctx, data: bytes) -> bytes:
    how = ctx.rng.randrange(4)
    if how == 0:
        return data.replace(b"\n", b"\r\n")
    if how == 1:
        return data.replace(b"\n", b"\r")
    lines = _lines(data)
    return _join([line + b"\r" if ctx.rng.random() < (0.5 if how == 2 else 0.05) else line for line in lines])


_BAD_UTF8 = (b"\xff", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xe2\x82",
             b"\x80\x80\x80", b"\xef\xbb\xbf", b"\xe9t\xe9")


def invalid_utf8(ctx: Ctx, data: bytes) -> bytes:
    lines = _lines(data)
    wanted = _where(ctx, lines, rb"(Subject|From|To|Cc|diff --git|--- |\+\+\+ |[+ -])") or [0]
    for _ in range(ctx.rng.randint(1, 6)):
        i = ctx.rng.choice(wanted)
        cut = ctx.rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:cut] + ctx.rng.choice(_BAD_UTF8) + lines[i][cut:]
    return _join(lines)


def _set_header(ctx: Ctx, data: bytes, name: bytes, value: bytes) -> bytes:
    """``name: value`` in every mail's header block: in place of the first such header, or after Subject."""
    lines = _lines(data)
    out: list[bytes] = []
    in_head, done = True, False
    for line in lines:
        if line.startswith(b"From ") and not done:
            in_head = True
        if in_head and line.lower().startswith(name.lower() + b":") and not done:
            out.append(name + b": " + value)
            done = True
            continue
        if in_head and line.startswith(b"Subject:") and not done:
            out.extend((line, name + b": " + value))
            done = True
            continue
        if in_head and not line.strip():
            in_head, done = False, False
        out.append(line)
    return _join(out)


_CHARSETS = (b"x-unknown", b"utf-7", b"", b"\"", b"utf-8'en'", b"utf-16", b"utf-32-be", b"iso-2022-jp", b"ebcdic",
             b"cp037", b"idna", b"punycode", b"rot13", b"zlib_codec", b"base64", b"hex", b"uu", b"bz2")


def charsets(ctx: Ctx, data: bytes) -> bytes:
    """Unknown, empty and non-text charsets (``charset=x-unknown``, ``zlib_codec``), odd transfer encodings."""
    if ctx.rng.random() < 0.7:
        value = b"text/plain; charset=" + ctx.rng.choice(_CHARSETS)
        if ctx.rng.random() < 0.2:
            value = b"text/plain; charset*=utf-8''%ff%fe; format=flowed; delsp=" + ctx.rng.choice((b"yes", b"\""))
        data = _set_header(ctx, data, b"Content-Type", value)
    if ctx.rng.random() < 0.5:
        cte = ctx.rng.choice((b"base64", b"quoted-printable", b"x-uuencode", b"8bit", b"binary", b"garbage", b""))
        data = _set_header(ctx, data, b"Content-Transfer-Encoding", cte)
    return _set_header(ctx, data, b"MIME-Version", b"1.0")


def _rfc2047(ctx: Ctx) -> bytes:
    return ctx.rng.choice((
        b"=?utf-8?b?!!!?=", b"=?x-unknown?q?=ZZ=?=", b"=?utf-8?q?", b"=??b??=", b"=?utf-8?b?" + b"A" * 100001 + b"?=",
        b"=?utf-16?b?AAAA?=", b"=?utf-8*en?b?w6Q=?=", b"=?iso-2022-jp?b?GyRC?=", b"=?utf-8?b?PT91dGYtOD9iPyE/PQ==?=",
        b"=?zlib_codec?b?eJwrSS0uAQAEXQHB?=", b"=?base64?q?abc?=", b"=?utf-8?Q?=C3?= =?utf-8?Q?=A4?=",
        b"=?utf-8?b?W1BBVENIIDEvOTk5OTk5OTk5OTk5XQ==?=", b"=?utf-8?q?=0A=0D=00?=", b"=?" * 3000,
        b"=?utf-8?b?" + base64.b64encode("[PATCH 1/1] ä\n\n\u2028".encode()) + b"?=",
    ))


def rfc2047(ctx: Ctx, data: bytes) -> bytes:
    """RFC 2047 garbage in Subject, From, To: bad base64, unknown charsets, unterminated words."""
    lines = _lines(data)
    at = _where(ctx, lines, rb"(Subject|From|To|Cc): ") or [0]
    for i in ctx.rng.sample(at, min(len(at), ctx.rng.randint(1, 3))):
        head, _, value = lines[i].partition(b": ")
        keep = value[: value.find(b"]") + 1] if ctx.rng.random() < 0.5 and b"]" in value else b""
        lines[i] = head + b": " + keep + b" " + _rfc2047(ctx) + (value if ctx.rng.random() < 0.3 else b"")
    return _join(lines)


def long_line(ctx: Ctx, data: bytes) -> bytes:
    """A line of ``ctx.big`` bytes: in a hunk, a header, the subject, a From line, without a newline at the end."""
    lines = _lines(data)
    n = ctx.big
    kind = ctx.rng.randrange(9)
    fill = ctx.rng.choice((b"a", b" ", b"+", b"=", b"\t", b"<", b"(", b"\\", b"@@ ", b"a/", b"=?utf-8?q?a?= "))
    long = (fill * (n // len(fill) + 1))[:n]
    if kind == 0:  # one more line in a hunk
        at = _where(ctx, lines, rb"[+ ]") or [len(lines) - 1]
        lines.insert(ctx.rng.choice(at), b"+" + long)
    elif kind == 1:
        at = _where(ctx, lines, rb"Subject: ") or [0]
        lines[ctx.rng.choice(at)] += long
    elif kind == 2:
        at = _where(ctx, lines, rb"(From|To|Cc|References|Message-I[dD]|In-Reply-To): ") or [0]
        lines[ctx.rng.choice(at)] += long
    elif kind == 3:
        lines.insert(0, b"From " + long)
    elif kind == 4:
        return data + long
    elif kind == 5:
        at = _where(ctx, lines, rb"(diff --git|--- |\+\+\+ )") or [0]
        lines[ctx.rng.choice(at)] += long
    elif kind == 6:
        lines.insert(ctx.rng.randrange(len(lines) + 1), long)
    elif kind == 7:
        lines.insert(ctx.rng.randrange(len(lines) + 1), b" \xe2\x9c\x93 |" + b" +" * (n // 2))
    else:
        lines = [b"From a@b Mon Sep 17 00:00:00 2001", b"Subject: [PATCH] x", b"From: a@b", b"", long]
    return _join(lines)


def _split_head(data: bytes) -> tuple[bytes, bytes]:
    head, sep, body = data.partition(b"\n\n")
    return (head, body) if sep else (data, b"")


DEPTHS = (200, 200, 1000, 50, 20, 5)  # 200: the issue's; patchtool reads up to 32 parts


def nested_multipart(ctx: Ctx, data: bytes) -> bytes:
    """The body inside 200 nested multipart/mixed parts (or an unclosed, or self-named, nest)."""
    depth = ctx.rng.choice(DEPTHS)
    head, body = _split_head(data)
    head = re.sub(rb"(?mi)^(Content-Type|Content-Transfer-Encoding|MIME-Version):.*(\n[ \t].*)*\n?", b"", head)
    same = ctx.rng.random() < 0.2  # every level names the same boundary
    name = (lambda i: b"b") if same else (lambda i: b"b%d" % i)
    opening = b"".join(b"--%s\nContent-Type: multipart/mixed; boundary=\"%s\"\n\n" % (name(i), name(i + 1))
                       for i in range(depth))
    inner = b"--%s\nContent-Type: text/plain; charset=utf-8\n\n%s\n" % (name(depth), body)
    closing = b"".join(b"--%s--\n" % name(i) for i in range(depth, -1, -1)) if ctx.rng.random() < 0.8 else b""
    head = head.rstrip(b"\n") + b"\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"%s\"\n" % name(0)
    return head + b"\n" + opening + inner + closing


_NUMBERINGS = ("1/99999999999999999999", "-1/3", "0/0", "1/0", "5/3", "99999/100000", "1/10001", "10000/10000",
               "v99999999999999999999999999999999 1/2", "v0 1/1", "v-1", "0001/0002", "1/2/3", "1/3 2/3",
               "3/" + "9" * 5000, "v" + "9" * 5000, "\u0661/\u0663", "1/+3", "+1/3", "00/00", "1/", "/3",
               "RFC v2 0/1", "1/1 RESEND", "2/1", "0/99999999999999999999")


def numbering(ctx: Ctx, data: bytes) -> bytes:
    """``[PATCH 1/99999999999999999999]``, ``[PATCH -1/3]``, ``0/0``, versions of 5000 digits."""
    lines = _lines(data)
    at = _where(ctx, lines, rb"Subject: ")
    for i in ctx.rng.sample(at, min(len(at), ctx.rng.choice((1, 1, 2, len(at))))):
        word = ctx.rng.choice(_NUMBERINGS).encode()
        lines[i] = re.sub(rb"\[[^\]]*\]", b"[PATCH " + word + b"]", lines[i], count=1)
        if b"[" not in lines[i]:
            lines[i] = lines[i].replace(b"Subject: ", b"Subject: [PATCH " + word + b"] ", 1)
    return _join(lines)


_HOSTILE = ("../x", "../../etc/passwd", "/etc/passwd", ".git/config", "sub/.git/config", ".GIT/config", "link/evil",
            "link/../../outside/x", "a//b", "./x", "x/..", "x/.", "..", ".", "", "x\ty", "x y", "lib/" + "d" * 300,
            "/".join(["d"] * 1000), "C:\\x", ".git", "lib/.git", "..\\..\\x", "~/.bashrc", "link")
_QUOTED = ('"a/..\\057x"', '"a/\\000x"', '"a/x\\n"', '"a/\\q"', '"a/', '"a/x\\"', '"a/\\377\\376"',
           '"a/.git/\\143onfig"', '"a/x\\', '"a/\\"')


def hostile_paths(ctx: Ctx, data: bytes) -> bytes:
    """A path of the diff replaced by ``../``, ``/etc/passwd``, ``.git/config``, a path through the repo's
    symlink, a bad C-quoted name: everywhere it occurs, so the headers agree."""
    names = sorted(set(re.findall(rb"(?m)^diff --git a/(\S+) b/", data)))
    if not names:
        names = sorted(set(re.findall(rb"(?m)^\+\+\+ (?:b/)?(\S+)", data)))
    if not names:
        return data
    old = ctx.rng.choice(names)
    if ctx.rng.random() < 0.75:
        new = ctx.rng.choice(_HOSTILE).encode()
        out = data.replace(b"a/" + old, b"a/" + new).replace(b"b/" + old, b"b/" + new)
        return re.sub(rb"(?m)^(rename|copy) (from|to) " + re.escape(old) + rb"$",
                      lambda m: b"%s %s %s" % (m[1], m[2], new), out)
    quoted = ctx.rng.choice(_QUOTED).encode()
    return data.replace(b"a/" + old, quoted).replace(b"b/" + old, quoted.replace(b'"a/', b'"b/', 1))


def binary_garbage(ctx: Ctx, data: bytes) -> bytes:
    junk = ctx.rng.randbytes(ctx.rng.choice((1, 16, 512, 4096, 65536)))
    if ctx.rng.random() < 0.3:
        return junk
    at = ctx.rng.randrange(len(data) + 1)
    return data[:at] + junk + data[at:]


def empty_mails(ctx: Ctx, data: bytes) -> bytes:
    """An mbox of many empty mails (or header-only ones, or ones that are only a From line)."""
    n = ctx.rng.choice((2, 100, 1000, 5000))
    if ctx.many > n and ctx.rng.random() < 0.1:  # the long run's 100,000 (a 4 MB mbox; 25 s to read)
        n = ctx.many
    shape = ctx.rng.randrange(5)
    if shape == 0:
        mail = b"From x@y Mon Sep 17 00:00:00 2001\n\n"
    elif shape == 1:
        mail = b"From x@y Mon Sep 17 00:00:00 2001\n"
    elif shape == 2:
        mail = b"From x@y Mon Sep 17 00:00:00 2001\nSubject: \nFrom: \n\n"
    elif shape == 3:
        mail = b"From x@y Mon Sep 17 00:00:00 2001\nSubject: [PATCH 1/1] x\nFrom: a@b\nMessage-Id: <a@b>\n\n\n"
    else:
        mail = (b"From x@y Mon Sep 17 00:00:00 2001\nSubject: Re: [PATCH] x\nFrom: a@b\nIn-Reply-To: <a@b>\n\n"
                b"Acked-by: a@b\n")
    out = mail * n
    return out + data if ctx.rng.random() < 0.5 else out


def many_patches(ctx: Ctx, data: bytes) -> bytes:
    """One patch sent as every mail of an N-patch series (``[PATCH i/N]``), or copies of it re-sent.

    (Hundreds, not the 10,000 a series may have: a mail costs a few milliseconds, and the long run's
    timeout is seconds; ``numbering`` tries the numbers past the limit.)"""
    n = ctx.rng.choice((20, 100, 300))
    mail = data if data.startswith(b"From ") else b"From x@y Mon Sep 17 00:00:00 2001\n" + data
    # Its first mail only.
    mail = re.split(rb"\n(?=From \S+ \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\r?\n)", mail, maxsplit=1)[0]
    if ctx.rng.random() < 0.5:
        return (mail.rstrip(b"\n") + b"\n\n") * (n // 10)
    parts = []
    for i in range(1, n + 1):
        parts.append(re.sub(rb"(?m)^Subject: (\[[^\]]*\])?", b"Subject: [PATCH %d/%d]" % (i, n), mail, count=1))
    return b"\n".join(parts)


def splice(ctx: Ctx, data: bytes) -> bytes:
    """Lines of another seed put in, or two inputs concatenated."""
    other = ctx.rng.choice(ctx.seeds)
    if ctx.rng.random() < 0.3:
        return data + b"\n" + other
    a, b = _lines(data), _lines(other)
    i, j = ctx.rng.randrange(len(a) + 1), ctx.rng.randrange(len(b))
    a[i:i] = b[j:j + ctx.rng.choice((1, 5, 40))]
    return _join(a)


_HEADERS = (
    b"Date: Mon, 99 Foo 99999999999 99:99:99 +9999", b"Date: ", b"Date: 0", b"Date: Tue, 1 Jan 10000 00:00:00 +0000",
    b"Date: Thu, 01 Jan 1970 00:00:00 -2400", b"Date: Sat, 31 Dec 9999 23:59:59 -9959", b"Date: " + b"9" * 5000,
    b"Message-Id: <>", b"Message-Id: <<<<", b"Message-Id: <a@b>", b"In-Reply-To: <a@b>", b"References: <a@b>",
    b"References: " + b" ".join(b"<%d@x>" % i for i in range(20000)), b"In-Reply-To: " + b"(" * 5000,
    b"From: <>", b'From: "unterminated', b"From: (((((", b"From: a@b@c", b"From: =?utf-8?b?!!!?= <a@b>",
    b"From: " + b"a" * 5000 + b" <a@b>", b"To: " + b", ".join(b"u%d@x" % i for i in range(10000)),
    b"To: undisclosed-recipients:;", b"Cc: \"a, b\" <<a@b>>, ,,,", b"List-Id: <" + b"x" * 5000,
    b"Content-Type: multipart/mixed", b"Content-Type: multipart/mixed; boundary=\"\"", b"Content-Type: /",
    b"Content-Type: text/plain; format=flowed; delsp=yes", b"Content-Disposition: attachment; filename*=x''%ff.patch",
)


def headers(ctx: Ctx, data: bytes) -> bytes:
    """Garbage dates, ids, addresses; a mail that answers itself; a header block that never ends."""
    kind = ctx.rng.randrange(4)
    if kind == 0:
        line = ctx.rng.choice(_HEADERS)
        name, _, value = line.partition(b": ")
        return _set_header(ctx, data, name, value)
    if kind == 1:  # replies in a cycle: every mail answers the one before, the first answers the last
        mails = data.split(b"\nFrom ")
        ids = [b"<m%d@x>" % i for i in range(len(mails))]
        out = []
        for i, m in enumerate(mails):
            m = re.sub(rb"(?mi)^(Message-Id|In-Reply-To|References):.*\n", b"", m)
            m = re.sub(rb"(?m)^Subject: ", b"Message-Id: %s\nIn-Reply-To: %s\nReferences: %s %s\nSubject: " % (
                ids[i], ids[i - 1], ids[i - 1], ids[i]), m, count=1)
            out.append(m)
        return b"\nFrom ".join(out)
    if kind == 2:  # the blank line after the headers gone
        return data.replace(b"\n\n", b"\n", 1)
    lines = _lines(data)  # folded continuation lines everywhere
    at = _where(ctx, lines, rb"[A-Za-z-]+: ") or [0]
    i = ctx.rng.choice(at)
    lines[i + 1:i + 1] = [b" " + b"x" * ctx.rng.randint(0, 80)] * ctx.rng.choice((1, 100, 5000))
    return _join(lines)


def _git_b85(data: bytes) -> bytes:
    out = []
    for i in range(0, len(data), 52):
        chunk = data[i:i + 52]
        n = len(chunk)
        out.append(bytes([64 + n if n <= 26 else 96 + n - 26]) + base64.b85encode(chunk, pad=True))
    return b"\n".join(out)


@functools.lru_cache(maxsize=4)
def _bomb(size: int) -> bytes:
    """zlib of ``size`` zero bytes, made without holding them."""
    z = zlib.compressobj(9)
    block = b"\0" * (1 << 20)
    parts = [z.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + z.flush()


def binary_patches(ctx: Ctx, data: bytes) -> bytes:
    """``GIT binary patch`` blocks that lie: sizes, base85, zlib, a decompression bomb, deltas past the source.

    (The bomb inflates to 200 long lines, 2 GB in the long run: more than its 1 GB address space.)"""
    lines = _lines(data)
    # A file's hunks (from the first after its +++ line) or its binary block, up to the next file or the end.
    at = [i for i in _where(ctx, lines, rb"@@ ") if lines[i - 1].startswith(b"+++ ")]
    at = at or _where(ctx, lines, rb"GIT binary patch")
    if not at:
        return data
    i = ctx.rng.choice(at)
    end = i + 1
    while end < len(lines) and not lines[end].startswith((b"diff --git ", b"-- ", b"From ")):
        end += 1
    kind = ctx.rng.randrange(6)
    if kind == 0:
        block = b"literal 99999999999999999999999\nzcmV?d00001\n"
    elif kind == 1:
        block = b"literal 12\n" + _git_b85(ctx.rng.randbytes(30)) + b"\n"
    elif kind == 2:
        block = b"literal 10\n" + _git_b85(_bomb(ctx.bomb or ctx.big * 200)) + b"\n"
    elif kind == 3:
        delta = bytes([0x05, 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x9F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0x7F, 0x00])
        block = b"delta 16\n" + _git_b85(zlib.compress(delta)) + b"\n"
    elif kind == 4:
        block = b"literal 4\n" + b"~" * ctx.rng.choice((5, 70)) + b"\n"
    else:
        block = b"delta " + b"9" * 5000 + b"\n" + _git_b85(zlib.compress(ctx.rng.randbytes(20))) + b"\n"
    if ctx.rng.random() < 0.5:
        block += b"\nliteral 0\nHcmV?d00001\n"
    lines[i:end] = [b"GIT binary patch", *_lines(block)]
    return _join(lines)


_EXTENDED = (b"old mode 99999999999", b"new mode abc", b"new file mode 120000", b"new file mode 160000",
             b"deleted file mode 100755", b"similarity index 99999999999999999999%", b"similarity index x%",
             b"similarity index " + b"9" * 5000 + b"%", b"dissimilarity index -5%", b"index zzzz..yyyy 100644",
             b"index 1234567", b"index ..", b"rename from ../x", b"rename to /etc/passwd", b"copy from .git/config",
             b"copy to link/x", b"rename from", b"Binary files a/x and b/x differ", b"GIT binary patch",
             b"old mode", b"new mode 100644 100755", b"index 0000000..e69de29")


def extended_headers(ctx: Ctx, data: bytes) -> bytes:
    """Lines of git's extended diff header that lie: modes, similarity, index ids, renames out of the tree."""
    lines = _lines(data)
    at = _where(ctx, lines, rb"diff --git ")
    for i in ctx.rng.sample(at, min(len(at), ctx.rng.randint(1, 2))) if at else ():
        extra = ctx.rng.sample(_EXTENDED, ctx.rng.randint(1, 3))
        if ctx.rng.random() < 0.4 and i + 1 < len(lines) and lines[i + 1].startswith(b"index "):
            lines[i + 1:i + 2] = extra
        else:
            lines[i + 1:i + 1] = extra
    return _join(lines)


def encoded_body(ctx: Ctx, data: bytes) -> bytes:
    """The body as base64 or quoted-printable, damaged: stray characters, cut padding, ``=ZZ``, soft breaks."""
    head, body = _split_head(data)
    head = re.sub(rb"(?mi)^(Content-Transfer-Encoding):.*\n?", b"", head)
    if ctx.rng.random() < 0.5:
        enc = bytearray(base64.encodebytes(body))
        for _ in range(ctx.rng.randint(0, 5)):
            if enc:
                enc[ctx.rng.randrange(len(enc))] = ctx.rng.choice(b"!*=-\n.")
        cte, text = b"base64", bytes(enc[: ctx.rng.choice((len(enc), len(enc) - 3, len(enc) // 2))])
    else:
        text = body.replace(b"=", b"=3D")
        for _ in range(ctx.rng.randint(1, 5)):
            at = ctx.rng.randrange(len(text) + 1)
            text = text[:at] + ctx.rng.choice((b"=ZZ", b"=\n", b"=", b"=0D=0A", b"=00", b"=FF")) + text[at:]
        cte = b"quoted-printable"
    return head + b"\nMIME-Version: 1.0\nContent-Transfer-Encoding: " + cte + b"\n\n" + text


def inbody(ctx: Ctx, data: bytes) -> bytes:
    """In-body ``From:``/``Subject:``/``Date:`` lines that are garbage, folded forever, or RFC 2047 junk."""
    head, body = _split_head(data)
    line = ctx.rng.choice((b"From: " + _rfc2047(ctx), b"Subject: " + _rfc2047(ctx), b"Date: \xff\xfe",
                           b"From: <>", b"Subject:", b">From 0000000000000000000000000000000000000000 x",
                           b"[PATCH]", b"From: a@b\n" + b" x\n" * 2000))
    return head + b"\n\n" + line + b"\n\n" + body


MUTATORS: dict[str, Mutator] = {f.__name__: f for f in (
    truncate, drop_lines, dup_lines, hunk_headers, flip_bytes, crlf, invalid_utf8, charsets, rfc2047, long_line,
    nested_multipart, numbering, hostile_paths, binary_garbage, empty_mails, many_patches, splice, headers,
    binary_patches, extended_headers, encoded_body, inbody,
)}
# Mutators that make inputs of many MB: applied at most once to an input.
HEAVY = frozenset({"long_line", "many_patches", "binary_patches", "empty_mails"})


def mutate(ctx: Ctx, seed: bytes, names: Sequence[str]) -> bytes:
    data = seed
    for name in names:
        data = MUTATORS[name](ctx, data)
    return data


def random_input(rng: random.Random, seeds: Sequence[bytes], big: int,
                 many: int = 5000) -> tuple[bytes, list[str], int]:
    """(input, the mutators applied, the seed's index): one to three mutators, at most one heavy one."""
    index = rng.randrange(len(seeds))
    names: list[str] = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        name = rng.choice(sorted(MUTATORS))
        if name in HEAVY and any(n in HEAVY for n in names):
            continue
        names.append(name)
    return mutate(Ctx(rng, big, seeds, many=many), seeds[index], names), names, index


# -- the seeds ---------------------------------------------------------------------------


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> bytes:
    return subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=repo, check=True, capture_output=True,
                          env={**os.environ, **GIT_ENV, **(env or {})}).stdout


GIT_ENV = {
    "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Ada Lovelace",
    "GIT_AUTHOR_EMAIL": "ada@example.org", "GIT_AUTHOR_DATE": "Wed, 11 Aug 2021 16:48:17 -0400",
    "GIT_COMMITTER_NAME": "Ada Lovelace", "GIT_COMMITTER_EMAIL": "ada@example.org",
    "GIT_COMMITTER_DATE": "Wed, 11 Aug 2021 16:48:17 -0400", "TZ": "UTC", "LC_ALL": "C",
}


def make_repo(path: Path) -> list[bytes]:
    """A small repository (``master`` at tag ``v1``; a symlink ``link -> ../outside``) and what
    ``git format-patch`` writes of its 3-commit branch ``topic``: the series with a cover, one patch."""
    path.mkdir(parents=True)
    (path.parent / "outside").mkdir(exist_ok=True)
    _git(path, "init", "-q", "-b", "master")
    lib = "".join(f"line {i}\n" for i in range(1, 41))
    files = {"lib/list.c": lib, "docs/readme.txt": "".join(f"read me {i}\n" for i in range(12)),
             "scripts/run.sh": "#!/bin/sh\necho run\n", "Makefile": "all:\n\ttrue\n"}
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    (path / "data.bin").write_bytes(bytes(range(256)) * 4)
    (path / "link").symlink_to("../outside")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("base", lambda: None),
        ("lib: spell ten\n\nSigned-off-by: Ada Lovelace <ada@example.org>",
         lambda: (path / "lib/list.c").write_text(lib.replace("line 10\n", "line ten\n").replace("line 30\n", "x\n"))),
        ("docs: notes, and readme renamed\n\nSigned-off-by: Ada Lovelace <ada@example.org>",
         lambda: ((path / "docs/notes.txt").write_text("notes\n"),
                  (path / "docs/readme.txt").rename(path / "docs/README"))),
        ("build: run.sh executable, data.bin changed\n\nSigned-off-by: Ada Lovelace <ada@example.org>",
         lambda: ((path / "scripts/run.sh").chmod(0o755), (path / "data.bin").write_bytes(bytes(range(256)) * 5))),
    ]
    for tick, (message, change) in enumerate(steps):
        change()
        date = f"Wed, 11 Aug 2021 17:{tick:02d}:00 -0400"
        _git(path, "add", "-A")
        _git(path, "commit", "-q", "-m", message, env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})
        if tick == 0:
            _git(path, "tag", "v1")
            _git(path, "checkout", "-q", "-b", "topic")
    _git(path, "checkout", "-q", "master")
    return [_git(path, "format-patch", "--stdout", "--cover-letter", "--base=v1", "-M", "v1..topic"),
            _git(path, "format-patch", "--stdout", "-1", "topic~2")]


def seeds(repo_seeds: Sequence[bytes] = ()) -> list[bytes]:
    files = [p.read_bytes() for p in SEED_FILES]
    series = b"".join(p.read_bytes() for p in SEED_FILES if p.suffix == ".patch")
    return [*files, series, *repo_seeds]


# -- what must not change ----------------------------------------------------------------


@dataclass(frozen=True)
class RepoState:
    """What a read-only command must leave as it was: refs, HEAD, the index's bytes, the set of objects."""

    refs: bytes
    head: bytes
    index: bytes
    objects: frozenset[str]

    @classmethod
    def of(cls, repo: Path) -> RepoState:
        git = repo / ".git"
        refs = _git(repo, "for-each-ref", "--format=%(refname) %(objectname)")
        index = git / "index"
        objects = frozenset(str(p.relative_to(git / "objects")) for p in (git / "objects").rglob("*") if p.is_file())
        return cls(refs, (git / "HEAD").read_bytes(), index.read_bytes() if index.exists() else b"", objects)


def listing(root: Path, skip: Sequence[Path] = ()) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root`` (not under ``skip``): relative path -> (size, mtime_ns)."""
    out: dict[str, tuple[int, int]] = {}
    skipped = {p.resolve() for p in skip}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if (here / d).resolve() not in skipped]
        for name in [*dirnames, *filenames]:
            st = (here / name).lstat()
            out[str((here / name).relative_to(root))] = (st.st_size if name in filenames else 0, st.st_mtime_ns)
    return out


_UNSAFE = re.compile(r"(^|/)\.\.?(/|$)|^/|(^|/)\.git(/|$)|//")


def unsafe_paths(folder: Path) -> list[str]:
    """The paths an imported series' diffs name that escape the repository or enter ``.git``."""
    from patchtool.seriesdir import read_series

    series = read_series(folder)
    paths = [p for patch in series.patches for fc in patch.files for p in (fc.old_path, fc.new_path) if p]
    return [p for p in paths if _UNSAFE.search(p.lower()) or not p]


def error_problem(code: int, out: str, err: str) -> str | None:
    """What is wrong with how a command ended, None when nothing: exit 0, 1, or 2 with one stderr line."""
    if "Traceback (most recent call last)" in err or "Traceback (most recent call last)" in out:
        return "traceback"
    if code not in (0, 1, 2):
        return f"exit {code}"
    if code == 2:
        lines = err.splitlines()
        if len(lines) != 1 or not lines[0].startswith("patchtool: "):
            return "multi-line error" if len(lines) > 1 else "no error line"
    return None
