#!/usr/bin/env python3
"""Regenerates the example series ``series/io_uring-lsm`` and its test mbox.

A developer tool, run by hand from the repository root::

    .venv/bin/python tools/make_example_series.py [--keep-repo DIR] [--check-only]

It owns the *making* of the example; the files it writes are

* ``series/io_uring-lsm/patches/*.patch`` and ``patches/series`` (quilt order),
* ``series/io_uring-lsm/series.toml`` and ``cover.txt``,
* ``tests/data/io_uring-lsm-thread.mbox``.

How: build the v5.14-rc5 stand-in with ``patchtool.demo.build.build_base_repo``
in a temporary directory (or ``--keep-repo DIR``), make the 9 commits from
``tools/example_src/`` (``NNNN.msg`` is the commit message, ``NNNN.edits`` the
edits, see ``parse_edits``; pinned authors, committer Paul Moore, dates
16:48:17 -0400 plus 6 s per patch), check that git sees exactly the numbers of
the facts (each patch's numstat, the net numstat, ``diff --stat=68`` and
``shortlog -w``) and stop with the differences if not, then ``git
format-patch --base=v5.14-rc5`` the range.

Idempotent: a second run rewrites the same bytes.  The one thing outside our
control is the ``-- `` signature git puts at the end of each file in
``patches/`` (the git version); the mbox is made with ``--no-signature``.
The counts depend on git's default (myers) diff, pinned with
``diff.algorithm=myers``; several edits were shaped so that the net diff
cannot pair a line deleted by one patch with a line added by another.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from patchtool.demo.build import BASE_TAG, build_base_repo, git_env  # noqa: E402

sys.path.insert(0, str(ROOT / "tools"))
from example_facts import NET, PER_PATCH  # noqa: E402

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
- audit: audit io_uring ops selectively, skip the pure data movement ops
- audit: add a separate filter list for io_uring ops
- lsm: hooks renamed to uring_override_creds and uring_sqpoll
- selinux: move the permissions to a new io_uring object class
- fs: add anon_inode_getfile_secure() and use it for the io_uring file
- rebase onto v5.14-rc5"""


class SeriesError(Exception):
    """The example does not come out as the facts say."""


# ---------------------------------------------------------------- git calls


# myers is git's default, pinned so that a user's diff.algorithm cannot change
# the counts; abbrev=12 gives kernel-style index lines; nothing we write is
# signed.
_GIT_CONFIG = (
    "commit.gpgsign=false",
    "core.quotePath=false",
    "color.ui=false",
    "diff.algorithm=myers",
    "core.abbrev=12",
)
_GIT = ["git", *(arg for setting in _GIT_CONFIG for arg in ("-c", setting))]


def pinned_env(date: str, author: tuple[str, str] = PAUL) -> dict[str, str]:
    """The caller's environment without GIT_*, plus build.py's pinned git settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(git_env(*PAUL, date))
    env["GIT_AUTHOR_NAME"], env["GIT_AUTHOR_EMAIL"] = author
    return env


def git(repo: Path, *args: str, env: dict[str, str] | None = None, stdin: str = "") -> str:
    proc = subprocess.run(
        [*_GIT, "-C", str(repo), *args],
        env=env or pinned_env(COVER_DATE),
        input=stdin,
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
    return format_datetime(FIRST_PATCH_DATE + timedelta(seconds=PATCH_STEP_SECONDS * (n - 1)))


def make_commits(repo: Path, upto: int = 9) -> list[str]:
    commits = []
    for n in range(1, upto + 1):
        message = (SRC / f"{n:04d}.msg").read_text()
        for edit in parse_edits((SRC / f"{n:04d}.edits").read_text()):
            apply_edit(repo, edit)
        env = pinned_env(patch_date(n), AUTHORS.get(n, PAUL))
        git(repo, "add", "--all", env=env)
        git(repo, "commit", "-q", "--no-verify", "--cleanup=whitespace", "-F", "-", env=env, stdin=message)
        commits.append(git(repo, "rev-parse", "HEAD").strip())
    return commits


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
        if got != PER_PATCH[n - 1]:
            problems.append(f"patch {n}: numstat {got} != {PER_PATCH[n - 1]}")
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


# ---------------------------------------------------------------- outputs


def write_patches(repo: Path, patches_dir: Path) -> list[str]:
    """`git format-patch` the range into patches/ and write the quilt series file."""
    patches_dir.mkdir(parents=True, exist_ok=True)
    for old in patches_dir.glob("*.patch"):
        old.unlink()
    out = git(repo, "format-patch", f"--base={BASE_TAG}", "-o", str(patches_dir), f"{BASE_TAG}..HEAD")
    names = [Path(line).name for line in out.splitlines() if line.strip()]
    if len(names) != 9:
        raise SeriesError(f"format-patch wrote {len(names)} patches, not 9")
    (patches_dir / "series").write_text("".join(f"{name}\n" for name in names))
    return names


def series_toml(base: str) -> str:
    to = ", ".join(f'"{addr}"' for addr in TO)
    return f"""\
title = "{TITLE}"
version = 2
rfc = true
prefix = "PATCH"
base = "{BASE_TAG}"
base-commit = "{base}"
to = [{to}]
cc = []
branch = "working-io_uring"

