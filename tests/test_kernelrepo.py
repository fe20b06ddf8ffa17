"""Tests of the benchmark repository generator (benchmarks/kernelrepo.py) on a tiny instance."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from benchmarks.kernelrepo import RC_TAGS, KernelRepo, generate, make_series, open_repo

_TAG_LINE = re.compile(r"^[A-Z]:\t\S")


def _git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
               GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="test@example.org")
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          env=env, check=True).stdout


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> KernelRepo:
    return generate(tmp_path_factory.mktemp("k") / "linux", n_files=300, n_commits=10, seed=3)


def test_tree_history_and_tags(tiny: KernelRepo) -> None:
    files = _git(tiny.path, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    assert len(files) == 300
    tops = {f.split("/")[0] for f in files}
    assert {"arch", "drivers", "fs", "kernel", "mm", "net", "security", "include", "MAINTAINERS"} <= tops
    assert "fs/io_uring.c" in files and "security/selinux/hooks.c" in files
    assert int(_git(tiny.path, "rev-list", "--count", "HEAD")) == 11
    for tag in RC_TAGS:
        assert _git(tiny.path, "cat-file", "-t", tag).strip() == "tag"  # annotated
        assert tiny.tags[tag] == _git(tiny.path, "rev-parse", f"{tag}^{{commit}}").strip()
    assert tiny.tags["v5.14-rc7"] == tiny.head == _git(tiny.path, "rev-parse", "HEAD").strip()
    assert len(set(tiny.tags.values())) == len(tiny.tags)
    assert open_repo(tiny.path) == tiny


def test_maintainers_format(tiny: KernelRepo) -> None:
    text = _git(tiny.path, "cat-file", "-p", "HEAD:MAINTAINERS")
    head, sep, body = text.partition("\nMaintainers List\n----------------\n")
    assert sep and head.startswith("List of maintainers")
    blocks = [b for b in body.split("\n\n") if b.strip()]
    assert blocks[0].lstrip().startswith(".. note::")
    sections = blocks[1:]
    assert len(sections) == tiny.n_sections >= 12
    titles = []
    patterns = 0
    for block in sections:
        title, *lines = block.strip("\n").split("\n")
        assert not _TAG_LINE.match(title) and lines, block
        assert all(_TAG_LINE.match(ln) for ln in lines), block
        assert any(ln.startswith("S:\t") for ln in lines)
        assert any(ln.startswith("F:\t") for ln in lines)
        patterns += sum(ln[0] in "FXN" for ln in lines)
        titles.append(title)
    assert patterns == tiny.n_patterns
    assert titles[-1] == "THE REST" and sections[-1].rstrip().endswith("F:\t*\nF:\t*/")
    assert titles[:-1] == sorted(titles[:-1], key=lambda t: (t.casefold(), t))


def test_same_seed_same_commits(tiny: KernelRepo, tmp_path: Path) -> None:
    again = generate(tmp_path / "linux", n_files=300, n_commits=10, seed=3)
    assert (again.head, again.tags) == (tiny.head, tiny.tags)


def test_series_applies_with_git_am(tiny: KernelRepo, tmp_path: Path) -> None:
    patches = make_series(tiny, "v5.14-rc5", n_patches=4, n_files=7, seed=2, out=tmp_path / "p")
    assert [p.name[:5] for p in patches] == ["0001-", "0002-", "0003-", "0004-"]
    touched = {ln[6:] for p in patches for ln in p.read_text().splitlines() if ln.startswith("+++ b/")}
    assert len(touched) == 7
    assert f"\nbase-commit: {tiny.tags['v5.14-rc5']}\n" in patches[0].read_text()  # git puts it in the first
    again = make_series(tiny, "v5.14-rc5", n_patches=4, n_files=7, seed=2, out=tmp_path / "q")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in patches]
    # nothing of the series stays in the repository
    sha = patches[-1].read_text().split()[1]
    assert subprocess.run(["git", "-C", str(tiny.path), "cat-file", "-e", sha],
                          capture_output=True).returncode != 0

    wt = tmp_path / "wt"
    _git(tiny.path, "worktree", "add", "-q", "--detach", str(wt), "v5.14-rc5")
    try:
        _git(wt, "am", "-q", *map(str, patches))
        assert int(_git(wt, "rev-list", "--count", "v5.14-rc5..HEAD")) == 4
        # the drifted variant needs offsets or a 3-way merge on rc7, and gets it
        drifted = make_series(tiny, "v5.14-rc5", 3, 4, seed=2, out=tmp_path / "d", drift_to="v5.14-rc7")
        _git(wt, "checkout", "-q", "--detach", "v5.14-rc7")
        _git(wt, "am", "-q", "-3", *map(str, drifted))
        assert int(_git(wt, "rev-list", "--count", "v5.14-rc7..HEAD")) == 3
    finally:
        _git(tiny.path, "worktree", "remove", "--force", str(wt))
