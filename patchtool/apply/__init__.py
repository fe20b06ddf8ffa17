"""Patches on a base, in git's object store -> a verdict and a tree per patch.

This module owns deciding, patch by patch, what a series does to a base
without a worktree or an index: which files each section reads and writes
(new, deleted, renamed, copied, mode changes, binary, submodules), the
hunks applied in memory with git's rules (``hunkapply``), ``git am -3``'s
fallback (where a file the base moved went: ``apply.renames``), and the
verdicts.  The trees live in ``apply.trees.Trees``: the files a series
touches are read in one ``cat-file --batch`` (the blobs, and the trees of
just the directories on their paths, never the whole tree), and the new
blobs and trees are written at the end as one pack (``write=True``, or
``ApplyResult.write()`` when a later step reads them).  Call it inside ``GitRepo.scratch()``: what it writes
lands in the scratch object directory and lives as long as it does, so
callers (diffstat, cover, range-diff) can read the trees before it goes
away.

The verdicts are ``git am``'s: a patch that ``git apply`` takes is clean or
offset; one only ``git am -3`` takes (a three-way merge from the pre-image
blobs named in its ``index`` lines) is 3way; anything else conflicts, and
the rest of the series is still checked on top of what applied.  A patch
that only the three-way merge takes and that leaves the tree as it was is
``applied``: its changes are already there, what ``git am -3`` skips with
"No changes -- Patch already applied." and ``git rebase`` drops as "patch
contents already upstream".  (A plain apply that changes nothing, a mode the
file already has, stays clean: git am commits it as it is.)
``apply_series_git`` is the first, ``git apply --cached`` based version,
kept as the reference the tests and the benchmark compare against.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from patchtool.apply.renames import renamed_in_base
from patchtool.apply.trees import TREE_MODE, Entry, PathConflict, Trees, blob_id
from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.hunkapply import (
    BinaryPatchError,
    HunkFailure,
    apply_delta,
    apply_fragments,
    parse_binary,
    parse_fragments,
)
from patchtool.model import ChangeKind, FileChange, Patch


class Status(enum.Enum):
    CLEAN = "clean"
    OFFSET = "offset"
    THREEWAY = "3way"
    CONFLICT = "conflict"
    APPLIED = "applied"  # lands only by 3-way, changing nothing: the base holds the patch already


@dataclass(frozen=True)
class Problem:
    """Why (part of) a patch does not apply; ``expected``/``actual`` for a hunk whose
    context was not found: its pre-image lines, and the base's lines at the nearest
    partial match (starting at ``actual_line``)."""

    file: str
    hunk: str | None
    message: str
    expected: tuple[str, ...] = ()
    actual: tuple[str, ...] = ()
    actual_line: int | None = None


@dataclass(frozen=True)
class HunkOffset:
    """A hunk that applied away from the line its header names, as ``git apply -v`` reports it."""

    file: str
    hunk: str
    number: int
    lines: int


@dataclass(frozen=True)
class PatchResult:
    """How one patch of the series went on one base."""

    number: int
    patch: Patch
    status: Status
    tree: str  # the tree after this patch (unchanged from before when it conflicts)
    problems: tuple[Problem, ...] = ()
    after_conflict: bool = False  # an earlier patch of the series did not apply
    touches_failed: bool = False  # it touches a file an earlier failed patch touched
    offsets: tuple[HunkOffset, ...] = ()
    # What it did to the tree, path -> entry (None: removed); empty when it did not apply.
    changes: Mapping[str, Entry | None] = field(default_factory=dict, compare=False, repr=False)

    @property
    def applies(self) -> bool:
        return self.status is not Status.CONFLICT


@dataclass(frozen=True)
class ApplyResult:
    """The whole series on one base: each patch's result, in order."""

    base: str
    commit: str
    base_tree: str
    patches: tuple[PatchResult, ...]
    # The series' paths in the base, and the trees edited in memory (``apply_series``'s result only).
    base_files: Mapping[str, Entry | None] = field(default_factory=dict, compare=False, repr=False)
    trees: Trees | None = field(default=None, compare=False, repr=False)

    def file_after(self, number: int, path: str) -> tuple[str, bytes] | None:
        """(blob id, content) of one of the series' paths once patches 1..``number`` applied (0: in
        the base), None when no file is there: from memory, with nothing written or asked of git."""
        entry = self.base_files[path]
        for r in self.patches[:number]:
            entry = r.changes.get(path, entry)
        if entry is None or entry[0] in (TREE_MODE, _GITLINK) or self.trees is None:
            return None
        return entry[1], self.trees.blob(entry[1])

    def write(self) -> None:
        """Write the new blobs and trees into the scratch store (what ``write=True`` does), for a step
        that reads them from git; those written already are not written again."""
        if self.trees is not None:
            self.trees.write()

    @property
    def applies(self) -> bool:
        return all(p.applies for p in self.patches)

    @property
    def already_applied(self) -> tuple[int, ...]:
        """The numbers of the patches whose changes the base already holds."""
        return tuple(p.number for p in self.patches if p.status is Status.APPLIED)

    @property
    def result_tree(self) -> str | None:
        """The tree the whole series makes, when every patch applies."""
        if not self.applies:
            return None
        return self.patches[-1].tree if self.patches else self.base_tree


