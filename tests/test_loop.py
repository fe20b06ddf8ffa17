"""The maintainer's whole loop in one real repository: import, export, trailers, rework, reroll --from,
range-diff, status (issue 9's "it must show" 1).  git is the oracle at each step that has one."""

from __future__ import annotations

import email.utils
import re
from email.message import EmailMessage
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.seriesdir import read_series

from .conftest import Repo
from .test_update import lines, rebase_i

SHA = re.compile(r"\b[0-9a-f]{7,40}\b")
LETTERS = "abcde"
ADA = "Signed-off-by: Ada Lovelace <ada@example.org>"
MAINTAINERS = (
    "LIB A\nM:\tAnna Alpha <anna@example.org>\nF:\tlib/a.c\n\n"
    "LIB B\nM:\tBob Beta <bob@example.org>\nF:\tlib/b.c\n\n"
    "LIB REST\nM:\tRita Rest <rita@example.org>\nL:\tlib@lists.example.org\nF:\tlib/\n"
)


def _history(repo: Repo) -> None:
    repo.write("MAINTAINERS", MAINTAINERS)
    for letter in LETTERS:
        repo.write(f"lib/{letter}.c", lines(30, letter))
    repo.commit("base")
    repo.git("tag", "base")
    repo.git("checkout", "-q", "-b", "v1")
    for letter in LETTERS:
        text = (repo.path / f"lib/{letter}.c").read_text()
        repo.write(f"lib/{letter}.c", text.replace(f"{letter} line 10\n", f"{letter} line 10 changed\n"))
        repo.commit(f"lib: change {letter}\n\nBecause {letter} needed it.\n\n{ADA}")


def _reply(path: Path, *, sender: str, subject: str, in_reply_to: str, references: list[str], body: str,
           msgid: str, when: int) -> None:
    msg = EmailMessage()
    msg["From"] = sender
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(1628700000 + when * 60)
    msg["Message-Id"] = msgid
    msg["In-Reply-To"] = in_reply_to
    msg["References"] = " ".join(references)
    msg.set_content(body)
    with path.open("ab") as fh:
        fh.write(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + msg.as_bytes() + b"\n")


