"""Which patch of one version became which patch of the next: ``git range-diff``'s pairing, in Python.

git's range-diff.c (v2.39) keys each commit by its diff rewritten in a
form of its own (no line numbers, no ``index`` lines, `` ## path ##``
file headers, ``@@ path: function`` hunk headers), then

1. pairs diffs that are byte-identical (a hash map: for each new patch in
   order, the last-inserted old one with that diff, the chain order
   reversed by each rehash of git's hashmap.c),
2. pairs the rest by a minimum-cost assignment (linear-assignment.c, a
   Jonker-Volgenant solver ported here line for line, quirks included, so
   ties break as git breaks them): pairing two patches costs the lines of
   the ``-U3`` diff between their keyed diffs, leaving one unpaired costs
   its own line count times ``creation_factor`` / 100.

The keyed form is built here from the patches' own ``diff --git``
sections (format-patch and ``git log -p`` print the same diff); the cost
of a pair is the line count of git's own xdiff (``GitRepo.diff_line_counts``),
so no diff algorithm is re-implemented.  tests/test_update.py checks the
pairing against ``git range-diff`` on generated versions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from patchtool.gitrepo import GitRepo
from patchtool.model import ChangeKind, FileChange, Patch

CREATION_FACTOR = 60  # RANGE_DIFF_CREATION_FACTOR_DEFAULT
COST_MAX = 1 << 16  # linear-assignment.h
_INT_MAX = 2**31 - 1
_EXTENDED = ("old mode ", "new mode ", "deleted file mode ", "new file mode ", "copy from ", "copy to ",
             "rename old ", "rename new ", "rename from ", "rename to ", "similarity index ",
             "dissimilarity index ", "index ", "--- ", "+++ ")


@dataclass(frozen=True)
class Pairing:
    """``old_to_new[i]`` is the new index paired with old patch ``i`` (or -1); ``new_to_old`` the reverse.

    ``exact`` marks the old patches paired by an identical keyed diff;
    ``order`` lists (old index or None, new index or None) in the order
    ``git range-diff`` prints its lines.
    """

    old_to_new: tuple[int, ...]
    new_to_old: tuple[int, ...]
    exact: tuple[bool, ...]
    order: tuple[tuple[int | None, int | None], ...]


# -- the keyed diff (read_patches) -------------------------------------------------------


def _file_header(change: FileChange) -> str:
    if change.kind is ChangeKind.ADD:
        text = f"{change.new_path} (new)"
    elif change.kind is ChangeKind.DELETE:
        text = f"{change.old_path} (deleted)"
    elif change.kind is ChangeKind.RENAME:
        text = f"{change.old_path} => {change.new_path}"
    else:  # git shows a copy (and a modification) by its new name
        text = f"{change.new_path}"
    old, new = change.old_mode, change.new_mode
    if change.kind not in (ChangeKind.ADD, ChangeKind.DELETE) and old and new and int(old, 8) != int(new, 8):
        text += f" (mode change {int(old, 8):06o} => {int(new, 8):06o})"
    return f" ## {text} ##"


def _quoted(path: str | None) -> str:
    """A path as git prints it in diff lines (quote_c_style, ``core.quotePath`` on)."""
    raw = (path or "").encode("utf-8", "surrogateescape")
    if not any(b < 0x20 or b >= 0x7f or b in b'"\\' for b in raw):
        return path or ""
    named = {7: "a", 8: "b", 9: "t", 10: "n", 11: "v", 12: "f", 13: "r", 34: '"', 92: "\\"}
    body = "".join(f"\\{named[b]}" if b in named else f"\\{b:03o}" if b < 0x20 or b >= 0x7f else chr(b)
                   for b in raw)
    return f'"{body}"'


def _binary_line(change: FileChange) -> str:
    """What ``git log -p --no-prefix`` (no ``--binary``, as range-diff runs it) prints for a binary change."""
    old = "/dev/null" if change.kind is ChangeKind.ADD else _quoted(change.old_path)
    new = "/dev/null" if change.kind is ChangeKind.DELETE else _quoted(change.new_path)
    return f" Binary files {old} and {new} differ"


def _file_lines(change: FileChange) -> list[str]:
    """One file section in range-diff's form, one entry per line git counts in ``diffsize``."""
    current = change.old_path if change.kind is ChangeKind.DELETE else change.new_path
    out = [_file_header(change)]
    lines = change.text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    pos = 1
    if not lines[0].startswith("diff --git "):
        # quilt's Index:/==== lines, or a diff -u section: git log -p (range-diff's input) would
        # print git's header here, which _file_header stands for; the hunks start at the first @@.
        pos = next((i for i, line in enumerate(lines) if line.startswith(("diff --git ", "@@"))), len(lines))
        if pos < len(lines) and lines[pos].startswith("diff --git "):
            pos += 1
    while pos < len(lines) and lines[pos].startswith(_EXTENDED):
        pos += 1  # parse_git_diff_header() consumes these
    in_binary = False
    for line in lines[pos:]:
        if line == "GIT binary patch" or (line.startswith("Binary files ") and line.endswith(" differ")):
            if not in_binary:
                out.append(_binary_line(change))
            in_binary = True
        elif in_binary:
            continue
        elif line.startswith("@@ "):
            rest = line[3:]
            at = rest.find("@@")
            tail = rest[at + 2:] if at >= 0 else ""
            out.append("@@" + (f" {current}:" if current and tail else "") + tail)
        elif line[:1] in ("+", "-"):
            out.append(line)
        elif line[:1] == " " or line == "":
            # A context line; an empty one is a context line whose space a mailer ate.
            out.append(" " + line[1:])
        else:  # "\ No newline at end of file" and anything else git prints as is
            out.append(" " + line)
    return out


