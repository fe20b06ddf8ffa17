"""Patch text -> FileChanges and Hunks; the only user of unidiff.

A patch mail's diff is delimited here by walking it with git's own rules
(hunk line counts, extended header lines, binary blocks), so trailing
signatures and footers are never mistaken for diff lines and a hunk whose
counts lie is caught with its line number.  Each file's section is then
handed to unidiff for its hunks, and kept verbatim in ``FileChange.text``.
"""

from __future__ import annotations

import re

import unidiff

from patchtool.errors import BadInput
from patchtool.model import ChangeKind, FileChange, Hunk

_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_EXTENDED = re.compile(
    r"^(old mode|new mode|deleted file mode|new file mode|similarity index|dissimilarity index"
    r"|rename from|rename to|copy from|copy to|index) "
)
_BINARY_BLOCK = re.compile(r"^(literal|delta) (\d+)$")
_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def unquote_path(text: str) -> str:
    """git's C-style quoted path (``"a/\\303\\244.c"``) -> the path itself."""
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        return text
    body = text[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode("utf-8", "surrogateescape")
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in _C_ESCAPES:
            out.append(_C_ESCAPES[nxt])
            i += 2
        elif re.match(r"[0-7]{3}", body[i + 1 : i + 4]):
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        else:
            raise ValueError(f"bad escape in quoted path {text}")
    return out.decode("utf-8", "surrogateescape")


def _strip_prefix(path: str, prefix: str) -> str:
    path = unquote_path(path.rstrip("\t"))
    return path[len(prefix):] if path.startswith(prefix) else path


def _checked(path: str | None, source: str, line: int) -> str | None:
    if path is None:
        return None
    parts = path.split("/")
    if path.startswith("/") or ".." in parts or "" in parts or "." in parts:
        raise BadInput(f"unsafe path in diff header: {path!r}", source=source, line=line)
    if ".git" in (p.lower() for p in parts):
        raise BadInput(f"diff touches a .git directory: {path!r}", source=source, line=line)
    return path


class _Walker:
    """Finds where each file section of a diff starts and ends."""

    def __init__(self, lines: list[str], source: str, first_line: int):
        self.lines = lines
        self.source = source
        self.first_line = first_line
        self.pos = 0

    def err(self, message: str, offset: int | None = None) -> BadInput:
        at = self.pos if offset is None else offset
        return BadInput(message, source=self.source, line=self.first_line + at)

    def peek(self) -> str | None:
        return self.lines[self.pos] if self.pos < len(self.lines) else None

    def sections(self) -> list[tuple[int, int]]:
        spans = []
        while (line := self.peek()) is not None and line.startswith("diff --git "):
            start = self.pos
            self.pos += 1
            self.header()
            spans.append((start, self.pos))
        return spans

    def header(self) -> None:
        while (line := self.peek()) is not None:
            text = line.rstrip("\n")
            if _EXTENDED.match(text) or text.startswith(("--- ", "+++ ")):
                self.pos += 1
            elif text.startswith("Binary files ") and text.endswith(" differ"):
                self.pos += 1
                return
            elif text == "GIT binary patch":
                self.pos += 1
                self.binary()
                return
            elif text.startswith("@@"):
                while (line := self.peek()) is not None and line.startswith("@@"):
                    self.hunk()
                return
            else:
                return

    def hunk(self) -> None:
        header = self.lines[self.pos].rstrip("\n")
        m = _HUNK_HEADER.match(header)
        if not m:
            raise self.err(f"malformed hunk header: {header[:60]!r}")
        old = int(m.group(2)) if m.group(2) is not None else 1
        new = int(m.group(4)) if m.group(4) is not None else 1
        start = self.pos
        self.pos += 1
        while old > 0 or new > 0:
            line = self.peek()
            if line is None:
                raise self.err(f"truncated hunk {header.split(' @@')[0]} @@: the patch ends "
                               f"{old} old / {new} new lines early", start)
            tag = line[:1]
            if tag in (" ", "\n", "\r"):
                old -= 1
                new -= 1
            elif tag == "-":
                old -= 1
            elif tag == "+":
                new -= 1
            elif tag == "\\":
                pass
            else:
                raise self.err(f"hunk {header.split(' @@')[0]} @@ has fewer lines than its header "
                               f"says ({old} old / {new} new missing)")
            if old < 0 or new < 0:
                raise self.err(f"hunk {header.split(' @@')[0]} @@ has more lines than its header says")
            self.pos += 1
        if (line := self.peek()) is not None and line.startswith("\\"):
            self.pos += 1

    def binary(self) -> None:
        for block in range(2):
            line = self.peek()
            if line is None or not _BINARY_BLOCK.match(line.rstrip("\n")):
                if block == 0:
                    raise self.err("GIT binary patch without a literal or delta block")
                return
            self.pos += 1
            while (line := self.peek()) is not None and line.strip("\n"):
                self.pos += 1
            if line is None:
                if block == 0:
                    return
                return
            self.pos += 1  # the blank line closing the block


def _hunks(text: str, source: str, line: int) -> tuple[Hunk, ...]:
    try:
        parsed = unidiff.PatchSet(text)
    except unidiff.UnidiffParseError as exc:
        raise BadInput(f"unparsable diff: {exc}", source=source, line=line) from None
    hunks = []
    for pf in parsed:
        for h in pf:
            lines = tuple(f"{ln.line_type}{ln.value.rstrip(chr(10))}" for ln in h)
            hunks.append(Hunk(h.source_start, h.source_length, h.target_start,
                              h.target_length, h.section_header, lines))
    return tuple(hunks)


def _file_change(text: str, source: str, line: int) -> FileChange:
    head = text.split("\n@@", 1)[0].split("\nGIT binary patch", 1)[0]
    fields: dict[str, str] = {}
    minus = plus = None
    for hl in head.split("\n")[1:]:
        if hl.startswith("--- "):
            minus = hl[4:]
        elif hl.startswith("+++ "):
            plus = hl[4:]
        elif m := _EXTENDED.match(hl):
            fields[m.group(1)] = hl[m.end():]
    first = head.split("\n", 1)[0][len("diff --git "):]
    old_path = new_path = None
    if "rename from" in fields or "copy from" in fields:
        old_path = unquote_path(fields.get("rename from") or fields["copy from"])
        new_path = unquote_path(fields.get("rename to") or fields.get("copy to", ""))
    else:
        if minus is not None and minus != "/dev/null":
            old_path = _strip_prefix(minus, "a/")
        if plus is not None and plus != "/dev/null":
            new_path = _strip_prefix(plus, "b/")
        if minus is None and plus is None:
            # Mode-only or binary change: "diff --git a/X b/X" names X twice.
            if first.startswith('"'):
                end = first.index('" ', 1)
                name = _strip_prefix(first[: end + 1], "a/")
            else:
                half = (len(first) - 1) // 2
                name = first[2:half] if first[:half].startswith("a/") else first[:half]
            old_path = new_path = name
    if "new file mode" in fields:
        old_path, kind = None, ChangeKind.ADD
    elif "deleted file mode" in fields:
        new_path, kind = None, ChangeKind.DELETE
    elif "rename from" in fields:
        kind = ChangeKind.RENAME
    elif "copy from" in fields:
        kind = ChangeKind.COPY
    else:
        kind = ChangeKind.MODIFY
    old_blob = new_blob = None
    index_mode = None
    if "index" in fields:
        ids, _, index_mode = fields["index"].partition(" ")
        old_blob, _, new_blob = ids.partition("..")
    old_mode = fields.get("old mode") or fields.get("deleted file mode") or index_mode or None
    new_mode = fields.get("new mode") or fields.get("new file mode") or index_mode or None
    if kind is ChangeKind.ADD:
        old_mode = None
    if kind is ChangeKind.DELETE:
        new_mode = None
    similarity = fields.get("similarity index")
    binary = "\nGIT binary patch\n" in text or bool(re.search(r"^Binary files .* differ$", text, re.M))
    hunks = () if binary else _hunks(text, source, line)
    return FileChange(
        kind=kind,
        old_path=_checked(old_path, source, line),
        new_path=_checked(new_path, source, line),
        old_mode=old_mode,
        new_mode=new_mode,
        old_blob=old_blob,
        new_blob=new_blob,
        binary=binary,
        hunks=hunks,
        text=text,
        similarity=int(similarity.rstrip("%")) if similarity else None,
    )


def parse_diff(text: str, *, source: str = "<patch>", first_line: int = 1) -> tuple[tuple[FileChange, ...], str]:
    """Parse the diff at the start of ``text``; return its file changes and what follows it.

    ``text`` must begin with ``diff --git``; what follows the diff (a
    ``base-commit:`` footer, the ``-- `` signature) is returned untouched.
    """
    lines = text.splitlines(keepends=True)
    walker = _Walker(lines, source, first_line)
    spans = walker.sections()
    changes = tuple(
        _file_change("".join(lines[a:b]), source, first_line + a) for a, b in spans
    )
    return changes, "".join(lines[walker.pos:])
