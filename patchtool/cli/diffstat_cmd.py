"""``patchtool diffstat``: by file, by patch, by MAINTAINERS subsystem."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from patchtool.cli.app import app
from patchtool.cli.common import JsonOption, series_path
from patchtool.errors import BadInput


class By(enum.StrEnum):
    FILE = "file"
    PATCH = "patch"
    SUBSYSTEM = "subsystem"


@app.command("diffstat")
def diffstat_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    by: Annotated[By, typer.Option("--by", help="Group by file, patch or MAINTAINERS subsystem.")] = By.FILE,
    repo: Annotated[Path | None, typer.Option("--repo", help="The git repository (default: the current one).")] = None,
    base: Annotated[str | None, typer.Option("--base", help="Apply on this ref instead of the series' base.")] = None,
    stat_width: Annotated[int | None, typer.Option("--stat-width", min=1)] = None,
    stat_graph_width: Annotated[int | None, typer.Option("--stat-graph-width", min=0)] = None,
    stat_name_width: Annotated[int | None, typer.Option("--stat-name-width", min=1)] = None,
    all_sections: Annotated[bool, typer.Option("--all-sections", help="Count a file in every section.")] = False,
    json: JsonOption = False,
) -> int:
    """The series' diffstat, byte-identical to git's, or grouped by patch or subsystem."""
    from patchtool import diffstat, render
    from patchtool.gitrepo import GitRepo
    from patchtool.seriesdir import read_series

    loaded = read_series(series_path(series))
    options = diffstat.StatOptions.from_render(
        dict(loaded.render), width=stat_width, graph_width=stat_graph_width, name_width=stat_name_width
    )
    try:
        git = GitRepo.open(repo or Path("."))
    except BadInput:
        if repo is not None:
            raise
        counts = diffstat.summed_counts(loaded.patches)
        typer.echo("patchtool: no git repository here: counts are summed over the patches, "
                   "not the net change", err=True)
        typer.echo(render.to_json(render.diffstat_json(loaded, None, counts, (), by.value)) if json
                   else render.summed_stat_text(counts))
        return 0
    target = base or loaded.base_commit or loaded.base
    if not target:
        from patchtool.seriesdir import missing_base

        raise missing_base(loaded.name, git.newest_tag(), option=True)
    if base is None and loaded.base_commit and not git.has_object(loaded.base_commit):
        target = loaded.base or loaded.base_commit
    stat = diffstat.series_stat(git, loaded.patches, target, options,
                                text=json or by is By.FILE, per_patch=json or by is By.PATCH)
    if stat.failed is not None:
        typer.echo(f"patchtool: patch {stat.failed}/{loaded.total} does not apply on {target}: "
                   "see `patchtool check`", err=True)
        return 1
    sections: tuple[diffstat.FileSections, ...] = ()
    table = None
    if by is By.SUBSYSTEM or json:
        from patchtool.owners import maintainers_at

        table = maintainers_at(git, stat.commit, only_paths=[c.path for c in stat.counts])
        sections = diffstat.file_sections(stat.counts, table)
        if table is None and by is By.SUBSYSTEM and not json:
            typer.echo("patchtool: the base has no MAINTAINERS: grouped by top-level folder", err=True)
        elif table is not None and table.source.configured and not json:
            typer.echo(f"patchtool: {table.source.describe()}", err=True)
    if json:
        doc = render.diffstat_json(loaded, stat, stat.counts, sections, by.value, all_sections=all_sections)
        doc["maintainers"] = table.source.as_json() if table is not None else None
        typer.echo(render.to_json(doc))
    elif by is By.FILE:
        typer.echo(stat.by_file, nl=False)
    elif by is By.PATCH:
        typer.echo("\n".join(f"{p.number}/{loaded.total} {p.subject}\n{p.stat}" for p in stat.per_patch), nl=False)
    else:
        rows = diffstat.by_subsystem(stat.counts, sections, all_sections=all_sections)
        typer.echo(diffstat.subsystem_table(rows, stat.counts, options.width), nl=False)
    return 0
