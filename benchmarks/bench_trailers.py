"""Benchmark: reply trailers collected by ``patchtool import`` and by ``b4 am``, thread by thread.

ARCHIVE is the git directory of one public-inbox epoch (for example a
snapshot of ``linux-mailinglist-archives/io-uring.vger.kernel.org.0``: one
mail per commit, in a file ``m``).  The script reads every mail, groups them
into threads (References and In-Reply-To, connected), and keeps the threads
that hold a patch mail and a reply with an unquoted ``Reviewed-by:``,
``Acked-by:`` or ``Tested-by:`` line.  Each such thread, less the patches of
older versions and the covers no kept patch answers (patchtool imports one
version; b4 then has only this one to pick), goes to both tools as one mbox:

* b4: ``b4 --offline-mode -c attestation-policy=off am -C -m THREAD.mbox -o
  DIR`` (no network, no cache, an empty HOME and git config), the trailers
  of its output patches less those of the posted patches;
* patchtool: the importer, in this process, its patches' trailers less
  those of the posted patches.

Only the trailers patchtool collects from replies are compared (Reviewed-by,
Acked-by, Tested-by, Reported-by, Suggested-by), as (patch number, key,
address) triples; b4's other additions (Signed-off-by, Link, Fixes, Cc, ...)
are counted apart.  Each difference is printed with its thread and the reason
patchtool gave when it refused the trailer, when it did.

Run: ``.venv/bin/python benchmarks/bench_trailers.py ARCHIVE [--b4 /work/b4venv/bin/b4]
[--limit N] [--jobs 2] [--work DIR] [--keep]``.  Nothing here uses the network.
"""

from __future__ import annotations

import argparse
import collections
import mailbox
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Head, read_archive, threads
from common import head as _head

from patchtool.errors import BadInput
from patchtool.model import Trailer
from patchtool.sources.mail import patch_from_mail, read_mail
from patchtool.subject import parse_subject, split_trailers

KEYS = ("reviewed-by", "acked-by", "tested-by", "reported-by", "suggested-by")
_ADDR = re.compile(r"<([^<>]+)>")

Triple = tuple[int, str, str]


@dataclass
class Outcome:
    thread: str
    patches: int = 0
    pt: set[Triple] = field(default_factory=set)
    b4: set[Triple] = field(default_factory=set)
    b4_other: int = 0
    pt_error: str = ""
    b4_error: str = ""
    refused: dict[Triple, str] = field(default_factory=dict)
    pt_seconds: float = 0.0
    b4_seconds: float = 0.0


def selected(groups: list[list[Head]]) -> list[list[Head]]:
    return [g for g in groups
            if any(h.is_patch for h in g) and any(h.is_reply and h.has_review for h in g)]


def _write_mbox(path: Path, mails: list[bytes]) -> None:
    box = mailbox.mbox(str(path))
    try:
        for raw in mails:
            msg = mailbox.mboxMessage(raw)
            msg.set_from("MAILER-DAEMON Thu Jan  1 00:00:00 1970")
            box.add(msg)
        box.flush()
    finally:
        box.close()


def _triples(number: int, trailers: Iterable[Trailer]) -> collections.Counter[Triple]:
    out: collections.Counter[Triple] = collections.Counter()
    for t in trailers:
        addr = _ADDR.search(t.value)
        out[(number, t.key.lower(), (addr.group(1) if addr else t.value).strip().lower())] += 1
    return out


def _message_trailers(raw: bytes) -> tuple[Trailer, ...]:
    """The trailer block of a patch mail's commit message (what ``git am`` would record)."""
    try:
        return patch_from_mail(read_mail(raw, "mail"), "mail").trailers
    except BadInput:  # a diff git would not call one (``--- a/`` only): cut the message by hand
        body = read_mail(raw, "mail").body
        message = re.split(r"^(?:---[ \t]*$|diff |Index: |--- a/)", body, maxsplit=1, flags=re.MULTILINE)[0]
        return split_trailers(message)[1]


def _own(mails: dict[str, bytes], message_id: str | None) -> collections.Counter[Triple]:
    """The trailers the posted patch mail itself carries."""
    raw = mails.get((message_id or "").strip("<>"))
    if raw is None:
        return collections.Counter()
    return _triples(0, _message_trailers(raw))


