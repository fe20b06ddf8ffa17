"""The ``applied`` verdict and ``rebase --drop-applied``, with ``git am -3`` and ``git rebase`` as the oracles.

One 3-patch series on ``v1``, and upstream branches from ``v1`` that hold
none, some or all of it: by a merge, by cherry-picks, and by an equivalent
change made with other context (so no upstream commit has the patch's
patch-id).  ``git am -3`` runs in a worktree of a copy of the repository and
says where a patch is "already applied"; ``git rebase --onto REF v1`` in
that copy gives the tree and the commits a rebase that drops them must give.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from patchtool.apply import apply_series_git
from patchtool.cli import main
from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.seriesdir import read_series

from .conftest import Repo

Capsys = pytest.CaptureFixture[str]


def _lines(tag: str) -> str:
    return "".join(f"{tag}{i}\n" for i in range(60))


def _edit(repo: Repo, path: str, old: str, new: str) -> None:
    text = (repo.path / path).read_text()
    assert old in text
    repo.write(path, text.replace(old, new, 1))


def _history(repo: Repo) -> None:
    """v1; topic = 3 patches on v1; upstream branches from v1 holding parts of topic."""
    for name in ("a", "b", "c"):
        repo.write(f"mm/{name}.c", _lines(name))
    repo.commit("base")
    repo.git("tag", "v1")
    repo.git("checkout", "-q", "-b", "topic")
    _edit(repo, "mm/a.c", "a10\n", "a10 topic\n")
    repo.commit("mm: change a10\n\nThe first.\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    _edit(repo, "mm/b.c", "b20\n", "b20 topic\n")
    repo.commit("mm: change b20\n\nThe second.", author="Zoë Ağaoğlu <zoe@example.org>")
    _edit(repo, "mm/c.c", "c30\n", "c30 topic\n")
    _edit(repo, "mm/a.c", "a50\n", "a50 topic\n")
    repo.commit("mm: change c30 and a50\n\nThe third.")

    def upstream(name: str) -> None:
        repo.git("checkout", "-q", "-b", name, "v1")
        repo.write("README", f"{name}\n")
        repo.commit(f"upstream: {name}")

    upstream("none")
    upstream("merge-some")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge the first two", "topic~1")
    upstream("merge-all")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge topic", "topic")
    upstream("pick")
    repo.git("cherry-pick", "topic~1")  # patch 2 as it is
    _edit(repo, "mm/c.c", "c30\n", "c30 topic\n")  # half of patch 3: not applied, a 3-way
    repo.commit("mm: change c30 only")
    upstream("pick-all")
    repo.git("cherry-pick", "v1..topic")
    upstream("equiv")
    _edit(repo, "mm/a.c", "a12\n", "a12 upstream\n")  # patch 1's context
    repo.commit("mm: rework a12")
    _edit(repo, "mm/a.c", "a10\n", "a10 topic\n")  # patch 1's change, with other context
    repo.commit("mm: the same change to a10")
    repo.git("checkout", "-q", "master")


BASES = ["none", "merge-some", "merge-all", "pick", "pick-all", "equiv"]


@pytest.fixture
def project(repo: Repo, tmp_path: Path) -> tuple[Repo, Path]:
    _history(repo)
    folder = tmp_path / "series" / "mm"
    assert main(["import", "v1..topic", "-o", str(folder), "--repo", str(repo.path)]) == 0
    return repo, folder


def _copy(repo: Repo, tmp_path: Path, name: str) -> Repo:
    dest = tmp_path / f"copy-{name}"
    shutil.copytree(repo.path, dest, symlinks=True)
    return Repo(dest)


def _patch_files(folder: Path) -> list[Path]:
    return [folder / "patches" / n for n in (folder / "patches" / "series").read_text().split()]


def git_am_already_applied(repo: Repo, tmp_path: Path, base: str, folder: Path) -> list[int]:
    """The patches `git am -3` skips with "No changes -- Patch already applied." on ``base``."""
    copy = _copy(repo, tmp_path, f"am-{base}")
    where = tmp_path / f"am-{base}"
    copy.git("worktree", "add", "-q", "--detach", str(where), base)
    am = Repo(where)
    applied = []
    for n, mail in enumerate(_patch_files(folder), 1):
        out = am.git("am", "-3", str(mail))
        if "No changes -- Patch already applied." in out:
            applied.append(n)
    return applied


def git_rebase(repo: Repo, tmp_path: Path, onto: str) -> tuple[str, list[tuple[str, ...]]]:
    """The tree and (author, author date, message) of each commit of `git rebase --onto ONTO v1 topic`."""
    copy = _copy(repo, tmp_path, f"rebase-{onto}")
    copy.git("checkout", "-q", "-b", "rebased", "topic")
    copy.git("rebase", "-q", "--onto", onto, "v1", "rebased")
    return copy.git("rev-parse", "rebased^{tree}").strip(), _commits(copy, f"{onto}..rebased")


def _commits(repo: Repo, spec: str) -> list[tuple[str, ...]]:
    out = repo.git("log", "--reverse", "-z", "--format=%an <%ae>%x01%aD%x01%B", spec)
    return [tuple(rec.split("\x01")) for rec in out.split("\x00") if rec]


def git_am_written(repo: Repo, tmp_path: Path, onto: str, folder: Path) -> tuple[str, list[tuple[str, ...]]]:
    """Plain `git am` of the series folder's patch files on ``onto``: the tree and the commits it makes."""
    copy = _copy(repo, tmp_path, f"replay-{onto}")
    where = tmp_path / f"replay-{onto}"
    copy.git("worktree", "add", "-q", "--detach", str(where), onto)
    am = Repo(where)
    files = _patch_files(folder)
    if files:
        am.git("am", "-q", *map(str, files))
    return am.git("rev-parse", "HEAD^{tree}").strip(), _commits(am, f"{onto}..HEAD")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run(capsys: Capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- check ---------------------------------------------------------------------------------


@pytest.mark.parametrize("base", BASES)
def test_check_says_applied_where_git_am_3_does(project: tuple[Repo, Path], tmp_path: Path, capsys: Capsys,
                                               base: str) -> None:
    repo, folder = project
    oracle = git_am_already_applied(repo, tmp_path, base, folder)
    # The scenarios hold what they say (the oracle decides, this only keeps them meaningful).
    assert bool(oracle) == (base != "none") and (len(oracle) == 3) == base.endswith("-all")
    code, out, _ = run(capsys, "check", str(folder), "--base", base, "--json", "--repo", str(repo.path))
    doc = json.loads(out)
    (result,) = doc["bases"]
    statuses = [p["status"] for p in result["patches"]]
    assert [n for n, s in enumerate(statuses, 1) if s == "applied"] == oracle
    assert result["applied"] == oracle
    assert code == (1 if oracle else 0)
    assert "applied" not in [s for n, s in enumerate(statuses, 1) if n not in oracle]
    if base.endswith("-all"):  # the whole series is there: it makes the base's own tree
        assert result["result_tree"] == repo.git("rev-parse", f"{base}^{{tree}}").strip()
    # The reference applier (git apply --cached, then -3, on a scratch index) says the same.
    with GitRepo.open(repo.path).scratch() as store:
        ref = apply_series_git(store, base, read_series(folder).patches)
    assert [p.status.value for p in ref.patches] == statuses


def test_check_plain_text_one_line_per_base(project: tuple[Repo, Path], capsys: Capsys) -> None:
    repo, folder = project
    # -v: the whole table (without it, several bases get a line each); the bases in git's order.
    code, out, _ = run(capsys, "check", str(folder), "--base", "none", "--base", "pick", "--base", "equiv",
                       "--repo", str(repo.path), "-v")
    assert code == 1
    rows = out.splitlines()
    assert rows[0].split()[-3:] == ["equiv", "none", "pick"]
    assert rows[1].split()[-3:] == ["applied", "clean", "clean"]
    assert rows[2].split()[-3:] == ["clean", "clean", "applied"]
    # patch 2 was cherry-picked: git patch-id --stable names the upstream commit
    picked = repo.git("log", "--format=%H", "-1", "--grep=change b20", "pick").strip()
    said = [line for line in rows if "cannot be posted as is" in line]
    assert said == [
        "equiv: patch 1 is already in equiv (its changes are there): the series cannot be posted as is "
        "on equiv (patchtool rebase --onto equiv --drop-applied drops it)",
        f"pick: patch 2 is already in pick (upstream as {picked[:12]}): the series cannot be posted as is "
        "on pick (patchtool rebase --onto pick --drop-applied drops it)",
    ]


def test_check_rich_table_shows_applied(project: tuple[Repo, Path], capsys: Capsys) -> None:
    from patchtool.check import check_series, choose_bases
    from patchtool.cli.check_cmd import _print_rich

    repo, folder = project
    git = GitRepo.open(repo.path)
    series = read_series(folder)
    report = check_series(git, series, choose_bases(git, series, ["pick"]))
    capsys.readouterr()
    _print_rich(report)
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "change b20" in line)
    assert "= applied" in row
    assert "patch 2 is already in pick" in out


