"""``check`` on many bases: git's base order, a first screen in 80 columns, each conflict once.

One repository, built by a single ``git fast-import``: 26 release tags in the
shape U-Boot names them (``v2023.07-rc1`` .. ``v2025.07``, the longest real
tag names of the test, 12 characters) on a line of upstream commits, and a
19-patch series on the oldest tag.  Upstream, in time order: lines inserted
above patches 1 and 11 (offsets), a context line of patch 4 changed (3way),
patch 6 picked up (applied), patch 9's line changed (a conflict, and patch 19
on the same file fails on top of it), patch 2's line changed (a second
conflict, patch 12 on top of it), and lines inserted above patch 9's (the same
conflict, found 10 lines further down).  The oracles: ``git for-each-ref
--sort=version:refname`` and ``git tag --sort=version:refname`` (with and
without ``versionsort.suffix``) for the order, ``git am -3`` for the verdicts.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from patchtool.cli import main
from patchtool.cli.check_summary import display_width
from tests.conftest import Repo
from tests.test_apply import git_am_oracle

Capsys = pytest.CaptureFixture[str]
WHO = b"Ada Lovelace <ada@example.org> 1628714897 -0400"
TAGS = [f"v{year}.{month:02d}{rc}" for year, month, rcs in [
    (2023, 7, 2), (2023, 10, 3), (2024, 1, 2), (2024, 4, 2), (2024, 7, 2), (2024, 10, 2), (2025, 1, 2),
    (2025, 4, 1), (2025, 7, 1)] for rc in [*(f"-rc{n}" for n in range(1, rcs + 1)), ""]]
FILES = 10
LINES = 120
PATCHES = 19
# Upstream commit (= tag index) -> what it changes.
OFFSET_AT, THREEWAY_AT, APPLIED_AT, CONFLICT9_AT, CONFLICT2_AT, MOVED9_AT = 3, 7, 10, 13, 19, 22


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def _commit(ref: str, message: str, parent: str | None, files: dict[int, list[str]], changed: list[int],
            mark: int) -> bytes:
    out = f"commit {ref}\nmark :{mark}\n".encode() + b"author " + WHO + b"\ncommitter " + WHO + b"\n"
    out += _data(message.encode()) + (f"from {parent}\n".encode() if parent else b"")
    for k in changed:
        out += f"M 100644 inline lib/f{k}.c\n".encode() + _data("".join(files[k]).encode())
    return out + b"\n"


def _line(i: int) -> tuple[int, int]:
    """(file, 0-based line) patch ``i`` changes: patch i + 10 the line after patch i's (so it cannot apply
    where patch i does not: a failure on top of a failed patch's file)."""
    return i % FILES, 30 if i < FILES else 31


def _text(k: int, j: int) -> str:
    """Line j of file k: tab-indented, as C is; line 33, in every patch's context, wider than a screen."""
    if j == 33:
        return f"\tf{k} line {j} /* {'a comment that runs on ' * 4}*/\n"
    return f"\tf{k} line {j}\n"


def _stream() -> bytes:
    files = {k: [_text(k, j) for j in range(LINES)] for k in range(FILES)}
    out = bytearray(_commit("refs/heads/master", "base", None, files, list(range(FILES)), mark=1))
    topic = {k: list(v) for k, v in files.items()}
    for i in range(1, PATCHES + 1):
        k, j = _line(i)
        topic[k][j] = f"\tf{k} line {j} patched by {i}\n"
        msg = f"lib/f{k}: patch {i}\n\nSigned-off-by: Ada Lovelace <ada@example.org>\n"
        out += _commit("refs/heads/topic", msg, ":1" if i == 1 else None, topic, [k], mark=100 + i)
    for c in range(1, len(TAGS)):
        changed: list[int] = []
        if c == OFFSET_AT:
            files[1][:0] = [f"\tf1 new line {n}\n" for n in range(5)]
            changed = [1]
        elif c == THREEWAY_AT:
            files[4][27] = "\tf4 line 27 reworded upstream\n"  # 3 lines above patch 4's: its context only
            changed = [4]
        elif c == APPLIED_AT:
            files[6][30] = "\tf6 line 30 patched by 6\n"  # patch 6, picked up upstream
            changed = [6]
        elif c == CONFLICT9_AT:
            files[9][30] = "\tf9 line 30 changed upstream\n"
            changed = [9]
        elif c == CONFLICT2_AT:
            files[2][30] = "\tf2 line 30 changed upstream\n"
            changed = [2]
        elif c == MOVED9_AT:
            files[9][:0] = [f"\tf9 new line {n}\n" for n in range(10)]
            changed = [9]
        out += _commit("refs/heads/master", f"upstream {c}", ":1" if c == 1 else None, files, changed, mark=1000 + c)
    for c, tag in enumerate(TAGS):
        out += f"reset refs/tags/{tag}\nfrom :{1 if c == 0 else 1000 + c}\n\n".encode()
    return bytes(out)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, Path]:
    root = tmp_path_factory.mktemp("matrix-output")
    path = root / "repo"
    path.mkdir()
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", "-b", "master"], cwd=path, check=True, env=env)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=_stream(), check=True, env=env)
    subprocess.run(["git", "reset", "-q", "--hard", "master"], cwd=path, check=True, env=env)
    folder = root / "series" / "lib"
    assert main(["import", f"{TAGS[0]}..topic", "-o", str(folder), "--repo", str(path)]) == 0
    return Repo(path), folder


