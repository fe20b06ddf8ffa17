"""``patchtool status``: can I send the pull request?  Trailers per patch, acks per MAINTAINERS section.

Exit 0 when every touched section has what it needs, 1 when one waits for
an ack, 2 for bad input and when the answer needs a base the repository
does not have (the per-patch trailers are printed all the same).  The
rules live in ``patchtool.lifecycle.status``; the text and JSON shapes here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from patchtool.cli.app import app
from patchtool.cli.common import JsonOption, optional_repo, series_path

if TYPE_CHECKING:
    from patchtool.lifecycle.status import Coverage, SectionStatus, StatusReport

_VERB = {"acked-by": "acked by", "reviewed-by": "reviewed by"}


def _numbers(numbers: list[int] | tuple[int, ...]) -> str:
    return f"patch{'es' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"


def _groups(covered: tuple[Coverage, ...]) -> list[str]:
    """"acked by X (patches 1, 2)", "author is a maintainer (patch 3)", ... in the order first met."""
    groups: dict[tuple[str, str], list[int]] = {}
    for c in covered:
        if c.how == "author":
            text = "author is a maintainer"
        elif c.how == "signed-off-by":
            text = f"signed off by maintainer {c.person}"
        else:
            text = f"{_VERB[c.how]} {c.person}"
        # A match by name says which entry it took the person for, so a namesake is seen.
        note = f"; by name: {c.role}: {c.entry}" if c.matched == "name" else ""
        numbers = groups.setdefault((text, note), [])
        if c.patch not in numbers:
            numbers.append(c.patch)
    return [f"{text} ({_numbers(numbers)}{note})" for (text, note), numbers in groups.items()]


def _label(s: SectionStatus) -> str:
    """The section's name, with its file when that is not the top MAINTAINERS (U-Boot's board/*/MAINTAINERS)."""
    return s.name if s.file == "MAINTAINERS" else f"{s.name} in {s.file}"


def section_line(s: SectionStatus) -> str:
    if s.state == "info":
        return f"{_label(s)}: not waiting for anyone ({_numbers(s.patches)})"
    parts = _groups(s.covered)
    if s.missing:
        people = ", ".join(" ".join(e.split()) for e in (*s.maintainers, *s.reviewers))
        others = sorted({t.value for n, t in s.others if n in s.missing})
        hint = f"; acks from others: {', '.join(others)}" if others else ""
        parts.append(f"no ack yet ({_numbers(s.missing)}) from {people}{hint}")
    return f"{_label(s)}: {'; '.join(parts)}"


def report_text(report: StatusReport) -> str:
    total = len(report.patches)
    lines = [f"{report.series} v{report.version}: {report.title}" if report.title else
             f"{report.series} v{report.version}"]
    if report.base_commit:
        lines.append(f"base: {report.base} ({report.base_commit[:12]})")
    if report.maintainers is not None and report.maintainers.configured:
        lines.append(report.maintainers.describe())
    lines.append("")
    for p in report.patches:
        lines.append(f"{p.number}/{total} {p.subject}")
        lines.extend(f"    {t}" for t in p.trailers)
        if not p.trailers:
            lines.append("    (no trailers)")
    if report.sections is None:
        return "\n".join(lines)
    lines.append("")
    mode = "every section of each file" if report.all_sections else \
        "the most specific per file; --all-sections for every one"
    lines.append(f"MAINTAINERS sections ({mode}):")
    lines.extend(section_line(s) for s in report.sections)
    if not report.sections:
        lines.append("(none)")
    waiting = report.waiting
    lines.append("")
    if waiting:
        names = "; ".join(f"{_label(s)} ({_numbers(s.missing)})" for s in waiting)
        lines.append(f"not ready: {len(waiting)} section{'s' if len(waiting) != 1 else ''} "
                     f"wait{'s' if len(waiting) == 1 else ''} for an ack: {names}")
    else:
        lines.append("ready: every touched section has an ack, a review or its maintainer's own patch")
    return "\n".join(lines)


def report_json(report: StatusReport) -> dict[str, Any]:
    def section(s: SectionStatus) -> dict[str, Any]:
        return {
            "section": s.name, "file": s.file, "state": s.state,
            "maintainers": list(s.maintainers), "reviewers": list(s.reviewers), "lists": list(s.lists),
            "patches": list(s.patches), "missing": list(s.missing),
            "covered": [{"patch": c.patch, "how": c.how, "person": c.person, "entry": c.entry, "role": c.role,
                         "matched": c.matched} for c in s.covered],
            "others": [{"patch": n, "key": t.key, "value": t.value} for n, t in s.others],
        }

    return {
        "series": report.series,
        "version": report.version,
        "base": report.base,
        "base_commit": report.base_commit,
        "sections_mode": "all" if report.all_sections else "most-specific",
        "ready": report.ready,
        "note": report.note or None,
        "maintainers": report.maintainers.as_json() if report.maintainers is not None else None,
        "patches": [{"number": p.number, "subject": p.subject,
                     "author": {"name": p.author.name, "email": p.author.email},
                     "trailers": [{"key": t.key, "value": t.value} for t in p.trailers],
                     "sections": list(p.sections)} for p in report.patches],
        "sections": None if report.sections is None else [section(s) for s in report.sections],
    }


@app.command("status")
def status_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    repo: Annotated[Path | None, typer.Option("--repo", help="The git repository (default: the current one).")] = None,
    base: Annotated[str | None, typer.Option("--base", help="Read MAINTAINERS from this ref, not the series' base.")]
    = None,
    all_sections: Annotated[bool, typer.Option(
        "--all-sections", help="Ask every section that owns a file, not only the most specific one.")] = False,
    json: JsonOption = False,
) -> int:
    """Can I send it? Each patch's trailers, and per touched MAINTAINERS section whether its M:/R: acked."""
    from patchtool import render
    from patchtool.lifecycle.status import series_status
    from patchtool.seriesdir import read_series

    loaded = read_series(series_path(series))
    git = optional_repo(repo, required=base is not None)
    report = series_status(loaded, git, base, all_sections=all_sections)
    typer.echo(render.to_json(report_json(report)) if json else report_text(report))
    if report.note:
        typer.echo(f"patchtool: {report.note}", err=True)
    if report.ready is None:
        return 2
    return 0 if report.ready else 1