def test_lint_applies_rule_is_an_error_for_an_applied_patch(project: tuple[Repo, Path], capsys: Capsys) -> None:
    repo, folder = project
    code, out, _ = run(capsys, "lint", str(folder), "--base", "merge-some", "--json", "--repo", str(repo.path))
    findings = [f for f in json.loads(out)["findings"] if f["rule"] == "applies"]
    assert [(f["patch"], f["severity"]) for f in findings] == [(1, "error"), (2, "error")]
    assert "already in merge-some" in findings[0]["message"] and code == 1


# -- rebase --------------------------------------------------------------------------------


@pytest.mark.parametrize("onto", [b for b in BASES if b != "none"])
def test_rebase_refuses_patches_already_upstream(project: tuple[Repo, Path], tmp_path: Path, capsys: Capsys,
                                                 onto: str) -> None:
    repo, folder = project
    oracle = git_am_already_applied(repo, tmp_path, onto, folder)
    before = _snapshot(folder)
    code, out, err = run(capsys, "rebase", str(folder), "--onto", onto, "--repo", str(repo.path))
    assert code == 1
    assert _snapshot(folder) == before
    numbers = ", ".join(map(str, oracle))
    assert err.splitlines()[-1] == (
        f"{folder}: not rebased, nothing changed: patch{'es' if len(oracle) > 1 else ''} {numbers} "
        f"already in {onto} (--drop-applied drops {'them' if len(oracle) > 1 else 'it'})")
    assert "applied" in out.splitlines()[oracle[0]]


