"""Benchmark: the peak memory of ``patchtool import`` and ``patchtool trailers`` on a 100 MB mbox.

The mbox is made here (``make_mbox``), in a temporary folder, from the
real-shaped thread ``tests/data/io_uring-lsm-thread.mbox`` (the cover, the
9 patches of ``[RFC PATCH v2 n/9]`` and its three replies), in the same
mboxrd form, followed and interleaved by list mail made by varying those
mails until the file has the size asked for:

- review replies inside the thread (``Re: [RFC PATCH v2 n/9]``), answering
  a patch or an earlier reply, quoting a stretch of the patch they answer
  (``> +line``) between paragraphs of comment; with ``--reviews N`` one in N
  ends with a ``Reviewed-by:`` of its sender;
- replies in other threads (``Re: [PATCH v3 k/4] io_uring: ...``, their
  parents not in the file), quoting diff lines the same way;
- plain list mail without a diff (``[GIT PULL]``, questions), a third of
  it base64 or quoted-printable as some clients send it;
- one reply holding one 10 MB line (a pasted audit log, ``--long-line``).

Each tool runs as a whole process under ``/usr/bin/time -v``: ``git
mailsplit --mboxrd`` (the floor: it copies the file out mail by mail),
``patchtool import BIG.mbox -o DIR``, then ``patchtool trailers DIR
BIG.mbox``; the script prints the "Maximum resident set size" and the wall
time of each, the ratio of patchtool's peak to mailsplit's and to the file
size, and whether it is under the target (300 MB).

Run: ``.venv/bin/python benchmarks/bench_mbox_memory.py [--size-mb 100] [--long-line-mb 10]
[--reviews 400] [--keep DIR] [--pythonpath DIR]``.  ``--pythonpath`` runs
another copy of the package (a checkout of an older commit) for the
figures before a change.  Nothing here uses the network.
"""

from __future__ import annotations

import argparse
import base64
import os
import quopri
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREAD = ROOT / "tests" / "data" / "io_uring-lsm-thread.mbox"
TARGET_MB = 300
_SEP = b"From mboxrd@z Thu Jan  1 00:00:00 1970\n"

_PEOPLE = [
    ("Jens Axboe", "axboe@kernel.dk"), ("Pavel Begunkov", "asml.silence@gmail.com"),
    ("Casey Schaufler", "casey@schaufler-ca.com"), ("Stephen Smalley", "stephen.smalley.work@gmail.com"),
    ("Richard Guy Briggs", "rgb@redhat.com"), ("Kumar Kartikeya Dwivedi", "memxor@gmail.com"),
    ("Ondrej Mosnacek", "omosnace@redhat.com"), ("Steve Grubb", "sgrubb@redhat.com"),
    ("John Johansen", "john.johansen@canonical.com"), ("Serge E. Hallyn", "serge@hallyn.com"),
    ("Christian Brauner", "brauner@kernel.org"), ("Al Viro", "viro@zeniv.linux.org.uk"),
    ("Hao Xu", "haoxu@linux.alibaba.com"), ("Xiaoguang Wang", "xiaoguang.wang@linux.alibaba.com"),
    ("Ming Lei", "ming.lei@redhat.com"), ("Gabriel Krisman Bertazi", "krisman@collabora.com"),
    ("Stefan Roesch", "shr@fb.com"), ("Dylan Yudaken", "dylany@fb.com"),
    ("Jann Horn", "jannh@google.com"), ("Kees Cook", "keescook@chromium.org"),
]
_COMMENTS = [
    "This looks fine to me, but I wonder whether the lock is really needed here: the ring is\n"
    "private to the task at this point and nothing else can see it yet.",
    "Can this race with io_uring_cancel_generic()?  If the task exits between the check and\n"
    "the assignment we would leave a dangling pointer behind.",
    "Nit: the comment above still talks about syscalls only; it would help the next reader to\n"
    "say that io_uring ops come through here as well.",
    "I ran the liburing test suite with this applied and saw no regressions.  The SQPOLL tests\n"
    "take a little longer, which I think is the extra audit work.",
    "Why not reuse the existing helper?  It does the same thing, only with a different name, and\n"
    "we would not have to keep the two in step.",
    "The error path leaks the reference taken a few lines up; please add a put before the\n"
    "return, or move the get below the check.",
    "I agree with Stephen here, the permission check belongs in the hook and not in the caller.",
    "With CONFIG_AUDITSYSCALL=n this no longer builds: audit_uring_entry() has no stub.",
]
_TOPICS = [
    "io_uring: fix a leak of the registered buffers on ring exit",
    "io-wq: drop the wqe lock before waking a worker",
    "io_uring: add IORING_OP_MKDIRAT and IORING_OP_SYMLINKAT",
    "io_uring: retry short reads of buffered files",
    "fs: make do_renameat2() take struct filename",
    "io_uring: refactor io_sq_offload_create()",
    "selinux: drop the unused avc cache stats",
    "audit: fix the filter list of the exit records",
]
_PULLS = [
    "[GIT PULL] io_uring fixes for 5.14-rc6",
    "[GIT PULL] selinux/selinux-pr-20210812",
    "io_uring: question about SQPOLL and cgroups",
    "audit: how should io_uring ops show up in ausearch?",
    "[ANNOUNCE] liburing 2.1 released",
]


