"""Patch text -> FileChanges and Hunks; the only user of unidiff.

A patch mail's diff is delimited here by walking it with git's own rules
(hunk line counts, extended header lines, binary blocks), so trailing
signatures and footers are never mistaken for diff lines and a hunk whose
counts lie is caught with its line number.  Each file's section is then
handed to unidiff for its hunks, and kept verbatim in ``FileChange.text``.

Diffs not made by git (quilt, ``diff -up``, the stable review scripts) are
read as ``git apply`` reads them (apply.c's ``find_header`` and
``parse_traditional_patch``): a section starts at a ``--- `` line followed
by ``+++ `` and ``@@ -``; the ``Index:``, ``====`` and ``diff -up ...``
lines before it are kept in its text and otherwise ignored; the name comes
from the ``---``/``+++`` lines with a date cut off and one leading
component stripped (none when the names hold no ``/``), the shorter of the
two names winning (``fs/foo.c.orig`` -> ``fs/foo.c``); ``/dev/null`` or an
epoch date makes a creation or a deletion.  Such a section has no ``index``
line, so no blob ids and no three-way fallback.

Between and after sections, lines are skipped up to the next file header
as git's find_header skips them.  A hunk header met there is refused
("patch fragment without header").  A ``diff --git`` line with no header
line git knows after it (a hand-typed ``Index <sha>``, a name wrapped by
the mail client) is skipped too.  When that line does not name one file
twice (git_header_name), it is refused: "git diff header lacks filename
information".  Names end at a tab or a CR, as git's find_name ends them.
"""

from __future__ import annotations

import re

from patchtool.diffnames import (
    GIT_SPACE,
    NAME_END,
    QUOTED,
    epoch,
    git_header_name,
    guess_p,
    is_dev_null,
    name_traditional,
    unquote_path,
)
from patchtool.errors import BadInput
from patchtool.model import ChangeKind, FileChange, Hunk

_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_EXTENDED = re.compile(
    r"^(old mode|new mode|deleted file mode|new file mode|similarity index|dissimilarity index"
    r"|rename from|rename to|rename old|rename new|copy from|copy to|index) "
)
_BINARY_BLOCK = re.compile(r"^(literal|delta) (\d+)$")
# Line numbers and counts of more digits are no file's (and int() of thousands of digits is refused).
_MAX_DIGITS = 9
_MODE = re.compile(r"[0-7]{1,7}")  # git's parse_mode_line: octal digits (up to a space or the end)
_BLOB = re.compile(r"[0-9a-f]{4,64}")
# Lines quilt, CVS, svn and diff -r write before a file's ---/+++ header (git skips them as junk).
_PREAMBLE = re.compile(r"^(?:Index: |diff |={3,}$|RCS file: |retrieving revision |Only in )", re.MULTILINE)
# Where a file section starts: git's header, or a traditional ---/+++/@@ triple.
_HEADER_AT = re.compile(r"^(?:diff --git |--- [^\n]*\n\+\+\+ [^\n]*\n@@ -)", re.MULTILINE)


