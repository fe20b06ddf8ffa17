"""One file's diff section applied to bytes in memory, with ``git apply``'s rules.

Pure: no git, no I/O.  This module owns the matching rules of git's
``apply.c`` as ``git am`` uses them (no fuzz, no whitespace fixing):

* a hunk's old side (context and ``-`` lines, with ``\\ No newline at end
  of file`` taken into account) must match the file byte for byte;
* the search starts at the hunk's *new* start line (earlier hunks of the
  same file have already moved the text, so git counts in post-image
  lines) and goes outward, forwards first, one line at a time;
* a hunk starting at old line 0 or 1 must match at the start of the file,
  one without trailing context must match at its end;
* lines produced by an earlier hunk of the same section are never matched
  again.

It also decodes ``GIT binary patch`` blocks (git's base85, zlib, and the
delta format of ``pack-objects``).
"""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_BINARY_BLOCK = re.compile(rb"^(literal|delta) (\d+)$")
_GIT_SPACE = b" \t\n\r"  # git's own isspace() (sane_ctype: not \v, not \f)


@dataclass(frozen=True)
class Fragment:
    """One hunk, as git's ``parse_fragment`` sees it."""

    header: str
    old_start: int
    new_start: int
    old_lines: tuple[bytes, ...]  # the pre-image, each line with its newline (or not, at EOF)
    new_lines: tuple[bytes, ...]
    leading: int
    trailing: int


@dataclass(frozen=True)
class HunkFailure:
    """A hunk whose pre-image is nowhere in the file, and the best partial match."""

    index: int  # 1-based, as git numbers hunks
    header: str
    expected: tuple[bytes, ...]
    near_line: int | None  # 1-based line of the nearest partial match
    near: tuple[bytes, ...]


@dataclass(frozen=True)
class Applied:
    """The result of applying every hunk of one section."""

    data: bytes | None  # None when a hunk failed
    offsets: tuple[tuple[int, str, int], ...]  # (hunk number, header, lines moved) for moved hunks
    failures: tuple[HunkFailure, ...]


class BinaryPatchError(Exception):
    """A ``GIT binary patch`` block that cannot be decoded or applied."""


def split_lines(data: bytes) -> list[bytes]:
    """Lines with their newline kept, the last one without if the file has none."""
    # Not bytes.splitlines: it also breaks at \r, \v, \f, \x1c..., and git only knows \n.
    return _split_lf(data)


