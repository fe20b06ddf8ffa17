"""Benchmark: every patch thread of a public-inbox archive through ``patchtool import``, against git.

ARCHIVE is the git directory of one public-inbox epoch (one mail per
commit, in a file ``m``).  The mails are grouped into threads
(References and In-Reply-To, connected: ``common.threads``), and every
thread holding a ``[PATCH ...]`` (or ``[RFC ...]``) mail that is no reply
is cut down to one series as ``b4 am`` would pick it: the newest version;
in it, the length (``n/N``) of its newest mail; its cover letters and
patches (the newest copy of each number); every reply.  Other versions'
patches and covers, unnumbered patches beside numbered ones, and untagged
mails carrying a diff are left out; a mail with a patch's subject, no
``Re:`` and no diff that answers another mail is a review, so a reply.
That mbox goes through ``patchtool.sources.load_source_report`` (what
``patchtool import THREAD.mbox`` does) in a worker process, one thread at a
time, with a watchdog (``--timeout``, 20 s): past it the worker is killed,
a hang.

git is the oracle (``gitoracle.git_view``).  Each kept patch mail, as
written to the mbox, goes through what ``git am`` does by default: ``git
mailsplit``, ``git mailinfo`` (no ``-k``: the ``[PATCH ...]`` prefix
comes off the subject), then ``git apply --numstat -z`` on the patch mailinfo split off.  Each
patch patchtool imported is compared with it: the subject (patchtool's
summary against mailinfo's ``Subject:``), the author's name and email, the
files (a rename by its new path, as numstat names it) and each file's added
and removed lines.

A thread passes when each patch matches, or when patchtool refuses it and
should: a numbered patch is missing (the refusal must name every missing
``k/N``; a thread holding only a cover may be refused in any words), no
kept patch holds a diff git can find (refused in one line), a kept patch
has none or git cannot read one (``git am`` stops there too), or the
numbering is broken (``26/25``).  Every other refusal fails, as does an
import git would refuse, a crash (traceback) or a hang.

Some mails git mailinfo cannot read though they carry a patch: a
``charset=y`` (it dies "cannot convert from y to UTF-8") and a text part
in a multipart inside a multipart (it finds no patch).  For those, git
reads a rewritten copy (``gitoracle.limit_copy``): the charset set to
utf-8, or the mail flattened to its text/plain part by the stdlib's
``email``.  A thread whose patches then all equal git's on the copies is
counted apart: "pass (git's limit, verified on the rewritten mail)".  The
comparison (``cut``, ``prepare``, ``import_answer``, ``judge``) is also
what ``tests/test_archive_samples.py`` runs on the trimmed threads of
``tests/data/archive/``.

Run: ``.venv/bin/python benchmarks/bench_archive.py ARCHIVE [--limit N] [--since YEAR]
[--timeout 20] [--jobs 2] [--keep DIR [--trim]] [--only MSGID] [--show 5]``.  Nothing here
uses the network.
"""

from __future__ import annotations

import argparse
import collections
import email
import email.policy
import json
import os
import re
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Head, env, git, head, read_archive, threads
from gitoracle import GitView, git_view, limit_copy, mbox_entry, read_mbox

__all__ = ["GitView", "Thread", "cut", "git_view", "head", "import_answer", "judge", "mbox_entry", "prepare",
           "read_mbox", "threads"]

_REPLY = re.compile(r"^\s*((re|aw|sv|fwd?)\s*:\s*)+", re.IGNORECASE)
_BRACKETS = re.compile(r"^\s*\[([^\]]*)\]\s*")
_VERSION = re.compile(r"^(?:PATCH|RFC)?[-_]?v(\d+)$", re.IGNORECASE)
_NUMBERING = re.compile(r"^(\d+)/(\d+)$")
_DIFFISH = re.compile(rb"^(diff --git |\+\+\+ |Index: )", re.MULTILINE)
CLASSES = ("series", "subject", "author", "email", "files", "counts")


@dataclass(frozen=True)
class Tag:
    """What ``b4 am`` reads off a subject: patch or not, version, numbering, summary."""

    is_patch: bool
    version: int
    number: int | None
    total: int | None
    summary: str


