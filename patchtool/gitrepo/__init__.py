"""The only module that talks to git: discovery, refs, blobs, trees, commits, scratch objects.

Every call runs with a scrubbed environment (no inherited ``GIT_DIR``,
``GIT_INDEX_FILE``, ... from a hook or a wrapper) and asks git for machine
formats (``-z``, ``--format``, ``cat-file --batch``).  Objects patchtool
creates while answering a question go to a scratch object directory that
borrows the repository's objects, so the repository gains nothing.

Every child process is registered while it runs, so that the cleanup after
a Ctrl-C can kill them all (a program such as checkpatch in a process group
of its own, with whatever it starts) and refuse new ones
(``children_stopped``); a KeyboardInterrupt while waiting for one kills it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from patchtool.errors import BadInput
from patchtool.gitrepo.config import Config
from patchtool.gitrepo.core import (
    _STABLE_CONFIG,
    ZERO_OID,
    CommitInfo,
    GitError,
    _run_process,
    children_stopped,
    clean_env,
    parse_tree,
)
from patchtool.gitrepo.history import History
from patchtool.gitrepo.pack import write_pack
from patchtool.tempdirs import temp_dir

__all__ = ["ZERO_OID", "CommitInfo", "GitError", "GitRepo", "children_stopped", "clean_env", "parse_tree",
           "write_pack"]

class GitRepo(History, Config):
    """A repository on disk, addressed through its git directory."""

    def __init__(self, git_dir: Path, work_tree: Path | None, objects: Path | None = None):
        self.git_dir = git_dir
        self.work_tree = work_tree
        # The user's work tree, kept by a scratch view (whose own work_tree is None): where git
        # would read files such as .mailmap. None for a bare repository.
        self.origin_work_tree = work_tree
        self._env_extra: dict[str, str] = {}
        self._objects = objects  # asked of git once when not given (``objects_dir``)
        self._listing: tuple[str, bytes] | None = None  # the last tree ``files_like`` listed, and its listing

    # -- opening ---------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path = ".") -> GitRepo:
        """The repository at or above ``path``; BadInput when there is none.

        Discovery is ``git rev-parse`` itself (bare repositories, worktrees
        and gitfiles included), which costs a few milliseconds where
        importing GitPython would cost 150 of the half second a command
        may take.
        """
        p = Path(path)
        if not p.is_dir():
            raise BadInput(f"repository path does not exist: {p}" if not p.exists() else f"not a git repository: {p}")
        # One process: --show-toplevel would fail in a bare repository (or inside .git); the way up
        # to the top from here (--show-cdup) does not, and resolves as git's top level does.
        argv = ["git", "rev-parse", "--absolute-git-dir", "--is-bare-repository", "--is-inside-work-tree",
                "--git-path", "objects", "--show-cdup"]
        proc = _run_process(argv, cwd=p, env=clean_env())
        lines = proc.stdout.decode("utf-8", "surrogateescape").split("\n")
        if proc.returncode != 0 or len(lines) < 4:
            raise BadInput(f"not a git repository: {p}")
        git_dir, bare, inside = Path(lines[0]), lines[1] == "true", lines[2] == "true"
        work = (p / lines[4]).resolve() if inside and not bare and len(lines) > 4 else None
        return cls(git_dir, work, (p.absolute() / lines[3]).resolve())  # relative to where it ran

    # -- running git ---------------------------------------------------------

    def _argv(self, args: Iterable[str]) -> list[str]:
        argv = ["git", *_STABLE_CONFIG, f"--git-dir={self.git_dir}"]
        if self.work_tree is not None:
            argv.append(f"--work-tree={self.work_tree}")
        return [*argv, *args]

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> bytes:
        merged = {**self._env_extra, **(env or {})}
        proc = _run_process(self._argv(args), input=input, env=clean_env(merged),
                            cwd=self.work_tree or self.git_dir)
        if check and proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise GitError(f"git {' '.join(args[:3])} failed ({proc.returncode}): {err}")
        return proc.stdout

    def run_status(
        self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """Run git where a non-zero exit is an answer (apply --check, merge-file)."""
        merged = {**self._env_extra, **(env or {})}
        return _run_process(self._argv(args), input=input, env=clean_env(merged),
                            cwd=self.work_tree or self.git_dir)

    def text(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        return self.run(*args, env=env).decode("utf-8", "surrogateescape")

    # -- refs and commits --------------------------------------------------------

    def resolve(self, ref: str, *, kind: str = "commit") -> str:
        """The object id ``ref`` names, peeled to ``kind``; BadInput if none."""
        if not ref or ref.startswith("-"):
            raise BadInput(f"not a valid ref: {ref!r}")
        proc = self.run_status("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{{kind}}}")
        if proc.returncode != 0:
            raise BadInput(f"unknown revision: {ref}")
        return proc.stdout.decode().strip()

    def try_resolve(self, ref: str, *, kind: str = "commit") -> str | None:
        try:
            return self.resolve(ref, kind=kind)
        except BadInput:
            return None

    def is_ref_name(self, name: str) -> bool:
        """Whether ``name`` is a branch, tag or remote-tracking name (not ``HEAD~2`` or an id)."""
        proc = self.run_status("rev-parse", "--verify", "--quiet", "--symbolic-full-name", "--end-of-options", name)
        return proc.returncode == 0 and proc.stdout.decode().startswith("refs/")

    def has_object(self, oid: str) -> bool:
        return self.run_status("cat-file", "-e", oid).returncode == 0

    def refs_matching(self, pattern: str) -> list[tuple[str, str, str | None]]:
        """Tags and branches whose short name matches a shell glob, sorted by version: (short name,
        full name, the commit it peels to, or None when one level of peeling does not reach a commit)."""
        out = self.text(
            "for-each-ref", "--sort=version:refname",
            "--format=%(refname:short)%00%(refname)%00%(objecttype) %(objectname)%00%(*objecttype) %(*objectname)",
            f"refs/tags/{pattern}", f"refs/heads/{pattern}",
        )
        found: list[tuple[str, str, str | None]] = []
        for line in out.splitlines():
            short, full, direct, peeled = [*line.split("\0"), "", "", ""][:4]
            kind, _, oid = (peeled if peeled.strip() else direct).partition(" ")
            if short:
                found.append((short, full, oid if kind == "commit" else None))
        return found

    def full_ref_name(self, name: str) -> str | None:
        """The ref ``name`` means (``refs/tags/v6.1``), as git disambiguates it; None for ``HEAD~2``, an id."""
        if not name or name.startswith("-"):
            return None
        proc = self.run_status("rev-parse", "--verify", "--quiet", "--symbolic-full-name", "--end-of-options", name)
        full = proc.stdout.decode("utf-8", "surrogateescape").strip()
        return full if proc.returncode == 0 and full.startswith("refs/") else None

    def in_version_order(self, refnames: Sequence[str]) -> list[str]:
        """Full ref names as ``git for-each-ref --sort=version:refname`` orders them (the repository's
        ``versionsort.suffix`` honoured, as git honours it); names that are no ref are left out."""
        if not refnames:
            return []
        # Each name is its own pattern (ref names hold no glob characters); a pattern also matches the
        # refs below it (refs/tags/v1 matches refs/tags/v1/x), hence the filter.
        out = self.text("for-each-ref", "--sort=version:refname", "--format=%(refname)", *dict.fromkeys(refnames))
        wanted = set(refnames)
        return [line for line in out.splitlines() if line in wanted]



    # -- objects -----------------------------------------------------------------

    def read_blobs(self, oids: Iterable[str]) -> dict[str, bytes]:
        """Many objects' contents through one ``cat-file --batch``; missing ones are absent."""
        wanted = list(dict.fromkeys(oids))
        if not wanted:
            return {}
        out = self.run("cat-file", "--batch", input="".join(f"{o}\n" for o in wanted).encode())
        result: dict[str, bytes] = {}
        pos = 0
        for oid in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode()
            pos = end + 1
            if header.endswith(" missing") or header.endswith(" ambiguous"):
                continue
            _, _, size = header.split()
            n = int(size)
            result[oid] = out[pos:pos + n]
            pos += n + 1
        return result


    def read_path(self, treeish: str, path: str) -> bytes | None:
        """The blob at ``path`` in ``treeish`` (a commit or tree), or None when there is none."""
        proc = self.run_status("cat-file", "blob", f"{treeish}:{path}")
        return proc.stdout if proc.returncode == 0 else None

    def tree_dirs(self, treeish: str) -> set[str]:
        """Every directory in ``treeish``: trees only, so it costs the tree count, not the file count."""
        out = self.run("ls-tree", "-r", "-d", "-z", "--name-only", "--full-tree", treeish)
        return set(out.decode("utf-8", "surrogateescape").split("\x00")) - {""}

    def files_like(self, treeish: str, names: set[str], oids: set[str]) -> dict[str, tuple[str, str]]:
        """path -> (mode, id) of the files (not trees or submodules) anywhere in ``treeish`` whose name
        is one of ``names`` or whose blob is one of ``oids``: one ``ls-tree -r``, nothing read but trees.
        The last tree id listed is kept, so a series whose every patch looks for moved files in the
        same base lists it once."""
        if not names and not oids:
            return {}
        if self._listing is not None and self._listing[0] == treeish:
            out = self._listing[1]
        else:
            out = self.run("ls-tree", "-r", "-z", "--full-tree", treeish)  # "mode type id<TAB>path<NUL>" each
            if len(treeish) == 40:  # an id, not a name that could move
                self._listing = (treeish, out)
        wanted = {n.encode("utf-8", "surrogateescape") for n in names}
        needles = [*(sep + n + b"\x00" for n in wanted for sep in (b"/", b"\t")), *(f" {o}\t".encode() for o in oids)]
        found: dict[str, tuple[str, str]] = {}
        for needle in needles:  # bytes.find scans the listing (7 MB for a kernel tree) at C speed
            at = out.find(needle)
            while at >= 0:
                start, end = out.rfind(b"\x00", 0, at) + 1, out.index(b"\x00", at + 1)
                meta, _, path = out[start:end].partition(b"\t")
                mode, kind, oid = meta.decode().split(" ")
                if kind == "blob" and (oid in oids or path.rpartition(b"/")[2] in wanted):
                    found[path.decode("utf-8", "surrogateescape")] = (mode, oid)
                at = out.find(needle, end)
        return dict(sorted(found.items()))

    @property
    def objects_dir(self) -> Path:
        if self._objects is None:
            p = Path(self.text("rev-parse", "--git-path", "objects").strip())
            self._objects = p if p.is_absolute() else (self.work_tree or self.git_dir) / p
        return self._objects

    @property
    def is_scratch(self) -> bool:
        """Whether objects written through this view land in a scratch directory, not the repository."""
        return "GIT_OBJECT_DIRECTORY" in self._env_extra

    def require_scratch(self) -> None:
        """Refuse to write objects or an index into the user's repository (a programming error)."""
        if not self.is_scratch:
            raise GitError("refusing to write into the repository itself: use GitRepo.scratch()")

    @contextlib.contextmanager
    def scratch(self) -> Iterator[GitRepo]:
        """A view of this repository whose new objects land in a temporary directory.

        Reads see every object of the repository (it is an alternate);
        writes go to the temporary directory, removed on exit (and swept by a
        later run if this one is killed: ``patchtool.tempdirs``).  The user's
        object store, refs and index are untouched.
        """
        with temp_dir("objects") as tmp:
            view = GitRepo(self.git_dir, None)
            view.origin_work_tree = self.origin_work_tree
            alternates = [str(self.objects_dir)]
            inherited = self._env_extra.get("GIT_ALTERNATE_OBJECT_DIRECTORIES")
            if inherited:
                alternates.append(inherited)
            view._env_extra = {
                **self._env_extra,
                "GIT_OBJECT_DIRECTORY": str(tmp),
                "GIT_ALTERNATE_OBJECT_DIRECTORIES": os.pathsep.join(alternates),
                # An index of our own so no command can touch the user's.
                "GIT_INDEX_FILE": str(tmp / "index"),
            }
            yield view

    # -- added for the in-memory applier (apply.py) ------------------------------------

    def read_objects(self, names: Iterable[str]) -> dict[str, tuple[str, str, bytes]]:
        """name -> (oid, type, content) for many object names (``<tree>:<path>``,
        abbreviated ids, ``<ref>^{tree}``) through one ``cat-file --batch``; missing or
        ambiguous names are absent."""
        wanted = [n for n in dict.fromkeys(names) if "\n" not in n]
        if not wanted:
            return {}
        out = self.run("cat-file", "--batch", input="".join(f"{n}\n" for n in wanted).encode(
            "utf-8", "surrogateescape"))
        result: dict[str, tuple[str, str, bytes]] = {}
        pos = 0
        for name in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode("utf-8", "surrogateescape")
            pos = end + 1
            if header.endswith((" missing", " ambiguous")):
                continue
            oid, typ, size = header.rsplit(" ", 2)
            n = int(size)
            result[name] = (oid, typ, out[pos:pos + n])
            pos += n + 1
        return result

    @staticmethod
    def tree_entry(mode: str, oid: str, name: bytes) -> bytes:
        """One entry of a tree object as git stores it; a tree's body is its entries in git's order."""
        return mode.encode() + b" " + name + b"\x00" + bytes.fromhex(oid)

    def write_objects(self, objects: Sequence[tuple[str, bytes]]) -> list[str]:
        """Write objects, each (type, body), into the scratch object directory as one pack; their ids.

        A pack and its index in git's formats (``gitformat-pack``: version 2, whole objects, no
        deltas), written here rather than by a ``fast-import`` and a ``mktree``: two processes, a
        tenth of a warm diffstat.  Each id is the SHA-1 of ``b"<type> <size>\\0" + body``, as git
        computes it; tree bodies are entries as ``tree_entry`` makes them.
        """
        self.require_scratch()
        return write_pack(Path(self._env_extra["GIT_OBJECT_DIRECTORY"]), objects)

    def merge_file(self, base: bytes, ours: bytes, theirs: bytes) -> bytes | None:
        """``git merge-file -p`` of three blobs' contents: the merged text, or None on a conflict."""
        with temp_dir("merge") as tmp:
            names = []
            for label, data in (("ours", ours), ("base", base), ("theirs", theirs)):
                name = os.path.join(tmp, label)
                with open(name, "wb") as fh:
                    fh.write(data)
                names.append(name)
            proc = self.run_status("merge-file", "-p", *names)
        return proc.stdout if proc.returncode == 0 else None

    def commit_tree(self, tree: str, parents: Sequence[str], message: str,
                    env: Mapping[str, str] | None = None) -> str:
        """A commit object of ``tree`` (scratch views only: objects patchtool makes never reach the repository)."""
        self.require_scratch()
        argv = ["commit-tree", tree]
        for parent in parents:
            argv += ["-p", parent]
        return self.run(*argv, "-F", "-", env=env, input=message.encode("utf-8", "surrogateescape")).decode().strip()

    def find_renames(self, old_tree: str, new_tree: str, *, limit: int = 7000) -> dict[str, str]:
        """old path -> new path for the files ``diff-tree -M`` sees renamed between two trees.

        ``limit`` is merge-recursive's default rename limit and empty files are
        no renames (merge-ort sets ``rename_empty = 0``), so the answer is the one
        ``git am -3``'s merge would find.
        """
        out = self.run("diff-tree", "-r", "-z", "-M", f"-l{limit}", "--no-rename-empty", "--diff-filter=R",
                       old_tree, new_tree)
        fields = out.decode("utf-8", "surrogateescape").split("\x00")
        renames: dict[str, str] = {}
        i = 0
        while i + 2 < len(fields):
            if fields[i].startswith(":"):
                renames[fields[i + 1]] = fields[i + 2]
                i += 3
            else:
                i += 1
        return renames

    # -- added for lint (patchtool/lint) ------------------------------------------------




    def run_program(
        self, argv: Iterable[str], *, input: bytes | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """Run a program that is not git (``perl scripts/checkpatch.pl``) with the scrubbed environment.

        A non-zero exit is an answer, not an error; a program that is not
        installed raises FileNotFoundError.  It runs in a process group of its own, killed whole
        on an interrupt (``children_stopped``), so nothing it starts outlives it.
        """
        return _run_process(list(argv), input=input, env=clean_env(), cwd=cwd or self.work_tree or self.git_dir,
                            own_group=True)

    # -- added for update and reroll --from (patchtool/lifecycle/matching.py, update.py) ------------

    @staticmethod
    def _run_bare(args: Sequence[str], *, input: bytes | None = None) -> bytes:
        """git outside any repository (``patch-id``, ``init``), with the scrubbed environment."""
        argv = ["git", *_STABLE_CONFIG, *args]
        proc = _run_process(argv, input=input, cwd=None, env=clean_env())
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise GitError(f"git {' '.join(args[:2])} failed ({proc.returncode}): {err}")
        return proc.stdout

    @staticmethod
    def patch_ids(diffs: Sequence[str]) -> list[str | None]:
        """``git patch-id --stable`` of each diff text (None for an empty one), in one process."""
        payload = "".join(f"commit {n:040x}\n\n{diff}" for n, diff in enumerate(diffs, 1))
        out = GitRepo._run_bare(["patch-id", "--stable"], input=payload.encode("utf-8", "surrogateescape"))
        ids: list[str | None] = [None] * len(diffs)
        for line in out.decode().splitlines():
            patch_id, commit = line.split()
            ids[int(commit, 16) - 1] = patch_id
        return ids

    @staticmethod
    def diff_line_counts(pairs: Sequence[tuple[str, str]]) -> list[int]:
        """For each (a, b): the lines of xdiff's ``-U3`` diff of a to b, hunk headers counted.

        That is range-diff.c's ``diffsize()``: Myers with no heuristics or
        whitespace options (git's ``xpparam_t pp = { 0 }``), computed by git
        itself for all pairs at once: each distinct text is a blob of a
        throwaway repository, entry ``k`` of two trees names pair ``k``'s
        blobs, and one ``git diff-tree -p`` of the trees gives every diff.
        """
        if not pairs:
            return []
        texts = list(dict.fromkeys(text for pair in pairs for text in pair))
        with temp_dir("sizes") as tmp:
            GitRepo._run_bare(["init", "-q", "--bare", str(tmp)])
            store = GitRepo(Path(tmp), None)
            objects = Path(tmp) / "objects"
            blobs = dict(zip(texts, write_pack(objects, [("blob", t.encode("utf-8", "surrogateescape"))
                                                         for t in texts]), strict=True))
            old_tree, new_tree = write_pack(objects, [("tree", b"".join(
                GitRepo.tree_entry("100644", blobs[pair[side]], b"%06d" % k) for k, pair in enumerate(pairs)))
                for side in (0, 1)])
            # Every option config could change is spelled out (an empty context line stays " ").
            out = store.run("-c", "diff.suppressBlankEmpty=false", "diff-tree", "-r", "-p", "--no-color",
                            "--no-ext-diff", "--no-textconv", "--text", "--no-renames", "-U3",
                            "--inter-hunk-context=0", "--diff-algorithm=myers", "--no-indent-heuristic",
                            "--src-prefix=a/", "--dst-prefix=b/", old_tree, new_tree)
        counts = [0] * len(pairs)
        current, in_hunks = -1, False
        for line in out.decode("utf-8", "surrogateescape").split("\n")[:-1]:
            if line.startswith("diff --git "):
                current, in_hunks = int(line.rsplit("/", 1)[1]), False
            elif in_hunks or line.startswith("@@ "):
                in_hunks = True
                counts[current] += 1
        return counts

    # -- added for guessing a series' base (patchtool/lifecycle/base.py) --------------------------

    def object_ids(self, names: Iterable[str]) -> dict[str, tuple[str, str]]:
        """name -> (oid, type) for many object names (``<commit>:<path>``, ``<abbrev>^{blob}``)
        through one ``cat-file --batch-check``; missing or ambiguous names are absent."""
        wanted = [n for n in dict.fromkeys(names) if "\n" not in n]
        if not wanted:
            return {}
        # No %(rest) in the format: each input line is one whole name, spaces in paths included.
        out = self.run("cat-file", "--batch-check=%(objectname) %(objecttype)",
                       input="".join(f"{n}\n" for n in wanted).encode("utf-8", "surrogateescape"))
        result: dict[str, tuple[str, str]] = {}
        for name, line in zip(wanted, out.decode("utf-8", "surrogateescape").splitlines(), strict=True):
            if not line.endswith((" missing", " ambiguous")):
                oid, typ = line.split()
                result[name] = (oid, typ)
        return result

    def objects_with_prefix(self, prefix: str) -> list[str]:
        """Every object id starting with ``prefix`` (``rev-parse --disambiguate``), for an ambiguous one."""
        proc = self.run_status("rev-parse", f"--disambiguate={prefix}")
        return proc.stdout.decode().split() if proc.returncode == 0 else []









