"""Which ``.mailmap`` applies: the one git reads for ``git shortlog`` / ``format-patch --cover-letter``.

Each case builds a real repository whose series (``v1..topic``) has an
author that only some ``.mailmap`` source remaps: an entry committed on
master after the series' base, a bare clone (``HEAD:.mailmap``),
``mailmap.file`` outside the repository, ``mailmap.blob``, an uncommitted
edit of the work tree's file.  The oracle is git run on the same repository
and range: the cover's shortlog block must equal ``git format-patch
--cover-letter``'s, ``shortlog_w`` must equal ``git shortlog -w``'s, and
``repo_mailmap`` must map every author as ``git check-mailmap`` does.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.gitrepo import GitRepo
from patchtool.lint import lint_series
from patchtool.lint.findings import Severity
from patchtool.mailmap import file_lines, repo_mailmap
from patchtool.seriesdir import write_series
from patchtool.sources import load_source
from tests.conftest import Repo

OLD = "Old Name <old@example.org>"
AUTHORS = ["Paul Moore <paul@paul-moore.com>", OLD, "Casey Schaufler <casey@schaufler-ca.com>", OLD]
AFTER_BASE = "Proper Name <proper@example.org> <old@example.org>\n"


def build(repo: Repo, base_mailmap: str | None = None) -> None:
    """v1 (with ``base_mailmap``), the series on ``topic``, master checked out one commit past v1."""
    repo.write("kernel/audit.c", "".join(f"a{i}\n" for i in range(40)))
    if base_mailmap is not None:
        repo.write(".mailmap", base_mailmap)
    repo.commit("base")
    repo.git("tag", "v1")
    repo.git("checkout", "-q", "-b", "topic")
    for i, author in enumerate(AUTHORS):
        text = (repo.path / "kernel/audit.c").read_text().replace(f"a{i * 5}\n", f"changed {i}\n")
        repo.write("kernel/audit.c", text)
        repo.commit(f"audit{i}: a subject long enough to be wrapped by git's shortlog at seventy-two {i}",
                    author=author)
    repo.git("checkout", "-q", "master")
    repo.write("README", "after the base\n")
    repo.commit("README: a commit after the series' base")


def series_folder(repo_path: Path, tmp_path: Path, name: str = "s") -> Path:
    series = replace(load_source("v1..topic", name=name, repo_path=repo_path), base="v1")
    folder = tmp_path / "series" / name
    write_series(series, folder)
    return folder


def git(path: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=path, capture_output=True, check=True)
    return proc.stdout.decode("utf-8", "surrogateescape")


def shortlog_block(cover: str) -> str:
    """The author groups of a ``--template git`` cover: after the blurb, up to the diffstat."""
    rest = cover.split("*** BLURB HERE ***\n\n", 1)[1]
    end = re.search(r"\n\n (?! )", rest)
    assert end is not None, cover
    return rest[:end.start() + 2]


def check_against_git(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], shown: str) -> str:
    """Ours equals git's in ``path``: the format-patch cover (whole and its shortlog), ``shortlog -w``
    and ``check-mailmap`` for every author; ``shown`` is the name git shows for the old address."""
    folder = series_folder(path, tmp_path)
    assert main(["cover", str(folder), "--repo", str(path)]) == 0
    ours = capsys.readouterr().out
    theirs = git(path, "format-patch", "--stdout", "--cover-letter", "--base=v1", "v1..topic").split("\nFrom ")[0]
    assert shortlog_block(ours) == shortlog_block(theirs + "\n")
    assert f"\n{shown} (2):\n" in "\n" + shortlog_block(ours)
    assert ours == theirs + "\n"
    assert main(["cover", str(folder), "--repo", str(path), "--template", "shortlog"]) == 0
    assert "\n\n" + git(path, "shortlog", "-w", "v1..topic") in capsys.readouterr().out
    mailmap = repo_mailmap(GitRepo.open(path))
    for author in dict.fromkeys(AUTHORS):
        name, email = author[:-1].split(" <")
        mapped = mailmap.map(name, email) if mailmap else (name, email)
        assert f"{mapped[0]} <{mapped[1]}>\n" == git(path, "check-mailmap", author)
    return ours


def test_entry_committed_after_the_base_is_applied(repo: Repo, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    build(repo)
    repo.write(".mailmap", AFTER_BASE)
    repo.commit("mailmap: Proper Name's new address")
    check_against_git(repo.path, tmp_path, capsys, "Proper Name")


def test_uncommitted_edit_of_the_work_tree_file_wins_over_head(repo: Repo, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    build(repo, base_mailmap="Base Name <base@example.org> <old@example.org>\n")
    repo.write(".mailmap", "Edited Name <edited@example.org> <old@example.org>\n")  # not committed
    check_against_git(repo.path, tmp_path, capsys, "Edited Name")
    (repo.path / ".mailmap").unlink()  # deleted, not committed: git reads nothing, not HEAD's
    check_against_git(repo.path, tmp_path / "gone", capsys, "Old Name")


def test_bare_clone_reads_head_mailmap_not_a_file_in_the_git_dir(repo: Repo, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    build(repo)
    repo.write(".mailmap", AFTER_BASE)
    repo.commit("mailmap: Proper Name's new address")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    # git ignores a .mailmap file at the top of a bare repository (there is no work tree).
    (bare / ".mailmap").write_text("Stray Name <stray@example.org> <old@example.org>\n")
    check_against_git(bare, tmp_path / "a", capsys, "Proper Name")
    # A mailmap.blob of its own replaces the HEAD:.mailmap default, even one that does not resolve.
    git(bare, "config", "mailmap.blob", "refs/heads/nothing:.mailmap")
    check_against_git(bare, tmp_path / "b", capsys, "Old Name")


def test_mailmap_file_outside_the_repository_wins_over_the_work_tree(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    build(repo, base_mailmap="Base Name <base@example.org> <old@example.org>\n")
    outside = tmp_path / "elsewhere" / "people.mailmap"
    outside.parent.mkdir()
    outside.write_text("File Name <file@example.org> <old@example.org>\n")
    git(repo.path, "config", "mailmap.file", str(outside))
    check_against_git(repo.path, tmp_path / "a", capsys, "File Name")
    # ~ is expanded as git expands a pathname.
    monkeypatch.setenv("HOME", str(tmp_path / "elsewhere"))
    git(repo.path, "config", "mailmap.file", "~/people.mailmap")
    check_against_git(repo.path, tmp_path / "b", capsys, "File Name")
    # A relative name is read from the top of the work tree.
    repo.write("sub/rel.mailmap", "Relative Name <rel@example.org> <old@example.org>\n")
    git(repo.path, "config", "mailmap.file", "sub/rel.mailmap")
    check_against_git(repo.path, tmp_path / "c", capsys, "Relative Name")
    # A file that is not there is no mailmap: the work tree's file still applies.
    git(repo.path, "config", "mailmap.file", str(tmp_path / "missing"))
    check_against_git(repo.path, tmp_path / "d", capsys, "Base Name")


@pytest.mark.parametrize(("value", "shown"), [
    ("mm", "Blob Name"),  # a tag naming a blob
    ("topic:.mailmap", "Base Name"),  # the blob at a path of another commit
    ("v1^{tree}", "Work Name"),  # not a blob: skipped (git warns)
    ("nothing:.mailmap", "Work Name"),  # does not resolve: skipped
])
def test_mailmap_blob_is_read_between_the_work_tree_and_mailmap_file(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, shown: str) -> None:
    build(repo, base_mailmap="Base Name <base@example.org> <old@example.org>\n")
    repo.write(".mailmap", "Work Name <work@example.org> <old@example.org>\n")
    outside = tmp_path / "blob.mailmap"
    outside.write_text("Blob Name <blob@example.org> <old@example.org>\n")
    blob = git(repo.path, "hash-object", "-w", str(outside)).strip()
    repo.git("tag", "mm", blob)
    git(repo.path, "config", "mailmap.blob", value)
    check_against_git(repo.path, tmp_path / "a", capsys, shown)
    # mailmap.file still has the last word.
    outside = tmp_path / "last.mailmap"
    outside.write_text("Last Name <last@example.org> <old@example.org>\n")
    git(repo.path, "config", "mailmap.file", str(outside))
    check_against_git(repo.path, tmp_path / "b", capsys, "Last Name")


def test_symlinked_work_tree_mailmap_is_not_followed(repo: Repo, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    build(repo)
    target = tmp_path / "target.mailmap"
    target.write_text(AFTER_BASE)
    (repo.path / ".mailmap").symlink_to(target)
    check_against_git(repo.path, tmp_path, capsys, "Old Name")


def test_long_lines_are_read_as_gits_fgets_reads_them(repo: Repo, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A comment longer than 1023 bytes: git parses its tail in the work tree's file, not in a blob."""
    build(repo)
    line = "#" + "x" * 1022 + AFTER_BASE
    assert file_lines(line.encode())[1] == AFTER_BASE.rstrip("\n")
    repo.write(".mailmap", line)
    check_against_git(repo.path, tmp_path / "a", capsys, "Proper Name")
    repo.commit("mailmap: a long comment")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    check_against_git(bare, tmp_path / "b", capsys, "Old Name")


