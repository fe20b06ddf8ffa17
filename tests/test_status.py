"""`patchtool status`: trailers per patch, and per touched MAINTAINERS section whether its M:/R: acked.

The repository is real: a base tagged ``base`` with a MAINTAINERS of
nested sections (a subtree and its more specific child, an X: that carves a
folder out, a folder named without its slash, a glob, a list-only section,
THE REST), a series imported from ``base..HEAD``, and review trailers
written into the series folder the way collected ones are (a replaced
``Patch`` through ``seriesdir.write_series``).  The trailers are git's: the
written folder is applied with ``git am`` and its commits' trailers
compared.  Which sections and people each patch answers to is checked
against the kernel's own ``scripts/get_maintainer.pl`` when
``PATCHTOOL_KERNEL_TREE`` names a Linux tree (skipped otherwise, as in
tests/test_maintainers.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.gitrepo import GitRepo
from patchtool.lifecycle.status import StatusReport, patch_sections, series_status
from patchtool.maintainers import email_address, parse_maintainers
from patchtool.model import Trailer
from patchtool.seriesdir import read_series, write_series

from .conftest import PINNED, Repo

ROOT = Path(__file__).resolve().parent.parent

MAINTAINERS = """\
List of maintainers
===================

A test tree's sections, in the kernel's layout.

Maintainers List
----------------

DOCS ABI
L:\tdocs@lists.example.org
F:\tDocumentation/ABI/

FOO DRIVER
M:\tFoo Maintainer <foo@example.org>
R:\tRita Reviewer <rita@example.org>
L:\tfoo@lists.example.org
S:\tMaintained
F:\tdrivers/foo/
X:\tdrivers/foo/legacy/

FOO DRIVER CORE
M:\tCore Keeper <core@example.org>
R:\tRex Reviewer <rex@example.org>
S:\tMaintained
F:\tdrivers/foo/core/

FOO HEADERS
M:\tFoo Maintainer <FOO@Example.ORG>
S:\tMaintained
F:\tinclude/linux/foo*.h

FOO LEGACY
M:\tOld Timer <old@example.org>
S:\tOdd Fixes
F:\tdrivers/foo/legacy

THE REST
M:\tLinus Torvalds <torvalds@linux-foundation.org>
L:\tlinux-kernel@vger.kernel.org
S:\tBuried alive in reporters
F:\t*
F:\t*/
"""

FILES = ("drivers/foo/main.c", "drivers/foo/core/engine.c", "drivers/foo/core/queue.c",
         "drivers/foo/legacy/old.c", "include/linux/foo_api.h", "Documentation/ABI/foo.txt", "README")
ADA = "Ada Lovelace <ada@example.org>"
OLD = "Old Timer <old@example.org>"
REX = "Rex Reviewer <rex@example.org>"
# (subject, files, author)
PATCHES = (
    ("foo: add a counter", ("drivers/foo/main.c",), ADA),
    ("foo: core: tune the engine", ("drivers/foo/core/engine.c",), ADA),
    ("foo: legacy: export the old path", ("drivers/foo/legacy/old.c", "include/linux/foo_api.h",
                                          "Documentation/ABI/foo.txt"), OLD),
    ("README: mention foo", ("README",), ADA),
    ("foo: core: one more knob", ("drivers/foo/core/engine.c",), REX),
    ("foo: core: a queue", ("drivers/foo/core/queue.c",), REX),
)
# What review brought, as `patchtool trailers` (or import of the replies) adds it.
COLLECTED = {
    1: ("Acked-by: Foo Maintainer <Foo@EXAMPLE.org>",),  # the address in another case
    2: ("Reviewed-by: Rita Reviewer <rita@example.org>",  # FOO DRIVER's reviewer, not FOO DRIVER CORE's
        "Tested-by: Core Keeper <core@example.org>"),  # a test is not consent
    3: ("Acked-by: Foo Maintainer <foo@home.example>",),  # another address: the name says who
    5: ("Signed-off-by: Core Keeper <core@example.org>",),  # the maintainer took it into their tree
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, Path]:
    """The repository (base tagged ``base``, the series on top) and the series folder with COLLECTED."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in PINNED.items():
            mp.setenv(key, value)
        top = tmp_path_factory.mktemp("status")
        repo = Repo(top / "repo")
        repo.path.mkdir()
        repo.git("init", "-q", "-b", "master")
        repo.write("MAINTAINERS", MAINTAINERS)
        for path in FILES:
            repo.write(path, "".join(f"line {i} of {path}\n" for i in range(10)))
        repo.commit("Initial import")
        repo.git("tag", "base")
        for subject, paths, author in PATCHES:
            for path in paths:
                repo.write(path, (repo.path / path).read_text() + f"{subject}\n")
            repo.commit(f"{subject}\n\nWhy it helps.\n\nSigned-off-by: {author}", author=author)
        folder = top / "series" / "foo"
        assert main(["import", "base..HEAD", "-o", str(folder), "--repo", str(repo.path)]) == 0
        add_trailers(folder, COLLECTED)
    return repo, folder