def tag(subject: str) -> Tag:
    if _REPLY.match(subject):
        return Tag(False, 0, None, None, subject)
    words: list[str] = []
    text = subject
    while m := _BRACKETS.match(text):
        words.extend(w for w in re.split(r"[\s,]+", m.group(1)) if w)
        text = text[m.end():]
    version, number, total = 1, None, None
    for w in words:
        if v := _VERSION.match(w):
            version = int(v.group(1))
        elif n := _NUMBERING.match(w):
            number, total = int(n.group(1)), int(n.group(2))
    patch = any(w.upper().startswith(("PATCH", "RFC")) for w in words)
    return Tag(patch, version, number, total, " ".join(text.split()).casefold())


@dataclass
class Thread:
    """One series cut out of a thread, what git says of its patches, what patchtool did."""

    first: Head
    mails: list[Head]  # what goes into the mbox, oldest first
    expected: list[Head]  # the patches an import must give, in order (numbered) or any order
    numbered: bool
    missing: list[str] = field(default_factory=list)  # "k/N" not in the thread
    bad_numbering: str = ""
    git: dict[str, GitView] = field(default_factory=dict)  # by Message-ID
    limits: dict[str, str] = field(default_factory=dict)  # by Message-ID: git read a rewritten copy (limit_copy)
    result: dict = field(default_factory=dict)
    verdict: str = ""  # pass / pass-limit / mismatch / refused / wrong-refusal / accepted / crash / hang
    classes: set[str] = field(default_factory=set)  # the verdict and the mismatch classes found
    details: list[tuple[str, str]] = field(default_factory=list)  # (class or verdict, what)

    def note(self, key: str, text: str) -> None:
        self.classes.add(key)
        self.details.append((key, text))


def cut(group: list[Head], mails: list[bytes]) -> Thread | None:
    """The series ``b4 am`` would take from a thread, or None for a thread without patch mails."""
    tags = {h.index: tag(h.subject) for h in group}
    for h in group:  # a review sent with the patch's own subject, no "Re:", answers it: b4 takes no diff for a patch
        t = tags[h.index]
        if t.is_patch and t.number != 0 and h.links and not has_diff(mails[h.index]):
            tags[h.index] = Tag(False, t.version, t.number, t.total, t.summary)
    posted = [h for h in group if tags[h.index].is_patch]
    if not posted:
        return None
    patches = [h for h in posted if tags[h.index].number != 0] or posted
    version = max(tags[h.index].version for h in patches)
    ours = [h for h in posted if tags[h.index].version == version]
    numbered = [h for h in ours if tags[h.index].total is not None]
    total = tags[numbered[-1].index].total if numbered else None
    kept = [h for h in numbered if tags[h.index].total == total] if numbered else ours
    missing, bad = [], ""
    if total is not None:
        by_number: dict[int, Head] = {}
        for h in kept:
            if tags[h.index].number:
                by_number[tags[h.index].number or 0] = h  # the newest copy wins (group is in date order)
        out = [n for n in by_number if n > total]
        bad = f"{out[0]}/{total}" if out else ("0/0" if total == 0 else "")
        missing = [f"{n}/{total}" for n in range(1, total + 1) if n not in by_number]
        expected = [by_number[n] for n in sorted(by_number)]
    else:
        by_summary: dict[str, Head] = {}
        for h in kept:
            by_summary[tags[h.index].summary] = h
        expected = list(by_summary.values())
    keep = {h.index for h in kept}
    # Replies and other mails stay; a mail that is no [PATCH] but carries a diff does not (b4 takes
    # only tagged mails, patchtool would take it for a patch).
    rest = [h for h in group if not tags[h.index].is_patch
            and (_REPLY.match(h.subject) or not has_diff(mails[h.index]))]
    kept_ids = keep | {h.index for h in rest}
    return Thread(group[0], [h for h in group if h.index in kept_ids], expected, total is not None, missing, bad)


