"""The MAINTAINERS of a base commit, read from the object store and matched the way get_maintainer.pl does.

get_maintainer.pl asks the file system whether an ``F:`` value without a
trailing ``/`` is a directory; here the base tree answers (one
``ls-tree -d`` of directories only), so nothing is checked out.
"""

from __future__ import annotations

from collections.abc import Iterable

from patchtool.gitrepo import GitRepo
from patchtool.maintainers import Maintainers, parse_maintainers


def maintainers_at(repo: GitRepo, commit: str, only_paths: Iterable[str] | None = None) -> Maintainers | None:
    """The parsed MAINTAINERS of ``commit``, or None when its tree has none.

    ``only_paths``: the paths the caller will ask about (a series' files),
    which lets the parser skip indexing sections that cannot own them.
    """
    text = repo.read_path(commit, "MAINTAINERS")
    if text is None:
        return None
    if only_paths is None:
        dirs = repo.tree_dirs(commit)
    else:
        only_paths = list(only_paths)
        dirs = _dirs_near(repo, commit, only_paths)
    return parse_maintainers(text.decode("utf-8", "replace"), is_dir=lambda name: name.rstrip("/") in dirs,
                             only_paths=only_paths)


def _dirs_near(repo: GitRepo, commit: str, paths: list[str]) -> set[str]:
    """The directories whose answer can change a match for ``paths``.

    A literal F:/X: value matters for a path only when it is a string prefix
    of it, so the value is either a directory above the path or a sibling
    of one (``fs/io`` beside ``fs/io_uring.c``): the subdirectories of the
    paths' ancestors are all get_maintainer.pl's ``-d`` could see.
    """
    ancestors = {""}
    for path in paths:
        cut = path.find("/")
        while cut >= 0:
            ancestors.add(path[: cut + 1])
            cut = path.find("/", cut + 1)
    return {a.rstrip("/") for a in ancestors if a} | repo.subdirs(commit, sorted(ancestors))