def add_trailers(folder: Path, extra: dict[int, tuple[str, ...]]) -> None:
    series = read_series(folder)
    patches = list(series.patches)
    for n, lines in extra.items():
        new = tuple(Trailer(*line.split(": ", 1)) for line in lines)
        patches[n - 1] = replace(patches[n - 1], trailers=patches[n - 1].trailers + new, raw=None)
    write_series(replace(series, patches=tuple(patches)), folder)


@pytest.fixture
def folder(built: tuple[Repo, Path], tmp_path: Path) -> Path:
    """A copy of the built series folder a test may change."""
    copy = tmp_path / "foo"
    shutil.copytree(built[1], copy)
    return copy


def status(repo: Repo, folder: Path, **kw: object) -> StatusReport:
    return series_status(read_series(folder), GitRepo.open(repo.path), **kw)  # type: ignore[arg-type]


def by_name(report: StatusReport) -> dict[str, tuple[str, tuple[int, ...], tuple[int, ...]]]:
    """section -> (state, patches, missing)."""
    return {s.name: (s.state, s.patches, s.missing) for s in report.sections or ()}


# -- trailers: git's ---------------------------------------------------------------------------------------


def test_trailers_per_patch_are_what_git_am_records(built: tuple[Repo, Path], tmp_path: Path) -> None:
    repo, folder = built
    report = status(repo, folder)
    clone = Repo(tmp_path / "clone")
    repo_path = str(repo.path)
    subprocess.run(["git", "clone", "-q", repo_path, str(clone.path)], check=True, capture_output=True)
    clone.git("checkout", "-q", "--detach", "base")
    names = (folder / "patches" / "series").read_text().split()
    clone.git("am", "-q", *(str(folder / "patches" / name) for name in names))
    out = clone.git("log", "--reverse", "--format=%x00%(trailers:unfold)", "base..HEAD")
    theirs = [[line for line in block.split("\n") if line] for block in out.split("\x00")[1:]]
    assert [[str(t) for t in p.trailers] for p in report.patches] == theirs
    assert any("Acked-by: Foo Maintainer <foo@home.example>" in block for block in theirs)
    assert [p.subject for p in report.patches] == [s for s, _, _ in PATCHES]


# -- sections and what covers them ----------------------------------------------------------------------------


def test_most_specific_sections_and_what_each_waits_for(built: tuple[Repo, Path]) -> None:
    report = status(*built)
    assert by_name(report) == {
        "DOCS ABI": ("info", (3,), ()),  # lists only: nobody to wait for
        "FOO DRIVER": ("ok", (1,), ()),
        "FOO DRIVER CORE": ("missing", (2, 5, 6), (2, 6)),  # Rita reviews FOO DRIVER; Rex is only R: here
        "FOO HEADERS": ("ok", (3,), ()),
        "FOO LEGACY": ("ok", (3,), ()),  # X: keeps legacy/ out of FOO DRIVER; its author is its M:
        "THE REST": ("info", (4,), ()),
    }
    assert report.ready is False
    assert [p.sections for p in report.patches] == [
        ("FOO DRIVER",), ("FOO DRIVER CORE",), ("DOCS ABI", "FOO HEADERS", "FOO LEGACY"), ("THE REST",),
        ("FOO DRIVER CORE",), ("FOO DRIVER CORE",)]
    how = {(s.name, c.patch): (c.how, c.matched, c.role) for s in report.sections or () for c in s.covered}
    assert how == {
        ("FOO DRIVER", 1): ("acked-by", "address", "M"),  # Foo@EXAMPLE.org is foo@example.org
        ("FOO HEADERS", 3): ("acked-by", "name", "M"),  # foo@home.example: Foo Maintainer by name
        ("FOO LEGACY", 3): ("author", "address", "M"),
        ("FOO DRIVER CORE", 5): ("signed-off-by", "address", "M"),
    }