_ZERO = re.compile(r"^0+$")
_GITLINK = "160000"
_SUBPROJECT = re.compile(rb"^Subproject commit ([0-9a-f]{40})\n?$")


class _Refused(Exception):
    """One file section cannot be applied; the message says why, for a maintainer."""

    def __init__(self, message: str, failures: tuple[HunkFailure, ...] = ()):
        super().__init__(message)
        self.message = message
        self.failures = failures


_HEADER_LINE = re.compile(
    r"^(old mode|new mode|deleted file mode|new file mode|index) (\S+)(?: (\d+))?$", re.MULTILINE)


@dataclass(frozen=True)
class _Section:
    """What git's header parser keeps of a file section that the model does not say."""

    change: FileChange
    text: bytes
    old_mode: str | None
    new_mode: str | None  # only when the patch says so: else the file keeps its mode
    old_id: str | None
    new_id: str | None


def _section(fc: FileChange) -> _Section:
    text = fc.text.encode("utf-8", "surrogateescape")
    head = fc.text.split("\n@@", 1)[0].split("\nGIT binary patch", 1)[0]
    fields: dict[str, str] = {}
    index_mode = None
    for m in _HEADER_LINE.finditer(head):
        fields[m.group(1)] = m.group(2)
        if m.group(1) == "index":
            index_mode = m.group(3)
    old_id, _, new_id = fields.get("index", "").partition("..")
    # git reads the mode on an index line as the old mode only.
    old_mode = fields.get("old mode") or fields.get("deleted file mode") or index_mode
    new_mode = fields.get("new mode") or fields.get("new file mode")
    return _Section(fc, text, old_mode, new_mode, old_id or None, new_id or None)


@dataclass
class _Outcome:
    """What applying one patch produced: the changed entries, the problems, the hunks' offsets."""

    changes: dict[str, Entry | None] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    offsets: list[HunkOffset] = field(default_factory=list)