def has_diff(raw: bytes) -> bool:
    """Whether a mail's body, decoded (base64, quoted-printable, MIME parts), holds a diff."""
    body = raw.partition(b"\n\n")[2]
    if _DIFFISH.search(body):
        return True
    if not re.search(rb"^content-(type: *multipart|transfer-encoding: *(base64|quoted))", raw,
                     re.IGNORECASE | re.MULTILINE):
        return False
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    for part in msg.walk():
        payload = part.get_payload(decode=True) if not part.is_multipart() else None
        if isinstance(payload, bytes) and _DIFFISH.search(payload.replace(b"\r\n", b"\n")):
            return True
    return False


# -- the worker: imports one mbox per request, answering one JSON line each ----------------------------

def import_answer(path: str) -> dict:
    """``patchtool import PATH`` through the library: the patches as JSON-able lists, a refusal, or a crash."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from patchtool.errors import BadInput
    from patchtool.sources import load_source_report

    t0 = time.perf_counter()
    answer: dict[str, object]
    try:
        series, _report = load_source_report(path, name="bench")
        patches = []
        for p in series.patches:
            files = [(f.path, None if f.binary else f.added, None if f.binary else f.removed) for f in p.files]
            patches.append([p.message_id, p.subject.summary, p.author.name, p.author.email, files])
        answer = {"kind": "ok", "patches": patches}
    except BadInput as e:
        answer = {"kind": "refused", "message": str(e)}
    except BaseException:  # a crash is a result
        answer = {"kind": "crash", "traceback": traceback.format_exc()}
    answer["seconds"] = time.perf_counter() - t0
    return answer


def serve() -> None:
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever the importer prints must not reach the protocol
    import_answer(os.devnull)  # the imports are done: the watchdog times imports only
    out.write("ready\n")
    out.flush()
    for line in sys.stdin:
        out.write(json.dumps(import_answer(json.loads(line))) + "\n")
        out.flush()


class Worker:
    """One ``--serve`` process; killed and started again when it overruns the watchdog."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env={**env(), "PYTHONHASHSEED": "0"})
        assert self.proc.stdout
        if self.proc.stdout.readline() != b"ready\n":
            raise RuntimeError("the import worker did not start")
        return self.proc

    def run(self, path: Path, timeout: float) -> dict:
        proc = self.proc if self.proc and self.proc.poll() is None else self._start()
        assert proc.stdin and proc.stdout
        proc.stdin.write((json.dumps(str(path)) + "\n").encode())
        proc.stdin.flush()
        buf, deadline = b"", time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while not buf.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.stop()
                    return {"kind": "hang", "seconds": timeout}
                chunk = os.read(proc.stdout.fileno(), 1 << 20)
                if not chunk:
                    code = proc.wait()
                    self.proc = None
                    return {"kind": "crash", "traceback": f"worker died (exit {code})", "seconds": 0.0}
                buf += chunk
        try:
            return json.loads(buf)
        except ValueError:
            self.stop()
            return {"kind": "crash", "traceback": f"worker answered {buf[:200]!r}", "seconds": 0.0}

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()  # our own child, by its handle
            self.proc.wait()
            self.proc = None


# -- one thread ---------------------------------------------------------------------------------------

def named_numbers(message: str) -> set[str]:
    """The ``k/N`` a refusal names: ``patch 2/5, 4/5`` or ``patch 1/8 to 3/8, 5/8``."""
    out: set[str] = set()
    for m in re.finditer(r"(?<![\d/])(\d+)/(\d+)(?: to (\d+)/\2)?(?![\d/])", message):
        first, total = int(m.group(1)), m.group(2)
        out |= {f"{n}/{total}" for n in range(first, int(m.group(3) or first) + 1)}
    return out


