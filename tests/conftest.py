"""Shared fixtures: real git repositories with pinned identities and dates.

Every git call in the tests runs with ``GIT_CONFIG_GLOBAL=/dev/null`` and
pinned author/committer names and dates so commit ids are reproducible
and nothing from the machine's config leaks in.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import patchtool.cli
from tests.untouched import guarded

# Every in-process patchtool call of the suite leaves the repository it works on as it was
# (tests/untouched.py); installed before any test module imports ``main``.
patchtool.cli.main = guarded(patchtool.cli.main)  # type: ignore[method-assign]

PINNED = {
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Ada Lovelace",
    "GIT_AUTHOR_EMAIL": "ada@example.org",
    "GIT_AUTHOR_DATE": "Wed, 11 Aug 2021 16:48:17 -0400",
    "GIT_COMMITTER_NAME": "Ada Lovelace",
    "GIT_COMMITTER_EMAIL": "ada@example.org",
    "GIT_COMMITTER_DATE": "Wed, 11 Aug 2021 16:48:17 -0400",
    "TZ": "UTC",
    "LC_ALL": "C",
}


@pytest.fixture(autouse=True)
def _pinned_git_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    for key, value in PINNED.items():
        monkeypatch.setenv(key, value)
    # A cache of the test's own (patchtool.cache): nothing from ~/.cache answers, nothing lands there.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    monkeypatch.delenv("PATCHTOOL_NO_CACHE", raising=False)
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                "GIT_ALTERNATE_OBJECT_DIRECTORIES"):
        monkeypatch.delenv(key, raising=False)
    yield


class Repo:
    """A throwaway repository driven by real git."""

    def __init__(self, path: Path):
        self.path = path
        self.tick = 0

    def git(self, *args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> str:
        proc = subprocess.run(
            ["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
            cwd=self.path, input=input, capture_output=True, env={**os.environ, **(env or {})},
        )
        if proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode()}")
        return proc.stdout.decode("utf-8", "surrogateescape")

    def write(self, path: str, data: str | bytes, mode: int | None = None) -> None:
        target = self.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8")
        else:
            target.write_bytes(data)
        if mode is not None:
            target.chmod(mode)

    def commit(self, message: str, *, author: str | None = None) -> str:
        """Commit everything; each commit one minute after the last, for stable ids."""
        self.tick += 1
        date = f"Wed, 11 Aug 2021 {16 + self.tick // 60:02d}:{self.tick % 60:02d}:00 -0400"
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        if author:
            name, email = author.rsplit(" <", 1)
            env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email.rstrip(">"))
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    path = tmp_path / "repo"
    path.mkdir()
    r = Repo(path)
    r.git("init", "-q", "-b", "master")
    return r
