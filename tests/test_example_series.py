"""The shipped example series against git: the numbers of the facts, the base id.

git is the oracle here: the demo base repository is built in tmp_path, the
patches of ``series/io_uring-lsm`` are applied with ``git am`` one by one, and
what git reports must equal the facts of the real posting.
"""

from __future__ import annotations

import email.policy
import mailbox
import os
import subprocess
import sys
import tomllib
from email import message_from_binary_file
from pathlib import Path

import pytest

from patchtool.demo.build import build_base_repo, build_upstream

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from example_facts import NET, PER_PATCH, SUBJECTS

ROOT = Path(__file__).resolve().parent.parent
SERIES = ROOT / "series" / "io_uring-lsm"
MBOX = ROOT / "tests" / "data" / "io_uring-lsm-thread.mbox"

COVER_MSGID = "<162871480969.63873.9434591871437326374.stgit@olly>"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        {
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Test Runner",
            "GIT_AUTHOR_EMAIL": "runner@example.org",
            "GIT_AUTHOR_DATE": "Thu, 12 Aug 2021 12:00:00 +0000",
            "GIT_COMMITTER_NAME": "Test Runner",
            "GIT_COMMITTER_EMAIL": "runner@example.org",
            "GIT_COMMITTER_DATE": "Thu, 12 Aug 2021 12:00:00 +0000",
            "LC_ALL": "C",
        }
    )
    return env


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "diff.algorithm=myers", "-C", str(repo), *args],
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def numstat(out: str) -> dict[str, tuple[int, int]]:
    result = {}
    for line in out.splitlines():
        ins, dels, path = line.split("\t")
        result[path] = (int(ins), int(dels))
    return result


def patch_files() -> list[Path]:
    names = [
        line.strip()
        for line in (SERIES / "patches" / "series").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return [SERIES / "patches" / name for name in names]


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    repo = tmp_path_factory.mktemp("demo") / "linux"
    base = build_base_repo(repo)
    git(repo, "checkout", "-q", "-b", "working-io_uring")
    for patch in patch_files():
        git(repo, "am", "-q", str(patch))
    return repo, base


def test_base_commit_matches_series_toml(applied: tuple[Path, str]) -> None:
    _, base = applied
    meta = tomllib.loads((SERIES / "series.toml").read_text())
    assert meta["base-commit"] == base
    assert meta["base"] == "v5.14-rc5"


def test_base_repo_is_reproducible(applied: tuple[Path, str], tmp_path: Path) -> None:
    repo, base = applied
    assert build_base_repo(tmp_path / "again") == base
    assert git(repo, "rev-parse", "v5.14-rc5^{commit}").strip() == base
    assert git(repo, "cat-file", "-t", "v5.14-rc5").strip() == "tag"


def test_base_repo_refuses_a_non_empty_dest(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("")
    with pytest.raises(FileExistsError):
        build_base_repo(tmp_path)


def test_patches_are_nine_in_order(applied: tuple[Path, str]) -> None:
    repo, _ = applied
    subjects = git(repo, "log", "--reverse", "--format=%s", "v5.14-rc5..HEAD").splitlines()
    assert subjects == SUBJECTS
    authors = git(repo, "log", "--reverse", "--format=%an", "v5.14-rc5..HEAD").splitlines()
    assert authors == ["Paul Moore"] * 8 + ["Casey Schaufler"]


def test_per_patch_numstat(applied: tuple[Path, str]) -> None:
    repo, _ = applied
    commits = git(repo, "rev-list", "--reverse", "v5.14-rc5..HEAD").split()
    got = [numstat(git(repo, "show", "--numstat", "--format=", c)) for c in commits]
    assert got == PER_PATCH


def test_net_numstat_is_not_the_sum(applied: tuple[Path, str]) -> None:
    repo, _ = applied
    assert numstat(git(repo, "diff", "--numstat", "v5.14-rc5", "HEAD")) == NET
    stat = git(repo, "diff", "--stat=68", "v5.14-rc5", "HEAD").splitlines()
    assert stat[-1] == " 18 files changed, 678 insertions(+), 115 deletions(-)"
    assert stat[13] == " kernel/auditsc.c                    | 483 +++++++++++++++++++-----"


def test_trailers(applied: tuple[Path, str]) -> None:
    repo, _ = applied
    bodies = git(repo, "log", "--reverse", "--format=%B%x00", "v5.14-rc5..HEAD").split("\0")
    assert ("Acked-by: Richard Guy Briggs <rgb@redhat.com>\nSigned-off-by: Paul Moore <paul@paul-moore.com>") in bodies[
        0
    ]
    assert bodies[2].rstrip().endswith("Signed-off-by: DO NOT COMMIT")
    last = bodies[8].rstrip().splitlines()
    assert last[-3] == "Signed-off-by: Casey Schaufler <casey@schaufler-ca.com>"
    assert last[-2].startswith("[PM: ")
    assert last[-1] == "Signed-off-by: Paul Moore <paul@paul-moore.com>"


@pytest.mark.parametrize("tag", ["v5.14-rc6", "v5.14-rc7"])
def test_series_applies_upstream(tmp_path: Path, tag: str) -> None:
    repo = tmp_path / "linux"
    build_upstream(repo)
    git(repo, "checkout", "-q", "--detach", tag)
    for patch in patch_files():
        git(repo, "am", "-q", str(patch))
    assert len(git(repo, "rev-list", f"{tag}..HEAD").split()) == 9


def test_thread_mbox() -> None:
    def factory(f):  # type: ignore[no-untyped-def]
        return message_from_binary_file(f, policy=email.policy.default)

    messages = list(mailbox.mbox(MBOX, factory=factory))
    assert len(messages) == 13
    cover, patches, replies = messages[0], messages[1:10], messages[10:]
    assert cover["Message-ID"] == COVER_MSGID
    assert cover["Subject"] == "[RFC PATCH v2 0/9] Add LSM access controls and auditing to io_uring"
    for n, (msg, subject) in enumerate(zip(patches, SUBJECTS, strict=True), 1):
        assert msg["Subject"] == f"[RFC PATCH v2 {n}/9] {subject}"
        assert msg["In-Reply-To"] == COVER_MSGID
    assert "From: Casey Schaufler <casey@schaufler-ca.com>" in patches[8].get_content()
    acked = replies[0]
    assert acked["Subject"].startswith("Re: [RFC PATCH v2 5/9]")
    assert acked["From"].addresses[0].display_name == "Mickaël Salaün"
    assert "Acked-by: Mickaël Salaün <mic@linux.microsoft.com>" in acked.get_content()
    assert acked["In-Reply-To"] == patches[4]["Message-ID"]
