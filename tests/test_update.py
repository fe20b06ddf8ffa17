"""``patchtool update`` and ``reroll --from``: a reworked branch taken back into the series, metadata kept.

git is the oracle twice over: the pairing of old and new patches must be
the one ``git range-diff`` prints for the same two branches (on generated
pairs of versions, at several creation factors), and after the loop
``patchtool range-diff`` must print what ``git range-diff`` prints for the
same versions built as branches by git itself (``rebase -i``, ``commit
--amend --trailer``).
"""

from __future__ import annotations

import json
import random
import re
import shlex
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest

from patchtool.cli import main
from patchtool.gitrepo import GitRepo
from patchtool.lifecycle.matching import correspondences, keyed_diff, pair_patches
from patchtool.lifecycle.reroll import LORE
from patchtool.lifecycle.update import update
from patchtool.model import Cover, Person, PostedMail, Posting, Series, Trailer
from patchtool.seriesdir import read_series, write_series
from patchtool.sources.gitrange import read_range

from .conftest import Repo

SHA = re.compile(r"\b[0-9a-f]{7,40}\b")
PAIR = re.compile(r"^\s*(\d+|-):\s+\S+ ([<>=!]) \s*(\d+|-):\s+\S+")
SOB = "Signed-off-by: Ada Lovelace <ada@example.org>"
ACK = Trailer("Acked-by", "Grace Hopper <grace@example.org>")
LETTERS = "abcde"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def git_pairing(out: str) -> list[tuple[int | None, int | None]]:
    """(old index, new index) of each header line of ``git range-diff --no-color``, in its order."""
    order = []
    for line in out.splitlines():
        if m := PAIR.match(line):
            order.append((None if m.group(1) == "-" else int(m.group(1)) - 1,
                          None if m.group(3) == "-" else int(m.group(3)) - 1))
    return order


# -- rebase -i driven by a todo plan ------------------------------------------------------

TODO_SCRIPT = """
import json, os, sys
plan = json.loads(os.environ["TODO_PLAN"])
path = sys.argv[1]
picks = [line for line in open(path).read().splitlines() if line and not line.startswith("#")]
out = []
for n, line in enumerate(picks, 1):
    step = plan.get(str(n), "pick")
    if step == "drop":
        continue
    out.append(("edit" + line[4:]) if step == "edit" else line)
    if step.startswith("exec "):
        out.append(step)
open(path, "w").write("\\n".join(out) + "\\n")
"""


def rebase_i(repo: Repo, tmp_path: Path, onto: str, plan: dict[int, str]) -> None:
    """``git rebase -i onto`` whose todo follows ``plan`` (patch number -> edit, drop or an exec line)."""
    script = tmp_path / "todo.py"
    script.write_text(TODO_SCRIPT)
    repo.git("rebase", "-q", "-i", onto, env={
        "GIT_SEQUENCE_EDITOR": f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}",
        "GIT_EDITOR": "true", "TODO_PLAN": json.dumps({str(k): v for k, v in plan.items()})})


def ack_exec(trailer: Trailer = ACK) -> str:
    return f"exec git commit -q --amend --no-edit --trailer {shlex.quote(str(trailer))}"


def lines(n: int, tag: str) -> str:
    return "".join(f"{tag} line {i}\n" for i in range(n))


def five_patches(repo: Repo) -> None:
    """base (tagged) and branch v1: five patches, patch k changing lib/<k>.c."""
    for letter in LETTERS:
        repo.write(f"lib/{letter}.c", lines(30, letter))
    repo.commit("base")
    repo.git("tag", "base")
    repo.git("checkout", "-q", "-b", "v1")
    for letter in LETTERS:
        text = (repo.path / f"lib/{letter}.c").read_text()
        repo.write(f"lib/{letter}.c", text.replace(f"{letter} line 10\n", f"{letter} line 10 changed\n"))
        repo.commit(f"lib: change {letter}\n\nBecause {letter} needed it.\n\n{SOB}")


