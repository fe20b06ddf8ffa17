"""A base tree edited in memory, touching only the directories on changed paths.

This module owns reading the directories a series needs from git's object
store (never the whole tree), changing entries, hashing the changed trees
(git's tree format and order) and writing the new blobs and trees in bulk,
as one pack into the scratch store (``GitRepo.write_objects``).
The applier (``apply/__init__.py``) decides what changes; this only keeps the trees.
"""

from __future__ import annotations

import hashlib

from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo, parse_tree


class PathConflict(Exception):
    """A path cannot be added: one of its leading directories is a file."""


EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
TREE_MODE = "40000"

Entry = tuple[str, str]  # (mode, oid) as a tree records it


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def _sort_key(name: bytes, mode: str) -> bytes:
    # git orders tree entries by name, a directory's name read as if it ended in "/".
    return name + b"/" if mode == TREE_MODE else name


def _split(path: str) -> tuple[str, bytes]:
    d, _, name = path.rpartition("/")
    return d, name.encode("utf-8", "surrogateescape")


def ancestors(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


class Trees:
    """The base tree's directories on the touched paths, edited in memory.

    Only directories someone asks about are read; a changed file marks its
    directory and the ones above it dirty, and ``flush`` hashes just those.
    """

    def __init__(self, store: GitRepo, root: str):
        self.store = store
        self.root = root
        self.dirs: dict[str, dict[bytes, Entry]] = {}
        self.blobs: dict[str, bytes] = {}
        self.dirty: set[str] = set()
        self.new_blobs: dict[str, bytes] = {}
        self.new_trees: dict[str, bytes] = {}  # id -> its body
        self.written: set[str] = set()
        # A directory's names in git's order, kept while only ids change (the usual
        # edit), and each entry's bytes in a tree object:
        # a 200-patch series rehashes the same big directories again and again.
        self._order: dict[str, list[bytes]] = {}
        self._records: dict[tuple[bytes, str, str], bytes] = {}

    @classmethod
    def load(cls, store: GitRepo, base: str, paths: set[str]) -> tuple[str, Trees]:
        """The base's commit id, and its tree with every directory on ``paths`` and the
        blobs at ``paths`` read: all in one ``cat-file --batch``."""
        if not base or base.startswith("-") or "\n" in base:
            raise BadInput(f"not a valid ref: {base!r}")
        rev = f"{base}^{{tree}}"
        dirs = sorted({a for p in paths for a in ancestors(p)}, key=lambda x: x.count("/"))
        commit_name = f"{base}^{{commit}}"
        got = store.read_objects([commit_name, rev, *(f"{rev}:{d}" for d in dirs),
                                  *(f"{rev}:{p}" for p in sorted(paths))])
        if commit_name not in got or rev not in got:
            raise BadInput(f"unknown revision: {base}")
        trees = cls(store, got[rev][0])
        trees.dirs[""] = parse_tree(got[rev][2])
        for d in dirs:
            obj = got.get(f"{rev}:{d}")
            if obj is not None and obj[1] == "tree":
                trees.dirs[d] = parse_tree(obj[2])
        for p in paths:
            obj = got.get(f"{rev}:{p}")
            if obj is not None and obj[1] == "blob":
                trees.blobs[obj[0]] = obj[2]
        return got[commit_name][0], trees

    def _dir(self, d: str) -> dict[bytes, Entry]:
        if d in self.dirs:
            return self.dirs[d]
        if d == "":
            self.dirs[""] = parse_tree(self.store.read_objects([self.root])[self.root][2])
            return self.dirs[""]
        parent, name = _split(d)
        entry = self._dir(parent).get(name)
        entries: dict[bytes, Entry] = {}
        if entry is not None and entry[0] == TREE_MODE:
            entries = parse_tree(self.store.read_objects([entry[1]])[entry[1]][2])
        self.dirs[d] = entries
        return entries

    def get_dir(self, d: str) -> dict[bytes, Entry] | None:
        """The entries of folder ``d`` of the current tree, or None when it has no such folder."""
        if d:
            entry = self.get(d)
            if entry is None or entry[0] != TREE_MODE:
                return None
        return self._dir(d)

    def get(self, path: str) -> Entry | None:
        d, name = _split(path)
        for a in ancestors(path):  # under a file there is nothing
            pd, pn = _split(a)
            e = self._dir(pd).get(pn)
            if e is None or e[0] != TREE_MODE:
                return None
        return self._dir(d).get(name)

    def blob(self, oid: str) -> bytes:
        if oid not in self.blobs:
            got = self.store.read_objects([oid])
            if oid not in got:
                raise BadInput(f"object {oid} is missing from the repository")
            self.blobs[oid] = got[oid][2]
        return self.blobs[oid]

    def find_blob(self, prefix: str) -> bytes | None:
        """A blob by the (abbreviated) id an ``index`` line names: ours first, then the repository's."""
        if len(prefix) == 40 and prefix in self.blobs:
            return self.blobs[prefix]
        hits = [o for o in self.new_blobs if o.startswith(prefix)]
        if len(hits) == 1:
            return self.new_blobs[hits[0]]
        name = f"{prefix}^{{blob}}"
        got = self.store.read_objects([name])
        if name not in got:
            return None
        self.blobs[got[name][0]] = got[name][2]
        return got[name][2]

    def add_blob(self, data: bytes) -> str:
        oid = blob_id(data)
        self.blobs.setdefault(oid, data)
        self.new_blobs.setdefault(oid, data)
        return oid

    def add_known(self, data: bytes) -> str:
        """A blob the repository already has (a pre-image): cached for reading, never rewritten."""
        oid = blob_id(data)
        self.blobs.setdefault(oid, data)
        return oid

    def file_above(self, path: str, removed: set[str] | frozenset[str] = frozenset()) -> str | None:
        """The leading directory of ``path`` that is a file (and not in ``removed``), if any."""
        for a in ancestors(path):
            pd, pn = _split(a)
            e = self._dir(pd).get(pn)
            if e is not None and e[0] != TREE_MODE and a not in removed:
                return a
        return None

    def update(self, changes: dict[str, Entry | None]) -> None:
        """Apply path -> entry (None: remove) changes all or nothing; PathConflict when a
        new path runs through a file."""
        removed = {p for p, e in changes.items() if e is None}
        for path, entry in changes.items():
            if entry is not None and (a := self.file_above(path, removed)):
                raise PathConflict(f"{path}: {a} is a file in the base")
        for path in sorted(changes, key=lambda p: changes[p] is not None):  # removals first
            self.set(path, changes[path])

    def set(self, path: str, entry: Entry | None) -> None:
        d, name = _split(path)
        if entry is not None and (a := self.file_above(path)):
            raise PathConflict(f"{path}: {a} is a file in the base")
        entries = self._dir(d)
        old = entries.get(name)
        if entry is None:
            entries.pop(name, None)
        else:
            entries[name] = entry
        if old is None or entry is None or (old[0] == TREE_MODE) != (entry[0] == TREE_MODE):
            self._order.pop(d, None)
        self.dirty.update(["", *ancestors(path)])

    def flush(self) -> str:
        """The root tree id after the edits so far; new trees are kept for ``write``."""
        for d in sorted(self.dirty, key=lambda x: (-x.count("/") if x else 1, x)):
            entries = self.dirs[d]
            if d == "":
                continue
            parent, name = _split(d)
            siblings = self._dir(parent)
            if entries:
                if name not in siblings:
                    self._order.pop(parent, None)
                siblings[name] = (TREE_MODE, self._hash_tree(d))
            elif name in siblings:
                del siblings[name]  # git has no empty directories
                self._order.pop(parent, None)
        if "" in self.dirty or not self.dirs:
            self.root = self._hash_tree("") if self._dir("") else EMPTY_TREE
        self.dirty.clear()
        return self.root

    def _hash_tree(self, d: str) -> str:
        entries = self.dirs[d]
        order = self._order.get(d)
        if order is None:
            order = self._order[d] = sorted(entries, key=lambda n: _sort_key(n, entries[n][0]))
        body = bytearray()
        cache = self._records
        for name in order:
            mode, oid = entries[name]
            rec = cache.get((name, mode, oid))
            if rec is None:
                rec = cache[(name, mode, oid)] = GitRepo.tree_entry(mode, oid, name)
            body += rec
        oid = hashlib.sha1(b"tree %d\x00" % len(body) + body).hexdigest()
        if oid not in self.new_trees:
            self.new_trees[oid] = bytes(body)
        return oid

    def write(self) -> None:
        """Write the new blobs and trees not written yet into the scratch store, as one pack."""
        objects = [*(("blob", oid, data) for oid, data in self.new_blobs.items() if oid not in self.written),
                   *(("tree", oid, body) for oid, body in self.new_trees.items() if oid not in self.written)]
        if self.store.write_objects([(kind, body) for kind, _, body in objects]) != [oid for _, oid, _ in objects]:
            raise RuntimeError("an object's id is not the one patchtool computed for it")
        self.written.update(oid for _, oid, _ in objects)
