"""``patchtool import`` and ``patchtool show``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from patchtool.cli.app import app
from patchtool.cli.common import JsonOption, RepoOption, series_path
from patchtool.errors import BadInput
from patchtool.model import Person

if TYPE_CHECKING:
    from patchtool.sources.replies import TrailerReport



@app.command("import")
def import_cmd(
    source: Annotated[str, typer.Argument(help="A range A..B, an mbox file, or a folder of patches.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The series folder to write.")],
    repo: RepoOption = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing series folder.")] = False,
    base: Annotated[str | None, typer.Option(
        "--base", help="Record this ref as the base (and the commit it names as base-commit).")] = None,
    guess_base: Annotated[bool, typer.Option(
        "--guess-base", help="Guess the base from the index lines' blobs when the series names none here.")]
    = False,
) -> int:
    """Import a series from a git range, an mbox thread or a folder of patch files.

    From an mbox, prints the trailers the replies gave (as ``b4 am`` does) and, on stderr, those refused.
    """
    from patchtool.cli.base_cmd import aim_series
    from patchtool.seriesdir import write_series
    from patchtool.sources import load_source_report

    if output.exists() and any(output.iterdir()) and not force:
        raise BadInput("exists already (use --force to replace it)", source=str(output))
    applier = _identity(repo) if Path(source).is_file() else None
    series, report = load_source_report(source, name=output.name, repo_path=repo, applier=applier)
    series, base_lines, code = aim_series(series, repo, base=base, guess=guess_base)
    write_series(series, output)
    typer.echo(f"imported {series.total} patch{'es' if series.total != 1 else ''} into {output}")
    for line in base_lines:
        typer.echo(line)
    for line in added_lines(report):
        typer.echo(line)
    for line in refused_lines(report):
        typer.echo(line, err=True)
    for line in report.warnings:  # what reading the mails went past (sources.mailinfo)
        typer.echo(f"patchtool: warning: {line}", err=True)
    return code


def _identity(repo: Path) -> Person | None:
    """Who is importing (git's committer identity): their closing sign-off stays last."""
    from patchtool.gitrepo import GitError, GitRepo

    try:
        ident = GitRepo.open(repo).text("var", "GIT_COMMITTER_IDENT")
    except (BadInput, GitError):  # no repository, or no identity configured
        return None
    name, _, rest = ident.partition(" <")
    return Person(name.strip(), rest.partition(">")[0].strip()) if rest else None


def _numbers(numbers: list[int]) -> str:
    """``patch 3``, ``patches 1-5``, ``patches 1-2, 4``."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    text = ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
    return f"patch{'es' if len(numbers) > 1 else ''} {text}"


def added_lines(report: TrailerReport) -> list[str]:
    """``  + Acked-by: Name <addr> (patch 3)``: one line per trailer and reply, its patches together."""
    grouped: dict[tuple[str, str | None], list[int]] = {}
    for given in report.added:
        grouped.setdefault((str(given.trailer), given.message_id), []).append(given.number)
    return [f"  + {trailer} ({_numbers(numbers)})" for (trailer, _), numbers in grouped.items()]


def refused_lines(report: TrailerReport) -> list[str]:
    """``not added: Reviewed-by: ... (patch 3, reply <id> from X): why``, one per refused trailer."""
    out = []
    for r in report.refused:
        where = "the cover letter" if r.number == 0 else f"patch {r.number}" if r.number else "no patch"
        out.append(f"not added: {r.trailer} ({where}, reply {r.message_id or 'without Message-Id'} "
                   f"from {r.sender}): {r.reason}")
    return out


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


# `reroll` (with `--from`) and `update` live in lifecycle_cmds.py.


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
