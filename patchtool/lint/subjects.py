"""Subject rules: ``subject-format``, ``subject-unique``, ``subject-period``, ``subject-length``, ``subject-prefix``.

Kernel subjects read ``subsys: summary`` (or ``subsys: part: summary``);
the prefix is whatever the files' history uses, so ``subject-prefix`` asks
``git log`` for the last subjects touching the patch's files in the base
tree and compares prefixes, comma lists (``audit,io_uring:``) and nested
ones (``net: dsa:``) included.  One ``git log`` walks the history of every
patch's files at once (``histories``), and its answer is cached by base
commit and paths (``patchtool.cache``).  The walk is bounded by count (the
last ``HISTORY`` commits of each patch's files) and by time: commits of the
``WINDOW_DAYS`` before the base commit's date only (``git log --since``).
A file nobody touched for a year would otherwise send git down the whole
history: 5 s on U-Boot's 107,000 commits, for no prefix of today.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from patchtool import cache
from patchtool.lint.findings import Context, Finding, Severity
from patchtool.model import ChangeKind, Patch

if TYPE_CHECKING:
    from patchtool.gitrepo import GitRepo

# checkpatch's limit for a line of the commit log; a subject over it wraps in
# every mail client and in `git log --oneline`.
MAX_SUBJECT = 75
HISTORY = 50
WINDOW_DAYS = 365
_TOKEN = re.compile(r'([^\s:"]+):\s+')


def prefix_chain(summary: str) -> tuple[tuple[str, ...], str]:
    """``net: dsa: fix x`` -> (("net", "dsa"), "fix x"); no prefix -> ((), summary)."""
    tokens: list[str] = []
    rest = summary.strip()
    while m := _TOKEN.match(rest):
        tokens.append(m.group(1))
        rest = rest[m.end():]
    return tuple(tokens), rest


def _parts(token: str) -> set[str]:
    return {p.casefold() for p in token.split(",") if p}


def prefixes_agree(ours: Sequence[str], theirs: Sequence[str]) -> bool:
    """Whether two prefix chains name the same subsystem: one extends the other, comma lists overlapping."""
    if not ours or not theirs:
        return False
    return all(_parts(a) & _parts(b) for a, b in zip(ours, theirs, strict=False))


def _is_revert(summary: str) -> bool:
    return summary.startswith('Revert "')


def check(ctx: Context) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for n, patch in enumerate(ctx.series.patches, 1):
        summary = patch.subject.summary
        yield from _format(n, summary)
        key = " ".join(summary.split()).casefold()
        if key in seen:
            yield Finding("subject-unique", Severity.ERROR, n, f"same subject as patch {seen[key]}: {summary!r}")
        else:
            seen[key] = n
    if ctx.repo is not None and ctx.base is not None:
        groups = [history_paths(p) if prefix_chain(p.subject.summary)[0] else [] for p in ctx.series.patches]
        for n, (patch, history) in enumerate(zip(ctx.series.patches, histories(ctx.repo, ctx.base, groups),
                                                 strict=True), 1):
            yield from _prefix(n, patch, history)


def _format(n: int, summary: str) -> Iterator[Finding]:
    if not summary.strip():
        yield Finding("subject-format", Severity.ERROR, n, "empty subject")
        return
    chain, rest = prefix_chain(summary)
    if not _is_revert(summary) and (not chain or not rest):
        yield Finding("subject-format", Severity.WARNING, n,
                      f"subject is not of the form 'subsystem: summary': {summary!r}")
    if summary.rstrip().endswith(".") and not summary.rstrip().endswith("..."):
        yield Finding("subject-period", Severity.WARNING, n, "subject ends with a period")
    if len(summary) > MAX_SUBJECT:
        yield Finding("subject-length", Severity.WARNING, n,
                      f"subject is {len(summary)} characters (more than {MAX_SUBJECT})")


def history_paths(patch: Patch) -> list[str]:
    """The paths whose history names the patch's subsystem: its files, and a new file's folder."""
    paths = list(patch.paths)
    for fc in patch.files:
        if fc.kind is ChangeKind.ADD and fc.new_path and "/" in fc.new_path:
            paths.append(posixpath.dirname(fc.new_path))
    return list(dict.fromkeys(paths))


# Paths per ``git log``: its argv stays far below the kernel's limit however big the series.
_ARGV_BYTES = 100_000
_Record = tuple[str, tuple[str, ...], str, list[str]]  # commit, parents, subject, files (gitrepo.log_names)


def histories(repo: GitRepo, base: str, groups: Sequence[Sequence[str]], limit: int = HISTORY,
              window: int | None = WINDOW_DAYS) -> list[list[str]]:
    """For each group of paths, what ``repo.log_subjects(base, group, limit=limit, since=...)`` gives (the
    subjects of the last ``limit`` commits touching one of them, newest first, of the ``window`` days
    before ``base``'s committer date; none for an empty group), from one ``git log`` over all the groups'
    paths, cached by (base commit, groups, limit, window)."""
    if not any(groups):
        return [[] for _ in groups]
    # The window's start is the base commit's date less the window: the commit and the days say it, so a
    # warm run asks git nothing.
    parts = [base, limit, json.dumps([list(g) for g in groups]), _shallow(repo), "" if window is None else window]

    def valid(value: Any) -> bool:
        return (isinstance(value, list) and len(value) == len(groups)
                and all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value))

    return cache.memo("subject-history.v3", parts,
                      lambda: _walk_all(repo, base, groups, limit, window_start(repo, base, window)), valid)


def window_start(repo: GitRepo, base: str, window: int | None) -> int | None:
    """The epoch ``window`` days before ``base``'s committer date (None: no window)."""
    if window is None:
        return None
    date = repo.newest_commit_date([base])
    return None if date is None else date - window * 86400


def _shallow(repo: GitRepo) -> str:
    """The repository's shallow boundary (``.git/shallow``; "" for a full clone): deepening a
    shallow clone gives the same base more history."""
    common = repo.git_dir
    with contextlib.suppress(OSError):
        common = common / (common / "commondir").read_text().strip()  # a worktree's: the main one's
    try:
        return hashlib.sha256((common / "shallow").read_bytes()).hexdigest()
    except OSError:
        return ""


def _walk_all(repo: GitRepo, base: str, groups: Sequence[Sequence[str]], limit: int,
              since: int | None) -> list[list[str]]:
    out: list[list[str]] = [[] for _ in groups]
    chunk: list[int] = []
    size = 0
    for i, group in enumerate(groups):
        if not group:
            continue
        cost = sum(len(p) + 1 for p in group)
        if chunk and size + cost > _ARGV_BYTES:
            _walk(repo, base, groups, chunk, limit, out, since)
            chunk, size = [], 0
        chunk.append(i)
        size += cost
    if chunk:
        _walk(repo, base, groups, chunk, limit, out, since)
    return out


def _walk(repo: GitRepo, base: str, groups: Sequence[Sequence[str]], which: list[int], limit: int,
          out: list[list[str]], since: int | None = None) -> None:
    """One ``git log`` over the paths of ``groups[i]`` for i in ``which``, read until each has ``limit``
    commits; their subjects go to ``out[i]``.

    git's walk for all the paths is replayed for each group's own: a commit counts for a group
    when that walk reaches it and it changes one of the group's paths (a merge: differs from
    every parent in them); at a merge that is the same as a parent in the group's paths, the
    group's walk goes on through the first such parent only, as git's history simplification
    does.  What a merge holds against each parent is asked in one ``diff-tree`` per batch of
    merges (a commit git shows before a group's walk reached it is counted when it does).

    One case is not replayed, as git's walk for all the paths never goes there: a merge the
    same in all the paths as its second parent only (its first side changed none of them
    meanwhile) but the same as its first in a group's paths.  git's log for the group goes on
    through the first parent, the replay through the second, so the group also gets the
    second side's commits on its paths, which its own log leaves out: a branch that changed
    them and changed them back, or made a change the first side made too.
    """
    paths: dict[str, set[int]] = {}
    for i in which:
        for p in groups[i]:
            paths.setdefault(p, set()).add(i)

    def touched(names: Iterable[str]) -> set[int]:
        hit: set[int] = set()
        for name in names:
            parts = name.split("/")
            for k in range(1, len(parts) + 1):  # the file itself, or a folder above it
                hit |= paths.get("/".join(parts[:k]), set())
        return hit

    counts = dict.fromkeys(which, 0)
    live = set(which)  # the groups that want more
    reach: dict[str, set[int]] = {}  # commit not read yet -> the groups whose walk reaches it
    passed: dict[str, tuple[_Record, set[int]]] = {}  # commit read -> it, and the groups whose walk reached it
    against: dict[str, list[set[int]]] = {}  # merge -> per parent, the groups whose paths differ

    def replay(records: list[_Record]) -> bool:
        """Count ``records`` for the groups that reach them; False once no group wants more."""
        merges = [(c, ps) for c, ps, _, _ in records if len(ps) > 1]
        answers = iter(repo.changed_files([(c, p) for c, ps in merges for p in ps], sorted(paths)))
        against.update((c, [touched(next(answers)) for _ in ps]) for c, ps in merges)
        for record in records:
            walkers = reach.pop(record[0], set()) & live
            passed[record[0]] = (record, walkers)
            work = [(record, walkers)] if walkers else []
            while work:  # with a commit git showed before the walk of a group reached it: counted late
                (commit, parents, subject, names), walkers = work.pop()
                per_parent = against.get(commit)
                changed = touched(names) if per_parent is None else set.intersection(*per_parent)
                for i in walkers & changed:
                    counts[i] += 1
                    if subject:  # log_subjects drops an empty subject, but git counted the commit
                        out[i].append(subject)
                    if counts[i] == limit:
                        live.discard(i)
                rest = walkers & live
                follow: list[tuple[str, set[int]]] = []
                if per_parent is not None:
                    for parent, differ in zip(parents, per_parent, strict=True):
                        if same := rest - differ:  # the same as this parent: the walk goes on there only
                            follow.append((parent, same))
                            rest -= same
                if rest:
                    follow += [(parent, rest) for parent in parents]
                for parent, groups_on in follow:
                    if parent not in passed:
                        reach.setdefault(parent, set()).update(groups_on)
                    elif late := groups_on - passed[parent][1]:
                        passed[parent][1].update(late)
                        work.append((passed[parent][0], late))
            if not live or not reach:
                return False
        return True

    log = repo.log_names(base, list(paths), since=since)
    try:
        batch: list[_Record] = []
        merges, wanted = 0, 64
        for record in log:
            if not passed and not batch:
                reach[record[0]] = set(which)  # every walk starts at the first commit shown
            batch.append(record)
            merges += len(record[1]) > 1
            if merges >= wanted:
                if not replay(batch):
                    return
                batch, merges, wanted = [], 0, min(4 * wanted, 4096)
        replay(batch)
    finally:
        log.close()


def _prefix(n: int, patch: Patch, subjects: list[str]) -> Iterator[Finding]:
    chain, _ = prefix_chain(patch.subject.summary)
    if not chain or not subjects:
        return
    history = [prefix_chain(s)[0] for s in subjects if not _is_revert(s)]
    history = [h for h in history if h]
    if not history or any(prefixes_agree(chain, h) for h in history):
        return
    common = Counter(": ".join(h) for h in history).most_common(3)
    shown = ", ".join(f"'{p}:' ({c})" for p, c in common)
    yield Finding("subject-prefix", Severity.WARNING, n,
                  f"prefix '{': '.join(chain)}:' is not among those git log shows for these files; "
                  f"most common: {shown}")
