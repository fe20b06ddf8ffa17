"""File names in diff headers, read as git apply reads them (apply.c, git 2.39).

``unquote_path`` undoes git's C quoting; ``git_header_name`` is the one
name a ``diff --git`` line gives twice; ``name_traditional``,
``guess_p`` and ``epoch`` read the ``---``/``+++`` lines of diffs not made
by git (find_name_traditional with diff_timestamp_len, guess_p_value,
has_epoch_timestamp).  Every loop over a name is a regex or a str.find: a
hostile name may be megabytes long.
"""

from __future__ import annotations

import re

GIT_SPACE = " \t\n\r"  # git's isspace() (sane_ctype)
_EPOCH = re.compile(r"[0-2][0-9]:([0-5][0-9]):00(?:\.0+)? ([-+])([0-2][0-9]):?([0-5][0-9])$")
_C_ESCAPE = re.compile(rb"\\(?:([0-7]{3})|(.)|\Z)", re.DOTALL)
QUOTED = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)  # a C-quoted name at the start of a line
NAME_END = re.compile(r"[\t\r\n]")
_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def unquote_path(text: str) -> str:
    """git's C-style quoted path (``"a/\\303\\244.c"``) -> the path itself (ValueError: a bad escape)."""
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        return text

    def one(m: re.Match[bytes]) -> bytes:
        if m[1] and int(m[1], 8) < 256:
            return bytes([int(m[1], 8)])
        if m[2] and (c := m[2].decode("latin-1")) in _C_ESCAPES:
            return bytes([_C_ESCAPES[c]])
        raise ValueError(f"bad escape in quoted path {text[:80]}")

    # By regex, not a loop over characters: a name may be megabytes long.
    return _C_ESCAPE.sub(one, text[1:-1].encode("utf-8", "surrogateescape")).decode("utf-8", "surrogateescape")


def _tree_prefix(name: str) -> int | None:
    """apply.c's skip_tree_prefix with -p1: where the name starts after its first component."""
    slash = name.find("/")
    return slash + 1 if slash > 0 else None


def _quoted_name(text: str) -> tuple[str, int] | None:
    """The C-quoted name at the start of ``text`` and where it ends, None if it is not one."""
    m = QUOTED.match(text)
    if m is None:
        return None
    try:
        return unquote_path(m[0]), m.end()
    except ValueError:
        return None


def git_header_name(line: str) -> str | None:
    """apply.c's git_header_name (-p1): the one name a ``diff --git`` line gives twice, or None.

    ``line`` is what follows ``diff --git `` up to the end of the line.
    Only the same name under both prefixes counts (a rename's names are in
    its ``rename from/to`` lines); a line that holds one name -- wrapped by
    a mail client -- gives None.
    """
    if line.startswith('"'):
        first = _quoted_name(line)
        if first is None or (cp := _tree_prefix(first[0])) is None:
            return None
        name, rest = first[0][cp:], line[first[1]:].lstrip(GIT_SPACE)
        if not rest.startswith('"'):
            return None  # git compares the unquoted rest with its newline: never equal
        second = _quoted_name(rest)
        if second is None or (cp := _tree_prefix(second[0])) is None or second[0][cp:] != name:
            return None
        return name
    cp = _tree_prefix(line)
    if cp is None:
        return None
    name = line[cp:]
    if (q := name.find('"')) >= 0:  # an unquoted first name: a quote starts the second
        second = _quoted_name(name[q:])
        if second is None or (np := _tree_prefix(second[0])) is None:
            return None
        other = second[0][np:]
        return other if len(other) < q and name.startswith(other) and name[len(other)] in GIT_SPACE else None
    # The name twice, split at a space or tab: the first slash after the split starts the second name.
    # (By find, not by character: a line may be megabytes long.)
    slash = -1
    for m in re.finditer(r"[ \t]", name):
        at = m.start()
        if at + 1 >= len(name):
            return None
        if slash <= at:
            slash = name.find("/", at + 1)
        if slash < 0 or slash == at + 1:
            return None
        if len(name) - slash - 1 == at and name[slash + 1:] == name[:at]:
            return name[:at]
    return None


def is_dev_null(name: str) -> bool:
    return name.startswith("/dev/null") and (len(name) == 9 or name[9] in GIT_SPACE)


def _digits(text: str) -> bool:
    return bool(text) and all("0" <= c <= "9" for c in text)


def _tz_len(s: str, n: int) -> int:
    """apply.c's sane_tz_len, then tz_with_colon_len: `` +0200`` or `` +02:00`` ending ``s[:n]``."""
    if n >= 6 and s[n - 6] == " " and s[n - 5] in "+-" and _digits(s[n - 4:n]):
        return 6
    if n >= 7 and s[n - 7] == " " and s[n - 6] in "+-" and _digits(s[n - 5:n - 3]) and s[n - 3] == ":" \
            and _digits(s[n - 2:n]):
        return 7
    return 0