def run_patchtool(path: Path, mails_by_id: dict[str, bytes], out: Outcome) -> None:
    from patchtool.sources import mbox as mbox_source

    try:
        if hasattr(mbox_source, "read_mbox_report"):
            series, report = mbox_source.read_mbox_report(path, name="bench")
            for r in report.refused:
                addr = _ADDR.search(r.trailer.value)
                key = (r.number or 0, r.trailer.key.lower(), (addr.group(1) if addr else r.trailer.value).lower())
                out.refused[key] = r.reason
        else:
            series = mbox_source.read_mbox(path, name="bench")
    except BadInput as e:
        out.pt_error = str(e).replace(str(path), "THREAD")
        return
    out.patches = len(series.patches)
    for n, patch in enumerate(series.patches, 1):
        own = collections.Counter({(n, k, a): c for (_, k, a), c in _own(mails_by_id, patch.message_id).items()})
        got = _triples(n, patch.trailers) - own
        out.pt |= {t for t in got if t[1] in KEYS}


def run_b4(b4: Path, path: Path, outdir: Path, mails_by_id: dict[str, bytes],
           ids_in_order: list[str | None], by_summary: dict[str, str], out: Outcome) -> None:
    home = outdir / "home"
    home.mkdir(parents=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LC_ALL": "C.UTF-8",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "XDG_CACHE_HOME": str(home / "cache"),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")}
    argv = [str(b4), "--offline-mode", "--no-stdin", "-c", "attestation-policy=off", "am", "-C",
            "-m", str(path), "-o", str(outdir / "am")]
    proc = subprocess.run(argv, cwd=home, env=env, capture_output=True, text=True, timeout=120)
    mbx = sorted((outdir / "am").glob("*.mbx")) if (outdir / "am").is_dir() else []
    if proc.returncode or not mbx:
        last = (proc.stderr or proc.stdout).strip().splitlines()
        out.b4_error = last[-1] if last else f"exit {proc.returncode}, no .mbx"
        return
    box = mailbox.mbox(str(mbx[0]), create=False)
    try:
        written = [box.get_bytes(k) for k in box.iterkeys()]
    finally:
        box.close()
    for n, raw in enumerate(written, 1):
        trailers = _message_trailers(raw)
        summary = " ".join(read_mail(raw, "b4").subject.summary.split()).casefold()
        mid = by_summary.get(summary) or (ids_in_order[n - 1] if n - 1 < len(ids_in_order) else None)
        own = collections.Counter({(n, k, a): c for (_, k, a), c in _own(mails_by_id, mid).items()})
        got = _triples(n, trailers) - own
        out.b4 |= {t for t in got if t[1] in KEYS}
        out.b4_other += sum(c for t, c in got.items() if t[1] not in KEYS)


def _newest_version(group: list[Head]) -> int:
    return max(parse_subject(h.subject).version for h in group if h.is_patch)


def _patch_ids(group: list[Head], version: int) -> list[str | None]:
    """The posted patches of ``version`` in series order (for mapping b4's output back)."""
    numbered: dict[int, str] = {}
    plain: list[str] = []
    for h in group:
        s = parse_subject(h.subject)
        if h.is_patch and s.version == version:
            if s.number:
                numbered[s.number] = h.msgid  # the newest copy wins, as in both tools
            else:
                plain.append(h.msgid)
    return [numbered[n] for n in sorted(numbered)] + plain if numbered else plain[-1:]


def _one_version(group: list[Head], version: int) -> list[Head]:
    """The thread less the patches of other versions and the covers no kept patch answers.

    Both tools get this same mailbox: patchtool imports one version, and b4
    then has only this one to pick (a ``[PATCHSET v2 0/6]`` cover over
    ``[PATCH 1/6]`` patches is kept, as its patches answer it).
    """
    kept = [h for h in group if h.is_patch and parse_subject(h.subject).version == version]
    answered = {link for h in kept for link in h.links}
    ours = {h.index for h in kept}
    return [h for h in group if h.is_reply or h.index in ours or (
        not h.is_patch and (parse_subject(h.subject).number != 0 or h.msgid in answered
                            or parse_subject(h.subject).version == version))]


def bench_thread(group: list[Head], mails: list[bytes], b4: Path, work: Path) -> Outcome:
    root = group[0]
    out = Outcome(thread=f"<{root.msgid}> {root.subject[:70]}")
    version = _newest_version(group)
    by_id = {h.msgid: mails[h.index] for h in group}
    tdir = work / f"t{root.index}"
    tdir.mkdir(parents=True)
    mine = tdir / "version.mbox"
    _write_mbox(mine, [mails[h.index] for h in _one_version(group, version)])
    t0 = time.perf_counter()
    try:
        run_patchtool(mine, by_id, out)
    except Exception as e:  # a crash is a result to print, not the end of the run
        out.pt_error = f"crashed: {type(e).__name__}: {e}"
    t1 = time.perf_counter()
    try:
        summaries = {" ".join(parse_subject(h.subject).summary.split()).casefold(): h.msgid
                     for h in group if h.is_patch}  # b4 may keep a copy patchtool replaced: its own trailers
        run_b4(b4, mine, tdir, by_id, _patch_ids(group, version), summaries, out)
    except Exception as e:  # likewise
        out.b4_error = f"output not read: {type(e).__name__}: {e}"
    out.pt_seconds, out.b4_seconds = t1 - t0, time.perf_counter() - t1
    return out


