"""Results -> text for people and JSON (``"schema": 1``) for scripts.

The core returns dataclasses; only this module knows how they look.
"""

from __future__ import annotations

import json
from typing import Any

from patchtool.model import Patch, Series

SCHEMA = 1


def to_json(payload: dict[str, Any]) -> str:
    return json.dumps({"schema": SCHEMA, **payload}, indent=2, ensure_ascii=False)


def patch_json(number: int, patch: Patch) -> dict[str, Any]:
    return {
        "number": number,
        "subject": patch.subject.summary,
        "author": {"name": patch.author.name, "email": patch.author.email},
        "date": patch.date,
        "commit": patch.commit,
        "files": [
            {"path": f.path, "old_path": f.old_path, "kind": f.kind.value, "binary": f.binary,
             "insertions": f.added, "deletions": f.removed}
            for f in patch.files
        ],
        "insertions": patch.added,
        "deletions": patch.removed,
        "trailers": [{"key": t.key, "value": t.value} for t in patch.trailers],
    }


def series_json(series: Series) -> dict[str, Any]:
    return {
        "series": series.name,
        "title": series.title,
        "version": series.version,
        "rfc": series.rfc,
        "prefix": series.prefix,
        "base": series.base,
        "base_commit": series.base_commit,
        "to": list(series.to),
        "cc": list(series.cc),
        "patches": [patch_json(n, p) for n, p in enumerate(series.patches, 1)],
    }


def show_text(series: Series) -> str:
    """One block per patch: number, subject, author, then its files with +/-."""
    total = series.total
    width = len(str(total))
    if series.title and total > 1:
        lines = [series.subject_for(0).render()]
    else:
        lines = [series.title or f"{series.name}: {total} patch{'es' if total != 1 else ''}"]
    if series.base or series.base_commit:
        base = series.base or ""
        commit = f" ({series.base_commit[:12]})" if series.base_commit else ""
        lines.append(f"base: {base}{commit}")
    lines.append("")
    for n, p in enumerate(series.patches, 1):
        lines.append(f"{n:>{width}}/{total} {p.subject.summary}")
        lines.append(f"{'':>{width * 2 + 1}} {p.author}  +{p.added}/-{p.removed}")
        for f in p.files:
            name = f"{f.old_path} => {f.new_path}" if f.old_path and f.new_path and f.old_path != f.new_path else f.path
            count = "Bin" if f.binary else f"+{f.added}/-{f.removed}"
            lines.append(f"{'':>{width * 2 + 1}}   {name}  {count}")
    return "\n".join(lines)


def diffstat_json(
    series: Series,
    stat: Any,
    counts: Any,
    sections: Any,
    by: str,
    *,
    all_sections: bool = False,
) -> dict[str, Any]:
    """``diffstat --json``: per file its counts and sections; per patch; per subsystem."""
    from patchtool.diffstat import by_subsystem

    owners = {s.path: s for s in sections}
    doc: dict[str, Any] = {
        "series": series.name,
        "version": series.version,
        "by": by,
        "net": stat is not None,
        "base": stat.base if stat else None,
        "commit": stat.commit if stat else None,
        "files": [
            {"path": c.path, "old_path": c.old_path, "insertions": c.insertions, "deletions": c.deletions,
             "binary": c.binary,
             "sections": list(owners[c.path].sections) if c.path in owners else [],
             "most_specific": owners[c.path].most_specific if c.path in owners else None}
            for c in counts
        ],
        "insertions": sum(c.insertions for c in counts),
        "deletions": sum(c.deletions for c in counts),
    }
    if stat is not None:
        doc["patches"] = [{"number": p.number, "subject": p.subject, "stat": p.stat} for p in stat.per_patch]
    if sections:
        doc["subsystems"] = [
            {"section": r.name, "files": list(r.files), "insertions": r.insertions, "deletions": r.deletions}
            for r in by_subsystem(counts, sections, all_sections=all_sections)
        ]
    return doc


def summed_stat_text(counts: Any) -> str:
    """A plain stat of summed counts (no repository, so not git's net stat)."""
    if not counts:
        return " 0 files changed\n"
    width = max(len(c.path) for c in counts)
    lines = [f" {c.path:<{width}} | {'Bin' if c.binary else c.insertions + c.deletions}" for c in counts]
    ins = sum(c.insertions for c in counts)
    dels = sum(c.deletions for c in counts)
    lines.append(f" {len(counts)} files changed, {ins} insertions(+), {dels} deletions(-) (summed per patch)")
    return "\n".join(lines) + "\n"
