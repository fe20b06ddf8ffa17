"""The only module that talks to git: discovery, refs, blobs, trees, commits, scratch objects.

Every call runs with a scrubbed environment (no inherited ``GIT_DIR``,
``GIT_INDEX_FILE``, ... from a hook or a wrapper) and asks git for machine
formats (``-z``, ``--format``, ``cat-file --batch``).  Objects patchtool
creates while answering a question go to a scratch object directory that
borrows the repository's objects, so the repository gains nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from patchtool.errors import BadInput

# Variables that would point our git calls at another repository, index or
# object store than the one we mean.  pre-commit scrubs the same set.
_SCRUBBED = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_PREFIX",
    "GIT_QUARANTINE_PATH",
)

# Config that keeps git's answers stable whatever the user's config says:
# pagers and colour would corrupt machine output, and objects we write are
# never signed.
_STABLE_CONFIG = (
    "-c", "color.ui=false",
    "-c", "commit.gpgSign=false",
    "-c", "log.showSignature=false",
    "-c", "core.pager=cat",
)

ZERO_OID = "0" * 40


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    env.pop("GIT_PAGER", None)
    if extra:
        env.update(extra)
    return env


def parse_tree(data: bytes) -> dict[bytes, tuple[str, str]]:
    """A tree object's entries (as ``cat-file --batch`` gives them): name -> (mode, oid)."""
    entries: dict[bytes, tuple[str, str]] = {}
    pos = 0
    while pos < len(data):
        sp = data.index(b" ", pos)
        nul = data.index(b"\x00", sp)
        entries[data[sp + 1:nul]] = (data[pos:sp].decode(), data[nul + 1:nul + 21].hex())
        pos = nul + 21
    return entries


class GitError(Exception):
    """git failed where it should not have: a bug or a broken repository, not bad input."""


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: str  # RFC 2822, as format-patch writes it
    message: str  # full raw message


