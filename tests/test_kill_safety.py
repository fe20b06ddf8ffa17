"""Writers killed with SIGKILL at random moments leave the series folder exactly old or exactly new.

Each writing command (``import --force``, ``update``, ``rebase``, ``reroll``,
``trailers``, ``lint --fix``, ``base REF``) is first run to the end on a
copy, which gives the new folder; then, again and again, the old folder is
put back, the command started as its own process and killed (SIGKILL, the
whole process group: it and the git it runs) after a random delay within
its run time.  After each kill every file of the folder is compared with
the old and the new version: it must be one of them whole (the lock file a
killed writer leaves is not part of either, and is taken over).  Then a
read-only command (``show``) runs on it, and nothing may be left beside the
folder or in it: no ``.name.new-*``/``.name.old-*`` folder, no lock.

The suite kills a few writers of each command; ``tools/kill_writers.py``
runs the same trials by the hundred and prints the counts.
"""

from __future__ import annotations

import contextlib
import mailbox
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PINNED, Repo

ROOT = Path(__file__).resolve().parent.parent
_SCRIPT = Path(sys.executable).with_name("patchtool")
PATCHTOOL = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-c", "from patchtool.cli import main; main()"]
LOCK = ".patchtool.lock"
MAINTAINERS = "LIB\nM:\tAnna Alpha <anna@example.org>\nL:\tlib@lists.example.org\nF:\tlib/\n"
ADA = "Signed-off-by: Ada Lovelace <ada@example.org>"


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, **PINNED, "XDG_CACHE_HOME": str(cache)}


