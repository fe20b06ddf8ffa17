"""Message-Ids: every exported mail its own, stable id; imported mails' ids recorded, never reused.

The thread is the example's (tests/data/io_uring-lsm-thread.mbox) made to
look as a list delivers it: transport headers on every mail (Received:,
DKIM-Signature:, List-Id:, X-*), version notes below ``---`` on three
patches, and review tags for three patches (2, 5 and 7).  git is the
oracle: ``git am`` of the thread's own mails and of the export, ``git
interpret-trailers`` for the collected tags, ``git format-patch
--zero-commit`` for the files the import stores.
"""

from __future__ import annotations

import email.policy
import re
import tomllib
from dataclasses import replace
from email import message_from_bytes
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.demo.build import build_base_repo
from patchtool.export import message_ids
from patchtool.model import Series, Trailer
from patchtool.seriesdir import read_series
from patchtool.sources import load_source
from tests.conftest import Repo

THREAD = Path(__file__).resolve().parent / "data" / "io_uring-lsm-thread.mbox"
SEPARATOR = "From mboxrd@z Thu Jan  1 00:00:00 1970\n"
LIST_ID = "linux-security-module.vger.kernel.org"
TRANSPORT = (
    "Return-Path: <linux-security-module+bounces-4711-paul=paul-moore.com@vger.kernel.org>\n"
    "Received: from vger.kernel.org (vger.kernel.org [23.128.96.18])\n"
    "\tby smtp.subspace.kernel.org (Postfix) with ESMTP id 4F1C5C433F1\n"
    "\tfor <paul@paul-moore.com>; Wed, 11 Aug 2021 20:49:30 +0000 (UTC)\n"
    "Authentication-Results: smtp.subspace.kernel.org;\n"
    "\tdkim=pass (2048-bit key) header.d=paul-moore.com header.i=@paul-moore.com\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=paul-moore.com; s=google;\n"
    "\th=subject:from:to:cc:date:message-id:mime-version;\n"
    "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n"
    "\tb=c2lnbmVkIGJ5IHRoZSBzZW5kZXIncyBkb21haW4sIG5vdCBieSB0aGUgYXV0aG9y\n"
    "X-Mailing-List: linux-security-module@vger.kernel.org\n"
    f"List-Id: <{LIST_ID}>\n"
    "List-Subscribe: <mailto:linux-security-module+subscribe@vger.kernel.org>\n"
    "List-Unsubscribe: <mailto:linux-security-module+unsubscribe@vger.kernel.org>\n"
    "Precedence: bulk\n"
    "X-Mailer: StGit/0.21\n"
)
# Version notes as maintainers write them: above the stat, git-notes style, and below the stat.
NOTES = {
    1: ("above", "v2:\n- pass the context type to audit_alloc_local()\n- kernel-doc for __audit_uring_entry()"),
    4: ("above", "\nNotes:\n    v2: new patch, split out of 2/9\n    \n    (the filter list is new)"),
    8: ("below", "Changes in v2:\n  - permissions moved to the io_uring class"),
}
TAGS = {
    2: ("Serge Hallyn <serge@hallyn.com>", "Reviewed-by"),
    7: ("Casey Schaufler <casey@schaufler-ca.com>", "Acked-by"),
}
ACK_5 = ("Acked-by", "Mickaël Salaün <mic@linux.microsoft.com>")  # the thread's own reply to 5/9
_ID = re.compile(r"^Message-I[Dd]: (<[^>]+>)$", re.MULTILINE)


def thread_messages() -> list[str]:
    """The example thread's mails (mboxrd text, From_ line dropped), in file order."""
    text = THREAD.read_text(encoding="utf-8")
    assert text.startswith(SEPARATOR)
    return text[len(SEPARATOR):].split("\n" + SEPARATOR)