def with_metadata(series: Series) -> Series:
    """What a maintainer's series holds after posting v1 and collecting acks on patches 2 and 4."""
    patches = tuple(p.with_trailers((ACK,)) if n in (2, 4) else p for n, p in enumerate(series.patches, 1))
    return replace(
        series, patches=patches, title="lib: change the letters", rfc=True, prefix="PATCH lib",
        to=("Linus Torvalds <torvalds@example.org>",), cc=("lib@lists.example.org",),
        cover=Cover(prose="The letters needed changing.\n", author=Person("Ada Lovelace", "ada@example.org"),
                    date="Wed, 11 Aug 2021 17:00:00 -0400", message_id="<v1-cover@example.org>"),
        changes=MappingProxyType({1: "- first posting"}), render=MappingProxyType({"template": "git"}),
        extra=MappingProxyType({"branch": "letters"}),
        posted=MappingProxyType({1: Posting((PostedMail(0, "<v1-cover@example.org>", via="smtp"),))}))


# -- the maintainer's loop ----------------------------------------------------------------------


def test_reroll_from_a_reworked_branch_keeps_everything(repo: Repo, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    five_patches(repo)
    folder = tmp_path / "letters"
    assert main(["import", "base..v1", "-o", str(folder), "--repo", str(repo.path)]) == 0
    write_series(with_metadata(read_series(folder)), folder)
    before = read_series(folder)
    stored = _files(folder)

    # The rework, done with git: patch 4 amended in a rebase -i, a sixth patch on top.
    repo.git("checkout", "-q", "-b", "rework", "v1")
    rebase_i(repo, tmp_path, "base", {4: "edit"})
    repo.write("lib/d.c", (repo.path / "lib/d.c").read_text().replace("d line 20\n", "d line 20 too\n"))
    repo.git("commit", "-q", "-a", "--amend", "--no-edit")
    repo.git("rebase", "--continue", env={"GIT_EDITOR": "true"})
    repo.write("lib/f.c", lines(5, "f"))
    repo.commit(f"lib: add f\n\n{SOB}")

    capsys.readouterr()
    assert main(["reroll", str(folder), "--from", "base..rework", "--repo", str(repo.path)]) == 0
    out = capsys.readouterr().out
    rows = {m.group(2): m.group(3).strip() for m in re.finditer(r"^\s*(\S+) -> (\S+)\s+(\S.*?)\s{2}", out, re.M)}
    assert rows == {"1": "unchanged", "2": "unchanged", "3": "unchanged", "4": "edited (code)",
                    "5": "unchanged", "6": "new"}
    assert f"carried: {ACK}" in out
    assert f"not carried, patch 4 was edited (add it back if it still holds): {ACK}" in out
    assert "now [RFC PATCH lib v2 0/6]" in out

    now = read_series(folder)
    assert _files(folder / "history" / "v1") == stored
    assert now.version == 2
    for key in ("title", "rfc", "prefix", "base", "base_commit", "to", "cc", "render", "extra", "posted"):
        assert getattr(now, key) == getattr(before, key), key
    assert (now.cover.prose, now.cover.author) == (before.cover.prose, before.cover.author)
    assert now.links == {1: LORE + "v1-cover@example.org"}
    assert now.changes[1] == "- first posting"
    assert now.changes[2] == "- patch 4: edited (code)\n- patch 6: new (lib: add f)"
    # The patches are the branch's, plus the ack carried on the unchanged patch 2 (not on the edited 4).
    branch = read_range(GitRepo.open(repo.path), "base..rework", name="x").patches
    assert [p.diff for p in now.patches] == [p.diff for p in branch]
    assert [ACK in p.trailers for p in now.patches] == [False, True, False, False, False, False]
    # Patch 2 was written afresh (its ack carried): still with format-patch's diffstat below "---".
    assert now.patches[1].raw != branch[1].raw
    assert now.patches[1].stat and now.patches[1].stat == read_series(folder / "history" / "v1").patches[1].stat
    assert [p.message for n, p in enumerate(now.patches) if n != 1] == \
        [p.message for n, p in enumerate(branch) if n != 1]

    # range-diff of the two stored versions equals git's for the same versions as git branches.
    repo.git("checkout", "-q", "-b", "v1-acked", "v1")
    rebase_i(repo, tmp_path, "base", {2: ack_exec(), 4: ack_exec()})
    repo.git("checkout", "-q", "-b", "v2-acked", "rework")
    rebase_i(repo, tmp_path, "base", {2: ack_exec()})
    capsys.readouterr()
    assert main(["range-diff", str(folder), "--repo", str(repo.path)]) == 0
    ours = capsys.readouterr().out
    theirs = repo.git("range-diff", "--no-color", "base..v1-acked", "base..v2-acked")
    assert SHA.sub("<id>", ours) == SHA.sub("<id>", theirs)
    assert [s for _, s in re.findall(r"^\s*(\d+|-):\s+\S+ ([<>=!])", theirs, re.M)] == ["=", "=", "=", "!", "=", ">"]


def test_update_keeps_the_version_and_reports_drops_moves_and_messages(repo: Repo, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    five_patches(repo)
    folder = tmp_path / "letters"
    assert main(["import", "base..v1", "-o", str(folder), "--repo", str(repo.path)]) == 0
    write_series(with_metadata(read_series(folder)), folder)
    before = read_series(folder)
    stored = _files(folder)
    # Drop patch 3, move patch 5 before patch 4, reword patch 1's message (its code stays), respace patch 4.
    repo.git("checkout", "-q", "-b", "rework", "v1")
    script = tmp_path / "order.py"
    script.write_text("import sys\np = sys.argv[1]\nl = [x for x in open(p).read().splitlines() if x and x[0] != '#']\n"
                      "open(p, 'w').write('\\n'.join([l[0], l[1], l[4], l[3]]) + '\\n')\n")
    repo.git("rebase", "-q", "-i", "base", env={"GIT_SEQUENCE_EDITOR": f"{sys.executable} {script}"})
    repo.git("checkout", "-q", "rework~3")
    repo.git("commit", "-q", "--amend", "-m", f"lib: change a\n\nBecause a really needed it.\n\n{SOB}")
    repo.git("rebase", "-q", "--onto", "HEAD", "rework~3", "rework")
    repo.write("lib/d.c", (repo.path / "lib/d.c").read_text().replace("d line 10 changed", "d line 10  changed"))
    repo.git("commit", "-q", "-a", "--amend", "--no-edit")

    # --dry-run reports and writes nothing.
    capsys.readouterr()
    assert main(["update", str(folder), "rework", "--repo", str(repo.path), "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert _files(folder) == stored and "nothing written" in dry

    _, report = update(folder, "rework", repo_path=repo.path)
    got = [(p.old, p.new, p.labels, p.changed) for p in report.patches]
    assert got == [(1, 1, ("edited",), ("message",)), (2, 2, ("unchanged",), ()), (3, None, ("dropped",), ()),
                   (5, 3, ("unchanged", "reordered"), ()), (4, 4, ("unchanged",), ())]
    assert report.patches[1].carried == (ACK,) and report.patches[4].carried == (ACK,)
    assert all(not p.held for p in report.patches)
    # Patch 4's diff differs in whitespace only: the same patch to git patch-id (its ack stays), shown as such.
    assert [p.loose for p in report.patches] == [False, False, False, False, True]
    assert re.search(r"^\s*4 -> 4\s+unchanged \(by patch-id\)\s+lib: change d$", dry, re.M)
    now = read_series(folder)
    assert now.version == 1 and not (folder / "history").exists()
    assert (now.title, now.to, now.cc, now.changes, now.links, now.posted, now.extra, now.cover) == \
        (before.title, before.to, before.cc, before.changes, before.links, before.posted, before.extra, before.cover)
    assert [p.subject.summary for p in now.patches] == ["lib: change a", "lib: change b", "lib: change e",
                                                        "lib: change d"]
    assert [ACK in p.trailers for p in now.patches] == [False, True, False, True]
    # The pairing is git's own.
    theirs = repo.git("range-diff", "--no-color", "base..v1", "base..rework")
    assert [(p.old - 1 if p.old else None, p.new - 1 if p.new else None) for p in report.patches] == \
        git_pairing(theirs)
    assert re.findall(r"^\s*(?:\d+|-):\s+\S+ ([<>=!])", theirs, re.M) == ["!", "=", "<", "=", "!"]


def test_reroll_from_a_new_posting_mbox(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    five_patches(repo)
    folder = tmp_path / "letters"
    assert main(["import", "base..v1", "-o", str(folder), "--repo", str(repo.path)]) == 0
    write_series(with_metadata(read_series(folder)), folder)
    repo.git("checkout", "-q", "-b", "v2", "v1~1")  # v2 drops patch 5
    mbox = tmp_path / "v2.mbox"
    mbox.write_text(repo.git("format-patch", "--stdout", "--cover-letter", "-v2", "base..v2"))
    capsys.readouterr()
    assert main(["update", str(folder), str(mbox), "--dry-run"]) == 0
    assert f"note: the patches of {mbox} say v2; the series is v1 (a new version goes in with: patchtool reroll" \
        in capsys.readouterr().out
    assert main(["reroll", str(folder), "--from", str(mbox)]) == 0
    assert "note:" not in capsys.readouterr().out
    now = read_series(folder)
    assert (now.version, now.title, now.total) == (2, "lib: change the letters", 4)
    assert now.changes[2] == "- patch 5: dropped (lib: change e)"
    assert [ACK in p.trailers for p in now.patches] == [False, True, False, True]


def test_a_range_on_a_new_base_moves_the_base(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    five_patches(repo)
    folder = tmp_path / "letters"
    assert main(["import", "base..v1", "-o", str(folder), "--repo", str(repo.path)]) == 0
    write_series(with_metadata(read_series(folder)), folder)
    repo.git("checkout", "-q", "-b", "upstream", "base")
    repo.write("README", "upstream moved on\n")
    upstream = repo.commit("upstream: add a README")
    repo.git("tag", "base2")
    repo.git("checkout", "-q", "-b", "rebased", "v1")
    repo.git("rebase", "-q", "--onto", "base2", "base", "rebased")
    capsys.readouterr()
    assert main(["reroll", str(folder), "--from", "base2..rebased", "--repo", str(repo.path)]) == 0
    assert f"-> {upstream}" in capsys.readouterr().out
    now = read_series(folder)
    assert (now.base, now.base_commit) == ("base2", upstream)
    assert now.changes[2] == f"- rebased onto {upstream[:12]}"
    assert [ACK in p.trailers for p in now.patches] == [False, True, False, True, False]
    assert read_series(folder / "history" / "v1").base_commit == repo.git("rev-parse", "base").strip()


def test_bad_sources_change_nothing(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    five_patches(repo)
    folder = tmp_path / "letters"
    assert main(["import", "base..v1", "-o", str(folder), "--repo", str(repo.path)]) == 0
    repo.git("checkout", "-q", "--orphan", "elsewhere")
    repo.commit("unrelated root")
    stored = _files(folder)
    for argv in (["update", str(folder), "no-such-thing"], ["reroll", str(folder), "--from", "no-such-thing"],
                 ["update", str(folder), "elsewhere"], ["update", str(folder), "base..base"]):
        capsys.readouterr()
        assert main([*argv, "--repo", str(repo.path)]) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("patchtool: "), err
    assert _files(folder) == stored
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letters", "repo"]


# -- the pairing against git range-diff's own ------------------------------------------------------


Edits = dict[str, dict[int, str | None]]  # file -> line -> its new text (None: the line goes)


def _state(base: dict[str, list[str | None]], patches: list[Edits]) -> dict[str, list[str | None]]:
    files = {name: list(text) for name, text in base.items()}
    for patch in patches:
        for name, edits in patch.items():
            rows = files.setdefault(name, [])
            for at, text in edits.items():
                rows.extend(f"{name} pad {k}" for k in range(len(rows), at + 1))
                rows[at] = text
    return files


def _edits(rng: random.Random, names: list[str], size: int, tag: str) -> Edits:
    patch: Edits = {}
    for name in rng.sample(names, rng.randint(1, 2)):
        edits: dict[int, str | None] = {}
        for _ in range(rng.randint(1, 8)):
            at, kind = rng.randrange(size), rng.random()
            if kind < 0.2:
                edits[at] = None  # the line goes
            elif kind < 0.5:
                edits[at] = f"{name} {at} {tag}\n" + "\n".join(f"  new {tag} {k}" for k in range(rng.randint(1, 4)))
            else:
                edits[at] = f"{name} line {at} {tag}"
        patch[name] = edits
    return patch


def _tweaked(rng: random.Random, patch: Edits, size: int, tag: str) -> Edits:
    amount = rng.random()  # from a touch to a rewrite, so pairs land on both sides of the creation cost
    out = {name: dict(edits) for name, edits in patch.items()}
    for name, edits in out.items():
        for at in list(edits):
            if rng.random() < amount:
                edits[at] = f"{name} line {at} tweaked {tag}"
        if rng.random() < amount:
            edits[rng.randrange(size)] = f"{name} extra {tag}"
    return out


def two_versions(repo: Repo, seed: int) -> None:
    """Branches v1 and v2 off tag base: v2 keeps, tweaks, drops, inserts and swaps v1's patches at random."""
    rng = random.Random(seed)
    size = rng.randint(20, 60)
    names = [f"f{k}.c" for k in range(rng.randint(2, 4))]
    base: dict[str, list[str | None]] = {name: [f"{name} base {k}" for k in range(size)] for name in names}

    def commit_state(files: dict[str, list[str | None]], message: str) -> None:
        for old in repo.path.glob("*.c"):
            old.unlink()
        for name, rows in files.items():
            repo.write(name, "".join(f"{r}\n" for r in rows if r is not None))
        repo.commit(message)

    commit_state(base, "base")
    repo.git("tag", "base")
    v1 = [_edits(rng, names, size, f"p{k}") for k in range(rng.randint(2, 7))]
    v2 = []
    for k, patch in enumerate(v1):
        roll = rng.random()
        if roll >= 0.15:
            v2.append(_tweaked(rng, patch, size, f"t{k}") if roll < 0.55 else patch)
        if rng.random() < 0.2:
            v2.append(_edits(rng, names, size, f"n{k}"))
    if len(v2) > 1 and rng.random() < 0.3:
        a, b = rng.sample(range(len(v2)), 2)
        v2[a], v2[b] = v2[b], v2[a]
    v2 = v2 or [_edits(rng, names, size, "only")]
    for branch, patches in (("v1", v1), ("v2", v2)):
        repo.git("checkout", "-q", "-B", branch, "base")
        for k in range(len(patches)):
            commit_state(_state(base, patches[:k + 1]), f"{branch} patch {k}")


@pytest.mark.parametrize("seed", range(12))
def test_pairing_equals_git_range_diff(repo: Repo, seed: int) -> None:
    two_versions(repo, seed)
    git = GitRepo.open(repo.path)
    old = [keyed_diff(p) for p in read_range(git, "base..v1", name="s").patches]
    new = [keyed_diff(p) for p in read_range(git, "base..v2", name="s").patches]
    sizes: dict[tuple[tuple[str, str], ...], list[int]] = {}

    def line_counts(pairs: list[tuple[str, str]]) -> list[int]:
        return sizes.setdefault(tuple(pairs), GitRepo.diff_line_counts(pairs))

    for factor in (0, 30, 60, 120, 400):
        ours = correspondences(old, new, line_counts, creation_factor=factor).order
        theirs = repo.git("range-diff", "--no-color", f"--creation-factor={factor}", "base..v1", "base..v2")
        assert list(ours) == git_pairing(theirs), (seed, factor)


@pytest.mark.parametrize("count", [(6, 4), (56, 53)])
def test_identical_diffs_pair_as_gits_hashmap_returns_them(repo: Repo, count: tuple[int, int]) -> None:
    """Reverts make identical diffs; which copy git pairs first follows its hashmap (past 51: rehashed)."""
    repo.write("f.c", lines(12, "f"))
    repo.commit("base")
    repo.git("tag", "base")
    for branch, n in zip(("v1", "v2"), count, strict=True):
        repo.git("checkout", "-q", "-B", branch, "base")
        for k in range(n):
            repo.write("f.c", lines(12, "f").replace("f line 5\n", "f line 5\nadded\n") if k % 2 == 0
                       else lines(12, "f"))
            repo.commit(f"{branch}: {'add' if k % 2 == 0 else 'remove'} the line ({k})")
    git = GitRepo.open(repo.path)
    ours = pair_patches(read_range(git, "base..v1", name="s").patches, read_range(git, "base..v2", name="s").patches)
    assert list(ours.order) == git_pairing(repo.git("range-diff", "--no-color", "base..v1", "base..v2"))


def test_patch_ids_are_gits_of_the_commits(repo: Repo) -> None:
    from .test_import import build_history

    base, tip = build_history(repo)
    git = GitRepo.open(repo.path)
    patches = read_range(git, f"{base}..{tip}", name="s").patches
    theirs = []
    for patch in patches:
        # Full blob ids, as git's own patch-id of a binary change hashes them (patch-ids.c).
        show = subprocess.run(["git", "show", "--binary", "--full-index", patch.commit or ""], cwd=repo.path,
                              capture_output=True, check=True)
        out = subprocess.run(["git", "patch-id", "--stable"], input=show.stdout, capture_output=True, check=True)
        theirs.append(out.stdout.decode().split()[0])
    assert GitRepo.patch_ids([p.diff for p in patches]) == theirs
    # Renames, mode changes, binary blobs and quoted names: each keyed, and paired with itself.
    pairing = pair_patches(patches, patches)
    assert pairing.old_to_new == tuple(range(len(patches))) and all(pairing.exact)
