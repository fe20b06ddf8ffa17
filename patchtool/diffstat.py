"""Diffstats: by file (the series' net change), by patch, and by MAINTAINERS subsystem.

The by-file stat is git's own ``diff --stat --summary`` between the base
tree and the tree the applier produced, so it is byte-identical to what
``git format-patch --cover-letter`` and ``git diff --stat`` print: the
width rules, ``{a => b}`` renames, ``Bin X -> Y bytes`` and the summary
lines are git's, not a re-implementation.  Without a repository the stat
is summed from the patches' own counts, which is not the net change and
says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from patchtool.gitrepo import GitRepo
from patchtool.maintainers import Maintainers
from patchtool.model import Patch

# git format-patch writes stats MAIL_DEFAULT_WRAP (72) columns wide.
DEFAULT_WIDTH = 72


@dataclass(frozen=True)
class StatOptions:
    """``--stat`` widths, as format-patch takes them."""

    width: int = DEFAULT_WIDTH
    graph_width: int | None = None
    name_width: int | None = None

    def args(self) -> list[str]:
        spec = f"--stat={self.width}"
        if self.name_width is not None:
            spec += f",{self.name_width}"
        args = [spec]
        if self.graph_width is not None:
            args.append(f"--stat-graph-width={self.graph_width}")
        return args

    @classmethod
    def from_render(cls, render: dict[str, object] | None, **overrides: int | None) -> StatOptions:
        """Options from a series' ``[render]`` table, command-line values winning."""
        render = render or {}

        def pick(key: str, toml_key: str, default: int | None) -> int | None:
            value = overrides.get(key)
            if value is not None:
                return value
            got = render.get(toml_key, default)
            return int(got) if isinstance(got, int) else default

        return cls(
            width=pick("width", "stat-width", DEFAULT_WIDTH) or DEFAULT_WIDTH,
            graph_width=pick("graph_width", "stat-graph-width", None),
            name_width=pick("name_width", "stat-name-width", None),
        )


@dataclass(frozen=True)
class FileCount:
    """One file's insertions and deletions (``git diff --numstat``)."""

    path: str
    old_path: str | None
    insertions: int
    deletions: int
    binary: bool


def file_stat(store: GitRepo, old_tree: str, new_tree: str, options: StatOptions | None = None) -> str:
    """git's ``diff --stat --summary OLD NEW`` text (with a trailing newline)."""
    options = options or StatOptions()
    return store.text("diff", "--no-ext-diff", "--no-color", "-M", *options.args(), "--summary",
                      old_tree, new_tree)


def file_counts(store: GitRepo, old_tree: str, new_tree: str) -> tuple[FileCount, ...]:
    """Per-file net counts from ``git diff --numstat -z`` (renames resolved)."""
    out = store.run("diff", "--no-ext-diff", "-M", "--numstat", "-z", old_tree, new_tree)
    fields = out.decode("utf-8", "surrogateescape").split("\x00")
    counts: list[FileCount] = []
    i = 0
    while i < len(fields) and fields[i]:
        added, deleted, path = fields[i].split("\t", 2)
        old_path = None
        if path == "":  # rename: "added\tdeleted\t\0old\0new"
            old_path, path = fields[i + 1], fields[i + 2]
            i += 3
        else:
            i += 1
        binary = added == "-"
        counts.append(FileCount(path, old_path, 0 if binary else int(added),
                                0 if binary else int(deleted), binary))
    return tuple(counts)


def summed_counts(patches: Sequence[Patch]) -> tuple[FileCount, ...]:
    """Counts summed over the patches' own diffs: the fallback without a repository.

    Lines a later patch rewrites are counted twice, so this is not the net
    change; callers must say so.
    """
    totals: dict[str, list[int]] = {}
    binary: set[str] = set()
    for patch in patches:
        for change in patch.files:
            entry = totals.setdefault(change.path, [0, 0])
            entry[0] += change.added
            entry[1] += change.removed
            if change.binary:
                binary.add(change.path)
    return tuple(FileCount(p, None, a, d, p in binary) for p, (a, d) in sorted(totals.items()))


# -- the series as a whole -----------------------------------------------------------


@dataclass(frozen=True)
class PatchStat:
    """One patch's diffstat, as format-patch prints it under the ``---``."""

    number: int
    subject: str
    stat: str


@dataclass(frozen=True)
class SubsystemRow:
    """One MAINTAINERS section (or top-level folder) and what the series changes in it."""

    name: str
    files: tuple[str, ...]
    insertions: int
    deletions: int


@dataclass(frozen=True)
class FileSections:
    """The MAINTAINERS sections owning one file of the series."""

    path: str
    sections: tuple[str, ...]  # every matching section, most specific first
    most_specific: str | None