def _with_note(mail: str, where: str, note: str) -> str:
    head, sep, body = mail.partition("\n---\n")
    assert sep
    if where == "above":
        return head + sep + note + "\n\n" + body
    stat, gap, diff = body.partition("\n\n")
    return head + sep + stat + gap + note + "\n\n" + diff


def _reply(parent_id: str, cover_id: str, subject: str, sender: str, key: str, n: int) -> str:
    return (f"From: {sender}\nDate: Fri, 13 Aug 2021 1{n}:00:00 +0000\nMessage-ID: <tag-{n}@example.org>\n"
            f"Subject: Re: {subject}\nIn-Reply-To: {parent_id}\nReferences: {cover_id}\n {parent_id}\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
            f"Looks right to me.\n\n{key}: {sender}\n")


def received_thread(tmp_path: Path) -> Path:
    """The example thread as delivered: transport headers, notes below ``---``, tags for 2, 5 and 7."""
    mails = thread_messages()
    cover_id = _ID.search(mails[0]).group(1)  # type: ignore[union-attr]
    out = []
    for i, mail in enumerate(mails):
        if 1 <= i <= 9 and i in NOTES:
            mail = _with_note(mail, *NOTES[i])
        out.append(TRANSPORT + mail)
    for n, (sender, key) in TAGS.items():
        patch = mails[n]
        subject = " ".join(re.search(r"^Subject: (.*(?:\n .*)*)", patch, re.MULTILINE).group(1).split())  # type: ignore[union-attr]
        parent = _ID.search(patch).group(1)  # type: ignore[union-attr]
        out.append(TRANSPORT + _reply(parent, cover_id, subject, sender, key, n))
    path = tmp_path / "thread.mbox"
    path.write_text("".join(SEPARATOR + m.rstrip("\n") + "\n\n" for m in out), encoding="utf-8")
    return path


def thread_ids() -> list[str]:
    """The Message-Ids of the example thread's cover and nine patches."""
    return [_ID.search(m).group(1) for m in thread_messages()[:10]]  # type: ignore[union-attr]


def base_repo(tmp_path: Path, name: str = "linux") -> Repo:
    repo = Repo(tmp_path / name)
    build_base_repo(repo.path)
    return repo


def imported(tmp_path: Path) -> Path:
    folder = tmp_path / "series" / "io_uring-lsm"
    assert main(["import", str(received_thread(tmp_path)), "-o", str(folder)]) == 0
    return folder


def export(folder: Path, repo: Repo, out: Path, *args: str) -> list[Path]:
    assert main(["export", str(folder), "-o", str(out), "--repo", str(repo.path), *args]) == 0
    return sorted(out.iterdir())


def ids_of(files: list[Path]) -> list[str]:
    return [message_from_bytes(f.read_bytes(), policy=email.policy.default)["Message-Id"] for f in files]


def git_am(repo: Repo, files: list[Path], *args: str) -> str:
    """``git am`` the mails on a branch at the base; the tip."""
    repo.git("checkout", "-q", "-f", "-B", f"am{len(repo.git('branch').split())}", "v5.14-rc5")
    repo.git("am", "-q", *args, *map(str, files))
    return repo.git("rev-parse", "HEAD").strip()


def log(repo: Repo, tip: str) -> list[str]:
    return repo.git("log", "--reverse", "--format=%an <%ae>|%aD|%B%x00", f"v5.14-rc5..{tip}").split("\x00\n")


# -- the defect: acked patches shared one Message-Id ---------------------------------


def test_a_thread_with_three_acked_patches_exports_ten_different_ids(tmp_path: Path) -> None:
    repo = base_repo(tmp_path)
    folder = imported(tmp_path)
    series = read_series(folder)
    for n, (key, who) in [(n, (key, who)) for n, (who, key) in TAGS.items()] + [(5, ACK_5)]:
        assert Trailer(key, who) in series.patches[n - 1].trailers
    ids = ids_of(export(folder, repo, tmp_path / "out"))
    assert len(ids) == 10 and len(set(ids)) == 10, ids
    assert not set(ids) & set(thread_ids()), "an imported Message-Id was reused for a new posting"
    for mail_id in ids:
        assert re.fullmatch(r"<[0-9a-z.]+\.git\.paul@paul-moore\.com>", mail_id), mail_id


