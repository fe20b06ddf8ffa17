"""Big mboxes are read as a stream (issue 13): cut as ``git mailsplit`` cuts, held a mail at a time.

The oracles: ``git mailsplit --keep-cr`` for the cuts; for the series, the
import of the thread's own mails, which the list mail around them must not
change; for a patch holding a 10 MB line, the ``git format-patch`` file it
was made from.  The imports run as whole processes whose address space is
bounded (``RLIMIT_AS``; the interpreter with patchtool loaded takes 27 MB of
it).  The bounds were tried on the code before (which read the whole file and
kept every mail's bytes and body): it needed 96 MB for ``import`` and for
``trailers`` of the 20 MB mbox (now 33 MB), 167 MB for a reply holding a
10 MB line (now 106 MB), and failed both bounds; a patch holding a 10 MB line
took 212 MB (now 180 MB: ``diffparse.parse_diff`` copies it most), and its
bound only says that it imports.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.bench_mbox_memory import THREAD, make_mbox
from patchtool.sources.mailinfo import split_mbox
from patchtool.sources.mbox import cut_mbox, read_mails
from patchtool.sources.replies import slim
from patchtool.subject import REVIEW_TRAILERS, find_trailers
from tests.conftest import Repo

DATA = Path(__file__).parent / "data"
PATCHTOOL = Path(sys.executable).parent / "patchtool"
LIMIT_MB = 64  # address space, not RSS: a 20 MB mbox
LONG_LINE_LIMIT_MB = 136  # a reply holding a 10 MB line
PATCH_LIMIT_MB = 256  # a patch holding a 10 MB line


def _bounded(limit_mb: int) -> Callable[[], None]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))
    return limit


def patchtool(cwd: Path, *args: str, limit_mb: int = LIMIT_MB, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """``patchtool ARGS`` as a whole process, its address space bounded."""
    return subprocess.run([str(PATCHTOOL), *args], cwd=cwd, capture_output=True, text=True,
                          errors="replace", preexec_fn=_bounded(limit_mb), timeout=timeout)


def folder(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def git_mailsplit(repo: Repo, mbox: Path) -> list[bytes]:
    """The mails as ``git mailsplit`` writes them, the CRs kept (mboxrd unquoted when the file is one)."""
    out = repo.path.parent / f"split-{mbox.name}"
    out.mkdir()
    mboxrd = ["--mboxrd"] if mbox.read_bytes().lstrip().startswith(b"From mboxrd@z ") else []
    repo.git("mailsplit", "-b", "--keep-cr", *mboxrd, f"-o{out}", str(mbox))
    return [p.read_bytes() for p in sorted(out.iterdir())]


EDGES = (
    # white space before the first line; a "From " line without a date inside a body; CRLF ends;
    # a mboxo ">From " line that stays quoted; the last mail without a final newline
    b"\n \n  From alice@example.org Thu Aug 12 10:12:40 2021\nFrom: A <a@example.org>\nSubject: x\n\n"
    b"From the start of a line\n>From here\r\nbody\r\n\n"
    b"From bob@example.org Thu Aug 12 10:12:41 2021\r\nFrom: B <b@example.org>\r\nSubject: y\r\n\r\nend",
    # mboxrd: one ">" comes off every ">From " line, however deep
    b"From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: a\n\n>From x\n>>From y\n> From z\n"
    b"From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: b\n\n>>>From w\n",
    # no From line first: one bare mail, whatever follows
    b"Subject: bare\n\nFrom alice@example.org Thu Aug 12 10:12:40 2021\n>From q\n",
)


def test_cuts_are_git_mailsplits(repo: Repo, tmp_path: Path) -> None:
    big = make_mbox(tmp_path / "list.mbox", 1 << 20, long_line=200_000).path
    edges = []
    for i, data in enumerate(EDGES):
        edges.append(tmp_path / f"edge-{i}.mbox")
        edges[-1].write_bytes(data)
    for mbox in [*sorted(DATA.glob("*.mbox")), big, *edges]:
        with mbox.open("rb") as f:
            cut = list(cut_mbox(f))
        mails = [m for m, _ in cut]
        assert mails == git_mailsplit(repo, mbox), mbox.name
        assert mails == split_mbox(mbox.read_bytes()), mbox.name  # the whole-file cutter agrees
        assert [more for _, more in cut] == [True] * (len(cut) - 1) + [False]


def test_slim_replies_give_the_same_trailers(tmp_path: Path) -> None:
    mbox = make_mbox(tmp_path / "list.mbox", 1 << 20, long_line=0, reviews_every=5).path
    keys = (*REVIEW_TRAILERS, "Nacked-by")
    mails = [m for p in [*sorted(DATA.glob("*.mbox")), mbox] for m in read_mails(p)]
    given = [find_trailers(m.body, keys) for m in mails]
    assert sum(map(bool, given)) > 20
    for mail, found in zip(mails, given, strict=True):
        small = slim(mail)
        assert find_trailers(small.body, keys) == found
        assert (small.message_id, small.in_reply_to_all, small.references, small.subject, small.sender,
                small.date) == (mail.message_id, mail.in_reply_to_all, mail.references, mail.subject, mail.sender,
                                mail.date)
        assert small.raw == b"" and len(small.body) < 200 * (len(found) + 1)


def test_a_20_mb_mbox_imports_in_bounded_memory_as_its_thread_alone(tmp_path: Path) -> None:
    made = make_mbox(tmp_path / "list.mbox", 20 << 20, long_line=0)
    assert made.size >= 20 << 20 and made.mails > 4000
    alone = patchtool(tmp_path, "import", str(THREAD), "-o", str(tmp_path / "alone"))
    assert alone.returncode == 0, alone.stderr
    big = patchtool(tmp_path, "import", str(made.path), "-o", str(tmp_path / "big"))
    assert big.returncode == 0, big.stderr[-2000:]
    assert big.stdout.replace("/big", "/alone") == alone.stdout
    # The other threads' acks are refused (they answer no mail of the series), one line each.
    assert all(line.startswith("not added: Acked-by: ") for line in big.stderr.splitlines())
    assert folder(tmp_path / "big") == folder(tmp_path / "alone")
    tr = patchtool(tmp_path, "trailers", str(tmp_path / "big"), str(made.path), "--dry-run")
    assert tr.returncode == 0, tr.stderr[-2000:]
    assert tr.stdout.splitlines()[-1] == "big: 0 trailers would be added (--dry-run)"


def test_a_reply_with_a_10_mb_line(tmp_path: Path) -> None:
    made = make_mbox(tmp_path / "long.mbox", 0, long_line=10 << 20)
    assert made.long_line == 10 << 20 and made.size > 10 << 20
    alone = patchtool(tmp_path, "import", str(THREAD), "-o", str(tmp_path / "alone"))
    got = patchtool(tmp_path, "import", str(made.path), "-o", str(tmp_path / "long"), limit_mb=LONG_LINE_LIMIT_MB)
    assert got.returncode == 0 and got.stderr == "", got.stderr[-2000:]
    assert got.stdout.replace("/long", "/alone") == alone.stdout
    assert folder(tmp_path / "long") == folder(tmp_path / "alone")


@pytest.mark.parametrize("newline", [True, False])
def test_a_patch_with_a_10_mb_line(repo: Repo, tmp_path: Path, newline: bool) -> None:
    repo.write("README", "hello\n")
    repo.commit("base")
    line = "".join(f"var a{i}=function(b){{return b*{i}}};" for i in range(400_000))[: 10 << 20]
    repo.write("web/bundle.min.js", line + ("\n" if newline else ""))
    repo.commit("web: add the minified bundle\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    mbox = tmp_path / "p.mbox"
    mbox.write_text(repo.git("format-patch", "-1", "--stdout"))
    got = patchtool(tmp_path, "import", str(mbox), "-o", str(tmp_path / "s"), limit_mb=PATCH_LIMIT_MB)
    assert got.returncode == 0, got.stderr[-2000:]
    assert got.stdout == f"imported 1 patch into {tmp_path / 's'}\n" and got.stderr == ""
    (stored,) = (tmp_path / "s" / "patches").glob("*.patch")
    assert stored.read_bytes() == mbox.read_bytes()  # format-patch's file, kept as it came
    assert repo.git("apply", "--numstat", str(stored)) == "1\t0\tweb/bundle.min.js\n"


def test_trailers_read_the_replies_from_a_pipe(tmp_path: Path) -> None:
    """``trailers S <(b4 mbox ...)``: the mailbox is read once, as it comes."""
    made = make_mbox(tmp_path / "replies.mbox", 300_000, long_line=0, reviews_every=3)
    assert made.reviews >= 3
    assert patchtool(tmp_path, "import", str(THREAD), "-o", str(tmp_path / "s")).returncode == 0
    from_file = patchtool(tmp_path, "trailers", str(tmp_path / "s"), str(made.path), "--dry-run")
    assert from_file.returncode == 0 and f"{made.reviews} trailers would be added" in from_file.stdout
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(made.path.read_bytes()), daemon=True)
    writer.start()
    from_pipe = patchtool(tmp_path, "trailers", str(tmp_path / "s"), str(fifo), "--dry-run", timeout=120)
    writer.join(5)
    assert (from_pipe.returncode, from_pipe.stdout, from_pipe.stderr) == (
        from_file.returncode, from_file.stdout, from_file.stderr.replace(str(made.path), str(fifo)))
