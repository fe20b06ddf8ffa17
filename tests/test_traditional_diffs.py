"""Diffs without ``diff --git``: quilt, ``diff -up``, the stable review mails.

git itself is the oracle throughout: ``git mailinfo`` for author, subject
and message, ``git apply --numstat`` for the files and their +/- counts,
``git am`` for the tree each patch makes (or for refusing it), on the same
mail, in a real repository.  The samples are tests/data/10..12 (see the
README there); the edge cases are diffs made here by GNU diff, or written
in the shapes git's apply.c documents.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from patchtool.apply import Status, apply_series
from patchtool.cli import main
from patchtool.diffparse import parse_diff
from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.lifecycle.matching import keyed_diff
from patchtool.model import ChangeKind, Patch
from patchtool.sources.gitrange import read_range
from patchtool.sources.mail import patch_from_mail, read_mail
from patchtool.sources.mbox import read_mails

from .conftest import Repo

DATA = Path(__file__).parent / "data"
BASE = DATA / "traditional-base"
SAMPLES = ("10-quilt-index-separator", "11-diff-up-timestamps", "12-stable-review-001-of-885")


def run(repo: Repo, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=repo.path, input=input, capture_output=True,
                          env=os.environ.copy())


def base_repo(repo: Repo) -> str:
    """The trimmed Linux files the samples were made against, committed."""
    shutil.copytree(BASE, repo.path, dirs_exist_ok=True)
    return repo.commit("base")


def patch_mails(repo: Repo, mbox: Path, out: Path) -> list[Path]:
    """The mails of ``mbox`` that carry a patch as git mailinfo sees it (no cover letters)."""
    out.mkdir()
    repo.git("mailsplit", f"-o{out}", str(mbox))
    return [m for m in sorted(out.iterdir()) if mailinfo(repo, m)[2].strip()]


def mailinfo(repo: Repo, mail: Path) -> tuple[dict[str, str], str, str]:
    """git mailinfo's header fields, message and patch for one mail."""
    msg, patch = mail.with_suffix(".msg"), mail.with_suffix(".diff")
    info = repo.git("mailinfo", str(msg), str(patch), input=mail.read_bytes())
    fields = dict(line.split(": ", 1) for line in info.splitlines() if ": " in line)
    text = (msg.read_text(), patch.read_text())
    msg.unlink()
    patch.unlink()
    return fields, *text


def git_am(repo: Repo, base: str, mails: list[Path]) -> list[str] | None:
    """The tree of each commit git am makes of ``mails`` on ``base``; None when it refuses one."""
    repo.git("checkout", "-q", "--detach", base)
    for mail in mails:
        if run(repo, "am", "-q", str(mail)).returncode != 0:
            run(repo, "am", "--abort")
            return None
    trees = repo.git("log", "--reverse", "--format=%T", f"{base}..HEAD").split()
    repo.git("checkout", "-q", "--detach", base)
    return trees


def numstat(repo: Repo, diff: str) -> list[tuple[int, int, str]]:
    out = repo.git("apply", "--numstat", "-", input=diff.encode("utf-8", "surrogateescape"))
    rows = [line.split("\t") for line in out.splitlines()]
    return [(int(a), int(d), path) for a, d, path in rows]


def counts(patch: Patch) -> list[tuple[int, int, str]]:
    return [(f.added, f.removed, f.path) for f in patch.files]


def our_trees(repo: Repo, base: str, patches: list[Patch]) -> list[str] | None:
    with GitRepo.open(repo.path).scratch() as store:
        result = apply_series(store, base, patches)
    return [p.tree for p in result.patches] if result.applies else None


# -- the samples ------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_reads_and_applies_as_git_am_does(name: str, repo: Repo, tmp_path: Path) -> None:
    base = base_repo(repo)
    mails = patch_mails(repo, DATA / f"{name}.mbox", tmp_path / "split")
    assert mails
    patches = []
    for mail in mails:
        fields, _message, diff = mailinfo(repo, mail)
        patch = patch_from_mail(read_mail(mail.read_bytes(), str(mail)), str(mail))
        patches.append(patch)
        assert patch.subject.summary == fields["Subject"]
        assert (patch.author.name, patch.author.email) == (fields["Author"], fields["Email"])
        assert parsedate_to_datetime(patch.date) == parsedate_to_datetime(fields["Date"])
        assert counts(patch) == numstat(repo, diff)
        assert all(f.old_blob is None and f.new_blob is None for f in patch.files)
    trees = git_am(repo, base, mails)
    assert trees is not None
    assert our_trees(repo, base, patches) == trees
    # git am's commit message is the one patchtool would commit.
    repo.git("am", "-q", *map(str, mails))
    log = repo.git("log", "--reverse", "--format=%B%x00", f"{base}..HEAD").split("\x00\n")
    assert [p.message for p in patches] == [m.rstrip("\n") + "\n" for m in log if m.strip()]


