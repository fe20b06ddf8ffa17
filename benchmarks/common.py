"""What the benchmark scripts share: the cached repositories, a clean git environment, timing,
and the reading of a public-inbox archive (its mails, their headers, their threads)."""

from __future__ import annotations

import collections
import email.errors
import email.header
import email.parser
import email.policy
import email.utils
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import kernelrepo  # noqa: E402

from patchtool.subject import parse_subject  # noqa: E402

OUT = HERE / "out"
BASE = "v5.14-rc5"
PATCHTOOL = Path(sys.executable).parent / "patchtool"


def env() -> dict[str, str]:
    """The machine's environment without git overrides, with pinned config and committer."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "PYTHONDONTWRITEBYTECODE"}
    # Bytecode as an installed package has it: without .pyc files (PYTHONDONTWRITEBYTECODE, set on some CI
    # machines and here) every process compiles patchtool, typer and click anew, 0.5-0.8 s of each run.
    clean.setdefault("PYTHONPYCACHEPREFIX", str(OUT / "pycache"))
    clean.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C",
                 GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.org",
                 GIT_COMMITTER_DATE="1629669600 +0000")
    return clean


def git(cwd: Path, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, input=input,
                          capture_output=True, env=env())
    if proc.returncode:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode()


def run(*argv: str | Path) -> str:
    """A whole process (patchtool or git), failing loudly."""
    proc = subprocess.run([str(a) for a in argv], env=env(), capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(map(str, argv))} failed:\n{proc.stderr}")
    return proc.stdout


_REVIEW_LINE = re.compile(rb"^[ \t]*(Reviewed|Acked|Tested)-by:[ \t]*\S", re.MULTILINE | re.IGNORECASE)
_ID = re.compile(r"<([^<>\s]+)>")


@dataclass
class Head:
    """What grouping and selection need of one mail."""

    index: int
    msgid: str
    links: list[str]
    subject: str
    when: float
    is_reply: bool
    is_patch: bool
    has_review: bool


def read_archive(git_dir: Path) -> list[bytes]:
    """Every mail of a public-inbox epoch, oldest first (one ``git cat-file --batch``)."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    revs = subprocess.run(["git", "--git-dir", str(git_dir), "log", "--reverse", "--format=%H:m"],
                          capture_output=True, check=True, env=env).stdout
    data = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "--batch"], input=revs,
                          capture_output=True, check=True, env=env).stdout
    mails, i = [], 0
    while i < len(data):
        nl = data.index(b"\n", i)
        parts = data[i:nl].split()
        if parts[-1] == b"missing":  # a commit that deleted the mail (spam taken down)
            i = nl + 1
            continue
        size = int(parts[2])
        mails.append(data[nl + 1:nl + 1 + size])
        i = nl + 1 + size + 1
    return mails


def head(index: int, raw: bytes) -> Head | None:
    """The headers of one archived mail; None for a mail without a Message-ID."""
    head_bytes, _, body = raw.partition(b"\n\n")
    msg = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head_bytes + b"\n\n")
    ids = _ID.findall(str(msg.get("Message-ID", "")))
    if not ids:
        return None
    links = [i for name in ("References", "In-Reply-To") for v in msg.get_all(name, []) for i in _ID.findall(str(v))]
    try:
        subject = " ".join(str(email.header.make_header(email.header.decode_header(str(msg.get("Subject", "")))))
                           .split())
    except (UnicodeDecodeError, LookupError, email.errors.HeaderParseError):
        subject = " ".join(str(msg.get("Subject", "")).split())
    try:
        when = email.utils.parsedate_to_datetime(str(msg.get("Date", ""))).timestamp()
    except (TypeError, ValueError, IndexError):
        when = 0.0
    parsed = parse_subject(subject)
    return Head(index, ids[0], links, subject, when, parsed.is_reply,
                not parsed.is_reply and b"\ndiff --git " in body, bool(_REVIEW_LINE.search(body)))


def threads(heads: list[Head]) -> list[list[Head]]:
    """Connected components over Message-ID, References and In-Reply-To."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for h in heads:
        for link in h.links:
            a, b = find(h.msgid), find(link)
            if a != b:
                parent[a] = b
        find(h.msgid)
    groups: dict[str, list[Head]] = collections.defaultdict(list)
    seen: set[str] = set()
    for h in heads:
        if h.msgid in seen:  # the same mail archived twice
            continue
        seen.add(h.msgid)
        groups[find(h.msgid)].append(h)
    return [sorted(g, key=lambda h: (h.when, h.index)) for g in groups.values()]



def build(n_files: int) -> kernelrepo.KernelRepo:
    """The generated kernel-shaped repository of ``n_files`` files, made once under ``out/``."""
    OUT.mkdir(exist_ok=True)
    dest = OUT / f"kernel-{n_files}"
    t0 = time.perf_counter()
    repo = kernelrepo.generate(dest, n_files, reuse=True)
    print(f"repository {dest} ({n_files} files, {repo.n_sections} sections, {repo.n_patterns} patterns) "
          f"ready in {time.perf_counter() - t0:.1f} s", flush=True)
    return repo


def median(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls, in seconds."""
    return medians([fn], repeat)[0]


def medians(fns: Sequence[Callable[[], object]], repeat: int) -> list[float]:
    """Median wall time of each of ``fns``, called in turn ``repeat`` times: a VM whose speed drifts
    over the run slows each way alike, so the ratio holds where one block each would not."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, took in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            took.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]
