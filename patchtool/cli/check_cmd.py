"""``patchtool check``: does every patch apply, on each base.

On one base (or with ``-v``): a table (patches down, bases across) with
symbols and colour on a terminal, plain words when piped, then what a
maintainer needs to fix each conflict, and one line per base naming the
patches it already holds (``applied``; the upstream commit, by patch-id,
when the series' old base is known).  On several bases: the first screen
of ``check_summary`` (a line per base, each distinct conflict once), in
80 columns.  ``--json`` prints SPEC's JSON.  Exit 0 only when every patch
applies on every base and none is already there.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from patchtool.cli.app import app
from patchtool.cli.common import JsonOption, RepoOption, series_path

if TYPE_CHECKING:
    from patchtool.apply import PatchResult
    from patchtool.check import CheckInterrupted, CheckReport
    from patchtool.gitrepo import GitRepo
    from patchtool.model import Series

_SYMBOL = {"clean": "✓", "offset": "~", "3way": "3", "conflict": "✗", "applied": "="}
_STYLE = {"clean": "green", "offset": "yellow", "3way": "magenta", "conflict": "bold red", "applied": "bold cyan"}


@app.command("check")
def check_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    base: Annotated[list[str] | None, typer.Option(
        "--base", metavar="REF",
        help="A base ref or a glob over tags and branches (repeat for a matrix; default: the series' base).",
    )] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, metavar="N", help="Parallel processes (default: the number of cores).",
    )] = None,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="On several bases: every patch on every base, and every conflict's lines.",
    )] = False,
    repo: RepoOption = Path("."),
    json: JsonOption = False,
) -> int:
    """Apply the series on each base in git's object store: clean, offset, 3way, conflict or applied per patch.

    On several bases, a line per base and each distinct conflict once (-v: the whole table)."""
    from patchtool import render
    from patchtool.check import check_json, choose_bases
    from patchtool.gitrepo import GitRepo
    from patchtool.seriesdir import read_series

    loaded = read_series(series_path(series))
    git = GitRepo.open(repo)
    bases = choose_bases(git, loaded, base or [])
    tty = sys.stdout.isatty() and not json
    report = _with_progress(git, loaded, bases, jobs, bar=tty and len(bases) > 1)
    if len(report.results) > 1 and not verbose and not json:
        _print_summary(report, tty=tty)  # counts, not the upstream commits: no patch-ids to compute
        return 0 if report.postable else 1
    upstream = named_upstream(git, report)
    if json:
        typer.echo(render.to_json(check_json(report, upstream)))
    elif tty:
        _print_rich(report, upstream)
    else:
        typer.echo(plain_report(report, upstream))
    return 0 if report.postable else 1


def _print_summary(report: CheckReport, *, tty: bool) -> None:
    from patchtool.cli.check_summary import WIDTH, plain, summary_lines

    if not tty:
        typer.echo(plain(summary_lines(report)))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console()
    for line in summary_lines(report, width=min(WIDTH, console.width)):
        text = Text()
        for part, style in line:
            text.append(part, style=style or "")
        console.print(text, soft_wrap=True)


def named_upstream(git: GitRepo, report: CheckReport) -> list[dict[int, str]]:
    """Per base, the upstream commit each ``applied`` patch is (same patch-id), when the old base is known."""
    old = report.series.base_commit
    out: list[dict[int, str]] = []
    if any(r.already_applied for r in report.results):
        from patchtool.lifecycle.forecast import upstream_copies
    for r in report.results:
        copies: dict[int, str] = {}
        if r.already_applied and old and git.has_object(old):
            copies = upstream_copies(git, report.series.patches, old, r.commit)
        out.append({n: c for n, c in copies.items() if n in r.already_applied})
    return out


def applied_lines(report: CheckReport, upstream: Sequence[Mapping[int, str]] | None = None) -> list[str]:
    """One line per base that already holds patches of the series."""
    lines = []
    for i, r in enumerate(report.results):
        if not r.already_applied:
            continue
        named = upstream[i] if upstream and i < len(upstream) else {}
        n = len(r.already_applied)
        which = ", ".join(map(str, r.already_applied))
        known = [named[p][:12] for p in r.already_applied if p in named]
        if len(known) == n:
            how = f"upstream as {', '.join(known)}"
        elif known:
            how = "; ".join(f"{p} upstream as {named[p][:12]}" for p in r.already_applied if p in named) \
                + "; the others' changes are there"
        else:
            how = "its changes are there" if n == 1 else "their changes are there"
        lines.append(f"{r.base}: patch{'es' if n > 1 else ''} {which} {'is' if n == 1 else 'are'} already in "
                     f"{r.base} ({how}): the series cannot be posted as is on {r.base} "
                     f"(patchtool rebase --onto {r.base} --drop-applied drops {'it' if n == 1 else 'them'})")
    return lines


def _with_progress(git: GitRepo, loaded: Series, bases: list[tuple[str, str]], jobs: int | None, *,
                   bar: bool = True) -> CheckReport:
    """``check_series``, under a transient progress bar when ``bar``; after a Ctrl-C, the bases that
    had finished go to stderr before the interrupt goes on (to exit 130)."""
    from patchtool.check import CheckInterrupted, check_series

    try:
        if not bar:
            return check_series(git, loaded, bases, jobs=jobs)
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                      TimeElapsedColumn(), transient=True) as progress:
            task = progress.add_task("", total=len(bases))

            def done(label: str) -> None:
                progress.update(task, advance=1, description=label)

            return check_series(git, loaded, bases, jobs=jobs, on_done=done)
    except CheckInterrupted as exc:
        typer.echo("\n".join(interrupted_lines(exc)), err=True)
        raise


def interrupted_lines(exc: CheckInterrupted) -> list[str]:
    """What an interrupted check had finished: a line per base, as the plain report gives it."""
    done = exc.report.results
    lines = [f"patchtool: checked {len(done)} of {exc.total} bases before the interrupt{':' if done else ''}"]
    lines += [f"  {r.base} ({r.commit[:12]}): result tree {r.result_tree or 'none (does not apply)'}" for r in done]
    return lines


def _cell(r: PatchResult) -> str:
    text = r.status.value
    if r.after_conflict and r.touches_failed:
        text += " (after a failed patch on its files)"
    elif r.after_conflict:
        text += " (after a conflict)"
    return text


def plain_report(report: CheckReport, upstream: Sequence[Mapping[int, str]] | None = None) -> str:
    """The table, what each base already holds and the conflict details in plain text (for pipes and logs).

    ``upstream`` given (``check``): a line per base that already holds patches; ``rebase`` says it its way.
    """
    series = report.series
    rows = [["#", "subject", *[r.base for r in report.results]]]
    for i, patch in enumerate(series.patches):
        rows.append([str(i + 1), patch.subject.summary[:50], *[_cell(r.patches[i]) for r in report.results]])
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append("")
    for r in report.results:
        tree = r.result_tree or "none (does not apply)"
        lines.append(f"{r.base} ({r.commit[:12]}): result tree {tree}")
    if upstream is not None:
        lines += applied_lines(report, upstream)
    lines += _details(report)
    return "\n".join(lines)


def _details(report: CheckReport) -> list[str]:
    out: list[str] = []
    for r in report.results:
        for p in r.patches:
            if not p.problems and not p.offsets:
                continue
            out.append("")
            out.append(f"{r.base}: patch {p.number} {p.patch.subject.summary}: {p.status.value}")
            for o in p.offsets:
                out.append(f"  {o.file} {o.hunk}: hunk #{o.number} applies {abs(o.lines)} "
                           f"line{'s' if abs(o.lines) != 1 else ''} {'later' if o.lines > 0 else 'earlier'}")
            for prob in p.problems:
                where = f"{prob.file} {prob.hunk}" if prob.hunk else prob.file
                out.append(f"  {where}: {prob.message}")
                if prob.expected or prob.actual:
                    out.append("    the patch expects:")
                    out += [f"      |{line}" for line in prob.expected]
                    at = f" (line {prob.actual_line})" if prob.actual_line else ""
                    out.append(f"    the base has{at}:")
                    out += [f"      |{line}" for line in prob.actual] or ["      (nothing alike)"]
    return out


def _print_rich(report: CheckReport, upstream: Sequence[Mapping[int, str]] = ()) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("subject", overflow="ellipsis", max_width=60)
    for r in report.results:
        table.add_column(r.base)
    for i, patch in enumerate(report.series.patches):
        cells = []
        for r in report.results:
            pr = r.patches[i]
            label = f"{_SYMBOL[pr.status.value]} {pr.status.value}"
            if pr.after_conflict:
                label += " *" if pr.touches_failed else " ·"
            cells.append(Text(label, style=_STYLE[pr.status.value]))
        table.add_row(str(i + 1), patch.subject.summary, *cells)
    console.print(table)
    if not report.applies:
        console.print("[dim]· after a conflict   * touches a file a failed patch touched[/dim]")
    for r in report.results:
        tree = r.result_tree or "[red]does not apply[/red]"
        console.print(f"{r.base} ([dim]{r.commit[:12]}[/dim]): result tree {tree}")
    for line in applied_lines(report, upstream):
        console.print(Text(line, style="cyan"))
    for line in _details(report):
        console.print(Text(line))
