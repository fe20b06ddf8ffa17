"""``patchtool base``: print, set or guess a series' base; the base options of ``import``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from patchtool.cli.app import app
from patchtool.cli.common import RepoOption, load_series, writes_series
from patchtool.errors import BadInput

if TYPE_CHECKING:
    from patchtool.model import Series

LookbackOption = Annotated[int, typer.Option(
    "--lookback", min=1, help="Days before the series' newest mail to search for the base (as b4's).")]


def aim_series(series: Series, repo: Path, *, base: str | None, guess: bool,
               lookback: int | None = None) -> tuple[Series, list[str], int]:
    """``series`` with ``--base REF`` or ``--guess-base`` applied: (series, lines to print, exit code).

    A guess is made only when the series names no base-commit this repository has (b4's rule: a
    ``base-commit:`` footer wins); a best match (not every file) is kept, and the exit code says 1.
    """
    if base is not None and guess:
        raise BadInput("give --base REF or --guess-base, not both")
    if base is None and not guess:
        return series, [], 0
    from patchtool.gitrepo import GitRepo
    from patchtool.lifecycle.base import LOOKBACK_DAYS, based_on, guess_base, guessed

    git = GitRepo.open(repo)
    if base is not None:
        aimed = based_on(git, series, base)
        return aimed, [_base_line(aimed)], 0
    if series.base_commit and git.has_object(f"{series.base_commit}^{{commit}}"):
        return series, [f"base-commit {series.base_commit[:12]} from the series is in the repository: not guessed"], 0
    found = guess_base(git, series, lookback_days=lookback or LOOKBACK_DAYS)
    aimed = guessed(series, found)
    return aimed, [found.describe(), _base_line(aimed)], 0 if found.exact else 1


def _base_line(series: Series) -> str:
    named = series.base_commit and series.base != series.base_commit
    commit = f" (base-commit {series.base_commit[:12]})" if named and series.base_commit else ""
    return f"base: {series.base}{commit}"


@app.command("base")
@writes_series("base", lambda o: o.get("ref") is not None or bool(o.get("guess")))
def base_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    ref: Annotated[str | None, typer.Argument(help="Set the base to this tag, branch or commit.")] = None,
    guess: Annotated[bool, typer.Option(
        "--guess", help="Guess the base from the pre-image blobs of the index lines (b4 am --guess-base).")] = False,
    lookback: LookbackOption = 21,
    repo: RepoOption = Path("."),
) -> int:
    """Print the series' base; with REF set it, with --guess find the commit its patches were made on."""
    from patchtool.gitrepo import GitRepo
    from patchtool.lifecycle.base import based_on, guess_base, guessed, store_base
    from patchtool.seriesdir import missing_base

    if ref is not None and guess:
        raise BadInput("give REF or --guess, not both")
    folder, loaded = load_series(series)
    if ref is None and not guess:
        if not (loaded.base or loaded.base_commit):
            try:
                tag = GitRepo.open(repo).newest_tag()
            except BadInput:  # no repository here: the hint names no ref
                tag = None
            raise missing_base(loaded.name, tag)
        if loaded.base:
            typer.echo(f"base: {loaded.base}")
        if loaded.base_commit:
            typer.echo(f"base-commit: {loaded.base_commit}")
        return 0
    git = GitRepo.open(repo)
    code = 0
    if ref is not None:
        aimed = based_on(git, loaded, ref)
    else:
        found = guess_base(git, loaded, lookback_days=lookback)
        typer.echo(found.describe())
        aimed, code = guessed(loaded, found), 0 if found.exact else 1
    written = store_base(folder, aimed)
    typer.echo(f"{folder}: {_base_line(written)}")
    return code
