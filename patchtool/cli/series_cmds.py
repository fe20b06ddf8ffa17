"""``patchtool import`` and ``patchtool show``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from patchtool.cli.app import app
from patchtool.errors import BadInput

RepoOption = Annotated[Path, typer.Option("--repo", help="The git repository (default: the current one).")]
JsonOption = Annotated[bool, typer.Option("--json", help='One JSON object with "schema": 1.')]


def series_path(name: str) -> Path:
    """A series given by folder path, or by name under ./series/."""
    path = Path(name)
    if (path / "series.toml").is_file():
        return path
    candidate = Path("series") / name
    if (candidate / "series.toml").is_file():
        return candidate
    raise BadInput("not a series folder (no series.toml)", source=name)


@app.command("import")
def import_cmd(
    source: Annotated[str, typer.Argument(help="A range A..B, an mbox file, or a folder of patches.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The series folder to write.")],
    repo: RepoOption = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing series folder.")] = False,
) -> int:
    """Import a series from a git range, an mbox thread or a folder of patch files."""
    from patchtool.seriesdir import write_series
    from patchtool.sources import load_source

    if output.exists() and any(output.iterdir()) and not force:
        raise BadInput("exists already (use --force to replace it)", source=str(output))
    series = load_source(source, name=output.name, repo_path=repo)
    write_series(series, output)
    typer.echo(f"imported {series.total} patch{'es' if series.total != 1 else ''} into {output}")
    return 0


@app.command("show")
def show_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    json: JsonOption = False,
) -> int:
    """The ordered patches: number, subject, author, files, +/-."""
    from patchtool import render
    from patchtool.seriesdir import read_series

    loaded = read_series(series_path(series))
    typer.echo(render.to_json(render.series_json(loaded)) if json else render.show_text(loaded))
    return 0


@app.command("reroll")
def reroll_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    rfc: Annotated[bool | None, typer.Option("--rfc/--no-rfc", help="Mark the new version RFC, or not.")] = None,
) -> int:
    """Keep the current version under history/vN, bump the version, open its change-log entry."""
    from patchtool.lifecycle.reroll import reroll

    folder = series_path(series)
    rerolled = reroll(folder, rfc=rfc)
    old = rerolled.version - 1
    typer.echo(f"{rerolled.name}: v{old} kept in {folder / 'history' / f'v{old}'}; "
               f"now {rerolled.subject_for(0).render().split(']')[0]}] "
               f"(write the changes in series.toml [changes] {rerolled.version})")
    return 0


@app.command("range-diff")
def range_diff_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    from_version: Annotated[int | None, typer.Option("--from", help="The older version (default: the newest kept).")]
    = None,
    to_version: Annotated[int | None, typer.Option("--to", help="The newer version (default: the current one).")]
    = None,
    repo: RepoOption = Path("."),
) -> int:
    """`git range-diff` between two versions of the series, each applied on its own base."""
    from patchtool.gitrepo import GitRepo
    from patchtool.lifecycle.rangediff import compare_versions, previous_version, series_version

    folder = series_path(series)
    new = series_version(folder, to_version)
    old = series_version(folder, from_version if from_version is not None else previous_version(folder, new.version))
    compared = compare_versions(GitRepo.open(repo), old, new)
    for note in compared.notes:
        typer.echo(f"patchtool: {note}", err=True)
    typer.echo(compared.text, nl=False)
    return 0