@pytest.mark.parametrize("name", SAMPLES[:2])
def test_imported_checked_and_exported_like_git_am(name: str, repo: Repo, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """import -> check gives git am's tree; the stored and the exported patches still git am to it."""
    base = base_repo(repo)
    repo.git("tag", "base", base)
    trees = git_am(repo, base, patch_mails(repo, DATA / f"{name}.mbox", tmp_path / "split"))
    assert trees is not None
    series = tmp_path / "series"
    os.chdir(repo.path)
    assert main(["import", str(DATA / f"{name}.mbox"), "-o", str(series), "--base", "base"]) == 0
    capsys.readouterr()
    assert main(["check", str(series), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["bases"][0]["result_tree"] == trees[-1]
    assert {p["status"] for p in report["bases"][0]["patches"]} == {"clean"}
    assert main(["diffstat", str(series), "--json"]) == 0
    stat = json.loads(capsys.readouterr().out)
    net = [line.split("\t") for line in repo.git("diff", "--numstat", base, trees[-1]).splitlines()]
    assert [(str(f["insertions"]), str(f["deletions"]), f["path"]) for f in stat["files"]] == [tuple(n) for n in net]
    stored = [series / "patches" / n for n in (series / "patches/series").read_text().split()]
    assert git_am(repo, base, stored) == trees
    assert main(["export", str(series), "-o", str(tmp_path / "out")]) == 0
    exported = sorted(p for p in (tmp_path / "out").glob("*.patch") if not p.name.startswith("0000-"))
    assert git_am(repo, base, exported) == trees
    # The diff itself goes out as it came, Index: lines, timestamps and all.
    mails = [m for m in read_mails(DATA / f"{name}.mbox") if m.subject.number != 0]
    for mail, sent in zip(mails, exported, strict=True):
        diff = patch_from_mail(mail, name).diff
        assert diff in mail.body and diff in sent.read_text()


def test_quilt_patches_key_as_the_commits_git_am_makes(repo: Repo, tmp_path: Path) -> None:
    """range-diff's keyed form (update, reroll pair patches by it) sees through Index: lines:
    the quilt mails key as the commits git am makes of them, read back with git log -p."""
    base = base_repo(repo)
    mails = patch_mails(repo, DATA / "10-quilt-index-separator.mbox", tmp_path / "split")
    repo.git("am", "-q", *map(str, mails))
    from_git = read_range(GitRepo.open(repo.path), f"{base}..HEAD", name="s").patches
    from_mail = [patch_from_mail(read_mail(m.read_bytes(), str(m)), str(m)) for m in mails]
    assert [keyed_diff(p) for p in from_mail] == [keyed_diff(p) for p in from_git]


def test_quilt_sample_kinds_and_notes() -> None:
    mails = read_mails(DATA / "10-quilt-index-separator.mbox")
    first, second = (patch_from_mail(m, "10") for m in mails[1:])
    assert [(f.kind, f.old_path, f.new_path) for f in first.files] == [
        (ChangeKind.MODIFY, "lib/bcd.c", "lib/bcd.c"), (ChangeKind.ADD, None, "lib/bcd_kunit.c")]
    assert [(f.kind, f.path) for f in second.files] == [
        (ChangeKind.MODIFY, "fs/ext4/truncate.h"), (ChangeKind.DELETE, "lib/clz_tab.c")]
    # quilt writes no '---': the message ends at the Index: line, as git mailinfo's patchbreak says.
    assert first.trailers[-1].value == "Ada Lovelace <ada@example.org>"
    assert first.notes == "" and first.stat == ""
    assert first.files[0].text.startswith("Index: linux-5.10/lib/bcd.c\n=====")
    assert first.diff in mails[1].body


def test_diff_up_sample_keeps_the_stat_apart_and_reads_the_epoch() -> None:
    (mail,) = read_mails(DATA / "11-diff-up-timestamps.mbox")
    patch = patch_from_mail(mail, "11")
    assert patch.stat.splitlines()[-1] == " 2 files changed, 12 insertions(+), 2 deletions(-)"
    assert patch.notes == ""
    # "1970-01-01 01:00:00.000000000 +0100" is the epoch: GNU diff -N's missing file.
    assert [(f.kind, f.path) for f in patch.files] == [
        (ChangeKind.MODIFY, "lib/hweight.c"), (ChangeKind.ADD, "lib/hweight.h")]
    assert patch.files[0].text.startswith("diff -Nurp linux-5.10.orig/lib/hweight.c linux-5.10/lib/hweight.c\n")


def test_stable_review_numbering(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cover, mail = read_mails(DATA / "12-stable-review-001-of-885.mbox")
    assert (cover.subject.number, cover.subject.total) == (0, 885)
    patch = patch_from_mail(mail, "12")
    subject = patch.subject
    assert (subject.number, subject.total, subject.prefix, subject.version) == (1, 885, "PATCH 5.10", 1)
    assert subject.render() == mail.subject_text
    assert subject.summary == mailinfo(repo, _write(tmp_path / "m", mail.raw))[0]["Subject"]
    # One patch of 885 is not a series: one line, the gap in a few words.
    assert main(["import", str(DATA / "12-stable-review-001-of-885.mbox"), "-o", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "patch 2/885 to 885/885 is missing" in err


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- edge cases: one mail each, git am decides ---------------------------------------------

MAIL = """From: Ada Lovelace <ada@example.org>
Date: Wed, 11 Aug 2021 16:48:17 -0400
Subject: [PATCH] edge: {name}

An edge case of a diff not made by git.

Signed-off-by: Ada Lovelace <ada@example.org>
---
{diff}"""

FILES = {
    "lib/bcd.c": (BASE / "lib/bcd.c").read_text(),
    "lib/clz_tab.c": (BASE / "lib/clz_tab.c").read_text(),
    "Makefile": "".join(f"obj-y += part{i}.o\n" for i in range(12)),
    "my file.c": "int a;\nint b;\n",
    "VERSION": "5.10.57\n",
}


def edge(repo: Repo, tmp_path: Path, name: str, diff: str) -> tuple[Patch, list[str] | None, list[str] | None]:
    """The patch read from a mail carrying ``diff``, git am's trees and the applier's."""
    for path, text in FILES.items():
        repo.write(path, text)
    base = repo.commit("base")
    mail = _write(tmp_path / f"{name}.mail", MAIL.format(name=name, diff=diff).encode())
    patch = patch_from_mail(read_mail(mail.read_bytes(), str(mail)), str(mail))
    assert counts(patch) == numstat(repo, mailinfo(repo, mail)[2])
    return patch, git_am(repo, base, [mail]), our_trees(repo, base, [patch])


def gnu_diff(where: Path, old: tuple[str, str | None], new: tuple[str, str | None], opts: str = "-u") -> str:
    """GNU diff's own output (run in ``where``) for (name, text) pairs; None text: missing, as -N sees it."""
    for name, text in (old, new):
        if text is not None:
            path = where / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            os.utime(path, (1628589600, 1628589600))  # 2021-08-10 10:00:00 UTC
    out = subprocess.run(["diff", opts, "-N", old[0], new[0]], cwd=where, capture_output=True, text=True,
                         env={**os.environ, "TZ": "Europe/Berlin"})
    assert out.returncode == 1, out.stderr
    return out.stdout


def test_edge_created_via_dev_null_with_a_hunk_without_counts(repo: Repo, tmp_path: Path) -> None:
    diff = "--- /dev/null\n+++ b/lib/one.c\n@@ -0,0 +1 @@\n+int one;\n"
    patch, theirs, ours = edge(repo, tmp_path, "created", diff)
    assert theirs is not None and ours == theirs
    (change,) = patch.files
    assert (change.kind, change.new_path, change.hunks[0].header) == (ChangeKind.ADD, "lib/one.c", "@@ -0,0 +1 @@")


def test_edge_one_line_hunks_without_counts(repo: Repo, tmp_path: Path) -> None:
    """``@@ -1 +1 @@``: one line each side; no context either side anchors it to the whole file."""
    diff = "--- a/VERSION\n+++ b/VERSION\n@@ -1 +1 @@\n-5.10.57\n+5.10.58\n"
    patch, theirs, ours = edge(repo, tmp_path, "no-counts", diff)
    assert theirs is not None and ours == theirs
    assert (patch.files[0].hunks[0].old_len, patch.files[0].hunks[0].new_len) == (1, 1)
    # The same hunk on a longer file matches nowhere, for git am as for the applier.
    diff = "--- a/Makefile\n+++ b/Makefile\n@@ -1 +1 @@\n-obj-y += part0.o\n+obj-m += part0.o\n"
    assert edge(repo, tmp_path, "anchored", diff)[1:] == (None, None)


def test_edge_deleted_by_gnu_diff_epoch(repo: Repo, tmp_path: Path) -> None:
    """diff -N names the missing side with the epoch in the local zone (here +0100)."""
    diff = gnu_diff(tmp_path, ("a/lib/clz_tab.c", FILES["lib/clz_tab.c"]), ("b/lib/clz_tab.c", None))
    assert "\t1970-01-01 01:00:00" in diff
    patch, theirs, ours = edge(repo, tmp_path, "deleted", diff)
    assert theirs is not None and ours == theirs
    assert [(f.kind, f.old_path, f.new_path) for f in patch.files] == [(ChangeKind.DELETE, "lib/clz_tab.c", None)]


def test_edge_orig_suffix_and_timestamps(repo: Repo, tmp_path: Path) -> None:
    """``diff -up lib/bcd.c.orig lib/bcd.c`` from a tree's parent: the shorter name wins."""
    new = FILES["lib/bcd.c"].replace("unsigned _bcd2bin", "unsigned int _bcd2bin")
    diff = gnu_diff(tmp_path, ("linux/lib/bcd.c.orig", FILES["lib/bcd.c"]), ("linux/lib/bcd.c", new), opts="-up")
    assert "--- linux/lib/bcd.c.orig\t2021-08-10 12:00:00.000000000 +0200\n" in diff
    patch, theirs, ours = edge(repo, tmp_path, "orig", diff)
    assert theirs is not None and ours == theirs
    assert [f.path for f in patch.files] == ["lib/bcd.c"]


def test_edge_the_shorter_name_wins_on_either_side(repo: Repo, tmp_path: Path) -> None:
    """``+++ b/lib/bcd.c~`` (an editor's backup as the new side): git still patches lib/bcd.c."""
    new = FILES["lib/bcd.c"].replace("unsigned _bcd2bin", "unsigned int _bcd2bin")
    diff = gnu_diff(tmp_path, ("a/lib/bcd.c", FILES["lib/bcd.c"]), ("b/lib/bcd.c~", new))
    patch, theirs, ours = edge(repo, tmp_path, "backup", diff)
    assert theirs is not None and ours == theirs
    assert [f.path for f in patch.files] == ["lib/bcd.c"]


def test_edge_top_level_names_strip_nothing(repo: Repo, tmp_path: Path) -> None:
    """Names without a slash: git guesses -p0 (Makefile.orig -> Makefile)."""
    new = FILES["Makefile"].replace("part3.o", "part3.o part3b.o")
    diff = gnu_diff(tmp_path, ("Makefile.orig", FILES["Makefile"]), ("Makefile", new))
    patch, theirs, ours = edge(repo, tmp_path, "p0", diff)
    assert theirs is not None and ours == theirs
    assert [f.path for f in patch.files] == ["Makefile"]


def test_edge_in_tree_orig_loses_its_folder_as_git_am_does(repo: Repo, tmp_path: Path) -> None:
    """``--- lib/bcd.c.orig`` / ``+++ lib/bcd.c``: -p1 strips lib/, so neither git am nor we find bcd.c."""
    new = FILES["lib/bcd.c"].replace("unsigned _bcd2bin", "unsigned int _bcd2bin")
    diff = gnu_diff(tmp_path, ("lib/bcd.c.orig", FILES["lib/bcd.c"]), ("lib/bcd.c", new))
    patch, theirs, ours = edge(repo, tmp_path, "in-tree", diff)
    assert theirs is None and ours is None
    assert [f.path for f in patch.files] == ["bcd.c"]


def test_edge_index_lines_spaces_in_names_and_svn_revisions(repo: Repo, tmp_path: Path) -> None:
    """svn diff: ``Index:`` and ``====`` lines, ``(revision N)`` after a tab; a name with a space."""
    diff = ("Index: my file.c\n" + "=" * 67 + "\n--- my file.c\t(revision 41)\n+++ my file.c\t(working copy)\n"
            "@@ -1,2 +1,2 @@\n int a;\n-int b;\n+int c;\n"
            "Index: Makefile\n" + "=" * 67 + "\n--- Makefile\t(revision 41)\n+++ Makefile\t(working copy)\n"
            "@@ -12 +12,2 @@\n obj-y += part11.o\n+obj-y += part12.o\n")
    patch, theirs, ours = edge(repo, tmp_path, "svn", diff)
    assert theirs is not None and ours == theirs
    assert [f.path for f in patch.files] == ["my file.c", "Makefile"]
    assert patch.files[1].text.startswith("Index: Makefile\n")


def test_edge_whitespace_damaged_timestamp(repo: Repo, tmp_path: Path) -> None:
    """A mailer turned the tab before the date into spaces: git still cuts the date off."""
    diff = ("--- a/lib/bcd.c   2021-08-10 12:00:00.000000000 +0200\n"
            "+++ b/lib/bcd.c   2021-08-10 12:01:00.000000000 +0200\n"
            "@@ -1,3 +1,3 @@\n // SPDX-License-Identifier: GPL-2.0\n"
            "-#include <linux/bcd.h>\n+#include <linux/bcd.h> /* x */\n #include <linux/export.h>\n")
    patch, theirs, ours = edge(repo, tmp_path, "spaces", diff)
    assert theirs is not None and ours == theirs
    assert [f.path for f in patch.files] == ["lib/bcd.c"]


def test_edge_creation_git_infers_from_a_missing_file(repo: Repo, tmp_path: Path) -> None:
    """``--- a/x`` / ``+++ b/x`` / ``@@ -0,0 +1,2 @@``, x missing: git apply makes it a new file."""
    diff = "--- a/lib/two.c\n+++ b/lib/two.c\n@@ -0,0 +1,2 @@\n+int two;\n+int too;\n"
    patch, theirs, ours = edge(repo, tmp_path, "inferred", diff)
    assert theirs is not None and ours == theirs
    assert patch.files[0].kind is ChangeKind.MODIFY


def test_edge_does_not_apply_and_has_no_three_way(repo: Repo, tmp_path: Path) -> None:
    """No index line, no fallback: git am refuses the patch, check calls it a conflict and says why."""
    diff = "--- a/lib/bcd.c\n+++ b/lib/bcd.c\n@@ -5,3 +5,3 @@\n-unsigned nothing_like_this(void)\n+int x;\n {\n }\n"
    for path, text in FILES.items():
        repo.write(path, text)
    base = repo.commit("base")
    mail = _write(tmp_path / "bad.mail", MAIL.format(name="bad", diff=diff).encode())
    patch = patch_from_mail(read_mail(mail.read_bytes(), str(mail)), str(mail))
    assert git_am(repo, base, [mail]) is None
    assert run(repo, "am", "-3", str(mail)).returncode != 0
    run(repo, "am", "--abort")
    with GitRepo.open(repo.path).scratch() as store:
        (result,) = apply_series(store, base, [patch]).patches
    assert result.status is Status.CONFLICT
    assert any("no index line for lib/bcd.c" in p.message for p in result.problems)


@pytest.mark.parametrize(("diff", "message"), [
    ("--- /dev/null\n+++ b/x.c\n@@ -1,1 +1,2 @@\n a\n+b\n", "new file x.c depends on old contents"),
    ("--- a/x.c\n+++ /dev/null\n@@ -1,2 +1,1 @@\n a\n-b\n", "deleted file x.c still has contents"),
    ("--- a/../x.c\n+++ b/../x.c\n@@ -1 +1 @@\n-a\n+b\n", "unsafe path"),
])
def test_edge_bad_traditional_diffs_are_one_line(diff: str, message: str, repo: Repo, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    mail = _write(tmp_path / "m", MAIL.format(name="bad", diff=diff).encode())
    assert run(repo, "apply", "--check", str(mail)).returncode != 0  # git refuses them too
    with pytest.raises(BadInput, match=message):
        patch_from_mail(read_mail(mail.read_bytes(), str(mail)), str(mail))
    assert main(["import", str(mail), "-o", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and str(mail) in err
    assert not (tmp_path / "s").exists()


def test_footer_after_a_traditional_diff_stays_out_of_it() -> None:
    text = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n-- \n2.30.2\n\n"
    (change,), rest = parse_diff(text)
    assert change.text == "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n" and rest == "-- \n2.30.2\n\n"


def test_a_form_feed_in_a_hunk_is_part_of_its_line() -> None:
    """Kernel sources hold ^L; only \\n ends a diff line (as in git's apply.c)."""
    text = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n \x0c\n-a\n+b\n"
    (change,), rest = parse_diff(text)
    assert (change.added, change.removed, rest) == (1, 1, "")