def test_signoff_lint_uses_the_same_mailmap(repo: Repo, tmp_path: Path) -> None:
    """The old address's commits sign off with the new one: fine once the work tree maps it, as git log says."""
    build(repo)
    repo.git("checkout", "-q", "topic")
    repo.git("commit", "-q", "--amend", "-m", "audit3: sign with the new address\n\n"
             "Signed-off-by: Proper Name <proper@example.org>",
             env={"GIT_AUTHOR_NAME": "Old Name", "GIT_AUTHOR_EMAIL": "old@example.org",
                  "GIT_COMMITTER_NAME": "Old Name", "GIT_COMMITTER_EMAIL": "old@example.org"})
    repo.git("checkout", "-q", "master")
    git_repo = GitRepo.open(repo.path)
    series = replace(load_source("v1..topic", name="s", repo_path=repo.path), base="v1")
    series = replace(series, patches=series.patches[-1:])

    def flagged() -> bool:
        report = lint_series(series, git_repo, run_checkpatch=False)
        return any(f.rule == "signoff" and f.severity is Severity.ERROR for f in report.findings)

    def git_log_signs() -> bool:  # NIPA's test: %aE (mailmapped) among the Signed-off-by lines
        out = git(repo.path, "log", "-1", "--format=%aE%n%b", "topic").split("\n", 1)
        return f"<{out[0]}>" in out[1]

    assert flagged() and not git_log_signs()
    repo.write(".mailmap", AFTER_BASE)  # after the base, in the work tree only
    assert not flagged() and git_log_signs()


def test_a_mailmap_file_without_a_value_is_one_line_exit_2(repo: Repo, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """``[mailmap] file`` with no ``=``: git refuses to run any command; patchtool stops in one line."""
    build(repo)
    folder = series_folder(repo.path, tmp_path)
    with open(repo.path / ".git" / "config", "a") as fh:
        fh.write("[mailmap]\n\tfile\n")
    assert subprocess.run(["git", "format-patch", "--stdout", "--cover-letter", "v1..topic"], cwd=repo.path,
                          capture_output=True).returncode != 0
    capsys.readouterr()
    assert main(["cover", str(folder), "--repo", str(repo.path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("patchtool: "), err
