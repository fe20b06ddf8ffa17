"""What git says of history: logs, walks, commits, the refs at a commit (``GitRepo``'s part)."""

from __future__ import annotations

import contextlib
import re
import subprocess
import tempfile
from collections.abc import Generator, Iterable, Sequence

from patchtool.gitrepo.core import CommitInfo, GitError, _children, _kill, clean_env


class History:
    """The history questions of ``GitRepo`` (a mixin: it runs git through ``GitRepo.run``/``text``)."""

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

    def log_subjects(self, rev: str, paths: Iterable[str], *, limit: int = 50, since: int | None = None) -> list[str]:
        """Subjects of the last ``limit`` commits of ``rev`` that touch ``paths``, newest first (committed
        at ``since``, an epoch, or later: ``git log --since``).

        Paths are literal (``GIT_LITERAL_PATHSPECS``): a file called ``:x`` or
        ``*.c`` in a patch is that file, not pathspec magic.
        """
        window = [f"--since={since}"] if since is not None else []
        out = self.run("log", "-z", "--format=%s", f"-n{limit}", *window, "--end-of-options", rev, "--", *paths,
                       env={"GIT_LITERAL_PATHSPECS": "1"})
        return [s for s in out.decode("utf-8", "replace").split("\x00") if s]

    def log_names(self, rev: str, paths: Sequence[str], *, since: int | None = None
                  ) -> Generator[tuple[str, tuple[str, ...], str, list[str]], None, None]:
        """(commit, parents, subject, files) of ``git log --parents -c --name-only rev -- paths``, newest
        first and streamed: the commits ``log_subjects`` walks (same history simplification, literal
        paths), each with the files under ``paths`` it changes (for a merge, those that differ from
        every parent) and its parents in the simplified history (the nearest commits shown, which
        hold what the real parents hold under ``paths``).  Closing the iterator early kills git,
        so a caller that has read enough stops the walk there.  No rename detection (a renamed
        file is its two paths), the root commit's files are shown and ``log.follow`` is off,
        whatever the configuration says.
        """
        argv = self._argv(["-c", "log.follow=false", "log", "-z", "--parents", "-c", "--root", "--no-renames",
                           "--name-only", "--format=%x01%H %P%x00%s",
                           *([f"--since={since}"] if since is not None else []), "--end-of-options", rev, "--", *paths])
        env = clean_env({**self._env_extra, "GIT_LITERAL_PATHSPECS": "1"})
        header = re.compile(r"^\x01([0-9a-f]{40,64})((?: [0-9a-f]{40,64})*) ?$")  # a root commit: "%H "
        with tempfile.TemporaryFile() as err:
            with _children.lock:
                if _children.stopping:
                    raise KeyboardInterrupt("interrupted: no new process")
                proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, env=env,
                                        cwd=self.work_tree or self.git_dir)
                _children.live[proc] = False
            done = False
            try:
                assert proc.stdout is not None
                pending = b""
                commit: tuple[str, tuple[str, ...]] | None = None
                subject: str | None = None
                names: list[str] = []
                while chunk := proc.stdout.read1(1 << 16):
                    *tokens, pending = (pending + chunk).split(b"\x00")
                    for raw in tokens:
                        token = raw.decode("utf-8", "surrogateescape")
                        if m := header.match(token):
                            if commit is not None and subject is not None:
                                yield commit[0], commit[1], subject, names
                            commit, subject, names = (m.group(1), tuple(m.group(2).split())), None, []
                        elif subject is None:
                            subject = raw.decode("utf-8", "replace")  # as log_subjects reads it
                        elif name := token.removeprefix("\n"):  # -c puts an empty field before a merge's
                            names.append(name)
                if commit is not None and subject is not None:
                    yield commit[0], commit[1], subject, names
                done = True
            finally:
                if not done:
                    _kill(proc, False)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=None if done else 1)
                with _children.lock:
                    _children.live.pop(proc, None)
                proc.stdout.close()  # type: ignore[union-attr]
            if proc.returncode != 0:
                err.seek(0)
                message = err.read().decode("utf-8", "replace").strip()
                raise GitError(f"git log failed ({proc.returncode}): {message}")

    def changed_files(self, pairs: Sequence[tuple[str, str]], paths: Sequence[str]) -> list[list[str]]:
        """For each (commit, other commit), the files under ``paths`` that differ between the two
        (literal paths, no renames), through one ``diff-tree --stdin``."""
        if not pairs:
            return []
        out = self.run("diff-tree", "--stdin", "--always", "-r", "-z", "--name-only", "--no-renames", "--", *paths,
                       input="".join(f"{c} {o}\n" for c, o in pairs).encode(), env={"GIT_LITERAL_PATHSPECS": "1"})
        tokens = out.decode("utf-8", "surrogateescape").split("\x00")
        result: list[list[str]] = []
        k = 0
        for token in tokens[:-1]:
            if k < len(pairs) and token == pairs[k][0]:  # --always: a header for each pair, names or none
                result.append([])
                k += 1
            elif result:
                result[-1].append(token)
        if len(result) != len(pairs):
            raise GitError(f"git diff-tree --stdin: {len(result)} answers for {len(pairs)} pairs")
        return result

    def walk_window(self, refs: Sequence[str], *, since: int | None,
                    until: int | None) -> list[tuple[str, tuple[str, ...]]]:
        """(commit, parents) of every commit reachable from ``refs`` with a committer date in
        [since, until] (epoch seconds), newest first in ``--date-order``: no parent before its children."""
        window = [f"--max-age={since}"] if since is not None else []
        window += [f"--min-age={until}"] if until is not None else []
        out = self.text("rev-list", "--date-order", "--parents", *window, *refs, "--")
        return [(words[0], tuple(words[1:])) for words in (line.split() for line in out.splitlines()) if words]

    def commits_changing_objects(self, oids: Iterable[str], refs: Sequence[str], *, since: int | None,
                                 until: int | None) -> dict[str, tuple[str, ...]]:
        """commit -> parents for the commits of the window whose diff against a parent has one of
        ``oids`` on either side (``git log -m --find-object``, every object in one walk)."""
        finds = [f"--find-object={oid}" for oid in dict.fromkeys(oids)]
        if not finds:
            return {}
        window = [f"--max-age={since}"] if since is not None else []
        window += [f"--min-age={until}"] if until is not None else []
        # -m: a merge is diffed against each parent, so one that drops a blob from its second
        # parent's side is seen; --no-renames: renames cost time and change no answer here.
        out = self.text("log", "-m", "--no-renames", "--format=%H %P", *finds, *window, *refs, "--")
        found: dict[str, tuple[str, ...]] = {}
        for line in out.splitlines():
            words = line.split()
            if words:
                found[words[0]] = tuple(words[1:])
        return found

    def refs_at(self, commit: str) -> list[str]:
        """Tags, then branches, then remote-tracking branches that point at ``commit`` (annotated tags peeled)."""
        out = self.text("for-each-ref", f"--points-at={commit}", "--sort=-version:refname",
                        "--format=%(refname)", "refs/tags", "refs/heads", "refs/remotes")
        names = out.splitlines()
        ranked = sorted(names, key=lambda n: (0 if n.startswith("refs/tags/") else
                                              1 if n.startswith("refs/heads/") else 2))
        return [n.split("/", 2)[2] for n in ranked]

    def newest_tag(self) -> str | None:
        """The tag a base is most likely named by here: the nearest tag below HEAD
        (``git describe --tags --abbrev=0``), else the newest by creation date; None without tags."""
        proc = self.run_status("describe", "--tags", "--abbrev=0", "HEAD")
        name = proc.stdout.decode("utf-8", "surrogateescape").strip()
        if proc.returncode == 0 and name:
            return name
        out = self.text("for-each-ref", "--sort=-creatordate", "--count=1", "--format=%(refname:short)",
                        "refs/tags")
        return out.strip() or None

    def newest_commit_date(self, refs: Sequence[str]) -> int | None:
        """The newest committer date (epoch) of the commits ``refs`` name."""
        out = self.text("log", "--no-walk", "-n1", "--format=%ct", *refs, "--").strip()
        return int(out) if out else None