@pytest.mark.parametrize("onto", BASES)
def test_drop_applied_gives_what_git_rebase_gives(project: tuple[Repo, Path], tmp_path: Path, capsys: Capsys,
                                                  onto: str) -> None:
    repo, folder = project
    oracle = git_am_already_applied(repo, tmp_path, onto, folder)
    want_tree, want_commits = git_rebase(repo, tmp_path, onto)
    before = _snapshot(folder)
    old = read_series(folder)
    code, out, err = run(capsys, "rebase", str(folder), "--onto", onto, "--drop-applied", "--json",
                         "--repo", str(repo.path))
    assert code == 0, err
    doc = json.loads(out)
    assert doc["rewritten"] is True and doc["dropped"] == oracle
    assert doc["result_tree"] == want_tree
    # The folder now holds git rebase's commits: plain git am of its files makes them again.
    got_tree, got_commits = git_am_written(repo, tmp_path, onto, folder)
    assert (got_tree, got_commits) == (want_tree, want_commits)
    new = read_series(folder)
    assert len(new.patches) == 3 - len(oracle) == len(want_commits)
    assert new.base == onto and new.base_commit == repo.git("rev-parse", f"{onto}^{{commit}}").strip()
    # Renumbered as format-patch numbers them, and never an empty file.
    kept = [p for n, p in enumerate(old.patches, 1) if n not in oracle]
    assert [p.filename for p in new.patches] == [
        f"{n:04d}-{p.filename.split('-', 1)[1]}" for n, p in enumerate(kept, 1)]  # type: ignore[union-attr]
    assert all(f.stat().st_size > 0 for f in (folder / "patches").glob("*.patch"))
    # What was dropped can be brought back by hand: the old folder is kept as it was.
    if oracle:
        kept_dir = folder / "history" / "v1-before-rebase"
        assert {k: v for k, v in _snapshot(kept_dir).items()} == {
            k: v for k, v in before.items() if not k.startswith("history/")}
        assert doc["kept"] == "history/v1-before-rebase"
    else:
        assert not (folder / "history").exists() and doc["kept"] is None