@dataclass(frozen=True)
class Made:
    """What ``make_mbox`` wrote: the file, its size, its mails, and the thread's own share."""

    path: Path
    size: int
    mails: int
    thread_mails: int
    reviews: int  # replies in the thread carrying a Reviewed-by of their sender
    long_line: int  # the length of the one long line (0: none)


def thread_mails() -> list[bytes]:
    """The 13 mails of the example thread, each without its ``From `` line (mboxrd-unquoted)."""
    data = THREAD.read_bytes()
    mails = [m for m in data.split(_SEP) if m.strip()]
    return [re.sub(rb"(?m)^>(>*From )", rb"\1", m) for m in mails]


def _quote_from(body: bytes) -> bytes:
    """mboxrd: one more ``>`` on every ``>*From `` line."""
    return re.sub(rb"(?m)^(>*From )", rb">\1", body)


def _header(mail: bytes, name: bytes) -> bytes:
    m = re.search(rb"(?mi)^" + name + rb": *(.*(?:\n[ \t].*)*)", mail)
    return m.group(1) if m else b""


def _body(mail: bytes) -> bytes:
    return mail.split(b"\n\n", 1)[1]


_HEADERS_CC = (
    "Cc: linux-security-module@vger.kernel.org,\n    selinux@vger.kernel.org,\n    linux-audit@redhat.com,\n"
    "    io-uring@vger.kernel.org,\n    linux-fsdevel@vger.kernel.org,\n"
    "    Kumar Kartikeya Dwivedi <memxor@gmail.com>,\n    Jens Axboe <axboe@kernel.dk>,\n"
    "    Pavel Begunkov <asml.silence@gmail.com>\n"
)


def _mail(rng: random.Random, *, subject: str, sender: tuple[str, str], msgid: str, parent: str | None,
          refs: list[str], body: str, when: int, encoding: str = "8bit") -> bytes:
    """One mail as a list archive serves it: the headers lore keeps, then the body."""
    day, sec = 12 + when // 86400 % 15, when % 86400
    date = f"{['Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue', 'Wed'][(day - 12) % 7]}, {day} Aug 2021 " \
           f"{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d} +0000"
    head = [f"From: {sender[0]} <{sender[1]}>", f"Subject: {subject}", f"Date: {date}",
            f"Message-ID: {msgid}"]
    if parent:
        head.append(f"In-Reply-To: {parent}")
    if refs:
        head.append("References: " + "\n ".join(refs))
    head += ["To: Paul Moore <paul@paul-moore.com>", _HEADERS_CC.rstrip("\n"),
             "List-Id: <io-uring.vger.kernel.org>", "X-Mailing-List: io-uring@vger.kernel.org",
             "MIME-Version: 1.0"]
    data = body.encode("utf-8")
    if encoding == "base64":
        head += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]
        data = base64.encodebytes(data)
    elif encoding == "quoted-printable":
        head += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"]
        data = quopri.encodestring(data)
    else:
        head += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
    return _SEP + "\n".join(head).encode() + b"\n\n" + _quote_from(data.rstrip(b"\n") + b"\n") + b"\n"


