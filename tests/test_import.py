"""Import from a range, a folder and an mbox: the Series each gives, and the folder written back.

git is the oracle: the patch files are what ``git format-patch`` wrote,
and the range and folder imports must agree with each other field by field.
"""

from __future__ import annotations

import email.policy
import mailbox
import os
import random
from email import message_from_bytes
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.gitrepo import GitRepo
from patchtool.model import ChangeKind, Series, Trailer
from patchtool.seriesdir import read_series, write_series
from patchtool.sources import load_source
from patchtool.sources.folder import read_folder
from patchtool.sources.gitrange import read_range

from .conftest import Repo

BIN_A = bytes(range(256)) * 8
BIN_B = bytes(reversed(range(256))) * 8 + b"\x00tail"


def build_history(repo: Repo) -> tuple[str, str]:
    """A base and four commits exercising what format-patch can write."""
    repo.write("src/main.c", "".join(f"int line{i};\n" for i in range(40)))
    repo.write("src/old_name.c", "".join(f"static int keep{i};\n" for i in range(30)))
    repo.write("tools/run.sh", "#!/bin/sh\necho run\n")
    repo.write("data/blob.bin", BIN_A)
    repo.write("doc/notes.txt", "first\nsecond\n")
    base = repo.commit("base")
    repo.write("src/main.c", "".join(f"int line{i};\n" for i in range(40)).replace("line7;", "line7 = 7;"))
    repo.write("src/new.c", "/* new */\nint fresh;")  # no newline at end of file
    repo.commit("main: initialise line7\n\nAnd add a file without a final newline.\n\n"
                "Signed-off-by: Ada Lovelace <ada@example.org>")
    (repo.path / "src/old_name.c").rename(repo.path / "src/new_name.c")
    repo.write("src/new_name.c", (repo.path / "src/new_name.c").read_text() + "static int added;\n")
    repo.commit("src: rename old_name.c\n\nReviewed-by: Grace Hopper <grace@example.org>\n"
                "[ada: fixed the include]\nSigned-off-by: Ada Lovelace <ada@example.org>",
                author="Jörg Müller-Lüdenscheidt <joerg@example.de>")
    os.chmod(repo.path / "tools/run.sh", 0o755)
    repo.write("data/blob.bin", BIN_B)
    repo.commit("tools: make run.sh executable, update the blob")
    (repo.path / "doc/notes.txt").unlink()
    repo.write("doc/ünïcode name.txt", "ça va\n")
    repo.commit("doc: replace notes with a file whose name needs quoting")
    return base, repo.git("rev-parse", "HEAD").strip()


def format_patch(repo: Repo, spec: str, out: Path, *extra: str) -> list[Path]:
    repo.git("format-patch", "-q", "-o", str(out), *extra, spec)
    return sorted(out.glob("*.patch"))


def comparable(series: Series) -> list[tuple]:
    return [
        (p.subject.summary, p.author, p.date, p.body, p.trailers, p.files)
        for p in series.patches
    ]


def test_range_and_folder_give_the_same_series(repo: Repo, tmp_path: Path) -> None:
    base, head = build_history(repo)
    files = format_patch(repo, f"{base}..{head}", tmp_path / "fp")
    assert len(files) == 4
    from_range = read_range(GitRepo.open(repo.path), f"{base}..{head}", name="s")
    from_folder = read_folder(tmp_path / "fp", name="s")
    assert comparable(from_range) == comparable(from_folder)
    kinds = [f.kind for p in from_folder.patches for f in p.files]
    assert {ChangeKind.ADD, ChangeKind.DELETE, ChangeKind.RENAME, ChangeKind.MODIFY} <= set(kinds)
    renamed = from_folder.patches[1]
    assert renamed.author.name == "Jörg Müller-Lüdenscheidt"
    assert renamed.trailers == (
        Trailer("Reviewed-by", "Grace Hopper <grace@example.org>"),
        Trailer("", "[ada: fixed the include]"),
        Trailer("Signed-off-by", "Ada Lovelace <ada@example.org>"),
    )
    exec_change = next(f for f in from_folder.patches[2].files if f.path == "tools/run.sh")
    assert (exec_change.old_mode, exec_change.new_mode) == ("100644", "100755")
    assert any(f.binary for f in from_folder.patches[2].files)
    assert "doc/ünïcode name.txt" in from_folder.patches[3].paths


