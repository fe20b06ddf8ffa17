"""``patchtool demo``: the whole job on the shipped example series, in a throwaway repository."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from patchtool.cli.app import app
from patchtool.errors import BadInput


@app.command("demo")
def demo_cmd(
    directory: Annotated[Path | None, typer.Argument(
        help="Build the repository here (kept); default: a temporary folder, removed afterwards.")] = None,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="No step uses or fills the cache ($XDG_CACHE_HOME/patchtool).")] = False,
) -> int:
    """Build a v5.14-rc5 stand-in repository, then import, check, diffstat, lint and cover io_uring-lsm."""
    from patchtool import cache
    from patchtool.cli import main
    from patchtool.demo.run import run_demo

    def emit(heading: str, text: str) -> None:
        typer.echo(f"\n=== {heading} ===")
        if text:
            typer.echo(text, nl=not text.endswith("\n"))

    def run_command(argv: list[str] | tuple[str, ...]) -> int:
        return main(list(argv))

    if directory is not None:
        if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
            raise BadInput("must be a new or empty folder", source=str(directory))
        with cache.disabled() if no_cache else contextlib.nullcontext():
            run_demo(directory.absolute(), emit, run_command)  # its git commands run in other folders
        typer.echo(f"\nthe repository stays in {directory}")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="patchtool-demo-repo-"))
    try:
        with cache.disabled() if no_cache else contextlib.nullcontext():
            run_demo(tmp / "linux", emit, run_command)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0