class _Applier:
    def __init__(self, trees: Trees):
        self.trees = trees
        self.base_tree = trees.root  # ``trees.root`` follows the edits, in memory only

    # -- the plain apply (git apply) ---------------------------------------------------

    def plain(self, sections: Sequence[_Section], lookup: Callable[[str], Entry | None] | None = None,
              read: Callable[[str], bytes] | None = None) -> _Outcome:
        """Apply every section on the current tree (or on ``lookup``/``read``, for the 3-way
        fallback's pre-image tree); nothing is changed, the outcome lists the changes."""
        base_get = lookup or self.trees.get
        read = read or self.trees.blob
        out = _Outcome()

        def current(path: str) -> Entry | None:
            return out.changes[path] if path in out.changes else base_get(path)

        for sec in sections:
            fc = sec.change
            try:
                self._one(sec, fc, current, base_get, read, out)
            except _Refused as exc:
                path = fc.old_path or fc.path
                out.problems += [_hunk_problem(path, f) for f in exc.failures] or [Problem(path, None, exc.message)]
        return out

    def _one(self, sec: _Section, fc: FileChange, current: Callable[[str], Entry | None],
             original: Callable[[str], Entry | None], read: Callable[[str], bytes], out: _Outcome) -> None:
        # A quilt/diff -u section may create the file without saying so (``_may_create``).
        if fc.kind is ChangeKind.ADD or (_may_create(fc) and current(fc.old_path or "") is None):
            path = fc.new_path or ""
            if current(path) is not None:
                raise _Refused(f"{path}: already exists in the base")
            src: Entry | None = None
            data = b""
        else:
            path = fc.old_path or ""
            # git reads renames and copies from the tree before the patch, other
            # sections from what earlier sections of the same patch made.
            src = original(path) if fc.kind in (ChangeKind.RENAME, ChangeKind.COPY) else current(path)
            if src is None or src[0] == TREE_MODE:
                raise _Refused(f"{path}: does not exist in the base")
            if sec.old_mode and _type(sec.old_mode) != _type(src[0]):
                raise _Refused(f"{path}: wrong type: the patch expects mode {sec.old_mode}, the base has {src[0]}")
            # A submodule is its commit id; git apply patches it as this one line.
            data = b"Subproject commit %s\n" % src[1].encode() if src[0] == _GITLINK else read(src[1])
        if fc.binary:
            result = self._binary(sec, path, data, src is None)
        elif fc.hunks:
            applied = apply_fragments(data, parse_fragments(sec.text))
            if applied.data is None:
                raise _Refused(f"{path}: patch does not apply", applied.failures)
            result = applied.data
            out.offsets.extend(HunkOffset(path, h, n, d) for n, h, d in applied.offsets)
        else:
            result = data
        if fc.kind is ChangeKind.DELETE:
            if result:
                raise _Refused(f"{path}: removal patch leaves file contents")
            out.changes[path] = None
            return
        target = fc.new_path or path
        if fc.kind in (ChangeKind.RENAME, ChangeKind.COPY) and target != path:
            if current(target) is not None:
                raise _Refused(f"{target}: already exists in the base")
            if fc.kind is ChangeKind.RENAME:
                out.changes[path] = None
        mode = sec.new_mode or (src[0] if src else "100644")
        if mode == _GITLINK:
            m = _SUBPROJECT.match(result)
            if not m:
                raise _Refused(f"{target}: the patch does not leave a 'Subproject commit' line")
            out.changes[target] = (mode, m.group(1).decode())
        else:
            out.changes[target] = (mode, self.trees.add_blob(result))

    def _binary(self, sec: _Section, path: str, data: bytes, is_new: bool) -> bytes:
        # git apply insists on full ids for binary patches, for safety.
        if not (sec.old_id and sec.new_id and len(sec.old_id) == 40 and len(sec.new_id) == 40):
            raise _Refused(f"{path}: cannot apply binary patch without full index line")
        if not is_new and blob_id(data) != sec.old_id:
            raise _Refused(f"{path}: binary pre-image differs: the patch applies to {sec.old_id[:12]}, "
                           f"the base has {blob_id(data)[:12]}")
        if is_new and data:
            raise _Refused(f"{path}: the patch applies to an empty file but it is not empty")
        if _ZERO.match(sec.new_id):
            return b""
        known = self.trees.find_blob(sec.new_id)
        if known is not None:
            return known
        try:
            block = parse_binary(sec.text)
            if block is None:
                raise _Refused(f"{path}: binary patch without data, and the post-image {sec.new_id[:12]} "
                               f"is not in the repository")
            kind, payload = block
            result = payload if kind == "literal" else apply_delta(data, payload)
        except BinaryPatchError as exc:
            raise _Refused(f"{path}: {exc}") from None
        if blob_id(result) != sec.new_id:
            raise _Refused(f"{path}: binary patch creates incorrect result (expecting {sec.new_id[:12]}, "
                           f"got {blob_id(result)[:12]})")
        return result

    # -- the three-way fallback (git am -3) -----------------------------------------------

    def threeway(self, sections: Sequence[_Section]) -> tuple[dict[str, Entry | None] | None, str]:
        """What ``git am -3`` does when the plain apply fails: rebuild the pre-image tree
        from the ``index`` lines, apply the patch there, and merge it into the current
        tree (file by file; renames follow the patch)."""
        fake: dict[str, Entry] = {}
        for sec in sections:
            fc = sec.change
            if fc.kind is ChangeKind.ADD or fc.old_path is None:
                continue
            data = self.trees.find_blob(sec.old_id) if sec.old_id and not _ZERO.match(sec.old_id) else None
            if data is None and not fc.added and not fc.removed:
                # git's build_fake_ancestor: a mode-only change (or a pure rename) takes
                # the pre-image from the current tree.
                current = self.trees.get(fc.old_path)
                if current is None:
                    return None, f"3-way merge impossible: mode change for {fc.old_path}, which is not in the base"
                fake[fc.old_path] = (sec.old_mode or current[0], current[1])
                continue
            if data is None and not sec.old_id:
                # git am: "sha1 information is lacking or useless", as for any diff not made by git.
                return None, f"3-way merge impossible: no index line for {fc.old_path} (the diff was not made by git)"
            if data is None:
                return None, (f"3-way merge impossible: the repository lacks the pre-image blob {sec.old_id} "
                              f"of {fc.old_path}")
            fake[fc.old_path] = (sec.old_mode or "100644", self.trees.add_known(data))
        theirs = self.plain(sections, lookup=fake.get, read=self.trees.blob)
        if theirs.problems:
            return None, "3-way merge impossible: the patch does not apply to the blobs its index lines name"
        moved = renamed_in_base(self.trees, self.base_tree, fake)
        # Pair each changed path with its pre-image (a rename's new path with its old one).
        pairs: list[tuple[str | None, str | None]] = []
        for sec in sections:
            fc = sec.change
            if fc.kind in (ChangeKind.COPY, ChangeKind.ADD):
                pairs.append((None, fc.new_path))
            else:
                pairs.append((fc.old_path, fc.new_path))
        changes: dict[str, Entry | None] = {}
        for old_path, new_path in pairs:
            o = fake.get(old_path) if old_path else None
            t = theirs.changes.get(new_path) if new_path else None
            if new_path is None and old_path is not None:
                t = theirs.changes.get(old_path, fake.get(old_path))
            a = self.trees.get(old_path) if old_path else self.trees.get(new_path or "")
            where = new_path or old_path or ""
            if old_path in moved:
                # The base renamed the file: merge-recursive follows it there.
                if new_path != old_path:
                    return None, (f"{old_path}: 3-way merge conflict: renamed to {moved[old_path]} in the base "
                                  f"and {'deleted' if new_path is None else 'to ' + new_path} by the patch")
                where, a = moved[old_path], self.trees.get(moved[old_path])
            if old_path and new_path and old_path != new_path and a is None:
                return None, f"{old_path}: 3-way merge conflict: the patch renames a file the base does not have"
            merged = self._merge3(where, o, a, t)
            if isinstance(merged, str):
                return None, merged
            if old_path and new_path and old_path != new_path:
                changes[old_path] = None
                if o is not None and self.trees.get(new_path) is not None:
                    return None, f"{new_path}: 3-way merge conflict: renamed by the patch onto an existing file"
            changes[where] = merged
        return changes, ""

    def _merge3(self, path: str, o: Entry | None, a: Entry | None, t: Entry | None) -> Entry | str | None:
        if o == t:
            return a
        if o == a:
            return t
        if a == t:
            return a
        if a is None:
            return f"{path}: 3-way merge conflict: the patch modifies a file the base deleted"
        if t is None:
            return f"{path}: 3-way merge conflict: the patch deletes a file the base modified"
        if o is None:
            return f"{path}: 3-way merge conflict: added by the patch and by the base, differently"
        if a[0] == o[0]:
            mode = t[0]
        elif t[0] == o[0]:
            mode = a[0]
        else:
            return f"{path}: 3-way merge conflict: the file mode changed on both sides"
        if a[1] == o[1]:
            return (mode, t[1])
        if t[1] == o[1]:
            return (mode, a[1])
        if a[1] == t[1]:
            return (mode, a[1])
        if _GITLINK in (o[0], a[0], t[0]):
            return f"{path}: 3-way merge conflict: the submodule moved on both sides"
        merged = self.trees.store.merge_file(self.trees.blob(o[1]), self.trees.blob(a[1]), self.trees.blob(t[1]))
        if merged is None:
            return f"{path}: 3-way merge conflict: the patch and the base change the same lines"
        return (mode, self.trees.add_blob(merged))


