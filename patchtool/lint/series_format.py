"""NIPA's series checks: ``cover_letter``, ``patch_count``, ``subject_prefix`` and ``fixes_present``.

As in ``tests/series/series_format`` and ``tests/series/fixes_present``:

* ``cover_letter``: three patches or more need a cover letter (one or two
  may go without: a feature and its selftest); here a cover with neither a
  title nor prose is none, for export's 0/N would say nothing.  Warning.
* ``patch_count``: more patches than the tree's limit (15; ``patch-limit``).
  NIPA fails such a series (error); the kernel profile warns.
* ``subject_prefix``: a tree that takes several designations (netdev's
  ``net`` and ``net-next``) wants the subject to name one.  NIPA expects it
  when every patch touches a file under a ``required`` path and nothing
  outside ``required`` + ``allowed`` (``netdev/tree_match.py``); with no
  ``designation`` paths configured, every series must name one.  Warning.
* ``fixes_present``: a series for a fixes tree (``fixes = true``) that
  touches more than Documentation/ and MAINTAINERS needs a ``Fixes:`` tag
  somewhere.  Error.

The designation is a word of the series' prefix (``prefix = "PATCH net"`` in
series.toml, which export puts in every subject) or of a patch subject's
brackets, matched case-blind against the configured trees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from patchtool.lint.config import LintConfig, Tree
from patchtool.lint.findings import Context, Finding, Severity, Skipped
from patchtool.model import Patch, Series

COVER_AFTER = 3
_FIXES_TAG = re.compile(r"^Fixes: ", re.MULTILINE)


def check(ctx: Context) -> Iterator[Finding | Skipped]:
    series, cfg = ctx.series, ctx.config
    if series.total >= COVER_AFTER and not series.title.strip() and not series.cover.prose.strip():
        yield Finding("cover_letter", Severity.WARNING, 0,
                      f"{series.total} patches without a cover letter: give the series a title and cover.txt")
    if cfg.patch_limit and series.total > cfg.patch_limit:
        yield Finding("patch_count", Severity.ERROR, 0,
                      f"{series.total} patches, more than the {cfg.patch_limit} the list takes at once: "
                      "split the series")
    if not cfg.trees:
        yield Skipped("subject_prefix", f"the {cfg.profile} configuration names no trees ([lint.trees])")
        yield Skipped("fixes_present", f"the {cfg.profile} configuration names no trees ([lint.trees])")
        return
    tree = designation(series, cfg)
    names = ", ".join(t.name for t in cfg.trees)
    if tree is None:
        if designation_expected(series, cfg):
            yield Finding("subject_prefix", Severity.WARNING, 0,
                          f"the subject names no target tree ({names}): e.g. prefix = \"PATCH {cfg.trees[-1].name}\"")
        yield Skipped("fixes_present", "the subject names no tree: whether it is for a fixes tree is unknown")
        return
    if tree.fixes and touches_code(series) and not any(_FIXES_TAG.search(p.message) for p in series.patches):
        yield Finding("fixes_present", Severity.ERROR, 0,
                      f"the series is for {tree.name}, a fixes tree, but no patch has a Fixes: tag")


def designation(series: Series, cfg: LintConfig) -> Tree | None:
    """The configured tree the series' prefix or a patch subject's brackets name."""
    words = series.prefix.split() + [w for p in series.patches for w in p.subject.prefix.split()]
    for word in words:
        if tree := cfg.tree(word):
            return tree
    return None


def _file_state(path: str, cfg: LintConfig) -> str:
    """``required``, ``allowed`` or ``foreign`` (tree_match.py's three lists)."""
    if any(path.startswith(p) for p in cfg.excluded):
        return "foreign"
    if any(path.startswith(p) for p in cfg.required):
        return "required"
    if any(path.startswith(p) for p in cfg.allowed):
        return "allowed"
    return "foreign"


def _patch_is_local(patch: Patch, cfg: LintConfig) -> bool:
    states = {_file_state(path, cfg) for path in patch.paths}
    return "required" in states and "foreign" not in states


def designation_expected(series: Series, cfg: LintConfig) -> bool:
    if not cfg.required:
        return True
    return bool(series.patches) and all(_patch_is_local(p, cfg) for p in series.patches)


def touches_code(series: Series) -> bool:
    """More than documentation: a path outside Documentation/ and MAINTAINERS."""
    return any(not (path.startswith("Documentation/") or path == "MAINTAINERS")
               for p in series.patches for path in p.paths)
