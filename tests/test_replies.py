"""Reply trailers land on the patch the reply answers, and only the sender's own are taken.

The patch mails are what ``git format-patch --thread`` wrote; the replies
are built with the stdlib ``email`` package as a mail client sends them
(its folding of long headers included); ``tests/data/`` holds trimmed real
threads.  git is the oracle for what a collected trailer does to a commit
message: ``git interpret-trailers`` of the posted message gives the
message ``git am`` records from the imported patch.
"""

from __future__ import annotations

import email.policy
import mailbox
import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.model import Person, Trailer
from patchtool.sources import load_source, load_source_report
from patchtool.sources.mail import _msgid, _msgids, read_mail
from patchtool.sources.mbox import read_mbox_report
from patchtool.sources.replies import collect, insert_at, same_person
from patchtool.subject import find_trailers

from .conftest import Repo

DATA = Path(__file__).resolve().parent / "data"
POSTED = datetime(2021, 8, 11, 20, 48, 17, tzinfo=UTC)
ACK = "Acked-by: Mickaël Salaün <mic@linux.microsoft.com>"


def _reply(tag: str, subject: str, sender: str, body: str, *, in_reply_to: str | None = None,
           references: tuple[str, ...] = (), hours: int = 1) -> bytes:
    """A reply as a mail client sends it (headers folded at 78 columns by the email package)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Ada Lovelace <ada@example.org>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(POSTED + timedelta(hours=hours))
    msg["Message-ID"] = f"<{tag}@mail.example.org>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = " ".join(references)
    msg.set_content(body)
    return msg.as_bytes(policy=email.policy.default.clone(linesep="\n"))


def _posted(repo: Repo, tmp_path: Path, n: int = 5, *extra: str) -> list[bytes]:
    """``n`` commits as ``git format-patch --cover-letter --thread -v2`` posts them (cover first when n > 1)."""
    repo.write("a.c", "".join(f"a{i}\n" for i in range(20)))
    base = repo.commit("base")
    for i in range(1, n + 1):
        repo.write(f"f{i}.c", f"file {i}\n")
        repo.commit(f"sub{i}: add f{i}.c\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    out = tmp_path / "posted"
    args = ("--cover-letter", "-v2") if n > 1 else ()
    repo.git("format-patch", "-q", "-o", str(out), "--thread", "--base", base, *args, *extra, f"{base}..HEAD")
    return [f.read_bytes() for f in sorted(out.glob("*.patch"))]


def _id(mail: bytes) -> str:
    return str(message_from_bytes(mail)["Message-Id"])


def _subject(mail: bytes) -> str:
    return " ".join(str(message_from_bytes(mail, policy=email.policy.default)["Subject"]).split())


def _mbox(path: Path, mails: list[bytes]) -> Path:
    box = mailbox.mbox(str(path))
    for raw in mails:
        msg = mailbox.mboxMessage(raw)
        msg.set_from("MAILER-DAEMON Thu Jan  1 00:00:00 1970")
        box.add(msg)
    box.flush()
    box.close()
    return path


def _where(series_patches: tuple, trailer: Trailer) -> list[int]:  # type: ignore[type-arg]
    return [n for n, p in enumerate(series_patches, 1) if trailer in p.trailers]


# -- which patch a reply answers --------------------------------------------------------


def test_a_reply_to_a_reply_with_trimmed_references_lands_on_that_patch_only(repo: Repo, tmp_path: Path) -> None:
    mails = _posted(repo, tmp_path)
    cover, fifth = _id(mails[0]), _id(mails[5])
    question = _reply("q5", f"Re: {_subject(mails[5])}", "Grace Hopper <grace@example.org>",
                      "> +file 5\n\nWhy a fifth file?\n", in_reply_to=fifth, references=(cover, fifth))
    # The answer's client trimmed References to the thread's root.
    answer = _reply("a5", f"Re: {_subject(mails[5])}", "Mickaël Salaün <mic@linux.microsoft.com>",
                    f"> Why a fifth file?\n\nBecause.  With that explained:\n\n{ACK}\n",
                    in_reply_to="<q5@mail.example.org>", references=(cover,), hours=2)
    series, report = read_mbox_report(_mbox(tmp_path / "t.mbox", [*mails, question, answer]), name="t")
    acked = Trailer("Acked-by", "Mickaël Salaün <mic@linux.microsoft.com>")
    assert _where(series.patches, acked) == [5]
    assert [(g.number, str(g.trailer), g.message_id) for g in report.added] == [(5, ACK, "<a5@mail.example.org>")]


def test_a_reply_without_in_reply_to_stays_on_the_patch_its_references_end_with(repo: Repo, tmp_path: Path) -> None:
    """b4 takes the first reference (the cover) and gives the ack to every patch; the nearest is patch 3."""
    mails = _posted(repo, tmp_path)
    reply = _reply("r3", f"Re: {_subject(mails[3])}", "Mickaël Salaün <mic@linux.microsoft.com>",
                   f"Fine by me.\n\n{ACK}\n", references=(_id(mails[0]), _id(mails[3])))
    assert b"In-Reply-To" not in reply
    series = load_source(str(_mbox(tmp_path / "t.mbox", [*mails, reply])), name="t")
    assert _where(series.patches, Trailer("Acked-by", "Mickaël Salaün <mic@linux.microsoft.com>")) == [3]


def test_a_reply_with_neither_header_is_matched_by_its_subject(repo: Repo, tmp_path: Path) -> None:
    mails = _posted(repo, tmp_path)
    reply = _reply("s4", f"Re: {_subject(mails[4])}", "Mickaël Salaün <mic@linux.microsoft.com>", f"{ACK}\n")
    series = load_source(str(_mbox(tmp_path / "t.mbox", [*mails, reply])), name="t")
    assert _where(series.patches, Trailer("Acked-by", "Mickaël Salaün <mic@linux.microsoft.com>")) == [4]


def test_a_review_of_a_single_unnumbered_patch_is_collected(repo: Repo, tmp_path: Path) -> None:
    (patch,) = _posted(repo, tmp_path, 1)
    assert "[PATCH] sub1: add f1.c" in _subject(patch)
    review = _reply("rv", f"Re: {_subject(patch)}", "Grace Hopper <grace@example.org>",
                    "> +file 1\n\nLooks right.\n\nReviewed-by: Grace Hopper <grace@example.org>\n",
                    in_reply_to=_id(patch), references=(_id(patch),))
    thread = _mbox(tmp_path / "t.mbox", [patch, review])
    assert main(["import", str(thread), "-o", str(tmp_path / "s"), "--repo", str(repo.path)]) == 0
    # git am of the stored patch records what git interpret-trailers makes of the posted message;
    # Ada (the repository's identity) imports her own patch, so her sign-off moves below the review.
    stored = tmp_path / "s" / "patches" / (tmp_path / "s" / "patches" / "series").read_text().split()[0]
    posted_message = repo.git("log", "-1", "--format=%B")
    expected = repo.git("interpret-trailers", "--trailer", "Reviewed-by: Grace Hopper <grace@example.org>",
                        "--if-exists", "replace", "--trailer", "Signed-off-by: Ada Lovelace <ada@example.org>",
                        input=posted_message.encode())
    repo.git("checkout", "-q", "HEAD~1")
    repo.git("am", "-q", str(stored))
    assert repo.git("log", "-1", "--format=%B") == expected


def test_a_resent_unnumbered_patch_replaces_the_first_copy(repo: Repo, tmp_path: Path) -> None:
    """``[PATCH]`` then ``[PATCH RESEND]`` in reply to it: one patch, reviewed through the resend."""
    (first,) = _posted(repo, tmp_path, 1)
    out = tmp_path / "resend"
    repo.git("format-patch", "-q", "-o", str(out), "--subject-prefix=PATCH RESEND", "--thread",
             f"--in-reply-to={_id(first)}",
             "HEAD~1..HEAD")
    (resent,) = [f.read_bytes().replace(b"Date: Wed, 11 Aug 2021", b"Date: Thu, 12 Aug 2021")
                 for f in out.glob("*.patch")]
    review = _reply("rr", f"Re: {_subject(resent)}", "Grace Hopper <grace@example.org>",
                    "Reviewed-by: Grace Hopper <grace@example.org>\n", in_reply_to=_id(resent),
                    references=(_id(first), _id(resent)), hours=30)
    series = load_source(str(_mbox(tmp_path / "t.mbox", [first, resent, review])), name="t")
    assert len(series.patches) == 1 and series.patches[0].message_id == _id(resent)
    assert _where(series.patches, Trailer("Reviewed-by", "Grace Hopper <grace@example.org>")) == [1]


def test_in_reply_to_with_a_folded_comment_is_followed(repo: Repo, tmp_path: Path) -> None:
    """Gnus writes ``<id> (Name's message of "date")``; the email package folds it over two lines."""
    mails = _posted(repo, tmp_path)
    fourth = _id(mails[4])
    gnus = _reply("g4", f"Re: {_subject(mails[4])}", "Mickaël Salaün <mic@linux.microsoft.com>",
                  f"Ada Lovelace <ada@example.org> writes:\n\n> +file 4\n\n{ACK}\n",
                  in_reply_to=f'{fourth} (Ada Lovelace\'s message of "Wed, 11 Aug 2021 16:52:00 -0400")')
    header = re.search(rb"^In-Reply-To:.*\n(?:[ \t].*\n)+", gnus, re.MULTILINE)
    assert header is not None and b"message" in header.group(0)  # folded, with its comment
    assert read_mail(gnus, "gnus").in_reply_to == fourth
    series = load_source(str(_mbox(tmp_path / "t.mbox", [*mails, gnus])), name="t")
    assert _where(series.patches, Trailer("Acked-by", "Mickaël Salaün <mic@linux.microsoft.com>")) == [4]


def test_in_reply_to_naming_several_mails_follows_the_first_at_hand(repo: Repo, tmp_path: Path) -> None:
    mails = _posted(repo, tmp_path)
    both = _reply("b2", f"Re: {_subject(mails[2])}", "Mickaël Salaün <mic@linux.microsoft.com>", f"{ACK}\n",
                  in_reply_to=f"<elsewhere@mail.example.org> {_id(mails[2])} {_id(mails[3])}")
    series = load_source(str(_mbox(tmp_path / "t.mbox", [*mails, both])), name="t")
    assert _where(series.patches, Trailer("Acked-by", "Mickaël Salaün <mic@linux.microsoft.com>")) == [2]


def test_replies_to_a_cover_without_numbering_go_to_every_patch(repo: Repo, tmp_path: Path) -> None:
    """``git send-email --compose`` sends a cover with a plain subject; the patches answer it."""
    cover = _reply("cover", "sub: five files v2", "Ada Lovelace <ada@example.org>", "Five files, one each.\n",
                   hours=0)
    mails = _posted(repo, tmp_path, 3, "--no-cover-letter", "--in-reply-to=<cover@mail.example.org>")
    tested = _reply("t0", "Re: sub: five files v2", "Tess Ter <tess@example.org>",
                    "Tested-by: Tess Ter <tess@example.org>\n", in_reply_to="<cover@mail.example.org>")
    series = load_source(str(_mbox(tmp_path / "t.mbox", [cover, *mails, tested])), name="t")
    assert _where(series.patches, Trailer("Tested-by", "Tess Ter <tess@example.org>")) == [1, 2, 3]


def test_a_reply_about_another_patch_whose_parents_are_missing_is_not_ours(repo: Repo, tmp_path: Path) -> None:
    """The thread went on from patch 5 to a new ``[PATCH]`` of someone else's; only the ack to it is here."""
    mails = _posted(repo, tmp_path)
    other = "<20220715174501.25216-1-other@example.org>"
    ack = _reply("o1", "Re: [PATCH] io_uring: Don't require reinitable percpu_ref",
                 "Mickaël Salaün <mic@linux.microsoft.com>", f"{ACK}\n", in_reply_to=other,
                 references=(_id(mails[0]), _id(mails[5]), "<missing-answer@mail.example.org>", other))
    _, report = read_mbox_report(_mbox(tmp_path / "t.mbox", [*mails, ack]), name="t")
    assert report.added == ()
    assert [r.reason for r in report.refused] == ["the reply answers no mail of this series"]


def test_a_reply_to_the_first_copy_of_a_re_sent_cover_goes_to_every_patch(repo: Repo, tmp_path: Path) -> None:
    mails = _posted(repo, tmp_path, 2)
    again = mails[0].replace(b"Message-Id: <", b"Message-Id: <again-").replace(b"Date: Wed,", b"Date: Fri,")
    tested = _reply("t0", f"Re: {_subject(mails[0])}", "Tess Ter <tess@example.org>",
                    "Tested-by: Tess Ter <tess@example.org>\n", in_reply_to=_id(mails[0]), references=(_id(mails[0]),))
    series = load_source(str(_mbox(tmp_path / "t.mbox", [*mails, again, tested])), name="t")
    assert series.cover.message_id == _id(again)
    assert _where(series.patches, Trailer("Tested-by", "Tess Ter <tess@example.org>")) == [1, 2]


def test_a_reply_to_another_version_gives_nothing(repo: Repo, tmp_path: Path) -> None:
    mails = _posted(repo, tmp_path, 3)
    old = [m.replace(b"[PATCH v2 ", b"[PATCH ").replace(b"Message-Id: <", b"Message-Id: <v1-") for m in mails]
    reply = _reply("v1", f"Re: {_subject(old[2])}", "Mickaël Salaün <mic@linux.microsoft.com>", f"{ACK}\n",
                   in_reply_to=_id(old[2]), references=(_id(old[0]), _id(old[2])))
    new = [m.replace(b"Date: Wed, 11 Aug", b"Date: Fri, 13 Aug") for m in mails]
    thread = _mbox(tmp_path / "t.mbox", [*old, reply])
    v1, _ = read_mbox_report(thread, name="t")
    assert _where(v1.patches, Trailer("Acked-by", "Mickaël Salaün <mic@linux.microsoft.com>")) == [2]
    # v2 in the same mailbox: the v1 patches are at hand, so the walk up stops there.
    series, report = read_mbox_report(_mbox(tmp_path / "both.mbox", [*new, reply]), name="t")
    assert report.added == ()
    assert [r.reason for r in report.refused] == ["the reply answers no mail of this series"]
    assert series.version == 2


# -- whose trailers --------------------------------------------------------------------------


def test_a_tag_naming_someone_else_is_refused_and_reported(repo: Repo, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    mails = _posted(repo, tmp_path)
    relayed = _reply("x2", f"Re: {_subject(mails[2])}", "Chatty <chat@example.org>",
                     "Grace told me off-list it is fine:\n\nReviewed-by: Grace Hopper <grace@example.org>\n"
                     "Reported-by: Grace Hopper <grace@example.org>\n",
                     in_reply_to=_id(mails[2]), references=(_id(mails[0]), _id(mails[2])))
    thread = _mbox(tmp_path / "t.mbox", [*mails, relayed])
    series, report = read_mbox_report(thread, name="t")
    assert _where(series.patches, Trailer("Reviewed-by", "Grace Hopper <grace@example.org>")) == []
    assert _where(series.patches, Trailer("Reported-by", "Grace Hopper <grace@example.org>")) == [2]
    (refused,) = report.refused
    assert (refused.number, str(refused.trailer), refused.message_id) == (
        2, "Reviewed-by: Grace Hopper <grace@example.org>", "<x2@mail.example.org>")
    assert "not the reply's sender Chatty <chat@example.org>" in refused.reason
    capsys.readouterr()
    assert main(["import", str(thread), "-o", str(tmp_path / "s"), "--repo", str(repo.path)]) == 0
    out, err = capsys.readouterr()
    assert "  + Reported-by: Grace Hopper <grace@example.org> (patch 2)" in out.splitlines()
    assert err.splitlines() == [
        "not added: Reviewed-by: Grace Hopper <grace@example.org> (patch 2, reply <x2@mail.example.org> from "
        "Chatty <chat@example.org>): names Grace Hopper <grace@example.org>, not the reply's sender "
        "Chatty <chat@example.org>"]


def test_nacked_by_is_reported_never_added(repo: Repo, tmp_path: Path) -> None:
    mails = _posted(repo, tmp_path)
    nack = _reply("n0", f"Re: {_subject(mails[0])}", "Linus Torvalds <torvalds@example.org>",
                  "No.\n\nNacked-by: Linus Torvalds <torvalds@example.org>\n",
                  in_reply_to=_id(mails[0]), references=(_id(mails[0]),))
    series, report = read_mbox_report(_mbox(tmp_path / "t.mbox", [*mails, nack]), name="t")
    assert all(t.key != "Nacked-by" for p in series.patches for t in p.trailers)
    assert [(r.number, r.trailer.key, r.reason) for r in report.refused] == [
        (0, "Nacked-by", "Nacked-by is never added")]


def test_the_senders_name_or_address_matches_case_insensitively() -> None:
    sender = Person("Jan Kara", "jack@suse.cz")
    assert same_person(Person("jan kara", "jack@suse.com"), sender)
    assert same_person(Person("J. Kara", "JACK@SUSE.CZ"), sender)
    assert same_person(Person("", "jack+lkml@suse.cz"), sender)
    assert same_person(Person("Dan", "dan@linux.intel.com"), Person("Dan W", "dan@intel.com"))
    assert not same_person(Person("Jan Kar", "jack@suse.de"), sender)


def test_quoted_lines_and_the_signature_give_nothing() -> None:
    body = ("On Fri, Grace wrote:\n> Reviewed-by: Grace Hopper <grace@example.org>\n> > Acked-by: Old <o@x.org>\n"
            " > Tested-by: Quoted <q@x.org>\n\nReviewed-by: Mickaël Salaün\n<mic@linux.microsoft.com>\n\n"
            "-- \nTested-by: Signature <sig@x.org>\n")
    assert find_trailers(body) == (Trailer("Reviewed-by", "Mickaël Salaün <mic@linux.microsoft.com>"),)


# -- where they go ------------------------------------------------------------------------


def test_collected_trailers_keep_date_order_and_stay_above_the_appliers_sign_off(repo: Repo,
                                                                                   tmp_path: Path) -> None:
    mails = _posted(repo, tmp_path)
    cover, third = _id(mails[0]), _id(mails[3])
    late = _reply("late", f"Re: {_subject(mails[3])}", "Grace Hopper <grace@example.org>",
                  "Reviewed-by: Grace Hopper <grace@example.org>\n", in_reply_to=third, references=(cover, third),
                  hours=5)
    early = _reply("early", f"Re: {_subject(mails[0])}", "Tess Ter <tess@example.org>",
                   "Tested-by: Tess Ter <tess@example.org>\n", in_reply_to=cover, references=(cover,), hours=2)
    again = _reply("again", f"Re: {_subject(mails[3])}", "Grace Hopper <grace@example.org>",
                   "Reviewed-by: Grace Hopper <grace@example.org>\n", in_reply_to=third, references=(cover, third),
                   hours=6)
    thread = _mbox(tmp_path / "t.mbox", [*mails, late, again, early])
    ada = Person("Ada Lovelace", "ada@example.org")
    series, report = load_source_report(str(thread), name="t", applier=ada)
    message = repo.git("log", "-1", "--format=%B", "HEAD~2").rstrip("\n") + "\n"  # patch 3 as committed
    # git's own way to add trailers and move the applier's sign-off to the bottom.
    expected = repo.git("interpret-trailers", "--trailer", "Tested-by: Tess Ter <tess@example.org>",
                        "--trailer", "Reviewed-by: Grace Hopper <grace@example.org>", "--if-exists", "replace",
                        "--trailer", "Signed-off-by: Ada Lovelace <ada@example.org>", input=message.encode())
    assert series.patches[2].message == expected
    assert [(g.number, g.trailer.key) for g in report.present] == [(3, "Reviewed-by")]
    # Someone else importing: the trailers go after every existing one.
    other, _ = load_source_report(str(thread), name="t", applier=Person("Paul", "paul@example.org"))
    assert [t.key for t in other.patches[2].trailers] == ["Signed-off-by", "Tested-by", "Reviewed-by"]


def test_insertion_point_is_before_the_appliers_final_sign_off_only() -> None:
    paul = Person("Paul Moore", "paul@paul-moore.com")
    trailers = (Trailer("Signed-off-by", "Casey <casey@schaufler-ca.com>"), Trailer("", "[PM: tweak]"),
                Trailer("Signed-off-by", "Paul Moore <paul@paul-moore.com>"))
    assert insert_at(trailers, paul) == 2
    assert insert_at(trailers[:2], paul) == 2
    assert insert_at(trailers, None) == 3


def test_collect_works_on_message_ids_alone(repo: Repo, tmp_path: Path) -> None:
    """What ``patchtool trailers`` will call: a stored series' patches, its posted ids, the replies."""
    mails = _posted(repo, tmp_path, 3)
    series = load_source(str(_mbox(tmp_path / "t.mbox", mails)), name="t")
    ids = {n: _id(m) for n, m in enumerate(mails)}
    reply = read_mail(_reply("c1", "Re: anything", "Mickaël Salaün <mic@linux.microsoft.com>", f"{ACK}\n",
                             in_reply_to=ids[1]), "reply")
    patches, report = collect(series.patches, ids, [reply])
    assert [len(p.trailers) for p in patches] == [2, 1, 1]
    assert patches[0].raw is None and patches[1] is series.patches[1]
    assert [g.number for g in report.added] == [1]


# -- Message-Id headers ---------------------------------------------------------------------


@pytest.mark.parametrize(("value", "ids"), [
    ('<87a5u0byfa.fsf@suse.de> (Jens Axboe\'s message of "Fri, 1 Sep 2023\n        14:01:05 -0600")',
     ("<87a5u0byfa.fsf@suse.de>",)),
    ("(message from Jens Axboe <axboe@kernel.dk> on Fri) <id@host>", ("<id@host>",)),
    ('Your message of "Fri, 01 Sep 2023 14:01:05 -0600." <id@host>', ("<id@host>",)),
    ("<x$(id)@host>", ("<x$(id)@host>",)),
    ("<a@host> <b@host>\n\t<c@host>", ("<a@host>", "<b@host>", "<c@host>")),
    ("<a@host> (unbalanced", ("<a@host>",)),
    ("", ()),
])
def test_msgids_skip_comments_and_quoted_strings(value: str, ids: tuple[str, ...]) -> None:
    assert _msgids(value) == ids


def test_msgid_of_a_bare_id_gets_brackets() -> None:
    assert _msgid("20230911204021.1479172-4-axboe@kernel.dk") == "<20230911204021.1479172-4-axboe@kernel.dk>"
    assert _msgid("https://lore.kernel.org/io-uring/") is None


def test_message_ids_read_from_the_raw_headers() -> None:
    """The stdlib's Message-ID parser stops at ``(``; an RFC 2047-encoded id is decoded first."""
    raw = (b"From: A <a@example.org>\nSubject: Re: [PATCH] x\nMessage-ID: <x$(id)@host>\n"
           b"In-Reply-To: =?utf-8?q?=3C9e326f4a=2E1671461985=2Egit=2Easml=2Esilence=40gmail=2Ecom=3E?=\n"
           b"References: <root@host>\n <parent@host>\nReferences: <more@host>\n\nbody\n")
    mail = read_mail(raw, "m")
    assert mail.message_id == "<x$(id)@host>"
    assert mail.in_reply_to == "<9e326f4a.1671461985.git.asml.silence@gmail.com>"
    assert mail.references == ("<root@host>", "<parent@host>", "<more@host>")


# -- trimmed real threads ----------------------------------------------------------------------


def test_real_single_patch_reviewed_from_gnus(tmp_path: Path) -> None:
    """tests/data/01: a one-patch posting, reviewed in a Gnus reply (In-Reply-To with a comment)."""
    series, report = read_mbox_report(DATA / "01-single-patch-gnus-review.mbox", name="t")
    assert [(g.number, str(g.trailer)) for g in report.added] == [
        (1, "Reviewed-by: Gabriel Krisman Bertazi <krisman@suse.de>")]
    assert series.patches[0].trailers[-1] == Trailer("Reviewed-by", "Gabriel Krisman Bertazi <krisman@suse.de>")


def test_real_outlook_review_without_in_reply_to_stays_on_its_patch() -> None:
    """tests/data/02: no In-Reply-To, References ``cover patch-1``; b4 took the cover and acked both."""
    series, report = read_mbox_report(DATA / "02-outlook-reply-without-in-reply-to.mbox", name="t")
    reviewed = Trailer("Reviewed-by", "Chaitanya Kulkarni <chaitanya.kulkarni@wdc.com>")
    assert _where(series.patches, reviewed) == [1]
    assert [(g.number, g.trailer) for g in report.added] == [(1, reviewed)]