def test_drop_applied_twice_keeps_both_old_versions(project: tuple[Repo, Path], capsys: Capsys) -> None:
    repo, folder = project
    assert run(capsys, "rebase", str(folder), "--onto", "pick", "--drop-applied", "--repo", str(repo.path))[0] == 0
    assert run(capsys, "rebase", str(folder), "--onto", "merge-all", "--drop-applied",
               "--repo", str(repo.path))[0] == 0
    assert sorted(p.name for p in (folder / "history").iterdir()) == ["v1-before-rebase", "v1-before-rebase-2"]
    assert len(read_series(folder / "history" / "v1-before-rebase").patches) == 3
    assert len(read_series(folder / "history" / "v1-before-rebase-2").patches) == 2
    assert read_series(folder).patches == ()


def test_rebase_verifies_the_written_patches_before_the_swap(project: tuple[Repo, Path]) -> None:
    from patchtool.lifecycle.rebase import rebase_series, store_rebased

    repo, folder = project
    git = GitRepo.open(repo.path)
    outcome = rebase_series(git, read_series(folder), "pick", drop_applied=True)
    assert outcome.series is not None and outcome.dropped == (2,)
    before = _snapshot(folder)
    # A computed tree the written patches do not make (as a bug in the rewrite would give).
    wrong = replace(outcome, tree=repo.git("rev-parse", "v1^{tree}").strip())
    with pytest.raises(BadInput, match="do not make the rebased tree"):
        store_rebased(git, folder, wrong)
    assert _snapshot(folder) == before
    # And rewritten patches that do not land there: patch 1 twice, the second time already applied.
    first, second = outcome.series.patches
    twice = (first, replace(first, filename="0002-again.patch"), replace(second, filename="0003-third.patch"))
    bad = replace(outcome, series=replace(outcome.series, patches=twice))
    with pytest.raises(BadInput, match=r"rebased patch 2 \(mm: change a10\) as written is already in pick"):
        store_rebased(git, folder, bad)
    assert _snapshot(folder) == before


# -- forecast --------------------------------------------------------------------------------


def test_forecast_says_which_upstream_commits_are_the_series(project: tuple[Repo, Path], capsys: Capsys) -> None:
    repo, folder = project
    before = _snapshot(folder)
    code, out, _ = run(capsys, "rebase", str(folder), "--onto", "pick", "--forecast", "--repo", str(repo.path))
    assert code == 0
    picked = repo.git("log", "--format=%H", "-1", "--grep=change b20", "pick").strip()
    assert f"patch 2 is upstream as {picked[:12]}" in out.splitlines()
    code, out, _ = run(capsys, "rebase", str(folder), "--onto", "pick", "--forecast", "--json",
                       "--repo", str(repo.path))
    doc = json.loads(out)
    assert doc["upstream"] == [{"patch": 2, "commit": picked, "subject": "mm: change b20"}]
    assert doc["applied"] == [2]
    by_commit = {t["commit"]: t for t in doc["touches"]}
    assert by_commit[picked]["upstream_of"] == [2]
    half = repo.git("log", "--format=%H", "-1", "--grep=change c30 only", "pick").strip()
    assert by_commit[half]["upstream_of"] == []
    # The equivalent change with other context has no patch-id twin, but its content is there.
    code, out, _ = run(capsys, "rebase", str(folder), "--onto", "equiv", "--forecast", "--repo", str(repo.path))
    assert "patch 1 is already in equiv (its changes are there; no upstream commit has its patch-id)" in out
    assert _snapshot(folder) == before


# -- notes ---------------------------------------------------------------------------------


