"""Diffstat by file, by patch and by subsystem, with git as the oracle.

The series is applied in the object store and git counts the net change;
the text must equal ``git diff --stat --summary BASE HEAD`` and the block
``git format-patch --cover-letter`` writes, for every width combination.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patchtool.cli import main
from patchtool.diffstat import StatOptions, series_stat
from patchtool.gitrepo import GitRepo
from patchtool.sources.gitrange import read_range

from .conftest import Repo

LONG = "drivers/net/ethernet/mellanox/mlx5/core/steering/very_long_directory_name/"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, str, str]:
    """A base and a series with renames, binary, creates, deletes, mode changes, long paths, big counts."""
    import os

    from .conftest import PINNED

    os.environ.update(PINNED)
    repo = Repo(tmp_path_factory.mktemp("diffstat") / "repo")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "master")
    repo.write("MAINTAINERS", (
        "NETWORKING DRIVERS\nM:\tNet Dev <net@example.org>\nL:\tnetdev@vger.kernel.org\nS:\tMaintained\n"
        "F:\tdrivers/net/\n\nMLX5 CORE\nM:\tMel Lanox <mel@example.org>\nS:\tSupported\n"
        "F:\tdrivers/net/ethernet/mellanox/mlx5/core/\n\nDOCS\nM:\tDoc <doc@example.org>\nS:\tMaintained\n"
        "F:\tDocumentation/\n\nTHE REST\nM:\tLinus <torvalds@linux-foundation.org>\nS:\tBuried alive\n"
        "F:\t*\nF:\t*/\n"
    ))
    repo.write(f"{LONG}flow_table_steering_rules.c", "".join(f"rule {i}\n" for i in range(3000)))
    repo.write("drivers/net/old_name.c", "".join(f"static int v{i};\n" for i in range(60)))
    repo.write("Documentation/obsolete.rst", "gone\n")
    repo.write("scripts/tool.sh", "#!/bin/sh\n")
    repo.write("firmware/blob.bin", bytes(range(256)) * 4)
    repo.write("README", "readme\n")
    base = repo.commit("base")
    repo.write(f"{LONG}flow_table_steering_rules.c", "".join(f"rule {i} v2\n" for i in range(2500)))
    repo.commit("mlx5: rewrite the steering rules")
    (repo.path / "drivers/net/old_name.c").rename(repo.path / "drivers/net/new_name.c")
    repo.commit("net: rename old_name.c")
    (repo.path / "Documentation/obsolete.rst").unlink()
    repo.write("Documentation/fresh.rst", "fresh\ndocs\n")
    repo.commit("docs: replace obsolete.rst")
    (repo.path / "scripts/tool.sh").chmod(0o755)
    repo.write("firmware/blob.bin", bytes(range(255, -1, -1)) * 5)
    repo.commit("firmware: update the blob, make tool.sh executable")
    repo.write("README", "readme\nmore\n")
    repo.write(f"{LONG}flow_table_steering_rules.c", "".join(f"rule {i} v3\n" for i in range(10)))
    repo.commit("mlx5: rewrite again, README")
    return repo, base, repo.git("rev-parse", "HEAD").strip()


@pytest.mark.parametrize("width", [60, 68, 72, 80])
@pytest.mark.parametrize("graph", [None, 0, 24])
def test_by_file_equals_git_diff_stat(history: tuple[Repo, str, str], width: int, graph: int | None) -> None:
    repo, base, head = history
    git = GitRepo.open(repo.path)
    series = read_range(git, f"{base}..{head}", name="s")
    stat = series_stat(git, series.patches, base, StatOptions(width, graph))
    args = [f"--stat={width}", "--summary"] + ([f"--stat-graph-width={graph}"] if graph is not None else [])
    assert stat.by_file == repo.git("diff", *args, base, head)


def test_by_file_equals_format_patch_cover_letter(history: tuple[Repo, str, str], tmp_path: Path) -> None:
    repo, base, head = history
    git = GitRepo.open(repo.path)
    series = read_range(git, f"{base}..{head}", name="s")
    stat = series_stat(git, series.patches, base, StatOptions())
    repo.git("format-patch", "-q", "--cover-letter", "-o", str(tmp_path / "fp"), f"{base}..{head}")
    cover = (tmp_path / "fp" / "0000-cover-letter.patch").read_text()
    assert stat.by_file in cover
    assert " 1 file changed" not in stat.by_file and "files changed" in stat.by_file


def test_by_patch_equals_format_patch(history: tuple[Repo, str, str], tmp_path: Path) -> None:
    repo, base, head = history
    git = GitRepo.open(repo.path)
    series = read_range(git, f"{base}..{head}", name="s")
    stat = series_stat(git, series.patches, base, StatOptions())
    repo.git("format-patch", "-q", "-o", str(tmp_path / "fp"), f"{base}..{head}")
    for mail, patch_stat in zip(sorted((tmp_path / "fp").glob("*.patch")), stat.per_patch, strict=True):
        text = mail.read_text(encoding="utf-8", errors="surrogateescape")
        under_dashes = text.split("\n---\n", 1)[1].split("\n\ndiff --git", 1)[0] + "\n"
        assert patch_stat.stat == under_dashes


def test_by_subsystem_cli(history: tuple[Repo, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo, base, head = history
    out = tmp_path / "s"
    assert main(["import", f"{base}..{head}", "-o", str(out), "--repo", str(repo.path)]) == 0
    capsys.readouterr()
    assert main(["diffstat", str(out), "--by", "subsystem", "--json", "--repo", str(repo.path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    numstat = {}
    for line in repo.git("diff", "--numstat", "-M", base, head).splitlines():
        added, deleted, path = line.split("\t")
        numstat[path.split(" => ")[-1].strip("{}")] = (added, deleted)
    owners = {f["path"]: f["most_specific"] for f in doc["files"]}
    assert owners[f"{LONG}flow_table_steering_rules.c"] == "MLX5 CORE"
    assert owners["drivers/net/new_name.c"] == "NETWORKING DRIVERS"
    assert owners["Documentation/fresh.rst"] == "DOCS"
    assert owners["README"] == "THE REST"
    mlx5 = next(r for r in doc["subsystems"] if r["section"] == "MLX5 CORE")
    added, deleted = numstat[f"{LONG}flow_table_steering_rules.c"]
    assert (mlx5["insertions"], mlx5["deletions"]) == (int(added), int(deleted))
    assert sum(r["insertions"] for r in doc["subsystems"]) == doc["insertions"]
    capsys.readouterr()
    assert main(["diffstat", str(out), "--by", "subsystem", "--all-sections", "--repo", str(repo.path)]) == 0
    table = capsys.readouterr().out
    assert "THE REST" in table and "NETWORKING DRIVERS" in table


def test_no_maintainers_groups_by_folder(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("fs/a.c", "a\n")
    repo.write("mm/b.c", "b\n")
    base = repo.commit("base")
    repo.write("fs/a.c", "a\na2\n")
    repo.write("mm/b.c", "b\nb2\nb3\n")
    repo.commit("both")
    out = tmp_path / "s"
    assert main(["import", f"{base}..HEAD", "-o", str(out), "--repo", str(repo.path)]) == 0
    capsys.readouterr()
    assert main(["diffstat", str(out), "--by", "subsystem", "--repo", str(repo.path)]) == 0
    captured = capsys.readouterr()
    assert "grouped by top-level folder" in captured.err
    assert [line.split("|")[0].strip() for line in captured.out.splitlines()] == [
        "mm/", "fs/", "2 sections, 2 files changed, 3 insertions(+), 0 deletions(-)"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sizes=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 4000)), min_size=1, max_size=6),
    width=st.sampled_from([60, 68, 72, 80]),
    graph=st.sampled_from([None, 0, 24]),
)
def test_counts_in_the_thousands(tmp_path_factory: pytest.TempPathFactory, sizes: list[tuple[int, int]],
                                 width: int, graph: int | None) -> None:
    repo = Repo(tmp_path_factory.mktemp("k") / "repo")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "master")
    for i, (before, _) in enumerate(sizes):
        repo.write(f"dir{i}/" + "n" * (i * 9) + f"{i}.c", "".join(f"{j}\n" for j in range(before)))
    base = repo.commit("base")
    for i, (_, after) in enumerate(sizes):
        repo.write(f"dir{i}/" + "n" * (i * 9) + f"{i}.c", "".join(f"x{j}\n" for j in range(after)))
    head = repo.commit("change")
    git = GitRepo.open(repo.path)
    series = read_range(git, f"{base}..{head}", name="s")
    stat = series_stat(git, series.patches, base, StatOptions(width, graph))
    args = [f"--stat={width}", "--summary"] + ([f"--stat-graph-width={graph}"] if graph is not None else [])
    assert stat.by_file == repo.git("diff", *args, base, head)


# The example series on its demo base: the sections and per-section counts follow from
# /work/shared/facts (get_maintainer.pl's answer per file, and the net numstat per file).
FACTS_MOST_SPECIFIC = {
    "fs/anon_inodes.c": "FILESYSTEMS (VFS and infrastructure)",
    "fs/io-wq.c": "IO_URING",
    "fs/io_uring.c": "IO_URING",
    "include/linux/anon_inodes.h": "THE REST",
    "include/linux/audit.h": "AUDIT SUBSYSTEM",
    "include/linux/lsm_hook_defs.h": "THE REST",
    "include/linux/lsm_hooks.h": "THE REST",
    "include/linux/security.h": "THE REST",
    "include/uapi/linux/audit.h": "AUDIT SUBSYSTEM",
    "kernel/audit.h": "AUDIT SUBSYSTEM",
    "kernel/audit_tree.c": "AUDIT SUBSYSTEM",
    "kernel/audit_watch.c": "AUDIT SUBSYSTEM",
    "kernel/auditfilter.c": "AUDIT SUBSYSTEM",
    "kernel/auditsc.c": "AUDIT SUBSYSTEM",
    "security/security.c": "SECURITY SUBSYSTEM",
    "security/selinux/hooks.c": "SELINUX SECURITY MODULE",
    "security/selinux/include/classmap.h": "SELINUX SECURITY MODULE",
    "security/smack/smack_lsm.c": "SMACK SECURITY MODULE",
}


def test_example_series_by_subsystem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from patchtool.demo.build import build_base_repo

    base_repo = tmp_path / "linux"
    build_base_repo(base_repo)
    series = Path(__file__).resolve().parent.parent / "series" / "io_uring-lsm"
    assert main(["diffstat", str(series), "--by", "subsystem", "--json", "--repo", str(base_repo)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {f["path"]: f["most_specific"] for f in doc["files"]} == FACTS_MOST_SPECIFIC
    smack = next(f for f in doc["files"] if f["path"] == "security/smack/smack_lsm.c")
    assert smack["sections"] == ["SMACK SECURITY MODULE", "SECURITY SUBSYSTEM", "THE REST"]
    assert all(f["sections"][-1] == "THE REST" for f in doc["files"])
    # Oracle: apply the patches with git am and let git count per file.
    repo = Repo(base_repo)
    repo.git("checkout", "-q", "-b", "applied", "v5.14-rc5")
    patches = series / "patches"
    repo.git("am", "-q", *[str(patches / n) for n in (patches / "series").read_text().split()])
    expected: dict[str, list[int]] = {}
    for line in repo.git("diff", "--numstat", "v5.14-rc5", "HEAD").splitlines():
        added, deleted, path = line.split("\t")
        row = expected.setdefault(FACTS_MOST_SPECIFIC[path], [0, 0])
        row[0] += int(added)
        row[1] += int(deleted)
    assert {r["section"]: [r["insertions"], r["deletions"]] for r in doc["subsystems"]} == expected
    assert (doc["insertions"], doc["deletions"]) == (678, 115)


def test_series_paths_parse_agrees_with_the_whole_file(repo: Repo) -> None:
    """Reading MAINTAINERS for a series' paths only gives the answers the full parse gives.

    ``F: fs/io`` names a directory (get_maintainer.pl's ``-d``) sitting beside
    ``fs/io_uring.c``: as a directory it owns ``fs/io/`` only, not the file.
    """
    from patchtool.owners import maintainers_at

    repo.write("MAINTAINERS", "IO DIR\nM:\tA <a@x.org>\nF:\tfs/io\n\nIO FILE\nM:\tB <b@x.org>\nF:\tfs/io_uring.c\n\n"
               "FS\nM:\tC <c@x.org>\nF:\tfs/\nX:\tfs/skip/\n\nTHE REST\nM:\tL <l@x.org>\nF:\t*\nF:\t*/\n")
    for path in ("fs/io/a.c", "fs/io_uring.c", "fs/iox.c", "fs/skip/b.c", "mm/c.c", "README"):
        repo.write(path, "x\n")
    commit = repo.commit("base")
    git = GitRepo.open(repo.path)
    full = maintainers_at(git, commit)
    assert full is not None
    for paths in (["fs/io_uring.c"], ["fs/io/a.c", "fs/iox.c"], ["fs/skip/b.c", "README", "mm/c.c"]):
        part = maintainers_at(git, commit, only_paths=paths)
        assert part is not None
        for path in paths:
            assert part.sections_for(path) == full.sections_for(path), path
    assert [m.section.name for m in full.sections_for("fs/io_uring.c")] == ["IO FILE", "FS", "THE REST"]
    assert full.sections_for("fs/io/a.c")[0].section.name == "IO DIR"


def test_without_a_repository_counts_are_summed_and_said_so(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A series folder alone: per-patch counts summed (not the net change), and stderr says so."""
    series = Path(__file__).resolve().parent.parent / "series" / "io_uring-lsm"
    nowhere = tmp_path / "not-a-repo"
    nowhere.mkdir()
    monkeypatch.chdir(nowhere)
    assert main(["diffstat", str(series), "--json"]) == 0
    captured = capsys.readouterr()
    assert "summed over the patches, not the net change" in captured.err
    doc = json.loads(captured.out)
    assert doc["net"] is False
    # The summed counts are the sum of each patch's own stat, as format-patch wrote it under "---".
    summed = {}
    for name in (series / "patches" / "series").read_text().split():
        text = (series / "patches" / name).read_text()
        repo_free = text.split("\n---\n", 1)[1].split("\n\n", 1)[0]
        for line in repo_free.splitlines()[:-1]:
            path, _, graph = line.strip().partition(" | ")
            summed.setdefault(path.strip(), 0)
            summed[path.strip()] += int(graph.split()[0])
    assert {f["path"]: f["insertions"] + f["deletions"] for f in doc["files"]} == summed
    assert (doc["insertions"], doc["deletions"]) == (686, 123)