def judge(t: Thread) -> None:
    """Set ``t.verdict``, and the classes and details of a mismatch, from what git says and patchtool did."""
    r = t.result
    views = [t.git[h.msgid] for h in t.expected]
    git_refuses = [n for n, v in enumerate(views, 1) if v.error]
    should_refuse = bool(t.missing or t.bad_numbering or git_refuses or not t.expected)
    if r["kind"] in ("crash", "hang"):
        t.verdict = r["kind"]
        t.note(r["kind"], r.get("traceback", "").strip() or f"no answer in {r['seconds']:g} s")
        return
    if r["kind"] == "refused":
        msg = r["message"]
        msg = re.sub(r"^\S*thread\.mbox", "THREAD", msg)
        named = set(t.missing) <= named_numbers(msg)
        named = named or not t.expected or bool(t.bad_numbering)  # nothing but a cover; a 4/3: any refusal
        t.verdict = ("refused" if not should_refuse else "wrong-refusal" if not named or "\n" in msg else "pass")
        t.note(t.verdict, msg)
        if t.missing and not named:
            t.note(t.verdict, f"(missing: {', '.join(t.missing)})")
        return
    if should_refuse:
        t.verdict = "accepted"
        for k in t.missing:
            t.note("accepted", f"patch {k} is missing")
        if t.bad_numbering:
            t.note("accepted", f"numbering {t.bad_numbering}")
        for n in git_refuses:
            t.note("accepted", f"patch {n} ({t.expected[n - 1].subject[:60]}): git: {views[n - 1].error}")
        if not t.expected:
            t.note("accepted", "no patch in the thread")
        return
    got = r["patches"]
    want_ids = [h.msgid for h in t.expected]
    got_ids = [(p[0] or "").strip("<>") for p in got]
    if (got_ids != want_ids) if t.numbered else (sorted(got_ids) != sorted(want_ids)):
        lost = [h.subject[:60] for h in t.expected if h.msgid not in got_ids]
        extra = [p[1][:60] for p, i in zip(got, got_ids, strict=True) if i not in want_ids]
        t.note("series", f"git/b4 take {len(want_ids)} patches, patchtool {len(got_ids)}"
                         + (f"; not taken: {lost[:2]}" if lost else "") + (f"; taken too: {extra[:2]}" if extra else "")
                         + ("; same patches, in another order" if not lost and not extra else ""))
    by_id = {h.msgid: t.git[h.msgid] for h in t.expected}
    for n, (mid, summary, name, mail, files) in enumerate(got, 1):
        v = by_id.get((mid or "").strip("<>"))
        if v is None:
            continue
        for cls, ours, theirs in (("subject", summary, v.subject), ("author", name, v.author),
                                  ("email", mail, v.email)):
            if ours != theirs:
                t.note(cls, f"patch {n}: patchtool {ours!r}, git {theirs!r}")
        ours_files = [tuple(f) for f in files]
        if [f[0] for f in ours_files] != [f[0] for f in v.files]:
            t.note("files", f"patch {n}: patchtool {[f[0] for f in ours_files]}, git {[f[0] for f in v.files]}")
        elif ours_files != list(v.files):
            diff = [(a, b) for a, b in zip(ours_files, v.files, strict=True) if a != b]
            t.note("counts", f"patch {n}: patchtool {diff[0][0]}, git {diff[0][1]}"
                             + (f" (and {len(diff) - 1} more files)" if len(diff) > 1 else ""))
    t.verdict = "mismatch" if t.classes else "pass-limit" if any(h.msgid in t.limits for h in t.expected) else "pass"
    for h in t.expected:
        if t.verdict == "pass-limit" and h.msgid in t.limits:
            t.note("pass-limit", f"{h.subject[:60]}: git read a copy, {t.limits[h.msgid]}")


def prepare(t: Thread, mails: list[bytes], tdir: Path) -> Path:
    """What git says of each patch of ``t`` (of a rewritten copy at git's limits); the thread's mbox."""
    tdir.mkdir(parents=True, exist_ok=True)
    for h in t.expected:
        view = git_view(mails[h.index], tdir / "git")
        if view.error and (copy := limit_copy(mails[h.index], view)):
            second = git_view(copy[1], tdir / "git")
            if not second.error:
                view = second
                t.limits[h.msgid] = copy[0]
        t.git[h.msgid] = view
    path = tdir / "thread.mbox"
    path.write_bytes(b"".join(mbox_entry(mails[h.index]) for h in t.mails))
    return path


def bench_thread(t: Thread, mails: list[bytes], work: Path, worker: Worker, timeout: float) -> Thread:
    tdir = work / f"t{t.first.index}"
    t.result = worker.run(prepare(t, mails, tdir), timeout)
    judge(t)
    shutil.rmtree(tdir, ignore_errors=True)
    return t


