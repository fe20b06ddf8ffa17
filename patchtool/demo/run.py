"""The demo's steps on the shipped example series: build, import, check, diffstat, lint, cover.

``run_demo`` builds the throwaway v5.14-rc5 repository (demo/build.py),
imports a temporary copy of ``series/io_uring-lsm`` and runs the rest on
it, handing each step's heading and text to ``emit``.  Steps that other
commands own (``check``, ``diffstat --by subsystem``, ``lint``) run through
``run_command`` (the CLI's entry point, given by the caller) when that
command exists in this installation; otherwise the demo prints what the
library itself can say (the applier's verdicts, the by-file stat).
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from patchtool import render
from patchtool.apply import apply_series
from patchtool.cover import cover_letter, series_base, template_for
from patchtool.datafiles import example_series
from patchtool.diffstat import StatOptions, file_stat
from patchtool.gitrepo import GitRepo
from patchtool.model import Series
from patchtool.seriesdir import read_series
from patchtool.sources import load_source

EXAMPLE = "io_uring-lsm"
DEMO_TEMPLATE = "shortlog"  # the layout of the example's own cover letter

Emit = Callable[[str, str], None]
RunCommand = Callable[[Sequence[str]], int]


@dataclass(frozen=True)
class DemoResult:
    repo: Path
    base_commit: str
    series: Series
    cover: str


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _has_subsystem_stat() -> bool:
    from patchtool import diffstat

    return (
        _has_module("patchtool.maintainers")
        and _has_module("patchtool.cli.diffstat_cmd")
        and any("subsystem" in name and callable(getattr(diffstat, name)) for name in dir(diffstat))
    )


def demo_cover(repo: GitRepo, series: Series) -> str:
    """The example's cover letter: the series' own template choice, else the example's layout."""
    own = series.render.get("cover-template") or series.render.get("template")
    return cover_letter(repo, series, template=template_for(series, None) if own else DEMO_TEMPLATE)


def _check_text(repo: GitRepo, series: Series) -> str:
    with repo.scratch() as store:
        result = apply_series(store, series_base(series, store), series.patches)
    lines = [f"{r.number:>2}/{series.total} {r.status.value:<8} {r.patch.subject.summary}" for r in result.patches]
    verdict = (
        f"applies on {result.base}: result tree {result.result_tree}"
        if result.applies
        else f"does NOT apply on {result.base}"
    )
    return "\n".join([*lines, verdict]) + "\n"


def _file_stat_text(repo: GitRepo, series: Series) -> str:
    with repo.scratch() as store:
        result = apply_series(store, series_base(series, store), series.patches)
        if result.result_tree is None:
            return "(the series does not apply: no net diffstat)\n"
        return file_stat(store, result.base_tree, result.result_tree, StatOptions.from_render(dict(series.render)))


def run_demo(dest: Path, emit: Emit, run_command: RunCommand | None = None) -> DemoResult:
    """Run every step with the repository at ``dest``; the series copy lives in a temp dir removed after."""
    from patchtool.demo.build import build_base_repo

    example = example_series(EXAMPLE)
    base_commit = build_base_repo(dest)
    repo = GitRepo.open(dest)
    emit("build", f"throwaway repository {dest}\nv5.14-rc5 = {base_commit}\n")
    with tempfile.TemporaryDirectory(prefix="patchtool-demo-") as tmp:
        copy = Path(tmp) / EXAMPLE
        shutil.copytree(example, copy)
        imported = load_source(str(copy / "patches"), name=EXAMPLE)
        series = read_series(copy)
        emit("import", f"{imported.total} patches read from {example / 'patches'}\n\n{render.show_text(series)}")

        folder, repo_arg = str(copy), str(dest)
        if run_command is not None and _has_module("patchtool.cli.check_cmd"):
            emit("check", "")
            run_command(["check", folder, "--repo", repo_arg])
        else:
            emit("check", _check_text(repo, series))

        if run_command is not None and _has_subsystem_stat():
            emit("diffstat by subsystem", "")
            run_command(["diffstat", folder, "--by", "subsystem", "--repo", repo_arg])
        else:
            emit("diffstat by file", _file_stat_text(repo, series))

        if run_command is not None and _has_module("patchtool.lint") and _has_module("patchtool.cli.lint_cmd"):
            emit("lint", "")
            run_command(["lint", folder, "--repo", repo_arg])

        cover = demo_cover(repo, series)
        emit("cover", cover)
    return DemoResult(repo=dest, base_commit=base_commit, series=series, cover=cover)
