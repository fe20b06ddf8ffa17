"""The ``.mailmap`` git applies in a repository, read from where git's mailmap.c reads it.

``repo_mailmap`` is the one lookup the cover letter's shortlogs and lint's
sign-off check use.  Like ``read_mailmap()`` (git 2.39), it reads, in this
order, each later entry for the same address (or address and name) winning:

1. ``.mailmap`` at the top of the work tree, as it is on disk (committed or
   not), unless the repository is bare; a symlink is not followed (git opens
   the in-tree file ``O_NOFOLLOW`` and skips it);
2. the blob ``mailmap.blob`` names, by default ``HEAD:.mailmap`` in a bare
   repository and nothing in one with a work tree; a name that does not
   resolve, or is not a blob, is skipped;
3. the file ``mailmap.file`` names (``~`` expanded; a relative name is taken
   from the top of the work tree, where git runs, or from the git directory
   of a bare repository, where patchtool runs git).

Files are read as git's ``fgets()`` into a 1024-byte buffer reads them (a
line longer than 1023 bytes is parsed in pieces) and a NUL ends a line; a
blob ends at its first NUL.  Nothing else of the work tree is read.
"""

from __future__ import annotations

import os
from pathlib import Path

from patchtool.gitrepo import GitRepo
from patchtool.shortlog import Mailmap, parse_mailmap

_FGETS = 1023  # fgets(buffer, 1024, f) reads at most 1023 bytes at a time


def file_lines(data: bytes) -> list[str]:
    """The lines mailmap.c's ``read_mailmap_file`` parses, newlines dropped."""
    lines: list[str] = []
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos, pos + _FGETS)
        stop = nl + 1 if nl >= 0 else min(pos + _FGETS, len(data))
        chunk = data[pos:stop].split(b"\0", 1)[0]
        lines.append(chunk.removesuffix(b"\n").decode("utf-8", "replace"))
        pos = stop
    return lines


def blob_lines(data: bytes) -> list[str]:
    """The lines ``read_mailmap_string`` parses of a blob: up to its first NUL, split at newlines."""
    return data.split(b"\0", 1)[0].decode("utf-8", "replace").split("\n")


def _read_file(path: Path, *, nofollow: bool) -> bytes | None:
    """The file's bytes; None when git would read nothing (missing, a symlink under ``nofollow``,
    a directory, unreadable: git warns and goes on)."""
    flags = os.O_RDONLY | (os.O_NOFOLLOW if nofollow else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def mailmap_sources(repo: GitRepo) -> list[tuple[str, list[str]]]:
    """(where, lines) of each source git reads for ``repo``, in git's order; absent ones left out."""
    sources: list[tuple[str, list[str]]] = []
    top = repo.origin_work_tree
    if top is not None:
        data = _read_file(top / ".mailmap", nofollow=True)
        if data is not None:
            sources.append((str(top / ".mailmap"), file_lines(data)))
    config = repo.config_section("mailmap")  # one git process for both keys
    blob = config.get("blob")
    if blob is None and top is None:
        blob = "HEAD:.mailmap"
    if blob:
        found = repo.read_objects([blob]).get(blob)
        if found is not None and found[1] == "blob":
            sources.append((blob, blob_lines(found[2])))
    name = config.get("file")
    if name and name.startswith(("~", "%(")):  # expanded as git expands a pathname
        name = repo.config_value("mailmap.file", path=True)
    if name:
        data = _read_file((top or repo.git_dir) / name, nofollow=False)
        if data is not None:
            sources.append((name, file_lines(data)))
    return sources


def repo_mailmap(repo: GitRepo) -> Mailmap | None:
    """The mailmap ``git shortlog``, ``git format-patch --cover-letter`` and ``git log --format=%aN``
    apply in ``repo`` (a scratch view reads its repository's); None when no source exists."""
    sources = mailmap_sources(repo)
    if not sources:
        return None
    return parse_mailmap("\n".join(line for _, lines in sources for line in lines))