def _other_patch(rng: random.Random, k: int, topic: str) -> list[str]:
    """The lines of another series' patch (what a reply in another thread quotes): its own code."""
    name = re.sub(r"\W+", "_", topic.split(": ", 1)[-1])[:24].lower()
    out = [f"Signed-off-by: {rng.choice(_PEOPLE)[0]} <dev{k}@other.example.org>", "---",
           f" fs/io-wq.c | {rng.randint(3, 40)} +++---", "",
           "diff --git a/fs/io-wq.c b/fs/io-wq.c", "--- a/fs/io-wq.c", "+++ b/fs/io-wq.c"]
    for hunk in range(rng.randint(2, 6)):
        at = rng.randint(100, 3000)
        out.append(f"@@ -{at},7 +{at},{8 + hunk} @@ static int {name}_{hunk}(struct io_wq *wq)")
        out += [f" \tstruct io_wqe *wqe_{hunk} = wq->wqes[{at % 64}];",
                f"-\tret = {name}_old(wqe_{hunk}, {at});",
                f"+\tret = {name}_{k}(wqe_{hunk}, {at}, IO_WQ_{hunk}_{at});",
                f"+\tif (ret < 0 && ret != -EAGAIN_{at})", f"+\t\tgoto out_{name}_{hunk};",
                " \treturn ret;", " }"]
    return out


def _quoted(rng: random.Random, lines: list[str], writer: str) -> str:
    """A review: the attribution line, then stretches of ``lines`` quoted with comments between."""
    out = [f"On Wed, Aug 11, 2021 at 04:48:17PM -0400, {writer} wrote:"]
    start = rng.randrange(max(1, len(lines) - 40))
    for _ in range(rng.randint(1, 4)):
        n = rng.randint(8, 60)
        out += [f"> {line}".rstrip() for line in lines[start:start + n]]
        out += ["", rng.choice(_COMMENTS), ""]
        start = (start + n + rng.randint(0, 30)) % max(1, len(lines))
    return "\n".join(out)