def test_sections_tied_at_the_deepest_level_all_count() -> None:
    """get_maintainer.pl orders equally deep sections at random: none of them may be dropped."""
    table = parse_maintainers(MAINTAINERS.replace("FOO HEADERS\n", "FOO TRACE\nM:\tTracy <t@example.org>\n"
                                                  "F:\tdrivers/foo/core/\n\nFOO HEADERS\n"))
    path = "drivers/foo/core/engine.c"
    assert [(m.section.name, m.depth) for m in table.sections_for(path)][:2] == [
        ("FOO DRIVER CORE", 3), ("FOO TRACE", 3)]
    assert [s.name for s in patch_sections(table, [path])] == ["FOO DRIVER CORE", "FOO TRACE"]
    assert [s.name for s in patch_sections(table, [path], all_sections=True)] == [
        "FOO DRIVER", "FOO DRIVER CORE", "FOO TRACE", "THE REST"]


def test_all_sections_asks_the_parent_section_too(built: tuple[Repo, Path]) -> None:
    report = status(*built, all_sections=True)
    sections = by_name(report)
    assert sections["FOO DRIVER"] == ("missing", (1, 2, 5, 6), (5, 6))  # Rita's review covers 2 here
    assert sections["FOO DRIVER CORE"] == ("missing", (2, 5, 6), (2, 6))
    assert sections["THE REST"] == ("info", (1, 2, 3, 4, 5, 6), ())
    assert "FOO DRIVER" not in report.patches[2].sections  # drivers/foo/legacy/ is excluded