def _split_lf(data: bytes) -> list[bytes]:
    if not data:
        return []
    parts = data.split(b"\n")
    lines = [p + b"\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def parse_fragments(section: bytes) -> list[Fragment]:
    """The hunks of one ``diff --git`` section (its header lines are skipped)."""
    lines = _split_lf(section)
    frags: list[Fragment] = []
    i = 0
    while i < len(lines):
        m = _HUNK.match(lines[i])
        if not m:
            i += 1
            continue
        header = lines[i].rstrip(b"\n").decode("utf-8", "surrogateescape")
        old_start, new_start = int(m.group(1)), int(m.group(3))
        old_left = int(m.group(2)) if m.group(2) is not None else 1
        new_left = int(m.group(4)) if m.group(4) is not None else 1
        i += 1
        old: list[bytes] = []
        new: list[bytes] = []
        leading = trailing = 0
        changed = False
        while (old_left > 0 or new_left > 0) and i < len(lines):
            line = lines[i]
            # A "\ No newline at end of file" after this line takes its newline away.
            eol_cut = i + 1 < len(lines) and lines[i + 1].startswith(b"\\")
            tag = line[:1]
            body = line[1:] if tag != b"\n" else b"\n"
            if eol_cut and body.endswith(b"\n"):
                body = body[:-1]
            if tag in (b" ", b"\n"):
                old.append(body)
                new.append(body)
                old_left -= 1
                new_left -= 1
                if not changed:
                    leading += 1
                trailing += 1
            elif tag == b"-":
                old.append(body)
                old_left -= 1
                changed, trailing = True, 0
            elif tag == b"+":
                new.append(body)
                new_left -= 1
                changed, trailing = True, 0
            else:
                break  # git calls this a corrupt patch; the hunk then matches nothing sensible
            i += 1
            if i < len(lines) and lines[i].startswith(b"\\"):
                i += 1
        frags.append(Fragment(header, old_start, new_start, tuple(old), tuple(new), leading, trailing))
    return frags


def apply_fragments(data: bytes, frags: list[Fragment]) -> Applied:
    """Apply ``frags`` in order to ``data`` as ``git apply`` would (it keeps going
    after a failed hunk, like ``--reject``, so every failing hunk is reported)."""
    img = split_lines(data)
    patched = [False] * len(img)
    offsets: list[tuple[int, str, int]] = []
    failures: list[HunkFailure] = []
    for n, frag in enumerate(frags, 1):
        pos = frag.new_start - 1 if frag.new_start else 0
        match_beginning = frag.old_start <= 1
        match_end = frag.trailing == 0
        at = find_pos(img, patched, frag.old_lines, pos, match_beginning, match_end)
        if at < 0:
            failures.append(_failure(n, frag, img, pos))
            continue
        if at != pos:
            offsets.append((n, frag.header, at - pos))
        k = len(frag.old_lines)
        img[at:at + k] = frag.new_lines
        patched[at:at + k] = [True] * len(frag.new_lines)
    if failures:
        return Applied(None, tuple(offsets), tuple(failures))
    return Applied(b"".join(img), tuple(offsets), ())


def find_pos(img: list[bytes], patched: list[bool], pre: tuple[bytes, ...], line: int,
             match_beginning: bool, match_end: bool) -> int:
    """git's ``find_pos``: the nearest line where ``pre`` matches, forwards first on a tie."""
    nr, k = len(img), len(pre)
    if match_beginning:
        line = 0
    elif match_end:
        line = nr - k
    line = min(max(line, 0) if line >= 0 else nr, nr)  # git compares unsigned: negative -> nr

    def matches(p: int) -> bool:
        if p + k > nr or (match_end and p + k != nr) or (match_beginning and p != 0):
            return False
        if any(patched[p:p + k]):
            return False
        if not k or tuple(img[p:p + k - 1]) != pre[:-1]:
            return not k
        last, have = pre[-1], img[p + k - 1]
        if last.endswith(b"\n") or match_end:
            return have == last
        # git compares the pre-image's bytes only (memcmp over its length) and the
        # lines' whitespace-blind hashes: a last line without its newline matches a
        # line that continues with nothing but whitespace.
        return have.startswith(last) and not have[len(last):].strip(_GIT_SPACE)

    if match_beginning or match_end:
        # Only one line can satisfy the anchor; git's walk ends there or nowhere.
        return line if matches(line) else -1
    # A quick look at the first line before the full compare (exact only when it has its newline).
    first = pre[0] if pre and pre[0].endswith(b"\n") else None
    for dist in range(max(line, nr - line) + 1):
        for p in (line + dist, line - dist) if dist else (line,):
            if 0 <= p <= nr and (first is None or (p < nr and img[p] == first)) and matches(p):
                return p
    return -1


def _failure(n: int, frag: Fragment, img: list[bytes], pos: int) -> HunkFailure:
    """Where the base comes closest to the hunk's pre-image: most lines equal, nearest the stated line."""
    pre = frag.old_lines
    k = len(pre)
    best: tuple[int, int] | None = None  # (score, -distance)
    best_at = None
    if k and img:
        for p in range(0, max(len(img) - k, 0) + 1):
            window = img[p:p + k]
            score = sum(1 for a, b in zip(window, pre, strict=False) if a == b)
            key = (score, -abs(p - pos))
            if score and (best is None or key > best):
                best, best_at = key, p
    if best_at is None:
        return HunkFailure(n, frag.header, pre, None, ())
    return HunkFailure(n, frag.header, pre, best_at + 1, tuple(img[best_at:best_at + k]))


# -- binary patches ------------------------------------------------------------------


def parse_binary(section: bytes) -> tuple[str, bytes] | None:
    """The forward block of a ``GIT binary patch``: ("literal"|"delta", inflated data).

    None when the section carries no data (``Binary files ... differ``).
    """
    lines = _split_lf(section)
    try:
        start = lines.index(b"GIT binary patch\n") + 1
    except ValueError:
        return None
    if start >= len(lines) or not (m := _BINARY_BLOCK.match(lines[start].rstrip(b"\n"))):
        raise BinaryPatchError("GIT binary patch without a literal or delta block")
    if len(m.group(2)) > 12:  # a terabyte: no patch's
        raise BinaryPatchError(f"binary patch announces {len(m.group(2))} digits of bytes")
    kind, size = m.group(1).decode(), int(m.group(2))
    raw = bytearray()
    for line in lines[start + 1:]:
        line = line.rstrip(b"\n")
        if not line:
            break
        raw += _decode_b85_line(line)
    try:
        # Never more than was announced (and one byte to tell): a small block may inflate to gigabytes.
        inflate = zlib.decompressobj()
        data = inflate.decompress(bytes(raw), size + 1)
    except zlib.error as exc:
        raise BinaryPatchError(f"corrupt binary patch: {exc}") from None
    if len(data) != size or not inflate.eof:
        raise BinaryPatchError(f"binary patch: {len(data)} bytes where {size} were announced")
    return kind, data


def _decode_b85_line(line: bytes) -> bytes:
    # The first byte says how many bytes the line carries: A-Z 1..26, a-z 27..52.
    c = line[0]
    if 65 <= c <= 90:
        n = c - 64
    elif 97 <= c <= 122:
        n = c - 96 + 26
    else:
        raise BinaryPatchError("corrupt binary patch line")
    # git's base85 alphabet is RFC 1924's, which is Python's b85.
    try:
        return base64.b85decode(line[1:])[:n]
    except ValueError:
        raise BinaryPatchError("corrupt base85 in binary patch") from None


def apply_delta(src: bytes, delta: bytes) -> bytes:
    """git's ``patch_delta``: copy/insert instructions over ``src``."""
    pos = 0

    def varint() -> int:
        nonlocal pos
        value = shift = 0
        while True:
            byte = delta[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    try:
        src_size, dst_size = varint(), varint()
        if src_size != len(src):
            raise BinaryPatchError("binary delta was made for another pre-image")
        out = bytearray()
        while pos < len(delta):
            cmd = delta[pos]
            pos += 1
            if cmd & 0x80:
                offset = size = 0
                for bit in range(4):
                    if cmd & (1 << bit):
                        offset |= delta[pos] << (8 * bit)
                        pos += 1
                for bit in range(3):
                    if cmd & (0x10 << bit):
                        size |= delta[pos] << (8 * bit)
                        pos += 1
                size = size or 0x10000
                if offset + size > len(src):
                    raise BinaryPatchError("binary delta copies past its pre-image")
                out += src[offset:offset + size]
            elif cmd:
                out += delta[pos:pos + cmd]
                pos += cmd
            else:
                raise BinaryPatchError("binary delta has a zero opcode")
    except IndexError:
        raise BinaryPatchError("truncated binary delta") from None
    if len(out) != dst_size:
        raise BinaryPatchError("binary delta result has the wrong size")
    return bytes(out)
