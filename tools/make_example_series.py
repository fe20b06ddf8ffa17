#!/usr/bin/env python3
"""Regenerates the example series ``series/io_uring-lsm`` and its test mbox.

A developer tool, run by hand (idempotent: running it twice gives the same
files, apart from the git version in the patches' signature if git changes).
It owns the *making* of the example; the files it writes are:

* ``series/io_uring-lsm/patches/*.patch`` and ``patches/series``,
* ``series/io_uring-lsm/series.toml`` and ``cover.txt``,
* ``tests/data/io_uring-lsm-thread.mbox``.

How: build the v5.14-rc5 stand-in with ``patchtool.demo.build.build_base_repo``
in a temporary directory, make the 9 commits from ``tools/example_src/``
(``NNNN.msg`` is the commit message, ``NNNN.edits`` the edits, see
``parse_edits``), check that git sees exactly the numbers of the facts
(per-patch numstat, net numstat, ``--stat=68`` diffstat, ``shortlog -w``),
and fail loudly if not; then ``git format-patch`` the range.

Usage::

    .venv/bin/python tools/make_example_series.py [--keep-repo DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from patchtool.demo.build import BASE_TAG, build_base_repo, git_env  # noqa: E402

SRC = ROOT / "tools" / "example_src"
SERIES = ROOT / "series" / "io_uring-lsm"
MBOX = ROOT / "tests" / "data" / "io_uring-lsm-thread.mbox"

PAUL = ("Paul Moore", "paul@paul-moore.com")
CASEY = ("Casey Schaufler", "casey@schaufler-ca.com")
AUTHORS = {9: CASEY}

FIRST_PATCH_DATE = parsedate_to_datetime("Wed, 11 Aug 2021 16:48:17 -0400")
PATCH_STEP_SECONDS = 6

COVER_FROM = "Paul Moore <paul@paul-moore.com>"
COVER_DATE = "Wed, 11 Aug 2021 16:48:11 -0400"
COVER_MSGID = "<162871480969.63873.9434591871437326374.stgit@olly>"
TITLE = "Add LSM access controls and auditing to io_uring"
TO = [
    "linux-security-module@vger.kernel.org",
    "selinux@vger.kernel.org",
    "linux-audit@redhat.com",
    "io-uring@vger.kernel.org",
    "linux-fsdevel@vger.kernel.org",
    "Kumar Kartikeya Dwivedi <memxor@gmail.com>",
    "Jens Axboe <axboe@kernel.dk>",
    "Pavel Begunkov <asml.silence@gmail.com>",
]
V1_LINK = "https://lore.kernel.org/r/162163367115.8379.8459012634106035341.stgit@sifl"

# The facts: each patch's own numstat, file -> (insertions, deletions).
PER_PATCH: dict[int, dict[str, tuple[int, int]]] = {
    1: {"kernel/audit.h": (4, 1), "kernel/auditsc.c": (163, 93)},
    2: {
        "fs/io-wq.c": (4, 0),
        "fs/io_uring.c": (49, 6),
        "include/linux/audit.h": (26, 0),
        "include/uapi/linux/audit.h": (1, 0),
        "kernel/audit.h": (2, 0),
        "kernel/auditsc.c": (174, 0),
    },
    3: {"kernel/auditsc.c": (4, 0)},
    4: {
        "include/uapi/linux/audit.h": (2, 1),
        "kernel/audit_tree.c": (2, 1),
        "kernel/audit_watch.c": (2, 1),
        "kernel/auditfilter.c": (12, 3),
        "kernel/auditsc.c": (50, 15),
    },
    5: {"fs/anon_inodes.c": (29, 0), "include/linux/anon_inodes.h": (4, 0)},
    6: {"fs/io_uring.c": (2, 2)},
    7: {
        "fs/io_uring.c": (10, 0),
        "include/linux/lsm_hook_defs.h": (5, 0),
        "include/linux/lsm_hooks.h": (13, 0),
        "include/linux/security.h": (16, 0),
        "security/security.c": (12, 0),
    },
    8: {"security/selinux/hooks.c": (34, 0), "security/selinux/include/classmap.h": (2, 0)},
    9: {"security/smack/smack_lsm.c": (64, 0)},
}

# The facts: the net change base..tip (not the sum: patch 4 rewrites lines of
# kernel/auditsc.c that patches 1-3 added).
NET: dict[str, tuple[int, int]] = {
    "fs/anon_inodes.c": (29, 0),
    "fs/io-wq.c": (4, 0),
    "fs/io_uring.c": (61, 8),
    "include/linux/anon_inodes.h": (4, 0),
    "include/linux/audit.h": (26, 0),
    "include/linux/lsm_hook_defs.h": (5, 0),
    "include/linux/lsm_hooks.h": (13, 0),
    "include/linux/security.h": (16, 0),
    "include/uapi/linux/audit.h": (3, 1),
    "kernel/audit.h": (6, 1),
    "kernel/audit_tree.c": (2, 1),
    "kernel/audit_watch.c": (2, 1),
    "kernel/auditfilter.c": (12, 3),
    "kernel/auditsc.c": (383, 100),
    "security/security.c": (12, 0),
    "security/selinux/hooks.c": (34, 0),
    "security/selinux/include/classmap.h": (2, 0),
    "security/smack/smack_lsm.c": (64, 0),
}

# What the cover letter of the posting shows: `git diff --stat=68 base HEAD`.
EXPECTED_DIFFSTAT = """\
 fs/anon_inodes.c                    |  29 ++
 fs/io-wq.c                          |   4 +
 fs/io_uring.c                       |  69 +++-
 include/linux/anon_inodes.h         |   4 +
 include/linux/audit.h               |  26 ++
 include/linux/lsm_hook_defs.h       |   5 +
 include/linux/lsm_hooks.h           |  13 +
 include/linux/security.h            |  16 +
 include/uapi/linux/audit.h          |   4 +-
 kernel/audit.h                      |   7 +-
 kernel/audit_tree.c                 |   3 +-
 kernel/audit_watch.c                |   3 +-
 kernel/auditfilter.c                |  15 +-
 kernel/auditsc.c                    | 483 +++++++++++++++++++-----
 security/security.c                 |  12 +
 security/selinux/hooks.c            |  34 ++
 security/selinux/include/classmap.h |   2 +
 security/smack/smack_lsm.c          |  64 ++++
 18 files changed, 678 insertions(+), 115 deletions(-)
