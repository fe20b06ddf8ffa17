"""``patchtool rebase``: the series moved onto a new base, or nothing changed and the conflicts shown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from patchtool.cli.app import app
from patchtool.cli.series_cmds import JsonOption, RepoOption, series_path


@app.command("rebase")
def rebase_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    onto: Annotated[str, typer.Option("--onto", help="The new base (a tag, branch or commit).")],
    repo: RepoOption = Path("."),
    json: JsonOption = False,
) -> int:
    """Re-apply the series on --onto in the object store; rewrite it only if every patch lands."""
    from patchtool import render
    from patchtool.check import CheckReport, check_json
    from patchtool.cli.check_cmd import plain_report
    from patchtool.gitrepo import GitRepo
    from patchtool.rebase import rebase_series
    from patchtool.seriesdir import read_series, write_series

    folder = series_path(series)
    loaded = read_series(folder)
    outcome = rebase_series(GitRepo.open(repo), loaded, onto)
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
