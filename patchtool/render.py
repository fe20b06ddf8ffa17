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