def patchtool(*args: str, cache: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*PATCHTOOL, *args], capture_output=True, text=True, env=_env(cache))
    if check and proc.returncode not in (0, 1):
        raise AssertionError(f"patchtool {' '.join(args)}: {proc.returncode}: {proc.stderr}")
    return proc


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of the folder (the lock aside), by path."""
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != LOCK}


def leftovers(folder: Path) -> list[str]:
    beside = [p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.")]
    return beside + ([LOCK] if (folder / LOCK).exists() else [])


@dataclass
class Writer:
    """A command that rewrites ``folder``, with the folder it starts from kept in ``pristine``."""

    name: str
    argv: list[str]
    folder: Path
    pristine: Path

    def reset(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        for p in self.folder.parent.glob(f".{self.folder.name}.*"):
            shutil.rmtree(p, ignore_errors=True)
        shutil.copytree(self.pristine, self.folder, symlinks=True)


def writers(root: Path, cache: Path) -> list[Writer]:
    """The seven writing commands, each on a folder of its own in one real repository."""
    repo = Repo(root / "repo")
    repo.path.mkdir(parents=True)
    repo.git("init", "-q", "-b", "master")
    repo.write("MAINTAINERS", MAINTAINERS)
    for letter in "abcd":
        repo.write(f"lib/{letter}.c", "".join(f"{letter} line {i}\n" for i in range(40)))
    repo.commit("base")
    repo.git("tag", "v1")
    repo.git("checkout", "-q", "-b", "topic")
    for letter in "abc":
        text = (repo.path / f"lib/{letter}.c").read_text()
        repo.write(f"lib/{letter}.c", text.replace(f"{letter} line 10\n", f"{letter} line 10 changed\n"))
        repo.commit(f"lib: change {letter}\n\nBecause {letter} needed it.\n\n{ADA}")
    repo.git("checkout", "-q", "-b", "rework", "topic~1")
    repo.write("lib/b.c", (repo.path / "lib/b.c").read_text().replace("b line 20\n", "b line 20 too\n"))
    repo.commit(f"lib: change b again\n\n{ADA}")
    repo.git("checkout", "-q", "master")
    repo.write("lib/d.c", (repo.path / "lib/d.c").read_text().replace("d line 1\n", "d line one\n"))
    repo.commit("upstream")
    repo.git("tag", "v2")
    r = str(repo.path)
    base = root / "base"
    patchtool("import", "v1..topic", "-o", str(base), "--repo", r, cache=cache)
    # A thread of the series and a reply with an ack, for trailers.
    out = root / "mails"
    patchtool("export", str(base), "-o", str(out), "--repo", r, "--mbox", str(root / "thread.mbox"), cache=cache)
    box = mailbox.mbox(str(root / "thread.mbox"))
    patch2 = next(m for m in box if "2/3" in str(m["Subject"]))
    reply = mailbox.mboxMessage()
    reply["From"] = "Anna Alpha <anna@example.org>"
    reply["Subject"] = "Re: " + str(patch2["Subject"])
    reply["Message-Id"] = "<anna-1@example.org>"
    reply["In-Reply-To"] = patch2["Message-Id"]
    reply["Date"] = "Thu, 12 Aug 2021 10:00:00 +0000"
    reply.set_payload("> hunk\n\nAcked-by: Anna Alpha <anna@example.org>\n")
    replies = mailbox.mbox(str(root / "replies.mbox"))
    replies.add(reply)
    replies.flush()
    plans: list[tuple[str, Callable[[Path], list[str]]]] = [
        ("import --force", lambda f: ["import", "v1..rework", "-o", str(f), "--force", "--repo", r]),
        ("update", lambda f: ["update", str(f), "v1..rework", "--repo", r]),
        ("rebase", lambda f: ["rebase", str(f), "--onto", "v2", "--repo", r]),
        ("reroll", lambda f: ["reroll", str(f)]),
        ("trailers", lambda f: ["trailers", str(f), str(root / "replies.mbox"), "--repo", r]),
        ("lint --fix", lambda f: ["lint", str(f), "--fix", "--repo", r]),
        ("base", lambda f: ["base", str(f), "v2", "--repo", r]),
    ]
    out_writers = []
    for name, argv in plans:
        slug = name.replace(" ", "").replace("-", "")
        pristine = root / "pristine" / slug
        shutil.copytree(base, pristine)
        folder = root / "work" / slug / "series"
        folder.parent.mkdir(parents=True)
        out_writers.append(Writer(name, argv(folder), folder, pristine))
    return out_writers


@dataclass
class Tally:
    old: int = 0
    new: int = 0
    finished: int = 0  # the command ended before the kill came


def kill_trials(writer: Writer, trials: int, cache: Path, rng: random.Random) -> Tally:
    """``trials`` runs of ``writer`` killed at random moments; AssertionError on any broken folder."""
    writer.reset()
    old = snapshot(writer.folder)
    start = time.monotonic()
    done = patchtool(*writer.argv, cache=cache)
    took = time.monotonic() - start
    new = snapshot(writer.folder)
    assert new != old, f"{writer.name}: the command changed nothing ({done.stdout}{done.stderr})"
    tally = Tally()
    for _ in range(trials):
        writer.reset()
        proc = subprocess.Popen([*PATCHTOOL, *writer.argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=_env(cache), start_new_session=True)
        time.sleep(rng.uniform(0.05, took))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        code = proc.wait()
        now = snapshot(writer.folder)
        assert now in (old, new), (f"{writer.name}: killed, the folder is neither old nor new: "
                                   f"{sorted(set(now.items()) ^ set(old.items()))[:4]}")
        if code >= 0:
            tally.finished += 1
        elif now == old:
            tally.old += 1
        else:
            tally.new += 1
        shown = patchtool("show", str(writer.folder), cache=cache, check=False)
        assert shown.returncode == 0, f"{writer.name}: after the kill, show says {shown.stderr}"
        assert leftovers(writer.folder) == [], f"{writer.name}: left after the next command ran"
    return tally


def run_all(root: Path, trials: int, seed: int = 1) -> dict[str, Tally]:
    cache = root / "cache"
    rng = random.Random(seed)
    return {w.name: kill_trials(w, trials, cache, rng) for w in writers(root, cache)}


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")
def test_killed_writers_leave_the_old_or_the_new_folder(tmp_path: Path) -> None:
    tallies = run_all(tmp_path, trials=2)
    assert set(tallies) == {"import --force", "update", "rebase", "reroll", "trailers", "lint --fix", "base"}
    counts = Counter()
    for t in tallies.values():
        counts.update(old=t.old, new=t.new, finished=t.finished)
    assert counts["old"] + counts["new"] >= 1, counts  # some kill landed inside a run
