"""Where a file the base no longer has went: the three-way fallback's rename search, bounded.

``git am -3`` pairs a pre-image path its base lacks with the file that took
its place by git's rename search between the pre-image tree and the base
(diffcore-rename: an exact pass, a pass over files of the same name, then
every file compared by likeness).  Ours asks git the same question about
only the files the path can have gone to, never the whole tree's contents:

1. the files beside it (its folder, or the nearest one above that the base
   still has);
2. for a path found nowhere there, or found only by likeness, those and the
   files anywhere that hold its blob or bear its name (git's exact and
   basename passes): the tree's entries are listed, no blob is read.

A file moved to another folder under another name and changed there is
the one kind ``git am -3`` follows and this does not (its last pass reads
every file of the tree: seconds on a kernel tree).  A candidate whose blob
the store lacks (a partial clone) is left out, as it cannot be compared.
"""

from __future__ import annotations

from patchtool.apply.trees import EMPTY_TREE, Entry, Trees, ancestors


def is_file(mode: str) -> bool:
    """A regular file, executable or not (not a folder, symlink or submodule)."""
    return int(mode, 8) & 0o170000 == 0o100000


def renamed_in_base(trees: Trees, base_tree: str, fake: dict[str, Entry]) -> dict[str, str]:
    """Pre-image paths (``fake``: path -> the entry its ``index`` line names) that ``trees`` (the base
    as the series' earlier patches left it; ``base_tree`` the base itself) no longer has, and the name
    it holds each under."""
    gone = [p for p in fake if trees.get(p) is None]
    if not gone:
        return {}
    beside = _files_beside(trees, gone, fake)
    renames = _search(trees, gone, fake, beside)
    unsure = [p for p in gone if p not in renames or beside[renames[p]][1] != fake[p][1]]
    if unsure:
        renames.update(_search(trees, unsure, fake, {**beside, **_files_elsewhere(trees, base_tree, unsure, fake)}))
    return {p: renames[p] for p in gone if p in renames}


def _join(folder: str, name: bytes) -> str:
    return "/".join(filter(None, (folder, name.decode("utf-8", "surrogateescape"))))


def _files_beside(trees: Trees, gone: list[str], fake: dict[str, Entry]) -> dict[str, Entry]:
    candidates: dict[str, Entry] = {}
    for path in gone:
        folder = next((a for a in reversed(["", *ancestors(path)]) if trees.get_dir(a) is not None), "")
        for name, entry in (trees.get_dir(folder) or {}).items():
            where = _join(folder, name)
            if is_file(entry[0]) and where not in fake:
                candidates[where] = entry
    return candidates


def _files_elsewhere(trees: Trees, base_tree: str, gone: list[str], fake: dict[str, Entry]) -> dict[str, Entry]:
    """The current tree's files anywhere that hold a gone file's blob or bear its name."""
    names = {p.rpartition("/")[2] for p in gone}
    oids = {fake[p][1] for p in gone}
    candidates: dict[str, Entry] = {}
    for where, listed in trees.store.files_like(base_tree, names, oids).items():
        # As the series' earlier patches left it: what they changed lies in folders read already; a
        # folder not read is the base's, as listed (and reading each would cost a git process).
        unread = any(a not in trees.dirs for a in ["", *ancestors(where)])
        entry = listed if unread else trees.get(where)
        if entry is not None and is_file(entry[0]) and where not in fake:
            candidates[where] = entry
    for folder, entries in trees.dirs.items():  # and what those patches added
        for name, entry in entries.items():
            where = _join(folder, name)
            if ((entry[1] in oids or where.rpartition("/")[2] in names) and is_file(entry[0])
                    and where not in fake and trees.get(where) == entry):
                candidates[where] = entry
    return candidates


def _search(trees: Trees, gone: list[str], fake: dict[str, Entry], candidates: dict[str, Entry]) -> dict[str, str]:
    """git's rename search from the ``gone`` pre-images to ``candidates`` (those the store holds)."""
    ours = trees.new_blobs  # what earlier patches of the series made
    present = trees.store.object_ids(oid for _, oid in candidates.values() if oid not in ours)
    candidates = {p: e for p, e in candidates.items() if e[1] in present or e[1] in ours}
    if not candidates:
        return {}
    # git's similarity wants both sides in the store: two small trees of just these files.
    sides = []
    for files in ({p: fake[p] for p in gone}, candidates):
        side = Trees(trees.store, EMPTY_TREE)
        side.dirs[""] = {}
        for path, entry in files.items():
            side.set(path, entry)
        sides.append(side.flush())
        side.write()
    trees.write()  # the pre-image blobs the index lines named, when only we hold them
    renames = trees.store.find_renames(*sides)
    return {p: renames[p] for p in gone if p in renames}