def _may_create(change: FileChange) -> bool:
    """Whether git apply creates the file when it is missing though the patch does not say so.

    A traditional section whose only hunk has no old lines (``@@ -0,0 +1,3 @@``
    under ``--- a/x``) is a creation or an addition to an empty file: git
    decides by whether the file exists (check_preimage).
    """
    return (change.kind is ChangeKind.MODIFY and len(change.hunks) == 1 and change.hunks[0].old_len == 0
            and not _is_git_section(change))


def _is_git_section(change: FileChange) -> bool:
    """Whether the section has git's ``diff --git`` header (else: quilt, diff -u and the like)."""
    head = change.text.split("\n@@", 1)[0]
    return head.startswith("diff --git ") or "\ndiff --git " in head


def _type(mode: str) -> int:
    return int(mode, 8) & 0o170000


def _text(line: bytes) -> str:
    return line.decode("utf-8", "replace").rstrip("\n")


def _hunk_problem(path: str, f: HunkFailure) -> Problem:
    if f.near_line is None:
        where = "nothing in the file resembles it"
    else:
        same = sum(1 for a, b in zip(f.near, f.expected, strict=False) if a == b)
        where = f"nearest match at line {f.near_line}, {same} of {len(f.expected)} lines equal"
    return Problem(
        file=path,
        hunk=f.header.split(" @@")[0] + " @@",
        message=f"hunk #{f.index} does not apply: context not found ({where})",
        expected=tuple(_text(x) for x in f.expected),
        actual=tuple(_text(x) for x in f.near),
        actual_line=f.near_line,
    )


