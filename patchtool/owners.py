"""The MAINTAINERS of a base commit, read from the object store and matched the way get_maintainer.pl does.

get_maintainer.pl asks the file system whether an ``F:`` value without a
trailing ``/`` is a directory; here the base tree answers (one
``ls-tree -d`` of directories only), so nothing is checked out.

The base tree's ``.get_maintainer.conf`` (or ``.scripts/.get_maintainer.conf``)
may make get_maintainer.pl read other files than the top ``MAINTAINERS``:
``--maintainer-path`` and ``--find-maintainer-files`` (U-Boot's conf has
both, so every ``board/*/MAINTAINERS`` counts).  The rules are in
``patchtool.maintainers.conf``; what is read here:

* one ``cat-file --batch`` for the confs, ``MAINTAINERS``, the root tree and
  (with ``only_paths``) the directories get_maintainer.pl's ``-d`` could see;
* with a ``--maintainer-path`` other than the top or ``MAINTAINERS``, one more
  for that path;
* for ``--find-maintainer-files`` in a directory, one ``diff-tree`` from the
  empty tree limited by the pathspec ``:(glob)DIR/**/MAINTAINERS``: it reads
  trees, never a blob, so a 75,000-file tree costs its trees only;
* one ``cat-file --batch`` for the files found that the first did not read.
"""

from __future__ import annotations

from collections.abc import Iterable

from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo, parse_tree
from patchtool.maintainers import Maintainers, ancestor_dirs, parse_maintainer_files
from patchtool.maintainers.conf import (
    CONF_NAMES,
    DEFAULT_PATH,
    GetMaintainerConf,
    MaintainersSource,
    find_order,
    find_pathspec,
    is_maintainer_file,
    missing_path,
    nothing_found,
    parse_conf,
    tree_path,
)

_Objects = dict[str, tuple[str, str, bytes]]
_REGULAR = ("100644", "100755")
_EMPTY_TREE = {40: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
               64: "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321"}


def maintainers_at(repo: GitRepo, commit: str, only_paths: Iterable[str] | None = None) -> Maintainers | None:
    """The parsed MAINTAINERS files of ``commit``, or None when its tree has none.

    ``only_paths``: the paths the caller will ask about (a series' files),
    which lets the parser skip indexing sections that cannot own them, and
    lets one ``cat-file --batch`` read the files and the few directories
    get_maintainer.pl's ``-d`` could see for them.  A ``.get_maintainer.conf``
    naming a path that is not there is BadInput (get_maintainer.pl stops too).
    """
    paths = None if only_paths is None else list(only_paths)
    folders = sorted(ancestor_dirs(paths)) if paths is not None else [""]
    dir_names = {f"{commit}:{folder.rstrip('/')}": folder for folder in folders}
    got = repo.read_objects([*(f"{commit}:{name}" for name in CONF_NAMES), f"{commit}:{DEFAULT_PATH}", *dir_names])
    conf = _conf(got, commit)
    files = _files(repo, commit, conf, got)
    if not files:
        return None
    if paths is None:
        dirs = repo.tree_dirs(commit)
    else:
        dirs = {folder.rstrip("/") for folder in folders if folder}
        for name, folder in dir_names.items():
            if name in got and got[name][1] == "tree":
                entries = parse_tree(got[name][2])
                dirs |= {folder + n.decode("utf-8", "surrogateescape")
                         for n, (mode, _) in entries.items() if mode == "40000"}
    texts = [(path, data.decode("utf-8", "replace")) for path, data in files]
    return parse_maintainer_files(texts, is_dir=lambda name: name.rstrip("/") in dirs, only_paths=paths,
                                  source=MaintainersSource(tuple(path for path, _ in files), conf))


def _conf(got: _Objects, commit: str) -> GetMaintainerConf | None:
    """The first conf that exists (``which_conf``), if it is a file."""
    for name in CONF_NAMES:
        found = got.get(f"{commit}:{name}")
        if found is not None:
            return parse_conf(found[2].decode("utf-8", "replace"), name) if found[1] == "blob" else None
    return None


def _files(repo: GitRepo, commit: str, conf: GetMaintainerConf | None, got: _Objects) -> list[tuple[str, bytes]]:
    """``read_all_maintainer_files``: (path, content) in the order get_maintainer.pl reads them."""
    path = tree_path(conf)
    named = conf is not None and conf.maintainer_path is not None
    name = f"{commit}:{path}"
    target = got.get(name)
    if target is None and named:
        target = repo.read_objects([name]).get(name)
    if target is None:
        if named:
            raise missing_path(conf, path)
        return []
    if target[1] == "blob":
        return [(path or DEFAULT_PATH, target[2])]
    if target[1] != "tree":  # a submodule: an empty folder in a checkout
        if named:
            raise missing_path(conf, path)
        return []
    prefix = f"{path}/" if path else ""
    if conf is not None and conf.find_maintainer_files:
        entries = _found_files(repo, target[0], path)
    else:  # every entry not starting with "."; a subdirectory opens and reads as nothing
        listed = parse_tree(target[2])
        entries = [(prefix + n.decode("utf-8", "surrogateescape"), oid)
                   for n, (mode, oid) in sorted(listed.items()) if mode in _REGULAR and not n.startswith(b".")]
    if not entries:
        raise nothing_found(conf, path)
    known = {oid: data for oid, _typ, data in got.values()}
    known.update(repo.read_blobs(oid for _, oid in entries if oid not in known))
    lost = next((file for file, oid in entries if oid not in known), None)
    if lost is not None:
        raise BadInput(f"{commit}:{lost}: the blob is not in the repository")
    return [(file, known[oid]) for file, oid in entries]


def _found_files(repo: GitRepo, tree: str, folder: str) -> list[tuple[str, str]]:
    """Every regular file called MAINTAINERS in ``folder`` or below, in File::Find's order."""
    empty = _EMPTY_TREE.get(len(tree), _EMPTY_TREE[40])
    out = repo.run("diff-tree", "-r", "-z", "--no-renames", empty, tree, "--", find_pathspec(""))
    fields = out.decode("utf-8", "surrogateescape").split("\x00")
    found: dict[str, str] = {}
    for header, path in zip(fields[0::2], fields[1::2], strict=False):
        parts = header.split()
        if len(parts) >= 4 and parts[1] in _REGULAR and is_maintainer_file(path):
            found[f"{folder}/{path}" if folder else path] = parts[3]
    return [(path, found[path]) for path in find_order(found)]