def test_folder_written_back_is_byte_identical(repo: Repo, tmp_path: Path) -> None:
    base, head = build_history(repo)
    files = format_patch(repo, f"{base}..{head}", tmp_path / "fp")
    series = read_folder(tmp_path / "fp", name="s")
    write_series(series, tmp_path / "series" / "s")
    written = tmp_path / "series" / "s" / "patches"
    assert (written / "series").read_text().split() == [f.name for f in files]
    for f in files:
        assert (written / f.name).read_bytes() == f.read_bytes()
    again = read_series(tmp_path / "series" / "s")
    assert comparable(again) == comparable(series)


def test_range_import_writes_what_format_patch_writes(repo: Repo, tmp_path: Path) -> None:
    base, head = build_history(repo)
    files = format_patch(repo, f"{base}..{head}", tmp_path / "fp")
    assert main(["import", f"{base}..{head}", "-o", str(tmp_path / "out"), "--repo", str(repo.path)]) == 0
    for f in files:
        assert (tmp_path / "out" / "patches" / f.name).read_bytes() == f.read_bytes()


def _quoted_printable(raw: bytes) -> bytes:
    """The same mail as a client that re-encodes bodies as quoted-printable sends it."""
    msg = message_from_bytes(raw, policy=email.policy.default)
    body = msg.get_payload(decode=True).decode("utf-8")  # format-patch writes UTF-8
    del msg["Content-Transfer-Encoding"]
    msg.set_content(body, cte="quoted-printable")
    return msg.as_bytes(policy=email.policy.SMTP.clone(linesep="\n"))


def test_quoted_printable_mail_imports_the_same_patch(repo: Repo, tmp_path: Path) -> None:
    base, head = build_history(repo)
    files = format_patch(repo, f"{base}..{head}", tmp_path / "fp")
    qp_dir = tmp_path / "qp"
    qp_dir.mkdir()
    for f in files:
        (qp_dir / f.name).write_bytes(_quoted_printable(f.read_bytes()))
    assert b"quoted-printable" in (qp_dir / files[1].name).read_bytes()
    plain = read_folder(tmp_path / "fp", name="s")
    qp = read_folder(qp_dir, name="s")
    text_only = [(a[:5], [f for f in a[5] if not f.binary]) for a in comparable(plain)]
    assert text_only == [(a[:5], [f for f in a[5] if not f.binary]) for a in comparable(qp)]
    write_series(qp, tmp_path / "series" / "qp")
    # Mails as received are stored as format-patch writes them (--zero-commit: the commit is not known).
    zero = format_patch(repo, f"{base}..{head}", tmp_path / "zero", "--zero-commit")
    for f, z in zip(files, zero, strict=True):
        assert (tmp_path / "series/qp/patches" / f.name).read_bytes() == z.read_bytes()


# -- mbox threads -------------------------------------------------------------------


def thread_mbox(repo: Repo, tmp_path: Path, *, drop: int | None = None) -> Path:
    repo.write("a.c", "".join(f"a{i}\n" for i in range(20)))
    base = repo.commit("base")
    for i in range(1, 6):
        repo.write(f"f{i}.c", f"file {i}\n")
        repo.commit(f"sub{i}: add f{i}.c\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    files = format_patch(repo, f"{base}..HEAD", tmp_path / "thread", "--cover-letter", "--thread",
                         "--base", base, "-v", "2", "--rfc")
    mails = [f.read_bytes() for f in files]
    ids = [message_from_bytes(m)["Message-Id"] for m in mails]
    replies = [
        _reply(ids[2], ids[0], "Re: [RFC PATCH v2 2/5] sub2: add f2.c", "Grace Hopper <grace@example.org>",
               "> quoted\n> Acked-by: Not Me <no@example.org>\n\nReviewed-by: Grace Hopper <grace@example.org>\n", 1),
        _reply(ids[2], ids[0], "Re: [RFC PATCH v2 2/5] sub2: add f2.c", "=?UTF-8?q?Micka=C3=ABl?= <mic@example.org>",
               "Looks right.\n\nAcked-by: Mickaël Salaün <mic@example.org>\n", 2),
        _reply(ids[0], ids[0], "Re: [RFC PATCH v2 0/5] sub: five files", "Tess Ter <tess@example.org>",
               "Ran it all.\n\nTested-by: Tess Ter <tess@example.org>\n", 3),
        _reply(ids[4], ids[0], "Re: [RFC PATCH v2 4/5] sub4: add f4.c", "Chatty <chat@example.org>",
               "Nice, no tags from me.\n", 4),
    ]
    order = [mails[0], mails[4], mails[2], replies[0], mails[5], mails[1], replies[2], mails[3],
             replies[1], replies[3]]
    if drop is not None:
        order.remove(mails[drop])
    path = tmp_path / "thread.mbox"
    box = mailbox.mbox(str(path))
    rng = random.Random(4)
    for raw in order:
        msg = mailbox.mboxMessage(raw)
        msg.set_from(f"mailer{rng.randint(1, 99)} Thu Jan  1 00:00:00 1970")
        box.add(msg)
    box.flush()
    box.close()
    return path