def apply_series(store: GitRepo, base: str, patches: Sequence[Patch], *, write: bool = True) -> ApplyResult:
    """Apply ``patches`` in order on ``base`` in ``store`` (a scratch view of the repository).

    The verdicts and tree ids are computed in process (SHA-1 over git's bytes); with ``write``
    the new blobs and trees are written into the scratch store too, for callers that go on to
    read them (diffstat, cover, export, range-diff, rebase).  ``check`` only needs the ids."""
    store.require_scratch()
    paths = {path for p in patches for fc in p.files for path in fc.paths}
    commit, trees = Trees.load(store, base, paths)
    base_tree = trees.root
    base_files = {path: trees.get(path) for path in paths}
    sections = [[_section(fc) for fc in p.files] for p in patches]
    applier = _Applier(trees)
    tree = base_tree
    results: list[PatchResult] = []
    failed_paths: set[str] = set()
    for number, (patch, secs) in enumerate(zip(patches, sections, strict=True), 1):
        plain = applier.plain(secs)
        offsets: tuple[HunkOffset, ...] = ()
        problems: tuple[Problem, ...] = ()
        changes: dict[str, Entry | None] | None = None
        if not plain.problems:
            status = Status.OFFSET if plain.offsets else Status.CLEAN
            changes, offsets = plain.changes, tuple(plain.offsets)
        else:
            changes, why = applier.threeway(secs)
            if changes is not None:
                status = Status.THREEWAY
            else:
                status = Status.CONFLICT
                # The 3-way messages start with the path they are about, when there is one.
                head, _, rest = why.partition(": ")
                if head in patch.paths:  # the path goes in Problem.file, not twice into the text
                    file, why = head, rest
                else:
                    file = plain.problems[0].file
                problems = (*plain.problems, Problem(file, None, why))
        if changes is not None:
            before = tree
            try:
                trees.update(changes)
                tree = trees.flush()
            except PathConflict as exc:
                status, problems = Status.CONFLICT, (Problem(str(exc).split(":", 1)[0], None, str(exc)),)
            else:
                # Decided by content, where git am -3 decides it: the plain apply failed and the
                # three-way merge leaves the tree as it was ("No changes -- Patch already applied").
                # A plain apply that changes nothing (a mode the file already has) is clean:
                # git am commits it as it is.
                if tree == before and patch.files and status is Status.THREEWAY:
                    status, offsets = Status.APPLIED, ()
        results.append(PatchResult(
            number=number, patch=patch, status=status, tree=tree, problems=problems,
            after_conflict=any(r.status is Status.CONFLICT for r in results),
            touches_failed=bool(failed_paths & set(patch.paths)), offsets=offsets,
            changes=changes if changes is not None and status is not Status.CONFLICT else {},
        ))
        if status is Status.CONFLICT:
            failed_paths |= set(patch.paths)
    if write:
        trees.write()
    return ApplyResult(base=base, commit=commit, base_tree=base_tree, patches=tuple(results),
                       base_files=base_files, trees=trees)


