"""``patchtool rebase``: the series moved onto a new base, or nothing changed and the conflicts shown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from patchtool.cli.app import app
from patchtool.cli.series_cmds import JsonOption, RepoOption, series_path
from patchtool.gitrepo import GitRepo
from patchtool.model import Series


@app.command("rebase")
def rebase_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    onto: Annotated[str, typer.Option("--onto", help="The new base (a tag, branch or commit).")],
    repo: RepoOption = Path("."),
    json: JsonOption = False,
    forecast: Annotated[bool, typer.Option(
        "--forecast", help="Only list the commits between the old base and --onto that touch the series' lines.")]
    = False,
) -> int:
    """Re-apply the series on --onto in the object store; rewrite it only if every patch lands."""
    from patchtool import render
    from patchtool.check import CheckReport, check_json
    from patchtool.cli.check_cmd import plain_report
    from patchtool.gitrepo import GitRepo
    from patchtool.lifecycle.rebase import rebase_series
    from patchtool.seriesdir import read_series, write_series

    folder = series_path(series)
    loaded = read_series(folder)
    git = GitRepo.open(repo)
    if forecast:
        return _forecast(git, loaded, onto, json)
    outcome = rebase_series(git, loaded, onto)
    report = CheckReport(loaded, (outcome.result,))
    if outcome.series is not None:
        write_series(outcome.series, folder)
    if json:
        typer.echo(render.to_json({**check_json(report), "onto": onto, "rewritten": outcome.applies}))
    else:
        typer.echo(plain_report(report))
        if outcome.series is not None:
            typer.echo(f"\n{folder}: {loaded.total} patches rebased onto {onto} ({outcome.result.commit[:12]})")
        else:
            typer.echo(f"\n{folder}: not rebased, nothing changed: a patch does not apply on {onto}", err=True)
    return 0 if outcome.applies else 1


def _forecast(git: GitRepo, series: Series, onto: str, json: bool) -> int:
    from patchtool import render
    from patchtool.errors import BadInput
    from patchtool.lifecycle.forecast import forecast

    old = series.base_commit if series.base_commit and git.has_object(series.base_commit) else series.base
    if not old:
        raise BadInput(f"{series.name} names no base to forecast from")
    touches = forecast(git, series.patches, old, onto)
    if json:
        typer.echo(render.to_json({"series": series.name, "from": old, "onto": onto, "touches": [
            {"commit": t.commit, "subject": t.subject, "file": t.path, "lines": list(t.lines),
             "patches": list(t.patches)} for t in touches]}))
        return 0
    if not touches:
        typer.echo(f"no commit in {old[:12]}..{onto} touches the lines of {series.name}")
    for t in touches:
        patches = ", ".join(str(n) for n in t.patches)
        typer.echo(f"{t.commit[:12]} {t.subject}\n    {t.path} lines {t.lines[0]}-{t.lines[1]} (patch {patches})")
    return 0