# -- the report ---------------------------------------------------------------------------------------

def shape(message: str) -> str:
    """A refusal with its specifics taken out, to group refusals of one kind."""
    s = re.sub(r"^\S*?thread\.mbox", "THREAD", message)
    s = re.sub(r"<[^<>\s]+@[^<>\s]+>", "<ID>", s)
    s = re.sub(r"'[^']*'", lambda m: m.group(0) if m.group(0) in ("'diff --git'",) else "'...'", s)
    s = re.sub(r"\d+", "N", s)
    s = re.sub(r"N/N(( to |, )N/N)+", "N/N, ...", s)
    return re.sub(r"(\[N(, N)+\])", "[N, ...]", s)


def crash_shape(tb: str) -> str:
    lines = [x for x in tb.strip().split("\n") if x.strip()]
    frame = next((x.strip() for x in reversed(lines) if x.strip().startswith("File ")), "")
    return f"{lines[-1][:120] if lines else '?'} at {frame[:140]}"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def report(done: list[Thread], seconds: float, show: int) -> None:
    verdicts = collections.Counter(t.verdict for t in done)
    refused_ok = [t for t in done if t.verdict == "pass" and t.result["kind"] == "refused"]
    passed = verdicts["pass"] + verdicts["pass-limit"]
    print(f"\n{len(done)} threads in {seconds:.0f} s")
    print(f"  pass: {passed} ({100 * passed / max(len(done), 1):.2f} %): {verdicts['pass'] - len(refused_ok)} "
          f"imported and equal to git, {len(refused_ok)} refused as they should be, {verdicts['pass-limit']} "
          "pass (git's limit, verified on the rewritten mail)")
    print(f"  mismatch: {verdicts['mismatch']} threads; by class (threads / patches):")
    for cls in CLASSES:
        ts = [t for t in done if cls in t.classes]
        print(f"    {cls:8} {len(ts):5} / {sum(1 for t in ts for c, _ in t.details if c == cls)}")
    for verdict, title in (("refused", "refused, git takes them"), ("wrong-refusal", "refused for a wrong reason"),
                           ("accepted", "imported, should be refused"), ("crash", "crashes"), ("hang", "hangs")):
        print(f"  {title}: {verdicts[verdict]}")
    ok = [t.result["seconds"] for t in done if t.result.get("kind") in ("ok", "refused")]
    print(f"  time per thread (import, in the worker): median {statistics.median(ok) * 1000 if ok else 0:.1f} ms, "
          f"p95 {percentile(ok, 0.95) * 1000:.1f} ms, max {max(ok, default=0) * 1000:.1f} ms")
    slow = sorted((t for t in done if t.result.get("kind") in ("ok", "refused")), key=lambda t: -t.result["seconds"])
    for t in slow[:3]:
        print(f"    {t.result['seconds'] * 1000:7.0f} ms  {len(t.mails):3} mails  {t.first.subject[:70]}")
    for title, ts in (("refused, by message shape", [t for t in done if t.verdict in ("refused", "wrong-refusal")]),
                      ("refused as they should be, by message shape", refused_ok)):
        shapes = collections.Counter(shape(t.details[0][1]) for t in ts)
        first = {}
        for t in ts:
            first.setdefault(shape(t.details[0][1]), t)
        if shapes:
            print(f"\n{title} (and the first thread of each):")
            for text, n in shapes.most_common():
                print(f"  {n:5}  {text}\n           <{first[text].first.msgid}> {first[text].first.subject[:70]}")
    crashes = collections.Counter(crash_shape(t.details[0][1]) for t in done if t.verdict == "crash")
    if crashes:
        print("\ncrashes:")
        for text, n in crashes.most_common():
            print(f"  {n:5}  {text}")
    print("\nexamples (thread: details):")
    for key in [*CLASSES, "refused", "wrong-refusal", "accepted", "crash", "hang", "pass-limit"]:
        ts = [t for t in done if key in t.classes and t.verdict in ("mismatch", key)]
        if ts:
            print(f"  [{key}] {len(ts)} threads")
        for t in ts[:show]:
            print(f"    <{t.first.msgid}> {t.first.subject[:80]}")
            for _, text in [d for d in t.details if d[0] == key][:2]:
                print(f"      {text.splitlines()[-1][:220]}")


