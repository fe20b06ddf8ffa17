"""``patchtool rebase``: the tree equals ``git rebase``'s, and a conflict changes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.seriesdir import read_series

from .conftest import Repo


def _history(repo: Repo) -> None:
    repo.write("mm/a.c", "".join(f"a{i}\n" for i in range(60)))
    repo.write("mm/b.c", "".join(f"b{i}\n" for i in range(60)))
    repo.commit("base")
    repo.git("tag", "v1.0")
    repo.git("checkout", "-q", "-b", "topic")
    text = (repo.path / "mm/a.c").read_text()
    repo.write("mm/a.c", text.replace("a10\n", "a10 topic\n").replace("a40\n", "a40 topic\n"))
    repo.commit("mm: touch a10 and a40\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    repo.write("mm/b.c", (repo.path / "mm/b.c").read_text().replace("b20\n", "b20 topic\n"))
    repo.commit("mm: touch b20", author="Zoë Ağaoğlu <zoe@example.org>")
    repo.git("checkout", "-q", "-b", "upstream", "v1.0")
    repo.write("mm/a.c", "".join(f"new{i}\n" for i in range(5)) + (repo.path / "mm/a.c").read_text())  # offsets
    repo.write("mm/b.c", (repo.path / "mm/b.c").read_text().replace("b22\n", "b22 upstream\n"))  # 3-way
    repo.write("README", "unrelated\n")
    repo.commit("upstream work")
    repo.git("tag", "v1.1")
    repo.git("checkout", "-q", "-b", "clash", "v1.0")
    repo.write("mm/b.c", (repo.path / "mm/b.c").read_text().replace("b20\n", "b20 clash\n"))
    repo.commit("upstream clash")
    repo.git("checkout", "-q", "master")


def test_rebase_tree_equals_git_rebase(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _history(repo)
    folder = tmp_path / "s"
    assert main(["import", "v1.0..topic", "-o", str(folder), "--repo", str(repo.path)]) == 0
    before = read_series(folder)
    capsys.readouterr()
    assert main(["rebase", str(folder), "--onto", "v1.1", "--repo", str(repo.path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rewritten"] is True
    assert [p["status"] for p in doc["bases"][0]["patches"]] == ["offset", "3way"]
    after = read_series(folder)
    assert (after.base, after.base_commit) == ("v1.1", repo.git("rev-parse", "v1.1^{commit}").strip())
    assert [(p.subject, p.author, p.date, p.trailers, p.filename) for p in after.patches] == [
        (p.subject, p.author, p.date, p.trailers, p.filename) for p in before.patches]
    # The oracle: git rebase of the same commits.
    repo.git("checkout", "-q", "-b", "rebased", "topic")
    repo.git("rebase", "-q", "--onto", "v1.1", "v1.0", "rebased")
    want = repo.git("rev-parse", "rebased^{tree}").strip()
    assert doc["bases"][0]["result_tree"] == want
    # And the rewritten patch files apply with plain git am on the new base to that tree.
    repo.git("checkout", "-q", "-b", "replayed", "v1.1")
    names = (folder / "patches" / "series").read_text().split()
    repo.git("am", "-q", *[str(folder / "patches" / n) for n in names])
    assert repo.git("rev-parse", "HEAD^{tree}").strip() == want


def test_rebase_conflict_changes_nothing(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _history(repo)
    folder = tmp_path / "s"
    assert main(["import", "v1.0..topic", "-o", str(folder), "--repo", str(repo.path)]) == 0
    files = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    refs = repo.git("for-each-ref")
    capsys.readouterr()
    assert main(["rebase", str(folder), "--onto", "clash", "--repo", str(repo.path)]) == 1
    out = capsys.readouterr()
    assert "not rebased, nothing changed" in out.err
    b_patch = (folder / "patches" / (folder / "patches" / "series").read_text().split()[1]).read_text()
    hunk = next(line for line in b_patch.splitlines() if line.startswith("@@")).split(" @@")[0] + " @@"
    assert f"mm/b.c {hunk}: hunk #1 does not apply" in out.out and "|b20 clash" in out.out
    assert "mm/b.c: 3-way merge conflict: the patch and the base change the same lines" in out.out
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == files
    assert repo.git("for-each-ref") == refs


def test_forecast_lists_the_upstream_commits_on_the_series_lines(repo: Repo, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _history(repo)
    folder = tmp_path / "s"
    assert main(["import", "v1.0..topic", "-o", str(folder), "--repo", str(repo.path)]) == 0
    files = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert main(["rebase", str(folder), "--onto", "clash", "--forecast", "--json", "--repo", str(repo.path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(t["subject"], t["file"], t["patches"]) for t in doc["touches"]] == [("upstream clash", "mm/b.c", [2])]
    # v1.1 edits b22, in the context of patch 2's hunk; the 5 lines it puts atop mm/a.c touch nothing of patch 1.
    assert main(["rebase", str(folder), "--onto", "v1.1", "--forecast", "--json", "--repo", str(repo.path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(t["subject"], t["file"]) for t in doc["touches"]] == [("upstream work", "mm/b.c")]
    # The hunk's range, in the old base's numbering, is the one its header names.
    b_patch = (folder / "patches" / (folder / "patches" / "series").read_text().split()[1]).read_text()
    start, length = re.search(r"^@@ -(\d+),(\d+)", b_patch, re.MULTILINE).groups()  # type: ignore[union-attr]
    assert doc["touches"][0]["lines"] == [int(start), int(start) + int(length) - 1]
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == files  # a forecast writes nothing


def test_rebase_on_a_terminal_prints_checks_table(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # The same rendering as check: rich's table on a terminal (status symbols, colour), plain text when piped.
    _history(repo)
    folder = tmp_path / "s"
    assert main(["import", "v1.0..topic", "-o", str(folder), "--repo", str(repo.path)]) == 0
    capsys.readouterr()
    assert main(["rebase", str(folder), "--onto", "clash", "--repo", str(repo.path)]) == 1
    piped = capsys.readouterr().out
    assert "\x1b[" not in piped and "conflict" in piped
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["rebase", str(folder), "--onto", "clash", "--repo", str(repo.path)]) == 1
    tty = capsys.readouterr().out
    text = re.sub(r"\x1b\[[0-9;]*m", "", tty)
    assert "\x1b[" in tty and "clash (" in text and "┃" in text
    assert re.search(r"2 .*mm: touch b20.*conflict", text)


def test_rebase_names_its_stages_and_shows_them_on_a_terminal_only(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from patchtool.cli import common
    from patchtool.gitrepo import GitRepo
    from patchtool.lifecycle.rebase import rebase_series, store_rebased

    _history(repo)
    folder = tmp_path / "s"
    assert main(["import", "v1.0..topic", "-o", str(folder), "--repo", str(repo.path)]) == 0
    git, seen = GitRepo.open(repo.path), []
    outcome = rebase_series(git, read_series(folder), "v1.1", on_stage=seen.append)
    store_rebased(git, folder, outcome, on_stage=seen.append)
    assert seen == ["applying 2 patches on v1.1", "making 2 commits", "writing the patches as format-patch does",
                    "applying the patches as written, before the swap"]
    # The line itself: on stderr, on a terminal, once the work has taken PROGRESS_DELAY (0 here).
    capsys.readouterr()
    monkeypatch.setattr(common, "PROGRESS_DELAY", 0)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert main(["rebase", str(folder), "--onto", "v1.0", "--repo", str(repo.path)]) == 0
    assert "rebase" in capsys.readouterr().err
    assert main(["rebase", str(folder), "--onto", "v1.1", "--repo", str(repo.path), "--json"]) == 0
    assert capsys.readouterr().err == ""
