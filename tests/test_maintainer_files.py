"""MAINTAINERS files beyond the top one, as the base tree's ``.get_maintainer.conf`` asks.

U-Boot keeps ``board/*/MAINTAINERS`` and a ``.get_maintainer.conf`` saying
``--find-maintainer-files --maintainer-path=.``.  The repository here is real
and U-Boot-shaped: a top MAINTAINERS whose ACME BOARD entry is out of date,
``board/acme/MAINTAINERS`` with the current one (patterns relative to the top),
``board/acme/rev2/MAINTAINERS`` that opens with type lines (so it continues
the section before it, as get_maintainer.pl joins the files' lines),
``drivers/foo/MAINTAINERS`` (a directory named without its slash, an N:), a
``MAINTAINERS.old`` that is not read, and ``board/README``.  The oracle is the
kernel's own ``scripts/get_maintainer.pl`` run in a checkout of the base
(``PATCHTOOL_KERNEL_TREE``, default Debian's linux-source-6.1; skipped with
the reason without it), with each conf; sections, depths' order and
addresses are compared per file, and through ``diffstat --by subsystem``,
``lint`` (recipients, ``--fix``) and ``status`` on a series imported from it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.maintainers import Maintainers, email_address
from patchtool.maintainers.conf import find_order, parse_conf
from patchtool.owners import maintainers_at

from .conftest import Repo

KERNEL_TREE = os.environ.get("PATCHTOOL_KERNEL_TREE", "/root/.cache/patchtool-kernel/linux-source-6.1")
SCRIPT = Path(KERNEL_TREE, "scripts", "get_maintainer.pl")
needs_get_maintainer = pytest.mark.skipif(
    not (SCRIPT.is_file() and shutil.which("perl")),
    reason=f"no {SCRIPT} (set PATCHTOOL_KERNEL_TREE to a Linux source tree) or no perl: "
    "get_maintainer.pl is the oracle here",
)
# The command-line options after the conf's: no git, nothing that needs a kernel tree.
NO_GIT = ("--no-tree", "--no-git", "--no-git-fallback", "--no-keywords", "--no-mailmap")

# U-Boot's own .get_maintainer.conf (its whole text).
UBOOT_CONF = ("--find-maintainer-files\n--git\n--git-min-percent 15\n--git-since 6-months-ago\n"
              "--git-max-maintainers 2\n--maintainer-path=.\n")

TOP = """\
List of maintainers (U-Boot layout)

ACME BOARD
M:\tOld Owner <old@example.org>
S:\tMaintained
F:\tboard/acme/

DRIVER MODEL
M:\tDee Em <dm@example.org>
L:\tu-boot@lists.example.org
S:\tMaintained
F:\tdrivers/core/
F:\tinclude/dm/

THE REST
M:\tTom Rini <trini@example.org>
L:\tu-boot@lists.example.org
S:\tMaintained
F:\t*
F:\t*/
"""
ACME = """\
ACME BOARD
M:\tNew Owner <new@example.org>
R:\tAcme Reviewer <review@acme.example>
S:\tMaintained
F:\tboard/acme/
F:\tconfigs/acme_defconfig
F:\tinclude/configs/acme.h

ACME REV1
M:\tRev One <rev1@acme.example>
S:\tMaintained
F:\tconfigs/acme_rev1_defconfig
"""
# Opens with type lines: get_maintainer.pl appends them to the section read last (ACME REV1).
REV2 = """\
F:\tboard/acme/rev2/
M:\tRev Two <rev2@acme.example>
"""
FOO = """\
FOO DRIVER
M:\tFoo Dev <foo@example.org>
L:\tfoo@lists.example.org
S:\tSupported
F:\tdrivers/foo/bar
N:\tfoo_.*\\.c