def test_every_patch_of_a_section_needs_its_own_ack(built: tuple[Repo, Path], folder: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    repo = built[0]
    add_trailers(folder, {2: ("Reviewed-by: Core Keeper <core@example.org>",)})
    assert by_name(status(repo, folder))["FOO DRIVER CORE"] == ("missing", (2, 5, 6), (6,))
    add_trailers(folder, {6: ("Acked-by: Rex Reviewer <REX@example.org>",)})  # an R: ack counts
    report = status(repo, folder)
    assert report.ready is True and not report.waiting
    assert main(["status", str(folder), "--repo", str(repo.path)]) == 0
    assert capsys.readouterr().out.rstrip().endswith("ready: every touched section has an ack, a review or "
                                                     "its maintainer's own patch")
    assert main(["status", str(folder), "--repo", str(repo.path), "--all-sections"]) == 1  # FOO DRIVER: 5, 6
    assert "FOO DRIVER (patches 5, 6)" in capsys.readouterr().out


def test_acks_from_outside_the_section_do_not_count(built: tuple[Repo, Path], folder: Path) -> None:
    repo = built[0]
    add_trailers(folder, {6: ("Acked-by: Foo Maintainer <foo@example.org>",
                              "Reviewed-by: Somebody Else <else@example.org>")})
    core = next(s for s in status(repo, folder).sections or () if s.name == "FOO DRIVER CORE")
    assert core.missing == (2, 6)
    assert [(n, t.value) for n, t in core.others] == [
        (2, "Rita Reviewer <rita@example.org>"), (6, "Foo Maintainer <foo@example.org>"),
        (6, "Somebody Else <else@example.org>")]


def test_text_output(built: tuple[Repo, Path], capsys: pytest.CaptureFixture[str]) -> None:
    repo, folder = built
    assert main(["status", str(folder), "--repo", str(repo.path)]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "3/6 foo: legacy: export the old path" in lines
    assert "    Acked-by: Foo Maintainer <foo@home.example>" in lines
    assert ("FOO HEADERS: acked by Foo Maintainer <foo@home.example> (patch 3; by name: M: Foo Maintainer "
            "<FOO@Example.ORG>)") in lines
    assert "FOO LEGACY: author is a maintainer (patch 3)" in lines
    assert ("FOO DRIVER CORE: signed off by maintainer Core Keeper <core@example.org> (patch 5); no ack yet "
            "(patches 2, 6) from Core Keeper <core@example.org>, Rex Reviewer <rex@example.org>; "
            "acks from others: Rita Reviewer <rita@example.org>") in lines
    assert "DOCS ABI: not waiting for anyone (patch 3)" in lines
    assert lines[-1] == "not ready: 1 section waits for an ack: FOO DRIVER CORE (patches 2, 6)"


def test_json(built: tuple[Repo, Path], capsys: pytest.CaptureFixture[str]) -> None:
    repo, folder = built
    assert main(["status", str(folder), "--repo", str(repo.path), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == 1 and doc["ready"] is False and doc["sections_mode"] == "most-specific"
    assert doc["base"] == "base" and doc["base_commit"] == repo.git("rev-parse", "base").strip()
    assert doc["patches"][0]["trailers"] == [
        {"key": "Signed-off-by", "value": ADA}, {"key": "Acked-by", "value": "Foo Maintainer <Foo@EXAMPLE.org>"}]
    core = next(s for s in doc["sections"] if s["section"] == "FOO DRIVER CORE")
    assert core["state"] == "missing" and core["missing"] == [2, 6] and core["patches"] == [2, 5, 6]
    assert core["covered"] == [{"patch": 5, "how": "signed-off-by", "person": "Core Keeper <core@example.org>",
                                "entry": "Core Keeper <core@example.org>", "role": "M", "matched": "address"}]


def test_status_changes_nothing(built: tuple[Repo, Path], folder: Path) -> None:
    repo = built[0]

    def snapshot() -> tuple[str, dict[str, bytes]]:
        refs = repo.git("for-each-ref") + repo.git("status", "--porcelain") + repo.git("rev-parse", "HEAD")
        return refs, {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    before = snapshot()
    assert main(["status", str(folder), "--repo", str(repo.path), "--all-sections"]) == 1
    assert snapshot() == before


# -- without a base, without MAINTAINERS, bad input ------------------------------------------------------------


def test_base_not_in_the_repository(built: tuple[Repo, Path], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    other = Repo(tmp_path / "other")
    other.path.mkdir()
    other.git("init", "-q", "-b", "master")
    other.write("README", "another project\n")
    other.commit("Start")
    folder = built[1]
    assert main(["status", str(folder), "--repo", str(other.path)]) == 2
    captured = capsys.readouterr()
    assert "    Acked-by: Foo Maintainer <foo@home.example>" in captured.out  # the trailers all the same
    assert "MAINTAINERS sections" not in captured.out
    assert captured.err.count("\n") == 1 and "is not in the repository" in captured.err
    assert main(["status", str(folder), "--repo", str(other.path), "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["sections"] is None and doc["ready"] is None and "not in the repository" in doc["note"]
    assert len(doc["patches"]) == len(PATCHES)


def test_no_repository_here(built: tuple[Repo, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    nowhere = tmp_path / "nowhere"
    nowhere.mkdir()
    monkeypatch.chdir(nowhere)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert main(["status", str(built[1])]) == 2
    captured = capsys.readouterr()
    assert "1/6 foo: add a counter" in captured.out
    assert captured.err.count("\n") == 1 and "no git repository" in captured.err


def test_base_without_maintainers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "master")
    repo.write("a.c", "int a;\n")
    repo.commit("Initial")
    repo.git("tag", "base")
    repo.write("a.c", "int a, b;\n")
    repo.commit(f"a: add b\n\nBecause.\n\nSigned-off-by: {ADA}")
    folder = tmp_path / "s"
    assert main(["import", "base..HEAD", "-o", str(folder), "--repo", str(repo.path)]) == 0
    capsys.readouterr()
    assert main(["status", str(folder), "--repo", str(repo.path)]) == 0
    captured = capsys.readouterr()
    assert "MAINTAINERS sections" in captured.out and "(none)" in captured.out
    assert "has no MAINTAINERS" in captured.err


def test_unknown_base_is_bad_input(built: tuple[Repo, Path], capsys: pytest.CaptureFixture[str]) -> None:
    repo, folder = built
    assert main(["status", str(folder), "--repo", str(repo.path), "--base", "v9.9-rc9"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "v9.9-rc9" in captured.err


def test_base_option_reads_that_refs_maintainers(built: tuple[Repo, Path], tmp_path: Path) -> None:
    repo = Repo(tmp_path / "clone")
    subprocess.run(["git", "clone", "-q", str(built[0].path), str(repo.path)], check=True, capture_output=True)
    repo.git("checkout", "-q", "--detach", "base")
    repo.write("MAINTAINERS", MAINTAINERS.replace("R:\tRex Reviewer <rex@example.org>\n", ""))
    repo.commit("MAINTAINERS: Rex steps down")
    repo.git("tag", "next")
    series = read_series(built[1])
    assert series_status(series, GitRepo.open(repo.path)).sections == status(*built).sections
    moved = series_status(series, GitRepo.open(repo.path), "next")
    core = next(s for s in moved.sections or () if s.name == "FOO DRIVER CORE")
    assert core.reviewers == () and moved.base == "next"


# -- the example series ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from patchtool.demo.build import build_base_repo

    path = tmp_path_factory.mktemp("demo") / "linux"
    build_base_repo(path)
    return path


def test_example_series(demo_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = ROOT / "series" / "io_uring-lsm"
    assert main(["status", str(example), "--repo", str(demo_repo)]) == 1
    out = capsys.readouterr().out
    report = series_status(read_series(example), GitRepo.open(demo_repo))
    assert by_name(report) == {
        "AUDIT SUBSYSTEM": ("ok", (1, 2, 3, 4), ()),  # Paul Moore's own patches
        "FILESYSTEMS (VFS and infrastructure)": ("missing", (5,), (5,)),
        "IO_URING": ("missing", (2, 6, 7), (2, 6, 7)),
        "SECURITY SUBSYSTEM": ("missing", (7,), (7,)),
        "SELINUX SECURITY MODULE": ("ok", (8,), ()),
        "SMACK SECURITY MODULE": ("ok", (9,), ()),  # Casey Schaufler's
        "THE REST": ("info", (5, 7), ()),
    }
    audit = next(s for s in report.sections or () if s.name == "AUDIT SUBSYSTEM")
    assert [t.value for _, t in audit.others] == ["Richard Guy Briggs <rgb@redhat.com>"]  # not an M:/R: of it
    assert "    Acked-by: Richard Guy Briggs <rgb@redhat.com>" in out.splitlines()


def test_readme_sample_is_what_the_command_prints(demo_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    command = "$ patchtool status io_uring-lsm --repo /tmp/linux\n"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert command in readme, "README.md lost the status sample"
    sample = readme.split(command, 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)  # "io_uring-lsm" is a name under ./series/
    assert main(["status", "io_uring-lsm", "--repo", str(demo_repo)]) == 1
    assert capsys.readouterr().out == sample


# -- oracle: the kernel's get_maintainer.pl ---------------------------------------------------------------

KERNEL_TREE = os.environ.get("PATCHTOOL_KERNEL_TREE", "")
needs_kernel_tree = pytest.mark.skipif(
    not (KERNEL_TREE and Path(KERNEL_TREE, "scripts", "get_maintainer.pl").is_file() and shutil.which("perl")),
    reason="set PATCHTOOL_KERNEL_TREE to a Linux source tree (with scripts/get_maintainer.pl) and install perl "
    "to compare with get_maintainer.pl itself",
)
NO_GIT = ("--no-tree", "--no-git", "--no-git-fallback", "--no-keywords")


def _get_maintainer(tree: Path, *args: str) -> list[str]:
    script = Path(KERNEL_TREE, "scripts", "get_maintainer.pl")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tree), "LC_ALL": "C"}
    proc = subprocess.run(["perl", str(script), "--mpath", str(tree / "MAINTAINERS"), *NO_GIT, *args],
                          cwd=tree, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return [line for line in proc.stdout.split("\n") if line]


def _base_tree(repo: Path, ref: str, dest: Path) -> Path:
    """The base's files on disk: get_maintainer.pl asks the file system what is a directory."""
    dest.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=repo, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def _oracle(report_most: StatusReport, report_all: StatusReport, folder: Path, tree: Path) -> None:
    names = (folder / "patches" / "series").read_text().split()
    series = read_series(folder)
    for patch, most, every, name in zip(series.patches, report_most.patches, report_all.patches, names,
                                        strict=True):
        mail = str(folder / "patches" / name)
        # Every section of the patch's files, as get_maintainer.pl lists them for the patch.
        assert set(every.sections) == set(_get_maintainer(tree, "--subsystem", "--no-email", "--no-l", mail)), name
        # The most specific: get_maintainer.pl lists a file's sections deepest first (these files have no ties).
        firsts = {_get_maintainer(tree, "--subsystem", "--no-email", "--no-l", "-f", path)[0]
                  for path in patch.paths}
        assert set(most.sections) == firsts, name
        # The people whose ack counts are the M:/R: get_maintainer.pl mails for the patch (Linus aside).
        sections = {s.name: s for s in report_all.sections or ()}
        ours = {email_address(e).casefold() for s in every.sections if s != "THE REST"
                for e in (*sections[s].maintainers, *sections[s].reviewers)}
        theirs = _get_maintainer(tree, "--no-rolestats", "--no-l", "--no-mailmap", mail)
        assert ours == {(email_address(e) or e).casefold() for e in theirs}, name


@needs_kernel_tree
def test_oracle_sections_and_people(built: tuple[Repo, Path], tmp_path: Path) -> None:
    repo, folder = built
    _oracle(status(repo, folder), status(repo, folder, all_sections=True), folder,
            _base_tree(repo.path, "base", tmp_path / "base"))


@needs_kernel_tree
def test_oracle_example_series(demo_repo: Path, tmp_path: Path) -> None:
    example = ROOT / "series" / "io_uring-lsm"
    series, git = read_series(example), GitRepo.open(demo_repo)
    tree = _base_tree(demo_repo, "v5.14-rc5", tmp_path / "base")
    assert all((tree / p).is_file() for patch in series.patches for p in patch.paths)  # -f needs the file
    _oracle(series_status(series, git), series_status(series, git, all_sections=True), example, tree)