class GitRepo:
    """A repository on disk, addressed through its git directory."""

    def __init__(self, git_dir: Path, work_tree: Path | None):
        self.git_dir = git_dir
        self.work_tree = work_tree
        self._env_extra: dict[str, str] = {}

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
        argv = ["git", "rev-parse", "--absolute-git-dir", "--is-bare-repository"]
        proc = subprocess.run([*argv, "--show-toplevel"], cwd=p, capture_output=True, env=clean_env())
        if proc.returncode != 0:  # a bare repository has no top level (or there is no repository)
            proc = subprocess.run(argv, cwd=p, capture_output=True, env=clean_env())
        lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
        if proc.returncode != 0 or len(lines) < 2:
            raise BadInput(f"not a git repository: {p}")
        git_dir, bare = Path(lines[0]), lines[1] == "true"
        work = None if bare or len(lines) < 3 else Path(lines[2])
        return cls(git_dir, work)

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
        proc = subprocess.run(
            self._argv(args),
            input=input,
            capture_output=True,
            env=clean_env(merged),
            cwd=self.work_tree or self.git_dir,
        )
        if check and proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise GitError(f"git {' '.join(args[:3])} failed ({proc.returncode}): {err}")
        return proc.stdout

    def run_status(
        self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """Run git where a non-zero exit is an answer (apply --check, merge-file)."""
        merged = {**self._env_extra, **(env or {})}
        return subprocess.run(
            self._argv(args),
            input=input,
            capture_output=True,
            env=clean_env(merged),
            cwd=self.work_tree or self.git_dir,
        )

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

    def refs_matching(self, pattern: str) -> list[str]:
        """Tags and branches whose short name matches a shell glob, sorted by version."""
        out = self.text(
            "for-each-ref", "--sort=version:refname", "--format=%(refname:short)",
            f"refs/tags/{pattern}", f"refs/heads/{pattern}",
        )
        return [line for line in out.splitlines() if line]

    def rev_list(self, *args: str) -> list[str]:
        return self.text("rev-list", *args).split()

    def commit_info(self, shas: Iterable[str]) -> list[CommitInfo]:
        """Commit metadata for many commits in one ``git log --no-walk`` call."""
        shas = list(shas)
        if not shas:
            return []
        fmt = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aD%x00%B%x00"
        out = self.run("log", "--no-walk=unsorted", "-z", f"--format={fmt}", "--stdin",
                       input="\n".join(shas).encode())
        fields = out.decode("utf-8", "surrogateescape").split("\x00")
        infos = []
        for i in range(0, len(fields) - 7, 8):
            sha, tree, parents, an, ae, ad, msg = fields[i:i + 7]
            infos.append(CommitInfo(sha.lstrip("\n"), tree, tuple(parents.split()), an, ae, ad, msg))
        return infos

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

    @property
    def objects_dir(self) -> Path:
        p = Path(self.text("rev-parse", "--git-path", "objects").strip())
        return p if p.is_absolute() else (self.work_tree or self.git_dir) / p

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
        writes go to the temporary directory, removed on exit.  The user's
        object store, refs and index are untouched.
        """
        tmp = Path(tempfile.mkdtemp(prefix="patchtool-objects-"))
        try:
            view = GitRepo(self.git_dir, None)
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
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

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
    def mktree_record(mode: str, oid: str, name: bytes) -> bytes:
        """One entry of ``git mktree -z`` input; ``write_trees`` takes trees as runs of these."""
        kind = "tree" if mode in ("40000", "040000") else "commit" if mode == "160000" else "blob"
        return f"{mode} {kind} {oid}\t".encode() + name + b"\0"

    def write_trees(self, trees: Iterable[bytes]) -> list[str]:
        """Write trees, each given as its ``mktree_record`` entries joined, with one
        ``git mktree -z --batch``; returns their ids in order.

        Trees are written in the order given, so list subtrees before the trees
        that hold them.  ``--missing``: every entry names an object we have
        just written or one the repository has, and checking each again would
        cost a lookup per entry of every (possibly large) directory.
        """
        payload = bytearray()
        count = 0
        for records in trees:
            if not records:
                raise ValueError("write_trees: empty trees are never written (git knows the empty tree)")
            payload += records + b"\0"
            count += 1
        if not count:
            return []
        out = self.run("mktree", "-z", "--missing", "--batch", input=bytes(payload))
        return out.decode().split()

    def write_blobs_stream(self, blobs: Sequence[bytes]) -> list[str]:
        """Write many blobs through one ``git fast-import`` stream (no temporary file per
        blob); returns their ids in order."""
        if not blobs:
            return []
        stream = bytearray(b"feature done\n")
        for i, data in enumerate(blobs, 1):
            stream += b"blob\nmark :%d\ndata %d\n" % (i, len(data)) + data + b"\n"
        stream += b"done\n"
        with tempfile.TemporaryDirectory(prefix="patchtool-marks-") as tmp:
            marks = os.path.join(tmp, "marks")
            # One pack (not a loose file per blob), no deltas, light zlib: it lives for one command.
            self.run("-c", "pack.compression=1", "-c", "fastimport.unpackLimit=0", "fast-import", "--quiet",
                     "--depth=0", f"--export-marks={marks}", input=bytes(stream))
            with open(marks, encoding="ascii") as fh:
                ids = dict(line.split() for line in fh)
        return [ids[f":{i}"] for i in range(1, len(blobs) + 1)]

    def merge_file(self, base: bytes, ours: bytes, theirs: bytes) -> bytes | None:
        """``git merge-file -p`` of three blobs' contents: the merged text, or None on a conflict."""
        with tempfile.TemporaryDirectory(prefix="patchtool-merge-") as tmp:
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

        ``limit`` is merge-recursive's default rename limit, so the answer is the
        one ``git am -3``'s merge would find.
        """
        out = self.run("diff-tree", "-r", "-z", "-M", f"-l{limit}", "--diff-filter=R", old_tree, new_tree)
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

    def log_subjects(self, rev: str, paths: Iterable[str], *, limit: int = 50) -> list[str]:
        """Subjects of the last ``limit`` commits of ``rev`` that touch ``paths``, newest first.

        Paths are literal (``GIT_LITERAL_PATHSPECS``): a file called ``:x`` or
        ``*.c`` in a patch is that file, not pathspec magic.
        """
        out = self.run("log", "-z", "--format=%s", f"-n{limit}", "--end-of-options", rev, "--", *paths,
                       env={"GIT_LITERAL_PATHSPECS": "1"})
        return [s for s in out.decode("utf-8", "replace").split("\x00") if s]

    def run_program(
        self, argv: Iterable[str], *, input: bytes | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """Run a program that is not git (``perl scripts/checkpatch.pl``) with the scrubbed environment.

        A non-zero exit is an answer, not an error; a program that is not
        installed raises FileNotFoundError.
        """
        return subprocess.run(list(argv), input=input, capture_output=True, env=clean_env(),
                              cwd=cwd or self.work_tree or self.git_dir)
