"""``patchtool cover``: the series' cover letter, rendered from a template."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from patchtool.cli.app import app
from patchtool.cli.series_cmds import RepoOption, series_path


@app.command("cover")
def cover_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    template: Annotated[str | None, typer.Option(
        "--template", help="A shipped template (git, shortlog) or a jinja2 file of your own.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the letter here.")] = None,
    repo: RepoOption = Path("."),
    stat_width: Annotated[int | None, typer.Option("--stat-width", min=1, help="Diffstat width.")] = None,
    stat_graph_width: Annotated[int | None, typer.Option(
        "--stat-graph-width", min=1, help="Diffstat graph width.")] = None,
) -> int:
    """Render the cover letter: headers, prose, change log, shortlog, diffstat, base-commit."""
    from patchtool.cover import cover_letter
    from patchtool.gitrepo import GitRepo
    from patchtool.seriesdir import read_series

    loaded = read_series(series_path(series))
    text = cover_letter(GitRepo.open(repo), loaded, template=template, stat_width=stat_width,
                        stat_graph_width=stat_graph_width)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    return 0