[cover]
from = "{COVER_FROM}"
date = "{COVER_DATE}"
message-id = "{COVER_MSGID}"

[links]
1 = "{V1_LINK}"

[changes]
2 = \"\"\"{CHANGES_V2}\"\"\"

[render]
template = "shortlog"
stat-width = 68
"""


def stgit_msgid(n: int) -> str:
    """A Message-ID shaped like the ones stgit makes: <time+cs.pid.random.stgit@host>."""
    seconds = int(FIRST_PATCH_DATE.timestamp()) + PATCH_STEP_SECONDS * (n - 1)
    digest = hashlib.sha256(f"io_uring-lsm v2 patch {n}".encode()).hexdigest()
    centis = int(digest[:2], 16) % 100
    rand = int(digest[2:18], 16) % 10**19
    return f"<{seconds}{centis:02d}.63873.{rand:019d}.stgit@olly>"


def fold_addresses(name: str, addrs: list[str]) -> str:
    return f"{name}: " + ",\n    ".join(addrs)


def split_mail(text: str) -> tuple[list[str], str]:
    """Header lines (folded ones joined) and body of one format-patch file."""
    head, _, body = text.partition("\n\n")
    headers: list[str] = []
    for line in head.splitlines():
        if line[:1] in (" ", "\t") and headers:
            headers[-1] += "\n" + line
        else:
            headers.append(line)
    return headers, body


def header(headers: list[str], name: str) -> str:
    for h in headers:
        if h.lower().startswith(name.lower() + ":"):
            return h
    raise SeriesError(f"no {name} header")


def mboxrd_escape(body: str) -> str:
    return re.sub(r"^(>*From )", r">\1", body, flags=re.M)


def build_mbox(repo: Path) -> str:
    """The posting as a thread: cover, 9 patches in reply to it, 3 replies."""
    messages: list[str] = []
    separator = "From mboxrd@z Thu Jan  1 00:00:00 1970\n"
    with tempfile.TemporaryDirectory(prefix="patchtool-mbox-") as tmp:
        # No signature: the posting was made with stgit, which adds none,
        # and the mbox must not depend on the local git version.
        git(
            repo,
            "format-patch",
            "--cover-letter",
            "--subject-prefix=RFC PATCH v2",
            f"--base={BASE_TAG}",
            "--no-signature",
            f"--from={COVER_FROM}",
            "-o",
            tmp,
            f"{BASE_TAG}..HEAD",
        )
        files = sorted(Path(tmp).glob("*.patch"))
        if len(files) != 10:
            raise SeriesError(f"format-patch --cover-letter wrote {len(files)} files")
        cover = (SRC / "cover.txt").read_text().rstrip("\n")
        subjects: dict[int, str] = {}
        for n, path in enumerate(files):
            headers, body = split_mail(path.read_text())
            if n == 0:
                subject = f"Subject: [RFC PATCH v2 0/9] {TITLE}"
                if "*** BLURB HERE ***" not in body:
                    raise SeriesError("cover letter template changed")
                body = body.replace("*** BLURB HERE ***", cover)
                date, msgid, threading = COVER_DATE, COVER_MSGID, []
            else:
                subject = header(headers, "Subject")
                date, msgid = patch_date(n), stgit_msgid(n)
                threading = [f"In-Reply-To: {COVER_MSGID}", f"References: {COVER_MSGID}"]
            subjects[n] = " ".join(subject.split("\n"))[len("Subject: ") :].replace("  ", " ")
            lines = [
                f"From: {COVER_FROM}",
                subject,
                f"Date: {date}",
                f"Message-ID: {msgid}",
                *threading,
                fold_addresses("To", TO),
                "MIME-Version: 1.0",
                'Content-Type: text/plain; charset="utf-8"',
                "Content-Transfer-Encoding: 7bit",
            ]
            messages.append(separator + "\n".join(lines) + "\n\n" + mboxrd_escape(body))

    for n in (5, 0, 9):
        headers, body = split_mail((SRC / f"reply-{n}.eml").read_text())
        parent = COVER_MSGID if n == 0 else stgit_msgid(n)
        refs = COVER_MSGID if n == 0 else f"{COVER_MSGID}\n {parent}"
        lines = [
            *[h for h in headers if not h.lower().startswith("content-")],
            f"Subject: Re: {subjects[n]}",
            f"In-Reply-To: {parent}",
            f"References: {refs}",
            f"To: {COVER_FROM}",
            fold_addresses("Cc", TO),
            "MIME-Version: 1.0",
            *[h for h in headers if h.lower().startswith("content-")],
        ]
        messages.append(separator + "\n".join(lines) + "\n\n" + mboxrd_escape(body))
    for m in messages:
        if not m.endswith("\n"):
            raise SeriesError("a message does not end with a newline")
    return "\n".join(messages)


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

        names = write_patches(repo, SERIES / "patches")
        (SERIES / "series.toml").write_text(series_toml(base))
        shutil.copyfile(SRC / "cover.txt", SERIES / "cover.txt")
        MBOX.parent.mkdir(parents=True, exist_ok=True)
        MBOX.write_text(build_mbox(repo))
    print(f"base-commit {base}")
    for name in names:
        print(f"  {name}")
    print(f"  {MBOX.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