def test_rebase_keeps_git_notes_as_format_patch_notes_writes_them(repo: Repo, tmp_path: Path,
                                                                   capsys: Capsys) -> None:
    _history(repo)
    repo.git("notes", "add", "-m", "v2: - fixed x\n- and y", "topic~1")
    repo.git("notes", "add", "-m", "Zoë's note", "topic")
    mails = tmp_path / "mails"
    repo.git("format-patch", "-q", "--notes", "--base=v1", "-o", str(mails), "v1..topic")
    folder = tmp_path / "s"
    assert main(["import", str(mails), "-o", str(folder), "--repo", str(repo.path)]) == 0
    assert read_series(folder).patches[1].notes.startswith("Notes:\n    v2: - fixed x\n")
    assert main(["rebase", str(folder), "--onto", "equiv", "--drop-applied", "--repo", str(repo.path)]) == 0
    # The oracle: git rebase, the notes copied to the new commits, format-patch --notes.
    copy = _copy(repo, tmp_path, "notes")
    copy.git("checkout", "-q", "-b", "rebased", "topic")
    copy.git("-c", "notes.rewriteRef=refs/notes/commits", "rebase", "-q", "--onto", "equiv", "v1", "rebased")
    want = tmp_path / "want"
    copy.git("format-patch", "-q", "--notes", "-o", str(want), "equiv..rebased")
    got = _patch_files(folder)
    assert [p.read_bytes() for p in got] == [p.read_bytes() for p in sorted(want.iterdir())]


def test_rebase_keeps_hand_written_notes_before_the_diffstat(project: tuple[Repo, Path], tmp_path: Path,
                                                             capsys: Capsys) -> None:
    repo, folder = project
    third = _patch_files(folder)[2]
    third.write_text(third.read_text().replace("\n---\n", "\n---\nv2: - fixed x\n    - and y\n\n", 1))
    assert read_series(folder).patches[2].notes.startswith("v2: - fixed x\n")
    assert main(["rebase", str(folder), "--onto", "merge-some", "--repo", str(repo.path), "--drop-applied"]) == 0
    (rebased,) = _patch_files(folder)
    _, _, rest = rebased.read_text().partition("\n---\n")
    assert rest.startswith("v2: - fixed x\n    - and y\n\n mm/a.c | 2 +-\n mm/c.c | 2 +-\n")
    assert read_series(folder).patches[0].notes == "v2: - fixed x\n    - and y"
    # git am reads the notes as notes: the commit is git rebase's.
    want_tree, want_commits = git_rebase(repo, tmp_path, "merge-some")
    assert git_am_written(repo, tmp_path, "merge-some", folder) == (want_tree, want_commits)


def test_export_on_a_base_that_holds_a_patch_writes_nothing(project: tuple[Repo, Path], tmp_path: Path,
                                                             capsys: Capsys) -> None:
    repo, folder = project
    toml = folder / "series.toml"
    v1 = repo.git("rev-parse", "v1^{commit}").strip()
    pick = repo.git("rev-parse", "pick^{commit}").strip()
    toml.write_text(toml.read_text().replace(v1, pick).replace('base = "v1"', 'base = "pick"'))
    out_dir = tmp_path / "out"
    code, _, err = run(capsys, "export", str(folder), "-o", str(out_dir), "--repo", str(repo.path))
    assert code == 2 and err.count("\n") == 1
    assert f"patch 2 is already in {pick}" in err
    assert not out_dir.exists()


def test_a_mode_change_the_base_already_has_is_clean_as_git_am_takes_it(repo: Repo, tmp_path: Path,
                                                                         capsys: Capsys) -> None:
    """Found by the generated-series oracle: git am applies (and commits) a mode-only patch whose mode
    the file already has, so it is clean, not applied."""
    repo.write("a.c", "}\n" * 25)
    repo.commit("base")
    repo.git("tag", "base")
    repo.git("checkout", "-q", "-b", "mode")
    (repo.path / "a.c").chmod(0o755)
    repo.commit("a: make it executable")
    repo.git("checkout", "-q", "-b", "other", "base")
    (repo.path / "a.c").chmod(0o755)
    repo.commit("a: executable upstream")
    repo.git("tag", "upstream")
    folder = tmp_path / "s"
    assert main(["import", "base..mode", "-o", str(folder), "--repo", str(repo.path)]) == 0
    before = repo.git("rev-parse", "HEAD").strip()
    repo.git("am", "-q", *map(str, _patch_files(folder)))
    assert repo.git("rev-parse", "HEAD~1").strip() == before  # git am took it (an empty commit)
    capsys.readouterr()
    code, out, _ = run(capsys, "check", str(folder), "--base", "upstream", "--json", "--repo", str(repo.path))
    assert code == 0
    assert [p["status"] for p in json.loads(out)["bases"][0]["patches"]] == ["clean"]
