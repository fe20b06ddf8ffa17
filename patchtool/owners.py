"""The MAINTAINERS of a base commit, read from the object store and matched the way get_maintainer.pl does.

get_maintainer.pl asks the file system whether an ``F:`` value without a
trailing ``/`` is a directory; here the base tree answers (one
``ls-tree -d`` of directories only), so nothing is checked out.
"""

from __future__ import annotations

from collections.abc import Iterable

from patchtool.gitrepo import GitRepo, parse_tree
from patchtool.maintainers import Maintainers, ancestor_dirs, parse_maintainers


def maintainers_at(repo: GitRepo, commit: str, only_paths: Iterable[str] | None = None) -> Maintainers | None:
    """The parsed MAINTAINERS of ``commit``, or None when its tree has none.

    ``only_paths``: the paths the caller will ask about (a series' files),
    which lets the parser skip indexing sections that cannot own them, and
    lets one ``cat-file --batch`` read the file and the few directories
    get_maintainer.pl's ``-d`` could see for them.
    """
    if only_paths is None:
        text = repo.read_path(commit, "MAINTAINERS")
        dirs = repo.tree_dirs(commit) if text is not None else set()
    else:
        only_paths = list(only_paths)
        text, dirs = _read_near(repo, commit, only_paths)
    if text is None:
        return None
    return parse_maintainers(text.decode("utf-8", "replace"), is_dir=lambda name: name.rstrip("/") in dirs,
                             only_paths=only_paths)


def _read_near(repo: GitRepo, commit: str, paths: list[str]) -> tuple[bytes | None, set[str]]:
    """MAINTAINERS, and the directories whose answer can change a match for ``paths``.

    A literal F:/X: value matters for a path only when it is a string prefix
    of it, so the value is either a directory above the path or a sibling
    of one (``fs/io`` beside ``fs/io_uring.c``): the subdirectories of the
    paths' ancestors are all get_maintainer.pl's ``-d`` could see.
    """
    folders = sorted(ancestor_dirs(paths))
    names = {f"{commit}:{folder.rstrip('/')}": folder for folder in folders}
    got = repo.read_objects([f"{commit}:MAINTAINERS", *names])
    dirs = {folder.rstrip("/") for folder in folders if folder}
    for name, folder in names.items():
        if name in got and got[name][1] == "tree":
            entries = parse_tree(got[name][2])
            dirs |= {folder + n.decode("utf-8", "surrogateescape")
                     for n, (mode, _) in entries.items() if mode == "40000"}
    blob = got.get(f"{commit}:MAINTAINERS")
    return (blob[2] if blob and blob[1] == "blob" else None), dirs
