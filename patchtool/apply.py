"""Patches on a base, in git's object store -> a verdict and a tree per patch.

Call inside ``GitRepo.scratch()``: the trees and blobs written here land in
the scratch object directory and live as long as it does, so callers
(diffstat, cover, range-diff) can read them before it goes away.

This first version drives ``git apply --cached`` on the scratch index;
it is the reference the faster in-memory applier must agree with.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from patchtool.gitrepo import GitRepo
from patchtool.model import Patch


class Status(enum.Enum):
    CLEAN = "clean"
    OFFSET = "offset"
    THREEWAY = "3way"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Problem:
    file: str
    hunk: str | None
    message: str


@dataclass(frozen=True)
class PatchResult:
    number: int
    patch: Patch
    status: Status
    tree: str  # the tree after this patch (unchanged from before when it conflicts)
    problems: tuple[Problem, ...] = ()
    after_conflict: bool = False  # an earlier patch of the series did not apply
    touches_failed: bool = False  # it touches a file an earlier failed patch touched

    @property
    def applies(self) -> bool:
        return self.status is not Status.CONFLICT


@dataclass(frozen=True)
class ApplyResult:
    base: str
    commit: str
    base_tree: str
    patches: tuple[PatchResult, ...]

    @property
    def applies(self) -> bool:
        return all(p.applies for p in self.patches)

    @property
    def result_tree(self) -> str | None:
        """The tree the whole series makes, when every patch applies."""
        if not self.applies:
            return None
        return self.patches[-1].tree if self.patches else self.base_tree


_OFFSET = re.compile(r"Hunk #\d+ succeeded at \d+ \(offset -?\d+ lines?\)")
_ERROR = re.compile(r"^error: (?:patch failed: )?(.*)$", re.MULTILINE)


def apply_series(store: GitRepo, base: str, patches: Sequence[Patch]) -> ApplyResult:
    """Apply ``patches`` in order on ``base`` in ``store`` (a scratch view of the repository)."""
    commit = store.resolve(base)
    base_tree = store.resolve(commit, kind="tree")
    store.run("read-tree", base_tree)
    tree = base_tree
    results: list[PatchResult] = []
    failed_paths: set[str] = set()
    for number, patch in enumerate(patches, 1):
        diff = patch.diff.encode("utf-8", "surrogateescape")
        status, problems = _apply_one(store, diff)
        if status is not Status.CONFLICT:
            tree = store.text("write-tree").strip()
        results.append(PatchResult(
            number=number, patch=patch, status=status, tree=tree, problems=problems,
            after_conflict=bool(failed_paths) or any(r.status is Status.CONFLICT for r in results),
            touches_failed=bool(failed_paths & set(patch.paths)),
        ))
        if status is Status.CONFLICT:
            failed_paths |= set(patch.paths)
    return ApplyResult(base=base, commit=commit, base_tree=base_tree, patches=tuple(results))


def _apply_one(store: GitRepo, diff: bytes) -> tuple[Status, tuple[Problem, ...]]:
    if not diff:
        return Status.CLEAN, ()
    plain = store.run_status("apply", "--cached", "--verbose", "--whitespace=nowarn", input=diff)
    if plain.returncode == 0:
        moved = _OFFSET.search(plain.stderr.decode("utf-8", "replace"))
        return (Status.OFFSET if moved else Status.CLEAN), ()
    three = store.run_status("apply", "--cached", "-3", "--whitespace=nowarn", input=diff)
    if three.returncode == 0:
        return Status.THREEWAY, ()
    err = plain.stderr.decode("utf-8", "replace")
    problems = tuple(Problem(file=_file_of(m), hunk=None, message=m) for m in _ERROR.findall(err))
    return Status.CONFLICT, problems or (Problem(file="", hunk=None, message=err.strip()),)


def _file_of(message: str) -> str:
    return message.split(":", 1)[0].strip()
