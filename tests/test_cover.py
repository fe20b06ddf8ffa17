"""`patchtool cover` against git: format-patch's cover letter, `git shortlog -w`, `git diff --stat`.

Series come from commits of a real repository (imported as a range and
written as a series folder); the expected blocks are what git prints for
those commits in the test.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest
import tomli_w

from patchtool.cli import main
from patchtool.model import Cover, Person
from patchtool.seriesdir import write_series
from patchtool.sources import load_source
from tests.conftest import Repo


def build(repo: Repo, patches: int = 3, mailmap: str | None = None) -> None:
    repo.write("kernel/audit.c", "".join(f"a{i}\n" for i in range(50)))
    repo.write("fs/io_uring.c", "".join(f"b{i}\n" for i in range(50)))
    if mailmap is not None:
        repo.write(".mailmap", mailmap)
    repo.commit("base")
    repo.git("tag", "v1")
    authors = ["Paul Moore <paul@paul-moore.com>", "Casey Schaufler <casey@schaufler-ca.com>",
               "Mickaël Salaün <mic@example.org>", "old name <old@example.org>"]
    for i in range(patches):
        path = "kernel/audit.c" if i % 2 else "fs/io_uring.c"
        text = (repo.path / path).read_text()
        repo.write(path, text.replace(f"{'a' if i % 2 else 'b'}{i}\n", f"changed {i}\nadded {i}\n"))
        repo.write(f"new/file{i}.c", "x\n" * (i + 1))
        subject = f"area{i}: a subject long enough to be wrapped by git's shortlog at seventy-two columns {i}"
        repo.commit(subject, author=authors[i % len(authors)])


def series_folder(repo: Repo, tmp_path: Path, **changes: object) -> Path:
    series = replace(load_source("v1..master", name="s", repo_path=repo.path), base="v1", **changes)
    folder = tmp_path / "series" / "s"
    write_series(series, folder)
    return folder


def cover(folder: Path, repo: Repo, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["cover", str(folder), "--repo", str(repo.path), *args]) == 0
    return capsys.readouterr().out


def git_cover(repo: Repo, *args: str) -> str:
    return repo.git("format-patch", "--stdout", "--cover-letter", "--base=v1", *args, "v1..master").split(
        "\nFrom ")[0] + "\n"


def test_git_template_equals_format_patch_cover(repo: Repo, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    build(repo)
    folder = series_folder(repo, tmp_path, title="Add LSM hooks", cover=Cover(prose="Why this series.\n"),
                           to=("io-uring@vger.kernel.org",), version=2, rfc=True)
    ours = cover(folder, repo, capsys, "--template", "git")
    theirs = git_cover(repo, "-v2", "--rfc", "--to=io-uring@vger.kernel.org")
    theirs = theirs.replace("*** SUBJECT HERE ***", "Add LSM hooks").replace("*** BLURB HERE ***", "Why this series.")
    assert ours == theirs


def test_ten_patches_number_the_cover_00_of_10(repo: Repo, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    build(repo, patches=10)
    ours = cover(series_folder(repo, tmp_path), repo, capsys)
    assert ours == git_cover(repo)
    assert "Subject: [PATCH 00/10] *** SUBJECT HERE ***\n" in ours


def test_shortlog_template_blocks_equal_git(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(repo, patches=5)
    folder = series_folder(repo, tmp_path, title="T", render=MappingProxyType({"stat-width": 68}))
    ours = cover(folder, repo, capsys, "--template", "shortlog")
    expected = repo.git("shortlog", "-w", "v1..master") + repo.git("diff", "--stat=68", "--summary", "v1", "master")
    assert "\n\n" + expected + "\nbase-commit: " in ours
    # The command line's stat options win over the series'.
    ours = cover(folder, repo, capsys, "--template", "shortlog", "--stat-width", "50", "--stat-graph-width", "10")
    stat = repo.git("diff", "--stat=50", "--stat-graph-width=10", "--summary", "v1", "master")
    assert stat in ours


def test_mailmap_of_the_result_tree_is_honoured(repo: Repo, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    build(repo, patches=4, mailmap="Proper Name <proper@example.org> <old@example.org>\n")
    ours = cover(series_folder(repo, tmp_path), repo, capsys)
    assert "Proper Name (1):" in ours
    assert ours == git_cover(repo)
    shortlog_w = cover(series_folder(repo, tmp_path / "b"), repo, capsys, "--template", "shortlog")
    assert repo.git("shortlog", "-w", "v1..master") in shortlog_w


def test_changes_links_sender_and_date_from_series_toml(repo: Repo, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    build(repo)
    folder = series_folder(
        repo, tmp_path, title="Title", version=3,
        changes=MappingProxyType({2: "- fixed the thing", 3: "- dropped the dev/test patch"}),
        links=MappingProxyType({1: "https://lore.kernel.org/r/v1@x", 2: "https://lore.kernel.org/r/v2@x"}),
        cover=Cover(prose="Prose.\n", author=Person("Paul Moore", "paul@paul-moore.com"),
                    date="Wed, 11 Aug 2021 16:48:11 -0400"))
    ours = cover(folder, repo, capsys)
    assert "From: Paul Moore <paul@paul-moore.com>\nDate: Wed, 11 Aug 2021 16:48:11 -0400\n" in ours
    assert "Subject: [PATCH v3 0/3] Title\n" in ours
    assert ("Prose.\n\nChanges in v3:\n- dropped the dev/test patch\n\nChanges in v2:\n- fixed the thing\n\n"
            "- Link to v2: https://lore.kernel.org/r/v2@x\n- Link to v1: https://lore.kernel.org/r/v1@x\n\n") in ours


def test_user_template_gets_the_variables(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(repo)
    folder = series_folder(repo, tmp_path, title="Title")
    tpl = tmp_path / "mine.j2"
    tpl.write_text("{{ subject }}|{{ total }}|{% for a in authors %}{{ a.name }}={{ a.subjects|length }};"
                   "{% endfor %}|{{ patches[0].number }}|{{ base_commit[:7] }}|{{ range_diff }}|{{ signature }}\n")
    out = cover(folder, repo, capsys, "--template", str(tpl), "-o", str(tmp_path / "c.txt"))
    assert out == ""
    base = repo.git("rev-parse", "--short=7", "v1").strip()
    assert (tmp_path / "c.txt").read_text() == (
        f"[PATCH 0/3] Title|3|Casey Schaufler=1;Mickaël Salaün=1;Paul Moore=1;|1|{base}||2.39.5\n")


@pytest.mark.parametrize(("template", "message"), [
    ("{{ no_such_variable }}", "undefined"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "sandbox"),
    ("{{ cycler.__init__.__globals__ }}", "sandbox"),
    ("line one\n{% for x in %}", "syntax"),
])
def test_bad_user_templates_are_one_line_exit_2(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                template: str, message: str) -> None:
    build(repo)
    folder = series_folder(repo, tmp_path)
    tpl = tmp_path / "bad.j2"
    tpl.write_text(template)
    assert main(["cover", str(folder), "--repo", str(repo.path), "--template", str(tpl)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tpl) in err and message in err.lower()


def test_unknown_template_name_and_broken_to_header(repo: Repo, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    build(repo)
    folder = series_folder(repo, tmp_path)
    assert main(["cover", str(folder), "--repo", str(repo.path), "--template", "nope"]) == 2
    assert "nope" in capsys.readouterr().err
    doc = tomllib.loads((folder / "series.toml").read_text())
    doc["to"] = ["a@b\r\nBcc: x@y"]
    (folder / "series.toml").write_text(tomli_w.dumps(doc))
    assert main(["cover", str(folder), "--repo", str(repo.path)]) == 2
    assert "line break" in capsys.readouterr().err


def test_series_that_does_not_apply_is_refused(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(repo)
    folder = series_folder(repo, tmp_path)
    repo.write("fs/io_uring.c", "entirely different\n")
    repo.commit("upstream rewrote the file")
    repo.git("tag", "-f", "v1")
    doc = tomllib.loads((folder / "series.toml").read_text())
    doc.pop("base-commit", None)
    (folder / "series.toml").write_text(tomli_w.dumps(doc))
    assert main(["cover", str(folder), "--repo", str(repo.path)]) == 2
    assert "does not apply" in capsys.readouterr().err