@dataclass(frozen=True)
class SeriesStat:
    """The series' stats on one base; ``failed`` names the first patch that did not apply."""

    base: str
    commit: str
    by_file: str
    counts: tuple[FileCount, ...]
    per_patch: tuple[PatchStat, ...]
    failed: int | None = None


def series_stat(
    repo: GitRepo,
    patches: Sequence[Patch],
    base: str,
    options: StatOptions,
    *,
    text: bool = True,
    per_patch: bool = True,
) -> SeriesStat:
    """Apply the series on ``base`` in a scratch store and let git count the net change.

    ``text`` / ``per_patch``: whether to ask git for the by-file text and
    each patch's stat (one process each); the net counts always come.
    """
    from patchtool.apply import apply_series

    with repo.scratch() as store:
        result = apply_series(store, base, patches)
        failed = next((p.number for p in result.patches if not p.applies), None)
        if failed is not None:
            return SeriesStat(base, result.commit, "", (), (), failed)
        stats = []
        before = result.base_tree
        for applied in result.patches if per_patch else ():
            stats.append(PatchStat(applied.number, applied.patch.subject.summary,
                                   file_stat(store, before, applied.tree, options)))
            before = applied.tree
        tip = result.result_tree or result.base_tree
        return SeriesStat(
            base=base,
            commit=result.commit,
            by_file=file_stat(store, result.base_tree, tip, options) if text else "",
            counts=file_counts(store, result.base_tree, tip),
            per_patch=tuple(stats),
        )


def file_sections(counts: Sequence[FileCount], maintainers: Maintainers | None) -> tuple[FileSections, ...]:
    """Each changed file's MAINTAINERS sections; top-level folders when there is no MAINTAINERS."""
    if maintainers is None:
        return tuple(
            FileSections(c.path, (top,), top)
            for c in counts
            for top in [c.path.split("/", 1)[0] + "/" if "/" in c.path else "(top level)"]
        )
    out = []
    for c in counts:
        names = tuple(m.section.name for m in maintainers.sections_for(c.path))
        out.append(FileSections(c.path, names, names[0] if names else None))
    return tuple(out)


def by_subsystem(
    counts: Sequence[FileCount], sections: Sequence[FileSections], *, all_sections: bool = False
) -> tuple[SubsystemRow, ...]:
    """Group the net counts by section: each file in its most specific one, or in all of them."""
    rows: dict[str, list] = {}
    for count, owner in zip(counts, sections, strict=True):
        names = owner.sections if all_sections else (owner.most_specific,)
        for name in names or ("(no section)",):
            row = rows.setdefault(name or "(no section)", [[], 0, 0])
            row[0].append(count.path)
            row[1] += count.insertions
            row[2] += count.deletions
    ordered = sorted(rows.items(), key=lambda kv: (-(kv[1][1] + kv[1][2]), kv[0]))
    return tuple(SubsystemRow(name, tuple(files), ins, dels) for name, (files, ins, dels) in ordered)


def subsystem_table(rows: Sequence[SubsystemRow], counts: Sequence[FileCount], width: int = DEFAULT_WIDTH) -> str:
    """A stat-like table: section, files, +/-, a bar scaled the way git scales its graph, a total line."""
    if not rows:
        return " 0 files changed\n"
    name_width = max(len(r.name) for r in rows)
    totals = [r.insertions + r.deletions for r in rows]
    num_width = len(str(max(totals)))
    files_width = len(str(max(len(r.files) for r in rows)))
    graph = max(width - name_width - num_width - files_width - 12, 6)
    biggest = max(totals) or 1
    lines = []
    for row, total in zip(rows, totals, strict=True):
        add, dele = _scaled(row.insertions, row.deletions, biggest, graph)
        files = f"{len(row.files):>{files_width}} file{'s' if len(row.files) != 1 else ' '}"
        lines.append(f" {row.name:<{name_width}} | {files} | {total:>{num_width}} {'+' * add}{'-' * dele}")
    ins = sum(c.insertions for c in counts)
    dels = sum(c.deletions for c in counts)
    lines.append(f" {len(rows)} section{'s' if len(rows) != 1 else ''}, {len(counts)} file"
                 f"{'s' if len(counts) != 1 else ''} changed, {ins} insertion{'s' if ins != 1 else ''}(+), "
                 f"{dels} deletion{'s' if dels != 1 else ''}(-)")
    return "\n".join(lines) + "\n"


def _scaled(add: int, dele: int, biggest: int, width: int) -> tuple[int, int]:
    """git's scale_linear: non-zero counts get at least one column."""
    if biggest <= width:
        return add, dele
    total = add + dele
    scaled_total = _scale(total, width, biggest)
    scaled_add = _scale(add, width, biggest)
    if scaled_add >= scaled_total and dele:
        scaled_add = scaled_total - 1
    return scaled_add, scaled_total - scaled_add


def _scale(value: int, width: int, biggest: int) -> int:
    if value == 0:
        return 0
    return 1 + (value * (width - 1) // biggest)
