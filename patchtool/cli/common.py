"""What the command modules share: the --repo and --json options, finding and locking the series folder.

Its own module, so that a run, which imports only the module of its
command (``patchtool.cli._register``), does not register other commands.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from patchtool.errors import BadInput

if TYPE_CHECKING:
    from patchtool.gitrepo import GitRepo
    from patchtool.model import Series

F = TypeVar("F", bound=Callable[..., Any])
RepoOption = Annotated[Path, typer.Option("--repo", help="The git repository (default: the current one).")]
JsonOption = Annotated[bool, typer.Option("--json", help='One JSON object with "schema": 1.')]


def writes_series(command: str, when: Callable[[dict[str, Any]], bool] = lambda _: True) -> Callable[[F], F]:
    """Run the command holding its series folder's lock (``fsatomic.locked``) when ``when(options)``.

    The lock spans the read, the work and the write, so a second writer
    exits 2 naming the first instead of losing its changes.
    """

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            from patchtool import fsatomic

            name = kwargs.get("series")
            folder = next((p for p in (Path(name), Path("series") / name) if (p / "series.toml").is_file()),
                          None) if isinstance(name, str) else None
            if folder is None or not when(kwargs):
                return fn(*args, **kwargs)
            with fsatomic.locked(folder, command):
                return fn(*args, **kwargs)

        return run  # type: ignore[return-value]

    return wrap


def optional_repo(repo: Path | None, *, required: bool) -> GitRepo | None:
    """The repository at ``repo`` (default: here), or None when there is none and ``required`` is false
    (the commands that still answer without one: lint, status, diffstat)."""
    from patchtool.gitrepo import GitRepo

    try:
        return GitRepo.open(repo or Path("."))
    except BadInput:
        if required or repo is not None:
            raise
        return None


def series_path(name: str) -> Path:
    """A series given by folder path, or by name under ./series/.

    Every command finds its series here, so this is the one place that
    prints (on stderr) the warnings about its series.toml: keys that look
    like typos of known ones, values whose whitespace was trimmed.
    """
    from patchtool.seriesdir import toml_warnings

    path = Path(name)
    if not (path / "series.toml").is_file():
        path = Path("series") / name
        if not (path / "series.toml").is_file():
            raise BadInput("not a series folder (no series.toml)", source=name)
    for line in toml_warnings(path):
        typer.echo(f"patchtool: warning: {line}", err=True)
    return path


def load_series(name: str) -> tuple[Path, Series]:
    """The series folder ``name`` names (warnings printed by ``series_path``) and the series read from it."""
    from patchtool.seriesdir import read_series

    folder = series_path(name)
    return folder, read_series(folder)


# Work that is done sooner (a warm cache, a short series) shows no progress line at all.
PROGRESS_DELAY = 0.3


@contextlib.contextmanager
def stage_progress(label: str, *, show: bool) -> Iterator[Callable[[str], None]]:
    """A transient progress line on stderr naming the stage running (``step(name)``), shown once the work
    has taken ``PROGRESS_DELAY``; nothing when not ``show`` (piped, ``--json``)."""
    if not show:
        yield lambda _stage: None
        return
    import threading

    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn(label), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("", total=None, visible=False)
        shown = threading.Timer(PROGRESS_DELAY, lambda: progress.update(task, visible=True))
        shown.daemon = True
        shown.start()
        try:
            yield lambda stage: progress.update(task, description=stage)
        finally:
            shown.cancel()
