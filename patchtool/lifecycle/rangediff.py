"""Two versions of a series compared with ``git range-diff``, each applied on its own base.

Neither version needs to exist as commits: each is applied in a scratch
object store and committed there (author, date and message from its
patches), and git itself pairs and compares the two ranges.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from patchtool.apply import apply_series, make_commits
from patchtool.apply.trees import EMPTY_TREE, Trees
from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.model import ChangeKind, Patch, Series
from patchtool.seriesdir import read_series


def series_version(folder: Path, version: int | None) -> Series:
    """The series as it is (``None`` or its current version), or ``history/vN``."""
    current = read_series(folder)
    if version is None or version == current.version:
        return current
    kept = folder / "history" / f"v{version}"
    if not (kept / "series.toml").is_file():
        have = sorted(p.name for p in (folder / "history").iterdir()) if (folder / "history").is_dir() else []
        raise BadInput(f"no version {version} in history/ (have: {', '.join(have) or 'none'})", source=str(folder))
    return read_series(kept)


def previous_version(folder: Path, current: int) -> int:
    """The newest version kept in history/ below ``current``."""
    kept = sorted(int(p.name[1:]) for p in (folder / "history").glob("v*") if p.name[1:].isdigit()) \
        if (folder / "history").is_dir() else []
    older = [v for v in kept if v < current]
    if not older:
        raise BadInput("no earlier version in history/ to compare with (see patchtool reroll)", source=str(folder))
    return older[-1]


def against_previous(repo: GitRepo, folder: Path, series: Series) -> str:
    """The ``Range-diff against vN:`` text of a cover: ``series`` against the newest version kept in history/."""
    return range_diff(repo, series_version(folder, previous_version(folder, series.version)), series)


@dataclass(frozen=True)
class Comparison:
    """The range-diff text and, per version not compared on its own base, how it was placed."""

    text: str
    notes: tuple[str, ...] = ()


def range_diff(repo: GitRepo, old: Series, new: Series, *, extra_args: tuple[str, ...] = ()) -> str:
    """``git range-diff`` of ``old`` against ``new``, each on its own base (``base-commit``, else ``base``)."""
    return compare_versions(repo, old, new, extra_args=extra_args).text


def compare_versions(repo: GitRepo, old: Series, new: Series, *, extra_args: tuple[str, ...] = ()) -> Comparison:
    """Both versions as commits in a scratch store, compared by ``git range-diff``.

    A version whose base the repository lacks (posted on another tree) is
    applied on a tree made of its patches' pre-image blobs, as b4's fake-am
    does: the commits' diffs are the patches', which is all range-diff
    compares.  When the repository lacks those blobs too, the patches' diffs
    are compared one by one (``per_patch_comparison``), and the notes say so.
    """
    notes: list[str] = []
    with repo.scratch() as store:
        ranges = []
        for series in (old, new):
            placed = _commits(repo, store, series)
            if placed is None:
                notes.append(f"v{series.version}: its base is not in the repository, nor are the blobs its "
                             "patches apply to: the patches' diffs were compared one by one")
                return Comparison(per_patch_comparison(old, new), tuple(notes))
            span, note = placed
            ranges.append(span)
            if note:
                notes.append(note)
        return Comparison(store.text("range-diff", "--no-color", *extra_args, *ranges), tuple(notes))


def _base_of(repo: GitRepo, series: Series) -> str | None:
    for ref in (series.base_commit, series.base):
        if ref and repo.try_resolve(ref) is not None:
            return ref
    return None


def _commits(repo: GitRepo, store: GitRepo, series: Series) -> tuple[str, str] | None:
    """``base..tip`` of the version committed in ``store``, and a note when not on its own base."""
    base = _base_of(repo, series)
    note = ""
    if base is None:
        if not (series.base or series.base_commit):
            note = f"v{series.version} names no base"
        else:
            note = f"v{series.version}: base {series.base or series.base_commit} is not in the repository"
        base = _preimage_commit(store, series)
        if base is None:
            return None
        note += ": applied on a tree of its patches' pre-image blobs"
    result = apply_series(store, base, series.patches)
    if not result.applies:
        if note:
            return None
        failed = next(p.number for p in result.patches if not p.applies)
        raise BadInput(f"v{series.version}: patch {failed}/{series.total} does not apply on {base} "
                       "(see patchtool check)")
    tips = make_commits(store, series.patches, result)
    return f"{result.commit}..{tips[-1]}", note


def _preimage_commit(store: GitRepo, series: Series) -> str | None:
    """A root commit whose tree holds, for every file the series reads, the blob its first patch applies to."""
    entries: dict[str, tuple[str, str]] = {}
    made: set[str] = set()
    for patch in series.patches:
        for fc in patch.files:
            path = fc.old_path
            if fc.kind is not ChangeKind.ADD and path is not None and path not in entries and path not in made:
                if not fc.old_blob or set(fc.old_blob) == {"0"}:
                    return None
                entries[path] = (fc.old_mode or "100644", fc.old_blob)
            made.update(p for p in (fc.new_path,) if p is not None and p not in entries)
    found = store.read_objects(f"{oid}^{{blob}}" for _, oid in entries.values())
    if any(f"{oid}^{{blob}}" not in found for _, oid in entries.values()):
        return None
    trees = Trees(store, EMPTY_TREE)
    trees.dirs[""] = {}
    for path, (mode, oid) in sorted(entries.items()):
        trees.set(path, (mode, found[f"{oid}^{{blob}}"][0]))
    tree = trees.flush()
    trees.write()
    return store.commit_tree(tree, (), f"pre-image of {series.name} v{series.version}\n")


def per_patch_comparison(old: Series, new: Series) -> str:
    """range-diff's layout for two versions that cannot be committed: patches paired by subject, then
    by position where both touch the same files; ``=`` same diff and message, ``!`` changed (the diff
    of the two patches' texts), ``<`` dropped, ``>`` new."""
    pairs = _pair(old, new)
    width = len(str(max(old.total, new.total, 1)))
    out: list[str] = []
    for o, n in pairs:
        left = f"{o + 1:>{width}}:  -------" if o is not None else f"{'-':>{width}}:  -------"
        right = f"{n + 1:>{width}}:  -------" if n is not None else f"{'-':>{width}}:  -------"
        if o is not None and n is not None:
            a, b = _text(old.patches[o]), _text(new.patches[n])
            mark = "=" if a == b else "!"
            out.append(f"{left} {mark} {right} {new.patches[n].subject.summary}\n")
            if a != b:
                diff = difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=3)
                out.extend(f"    {line}\n".rstrip(" \n") + "\n" for line in list(diff)[2:])
                out.append("\n")
        elif o is not None:
            out.append(f"{left} < {right} {old.patches[o].subject.summary}\n")
        elif n is not None:
            out.append(f"{left} > {right} {new.patches[n].subject.summary}\n")
    return "".join(out)