def _short_time_len(s: str, n: int) -> int:
    """`` 07:01:32`` ending ``s[:n]``."""
    t = s[n - 9:n] if n >= 9 else ""
    ok = len(t) == 9 and t[0] == " " and _digits(t[1:3]) and t[3] == ":" and _digits(t[4:6]) \
        and t[6] == ":" and _digits(t[7:9])
    return 9 if ok else 0


def _time_len(s: str, n: int) -> int:
    """short_time_len, then fractional_time_len (`` 19:41:17.620000023``)."""
    if k := _short_time_len(s, n):
        return k
    head = s[:n]
    digits = len(head) - len(head.rstrip("0123456789"))  # not a loop: a run of digits may be megabytes
    p = n - 1 - digits
    if not digits or p < 0 or s[p] != ".":
        return 0
    k = _short_time_len(s, p)
    return n - p + k if k else 0


def _date_len(s: str, n: int) -> int:
    """``72-02-05`` or ``1972-02-05`` ending ``s[:n]``."""
    d = n - 8
    t = s[d:n] if d >= 0 else ""
    if not (len(t) == 8 and _digits(t[0:2]) and t[2] == "-" and _digits(t[3:5]) and t[5] == "-"
            and _digits(t[6:8])):
        return 0
    if d >= 2 and _digits(s[d - 2:d]):
        d -= 2
    return n - d


def _timestamp_len(s: str) -> int:
    """apply.c's diff_timestamp_len: how much of a ---/+++ name line is the date after the name."""
    n = len(s)
    if not n or not _digits(s[-1]):
        return 0
    end = n - _tz_len(s, n)
    end -= _time_len(s, end)
    k = _date_len(s, end)
    if not k:
        return 0
    end -= k
    if end == 0:
        return 0
    if s[end - 1] == "\t":
        return n - end + 1
    if s[end - 1] != " ":
        return 0
    while end > 0 and s[end - 1] == " ":  # whitespace damage: spaces where the tab was
        end -= 1
    return n - end


def _quoted_prefix(s: str) -> str | None:
    """The C-quoted name at the start of ``s`` (unquote_c_style), None if it is not one."""
    m = QUOTED.match(s)
    if m is None:
        return None
    try:
        return unquote_path(m[0])
    except ValueError:
        return None


def name_traditional(s: str, default: str | None, p: int) -> str | None:
    """apply.c's find_name_traditional: the path a ``--- ``/``+++ `` line names, ``p`` components off."""
    if s.startswith('"') and (name := _quoted_prefix(s)) is not None:
        parts = name.split("/")
        if len(parts) > p:
            return re.sub("/+", "/", "/".join(parts[p:]))
    date = _timestamp_len(s)
    end = len(s) - date
    # Without a date the name ends at a tab (or \r); spaces are part of it.
    stop = m.start() if not date and (m := NAME_END.search(s, 0, end)) else end
    start: int | None = 0 if p == 0 else None
    at = -1
    for _ in range(max(p, 0)):  # after the p-th slash (str.find: the line may be megabytes long)
        at = s.find("/", at + 1, stop)
        if at < 0:
            break
    else:
        start = at + 1 if p > 0 else start
    i = stop
    if start is None or i == start:
        name = default
    else:
        name = s[start:i]
        # git prefers the shorter name when the other only adds to it (file.orig, file~).
        if default is not None and len(default) < len(name) and name.startswith(default):
            name = default
    return re.sub("/+", "/", name) if name is not None else None


def guess_p(s: str) -> int:
    """apply.c's guess_p_value at the top of the tree: 0 for a name without a slash, else unknown."""
    if is_dev_null(s):
        return -1
    name = name_traditional(s, None, 0)
    return -1 if name is None or "/" in name else 0


def epoch(s: str) -> bool:
    """has_epoch_timestamp: GNU diff's 1970-01-01 00:00:00 +0000 (in any zone) for a missing file."""
    tab = s.rfind("\t")
    if tab < 0:
        return False
    stamp = s[tab + 1:]
    if stamp.startswith("1969-12-31 "):
        epoch_hour = 24
    elif stamp.startswith("1970-01-01 "):
        epoch_hour = 0
    else:
        return False
    m = _EPOCH.match(stamp[11:])
    if not m:
        return False
    zone = int(m.group(3)) * 60 + int(m.group(4))
    zone = -zone if m.group(2) == "-" else zone
    return int(stamp[11:13]) * 60 + int(m.group(1)) - zone == epoch_hour * 60