def _reply(parent: str, root: str, subject: str, sender: str, body: str, minute: int = 0) -> bytes:
    """A reply as a mail client sends it; collected trailers follow the replies' dates."""
    return (f"From: {sender}\nSubject: {subject}\nDate: Thu, 12 Aug 2021 10:{minute:02d}:00 +0000\n"
            f"Message-Id: <reply-{abs(hash(body))}@example.org>\nIn-Reply-To: {parent}\n"
            f"References: {root} {parent}\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
            f"Content-Transfer-Encoding: 8bit\n\n{body}").encode()


def test_mbox_thread_orders_patches_and_collects_trailers(repo: Repo, tmp_path: Path) -> None:
    series = load_source(str(thread_mbox(repo, tmp_path)), name="t")
    assert [p.subject.summary for p in series.patches] == [f"sub{i}: add f{i}.c" for i in range(1, 6)]
    assert (series.version, series.rfc, series.title) == (2, True, "*** SUBJECT HERE ***")
    tested = Trailer("Tested-by", "Tess Ter <tess@example.org>")
    for n, patch in enumerate(series.patches, 1):
        assert tested in patch.trailers
        if n != 2:
            assert [t.key for t in patch.trailers] == ["Signed-off-by", "Tested-by"]
    assert series.patches[1].trailers == (
        Trailer("Signed-off-by", "Ada Lovelace <ada@example.org>"),
        Trailer("Reviewed-by", "Grace Hopper <grace@example.org>"),
        Trailer("Acked-by", "Mickaël Salaün <mic@example.org>"),
        tested,
    )
    assert series.base_commit is not None


def test_mbox_import_writes_collected_trailers_into_the_patches(repo: Repo, tmp_path: Path) -> None:
    path = thread_mbox(repo, tmp_path)
    assert main(["import", str(path), "-o", str(tmp_path / "s")]) == 0
    again = read_series(tmp_path / "s")
    # Ada, the repository's identity, imports: her sign-off moves below the collected trailers.
    assert again.patches[1].trailers[0] == Trailer("Reviewed-by", "Grace Hopper <grace@example.org>")
    repo.git("checkout", "-q", "-b", "applied", again.base_commit or "")
    for name in (tmp_path / "s/patches/series").read_text().split():
        repo.git("am", "-q", str(tmp_path / "s/patches" / name))
    log = repo.git("log", "-1", "--format=%B", "HEAD~3")
    assert "Reviewed-by: Grace Hopper <grace@example.org>" in log
    assert "Acked-by: Mickaël Salaün <mic@example.org>" in log