def _text(patch: Patch) -> str:
    # As range-diff: blob ids are not part of a patch's content (they differ whenever a base does).
    diff = "".join(line for line in patch.diff.splitlines(keepends=True) if not line.startswith("index "))
    return f"## Commit message ##\n{patch.message}\n## Diff ##\n{diff}"


def _pair(old: Series, new: Series) -> list[tuple[int | None, int | None]]:
    by_subject: dict[str, list[int]] = {}
    for i, p in enumerate(old.patches):
        by_subject.setdefault(p.subject.summary, []).append(i)
    matched: dict[int, int] = {}
    for j, p in enumerate(new.patches):
        if by_subject.get(p.subject.summary):
            matched[j] = by_subject[p.subject.summary].pop(0)
    free_old = [i for i in range(old.total) if i not in matched.values()]
    for j in range(min(old.total, new.total)):
        if j not in matched and j in free_old and set(old.patches[j].paths) == set(new.patches[j].paths):
            matched[j] = j
            free_old.remove(j)
    # range-diff.c's output(): unmatched old ones as soon as their predecessors were shown,
    # then unmatched new ones, then the next pair in the new order.
    match_of_old = {i: j for j, i in matched.items()}
    out: list[tuple[int | None, int | None]] = []
    shown: set[int] = set()
    i = j = 0
    while i < old.total or j < new.total:
        while i < old.total and i in shown:
            i += 1
        if i < old.total and i not in match_of_old:
            out.append((i, None))
            i += 1
            continue
        while j < new.total and j not in matched:
            out.append((None, j))
            j += 1
        if j < new.total:
            out.append((matched[j], j))
            shown.add(matched[j])
            j += 1
    return out