def run(capsys: Capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def check(capsys: Capsys, matrix: tuple[Repo, Path], *args: str) -> tuple[int, str]:
    repo, folder = matrix
    code, out, err = run(capsys, "check", str(folder), "--repo", str(repo.path), "--jobs", "2", *args)
    assert err == ""
    return code, out


@pytest.fixture(scope="module")
def one_patch(matrix: tuple[Repo, Path]) -> tuple[Repo, Path]:
    """The series' first patch alone, for the tests of the order (a check per base in no time)."""
    repo, folder = matrix
    one = folder.parent / "one"
    assert main(["import", f"{TAGS[0]}..topic~{PATCHES - 1}", "-o", str(one), "--repo", str(repo.path)]) == 0
    return repo, one


def _quiet_check(matrix: tuple[Repo, Path], *args: str) -> tuple[int, str]:
    """``check`` outside a test's capsys (for the module's fixtures)."""
    repo, folder = matrix
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", str(folder), "--repo", str(repo.path), "--jobs", "2", *args])
    assert err.getvalue() == ""
    return code, out.getvalue()


@pytest.fixture(scope="module")
def screen(matrix: tuple[Repo, Path]) -> tuple[int, str]:
    """The default output of the 26-base check (exit code, stdout)."""
    return _quiet_check(matrix, "--base", "v20*")


@pytest.fixture(scope="module")
def doc(matrix: tuple[Repo, Path]) -> dict[str, Any]:
    """The same check's JSON."""
    return json.loads(_quiet_check(matrix, "--base", "v20*", "--json")[1])


def git_order(repo: Repo, *patterns: str) -> list[str]:
    return repo.git("for-each-ref", "--sort=version:refname", "--format=%(refname:short)", *patterns).split()


def base_lines(out: str) -> dict[str, str]:
    """Base name -> its verdict, from the line per base of the first screen (the lines after the first)."""
    found = {}
    for line in out.splitlines()[1:]:
        name, sep, verdict = line.partition("  ")
        if not sep or name.startswith(" "):
            break
        found[name] = verdict.strip()
    return found


def unwrapped(out: str) -> str:
    """The output with its wrapped lines joined: every run of white space one space."""
    return " ".join(out.split())


# -- the order of the bases ----------------------------------------------------------------------------


def test_git_sorts_the_release_before_its_rc_by_default(matrix: tuple[Repo, Path]) -> None:
    """What the tests below rely on, as git 2.39 does it: without versionsort.suffix, v2024.01 comes
    before v2024.01-rc1; with versionsort.suffix=-rc, after it."""
    repo, _ = matrix
    plain = repo.git("tag", "--sort=version:refname").split()
    assert plain.index("v2024.01") < plain.index("v2024.01-rc1") < plain.index("v2024.01-rc2")
    suffixed = repo.git("-c", "versionsort.suffix=-rc", "tag", "--sort=version:refname").split()
    assert suffixed.index("v2024.01-rc1") < suffixed.index("v2024.01-rc2") < suffixed.index("v2024.01")


@pytest.mark.parametrize("suffix", [None, "-rc"])
def test_bases_come_in_gits_version_order(one_patch: tuple[Repo, Path], capsys: Capsys, suffix: str | None) -> None:
    repo, _ = one_patch
    if suffix:
        repo.git("config", "versionsort.suffix", suffix)
    try:
        want = git_order(repo, "refs/tags")
        assert want == repo.git("tag", "--sort=version:refname").split()
        # Globs and plain refs, in no order: the whole list comes out in git's.
        given = ["v2025*", "v2024.0[47]*", "v2023*", "v2024.01-rc2", "v2024.10*", "v2024.01", "v2024.01-rc1"]
        random.Random(11).shuffle(given)
        args = [a for ref in given for a in ("--base", ref)]
        _, out = check(capsys, one_patch, *args, "--json")
        assert [b["base"] for b in json.loads(out)["bases"]] == want
        _, out = check(capsys, one_patch, *args)
        assert list(base_lines(out)) == want
    finally:
        if suffix:
            repo.git("config", "--unset", "versionsort.suffix")


def test_branches_and_tags_as_for_each_ref_sorts_them_revisions_last(one_patch: tuple[Repo, Path],
                                                                     capsys: Capsys) -> None:
    repo, _ = one_patch
    repo.git("branch", "stable-2024.10", "v2024.10")
    repo.git("branch", "fixes", "v2023.10")
    try:
        args = ["--base", "v2024.10^", "--base", "v2024.1*", "--base", "fixes", "--base", "stable-*",
                "--base", TAGS[0]]
        _, out = check(capsys, one_patch, *args, "--json")
        refs = git_order(repo, "refs/heads/fixes", "refs/heads/stable-*", "refs/tags/v2024.1*", f"refs/tags/{TAGS[0]}")
        assert [b["base"] for b in json.loads(out)["bases"]] == [*refs, "v2024.10^"]
    finally:
        repo.git("branch", "-D", "stable-2024.10", "fixes")


# -- the first screen ------------------------------------------------------------------------------------


def test_the_first_screen_fits_80_columns_and_60_lines(matrix: tuple[Repo, Path], screen: tuple[int, str],
                                                        doc: dict[str, Any], capsys: Capsys) -> None:
    code, out = screen
    lines = out.splitlines()
    assert code == 1
    assert max(display_width(line) for line in lines) <= 80, max(lines, key=display_width)
    assert len(lines) <= 60
    assert lines[0] == f"lib v1: {PATCHES} patches on {len(TAGS)} bases: 10 apply, 13 fail, 3 already hold some"
    said = base_lines(out)
    assert list(said) == git_order(matrix[0], "refs/tags")
    # Each line says what the JSON says: applies, or the first patch that does not.
    for b in doc["bases"]:
        statuses = [p["status"] for p in b["patches"]]
        if b["applies"]:
            assert said[b["base"]].startswith("applies") and b["result_tree"][:12] in said[b["base"]]
        else:
            assert said[b["base"]].startswith(f"fails at {statuses.index('conflict') + 1} (")
    # The whole table with -v, as before: a row per patch, a column per base.
    _, verbose = check(capsys, matrix, "--base", "v20*", "-v")
    rows = verbose.splitlines()
    assert rows[0].split()[-len(TAGS):] == list(said)
    assert [row.split()[0] for row in rows[1:PATCHES + 1]] == [str(i) for i in range(1, PATCHES + 1)]
    assert len(rows) > 3 * len(lines)


def test_each_distinct_conflict_is_shown_once(screen: tuple[int, str], doc: dict[str, Any]) -> None:
    _, out = screen
    # From the JSON: per (patch, file, hunk, message without the line of the nearest match), the bases.
    seen: dict[tuple[int, str, str, str], list[str]] = {}
    on_top: set[int] = set()
    for b in doc["bases"]:
        for p in b["patches"]:
            if p["status"] != "conflict":
                continue
            if p["touches_failed"]:
                on_top.add(p["number"])
                continue
            for prob in p["problems"]:
                if prob["hunk"]:
                    key = (p["number"], prob["file"], prob["hunk"], re.sub(r" at line \d+", "", prob["message"]))
                    seen.setdefault(key, []).append(b["base"])
    assert {k[0] for k in seen} == {2, 9} and on_top == {12, 19}
    nine = (9, "lib/f9.c", "@@ -28,7 +28,7 @@", "hunk #1 does not apply: context not found "
            "(nearest match, 6 of 7 lines equal)")
    assert len(seen[nine]) == len(TAGS) - CONFLICT9_AT  # at line 28, then at 38
    text = unwrapped(out)
    for (number, file, hunk, message), where in seen.items():
        assert out.count(f"\npatch {number}/{PATCHES} ") == 1
        assert out.count(f"  {file} {hunk}: ") == 1, f"patch {number}: {file} {hunk} on {where}"
        said = f"{file} {hunk}: {message}"
        assert said in text or said.replace("match,", "match at line 28,") in text
        block = text[text.index(f"patch {number}/{PATCHES} "):]
        assert f"fails on {len(where)} bases: {where[0]} to {where[-1]} " in block
    for number in on_top:  # a failure on top of a failed patch's file is counted, not explained again
        assert f"patch {number}/" not in out


def test_a_conflicts_lines_are_those_the_single_base_report_shows(matrix: tuple[Repo, Path],
                                                                  capsys: Capsys) -> None:
    """On a few bases there is room for the lines: the patch's and the base's, as ``check --base B`` prints them
    (a line wider than the screen cut, marked); a conflict found at different lines says each with its bases."""
    on = [TAGS[CONFLICT9_AT], TAGS[CONFLICT9_AT + 1], TAGS[MOVED9_AT]]
    _, out = check(capsys, matrix, *(a for t in on for a in ("--base", t)))
    _, single = check(capsys, matrix, "--base", on[0])
    assert max(display_width(line) for line in out.splitlines()) <= 80
    assert max(display_width(line) for line in single.splitlines()) > 80  # the long line, whole
    start = single.index("    the patch expects:\n")
    want = single[start:].splitlines()[:16]  # 2 headers and 7 lines each, patch 9 on its own base
    assert want[8] == "    the base has (line 28):" and all(line.startswith("      |") for line in want[9:16])
    want[8] = f"    the base has (line 28; 38 on {on[2]}):"  # on the third base, 10 lines further down
    got = out.splitlines()
    first = got.index(want[0], got.index(f"patch 9/{PATCHES} lib/f9: patch 9"))
    for mine, theirs in zip(got[first:first + 16], want, strict=True):
        assert mine == theirs or (mine.endswith("…") and theirs.startswith(mine[:-1])), (mine, theirs)
    assert out.count(got[first + 9]) == 2  # patch 9's conflict once for the three bases (patch 2's has one too)
    assert sum(1 for line in got[first:first + 16] if line.endswith("…")) == 2  # line 33, each side
    assert "lib/f9.c @@ -28,7 +28,7 @@: hunk #1 does not apply: context not found (nearest match, 6 of 7 " \
        "lines equal)" in unwrapped(out)  # the place is said below, per base


def test_verdicts_are_git_am_3s(matrix: tuple[Repo, Path], capsys: Capsys, tmp_path: Path) -> None:
    repo, folder = matrix
    mails = sorted((folder / "patches").glob("*.patch"))
    picked = [TAGS[OFFSET_AT], TAGS[THREEWAY_AT], TAGS[APPLIED_AT], TAGS[CONFLICT9_AT], TAGS[-1]]
    _, out = check(capsys, matrix, *(a for t in reversed(picked) for a in ("--base", t)))
    said = base_lines(out)
    assert list(said) == picked  # in git's order, whatever order they were given in
    for n, tag in enumerate(picked):
        oracle = git_am_oracle(repo, tag, mails, tmp_path / f"wt{n}")
        statuses = [s for s, _, _ in oracle]
        if statuses[-1] == "conflict":  # git am -3 stops at the first conflict
            assert re.match(rf"fails at {len(statuses)}\b", said[tag]), (tag, said[tag], statuses)
            continue
        counts = [f"{statuses.count(s)} {word}" for s, word in
                  [("offset", "offset"), ("3way", "3way"), ("applied", "already applied")] if s in statuses]
        assert said[tag] == "applies" + (f" ({', '.join(counts)})" if counts else "") + f"; tree {oracle[-1][1][:12]}"
    # In the terms of the history above:
    assert said[TAGS[APPLIED_AT]].startswith("applies (2 offset, 1 3way, 1 already applied); tree ")
    # The why as far as it fits: the file (the message's ": " parts follow while they fit)
    assert said[TAGS[CONFLICT9_AT]] == "fails at 9 (1 more after it, 1 3way, 1 already applied): lib/f9.c"
    assert said[TAGS[-1]] == "fails at 2 (3 more after it, 1 3way, 1 already applied): lib/f2.c"


def test_long_base_names_stand_as_a_legend(matrix: tuple[Repo, Path], capsys: Capsys) -> None:
    repo, _ = matrix
    long = ["maintainers/for-next-2025-07-15-with-fixes", "maintainers/for-next-2025-07-22-with-fixes"]
    for name, tag in zip(long, [TAGS[-2], TAGS[-1]], strict=True):
        repo.git("branch", name, tag)
    try:
        _, out = check(capsys, matrix, "--base", "maintainers/*", "--base", TAGS[0])
    finally:
        repo.git("branch", "-D", *long)
    lines = out.splitlines()
    assert max(display_width(line) for line in lines) <= 80
    assert lines[1].startswith("#1            fails at 2 ") and lines[2].startswith("#2            fails at 2 ")
    assert lines[3].startswith(f"{TAGS[0]}  applies")
    assert lines[4:6] == [f"#1 = {long[0]}", f"#2 = {long[1]}"]  # names are never cut: a legend says them
    assert "fails on #1, #2" in out


def test_display_width_is_what_a_terminal_shows() -> None:
    assert display_width("      |\tfoo") == 11  # the tab goes to column 8
    assert display_width("\t\tx") == 17
    assert display_width("日本") == 4


# -- bare patchtool -------------------------------------------------------------------------------------


def test_bare_patchtool_prints_the_help_and_exits_0(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("patchtool")
    argv = [str(script)] if script.exists() else [sys.executable, "-c", "from patchtool.cli import main; main()"]
    bare = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path)
    helped = subprocess.run([*argv, "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert (bare.returncode, bare.stderr) == (0, "")
    assert bare.stdout == helped.stdout and helped.returncode == 0
    assert bare.stdout.startswith("Usage: patchtool [OPTIONS] COMMAND [ARGS]...") and "  check " in bare.stdout
    assert main([]) == 0
