"""``patchtool export``: format-patch files (or an mbox) ready for send-email, or a branch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from patchtool.cli.app import app
from patchtool.cli.common import RepoOption, load_series, writes_series
from patchtool.cli.cover_cmd import BaseOverride
from patchtool.errors import BadInput
from patchtool.model import Series


@app.command("export")
@writes_series("export")
def export_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The folder for the patch files.")] = None,
    repo: RepoOption = Path("."),
    mbox: Annotated[Path | None, typer.Option("--mbox", help="Also write every mail into this one mbox.")] = None,
    thread: Annotated[str, typer.Option("--thread", help="shallow (all reply to the cover) or deep.")] = "shallow",
    branch: Annotated[str | None, typer.Option("--branch", help="Write the series as commits on this new branch.")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="Let --branch move an existing branch.")] = False,
    template: Annotated[str | None, typer.Option(
        "--template", help="The cover template (default: the series' [render] template, else git).")] = None,
    base: BaseOverride = None,
    in_reply_to: Annotated[str | None, typer.Option(
        "--in-reply-to", help="Thread the cover under this Message-Id, or `previous`: the last version's cover.")]
    = None,
    with_range_diff: Annotated[bool, typer.Option(
        "--range-diff", help="Add `Range-diff against vN:` for the newest version kept in history/.")] = False,
) -> int:
    """Write the cover letter and patches as `git format-patch --cover-letter --thread --base` would."""
    from patchtool.export import THREAD_STYLES, record_posting, write_branch, write_files
    from patchtool.gitrepo import GitRepo
    from patchtool.lifecycle.base import based_on
    from patchtool.lifecycle.posting import render_posting
    from patchtool.seriesdir import write_series

    if thread not in THREAD_STYLES:
        raise BadInput(f"--thread must be one of {', '.join(THREAD_STYLES)}, not {thread!r}")
    if output is None and mbox is None and branch is None:
        raise BadInput("nothing to write: give -o DIR, --mbox FILE or --branch NAME")
    folder, loaded = load_series(series)
    git_repo = GitRepo.open(repo)
    stored, loaded = loaded, (based_on(git_repo, loaded, base) if base is not None else loaded)
    parent = _previous_cover(folder, stored) if in_reply_to == "previous" else in_reply_to
    changes = ""
    if with_range_diff:
        from patchtool.lifecycle.rangediff import against_previous

        changes = against_previous(git_repo, folder, loaded)
    with git_repo.scratch() as store:
        posting = render_posting(store, loaded, thread=thread, in_reply_to=parent, template=template,
                                 range_diff=changes, cover=output is not None or mbox is not None)
        export = posting.export
        if output is not None or mbox is not None:
            for path in write_files(export, posting.cover_text, output, mbox):
                typer.echo(str(path))
            recorded = record_posting(stored, export)  # --base was for this run only
            if recorded is not None:
                write_series(recorded, folder)
                typer.echo(f"Message-Ids recorded in {folder / 'series.toml'} [posted.v{loaded.version}]")
        if branch is not None:
            tip = write_branch(git_repo, store, export, branch, force=force)
            typer.echo(f"branch {branch}: {tip}")
    return 0


def _previous_cover(folder: Path, series: Series) -> str:
    """``--in-reply-to previous``: the Message-Id of the cover of the newest version kept in history/."""
    from patchtool.export import posted_cover_id
    from patchtool.lifecycle.rangediff import previous_version, series_version

    version = previous_version(folder, series.version)
    found = posted_cover_id(version, series_version(folder, version), series)
    if found is None:
        raise BadInput(f"--in-reply-to previous: no Message-Id known for the v{version} cover (no "
                       f"[[posted.v{version}]] record, [cover] message-id or lore link in [links]): "
                       "give --in-reply-to MSGID",
                       source=str(folder))
    return found