def make_mbox(dest: Path, size: int, *, seed: int = 1, long_line: int = 10 * 2**20,
              reviews_every: int = 0, foreign_reviews: bool = True) -> Made:
    """Write an mbox of about ``size`` bytes: the example thread, and list mail varied from it.

    ``reviews_every``: one review reply in that many ends with a
    ``Reviewed-by:`` of its sender (0: none, the thread's series stays as it
    is).  ``foreign_reviews``: replies in other threads may carry one (never
    given: they answer no mail of the series).  ``long_line``: the length of
    the one line of the long-line reply (0: no such mail).
    """
    rng = random.Random(seed)
    own = thread_mails()
    ids = [_header(m, b"Message-ID").decode() for m in own]
    subjects = [" ".join(_header(m, b"Subject").decode().split()) for m in own]
    bodies = [_body(m).decode("utf-8").split("\n") for m in own]
    thread_replies: list[tuple[str, int]] = []  # (id, patch number) of the generated in-thread replies
    written = reviews = count = 0
    with dest.open("wb") as out:
        for mail in own[:10]:  # the cover and the patches first, as a thread read in full
            out.write(_SEP + _quote_from(mail.rstrip(b"\n") + b"\n") + b"\n")
        written = out.tell()
        long_at = size // 2 if long_line else -1
        while written < size or long_at >= 0:
            count += 1
            kind = rng.random()
            sender = rng.choice(_PEOPLE)
            msgid = f"<2021081{count % 10}{count:07d}.GA{rng.randrange(10**5)}@{sender[1].split('@')[1]}>"
            when = 60 * count
            if long_at >= 0 and written >= long_at:
                n = 3
                line = " ".join(f"type=URINGOP msg=audit(1628714897.{i:03d}:{1000 + i}): uring_op={i % 48} "
                                "success=yes exit=0 items=0 ppid=1 pid=2231 auid=0 uid=0 gid=0 ses=1 "
                                "subj=unconfined_u:unconfined_r:unconfined_t:s0 key=(null)"
                                for i in range(long_line // 150 + 1))[:long_line]
                body = (f"On Wed, Aug 11, 2021 at 04:48:29PM -0400, Paul Moore wrote:\n> {bodies[n][0]}\n\n"
                        f"The log with patch 3 applied, as one line, as auditd wrote it:\n\n{line}\n\n"
                        "Steve\n")
                data = _mail(rng, subject=f"Re: {subjects[n]}", sender=("Steve Grubb", "sgrubb@redhat.com"),
                             msgid=msgid, parent=ids[n], refs=[ids[0], ids[n]], body=body, when=when)
                long_at = -1
            elif kind < 0.55:  # a review inside the thread
                n = rng.randint(1, 9)
                parent, refs = ids[n], [ids[0], ids[n]]
                if thread_replies and rng.random() < 0.4:
                    parent, n = rng.choice(thread_replies)
                    refs = [ids[0], ids[n], parent]
                body = _quoted(rng, bodies[n], "Paul Moore")
                if reviews_every and rng.randrange(reviews_every) == 0:
                    body += f"\n\nReviewed-by: {sender[0]} <{sender[1]}>"
                    reviews += 1
                body += f"\n\n-- \n{sender[0]}\n"
                data = _mail(rng, subject=f"Re: {subjects[n]}", sender=sender, msgid=msgid, parent=parent,
                             refs=refs, body=body, when=when)
                thread_replies.append((msgid, n))
            elif kind < 0.85:  # a reply in another thread
                k = rng.randint(1, 4)
                topic = rng.choice(_TOPICS)
                body = _quoted(rng, _other_patch(rng, k, topic), rng.choice(_PEOPLE)[0])
                if foreign_reviews and rng.random() < 0.1:
                    body += f"\n\nAcked-by: {sender[0]} <{sender[1]}>"
                parent = f"<20210810{rng.randrange(10**6):06d}.{k}@other.example.org>"
                data = _mail(rng, subject=f"Re: [PATCH v3 {k}/4] {topic}", sender=sender, msgid=msgid,
                             parent=parent, refs=[parent], body=body + "\n", when=when)
            else:  # plain list mail, no diff
                prose = "\n".join(rng.choice(bodies[0][:30]) for _ in range(rng.randint(20, 120)))
                data = _mail(rng, subject=rng.choice(_PULLS), sender=sender, msgid=msgid, parent=None,
                             refs=[], body=prose + "\n", when=when,
                             encoding=rng.choice(["8bit", "8bit", "base64", "quoted-printable"]))
            out.write(data)
            written += len(data)
        for mail in own[10:]:  # the thread's own replies last
            out.write(_SEP + _quote_from(mail.rstrip(b"\n") + b"\n") + b"\n")
        written = out.tell()
    return Made(dest, written, count + len(own), len(own), reviews, long_line)


# -- measuring -----------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One whole process under ``/usr/bin/time -v``."""

    peak_mb: float
    seconds: float
    returncode: int
    stdout: str
    stderr: str


def timed(argv: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` under ``/usr/bin/time -v``: its peak RSS (MB) and wall time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.monotonic()
        proc = subprocess.run(["/usr/bin/time", "-v", "-o", report.name, *argv], cwd=cwd, env=env,
                              capture_output=True, text=True, errors="replace")
        seconds = time.monotonic() - start
        text = Path(report.name).read_text()
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m is None:
        raise RuntimeError(f"/usr/bin/time printed no peak for {argv}: {text.strip()}")
    return Run(int(m.group(1)) / 1024, seconds, proc.returncode, proc.stdout, proc.stderr)


def _env(pythonpath: str | None) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    clean.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C.UTF-8")
    if pythonpath:
        clean["PYTHONPATH"] = pythonpath
    return clean


def _patchtool(pythonpath: str | None) -> list[str]:
    """The patchtool command: the installed entry point, or the package found on ``pythonpath``."""
    if pythonpath:
        return [sys.executable, "-c", "import sys; from patchtool.cli import main; sys.exit(main())"]
    return [str(Path(sys.executable).parent / "patchtool")]


def _row(what: str, run: Run, floor: Run | None, size_mb: float) -> str:
    ratio = f"{run.peak_mb / floor.peak_mb:.1f}x" if floor else ""
    verdict = "" if floor is None else ("under target" if run.peak_mb < TARGET_MB else "OVER TARGET")
    return (f"| {what} | {run.peak_mb:.0f} MB | {run.seconds:.1f} s | {ratio} | {run.peak_mb / size_mb:.2f} "
            f"| {verdict} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--size-mb", type=float, default=100)
    ap.add_argument("--long-line-mb", type=float, default=10)
    ap.add_argument("--reviews", type=int, default=400, help="one review reply in N carries a Reviewed-by")
    ap.add_argument("--keep", type=Path, help="make the mbox and the series here, and keep them")
    ap.add_argument("--pythonpath", help="run the patchtool package found here (figures before a change)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-mbox-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        big = work / "BIG.mbox"
        start = time.monotonic()
        made = make_mbox(big, int(args.size_mb * 2**20), long_line=int(args.long_line_mb * 2**20),
                         reviews_every=args.reviews)
        size_mb = made.size / 2**20
        print(f"mbox: {size_mb:.1f} MB, {made.mails} mails ({made.thread_mails} of the thread itself, "
              f"{made.reviews} Reviewed-by in the thread, one {made.long_line / 2**20:.1f} MB line); "
              f"made in {time.monotonic() - start:.1f} s")
        env = _env(args.pythonpath)
        split = work / "split"
        shutil.rmtree(split, ignore_errors=True)
        split.mkdir()
        floor = timed(["git", "mailsplit", "--mboxrd", f"-o{split}", str(big)], cwd=work, env=env)
        if floor.returncode or floor.stdout.strip() != str(made.mails):
            raise RuntimeError(f"git mailsplit cut {floor.stdout.strip()} mails of {made.mails}: {floor.stderr}")
        series = work / "series"
        tool = _patchtool(args.pythonpath)
        imp = timed([*tool, "import", str(big), "-o", str(series), "--force"], cwd=work, env=env)
        runs = [("`git mailsplit --mboxrd`", floor, None), ("`patchtool import BIG.mbox -o DIR`", imp, floor)]
        if imp.returncode == 0:
            tr = timed([*tool, "trailers", str(series), str(big), "--dry-run"], cwd=work, env=env)
            runs.append(("`patchtool trailers DIR BIG.mbox --dry-run`", tr, floor))
        print(f"\n| what | peak RSS | wall time | / mailsplit | / file size | target {TARGET_MB} MB |")
        print("|---|---|---|---|---|---|")
        for what, run, base in runs:
            print(_row(what, run, base, size_mb))
        print()
        for what, run, _ in runs[1:]:
            first = (run.stdout.strip().splitlines() or [""])[0]
            last = (run.stdout.strip().splitlines() or [""])[-1]
            errs = [line for line in run.stderr.splitlines() if line.strip()]
            print(f"{what}: exit {run.returncode}; {first!r} ... {last!r}; {len(errs)} stderr lines"
                  + (f", first {errs[0][:160]!r}" if errs else ""))
        return 0 if all(r.returncode == 0 and (b is None or r.peak_mb < TARGET_MB) for _, r, b in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
