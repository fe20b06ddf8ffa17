"""``patchtool lint``: pre-posting checks, as text for people or one JSON object for scripts.

Exit 0 when nothing is at error level, 1 when something is, 2 for bad
input (through the error funnel in ``patchtool.cli``).  The text and JSON
shapes of a lint report live here until render.py takes them over.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from patchtool.cli.app import app
from patchtool.cli.common import JsonOption, optional_repo, series_path, writes_series

if TYPE_CHECKING:
    from patchtool.gitrepo import GitRepo
    from patchtool.lint import LintReport
    from patchtool.model import Series


def report_json(report: LintReport, version: int) -> dict[str, Any]:
    from patchtool.lint.registry import check_of

    doc: dict[str, Any] = {
        "series": report.series,
        "version": version,
        "base": report.base,
        "base_commit": report.base_commit,
        "profile": report.profile,
        "config": list(report.config_files),
        # "rule" is the finding's id as earlier versions wrote it; "check" the row of "checks" it counts in.
        "findings": [{"rule": f.rule, "check": check_of(f.rule), "severity": f.severity.value, "patch": f.patch,
                      "message": f.message} for f in report.findings],
        "counts": report.counts,
        "checks": [{"check": c.check, "nipa": c.nipa, "verdict": c.verdict, "findings": c.findings,
                    "skipped": list(c.skipped)} for c in report.checks],
    }
    if report.fixed:
        doc["fixed"] = {"cc": list(report.fixed)}
    return doc


def skipped_lines(report: LintReport) -> list[str]:
    """One line per reason: the checks skipped (wholly or in part) for it."""
    by_reason: dict[str, list[str]] = {}
    for c in report.checks:
        for reason in c.skipped:
            by_reason.setdefault(reason, []).append(c.check + ("" if c.verdict == "skipped" else " (in part)"))
    return [f"skipped ({reason}): {', '.join(checks)}" for reason, checks in by_reason.items()]


def report_text(report: LintReport) -> str:
    lines = [f"{f.patch}/{report.total} {f.severity.value} {f.rule}: {f.message}" for f in report.findings]
    counts = report.counts
    if report.fixed:
        lines.append(f"fixed: added to cc: {', '.join(report.fixed)}")
    lines.extend(skipped_lines(report))
    if report.profile != "kernel" or report.config_files:
        lines.append(f"config: the {report.profile} profile" + "".join(f", {f}" for f in report.config_files))
    summary = ", ".join(f"{counts[k]} {k}{'s' if counts[k] != 1 and k != 'info' else ''}"
                        for k in ("error", "warning", "info"))
    lines.append(f"{report.series}: {summary}")
    return "\n".join(lines)


# A lint that is done sooner (a warm cache) shows no bar at all.
PROGRESS_DELAY = 0.3


def _with_progress(loaded: Series, git: GitRepo, base: str | None, profile: str | None = None) -> LintReport:
    """lint under a transient progress line on stderr: the stage running (the history of the files,
    applying, kernel-doc, MAINTAINERS, checkpatch) and, for checkpatch, how many patches it did."""
    import threading

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from patchtool.lint import lint_series

    with Progress(TextColumn("lint"), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("", total=None, visible=False)
        shown = threading.Timer(PROGRESS_DELAY, lambda: progress.update(task, visible=True))
        shown.daemon = True
        shown.start()

        def step(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total or None)

        try:
            return lint_series(loaded, git, base, profile=profile, on_progress=step)
        finally:
            shown.cancel()


@app.command("lint")
@writes_series("lint --fix", lambda o: bool(o.get("fix")))
def lint_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    repo: Annotated[Path | None, typer.Option("--repo", help="The git repository (default: the current one).")] = None,
    base: Annotated[str | None, typer.Option("--base", help="Check on this ref, not the series' base.")] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Add missing MAINTAINERS entries to cc.")] = False,
    profile: Annotated[str | None, typer.Option(
        "--profile", help="kernel (default) or netdev: the settings of netdev's NIPA bot; "
                          "over it, .patchtool.toml of the base and of the repository.")] = None,
    json: JsonOption = False,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Neither use nor fill the cache of checkpatch's reports and of the files' history "
                           "($XDG_CACHE_HOME/patchtool); PATCHTOOL_NO_CACHE=1 does the same.")] = False,
) -> int:
    """Pre-posting checks: subjects, sign-offs, trailers, whitespace, markers, applying, recipients, checkpatch."""
    import contextlib

    from patchtool import cache, render
    from patchtool.lint import fix_recipients, lint_series
    from patchtool.seriesdir import read_series, write_series

    with cache.disabled() if no_cache else contextlib.nullcontext():  # the stored patches' parses too
        folder = series_path(series)
        loaded = read_series(folder)
        git = optional_repo(repo, required=base is not None)
        if git is None:
            typer.echo("patchtool: no git repository here: only the checks that need none are run", err=True)
        if sys.stderr.isatty() and not json and git is not None:
            report = _with_progress(loaded, git, base, profile)
        else:
            report = lint_series(loaded, git, base, profile=profile)
        if fix:
            fixed, report = fix_recipients(loaded, report)
            if fixed is not loaded:
                write_series(fixed, folder)
    typer.echo(render.to_json(report_json(report, loaded.version)) if json else report_text(report))
    return 1 if report.has_errors else 0
