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
from patchtool.model import Patch

# git format-patch writes stats MAIL_DEFAULT_WRAP (72) columns wide.
DEFAULT_WIDTH = 72


@dataclass(frozen=True)
class StatOptions:
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


def patch_stat(store: GitRepo, before_tree: str, after_tree: str, options: StatOptions | None = None) -> str:
    """One patch's stat as ``git format-patch`` prints it under ``---``."""
    return file_stat(store, before_tree, after_tree, options)


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
