"""``patchtool rebase``: the series moved onto a new base, or nothing changed and the reason shown."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated

import typer

from patchtool.cli.app import app
from patchtool.cli.common import JsonOption, RepoOption, series_path, stage_progress, writes_series
from patchtool.gitrepo import GitRepo
from patchtool.model import Series


@app.command("rebase")
@writes_series("rebase", lambda o: not o.get("forecast"))
def rebase_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    onto: Annotated[str, typer.Option("--onto", help="The new base (a tag, branch or commit).")],
    repo: RepoOption = Path("."),
    json: JsonOption = False,
    forecast: Annotated[bool, typer.Option(
        "--forecast", help="Only list the commits between the old base and --onto that touch the series' lines.")]
    = False,
    drop_applied: Annotated[bool, typer.Option(
        "--drop-applied", help="Leave out the patches --onto already holds (the old version kept under history/).")]
    = False,
) -> int:
    """Re-apply the series on --onto in the object store; rewrite it only if every patch lands."""
    from patchtool import render
    from patchtool.check import CheckReport, check_json
    from patchtool.cli.check_cmd import plain_report
    from patchtool.gitrepo import GitRepo
    from patchtool.lifecycle.rebase import rebase_series, store_rebased
    from patchtool.seriesdir import read_series

    folder = series_path(series)
    loaded = read_series(folder)
    git = GitRepo.open(repo)
    if forecast:
        return _forecast(git, loaded, onto, json)
    with stage_progress("rebase", show=sys.stderr.isatty() and not json) as step:
        outcome = rebase_series(git, loaded, onto, drop_applied=drop_applied, on_stage=step)
        written, kept = (store_rebased(git, folder, outcome, on_stage=step) if outcome.series is not None
                         else (None, None))
    report = CheckReport(loaded, (outcome.result,))
    if json:
        typer.echo(render.to_json({
            **check_json(report, upstream=[outcome.upstream]), "onto": onto, "rewritten": written is not None,
            "dropped": list(outcome.dropped), "result_tree": outcome.tree,
            "kept": f"history/{kept}" if kept else None}))
        return 0 if written is not None else 1
    if sys.stdout.isatty():  # check's table, in colour; plain when piped
        from patchtool.cli.check_cmd import _print_rich

        _print_rich(report)
    else:
        typer.echo(plain_report(report))
    typer.echo("".join(f"patch {n} is upstream as {c[:12]}\n" for n, c in outcome.upstream.items()), nl=False)
    if written is not None:
        count = f"{written.total} patch{'es' if written.total != 1 else ''}"
        if written.total:
            typer.echo(f"\n{folder}: {count} rebased onto {onto} ({outcome.result.commit[:12]})")
        else:
            typer.echo(f"\n{folder}: every patch is already in {onto} ({outcome.result.commit[:12]}): "
                       "the series now holds none")
        if outcome.dropped:
            typer.echo(f"{folder}: dropped {_patches(outcome.dropped)} (already in {onto}); "
                       f"the old version is kept in history/{kept}")
    elif outcome.refused:
        them = "them" if len(outcome.refused) > 1 else "it"
        typer.echo(f"\n{folder}: not rebased, nothing changed: {_patches(outcome.refused)} already in {onto} "
                   f"(--drop-applied drops {them})", err=True)
    else:
        typer.echo(f"\n{folder}: not rebased, nothing changed: a patch does not apply on {onto}", err=True)
    return 0 if written is not None else 1


def _patches(numbers: Sequence[int]) -> str:
    return f"patch{'es' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"


def _forecast(git: GitRepo, series: Series, onto: str, json: bool) -> int:
    from patchtool import render
    from patchtool.lifecycle.forecast import forecast_rebase

    old = series.base_commit if series.base_commit and git.has_object(series.base_commit) else series.base
    if not old:
        from patchtool.seriesdir import missing_base

        raise missing_base(series.name, git.newest_tag())
    seen = forecast_rebase(git, series.patches, old, onto)
    if json:
        typer.echo(render.to_json({"series": series.name, "from": old, "onto": onto, "touches": [
            {"commit": t.commit, "subject": t.subject, "file": t.path, "lines": list(t.lines),
             "patches": list(t.patches), "upstream_of": list(t.upstream_of)} for t in seen.touches],
            "upstream": [{"patch": u.patch, "commit": u.commit, "subject": u.subject} for u in seen.upstream],
            "applied": list(seen.applied)}))
        return 0
    if not seen.touches:
        typer.echo(f"no commit in {old[:12]}..{onto} touches the lines of {series.name}")
    for t in seen.touches:
        patches = ", ".join(str(n) for n in t.patches)
        what = f"patch {patches}"
        if t.upstream_of:  # not a change to rebase over: the series' own patch, merged or picked
            what += f"; this commit is patch {', '.join(map(str, t.upstream_of))} itself"
        typer.echo(f"{t.commit[:12]} {t.subject}\n    {t.path} lines {t.lines[0]}-{t.lines[1]} ({what})")
    typer.echo("".join(_upstream_lines(seen.upstream_map, seen.applied, onto)), nl=False)
    return 0


def _upstream_lines(upstream: Mapping[int, str], applied: Sequence[int], onto: str) -> list[str]:
    lines = []
    for n in sorted(set(upstream) | set(applied)):
        if n in upstream and n in applied:
            lines.append(f"patch {n} is upstream as {upstream[n][:12]}\n")
        elif n in applied:
            lines.append(f"patch {n} is already in {onto} (its changes are there; no upstream commit has its "
                         "patch-id)\n")
        else:
            lines.append(f"patch {n} has a patch-id twin upstream, {upstream[n][:12]}, but {onto} does not hold "
                         "its changes (reverted or changed since?)\n")
    return lines