def test_mbox_with_a_missing_patch_names_it(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = thread_mbox(repo, tmp_path, drop=3)
    assert main(["import", str(path), "-o", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "3/5" in err and str(path) in err
    assert not (tmp_path / "s").exists()


def test_folder_without_unixfrom_and_signature(repo: Repo, tmp_path: Path) -> None:
    base, head = build_history(repo)
    files = format_patch(repo, f"{base}..{head}", tmp_path / "fp")
    bare = tmp_path / "bare"
    bare.mkdir()
    for f in files:
        text = f.read_bytes()
        text = text.split(b"\n", 1)[1]  # no "From <sha> Mon Sep 17 ..." line
        text = text[: text.rindex(b"-- \n")]  # no "-- \n2.39.5" signature
        (bare / f.name).write_bytes(text)
    assert comparable(read_folder(tmp_path / "fp", name="s")) == comparable(read_folder(bare, name="s"))


def test_quilt_series_file_orders_unnumbered_patches(repo: Repo, tmp_path: Path) -> None:
    base, head = build_history(repo)
    files = format_patch(repo, f"{base}..{head}", tmp_path / "fp", "--no-numbered")
    (tmp_path / "fp" / "series").write_text(
        "# applied in this order\n" + "".join(f"{f.name} -p1\n" for f in reversed(files))
    )
    series = read_folder(tmp_path / "fp", name="s")
    assert [p.filename for p in series.patches] == [f.name for f in reversed(files)]


def test_cover_letter_file_is_the_cover(repo: Repo, tmp_path: Path) -> None:
    base, head = build_history(repo)
    files = format_patch(repo, f"{base}..{head}", tmp_path / "fp", "--cover-letter", "--base", base)
    assert files[0].name == "0000-cover-letter.patch"
    cover = files[0].read_text().replace("*** BLURB HERE ***", "Why these four patches.")
    files[0].write_text(cover)
    series = read_folder(tmp_path / "fp", name="s")
    assert series.total == 4
    assert series.cover.prose == "Why these four patches.\n"
    assert series.base_commit == base


def test_crlf_latin1_mail_with_folded_headers(tmp_path: Path, repo: Repo) -> None:
    repo.write("a.c", "one\ntwo\n")
    repo.commit("base")
    repo.write("a.c", "one\nzwei\n")
    repo.commit("a: deutsch", author="Jörg Müller <j@example.de>")
    out = tmp_path / "fp"
    (mail,) = format_patch(repo, "HEAD~1..HEAD", out)
    text = mail.read_text(encoding="utf-8")
    text = text.replace("Subject: [PATCH] a: deutsch", "Subject: [PATCH] a:\n deutsch")
    text = text.replace("From: =?UTF-8?q?J=C3=B6rg=20M=C3=BCller?=", "From: =?ISO-8859-1?Q?J=F6rg_M=FCller?=")
    text = text.replace("\n\n", "\nContent-Type: text/plain; charset=ISO-8859-1\n\n", 1)
    mail.write_bytes(text.replace("\n", "\r\n").encode("latin-1"))
    series = read_folder(out, name="s")
    patch = series.patches[0]
    assert patch.author.name == "Jörg Müller"
    assert patch.subject.summary == "a: deutsch"
    assert [h.lines for h in patch.files[0].hunks] == [(" one", "-two", "+zwei")]


def test_mbox_keeps_the_newest_copy_of_a_resent_patch(repo: Repo, tmp_path: Path) -> None:
    path = thread_mbox(repo, tmp_path)
    box = mailbox.mbox(str(path))
    fourth = next(m for m in box if "4/5" in m["Subject"])
    resent = mailbox.mboxMessage(fourth.as_bytes().replace(b"file 4", b"file four").replace(
        b"Date: Wed, 11 Aug 2021", b"Date: Fri, 13 Aug 2021"))
    box.add(resent)
    box.flush()
    box.close()
    series = load_source(str(path), name="t")
    assert series.total == 5
    assert "+file four" in series.patches[3].diff


def test_example_thread_imports_as_the_shipped_series() -> None:
    """The example's mbox thread (cover, 9 patches, replies) gives the series folder's patches and recipients."""
    root = Path(__file__).resolve().parent.parent
    shipped = read_series(root / "series" / "io_uring-lsm")
    thread = load_source(str(root / "tests" / "data" / "io_uring-lsm-thread.mbox"), name="io_uring-lsm")
    assert thread.to == shipped.to
    assert (thread.version, thread.rfc, thread.title) == (shipped.version, shipped.rfc, shipped.title)
    assert thread.base_commit == shipped.base_commit
    assert thread.cover.message_id == shipped.cover.message_id
    assert [p.files for p in thread.patches] == [p.files for p in shipped.patches]
    assert [p.subject.summary for p in thread.patches] == [p.subject.summary for p in shipped.patches]
    acked = Trailer("Acked-by", "Mickaël Salaün <mic@linux.microsoft.com>")
    assert [n for n, p in enumerate(thread.patches, 1) if acked in p.trailers] == [5]
    assert thread.patches[8].author.name == "Casey Schaufler"


def test_copies_import_and_apply_like_git(repo: Repo, tmp_path: Path) -> None:
    """format-patch -C writes copies; the folder import keeps them and the series applies to git am's tree."""
    from patchtool.apply import apply_series

    repo.write("lib/orig.c", "".join(f"int v{i};\n" for i in range(40)))
    base = repo.commit("base")
    repo.write("lib/copy.c", "".join(f"int v{i};\n" for i in range(40)) + "int extra;\n")
    head = repo.commit("lib: copy orig.c")
    (mail,) = format_patch(repo, f"{base}..{head}", tmp_path / "fp", "-C", "--find-copies-harder")
    assert "copy from lib/orig.c" in mail.read_text()
    series = read_folder(tmp_path / "fp", name="s")
    (change,) = series.patches[0].files
    assert (change.kind, change.old_path, change.new_path) == (ChangeKind.COPY, "lib/orig.c", "lib/copy.c")
    git = GitRepo.open(repo.path)
    with git.scratch() as store:
        result = apply_series(store, base, series.patches)
    assert result.result_tree == repo.git("rev-parse", f"{head}^{{tree}}").strip()