def test_the_whole_loop(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _history(repo)
    folder = tmp_path / "letters"
    r = str(repo.path)
    assert main(["import", "base..v1", "-o", str(folder), "--repo", r]) == 0
    assert main(["export", str(folder), "-o", str(tmp_path / "out-v1"), "--repo", r]) == 0
    posted = read_series(folder).posted[1]
    cover_id, id2, id4 = posted.message_id(0), posted.message_id(2), posted.message_id(4)
    assert cover_id and id2 and id4

    # Replies: Bob acks patch 2 in a reply to Anna's reply (References trimmed to the cover);
    # Anna acks patch 4 directly; Rita's ack names Bob, so it is not added.
    box = tmp_path / "replies.mbox"
    _reply(box, sender="Anna Alpha <anna@example.org>", subject="Re: [PATCH 2/5] lib: change b",
           in_reply_to=id2, references=[cover_id, id2], body="> hunk\nLooks fine to me.\n",
           msgid="<anna-1@example.org>", when=1)
    _reply(box, sender="Bob Beta <bob@example.org>", subject="Re: [PATCH 2/5] lib: change b",
           in_reply_to="<anna-1@example.org>", references=[cover_id], body="Acked-by: Bob Beta <bob@example.org>\n",
           msgid="<bob-1@example.org>", when=2)
    _reply(box, sender="Anna Alpha <anna@example.org>", subject="Re: [PATCH 4/5] lib: change d",
           in_reply_to=id4, references=[cover_id, id4], body="Acked-by: Anna Alpha <anna@example.org>\n",
           msgid="<anna-2@example.org>", when=3)
    _reply(box, sender="Rita Rest <rita@example.org>", subject="Re: [PATCH 3/5] lib: change c",
           in_reply_to=posted.message_id(3) or "", references=[cover_id],
           body="Acked-by: Bob Beta <bob@example.org>\n", msgid="<rita-1@example.org>", when=4)
    capsys.readouterr()
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert main(["trailers", str(folder), str(box), "--dry-run", "--repo", r]) == 0
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert main(["trailers", str(folder), str(box), "--repo", r]) == 0
    out = capsys.readouterr()
    assert "  + Acked-by: Bob Beta <bob@example.org> (patch 2)\n" in out.out
    assert "  + Acked-by: Anna Alpha <anna@example.org> (patch 4)\n" in out.out
    assert "not added: Acked-by: Bob Beta <bob@example.org> (patch 3" in out.err
    acked = read_series(folder)
    # Before the applier's own closing sign-off (the committer here is Ada), as b4 places them.
    assert [str(t) for t in acked.patches[1].trailers] == ["Acked-by: Bob Beta <bob@example.org>", ADA]
    assert not any(t.key == "Acked-by" for n in (0, 2, 4) for t in acked.patches[n].trailers)

    # git am of the folder records the acks: the stored patches are what git reads.
    repo.git("checkout", "-q", "-b", "acked", "base")
    repo.git("am", "-q", *sorted(str(p) for p in (folder / "patches").glob("*.patch")))
    assert "Acked-by: Bob Beta" in repo.git("log", "-1", "--format=%B", "HEAD~3")

    # Rework on a branch: patch 4's code and patch 5's message edited, a sixth patch added.
    repo.git("checkout", "-q", "-b", "rework", "v1")
    rebase_i(repo, tmp_path, "base", {4: "edit"})
    repo.write("lib/d.c", (repo.path / "lib/d.c").read_text().replace("d line 20\n", "d line 20 too\n"))
    repo.git("add", "-A")
    repo.git("commit", "-q", "--amend", "--no-edit")
    repo.git("rebase", "--continue", env={"GIT_EDITOR": "true"})
    repo.git("commit", "-q", "--amend", "-m", f"lib: change e\n\nBecause e needed it, as reviewed.\n\n{ADA}")
    repo.write("lib/f.c", "new\n")
    repo.commit(f"lib: add f\n\n{ADA}")
    capsys.readouterr()
    assert main(["reroll", str(folder), "--from", "base..rework", "--repo", r]) == 0
    out = capsys.readouterr().out
    v2 = read_series(folder)
    assert v2.version == 2 and (folder / "history" / "v1" / "series.toml").is_file()
    assert re.search(r"^  2 -> 2 +unchanged", out, re.MULTILINE)
    assert re.search(r"^  4 -> 4 +edited", out, re.MULTILINE)
    assert re.search(r"^  5 -> 5 +edited \(message\)", out, re.MULTILINE)
    assert re.search(r"-> 6 +new", out)
    assert "Acked-by: Bob Beta <bob@example.org>" in [str(t) for t in v2.patches[1].trailers]  # carried
    assert not any(t.key == "Acked-by" for t in v2.patches[3].trailers)  # edited: reported, not carried
    assert "Anna Alpha" in out
    assert v2.changes.get(2)

    # range-diff equals git's on the two versions as commits (v1 as stored, with its acks, is `acked`).
    repo.git("checkout", "-q", "-b", "v2-commits", "base")
    repo.git("am", "-q", *[str(folder / "patches" / n) for n in
                           (folder / "patches" / "series").read_text().split()])
    capsys.readouterr()
    assert main(["range-diff", str(folder), "--repo", r]) == 0
    ours = capsys.readouterr().out
    theirs = repo.git("range-diff", "--no-color", "base..acked", "base..v2-commits")
    assert SHA.sub("<id>", ours) == SHA.sub("<id>", theirs)

    # v2 threads under v1's cover, whose id the export of v1 recorded.
    assert main(["export", str(folder), "-o", str(tmp_path / "out-v2"), "--in-reply-to", "previous",
                 "--repo", r]) == 0
    cover = next((tmp_path / "out-v2").glob("v2-0000-*.patch")).read_text()
    assert f"\nIn-Reply-To: {cover_id}\n" in cover and f"\nReferences: {cover_id}\n" in cover
    capsys.readouterr()

    # status: LIB B acked by its maintainer on patch 2; LIB A's patch 1 has no ack yet.
    assert main(["status", str(folder), "--repo", r]) == 1
    status = capsys.readouterr().out
    assert re.search(r"^LIB B: acked by Bob Beta", status, re.MULTILINE)
    assert re.search(r"^LIB A: no ack yet \(patch 1\)", status, re.MULTILINE)
