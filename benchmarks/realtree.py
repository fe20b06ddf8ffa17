"""A real kernel tree as a repository, and real-shaped series and bases on it, for the speed benchmarks.

Debian's ``linux-source-6.1`` (``.ci/kernel-tree`` fetches and unpacks it;
``$PATCHTOOL_KERNEL_TREE`` names it) has no history, so the repository is
one root commit of the whole tree, tagged ``v6.1`` (made once, bare, under
``benchmarks/out/linux-6.1.git``: nothing is ever checked out).  On it:

* ``series(n)``: ``n`` patches on ``v6.1``, each changing a few lines in two
  real C files of ``io_uring/``, ``security/``, ``include/linux/`` and
  ``kernel/`` (deterministic), as commits on ``refs/heads/series-<n>``;
* ``stable_bases(k)``: ``v6.1.1`` .. ``v6.1.<k>``, a line of commits on
  ``v6.1`` each changing a few lines in 40 files: some of the series' files
  among them, away from its lines (offsets) and, on every fifth base, on one
  of its lines (a conflict from there on).

Every commit is made with a temporary index and ``hash-object``/``update-index``
(``GIT_INDEX_FILE``), so the build is minutes once and instant afterwards.
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

from common import OUT, env

ROOT = Path(__file__).resolve().parent.parent
DIRS = ("io_uring/", "security/", "include/linux/", "kernel/")


def kernel_tree() -> Path:
    given = os.environ.get("PATCHTOOL_KERNEL_TREE")
    if given:
        return Path(given)
    out = subprocess.run(["bash", str(ROOT / ".ci" / "kernel-tree")], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def _git(git_dir: Path, *args: str, input: bytes | None = None, index: Path | None = None,
         work_tree: Path | None = None) -> str:
    extra = {"GIT_DIR": str(git_dir)}
    if index:
        extra["GIT_INDEX_FILE"] = str(index)
    if work_tree:
        extra["GIT_WORK_TREE"] = str(work_tree)
    proc = subprocess.run(["git", *args], input=input, capture_output=True, cwd=work_tree, env={**env(), **extra,
                          "GIT_AUTHOR_NAME": "Bench Author", "GIT_AUTHOR_EMAIL": "author@example.org",
                          "GIT_AUTHOR_DATE": "1629669600 +0000"})
    if proc.returncode:
        raise RuntimeError(f"git {' '.join(args[:3])}: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode("utf-8", "surrogateescape")


def repository() -> Path:
    """The bare repository of the real tree (``v6.1``), made once."""
    dest = OUT / "linux-6.1.git"
    if (dest / "patchtool-bench-ready").exists():
        return dest
    tree = kernel_tree()
    OUT.mkdir(exist_ok=True)
    subprocess.run(["rm", "-rf", str(dest)], check=True)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "master", str(dest)], check=True, env=env())
    _git(dest, "config", "gc.auto", "0")
    index = dest / "bench-index"
    _git(dest, "-c", "core.bare=false", "add", "-A", "--force", index=index, work_tree=tree)  # Debian ignores all: /*
    root = _git(dest, "write-tree", index=index).strip()
    commit = _git(dest, "commit-tree", root, "-m", "Linux 6.1").strip()
    _git(dest, "update-ref", "refs/heads/master", commit)
    _git(dest, "tag", "v6.1", commit)
    index.unlink()
    _git(dest, "repack", "-adq")  # one pack, as a clone has it
    (dest / "patchtool-bench-ready").write_text("v6.1\n")
    return dest


def _c_files(git_dir: Path) -> list[str]:
    out = _git(git_dir, "ls-tree", "-r", "--name-only", "v6.1", "--", *DIRS)
    return sorted(p for p in out.splitlines() if p.endswith(".c"))


def _edit(text: bytes, rng: random.Random, tag: str, avoid: set[int] = frozenset(), at: int | None = None
          ) -> tuple[bytes, int]:
    lines = text.split(b"\n")
    candidates = [i for i, line in enumerate(lines) if line.strip() and i not in avoid
                  and all(abs(i - a) > 8 for a in avoid)]
    i = at if at is not None else rng.choice(candidates[len(candidates) // 4:] or candidates)
    lines[i] = lines[i] + f" /* {tag} */".encode()
    return b"\n".join(lines), i


def _commit_edits(git_dir: Path, parent: str, edits: dict[str, bytes], message: str) -> str:
    index = git_dir / "bench-index"
    try:
        _git(git_dir, "read-tree", parent, index=index)
        oids = _git(git_dir, "hash-object", "-w", "--stdin-paths", "--no-filters",
                    input="".join(f"{_stage(git_dir, data)}\n" for data in edits.values()).encode()).split()
        info = "".join(f"100644 {oid}\t{path}\n" for oid, path in zip(oids, edits, strict=True))
        _git(git_dir, "update-index", "--index-info", input=info.encode(), index=index)
        tree = _git(git_dir, "write-tree", index=index).strip()
        return _git(git_dir, "commit-tree", tree, "-p", parent, "-m", message).strip()
    finally:
        index.unlink(missing_ok=True)
        for f in git_dir.glob("bench-blob-*"):
            f.unlink()


_counter = [0]


def _stage(git_dir: Path, data: bytes) -> str:
    _counter[0] += 1
    path = git_dir / f"bench-blob-{_counter[0]}"
    path.write_bytes(data)
    return str(path)


def _read(git_dir: Path, rev: str, path: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "blob", f"{rev}:{path}"],
                          capture_output=True, check=True).stdout


def series(n: int, seed: int = 1) -> tuple[Path, str, list[tuple[str, int]]]:
    """(repository, branch, the (file, line) each patch changed): ``n`` patches on v6.1."""
    git_dir = repository()
    branch = f"series-{n}"
    rng = random.Random(seed)
    files = rng.sample(_c_files(git_dir), 2 * n)
    touched: list[tuple[str, int]] = []
    head = subprocess.run(["git", "--git-dir", str(git_dir), "rev-parse", "-q", "--verify", f"refs/heads/{branch}"],
                          capture_output=True).returncode == 0
    tip = _git(git_dir, "rev-parse", "v6.1^{commit}").strip()
    for k in range(n):
        edits = {}
        for path in files[2 * k:2 * k + 2]:
            data, line = _edit(_read(git_dir, tip, path), rng, f"series patch {k + 1}")
            edits[path] = data
            touched.append((path, line))
        sub = files[2 * k].split("/")[-2]
        message = (f"{sub}: note the change of patch {k + 1}\n\nA comment on two lines.\n\n"
                   "Signed-off-by: Bench Author <author@example.org>\n")
        if not head:
            tip = _commit_edits(git_dir, tip, edits, message)
    if head:
        return git_dir, branch, touched
    _git(git_dir, "update-ref", f"refs/heads/{branch}", tip)
    return git_dir, branch, touched


def stable_bases(k: int, touched: list[tuple[str, int]], seed: int = 2) -> list[str]:
    """The tags ``v6.1.1`` .. ``v6.1.<k>`` (made once), each a commit on the one before."""
    git_dir = repository()
    names = [f"v6.1.{i}" for i in range(1, k + 1)]
    have = set(_git(git_dir, "tag", "-l", "v6.1.*").split())
    if all(n in have for n in names):
        return ["v6.1", *names]
    rng = random.Random(seed)
    pool = _c_files(git_dir)
    series_files = sorted({p for p, _ in touched})
    tip = _git(git_dir, "rev-parse", "v6.1^{commit}").strip()
    for i, name in enumerate(names, 1):
        paths = rng.sample(pool, 36) + rng.sample(series_files, min(4, len(series_files)))
        edits = {}
        for path in dict.fromkeys(paths):
            data = _read(git_dir, tip, path)
            lines_of = {line for p, line in touched if p == path}
            if i % 5 == 0 and lines_of and path == series_files[i % len(series_files)]:
                data, _ = _edit(data, rng, f"stable {i}", at=min(lines_of))  # a conflict from here on
            else:
                data, _ = _edit(data, rng, f"stable {i}", avoid=lines_of)
            edits[path] = data
        tip = _commit_edits(git_dir, tip, edits, f"Linux 6.1.{i}\n")
        _git(git_dir, "tag", "-f", name, tip)
    return ["v6.1", *names]
