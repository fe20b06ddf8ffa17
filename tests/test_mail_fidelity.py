"""Mail as lists and archives serve it, imported as ``git mailinfo`` / ``git am`` read it (tests/data/20-29).

The oracle is git itself on the same raw mail: ``git mailsplit`` cuts the
mbox, ``git mailinfo`` gives the author, subject and the patch it splits
out, and ``git am`` commits the patches in a repository whose base is made
from the hunks mailinfo split out (their context and removed lines at the
lines they name), so that what git commits -- author, subject, files,
counts, message -- is compared with what ``import`` read.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.errors import BadInput
from patchtool.model import Series
from patchtool.sources import load_source, load_source_report
from patchtool.sources.mailinfo import split_mbox, without_crud
from patchtool.subject import MAX_PATCHES

from .conftest import Repo

DATA = Path(__file__).parent / "data"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


# -- the oracle ----------------------------------------------------------------------


@dataclass(frozen=True)
class Info:
    """What ``git mailinfo`` says of one mail."""

    author: str
    email: str
    subject: str
    patch: str
    stderr: str


def mailinfo(repo: Repo, mail: Path) -> Info:
    msg, patch = repo.path.parent / "mi-msg", repo.path.parent / "mi-patch"
    proc = subprocess.run(["git", "mailinfo", str(msg), str(patch)], input=mail.read_bytes(),
                          capture_output=True, cwd=repo.path, check=True)
    fields = dict(line.split(": ", 1) for line in proc.stdout.decode().splitlines() if ": " in line)
    return Info(fields.get("Author", ""), fields.get("Email", ""), fields.get("Subject", ""),
                patch.read_text(encoding="utf-8", errors="surrogateescape"), proc.stderr.decode())


def mailsplit(repo: Repo, mbox: Path) -> list[Path]:
    """The mails of ``mbox`` as ``git mailsplit`` cuts them (still quoted: ``git_am`` unquotes mboxrd)."""
    out = repo.path.parent / f"split-{mbox.stem}"
    out.mkdir(exist_ok=True)
    repo.git("mailsplit", f"-o{out}", str(mbox))
    return sorted(out.iterdir())


def preimage(patches: list[str]) -> dict[str, str]:
    """Files on which ``patches`` (as mailinfo split them out) apply in order, hunk lines where they say.

    Lines no hunk reads are filler; a file a patch creates is not there.
    """
    base: dict[str, dict[int, str]] = {}
    size: dict[str, int] = {}
    state: dict[str, list[tuple[str, int | str]]] = {}
    for patch in patches:
        for section in re.split(r"(?m)^(?=diff --git )", patch)[1:]:
            head = section.split("\n@@", 1)[0]
            path = re.search(r"(?m)^--- (?:a/(.*)|/dev/null)$", head)
            new = re.search(r"(?m)^\+\+\+ (?:b/(.*)|/dev/null)$", head)
            if path is None or new is None:
                continue
            name = path.group(1) or new.group(1)
            if path.group(1) is None:  # created here
                state[name] = []
            current = state.setdefault(name, [])
            hunks = []
            lines = section.split("\n")
            for i, line in enumerate(lines):
                if m := _HUNK.match(line):
                    old_start, old_len = int(m.group(1)), int(m.group(2) or 1)
                    new_len = int(m.group(4) or 1)
                    old, new_lines, j = [], [], i + 1
                    while (len(old) < old_len or len(new_lines) < new_len) and j < len(lines):
                        body = lines[j]
                        tag, text = (body[:1], body[1:]) if body else (" ", "")
                        if tag in " -":
                            old.append(text)
                        if tag in " +":
                            new_lines.append(text)
                        j += 1
                    hunks.append((old_start - 1 if old_len else old_start, old, new_lines))
            for at, old, new_lines in reversed(hunks):
                while len(current) < at + len(old):
                    current.append(("base", size.get(name, 0)))
                    size[name] = size.get(name, 0) + 1
                for k, text in enumerate(old):
                    kind, value = current[at + k]
                    if kind == "base":
                        known = base.setdefault(name, {}).setdefault(int(value), text)
                        assert known == text, f"{name}: the patches disagree on base line {value}"
                    else:
                        assert value == text, f"{name}: a patch reads a line an earlier one did not write"
                current[at:at + len(old)] = [("new", text) for text in new_lines]
    return {name: "".join(base.get(name, {}).get(i, f"/* filler {i} */") + "\n" for i in range(n))
            for name, n in size.items() if n}


@dataclass(frozen=True)
class Commit:
    author: str
    email: str
    subject: str
    message: str
    numstat: tuple[tuple[str, int, int], ...]


def git_am(repo: Repo, mails: list[Path], *am_args: str) -> list[Commit]:
    """``git am`` the mails on a base made for them (mboxrd as mboxrd, as lore's users do); each commit."""
    patches = [mailinfo(repo, m).patch for m in mails]
    for name, text in preimage(patches).items():
        repo.write(name, text)
    repo.commit("base")
    for mail in mails:
        rd = ["--patch-format=mboxrd"] if mail.read_bytes().startswith(b"From mboxrd@z ") else []
        repo.git("am", "-q", *rd, *am_args, str(mail))
    log = repo.git("log", "--reverse", "--format=%H%x00%an%x00%ae%x00%s%x00%B%x01", f"HEAD~{len(mails)}..HEAD")
    commits = []
    for entry in log.split("\x01")[:-1]:
        sha, author, email, subject, message = entry.lstrip("\n").split("\x00")
        numstat = []
        for line in repo.git("show", "--numstat", "--format=", sha).splitlines():
            added, removed, path = line.split("\t")
            numstat.append((path, int(added), int(removed)))
        commits.append(Commit(author, email, subject, message.strip("\n"), tuple(numstat)))
    return commits


def ours(series: Series) -> list[Commit]:
    return [Commit(p.author.name, p.author.email, p.subject.summary, p.message.strip("\n"),
                   tuple((f.path, f.added, f.removed) for f in p.files)) for p in series.patches]


def patch_mails(repo: Repo, mails: list[Path]) -> list[Path]:
    """The mails mailinfo splits a patch out of (not the cover letter, not replies)."""
    return [m for m in mails if "diff --git " in mailinfo(repo, m).patch]


def assert_as_git_am(repo: Repo, sample: str, *am_args: str) -> Series:
    """Import ``sample`` and ``git am`` its patch mails (split from it by ``git mailsplit``): the same commits."""
    path = DATA / sample
    series = load_source(str(path), name="s")
    mails = patch_mails(repo, mailsplit(repo, path))
    assert ours(series) == git_am(repo, mails, *am_args)
    return series


# -- 2: authors as mailinfo reads them -----------------------------------------------


def test_authors_written_the_rfc822_way_import_as_git_am_commits_them(repo: Repo) -> None:
    series = assert_as_git_am(repo, "20-authors-rfc822-comment.mbox")
    assert [str(p.author) for p in series.patches] == [
        "Richard Guy Briggs <rgb@redhat.com>", '"rgb@redhat.com" <rgb@redhat.com>']
    # The folded subject ("io_uring,\n audit: ...") unfolds as mailinfo unfolds it.
    assert series.patches[0].subject.summary == "io_uring, audit: audit IORING_OP_FADVISE but not IORING_OP_MADVISE"


FROM_FORMS = [
    "rgb@redhat.com (Richard Guy Briggs)",
    '"Richard Guy Briggs" <rgb@redhat.com>',
    "Richard Guy Briggs <rgb@redhat.com>",
    "Richard Guy Briggs<rgb@redhat.com>",
    "rgb@redhat.com",
    "<rgb@redhat.com>",
    "rgb@redhat.com <rgb@redhat.com>",
    '"rgb@redhat.com" <rgb@redhat.com>',
    '"" <rgb@redhat.com>',
    "RGB <rgb@redhat.com>",
    '"Briggs, Richard Guy" <rgb@redhat.com>',
    "Richard (Guy) Briggs <rgb@redhat.com> (Red Hat)",
    '"Richard \\"RGB\\" Briggs" <rgb@redhat.com>',
    "Richard Guy Briggs Jr. <rgb@redhat.com>",
    "'Richard Guy Briggs' <rgb@redhat.com>",
    "=?UTF-8?q?Richard_Guy_Brig=C3=9F?= <rgb@redhat.com>",
    "=?ISO-8859-1?Q?Richard_Guy_Brig=DF?= (sent by a very old mailer) <rgb@redhat.com>",
    "A name far longer than sixty bytes, which git mailinfo will not take <rgb@redhat.com>",
    "Richard Guy Briggs <rgb>",
]


@pytest.mark.parametrize("form", FROM_FORMS)
def test_each_from_form_gives_the_author_git_am_commits(repo: Repo, tmp_path: Path, form: str) -> None:
    mbox = DATA / "21-unlisted-recipients.mbox"
    raw = mbox.read_bytes()
    mail = tmp_path / "m.mbox"
    mail.write_bytes(re.sub(rb"(?m)^From: .*$", b"From: " + form.encode(), raw, count=1))
    info = mailinfo(repo, mail)
    (commit,) = git_am(repo, [mail])
    (patch,) = load_source(str(mail), name="s").patches
    assert (patch.author.name, patch.author.email) == (commit.author, commit.email)
    # mailinfo's own answer, before git's ident code strips its crud (Jr. -> Jr, quotes).
    assert (without_crud(info.author), without_crud(info.email)) == (commit.author, commit.email)


def test_a_from_without_an_address_is_refused_as_git_am_refuses_it(repo: Repo, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    mail = tmp_path / "m.mbox"
    mail.write_bytes(re.sub(rb"(?m)^From: .*$", b"From: rgb (Richard Guy Briggs)",
                            (DATA / "21-unlisted-recipients.mbox").read_bytes(), count=1))
    assert mailinfo(repo, mail).email == ""
    repo.write("io_uring/opdef.c", "x\n")
    repo.commit("base")
    assert subprocess.run(["git", "am", str(mail)], cwd=repo.path, capture_output=True).returncode != 0
    assert main(["import", str(mail), "-o", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "no e-mail address" in err


INBODY = [
    "From: Paul Moore <paul@paul-moore.com>\n\n",
    "\nFrom: Paul Moore <paul@paul-moore.com>\n\n",
    "from: paul@paul-moore.com (Paul Moore)\n\n",
    "From: Paul\n Moore <paul@paul-moore.com>\n\n",
    "From:Paul Moore <paul@paul-moore.com>\nDate: Thu, 2 Feb 2023 09:00:00 -0500\n\n",
    "Subject: [PATCH] io_uring: another summary\nFrom: Paul Moore <paul@paul-moore.com>\n\n",
    ">From 4ccae6353500d3870d4da8905ed01d18d36b066a Mon Sep 17 00:00:00 2001\n"
    "From: Paul Moore <paul@paul-moore.com>\n\n",
    "[PATCH] io_uring: a summary on the first line\n\n",
    "From: Paul Moore <paul@paul-moore.com>\nFrom: Jens Axboe <axboe@kernel.dk>\n\n",
]


@pytest.mark.parametrize("head", INBODY)
def test_in_body_headers_are_read_as_mailinfo_reads_them(repo: Repo, tmp_path: Path, head: str) -> None:
    raw = (DATA / "21-unlisted-recipients.mbox").read_bytes()
    at = raw.index(b"\n\n") + 2
    mail = tmp_path / "m.mbox"
    mail.write_bytes(raw[:at] + head.encode() + raw[at:])
    assert ours(load_source(str(mail), name="s")) == git_am(repo, [mail])


def test_format_patch_files_keep_a_long_author_name_git_am_would_drop(repo: Repo, tmp_path: Path) -> None:
    long = "A Name Of Many Words That Goes On And On Far Beyond Sixty Bytes"
    repo.write("a.c", "a\n")
    repo.commit("base")
    repo.write("a.c", "b\n")
    repo.commit("a: change", author=f"{long} <long@example.org>")
    repo.git("format-patch", "-q", "-1", "-o", str(tmp_path / "fp"))
    (patch,) = load_source(str(tmp_path / "fp"), name="s").patches
    assert str(patch.author) == f"{long} <long@example.org>"
    (mail,) = (tmp_path / "fp").iterdir()
    assert mailinfo(repo, mail).author == "long@example.org"  # git mailinfo: over 60 bytes


# -- 3: recipients that are no address list ------------------------------------------


def test_unlisted_recipients_and_a_malformed_cc_import_with_a_warning(repo: Repo, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    series = assert_as_git_am(repo, "21-unlisted-recipients.mbox")
    assert series.to == ()
    assert series.cc == ("Christian Brauner <brauner@kernel.org>", "Richard Guy Briggs <rgb@redhat.com>",
                         "Stefan Roesch <shr@fb.com>", "Eric Paris <eparis@parisplace.org>")
    assert main(["import", str(DATA / "21-unlisted-recipients.mbox"), "-o", str(tmp_path / "s")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == ["patchtool: warning: " + str(DATA / "21-unlisted-recipients.mbox") +
                   ": Cc: '\"Richard Guy Briggs <rgb@redhat.com>' is malformed: kept as "
                   "'Richard Guy Briggs <rgb@redhat.com>'"]


@pytest.mark.parametrize(("to", "kept", "warned"), [
    ("undisclosed-recipients:;", (), False),
    ("undisclosed-recipients: ;", (), False),
    ("Linux Audit: linux-audit@redhat.com, LKML <linux-kernel@vger.kernel.org>;",
     ("linux-audit@redhat.com", "LKML <linux-kernel@vger.kernel.org>"), False),
    ("rgb@redhat.com (Richard Guy Briggs), , ,", ("Richard Guy Briggs <rgb@redhat.com>",), False),
    ("Paul Moore <paul@paul-moore.com", ("Paul Moore <paul@paul-moore.com>",), True),
    ("paul@paul-moore.com>, Jens Axboe <axboe@kernel.dk>", ("paul@paul-moore.com", "Jens Axboe <axboe@kernel.dk>"),
     True),
    ("the audit folks", (), True),
    ("=?UTF-8?Q?Moore=2C_Paul?= <paul@paul-moore.com>", ('"Moore, Paul" <paul@paul-moore.com>',), False),
])
def test_odd_to_headers_never_refuse_the_patch(tmp_path: Path, to: str, kept: tuple[str, ...], warned: bool) -> None:
    mail = tmp_path / "m.mbox"
    mail.write_bytes(re.sub(rb"(?m)^To: .*$", b"To: " + to.encode(),
                            (DATA / "21-unlisted-recipients.mbox").read_bytes(), count=1))
    series, report = load_source_report(str(mail), name="s")
    assert series.total == 1 and series.to == kept
    assert any(w.split(": ", 1)[1].startswith("To:") for w in report.warnings) == warned


# -- 4: an unnumbered patch and its RESEND -------------------------------------------


def test_the_resend_of_an_unnumbered_patch_replaces_it_and_keeps_its_acks(repo: Repo, tmp_path: Path) -> None:
    path = DATA / "22-unnumbered-and-resend.mbox"
    series, report = load_source_report(str(path), name="s")
    (patch,) = series.patches
    assert patch.message_id == "<20230215150211.resend.1676473331.git.rgb@redhat.com>"
    assert patch.files[0].hunks[0].old_start == 315  # the rebased copy
    # Paul Moore acked the first copy: the resend is the same v3 patch.
    assert [str(g.trailer) for g in report.added] == ["Acked-by: Paul Moore <paul@paul-moore.com>"]
    assert series.version == 3
    # git am of the newest copy alone commits what import kept.
    mails = patch_mails(repo, mailsplit(repo, path))
    assert len(mails) == 2
    (commit,) = git_am(repo, mails[-1:])
    (kept,) = ours(series)
    assert (kept.author, kept.email, kept.subject, kept.numstat) == (
        commit.author, commit.email, commit.subject, commit.numstat)


def test_an_unversioned_original_is_replaced_by_its_v3_resend_but_lends_no_acks(tmp_path: Path) -> None:
    raw = (DATA / "22-unnumbered-and-resend.mbox").read_bytes().replace(b"[PATCH v3] io_uring", b"[PATCH] io_uring")
    path = tmp_path / "t.mbox"
    path.write_bytes(raw)
    series, report = load_source_report(str(path), name="s")
    (patch,) = series.patches
    assert patch.message_id == "<20230215150211.resend.1676473331.git.rgb@redhat.com>"
    assert series.version == 3
    assert report.added == ()  # an ack of v1 is no ack of v3


def test_the_resend_wins_whichever_order_the_mbox_holds_them(tmp_path: Path) -> None:
    mails = split_mbox((DATA / "22-unnumbered-and-resend.mbox").read_bytes())
    path = tmp_path / "t.mbox"
    path.write_bytes(b"\n".join(reversed(mails)))
    (patch,) = load_source(str(path), name="s").patches
    assert patch.message_id == "<20230215150211.resend.1676473331.git.rgb@redhat.com>"


# -- 5: mail as archives serve it ----------------------------------------------------


def test_lore_mboxrd_loses_one_level_of_from_quoting(repo: Repo) -> None:
    path = DATA / "23-lore-mboxrd-from-quoting.mbox"
    series = load_source(str(path), name="s")
    assert ours(series) == git_am(repo, mailsplit(repo, path))
    assert "\n>From what I can tell, audit_syscall_entry" in series.patches[0].body
    assert ">>From" not in series.patches[0].body


def test_mboxo_is_cut_only_at_lines_that_look_like_mbox_separators(repo: Repo) -> None:
    series = assert_as_git_am(repo, "24-mboxo-unquoted-from-line.mbox")
    assert series.total == 2
    assert "\nFrom the history: no caller has existed since 2.6.12." in series.patches[0].body


def test_a_base64_body_imports_as_git_am_commits_it(repo: Repo) -> None:
    series = assert_as_git_am(repo, "25-base64-utf8-body.mbox")
    assert "kuřecí řízek" in series.patches[0].body


def test_quoted_crlf_in_base64_and_qp_is_stripped_as_git_am_quoted_cr_strip_does(repo: Repo) -> None:
    path = DATA / "26-crlf-in-base64-and-qp.mbox"
    mails = patch_mails(repo, mailsplit(repo, path))
    # Plain git am keeps them (and the patch does not apply): mailinfo says so.
    assert all("quoted CRLF detected" in mailinfo(repo, m).stderr for m in mails)
    series = load_source(str(path), name="s")
    assert ours(series) == git_am(repo, mails, "--quoted-cr=strip")
    assert not any("\r" in line for p in series.patches for f in p.files for h in f.hunks for line in h.lines)


def test_patches_sent_as_attachments_import_as_git_am_commits_them(repo: Repo) -> None:
    series = assert_as_git_am(repo, "27-patches-as-attachments.mbox")
    assert [p.subject.summary for p in series.patches] == [
        "audit: Remove leftover reference to the audit_tasklet", "audit: Remove redundant null check",
        "audit: replace atomic_add_return()"]
    # The mailing list's footer part is not taken for part of the patch.
    assert all("Linux-audit mailing list" not in f.text for p in series.patches for f in p.files)


def test_format_flowed_is_undone_as_git_am_undoes_it_and_reported(repo: Repo, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    series = assert_as_git_am(repo, "28-format-flowed.mbox")
    assert series.patches[0].files[0].hunks[0].section == \
        "static inline struct filename *audit_reusename(const __user char *name)"
    assert main(["import", str(DATA / "28-format-flowed.mbox"), "-o", str(tmp_path / "s")]) == 0
    (warning,) = capsys.readouterr().err.splitlines()
    assert warning.startswith("patchtool: warning: ") and "format=flowed" in warning
    assert "'audit: remove unused !CONFIG_AUDITSYSCALL __audit_inode* stubs'" in warning


def test_a_patch_format_flowed_broke_is_refused_in_one_line(repo: Repo, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = DATA / "29-format-flowed-damaged.mbox"
    (mail,) = mailsplit(repo, path)
    with pytest.raises(AssertionError, match="git am"):  # git am cannot apply it either
        git_am(repo, [mail])
    with pytest.raises(BadInput, match="format=flowed"):
        load_source(str(path), name="s")
    assert main(["import", str(path), "-o", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "format=flowed" in err and str(path) in err
    assert not (tmp_path / "s").exists()


# -- 6: hostile numbering ------------------------------------------------------------

_IMPORT = "import sys; from patchtool.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.mark.parametrize(("numbering", "needle"), [
    ("1/99999999999999999999", f"more than {MAX_PATCHES} patches"),
    ("1/" + "9" * 5000, f"more than {MAX_PATCHES} patches"),
    (f"1/{MAX_PATCHES + 1}", f"more than {MAX_PATCHES} patches"),
    ("0/0", "a series of no patches"),
    ("1/0", "a series of no patches"),
    ("-1/3", "out of range"),
    ("5/3", "out of range"),
])
def test_hostile_numbering_is_one_line_and_fast(tmp_path: Path, numbering: str, needle: str) -> None:
    raw = (DATA / "21-unlisted-recipients.mbox").read_bytes()
    mail = tmp_path / "m.mbox"
    mail.write_bytes(raw.replace(b"Subject: [PATCH v2]", f"Subject: [PATCH v2 {numbering}]".encode()))
    proc = subprocess.run([sys.executable, "-c", _IMPORT, "import", str(mail), "-o", str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and needle in proc.stderr and str(mail) in proc.stderr
    assert len(proc.stderr) < 300
    assert not (tmp_path / "s").exists()


def test_a_long_gap_is_named_in_one_short_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = (DATA / "21-unlisted-recipients.mbox").read_bytes()
    mail = tmp_path / "m.mbox"
    mail.write_bytes(raw.replace(b"Subject: [PATCH v2]", f"Subject: [PATCH v2 1/{MAX_PATCHES}]".encode()))
    assert main(["import", str(mail), "-o", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and f"2/{MAX_PATCHES} to {MAX_PATCHES}/{MAX_PATCHES}" in err