def _metadata(patch: Patch) -> str:
    """The head of range-diff's text: with no diff, it is the whole key (``diff_offset`` stays 0)."""
    lines = [" ## Metadata ##", f"Author: {patch.author.name} <{patch.author.email}>", "", " ## Commit message ##"]
    for line in patch.message.rstrip("\n").split("\n"):
        text = line.rstrip(" \t\n\v\f\r")
        lines.append(f"    {text}" if text else "")
    return "\n".join(lines) + "\n"


def keyed_diff(patch: Patch) -> tuple[str, int]:
    """(range-diff's ``util->diff``, its ``util->diffsize``) for one patch."""
    if not patch.files:
        return _metadata(patch), 0
    sections = [_file_lines(change) for change in patch.files]
    text = "\n".join("\n".join(section) + "\n" for section in sections)
    # strcmp, strhash and xdiff's strlen stop at a NUL byte; so does the key.
    return text.split("\0", 1)[0], sum(len(section) for section in sections)


# -- step 1: identical diffs (find_exact_matches over hashmap.c) -------------------------------


def exact_matches(old: Sequence[str], new: Sequence[str]) -> tuple[list[int], list[int]]:
    """Pair identical keys as git's hashmap returns them: newest-added first, each rehash reversing."""
    old_match, new_match = [-1] * len(old), [-1] * len(new)
    chains: dict[str, list[int]] = {}
    size, table = 0, 64

    def resize(new_table: int) -> None:
        nonlocal table
        table = new_table
        for chain in chains.values():
            chain.reverse()

    def shrink_at() -> int:
        return 0 if table <= 64 else (table * 80 // 100) // 5

    for i, key in enumerate(old):
        chains.setdefault(key, []).insert(0, i)
        size += 1
        if size > table * 80 // 100:
            resize(table << 2)
    for j, key in enumerate(new):
        chain = chains.get(key)
        if not chain:
            continue
        i = chain.pop(0)
        size -= 1
        if size < shrink_at():
            resize(table >> 2)
        old_match[i], new_match[j] = j, i
    return old_match, new_match


# -- step 2: the cheapest assignment (get_correspondences, compute_assignment) ------------------


def compute_assignment(columns: int, rows: int, cost: Sequence[int]) -> tuple[list[int], list[int]]:
    """linear-assignment.c's ``compute_assignment``: (column -> row, row -> column).

    The cost of column ``j`` on row ``i`` is ``cost[j + columns * i]``.  A
    line-for-line port: the order of the scans decides ties, and git's
    pairing is what its own code gives, so nothing here is "improved".
    """
    def c(j: int, i: int) -> int:
        return cost[j + columns * i]

    if columns < 2:
        return [0] * columns, [0] * rows
    col2row, row2col = [-1] * columns, [-1] * rows
    v = [0] * columns
    for j in range(columns - 1, -1, -1):  # column reduction
        i1 = 0
        for i in range(1, rows):
            if c(j, i1) > c(j, i):
                i1 = i
        v[j] = c(j, i1)
        if row2col[i1] == -1:
            row2col[i1], col2row[j] = j, i1
        else:
            if row2col[i1] >= 0:
                row2col[i1] = -2 - row2col[i1]
            col2row[j] = -1
    free_row = [0] * rows  # reduction transfer
    free_count = 0
    for i in range(rows):
        j1 = row2col[i]
        if j1 == -1:
            free_row[free_count] = i
            free_count += 1
        elif j1 < -1:
            row2col[i] = -2 - j1
        else:
            other = 1 if j1 == 0 else 0
            low_cost = c(other, i) - v[other]
            for j in range(1, columns):
                if j != j1 and low_cost > c(j, i) - v[j]:
                    low_cost = c(j, i) - v[j]
            v[j1] -= low_cost
    if free_count == (rows - columns if columns < rows else 0):
        return col2row, row2col
    free_count = _augmenting_row_reduction(columns, c, v, col2row, row2col, free_row, free_count)
    _augment(columns, c, v, col2row, row2col, free_row[:free_count])
    return col2row, row2col


def _augmenting_row_reduction(columns: int, c: Callable[[int, int], int], v: list[int], col2row: list[int],
                              row2col: list[int], free_row: list[int], free_count: int) -> int:
    for _phase in range(2):
        k, saved, free_count = 0, free_count, 0
        while k < saved:
            i = free_row[k]
            k += 1
            j1, j2 = 0, -1
            u1, u2 = c(0, i) - v[0], _INT_MAX
            for j in range(1, columns):
                cj = c(j, i) - v[j]
                if u2 > cj:
                    if u1 < cj:
                        u2, j2 = cj, j
                    else:
                        u2, u1, j2, j1 = u1, cj, j1, j
            if j2 < 0:
                j2, u2 = j1, u1
            i0 = col2row[j1]
            if u1 < u2:
                v[j1] -= u2 - u1
            elif i0 >= 0:
                j1 = j2
                i0 = col2row[j1]
            if i0 >= 0:
                if u1 < u2:
                    k -= 1
                    free_row[k] = i0
                else:
                    free_row[free_count] = i0
                    free_count += 1
            row2col[i], col2row[j1] = j1, i
    return free_count


def _augment(columns: int, c: Callable[[int, int], int], v: list[int], col2row: list[int], row2col: list[int],
             free_rows: Sequence[int]) -> None:
    d, pred, col = [0] * columns, [0] * columns, [0] * columns
    for i1 in free_rows:
        low = up = 0
        for j in range(columns):
            d[j], pred[j], col[j] = c(j, i1) - v[j], i1, j
        j = -1
        found = False
        while not found:
            last = low
            least = d[col[up]]
            up += 1
            for k in range(up, columns):
                j = col[k]
                cj = d[j]
                if cj <= least:
                    if cj < least:
                        up, least = low, cj
                    col[k] = col[up]
                    col[up] = j
                    up += 1
            # git jumps to "update" here with j as the loop above left it, not col[k]: kept as is.
            found = any(col2row[col[k]] == -1 for k in range(low, up))
            while not found:  # scan a row
                j1 = col[low]
                low += 1
                i = col2row[j1]
                u1 = c(j1, i) - v[j1] - least
                for k in range(up, columns):
                    j = col[k]
                    cj = c(j, i) - v[j] - u1
                    if cj < d[j]:
                        d[j], pred[j] = cj, i
                        if cj == least:
                            if col2row[j] == -1:
                                found = True
                                break
                            col[k] = col[up]
                            col[up] = j
                            up += 1
                if low == up:
                    break
        for k in range(last):
            j1 = col[k]
            v[j1] += d[j1] - least
        while True:
            if j < 0:
                raise RuntimeError(f"range-diff assignment: negative column {j}")
            i = pred[j]
            col2row[j] = i
            j, row2col[i] = row2col[i], j
            if i == i1:
                break


def correspondences(old: Sequence[tuple[str, int]], new: Sequence[tuple[str, int]],
                    line_counts: Callable[[Sequence[tuple[str, str]]], list[int]],
                    *, creation_factor: int = CREATION_FACTOR) -> Pairing:
    """git range-diff's pairing of keyed diffs ``(text, size)``; ``line_counts`` diffs the candidate pairs."""
    old_match, new_match = exact_matches([t for t, _ in old], [t for t, _ in new])
    exact = tuple(m >= 0 for m in old_match)
    na, nb = len(old), len(new)
    n = na + nb
    candidates = [(i, j) for i in range(na) if old_match[i] < 0 for j in range(nb) if new_match[j] < 0]
    sizes = dict(zip(candidates, line_counts([(old[i][0], new[j][0]) for i, j in candidates]), strict=True))
    cost = [0] * (n * n)
    for i in range(na):
        for j in range(nb):
            cost[i + n * j] = 0 if old_match[i] == j else sizes.get((i, j), COST_MAX)
        alone = old[i][1] * creation_factor // 100 if old_match[i] < 0 else COST_MAX
        for j in range(nb, n):
            cost[i + n * j] = alone
    for j in range(nb):
        alone = new[j][1] * creation_factor // 100 if new_match[j] < 0 else COST_MAX
        for i in range(na, n):
            cost[i + n * j] = alone
    a2b, _ = compute_assignment(n, n, cost)
    for i in range(na):
        if 0 <= a2b[i] < nb:
            old_match[i], new_match[a2b[i]] = a2b[i], i
    return Pairing(tuple(old_match), tuple(new_match), exact, output_order(old_match, new_match))


def output_order(old_match: Sequence[int], new_match: Sequence[int]) -> tuple[tuple[int | None, int | None], ...]:
    """range-diff's ``output()`` order: the new side's, each dropped patch once its predecessors are shown."""
    na, nb = len(old_match), len(new_match)
    shown = [False] * na
    order: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < na or j < nb:
        while i < na and shown[i]:
            i += 1
        if i < na and old_match[i] < 0:
            order.append((i, None))
            i += 1
            continue
        while j < nb and new_match[j] < 0:
            order.append((None, j))
            j += 1
        if j < nb:
            shown[new_match[j]] = True
            order.append((new_match[j], j))
            j += 1
        elif i < na and not shown[i]:  # git would spin here; only a broken assignment gets here
            order.append((i, None))
            i += 1
    return tuple(order)


def pair_patches(old: Sequence[Patch], new: Sequence[Patch], *,
                 creation_factor: int = CREATION_FACTOR) -> Pairing:
    """Pair two versions' patches as ``git range-diff`` pairs their commits."""
    return correspondences([keyed_diff(p) for p in old], [keyed_diff(p) for p in new],
                           GitRepo.diff_line_counts, creation_factor=creation_factor)
