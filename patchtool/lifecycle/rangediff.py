"""Two versions of a series compared with ``git range-diff``, each applied on its own base.

Neither version needs to exist as commits: each is applied in a scratch
object store and committed there (author, date and message from its
patches), and git itself pairs and compares the two ranges.
"""

from __future__ import annotations

from pathlib import Path

from patchtool.apply import apply_series, make_commits
from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.model import Series
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


def range_diff(repo: GitRepo, old: Series, new: Series, *, extra_args: tuple[str, ...] = ()) -> str:
    """``git range-diff`` of ``old`` against ``new``, each on its own base (``base-commit``, else ``base``)."""
    with repo.scratch() as store:
        ranges = []
        for series in (old, new):
            base = series.base_commit if series.base_commit and repo.has_object(series.base_commit) else series.base
            if not base:
                raise BadInput(f"v{series.version} of {series.name} names no base")
            result = apply_series(store, base, series.patches)
            if not result.applies:
                failed = next(p.number for p in result.patches if not p.applies)
                raise BadInput(f"v{series.version}: patch {failed}/{series.total} does not apply on {base} "
                               "(see patchtool check)")
            tips = make_commits(store, series.patches, result)
            ranges.append(f"{result.commit}..{tips[-1]}")
        return store.text("range-diff", "--no-color", *extra_args, *ranges)