def test_exporting_twice_gives_the_same_ids_and_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = base_repo(tmp_path)
    folder = imported(tmp_path)
    first = export(folder, repo, tmp_path / "one")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "Sat, 1 Jan 2000 00:00:00 +0000")  # commit-tree dates differ
    second = export(folder, repo, tmp_path / "two")
    assert ids_of(first) == ids_of(second)
    assert [f.read_bytes() for f in first] == [f.read_bytes() for f in second]


def test_range_series_ids_do_not_follow_the_committer_date(repo: Repo, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("a.c", "a\n")
    repo.commit("base")
    repo.git("tag", "v1")
    for i in range(3):
        repo.write("a.c", f"a\n{i}\n")
        repo.commit(f"a: step {i}")
    folder = tmp_path / "s"
    assert main(["import", "v1..master", "-o", str(folder), "--repo", str(repo.path)]) == 0
    first = ids_of(export(folder, repo, tmp_path / "one"))
    monkeypatch.setenv("GIT_COMMITTER_DATE", "Sat, 1 Jan 2000 00:00:00 +0000")
    assert ids_of(export(folder, repo, tmp_path / "two")) == first
    assert len(set(first)) == 4


def test_ids_follow_content_version_and_series() -> None:
    series = load_source(str(THREAD), name="io_uring-lsm")
    ids = message_ids(series, "paul@paul-moore.com")
    assert len(set(ids)) == 10 and ids[0].startswith("<cover.")
    assert message_ids(series, "paul@paul-moore.com") == ids

    def changed(other: Series) -> list[bool]:
        return [a != b for a, b in zip(ids, message_ids(other, "paul@paul-moore.com"), strict=True)]

    assert all(changed(replace(series, version=3)))
    assert all(changed(replace(series, title="Another series")))
    edited = list(series.patches)
    edited[3] = replace(edited[3], body=edited[3].body + "\n\nOne more sentence.")
    assert all(changed(replace(series, patches=tuple(edited))))  # another series: new ids throughout
    # What is not posted does not count: the folder's name, the recipients, what was recorded.
    assert not any(changed(replace(series, name="elsewhere", to=("x@example.org",), posted={})))
    # Two patches with the same content still get two ids.
    twins = replace(series, patches=(series.patches[0], series.patches[0]))
    assert len(set(message_ids(twins, "a@example.org"))) == 3


# -- git am of the export --------------------------------------------------------------


def _tagged(repo: Repo, message: str, tags: list[tuple[str, str]]) -> str:
    args = [a for key, who in tags for a in ("--trailer", f"{key}: {who}")]
    return repo.git("interpret-trailers", *args, input=message.encode())


def test_git_am_of_the_export_gives_the_tree_and_messages_of_the_import(tmp_path: Path) -> None:
    repo = base_repo(tmp_path)
    folder = imported(tmp_path)
    exported = export(folder, repo, tmp_path / "out")[1:]  # the cover letter is no patch
    stored = [folder / "patches" / n for n in (folder / "patches" / "series").read_text().split()]
    raw_mails = []
    for n, mail in enumerate(thread_messages()[1:10], 1):
        path = tmp_path / "raw" / f"{n}.mbox"
        path.parent.mkdir(exist_ok=True)
        path.write_text(SEPARATOR + mail, encoding="utf-8")
        raw_mails.append(path)
    from_export = git_am(repo, exported)
    from_import = git_am(repo, stored)
    from_thread = git_am(repo, raw_mails, "--patch-format=mboxrd")
    tree = repo.git("rev-parse", f"{from_thread}^{{tree}}")
    assert repo.git("rev-parse", f"{from_export}^{{tree}}") == tree
    assert repo.git("rev-parse", f"{from_import}^{{tree}}") == tree
    assert log(repo, from_export) == log(repo, from_import)
    # The messages are the thread's, with the collected tags as git interpret-trailers adds them.
    tags = {n: [(key, who)] for n, (who, key) in TAGS.items()} | {5: [ACK_5]}
    thread_log = log(repo, from_thread)
    for n, (ours, theirs) in enumerate(zip(log(repo, from_export)[:9], thread_log[:9], strict=True), 1):
        ident, _, message = theirs.partition("|")[2].partition("|")
        expected = theirs.partition("|")[0] + "|" + ident + "|" + (
            _tagged(repo, message, tags[n]) if n in tags else message)
        assert ours == expected, n


# -- the import: files as format-patch writes them, the posting recorded -----------------


_FORMAT_PATCH_HEADERS = {"From", "Date", "Subject", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"}


def test_imported_mails_are_stored_as_format_patch_writes_them(tmp_path: Path) -> None:
    """The stored files equal ``git format-patch --zero-commit`` of the thread's mails as git am records them."""
    folder = imported(tmp_path)
    repo = base_repo(tmp_path)
    repo.git("checkout", "-q", "-b", "thread", "v5.14-rc5")
    tags = {n: [(key, who)] for n, (who, key) in TAGS.items()} | {5: [ACK_5]}
    for n, mail in enumerate(thread_messages()[1:10], 1):
        path = tmp_path / f"{n}.mbox"
        path.write_text(SEPARATOR + mail, encoding="utf-8")
        repo.git("am", "-q", "--patch-format=mboxrd", str(path))
        if n in tags:  # the tags collected from the replies, as git interpret-trailers adds them
            message = _tagged(repo, repo.git("log", "-1", "--format=%B"), tags[n])
            repo.git("commit", "-q", "--amend", "--cleanup=verbatim", "-m", message.rstrip("\n") + "\n")
    names = (folder / "patches" / "series").read_text().split()
    # The thread was written with the kernel's core.abbrev = 12.
    repo.git("-c", "core.abbrev=12", "format-patch", "-q", "--zero-commit", "--rfc", "-v2", "-o", str(tmp_path / "fp"),
             "v5.14-rc5..")
    git_files = sorted((tmp_path / "fp").glob("*.patch"))
    assert len(git_files) == len(names) == 9
    for n, (name, theirs) in enumerate(zip(names, git_files, strict=True), 1):
        ours = (folder / "patches" / name).read_text(encoding="utf-8")
        head = ours.partition("\n\n")[0]
        assert {line.split(":")[0] for line in head.split("\n")[1:] if line[:1].strip()} <= _FORMAT_PATCH_HEADERS
        if n in NOTES:  # git am drops the notes: they are the one thing git's file cannot have
            note = NOTES[n][1]
            assert note in ours
            ours = ours.replace("---\n" + note + "\n\n", "---\n")
        assert ours == theirs.read_text(encoding="utf-8"), name
    assert not any(b"Received:" in (folder / "patches" / n).read_bytes() for n in names)


def _posted(folder: Path) -> list[dict[str, object]]:
    return tomllib.loads((folder / "series.toml").read_text(encoding="utf-8"))["posted"]["v2"]


def test_the_import_records_each_mail_of_the_posting(tmp_path: Path) -> None:
    folder = imported(tmp_path)
    dates = [re.search(r"^Date: (.*)$", m, re.MULTILINE).group(1) for m in thread_messages()[:10]]  # type: ignore[union-attr]
    assert _posted(folder) == [
        {"number": n, "message-id": mail_id, "date": date, "list": LIST_ID, "via": "import"}
        for n, (mail_id, date) in enumerate(zip(thread_ids(), dates, strict=True))
    ]
    series = read_series(folder)
    assert series.posted[2].message_id(5) == thread_ids()[5]


def test_export_never_overwrites_an_imported_posting(tmp_path: Path) -> None:
    repo = base_repo(tmp_path)
    folder = imported(tmp_path)
    before = (folder / "series.toml").read_bytes()
    inode = folder.stat().st_ino
    export(folder, repo, tmp_path / "out")
    assert (folder / "series.toml").read_bytes() == before
    assert folder.stat().st_ino == inode  # not even rewritten


def test_export_records_its_ids_once_and_again_when_they_change(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.c", "a\n")
    repo.commit("base")
    repo.git("tag", "v1")
    for i in range(2):
        repo.write("a.c", f"a\n{i}\n")
        repo.commit(f"a: step {i}")
    folder = tmp_path / "s"
    assert main(["import", "v1..master", "-o", str(folder), "--repo", str(repo.path)]) == 0
    assert "posted" not in tomllib.loads((folder / "series.toml").read_text())  # a range was never posted
    files = export(folder, repo, tmp_path / "one")
    recorded = tomllib.loads((folder / "series.toml").read_text())["posted"]["v1"]
    assert recorded == [{"number": n, "message-id": i, "via": "export"} for n, i in enumerate(ids_of(files))]
    inode = folder.stat().st_ino
    export(folder, repo, tmp_path / "two", "--mbox", str(tmp_path / "all.mbox"))
    assert folder.stat().st_ino == inode  # the same ids: the folder is left alone
    toml = folder / "series.toml"
    toml.write_text(toml.read_text().replace('title = ""', 'title = "a: two steps"'))
    files = export(folder, repo, tmp_path / "three")
    again = tomllib.loads(toml.read_text())["posted"]["v1"]
    assert [m["message-id"] for m in again] == ids_of(files) != [m["message-id"] for m in recorded]
    # A posting sent for real is never replaced by an export's ids.
    sent = toml.read_text().replace('via = "export"', 'via = "smtp"')
    toml.write_text(sent)
    toml.write_text(toml.read_text().replace('title = "a: two steps"', 'title = "a: 2 steps"'))
    sent = toml.read_bytes()
    export(folder, repo, tmp_path / "four")
    assert toml.read_bytes() == sent


def test_branch_only_export_records_nothing(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.c", "a\n")
    repo.commit("base")
    repo.git("tag", "v1")
    repo.write("a.c", "b\n")
    repo.commit("a: b")
    folder = tmp_path / "s"
    assert main(["import", "v1..master", "-o", str(folder), "--repo", str(repo.path)]) == 0
    before = (folder / "series.toml").read_bytes()
    assert main(["export", str(folder), "--branch", "out", "--repo", str(repo.path)]) == 0
    assert (folder / "series.toml").read_bytes() == before


def test_a_received_mail_with_latin1_lines_in_its_diff_is_stored_with_its_bytes(repo: Repo, tmp_path: Path) -> None:
    """format-patch writes a file's bytes as they are; so does the import of the mail that carried them."""
    repo.write("legacy.txt", "caf\xe9\n".encode("latin-1"))
    repo.commit("base")
    repo.write("legacy.txt", "caf\xe9 cr\xe8me\n".encode("latin-1"))
    repo.commit("legacy: more latin-1")
    repo.git("format-patch", "-q", "--zero-commit", "-o", str(tmp_path / "fp"), "-1")
    (written,) = sorted((tmp_path / "fp").glob("*.patch"))
    assert b"cr\xe8me" in written.read_bytes()
    received = TRANSPORT.encode() + written.read_bytes().split(b"\n", 1)[1]
    (tmp_path / "mail.eml").write_bytes(received)
    assert main(["import", str(tmp_path / "mail.eml"), "-o", str(tmp_path / "s")]) == 0
    (stored,) = (tmp_path / "s" / "patches").glob("*.patch")
    assert stored.read_bytes() == written.read_bytes()
