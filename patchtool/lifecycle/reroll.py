"""Re-rolling a series: the posted version goes to ``history/vN``, the series becomes vN+1.

What b4 and maintainers do by hand: keep what was posted (so range-diff
and the next cover letter can refer to it), record the link to the
posting when its Message-Id is known, and open an empty change-log entry
for the new version.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from patchtool.model import Cover, Series
from patchtool.seriesdir import read_series, write_series

LORE = "https://lore.kernel.org/r/"


def reroll(folder: Path, *, rfc: bool | None = None) -> Series:
    """Archive the current version under history/vN and write vN+1; returns the new series."""
    series = read_series(folder)
    rerolled = next_version(series, rfc=rfc)
    write_series(rerolled, folder, archive_as=f"v{series.version}")
    return rerolled


def next_version(series: Series, *, rfc: bool | None = None) -> Series:
    """``series`` as vN+1, not written: the link to vN's posting, an open change-log entry."""
    old, new = series.version, series.version + 1
    links = dict(series.links)
    if old not in links and series.cover.message_id:
        links[old] = LORE + series.cover.message_id.strip("<>")
    changes = dict(series.changes)
    changes.setdefault(new, "")
    rerolled = replace(
        series,
        version=new,
        rfc=series.rfc if rfc is None else rfc,
        links=MappingProxyType(links),
        changes=MappingProxyType(changes),
        # The new version has not been posted: its date and Message-Id are to come.
        cover=Cover(prose=series.cover.prose, author=series.cover.author),
    )
    return rerolled
