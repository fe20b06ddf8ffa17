"""The code's shape: imports follow the data flow, git lives in one module, ruff is clean.

Data flows sources -> model -> applier -> outputs -> render/cli; a module
that imports against that flow, or a second module that runs git, fails
here rather than in review.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "patchtool"

# Each module may import only patchtool modules of a lower rank (or its own package).
RANKS = {
    "errors": 0,
    "addresses": 0,
    "tempdirs": 0,
    "fsatomic": 1,
    "cache": 1,
    "model": 1,
    "subject": 2,
    "diffnames": 1,
    "diffparse": 2,
    "gitrepo": 2,
    "maintainers": 2,
    "shortlog": 2,
    "mailmap": 3,
    "datafiles": 2,
    "mailfmt": 3,
    "sources": 3,
    "seriesdir": 4,
    "owners": 3,
    "apply": 5,
    "hunkapply": 4,
    "diffstat": 6,
    "check": 6,
    "lint": 7,
    "cover": 7,
    "export": 7,
    "lifecycle": 8,
    "render": 9,
    "demo": 10,
    "cli": 11,
}
# Only these modules may start processes or use GitPython: everything else asks gitrepo.
GIT_OWNERS = {"gitrepo"}


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        if "_data" in rel.parts or not parts:
            continue
        out.append((".".join(parts), path))
    return out


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[m for m, _ in _modules()])
def test_imports_follow_the_data_flow(module: str, path: Path) -> None:
    own = _top(module)
    rank = RANKS.get(own)
    assert rank is not None, f"patchtool/{own} has no rank in tests/test_architecture.py: give it one"
    for name in _imports(path):
        if not name.startswith("patchtool."):
            continue
        target = name.split(".")[1]
        if target == own or target not in RANKS:
            continue
        assert RANKS[target] < rank, f"{module} imports {name}: against the data flow"


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[m for m, _ in _modules()])
def test_only_gitrepo_runs_git(module: str, path: Path) -> None:
    if _top(module) in GIT_OWNERS:
        return
    bad = {n for n in _imports(path) if _top(n) in {"subprocess", "git"}}
    assert not bad, f"{module} imports {sorted(bad)}: git calls belong in patchtool/gitrepo/"


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[m for m, _ in _modules()])
def test_only_the_cli_exits(module: str, path: Path) -> None:
    if _top(module) == "cli":
        return
    text = path.read_text(encoding="utf-8")
    assert "sys.exit(" not in text, f"{module} calls sys.exit: raise BadInput and let the CLI decide"
    assert "import typer" not in text, f"{module} imports typer: the core must not know the CLI"


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    proc = subprocess.run([ruff, "check", "patchtool", "tests", "benchmarks", "tools"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_applier_refuses_the_users_repository(tmp_path: Path) -> None:
    """Writing objects or an index is only allowed through a scratch view (the user's repository is sacred)."""
    from patchtool.apply import apply_series, apply_series_git
    from patchtool.gitrepo import GitError, GitRepo

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    repo = GitRepo.open(tmp_path)
    for apply in (apply_series, apply_series_git):
        with pytest.raises(GitError, match="refusing to write into the repository"):
            apply(repo, "HEAD", ())
    with repo.scratch() as store:
        assert store.is_scratch and not repo.is_scratch