FOO DRIVER CORE
M:\tCore Keeper <core@example.org>
S:\tOdd Fixes
F:\tdrivers/foo/core.c
"""
BOARD_README = "Board support.\nM: this line looks like a type line but the file is not MAINTAINERS\n"
OLD = "OLD COPY\nM:\tNobody <nobody@example.org>\nF:\tboard/\n"

FILES = {
    "MAINTAINERS": TOP,
    "board/README": BOARD_README,
    "board/acme/MAINTAINERS": ACME,
    "board/acme/MAINTAINERS.old": OLD,
    "board/acme/rev2/MAINTAINERS": REV2,
    "drivers/foo/MAINTAINERS": FOO,
}
SOURCES = ("board/acme/board.c", "board/acme/rev2/r2.c", "configs/acme_defconfig", "configs/acme_rev1_defconfig",
           "include/configs/acme.h", "drivers/foo/core.c", "drivers/foo/bar/bar.c", "drivers/foo/foo_extra.c",
           "drivers/core/device.c", "include/dm/device.h", "lib/string.c", "Makefile")
# (subject, files) of the series on top of the base.
PATCHES = (
    ("acme: board: init the clocks", ("board/acme/board.c", "configs/acme_defconfig")),
    ("acme: rev2: a new revision", ("board/acme/rev2/r2.c",)),
    ("foo: core and bar", ("drivers/foo/core.c", "drivers/foo/bar/bar.c")),
    ("acme: MAINTAINERS: add a reviewer", ("board/acme/MAINTAINERS",)),
    ("lib: string: a helper", ("lib/string.c",)),
)


def build(repo: Repo, conf: str | None, conf_name: str = ".get_maintainer.conf", **extra: str) -> None:
    """The base (tagged ``base``) with ``conf``, and the series on top."""
    for path, text in {**FILES, **extra}.items():
        repo.write(path, text)
    for path in SOURCES:
        repo.write(path, f"/* {path} */\n")
    if conf is not None:
        repo.write(conf_name, conf)
    repo.commit("Initial import")
    repo.git("tag", "base")
    for subject, paths in PATCHES:
        for path in paths:
            repo.write(path, (repo.path / path).read_text() + f"/* {subject} */\n")
        repo.commit(f"{subject}\n\nWhy.\n\nSigned-off-by: Ada Lovelace <ada@example.org>")


def checkout(repo: Repo, dest: Path) -> Path:
    """The base's files on disk, where get_maintainer.pl runs (it asks the file system)."""
    dest.mkdir()
    archive = subprocess.run(["git", "archive", "base"], cwd=repo.path, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def get_maintainer(tree: Path, *args: str, ok: bool = True) -> list[str]:
    home = tree.parent / "home"  # empty: $HOME/.get_maintainer.conf must not be found
    home.mkdir(exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LC_ALL": "C"}
    proc = subprocess.run(["perl", str(SCRIPT), *NO_GIT, *args], cwd=tree, capture_output=True, text=True,
                          env=env)
    assert (proc.returncode == 0) is ok, proc.stderr
    return [line for line in proc.stdout.split("\n") if line]


def their_sections(tree: Path, path: str) -> list[str]:
    return get_maintainer(tree, "--subsystem", "--no-email", "--no-l", "-f", path)


def their_addresses(tree: Path, *args: str) -> set[str]:
    return {(email_address(e) or e).casefold() for e in get_maintainer(tree, "--no-rolestats", *args)}


def their_answer(tree: Path, path: str) -> tuple[list[str], set[str]]:
    """(sections, addresses) for one file, from one run: the names (without "@") follow the addresses."""
    lines = get_maintainer(tree, "--no-rolestats", "--subsystem", "-f", path)
    return [n for n in lines if "@" not in n], {(email_address(e) or e).casefold() for e in lines if "@" in e}


def assert_same(ours: Maintainers, theirs: tuple[list[str], set[str]], path: str) -> None:
    got = ours.sections_for(path)
    names, addresses = theirs
    assert {m.section.name for m in got} == set(names), path
    depth = {m.section.name: m.depth for m in got}
    assert [depth[n] for n in names] == sorted((depth[n] for n in names), reverse=True), path  # deepest first
    assert {a.casefold() for a in ours.recipients([path]).addresses()} == addresses, path


def table(repo: Repo, paths: tuple[str, ...] | None = SOURCES) -> Maintainers:
    found = maintainers_at(GitRepo.open(repo.path), "base", only_paths=paths)
    assert found is not None
    return found


def found_on_disk(tree: Path) -> list[str]:
    """What File::Find's walk keeps: regular files called MAINTAINERS, .git skipped."""
    return [str(p.relative_to(tree)) for p in tree.rglob("MAINTAINERS") if p.is_file() and ".git" not in p.parts]


# -- the conf and the files it chooses, against get_maintainer.pl ---------------------------------------------

CONFS = {
    # U-Boot's: walk the whole tree for MAINTAINERS files.
    "u-boot": (UBOOT_CONF, ["MAINTAINERS", "board/acme/MAINTAINERS", "board/acme/rev2/MAINTAINERS",
                            "drivers/foo/MAINTAINERS"]),
    # Alone it walks nothing: in v6.1 the walk is of a --maintainer-path directory only.
    "find-alone": ("--find-maintainer-files\n", ["MAINTAINERS"]),
    # Getopt::Long: case-insensitive names, a single dash, the value as the next word, "#" ends a line.
    "spelling": ("# comment line\n-FIND-maintainer-files   # a comment\n--maintainer-path board\n",
                 ["board/acme/MAINTAINERS", "board/acme/rev2/MAINTAINERS"]),
    # A directory without the walk: every entry not starting with "."; subdirectories read as nothing.
    "folder": ("--mpath=board/acme\n", ["board/acme/MAINTAINERS", "board/acme/MAINTAINERS.old",
                                        "board/acme/board.c"]),
    "folder-top-files": ("--mpath=board/\n", ["board/README"]),
    # One file; the last --mpath wins.
    "file": ("--mpath=MAINTAINERS --maintainer-path=drivers/foo/MAINTAINERS\n", ["drivers/foo/MAINTAINERS"]),
    # "=s" takes the next word whatever it is: this --mpath is --git-since's value.
    "swallowed": ("--git-since --mpath=drivers/foo/MAINTAINERS\n", ["MAINTAINERS"]),
    "no-conf": (None, ["MAINTAINERS"]),
}


@needs_get_maintainer
@pytest.mark.parametrize("name", sorted(CONFS))
def test_sections_and_addresses_are_get_maintainers(repo: Repo, tmp_path: Path, name: str) -> None:
    conf, files = CONFS[name]
    build(repo, conf)
    tree = checkout(repo, tmp_path / "tree")
    theirs = {path: their_answer(tree, path) for path in SOURCES}
    for ours in (table(repo), table(repo, None)):
        assert ours.source.files == tuple(files)
        assert ours.source.configured is (conf is not None and name != "swallowed")
        for path in SOURCES:
            assert_same(ours, theirs[path], path)


@needs_get_maintainer
def test_the_walk_finds_what_file_find_finds(repo: Repo, tmp_path: Path) -> None:
    build(repo, UBOOT_CONF)
    tree = checkout(repo, tmp_path / "tree")
    files = table(repo).source.files
    assert sorted(files) == sorted(found_on_disk(tree))
    assert files[0] == "MAINTAINERS"  # the top directory's own files come before its subdirectories'
    assert files.index("board/acme/MAINTAINERS") + 1 == files.index("board/acme/rev2/MAINTAINERS")
    ours = table(repo)
    # rev2's leading F:/M: lines continue ACME REV1, the section read last before them.
    rev1 = ours.section("ACME REV1")
    assert rev1 is not None and rev1.file == "board/acme/MAINTAINERS" and "board/acme/rev2/" in rev1.files
    assert their_sections(tree, "board/acme/rev2/r2.c")[0] == "ACME REV1"
    acme = [s for s in ours.sections if s.name == "ACME BOARD"]
    assert [(s.file, s.line) for s in acme] == [("MAINTAINERS", 3), ("board/acme/MAINTAINERS", 1)]


@needs_get_maintainer
def test_the_conf_in_dot_scripts(repo: Repo, tmp_path: Path) -> None:
    build(repo, UBOOT_CONF, conf_name=".scripts/.get_maintainer.conf")
    tree = checkout(repo, tmp_path / "tree")
    ours = table(repo)
    assert ours.source.conf is not None and ours.source.conf.path == ".scripts/.get_maintainer.conf"
    assert len(ours.source.files) == 4
    for path in SOURCES:
        assert_same(ours, their_answer(tree, path), path)


@needs_get_maintainer
def test_a_patch_file_as_get_maintainer_reads_it(repo: Repo, tmp_path: Path) -> None:
    """The whole series as one patch: get_maintainer.pl's order of sections for sorted paths."""
    build(repo, UBOOT_CONF)
    tree = checkout(repo, tmp_path / "tree")
    patch = tmp_path / "all.patch"
    patch.write_bytes(subprocess.run(["git", "diff", "base", "HEAD"], cwd=repo.path, capture_output=True,
                                     check=True).stdout)
    paths = sorted({p for _, ps in PATCHES for p in ps})
    ours = table(repo, tuple(paths))
    theirs = get_maintainer(tree, "--subsystem", "--no-email", "--no-l", str(patch))
    assert set(theirs) == {s.name for s in ours.recipients(paths).sections}
    assert {a.casefold() for a in ours.recipients(paths).addresses()} == their_addresses(tree, str(patch))


# -- what is read: the MAINTAINERS blobs only, in three git calls ------------------------------------------------


def test_only_maintainers_blobs_are_read(repo: Repo, tmp_path: Path) -> None:
    build(repo, UBOOT_CONF)
    git = GitRepo.open(repo.path)
    read = ["MAINTAINERS", "board/acme/MAINTAINERS", "board/acme/rev2/MAINTAINERS", "drivers/foo/MAINTAINERS"]
    keep = {git.text("rev-parse", f"base:{p}").strip() for p in [*read, ".get_maintainer.conf"]}
    listing = git.text("ls-tree", "-r", "base").split("\n")
    dropped = 0
    for line in filter(None, listing):
        oid = line.split()[2]
        loose = repo.path / ".git" / "objects" / oid[:2] / oid[2:]
        if oid not in keep and loose.exists():
            loose.unlink()  # a blob read now would be "missing": the answer would change or git would fail
            dropped += 1
    assert dropped == len(SOURCES) + 2  # board/README and MAINTAINERS.old too
    trace = tmp_path / "trace"
    os.environ["GIT_TRACE"] = str(trace)
    try:
        ours = maintainers_at(git, "base", only_paths=SOURCES)
    finally:
        del os.environ["GIT_TRACE"]
    assert ours is not None and list(ours.source.files) == read
    commands = [subcommand(line.split("trace: built-in: git ", 1)[1].split())
                for line in trace.read_text().split("\n") if "trace: built-in: git " in line]
    assert commands == ["cat-file", "diff-tree", "cat-file"], commands


def subcommand(argv: list[str]) -> str:
    """``-c k=v --git-dir=... cat-file --batch`` -> ``cat-file``."""
    words = iter(argv)
    for word in words:
        if word == "-c":
            next(words)
        elif not word.startswith("-"):
            return word
    return ""


# -- the commands that print ---------------------------------------------------------------------------------


def imported(repo: Repo, tmp_path: Path) -> Path:
    out = tmp_path / "series" / "acme"
    assert main(["import", "base..HEAD", "-o", str(out), "--repo", str(repo.path)]) == 0
    return out


@needs_get_maintainer
def test_diffstat_by_subsystem(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(repo, UBOOT_CONF)
    tree = checkout(repo, tmp_path / "tree")
    folder = imported(repo, tmp_path)
    capsys.readouterr()
    assert main(["diffstat", str(folder), "--by", "subsystem", "--json", "--repo", str(repo.path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["maintainers"] == {"files": ["MAINTAINERS", "board/acme/MAINTAINERS", "board/acme/rev2/MAINTAINERS",
                                            "drivers/foo/MAINTAINERS"],
                                  "conf": {"path": ".get_maintainer.conf",
                                           "options": ["--find-maintainer-files", "--maintainer-path=."]}}
    for entry in doc["files"]:
        theirs = their_sections(tree, entry["path"])
        assert set(entry["sections"]) == set(theirs), entry["path"]
        assert entry["most_specific"] in theirs
    rows = {r["section"]: r["files"] for r in doc["subsystems"]}
    assert rows["FOO DRIVER CORE"] == ["drivers/foo/core.c"]
    assert rows["FOO DRIVER"] == ["drivers/foo/bar/bar.c"]  # "F: drivers/foo/bar" is a directory: "-d" says so
    assert rows["ACME REV1"] == ["board/acme/rev2/r2.c"]
    assert main(["diffstat", str(folder), "--by", "subsystem", "--repo", str(repo.path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ("patchtool: 4 MAINTAINERS files read as .get_maintainer.conf says "
                            "(--find-maintainer-files --maintainer-path=.): MAINTAINERS, board/acme/MAINTAINERS, "
                            "board/acme/rev2/MAINTAINERS, drivers/foo/MAINTAINERS\n")
    assert " FOO DRIVER CORE " in captured.out and " ACME REV1 " in captured.out


@needs_get_maintainer
def test_lint_recipients_and_fix(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(repo, UBOOT_CONF)
    tree = checkout(repo, tmp_path / "tree")
    folder = imported(repo, tmp_path)
    capsys.readouterr()
    main(["lint", str(folder), "--repo", str(repo.path), "--json"])
    doc = json.loads(capsys.readouterr().out)
    messages = [f["message"] for f in doc["findings"] if f["rule"] == "recipients"]
    read = [m for m in messages if m.startswith("4 MAINTAINERS files read as .get_maintainer.conf says")]
    assert len(read) == 1
    messages.remove(read[0])
    assert ("New Owner <new@example.org> (M: ACME BOARD in board/acme/MAINTAINERS) is not in To/Cc "
            "(patches 1, 2, 4)") in messages
    named = {email_address(m.split(" (", 1)[0]) or m.split(" (", 1)[0] for m in messages}
    theirs: set[str] = set()
    for name in (folder / "patches" / "series").read_text().split():
        theirs |= their_addresses(tree, str(folder / "patches" / name))
    assert {a.casefold() for a in named} == theirs
    main(["lint", str(folder), "--repo", str(repo.path), "--fix"])
    capsys.readouterr()
    cc = tomllib.loads((folder / "series.toml").read_text())["cc"]
    assert "New Owner <new@example.org>" in cc and "Old Owner <old@example.org>" in cc  # get_maintainer mails both
    # What only THE REST names is information, not added.
    only_the_rest = {"trini@example.org", "u-boot@lists.example.org"}
    assert {(email_address(e) or e).casefold() for e in cc} == theirs - only_the_rest


@needs_get_maintainer
def test_status(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(repo, UBOOT_CONF)
    tree = checkout(repo, tmp_path / "tree")
    folder = imported(repo, tmp_path)
    capsys.readouterr()
    main(["status", str(folder), "--repo", str(repo.path), "--all-sections", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["maintainers"]["files"][1:] == ["board/acme/MAINTAINERS", "board/acme/rev2/MAINTAINERS",
                                               "drivers/foo/MAINTAINERS"]
    assert {(s["section"], s["file"]) for s in doc["sections"]} >= {
        ("ACME BOARD", "MAINTAINERS"), ("ACME BOARD", "board/acme/MAINTAINERS"),
        ("FOO DRIVER", "drivers/foo/MAINTAINERS")}
    names = (folder / "patches" / "series").read_text().split()
    for patch, name in zip(doc["patches"], names, strict=True):
        theirs = get_maintainer(tree, "--subsystem", "--no-email", "--no-l", str(folder / "patches" / name))
        assert set(patch["sections"]) == set(theirs), name
    main(["status", str(folder), "--repo", str(repo.path)])
    text = capsys.readouterr().out
    assert "\n4 MAINTAINERS files read as .get_maintainer.conf says (--find-maintainer-files " \
           "--maintainer-path=.): MAINTAINERS, board/acme/MAINTAINERS" in text
    # Two sections called ACME BOARD, told apart by their files.
    assert "\nACME BOARD: no ack yet (patches 1, 4) from Old Owner <old@example.org>\n" in text
    assert "\nACME BOARD in board/acme/MAINTAINERS: no ack yet (patches 1, 4) from New Owner" in text


def test_without_a_conf_nothing_is_said(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(repo, None)
    folder = imported(repo, tmp_path)
    capsys.readouterr()
    assert main(["diffstat", str(folder), "--by", "subsystem", "--repo", str(repo.path)]) == 0
    assert capsys.readouterr().err == ""
    main(["status", str(folder), "--repo", str(repo.path), "--json"])
    assert json.loads(capsys.readouterr().out)["maintainers"] == {"files": ["MAINTAINERS"], "conf": None}


# -- bad confs: one line, exit 2, where get_maintainer.pl stops too -------------------------------------------------


@needs_get_maintainer
@pytest.mark.parametrize(("conf", "message"), [
    ("--mpath=nowhere\n", ".get_maintainer.conf: --maintainer-path=nowhere: no such file or folder in the base tree"),
    ("--mpath=empty\n", ".get_maintainer.conf: --maintainer-path=empty: no file in that folder"),
    ("--find-maintainer-files --mpath=drivers/core\n",
     ".get_maintainer.conf: --maintainer-path=drivers/core: no file called MAINTAINERS in that folder"),
    ("--mpath\n", ".get_maintainer.conf: --mpath needs a value"),
])
def test_a_conf_get_maintainer_refuses(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       conf: str, message: str) -> None:
    build(repo, conf, **{"empty/.keep": ""})
    tree = checkout(repo, tmp_path / "tree")
    get_maintainer(tree, "-f", "lib/string.c", ok=False)
    folder = imported(repo, tmp_path)
    capsys.readouterr()
    assert main(["diffstat", str(folder), "--by", "subsystem", "--repo", str(repo.path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"patchtool: {message}") and err.count("\n") == 1, err


def test_a_path_outside_the_tree_is_bad_input(repo: Repo) -> None:
    for value in ("/etc", "~/MAINTAINERS", "../MAINTAINERS"):
        with pytest.raises(BadInput, match="outside the tree"):
            build_conf_only(repo, f"--maintainer-path={value}\n")


def build_conf_only(repo: Repo, conf: str) -> None:
    repo.write("MAINTAINERS", TOP)
    repo.write(".get_maintainer.conf", conf)
    repo.commit("conf")
    maintainers_at(GitRepo.open(repo.path), "HEAD", only_paths=["Makefile"])


def test_conf_words_and_file_find_order() -> None:
    conf = parse_conf("--git-min-percent 15 --git-min-signatures x --find-maintainer-files\n", "c")
    assert conf.find_maintainer_files  # "=i" does not take a word that is not a number
    assert parse_conf("+find-maintainer-files\n-- --mpath=x\n").options == ("--find-maintainer-files",)
    with pytest.raises(BadInput, match="takes no value"):
        parse_conf("--find-maintainer-files=1\n")
    assert find_order(["b/MAINTAINERS", "A/x/MAINTAINERS", "MAINTAINERS", "A/MAINTAINERS", "A/B/MAINTAINERS"]) == [
        "MAINTAINERS", "A/MAINTAINERS", "A/B/MAINTAINERS", "A/x/MAINTAINERS", "b/MAINTAINERS"]
