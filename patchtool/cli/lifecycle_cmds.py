"""``patchtool update`` and ``patchtool reroll`` (``--from``): a reworked branch or a new posting taken in.

The operations live in ``patchtool.lifecycle.update`` (and ``reroll``);
this module only turns their report into text.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from patchtool.cli.app import app
from patchtool.cli.common import RepoOption, series_path, writes_series

if TYPE_CHECKING:
    from patchtool.lifecycle.update import PatchUpdate, UpdateReport
    from patchtool.model import Series

SeriesArg = Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")]


def _label(p: PatchUpdate) -> str:
    label = p.status + (f" ({', '.join(p.changed)})" if p.changed else " (by patch-id)" if p.loose else "")
    return label + (", reordered" if p.reordered else "")


def _number(n: int | None) -> str:
    return "-" if n is None else str(n)


def report_lines(report: UpdateReport) -> list[str]:
    """One line per patch (old -> new number, what became of it, subject), then the trailers' fate."""
    width = max([len(_label(p)) for p in report.patches] + [9])
    lines = []
    for p in report.patches:
        lines.append(f"{_number(p.old):>3} -> {_number(p.new):<3} {_label(p):<{width}}  {p.subject}")
        lines.extend(f"{'':>10}carried: {t}" for t in p.carried)
        lines.extend(f"{'':>10}not carried, patch {p.new} was edited (add it back if it still holds): {t}"
                     for t in p.held)
    if report.new_base:
        lines.append(f"base-commit: {report.old_base or '(none)'} -> {report.new_base}")
    return lines


def _summary(series: Series, report: UpdateReport) -> str:
    counts = ", ".join(f"{len(report.having(s))} {s}"
                       for s in ("unchanged", "edited", "new", "dropped") if report.having(s))
    moved = sum(p.reordered for p in report.patches)
    held = sum(len(p.held) for p in report.patches)
    extra = (f", {moved} reordered" if moved else "") + (f"; {held} trailer{'s' if held != 1 else ''} "
                                                         "not carried" if held else "")
    return f"{series.name}: {series.total} patch{'es' if series.total != 1 else ''} ({counts}{extra})"


def _version_note(series: Series, report: UpdateReport, *, rerolled: bool) -> list[str]:
    """A mailed source whose subjects name another version than the series now has."""
    if report.source_version is None or report.source_version == series.version:
        return []
    hint = (" (a new version goes in with: patchtool reroll SERIES --from SOURCE)"
            if not rerolled and report.source_version > series.version else "")
    return [f"note: the patches of {report.source} say v{report.source_version}; "
            f"the series is v{series.version}{hint}"]


@app.command("update")
@writes_series("update", lambda o: not o.get("dry_run"))
def update_cmd(
    series: SeriesArg,
    source: Annotated[str, typer.Argument(
        help="A range A..B, a branch (base..branch), an mbox, or a folder of patches.")],
    repo: RepoOption = Path("."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report only; change nothing.")] = False,
) -> int:
    """Replace the patches with SOURCE's, keeping everything else; say what became of each patch."""
    from patchtool.lifecycle.update import update

    updated, report = update(series_path(series), source, repo_path=repo, dry_run=dry_run)
    for line in [*report_lines(report), *_version_note(updated, report, rerolled=False)]:
        typer.echo(line)
    typer.echo(_summary(updated, report) + ("; nothing written (--dry-run)" if dry_run else ""))
    return 0


@app.command("reroll")
@writes_series("reroll")
def reroll_cmd(
    series: SeriesArg,
    rfc: Annotated[bool | None, typer.Option("--rfc/--no-rfc", help="Mark the new version RFC, or not.")] = None,
    from_source: Annotated[str | None, typer.Option(
        "--from", help="Take the new version's patches from this range, branch, mbox or folder.")] = None,
    repo: RepoOption = Path("."),
) -> int:
    """Keep the current version under history/vN, bump the version, open its change-log entry.

    With --from, the new version's patches come from SOURCE (as `update` takes them) in the same
    write, and the change-log entry is drafted from what became of each patch.
    """
    folder = series_path(series)
    if from_source is None:
        from patchtool.lifecycle.reroll import reroll

        rerolled = reroll(folder, rfc=rfc)
        report = None
    else:
        from patchtool.lifecycle.update import reroll_from

        rerolled, report = reroll_from(folder, from_source, repo_path=repo, rfc=rfc)
        for line in [*report_lines(report), *_version_note(rerolled, report, rerolled=True)]:
            typer.echo(line)
        typer.echo(_summary(rerolled, report))
    old = rerolled.version - 1
    what = "edit the drafted changes" if report is not None else "write the changes"
    typer.echo(f"{rerolled.name}: v{old} kept in {folder / 'history' / f'v{old}'}; "
               f"now {rerolled.subject_for(0).render().split(']')[0]}] "
               f"({what} in series.toml [changes] {rerolled.version})")
    return 0


@app.command("trailers")
@writes_series("trailers", lambda o: not o.get("dry_run"))
def trailers_cmd(
    series: SeriesArg,
    mailboxes: Annotated[list[Path], typer.Argument(help="mbox files or Maildir folders holding the replies.")],
    repo: RepoOption = Path("."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be added; change nothing.")] = False,
) -> int:
    """Add the Reviewed-by/Acked-by/Tested-by/... of replies to the posted version to the right patches."""
    from patchtool.cli.series_cmds import _identity, added_lines, refused_lines
    from patchtool.lifecycle.trailers import collect_trailers
    from patchtool.seriesdir import read_series, write_series

    folder = series_path(series)
    collected = collect_trailers(read_series(folder), mailboxes, applier=_identity(repo))
    if not collected.matched_by_id:
        typer.echo(f"patchtool: no Message-Ids recorded for v{collected.series.version} "
                   "([[posted]]): replies matched by the lines they quote and their subjects", err=True)
    for line in added_lines(collected.report):
        typer.echo(line)
    for line in refused_lines(collected.report):
        typer.echo(f"patchtool: {line}", err=True)
    count = len(collected.report.added)
    if count and not dry_run:
        write_series(collected.series, folder)
    done = "would be added (--dry-run)" if dry_run else "added"
    typer.echo(f"{collected.series.name}: {count} trailer{'s' if count != 1 else ''} {done}")
    return 0
