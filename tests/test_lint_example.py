"""The example series (series/io_uring-lsm) on the demo's repository: what lint finds in the real posting.

The RFC's bodies say, in their own words, that they are not ready: "This
is still a work in progress", "as is this patch", "before this is merged".
Those statements are found, patch by patch; the only errors stay on patch
3 (the dev/test patch signed off "DO NOT COMMIT").  With
``PATCHTOOL_KERNEL_TREE`` the kernel's own ``scripts/checkpatch.pl`` is
committed on top of the demo base, and the checkpatch findings lint folds
in are exactly what the script prints for the patch files when run by
hand, with the kernel profile's options and with netdev's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from patchtool.demo.build import build_base_repo
from patchtool.gitrepo import GitRepo
from patchtool.lint import Severity, lint_series
from patchtool.lint.checkpatch import ARGS
from patchtool.lint.config import profile
from patchtool.seriesdir import read_series

from .conftest import Repo

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "series" / "io_uring-lsm"
KERNEL_TREE = os.environ.get("PATCHTOOL_KERNEL_TREE", "")
needs_checkpatch = pytest.mark.skipif(
    not (KERNEL_TREE and Path(KERNEL_TREE, "scripts", "checkpatch.pl").is_file() and shutil.which("perl")),
    reason="set PATCHTOOL_KERNEL_TREE to a Linux source tree (with scripts/checkpatch.pl) and install perl "
    "to compare with checkpatch.pl itself",
)
SUPPORT = ("scripts/checkpatch.pl", "scripts/spelling.txt", "scripts/const_structs.checkpatch")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("example") / "linux"
    build_base_repo(base)
    return base


def test_the_wip_statements_in_the_bodies_are_found(demo: Path) -> None:
    report = lint_series(read_series(EXAMPLE), GitRepo.open(demo), run_checkpatch=False)
    statements = {f.patch: f.message for f in report.findings
                  if f.rule == "wip-marker" and "says it is work not meant for merging" in f.message}
    assert sorted(statements) == [0, 1, 2, 4, 7, 8, 9]  # patch 3 shouts it: a marker word, an error
    assert statements[1].startswith('the body says it is work not meant for merging: "This is still a work in '
                                    'progress: ')
    assert statements[4] == ('the body says it is work not meant for merging: '
                             '"those are still being worked on, as is this patch."')
    assert statements[9] == ('the body says it is work not meant for merging: '
                             '"that output has to go before this is merged."')
    assert "must not be merged" in statements[0]  # the cover: patch 3 "must not be merged"
    assert {f.patch for f in report.findings if f.severity is Severity.ERROR} == {3}
    # The RFC's other patches are not flagged for what their subjects say they do.
    assert not [f for f in report.findings if f.rule == "wip-marker" and f.patch in (5, 6)]


def _with_checkpatch(demo: Path, tmp_path: Path) -> str:
    """A commit on the demo base holding the kernel's checkpatch.pl and the files it reads; its id."""
    work = Repo(tmp_path / "work")
    subprocess.run(["git", "clone", "-q", str(demo), str(work.path)], check=True, capture_output=True)
    work.git("checkout", "-q", "v5.14-rc5")
    for path in SUPPORT:
        work.write(path, Path(KERNEL_TREE, path).read_bytes())
    work.commit("scripts: the kernel's checkpatch.pl")
    tip = work.git("rev-parse", "HEAD").strip()
    subprocess.run(["git", "fetch", "-q", str(work.path), f"{tip}:refs/heads/with-checkpatch"], cwd=demo,
                   check=True, capture_output=True)
    return tip


_TERSE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<level>ERROR|WARNING|CHECK):(?P<type>[A-Z0-9_]+): "
                    r"?(?P<msg>.*)$")
_LEVEL = {"ERROR": "error", "WARNING": "warning", "CHECK": "info"}


def _by_hand(args: tuple[str, ...], checks: str) -> list[tuple[int, str, str, str]]:
    """checkpatch.pl of the kernel tree, run on the example's patch files: (patch, rule, level, message)."""
    files = [line for line in (EXAMPLE / "patches" / "series").read_text().splitlines() if line.strip()]
    proc = subprocess.run(["perl", str(Path(KERNEL_TREE, "scripts", "checkpatch.pl")), *ARGS, *args, *files],
                          cwd=EXAMPLE / "patches", capture_output=True, text=True)
    out = []
    for line in proc.stdout.splitlines():
        if m := _TERSE.match(line):
            level = checks if m["level"] == "CHECK" else _LEVEL[m["level"]]
            out.append((files.index(m["file"]) + 1, f"checkpatch:{m['type']}", level,
                        f"line {m['line']}: {m['msg'].strip()}"))
    return sorted(out)


@needs_checkpatch
@pytest.mark.parametrize("name", ["kernel", "netdev"])
def test_checkpatchs_findings_are_the_scripts_own(demo: Path, tmp_path: Path, name: str) -> None:
    tip = _with_checkpatch(demo, tmp_path)
    report = lint_series(read_series(EXAMPLE), GitRepo.open(demo), base=tip, profile=name)
    ours = sorted((f.patch, f.rule, f.severity.value, f.message) for f in report.findings
                  if f.rule.startswith("checkpatch:"))
    cfg = profile(name)
    theirs = _by_hand(cfg.checkpatch_args, cfg.checkpatch_checks)
    assert ours == theirs and theirs
    assert next(c for c in report.checks if c.check == "checkpatch").verdict == "fail"  # patch 3's BAD_SIGN_OFF