"""

# `git shortlog -w base..HEAD`; the archived cover lost the two continuation
# lines ("syscalls", "anon_inode_getfd_secure()"), git prints them.
EXPECTED_SHORTLOG = """\
Casey Schaufler (1):
      Smack: Brutalist io_uring support with debug

Paul Moore (8):
      audit: prepare audit_context for use in calling contexts beyond
         syscalls
      audit,io_uring,io-wq: add some basic audit support to io_uring
      audit: dev/test patch to force io_uring auditing
      audit: add filtering for io_uring records
      fs: add anon_inode_getfile_secure() similar to
         anon_inode_getfd_secure()
      io_uring: convert io_uring to the secure anon inode interface
      lsm,io_uring: add LSM hooks to io_uring
      selinux: add support for the io_uring access controls

"""

CHANGES_V2 = """\
- audit: io_uring ops are now audited selectively, ops that cannot \
change anything (nop, timeouts, cancels, ...) are skipped
- audit: new AUDIT_FILTER_URING_EXIT list so io_uring records can be \
filtered on their own
- lsm: hook names now start with uring_ (uring_override_creds, uring_sqpoll)
- selinux: permissions moved to a new io_uring class
- fs: new anon_inode_getfile_secure() helper, io_uring uses it
- rebased on v5.14-rc5"""


class SeriesError(Exception):
    """The example does not come out as the facts say."""


# ---------------------------------------------------------------- git calls


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "core.quotePath=false",
         "-c", "color.ui=false", "-c", "diff.algorithm=myers", "-C", str(repo), *args],
        env=env or git_env(*PAUL, "Wed, 11 Aug 2021 16:48:11 -0400"),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SeriesError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


# ---------------------------------------------------------------- edits


@dataclass(frozen=True)
class Edit:
    path: str
    mode: str  # "replace", "after" or "before"
    anchor: str
    text: str


_EDIT_RE = re.compile(
    r"^<<<(?: (?P<mode>after|before))?\n(?P<anchor>.*?)^\|\|\|\n(?P<text>.*?)^>>>\n",
    re.S | re.M,
)


def parse_edits(source: str) -> list[Edit]:
    """Parse an ``NNNN.edits`` file.

    ``=== path`` starts a file; then blocks::

        <<<            <<< after          <<< before
        old lines      anchor lines       anchor lines
        |||            |||                |||
        new lines      inserted lines     inserted lines
        >>>            >>>                >>>

    Each old/anchor text must occur exactly once in the file at that point.
    Lines starting with ``#`` between blocks are comments.
    """
    edits: list[Edit] = []
    for chunk in re.split(r"^=== ", source, flags=re.M)[1:]:
        path, _, body = chunk.partition("\n")
        pos = 0
        for m in _EDIT_RE.finditer(body):
            between = body[pos : m.start()]
            if any(line and not line.startswith("#") for line in between.splitlines()):
                raise SeriesError(f"{path}: stray text between edits: {between!r}")
            pos = m.end()
            edits.append(Edit(path.strip(), m["mode"] or "replace", m["anchor"], m["text"]))
        tail = body[pos:]
        if any(line and not line.startswith("#") for line in tail.splitlines()):
            raise SeriesError(f"{path}: stray text after edits: {tail!r}")
    return edits


def apply_edit(tree: Path, edit: Edit) -> None:
    path = tree / edit.path
    text = path.read_text()
    count = text.count(edit.anchor)
    if count != 1:
        raise SeriesError(f"{edit.path}: anchor found {count} times:\n{edit.anchor}")
    if edit.mode == "replace":
        new = edit.text
    elif edit.mode == "after":
        new = edit.anchor + edit.text
    else:
        new = edit.text + edit.anchor
    path.write_text(text.replace(edit.anchor, new))


# ---------------------------------------------------------------- commits


def patch_date(n: int) -> str:
    from datetime import timedelta

    return format_datetime(FIRST_PATCH_DATE + timedelta(seconds=PATCH_STEP_SECONDS * (n - 1)))


def make_commits(repo: Path, upto: int = 9) -> list[str]:
    commits = []
    for n in range(1, upto + 1):
        message = (SRC / f"{n:04d}.msg").read_text()
        for edit in parse_edits((SRC / f"{n:04d}.edits").read_text()):
            apply_edit(repo, edit)
        author = AUTHORS.get(n, PAUL)
        env = git_env(*PAUL, patch_date(n))
        env["GIT_AUTHOR_NAME"], env["GIT_AUTHOR_EMAIL"] = author
        git(repo, "add", "--all", env=env)
        _commit(repo, message, env)
        commits.append(git(repo, "rev-parse", "HEAD").strip())
    return commits


def _commit(repo: Path, message: str, env: dict[str, str]) -> None:
    proc = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-C", str(repo), "commit", "-q",
         "--no-verify", "--cleanup=whitespace", "-F", "-"],
        input=message, env=env, capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        raise SeriesError(f"git commit: {proc.stderr.strip()}")


# ---------------------------------------------------------------- checks


def numstat(out: str) -> dict[str, tuple[int, int]]:
    result = {}
    for line in out.splitlines():
        if not line.strip():
            continue
        ins, dels, path = line.split("\t")
        result[path] = (int(ins), int(dels))
    return result


def check(repo: Path, commits: list[str]) -> list[str]:
    problems = []
    for n, commit in enumerate(commits, 1):
        got = numstat(git(repo, "show", "--numstat", "--format=", commit))
        if got != PER_PATCH[n]:
            problems.append(f"patch {n}: numstat {got} != {PER_PATCH[n]}")
    got = numstat(git(repo, "diff", "--numstat", BASE_TAG, "HEAD"))
    if got != NET:
        diff = {k: (got.get(k), NET.get(k)) for k in set(got) | set(NET) if got.get(k) != NET.get(k)}
        problems.append(f"net numstat differs (got, want): {diff}")
    stat = git(repo, "diff", "--stat=68", BASE_TAG, "HEAD")
    if stat != EXPECTED_DIFFSTAT:
        problems.append(f"diffstat:\n{stat}")
    shortlog = git(repo, "shortlog", "-w", f"{BASE_TAG}..HEAD")
    if shortlog != EXPECTED_SHORTLOG:
        problems.append(f"shortlog:\n{shortlog}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-repo", type=Path, help="build the repository here and keep it")
    parser.add_argument("--check-only", action="store_true", help="build and check, write nothing")
    parser.add_argument("--upto", type=int, default=9, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="patchtool-example-") as tmp:
        repo = args.keep_repo or Path(tmp) / "linux"
        base = build_base_repo(repo)
        commits = make_commits(repo, args.upto)
        if args.upto < 9:  # while writing the edits: show what git sees so far
            for n, commit in enumerate(commits, 1):
                print(n, numstat(git(repo, "show", "--numstat", "--format=", commit)))
            print("net", numstat(git(repo, "diff", "--numstat", BASE_TAG, "HEAD")))
            return 0
        problems = check(repo, commits)
        if problems:
            for p in problems:
                print(p, file=sys.stderr)
            raise SystemExit("the example series does not match the facts")
        if args.check_only:
            print(f"ok: base {base}")
            return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