def report(outcomes: list[Outcome], seconds: float) -> None:
    both = [o for o in outcomes if not o.pt_error and not o.b4_error]
    pt_total = sum(len(o.pt) for o in both)
    b4_total = sum(len(o.b4) for o in both)
    common = sum(len(o.pt & o.b4) for o in both)
    fewer = [o for o in both if len(o.pt) < len(o.b4)]
    differ = [o for o in both if o.pt != o.b4]
    print(f"\n{len(outcomes)} threads with patches and review replies, {seconds:.0f} s")
    print(f"  imported by both: {len(both)}; patchtool refused {sum(1 for o in outcomes if o.pt_error)}, "
          f"b4 failed on {sum(1 for o in outcomes if o.b4_error)}")
    print(f"  reply trailers collected: patchtool {pt_total}, b4 {b4_total}, both {common}; "
          f"b4's other additions (Signed-off-by, Link, Cc, ...): {sum(o.b4_other for o in both)}")
    print(f"  threads where patchtool collects fewer than b4: {len(fewer)} of {len(both)}; "
          f"where the sets differ: {len(differ)}")
    print(f"  time: patchtool {sum(o.pt_seconds for o in outcomes):.1f} s (in this process), "
          f"b4 {sum(o.b4_seconds for o in outcomes):.1f} s (its processes); slowest threads:")
    for o in sorted(outcomes, key=lambda o: -(o.pt_seconds + o.b4_seconds))[:3]:
        print(f"    {o.thread[:60]}  patchtool {o.pt_seconds:.1f} s, b4 {o.b4_seconds:.1f} s")
    print("\nper-thread differences (+ patchtool only, - b4 only):")
    for o in differ:
        print(f"  {o.thread}  [patchtool {len(o.pt)}, b4 {len(o.b4)}]")
        for t in sorted(o.pt - o.b4):
            print(f"    + {t[0]}: {t[1]} {t[2]}")
        for t in sorted(o.b4 - o.pt):
            why = o.refused.get(t) or o.refused.get((0, t[1], t[2]))
            print(f"    - {t[0]}: {t[1]} {t[2]}" + (f"  (patchtool: {why})" if why else ""))
    errors = collections.Counter(e for o in outcomes for e in (o.pt_error and f"patchtool: {o.pt_error}",
                                                                o.b4_error and f"b4: {o.b4_error}") if e)
    if errors:
        print("\nnot compared:")
        for o in outcomes:
            if o.pt_error or o.b4_error:
                print(f"  {o.thread}: {o.pt_error and 'patchtool: ' + o.pt_error}"
                      f"{' / ' if o.pt_error and o.b4_error else ''}{o.b4_error and 'b4: ' + o.b4_error}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("archive", type=Path, help="a public-inbox epoch's git directory")
    ap.add_argument("--b4", type=Path, default=Path("/work/b4venv/bin/b4"), help="the b4 program")
    ap.add_argument("--limit", type=int, default=0, help="only the newest N selected threads (0: all)")
    ap.add_argument("--jobs", type=int, default=2, help="threads benchmarked at once")
    ap.add_argument("--work", type=Path, help="where the thread mboxes go (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args(argv)
    if not os.access(args.b4, os.X_OK):
        print(f"{args.b4}: no b4 there (python3 -m venv /work/b4venv && /work/b4venv/bin/pip install b4)",
              file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    mails = read_archive(args.archive)
    heads = [h for i, raw in enumerate(mails) if (h := _head(i, raw)) is not None]
    groups = selected(threads(heads))
    groups.sort(key=lambda g: g[0].when)
    if args.limit:
        groups = groups[-args.limit:]
    print(f"{len(mails)} mails, {len(groups)} threads selected in {time.perf_counter() - t0:.1f} s", flush=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-trailers-"))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            outcomes = list(pool.map(lambda g: bench_thread(g, mails, args.b4, work), groups))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report(outcomes, time.perf_counter() - t0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