def keep(done: list[Thread], mails: list[bytes], dest: Path, trim: bool) -> int:
    """The failing threads' mboxes under ``dest/<class>/``, and ``dest/INDEX.txt`` saying why each failed."""
    failing = [t for t in done if t.verdict not in ("pass", "pass-limit")]
    index = []
    for t in failing:
        key = t.verdict if t.verdict != "mismatch" else "-".join(c for c in CLASSES if c in t.classes)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", t.first.subject)[:60].strip("-")
        path = dest / key / f"{t.first.index:05d}-{slug}.mbox"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(mbox_entry(mails[h.index], trim) for h in t.mails))
        index.append(f"{path.relative_to(dest)}\n  <{t.first.msgid}> {t.first.subject}\n"
                     + "".join(f"  {c}: {line}\n" for c, d in t.details for line in d.splitlines()[-12:]))
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "INDEX.txt").write_text("\n".join(index))
    return len(failing)


def checkout_state() -> str:
    """The commit of the patchtool being measured, and its files changed since (others edit them too)."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = git(root, "rev-parse", "--short", "HEAD").strip()
        dirty = [line[3:] for line in git(root, "status", "--porcelain", "--", "patchtool").splitlines()]
    except RuntimeError:
        return "(not a git checkout)"
    return commit + (f" + uncommitted {', '.join(dirty)}" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("archive", type=Path, help="a public-inbox epoch's git directory")
    ap.add_argument("--limit", type=int, default=0, help="only the oldest N threads (after --since; 0: all)")
    ap.add_argument("--since", type=int, default=0, help="only threads whose first mail is of YEAR or later")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds an import may take (a hang past it)")
    ap.add_argument("--jobs", type=int, default=2, help="threads benchmarked at once")
    ap.add_argument("--keep", type=Path, help="write the failing threads' mboxes here")
    ap.add_argument("--trim", action="store_true", help="with --keep: only the headers patchtool reads")
    ap.add_argument("--only", metavar="MSGID", help="only the thread holding this Message-ID")
    ap.add_argument("--show", type=int, default=5, help="example threads printed per class")
    args = ap.parse_args(argv)
    if not (args.archive / "HEAD").is_file() and not (args.archive / ".git").exists():
        print(f"{args.archive}: not a git directory", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    mails = read_archive(args.archive)
    heads = [h for i, raw in enumerate(mails) if (h := head(i, raw)) is not None]
    groups = threads(heads)
    cuts = [t for g in groups if (t := cut(g, mails)) is not None]
    cuts.sort(key=lambda t: (t.first.when, t.first.index))
    if args.only:
        cuts = [t for t in cuts if any(h.msgid == args.only.strip("<>") for h in t.mails)]
    if args.since:
        start = datetime(args.since, 1, 1, tzinfo=UTC).timestamp()
        cuts = [t for t in cuts if t.first.when >= start]
    if args.limit:
        cuts = cuts[:args.limit]
    print(f"archive {args.archive} at {git(args.archive, 'rev-parse', 'HEAD').strip()}; patchtool at "
          f"{checkout_state()}")
    print(f"{len(mails)} mails, {len(groups)} threads, {len(cuts)} with patch mails, read in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    work = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    local = threading.local()
    workers: list[Worker] = []
    lock = threading.Lock()
    done: list[Thread] = []

    def one(t: Thread) -> Thread:
        if not hasattr(local, "worker"):
            local.worker = Worker()
            with lock:
                workers.append(local.worker)
        out = bench_thread(t, mails, work, local.worker, args.timeout)
        with lock:
            done.append(out)
            if len(done) % 200 == 0:
                print(f"  {len(done)} / {len(cuts)} threads, {time.perf_counter() - t0:.0f} s", flush=True)
        return out

    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(one, cuts))
    finally:
        for w in workers:
            w.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(results, time.perf_counter() - t0, args.show)
    if args.keep:
        n = keep(results, mails, args.keep, args.trim)
        print(f"\n{n} failing threads written under {args.keep}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        raise SystemExit(main())
