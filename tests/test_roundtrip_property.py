"""Property: any series git can write round-trips through patchtool unchanged.

Hypothesis draws a history (edits, creates, deletes, renames, mode
changes, binary files, missing final newlines, non-ASCII authors and
subjects); git makes the commits and ``git format-patch`` the mails; the
folder patchtool writes back must hold the same bytes, and the range and
the folder must import as the same Series.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patchtool.gitrepo import GitRepo
from patchtool.seriesdir import read_series, write_series
from patchtool.sources.folder import read_folder
from patchtool.sources.gitrange import read_range

from .conftest import Repo

NAMES = st.sampled_from(["Ada Lovelace", "Jörg Müller", "Zoë Ağaoğlu", "李雷", "O'Brien, Pat", "Grace Hopper"])
WORDS = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzäöü _-:.,()[]"), min_size=1, max_size=60)
LINES = st.lists(st.text(alphabet=st.sampled_from("abc xyz{};\t#é"), max_size=30), min_size=0, max_size=25)

OPS = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 50), LINES),
    st.tuples(st.just("create"), st.integers(0, 50), LINES),
    st.tuples(st.just("delete"), st.integers(0, 50), st.none()),
    st.tuples(st.just("rename"), st.integers(0, 50), st.none()),
    st.tuples(st.just("chmod"), st.integers(0, 50), st.none()),
    st.tuples(st.just("binary"), st.integers(0, 50), st.binary(min_size=1, max_size=300)),
    st.tuples(st.just("nonewline"), st.integers(0, 50), LINES),
)

COMMITS = st.lists(
    st.tuples(NAMES, WORDS, st.booleans(), st.lists(OPS, min_size=1, max_size=4)),
    min_size=1, max_size=4,
)


def _apply(repo: Repo, op: tuple, serial: list[int]) -> None:
    kind, pick, payload = op
    files = sorted(p for p in repo.path.rglob("*") if p.is_file() and ".git" not in p.parts)
    target = files[pick % len(files)] if files else None
    serial[0] += 1
    if kind == "create" or target is None:
        repo.write(f"dir{serial[0] % 3}/new{serial[0]}.c", "".join(f"{ln}\n" for ln in (payload or ["x"])))
    elif kind == "edit":
        lines = target.read_bytes().split(b"\n")
        lines[pick % len(lines):pick % len(lines) + 1] = [ln.encode() for ln in payload or []]
        target.write_bytes(b"\n".join(lines))
    elif kind == "delete" and len(files) > 1:
        target.unlink()
    elif kind == "rename":
        dest = target.with_name(f"moved{serial[0]}_{target.name}")
        target.rename(dest)
    elif kind == "chmod":
        target.chmod(0o755 if not os.access(target, os.X_OK) else 0o644)
    elif kind == "binary":
        target.write_bytes(b"\x00" + payload)
    elif kind == "nonewline":
        target.write_text("\n".join(payload or ["end"]), encoding="utf-8")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=COMMITS)
def test_any_format_patch_series_round_trips(history: list) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="roundtrip-"))
    try:
        repo = Repo(tmp / "repo")
        repo.path.mkdir()
        repo.git("init", "-q", "-b", "master")
        for i in range(6):
            repo.write(f"dir{i % 3}/file{i}.c", "".join(f"line {j} of {i}\n" for j in range(30)))
        base = repo.commit("base")
        serial = [0]
        for author, subject, with_trailer, ops in history:
            for op in ops:
                _apply(repo, op, serial)
            if not repo.git("status", "--porcelain"):  # format-patch writes nothing for an empty commit
                repo.write(f"touch{serial[0]}.txt", "touched\n")
            message = f"sub: {subject.strip() or 'x'}\n\nWhy this matters.\n"
            if with_trailer:
                message += f"\nSigned-off-by: {author} <a@example.org>\n"
            repo.commit(message, author=f"{author} <a@example.org>")
        head = repo.git("rev-parse", "HEAD").strip()
        out = tmp / "fp"
        repo.git("format-patch", "-q", "-o", str(out), f"{base}..{head}")
        mails = sorted(out.glob("*.patch"))
        folder = read_folder(out, name="s")
        ranged = read_range(GitRepo.open(repo.path), f"{base}..{head}", name="s")
        assert [(p.subject.summary, p.author, p.date, p.body, p.trailers, p.files) for p in folder.patches] == [
            (p.subject.summary, p.author, p.date, p.body, p.trailers, p.files) for p in ranged.patches
        ]
        write_series(folder, tmp / "series" / "s")
        for mail in mails:
            assert (tmp / "series/s/patches" / mail.name).read_bytes() == mail.read_bytes()
        again = read_series(tmp / "series" / "s")
        assert [p.files for p in again.patches] == [p.files for p in folder.patches]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
