"""The packs patchtool writes itself (``GitRepo.write_objects``, ``gitrepo.pack``) are git's.

The oracles, all git: ``git index-pack`` rebuilds each pack's index from the
pack alone, byte for byte the index written beside it; ``git verify-pack``
accepts both; ``git hash-object -t <type> --stdin`` gives each object the
same id; ``git cat-file --batch`` reads back the same type and bytes from the
scratch store and ``git fsck --strict`` finds nothing wrong; the repository
itself gets no object.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patchtool.gitrepo import GitRepo, pack
from tests.conftest import Repo

_MODES = ["100644", "100755", "120000", "40000", "160000"]
_NAMES = st.binary(min_size=1, max_size=6).filter(lambda n: b"/" not in n and b"\0" not in n
                                                  and n not in (b".", b"..", b".git"))
# Sizes around the header's 4-bit and 7-bit boundaries, and bodies that repeat (one object, written once).
_BODIES = st.one_of(st.binary(max_size=40), st.integers(0, 70000).map(lambda n: os.urandom(n)),
                    st.sampled_from([b"", b"x" * 15, b"x" * 16, b"y" * 2047, b"y" * 2048]))


def _git(repo: Repo, store: GitRepo, *args: str, input: bytes | None = None) -> bytes:
    """git in the scratch view (its object directory, the repository's as an alternate)."""
    return subprocess.run(["git", *args], cwd=repo.path, input=input, capture_output=True, check=True,
                          env={**os.environ, **store._env_extra}).stdout


def _tree(entries: dict[bytes, tuple[str, str]]) -> bytes:
    # git's order: by name, a folder's name as if it ended in "/".
    order = sorted(entries, key=lambda n: n + b"/" if entries[n][0] == "40000" else n)
    return b"".join(GitRepo.tree_entry(*entries[name], name) for name in order)


def _objects(repo: Repo) -> list[str]:
    return sorted(str(p.relative_to(repo.path)) for p in (repo.path / ".git" / "objects").rglob("*"))


@pytest.mark.parametrize("limit", [pack.PACK_LIMIT, 3000])  # 3000: many packs, each closed when full
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blobs=st.lists(_BODIES, min_size=1, max_size=6), names=st.lists(_NAMES, min_size=1, max_size=6, unique=True),
       modes=st.lists(st.sampled_from(_MODES), min_size=6, max_size=6))
def test_written_packs_are_gits(repo: Repo, monkeypatch: pytest.MonkeyPatch, limit: int, blobs: list[bytes],
                                names: list[bytes], modes: list[str]) -> None:
    monkeypatch.setattr(pack, "PACK_LIMIT", limit)
    if not (repo.path / "README").exists():
        repo.write("README", "hello\n")
        repo.commit("base")
    head = repo.git("rev-parse", "HEAD").strip()
    root = repo.git("rev-parse", "HEAD^{tree}").strip()
    before = _objects(repo)
    with GitRepo.open(repo.path).scratch() as store:
        blob_ids = store.write_objects([("blob", b) for b in blobs])
        entries = {name: (modes[i], {"40000": root, "160000": head}.get(modes[i], blob_ids[i % len(blob_ids)]))
                   for i, name in enumerate(names)}
        body = _tree(entries)
        [tree_id] = store.write_objects([("tree", body)])
        written = [*zip(["blob"] * len(blobs), blobs, blob_ids, strict=True), ("tree", body, tree_id)]
        for kind, data, oid in written:
            assert _git(repo, store, "hash-object", "-t", kind, "--stdin", input=data).decode().strip() == oid
        query = "".join(f"{oid}\n" for _, _, oid in written).encode()
        assert _git(repo, store, "cat-file", "--batch", input=query) == b"".join(
            f"{oid} {kind} {len(data)}\n".encode() + data + b"\n" for kind, data, oid in written)
        _git(repo, store, "fsck", "--strict", "--no-dangling", "--no-progress")
        packs = sorted((Path(store._env_extra["GIT_OBJECT_DIRECTORY"]) / "pack").glob("pack-*.pack"))
        assert packs and len(packs) >= (2 if limit == 3000 and sum(map(len, blobs)) > 6000 else 1)
        for written_pack in packs:
            _git(repo, store, "verify-pack", str(written_pack.with_suffix(".idx")))
            again = written_pack.with_name("again.idx")
            _git(repo, store, "index-pack", "-o", str(again), str(written_pack))
            assert again.read_bytes() == written_pack.with_suffix(".idx").read_bytes()
            again.unlink()
            assert written_pack.stat().st_size <= max(limit, max(map(len, blobs)) + 100)
    assert _objects(repo) == before