def _strip_prefix(path: str, prefix: str) -> str:
    """A ``---``/``+++`` name of a git header: C-quoted, or up to a tab or CR (find_name, TERM_TAB)."""
    if path.startswith('"') and (m := QUOTED.match(path)):
        path = unquote_path(m[0])
    else:
        path = path[:m.start()] if (m := NAME_END.search(path)) else path
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

    def kind(self, at: int) -> str | None:
        """``git`` or ``traditional`` when a file header starts at line ``at`` (find_header's test)."""
        lines = self.lines
        if at >= len(lines):
            return None
        if lines[at].startswith("diff --git "):
            return "git"
        if (lines[at].startswith("--- ") and at + 2 < len(lines) and lines[at + 1].startswith("+++ ")
                and lines[at + 2].startswith("@@ -")):
            return "traditional"
        return None

    def sections(self) -> list[tuple[int, int, int, str]]:
        """(start, header line, end, kind) of each file section, preamble lines included.

        As apply.c's find_header: after a section, every line up to the next
        file header is skipped (a signature, a list footer, text between two
        sections), but a hunk header there is a "patch fragment without
        header"; a ``diff --git`` line followed by no header line it knows
        (an ``Index <sha>`` typed by hand, a name the mail client wrapped)
        is skipped as well, or refused when the line names no file twice.
        """
        spans: list[tuple[int, int, int, str]] = []
        end = self.pos
        at = self.pos
        while (at := self.next_header(at)) is not None:
            kind = self.kind(at)
            if kind == "git":
                self.pos = at + 1
                if not self.header():
                    line = self.lines[at].rstrip("\n")
                    if git_header_name(line[len("diff --git "):]) is None:
                        raise self.err(f"git diff header lacks filename information: {line[:80]!r}", at)
                    at += 1  # git_hdr_len <= len: the line is junk
                    continue
            else:
                self.pos = at + 2
                while (line := self.peek()) is not None and line.startswith("@@"):
                    self.hunk()
            start = at
            while start > end and _PREAMBLE.match(self.lines[start - 1]):
                start -= 1
            spans.append((start, at, self.pos, kind))
            at = end = self.pos
        self.pos = end
        return spans

    def next_header(self, at: int) -> int | None:
        """The first line from ``at`` on where a file header starts (find_header), None when none does."""
        lines = self.lines
        for i in range(at, len(lines)):
            line = lines[i]
            if len(line) < 6 or line[0] not in "@d-":
                continue
            if line.startswith("@@ -") and _HUNK_HEADER.match(line):
                raise self.err(f"patch fragment without header: {line.rstrip(chr(10))[:60]!r}", i)
            if self.kind(i):
                # git wants 6 more bytes after a header line (size < len + 6: no header).
                if sum(len(x) for x in lines[i + 1:i + 7]) < 6:
                    return None
                return i
        return None

    def header(self) -> bool:
        """The lines of a ``diff --git`` header, then its hunks or binary block; False if it has none.

        As apply.c's parse_git_diff_header: the header ends at ``@@ -`` or at
        the first line it does not know.
        """
        first = self.pos
        while (line := self.peek()) is not None and line.endswith("\n"):
            text = line.rstrip("\n")
            if _EXTENDED.match(text) or text.startswith(("--- ", "+++ ")):
                self.pos += 1
            else:
                break
        if self.pos == first:
            return False
        if (line := self.peek()) is None:
            return True
        text = line.rstrip("\n")
        if text.startswith("Binary files ") and text.endswith(" differ"):
            self.pos += 1
        elif text == "GIT binary patch":
            self.pos += 1
            self.binary()
        elif text.startswith("@@"):
            while (line := self.peek()) is not None and line.startswith("@@"):
                self.hunk()
        return True

    def hunk(self) -> None:
        header = self.lines[self.pos].rstrip("\n")
        m = _HUNK_HEADER.match(header)
        if not m:
            raise self.err(f"malformed hunk header: {header[:60]!r}")
        if any(len(g) > _MAX_DIGITS for g in m.groups() if g):
            raise self.err(f"hunk header {header[:60]!r}: line numbers past {'9' * _MAX_DIGITS}")
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
    import unidiff  # here, not above: a command that reads only stored series never parses a diff

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


def _git_paths(fields: dict[str, str], minus: str | None, plus: str | None, first: str
               ) -> tuple[str | None, str | None]:
    """The old and new path of a ``diff --git`` section (ValueError: a badly quoted name)."""
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
            old_path = new_path = git_header_name(first)
    return old_path, new_path


def _file_change(text: str, header: int, source: str, line: int) -> FileChange:
    """A ``diff --git`` section; its header line starts at ``text[header:]`` (preamble lines before it)."""
    head = text[header:].split("\n@@", 1)[0].split("\nGIT binary patch", 1)[0]
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
    try:
        old_path, new_path = _git_paths(fields, minus, plus, first)
    except ValueError:  # a C-quoted name with a bad escape, or an unclosed quote
        raise BadInput(f"malformed file name in diff header: {first[:80]!r}", source=source, line=line) from None
    if old_path is None and new_path is None:  # parse_git_diff_header: no name, and none twice on the line
        raise BadInput(f"git diff header lacks filename information: {'diff --git ' + first[:80]!r}",
                       source=source, line=line + text.count("\n", 0, header))
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
        # git's gitdiff_index: ids that are no hex are "sha1 information lacking" (no 3-way), not an error.
        if not (_BLOB.fullmatch(old_blob) and _BLOB.fullmatch(new_blob)):
            old_blob = new_blob = None
    for key in ("old mode", "new mode", "deleted file mode", "new file mode"):
        if key in fields:  # git's parse_mode_line: octal digits, then the end or a space
            token = (fields[key].split() or [""])[0]
            if not _MODE.fullmatch(token):
                raise BadInput(f"invalid mode in diff header: {key} {fields[key][:40]!r}", source=source, line=line)
            fields[key] = token
    if index_mode and not _MODE.fullmatch(index_mode.rstrip(GIT_SPACE)):
        index_mode = None
    old_mode = fields.get("old mode") or fields.get("deleted file mode") or index_mode or None
    new_mode = fields.get("new mode") or fields.get("new file mode") or index_mode or None
    if kind is ChangeKind.ADD:
        old_mode = None
    if kind is ChangeKind.DELETE:
        new_mode = None
    # git's gitdiff_similarity: strtoul, kept only when at most 100.
    digits = re.match(r"\d{1,3}", fields.get("similarity index", ""))
    similarity = int(digits.group(0)) if digits and int(digits.group(0)) <= 100 else None
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
        similarity=similarity,
    )


