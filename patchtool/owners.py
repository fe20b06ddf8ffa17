"""The MAINTAINERS of a base commit, read from the object store and matched the way get_maintainer.pl does.

get_maintainer.pl asks the file system whether an ``F:`` value without a
trailing ``/`` is a directory; here the base tree answers (one
``ls-tree -d`` of directories only), so nothing is checked out.
"""

from __future__ import annotations

from patchtool.gitrepo import GitRepo
from patchtool.maintainers import Maintainers, parse_maintainers


def maintainers_at(repo: GitRepo, commit: str) -> Maintainers | None:
    """The parsed MAINTAINERS of ``commit``, or None when its tree has none."""
    text = repo.read_path(commit, "MAINTAINERS")
    if text is None:
        return None
    dirs = repo.tree_dirs(commit)
    return parse_maintainers(text.decode("utf-8", "replace"), is_dir=lambda name: name.rstrip("/") in dirs)
