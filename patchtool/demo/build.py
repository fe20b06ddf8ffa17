"""Builds the throwaway "kernel" repositories the example series applies to.

This module owns the demo base tree: turning the files shipped under
``patchtool/demo/base/`` into a git repository whose commit ids are the same
on every machine, every time.

``build_base_repo(dest)``
    One root commit holding every file of ``base/`` ("Linux 5.14-rc5", by
    Linus Torvalds, Sun, 8 Aug 2021 13:49:33 -0700) and an annotated tag
    ``v5.14-rc5`` on it.  Returns the commit id that ``series.toml``'s
    ``base-commit`` names.

``build_upstream(dest)``
    The same, plus two later "upstream" commits, each with an annotated tag,
    for check matrices and rebase examples:

    * ``v5.14-rc6``: an unrelated change (Makefile version, a README line, a
      comment in fs/io-wq.c far from the series' hunk).  The series applies
      to it cleanly, every hunk where the patches say.
    * ``v5.14-rc7``: on top of rc6, inserts a helper of ``UPSTREAM_RC7_LINES``
      lines above ``io_init_req()`` in fs/io_uring.c.  Every later hunk of
      the series in that file then applies with an offset of that many lines
      (patch 2 partly, patches 6 and 7), and nothing conflicts.

All git calls go through ``patchtool.gitrepo.GitRepo`` (its scrubbed
environment) with no global, system or environment config, pinned names,
e-mails and dates, ``commit.gpgsign=false`` (objects written here are never
signed) and ``init.defaultBranch=master``.  Only the repository at ``dest``
is touched.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from patchtool.gitrepo import GitRepo

BASE_TAG = "v5.14-rc5"
BASE_MESSAGE = "Linux 5.14-rc5"
BASE_DATE = "Sun, 8 Aug 2021 13:49:33 -0700"
LINUS = ("Linus Torvalds", "torvalds@linux-foundation.org")

RC6_DATE = "Sun, 15 Aug 2021 13:40:53 -1000"
RC7_DATE = "Sun, 22 Aug 2021 14:24:56 -0700"
UPSTREAM_RC7_LINES = 7

# -c overrides on every call: never sign what we write (a user's signing setup
# must not change or break the ids), a fixed branch name, no user-wide
# attributes or ignore files (GIT_CONFIG_GLOBAL does not cover the XDG
# defaults of these two), and no quoting or colour in anything we read back.
_GIT_CONFIG = (
    "commit.gpgsign=false",
    "tag.gpgsign=false",
    "init.defaultBranch=master",
    "core.autocrlf=false",
    "core.attributesFile=/dev/null",
    "core.excludesFile=/dev/null",
    "core.quotePath=false",
    "color.ui=false",
)
_GIT_C = [arg for setting in _GIT_CONFIG for arg in ("-c", setting)]


def git_env(name: str, email: str, date: str) -> dict[str, str]:
    """Pinned identity and dates, and no config but the repository's own.

    ``GitRepo.run`` already drops the variables that would point git at
    another repository; these override everything else git reads from the
    environment or the user's files.
    """
    return {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_COUNT": "0",
        "GIT_CONFIG_PARAMETERS": "",
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": date,
        "TZ": "UTC",
    }


def _git(repo: Path, env: dict[str, str], *args: str) -> str:
    out = GitRepo(repo / ".git", repo).run(*_GIT_C, *args, env=env)
    return out.decode("utf-8", "replace")


def _walk(node: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        rel = f"{prefix}{child.name}"
        if child.is_dir():
            if child.name == "__pycache__":
                continue
            yield from _walk(child, rel + "/")
        else:
            yield rel, child


def base_files() -> dict[str, bytes]:
    """The shipped base tree: relative path -> content."""
    root = resources.files("patchtool.demo") / "base"
    return {rel: node.read_bytes() for rel, node in _walk(root)}


def _prepare(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise FileExistsError(f"{dest}: must not exist or be an empty directory")
    dest.mkdir(parents=True, exist_ok=True)


def _write_tree(dest: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o644)  # git records only the x bit; keep it off everywhere


def _commit_all(dest: Path, env: dict[str, str], message: str) -> str:
    _git(dest, env, "add", "--all")
    _git(dest, env, "commit", "-q", "--no-verify", "-m", message)
    return _git(dest, env, "rev-parse", "HEAD").strip()


def _tag(dest: Path, env: dict[str, str], tag: str, message: str) -> None:
    _git(dest, env, "tag", "-a", "-m", message, tag)


def build_base_repo(dest: Path) -> str:
    """Create the v5.14-rc5 stand-in repository at ``dest``; return its commit id."""
    dest = Path(dest)
    _prepare(dest)
    env = git_env(*LINUS, BASE_DATE)
    # --template= keeps the sample hooks and info/ of the local git install out.
    _git(dest, env, "init", "-q", "--template=")
    _write_tree(dest, base_files())
    commit = _commit_all(dest, env, BASE_MESSAGE)
    _tag(dest, env, BASE_TAG, BASE_MESSAGE)
    return commit


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    if text.count(old) != 1:
        raise RuntimeError(f"{path}: expected exactly one {old!r}")
    path.write_text(text.replace(old, new))


_RC6_IO_WQ_OLD = "/* one worker thread */\n"
_RC6_IO_WQ_NEW = "/* one worker thread, on the free list when idle */\n"

_RC7_IO_URING_ANCHOR = "static const struct file_operations io_uring_fops;\n"
_RC7_IO_URING_HELPER = (
    "\n"
    '/* a personality id of zero means "use the submitter\'s own creds" */\n'
    "static inline bool io_req_has_personality(const struct io_uring_sqe *sqe)\n"
    "{\n"
    "\treturn READ_ONCE(sqe->personality) != 0;\n"
    "}\n"
    "\n"
)


def build_upstream(dest: Path) -> dict[str, str]:
    """Create rc5, rc6 and rc7 at ``dest``; return tag -> commit id."""
    dest = Path(dest)
    commits = {BASE_TAG: build_base_repo(dest)}

    env = git_env(*LINUS, RC6_DATE)
    _replace_once(dest / "Makefile", "EXTRAVERSION = -rc5\n", "EXTRAVERSION = -rc6\n")
    _replace_once(dest / "README", "v5.14-rc5", "v5.14-rc5 and the rcs after it")
    _replace_once(dest / "fs/io-wq.c", _RC6_IO_WQ_OLD, _RC6_IO_WQ_NEW)
    commits["v5.14-rc6"] = _commit_all(dest, env, "Linux 5.14-rc6")
    _tag(dest, env, "v5.14-rc6", "Linux 5.14-rc6")

    env = git_env(*LINUS, RC7_DATE)
    _replace_once(dest / "Makefile", "EXTRAVERSION = -rc6\n", "EXTRAVERSION = -rc7\n")
    helper = _RC7_IO_URING_HELPER
    assert helper.count("\n") == UPSTREAM_RC7_LINES
    _replace_once(dest / "fs/io_uring.c", _RC7_IO_URING_ANCHOR, _RC7_IO_URING_ANCHOR + helper)
    commits["v5.14-rc7"] = _commit_all(dest, env, "Linux 5.14-rc7")
    _tag(dest, env, "v5.14-rc7", "Linux 5.14-rc7")
    return commits