class _PValue:
    """git apply's -p state for one patch: 1 until a traditional header's names say otherwise."""

    def __init__(self) -> None:
        self.value = 1
        self.known = False


def _traditional_change(text: str, header: int, pv: _PValue, source: str, line: int) -> FileChange:
    """A section that starts with ``--- ``/``+++ `` (parse_traditional_patch)."""
    first, second = (x[4:] for x in text[header:].split("\n", 2)[:2])
    if not pv.known:
        p, q = guess_p(first), guess_p(second)
        p = q if p < 0 else p
        if p >= 0 and p == q:
            pv.value, pv.known = p, True
    kind = ChangeKind.MODIFY
    if is_dev_null(first):
        kind, name = ChangeKind.ADD, name_traditional(second, None, pv.value)
    elif is_dev_null(second):
        kind, name = ChangeKind.DELETE, name_traditional(first, None, pv.value)
    else:
        name = name_traditional(second, name_traditional(first, None, pv.value), pv.value)
        if epoch(first):
            kind = ChangeKind.ADD
        elif epoch(second):
            kind = ChangeKind.DELETE
    at = line + text.count("\n", 0, header)
    if not name:
        raise BadInput("unable to find filename in patch", source=source, line=at)
    hunks = _hunks(text, source, line)
    if kind is ChangeKind.ADD and any(h.old_len for h in hunks):
        raise BadInput(f"new file {name} depends on old contents", source=source, line=at)
    if kind is ChangeKind.DELETE and any(h.new_len for h in hunks):
        raise BadInput(f"deleted file {name} still has contents", source=source, line=at)
    path = _checked(name, source, at)
    return FileChange(
        kind=kind,
        old_path=None if kind is ChangeKind.ADD else path,
        new_path=None if kind is ChangeKind.DELETE else path,
        old_mode=None,
        new_mode=None,
        old_blob=None,
        new_blob=None,
        binary=False,
        hunks=hunks,
        text=text,
    )


def diff_start(text: str) -> int | None:
    """Where the diff of a mail body starts (its first file header, with the preamble lines
    quilt or diff put before it), None when the body holds none."""
    m = _HEADER_AT.search(text)
    if m is None:
        return None
    start = m.start()
    while start > 0:
        prev = text.rfind("\n", 0, start - 1) + 1
        if not _PREAMBLE.match(text, prev):
            break
        start = prev
    return start


def has_diff(text: str) -> bool:
    """Whether a mail body carries a diff (git's or a traditional one)."""
    return _HEADER_AT.search(text) is not None


def _split_lines(text: str) -> list[str]:
    """Lines with their newline; only \n ends a line (a form feed in C source does not)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def parse_diff(text: str, *, source: str = "<patch>", first_line: int = 1) -> tuple[tuple[FileChange, ...], str]:
    """Parse the diff at the start of ``text``; return its file changes and what follows it.

    ``text`` must begin with a file header (``diff --git``, or ``--- ``/``+++ ``
    and the lines quilt puts before it, ``diff_start``); what follows the diff
    (a ``base-commit:`` footer, the ``-- `` signature) is returned untouched.
    """
    lines = _split_lines(text)
    walker = _Walker(lines, source, first_line)
    pv = _PValue()
    changes = []
    for start, header, end, kind in walker.sections():
        section = "".join(lines[start:end])
        offset = len("".join(lines[start:header]))
        if kind == "git":
            changes.append(_file_change(section, offset, source, first_line + start))
        else:
            changes.append(_traditional_change(section, offset, pv, source, first_line + start))
    return tuple(changes), "".join(lines[walker.pos:])