# -- the reference: git apply --cached on a scratch index ---------------------------------

_OFFSET = re.compile(r"Hunk #\d+ succeeded at \d+ \(offset -?\d+ lines?\)")
_ERROR = re.compile(r"^error: (?:patch failed: )?(.*)$", re.MULTILINE)


def apply_series_git(store: GitRepo, base: str, patches: Sequence[Patch]) -> ApplyResult:
    """The same verdicts by driving ``git apply --cached`` (then ``-3``) on the scratch index.

    Slow on big trees (it reads the whole tree into an index); kept as the
    reference the in-memory applier is tested and benchmarked against.
    """
    store.require_scratch()  # read-tree writes the index: the scratch one, never the user's
    commit = store.resolve(base)
    base_tree = store.resolve(commit, kind="tree")
    store.run("read-tree", base_tree)
    tree = base_tree
    results: list[PatchResult] = []
    failed_paths: set[str] = set()
    for number, patch in enumerate(patches, 1):
        diff = patch.diff.encode("utf-8", "surrogateescape")
        status, problems = _apply_one_git(store, diff)
        if status is not Status.CONFLICT:
            before, tree = tree, store.text("write-tree").strip()
            if tree == before and diff and status is Status.THREEWAY:
                status = Status.APPLIED
        results.append(PatchResult(
            number=number, patch=patch, status=status, tree=tree, problems=problems,
            after_conflict=bool(failed_paths) or any(r.status is Status.CONFLICT for r in results),
            touches_failed=bool(failed_paths & set(patch.paths)),
        ))
        if status is Status.CONFLICT:
            failed_paths |= set(patch.paths)
    return ApplyResult(base=base, commit=commit, base_tree=base_tree, patches=tuple(results))


def _apply_one_git(store: GitRepo, diff: bytes) -> tuple[Status, tuple[Problem, ...]]:
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


def make_commits(store: GitRepo, patches: Sequence[Patch], result: ApplyResult) -> tuple[str, ...]:
    """One commit per patch on the applier's trees: author, date and message from the patch."""
    store.require_scratch()
    if result.result_tree is None:
        failed = ", ".join(str(p.number) for p in result.patches if not p.applies)
        raise BadInput(f"the series does not apply on {result.base} (patch {failed})")
    if result.already_applied:
        # Its commit would be empty, its mail a patch without a diff.
        held = result.already_applied
        which = f"patch {held[0]} is" if len(held) == 1 else f"patches {', '.join(map(str, held))} are"
        raise BadInput(f"{which} already in {result.base} (see patchtool check): no empty patches are written")
    parent = result.commit
    commits = []
    for patch, applied in zip(patches, result.patches, strict=True):
        env = {"GIT_AUTHOR_NAME": patch.author.name, "GIT_AUTHOR_EMAIL": patch.author.email}
        if patch.date:
            env["GIT_AUTHOR_DATE"] = patch.date
        parent = store.run("commit-tree", applied.tree, "-p", parent, "-F", "-", env=env,
                           input=patch.message.encode("utf-8", "surrogateescape")).decode().strip()
        commits.append(parent)
    return tuple(commits)
