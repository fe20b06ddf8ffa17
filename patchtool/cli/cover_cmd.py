"""``patchtool cover``: the series' cover letter, rendered from a template."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from patchtool.cli.app import app
from patchtool.cli.common import RepoOption, load_series

BaseOverride = Annotated[str | None, typer.Option(
    "--base", help="Use this base for this run (series.toml is not changed).")]


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
    with_range_diff: Annotated[bool, typer.Option(
        "--range-diff", help="Add `Range-diff against vN:` for the newest version kept in history/.")] = False,
    base: BaseOverride = None,
) -> int:
    """Render the cover letter: headers, prose, change log, shortlog, diffstat, base-commit."""
    from patchtool.cover import cover_letter
    from patchtool.gitrepo import GitRepo
    from patchtool.lifecycle.base import based_on

    folder, loaded = load_series(series)
    git = GitRepo.open(repo)
    loaded = based_on(git, loaded, base) if base is not None else loaded
    changes = ""
    if with_range_diff:
        from patchtool.lifecycle.rangediff import against_previous

        changes = against_previous(git, folder, loaded)
    text = cover_letter(git, loaded, template=template, stat_width=stat_width,
                        stat_graph_width=stat_graph_width, range_diff=changes)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    return 0
