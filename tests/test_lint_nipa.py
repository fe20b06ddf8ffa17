"""Oracle: NIPA's own ``verify_fixes.sh`` and ``verify_signedoff.sh`` against ``verify_fixes``/``verify_signedoff``.

A repository gets a generated history: a base with commits to fix (a plain
subject, one with quotes, one with parentheses), a side branch, a
``.mailmap``, and one commit per case on top (good tags, short SHAs, wrong
subjects, every ellipsis form, non-ancestors, missing and name-only
sign-offs, other committers).  NIPA's scripts run on the range; patchtool
lints the same range as a series.  A commit is *flagged* by NIPA when its
script lists it (exit 1), by patchtool when the check gave an error for
that patch (its warnings, finer than NIPA, do not count).  Each case also
says what its author expects, so both tools are held to it.

One known difference, asserted as such: NIPA's "Target is not an ancestor
of this commit" test sits behind ``[ -z "$lsha" ]``, which the existence
check before it makes always false; patchtool flags a target outside the
base.

NIPA's scripts are GPL-2.0 files of github:linux-netdev/nipa and are not
part of this project: set ``PATCHTOOL_NIPA`` to a checkout of it (these
tests skip, saying so, without one).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from patchtool.gitrepo import GitRepo
from patchtool.lint import Severity, lint_series
from patchtool.sources.gitrange import read_range

from .conftest import Repo

NIPA = os.environ.get("PATCHTOOL_NIPA", "")
FIXES_SH = Path(NIPA, "tests", "patch", "verify_fixes", "verify_fixes.sh")
SIGNEDOFF_SH = Path(NIPA, "tests", "patch", "verify_signedoff", "verify_signedoff.sh")
pytestmark = pytest.mark.skipif(
    not (NIPA and FIXES_SH.is_file() and SIGNEDOFF_SH.is_file() and shutil.which("bash")),
    reason="set PATCHTOOL_NIPA to a checkout of github:linux-netdev/nipa (with tests/patch/verify_fixes) "
    "to compare with NIPA's own scripts",
)

ADA = "Ada Lovelace <ada@example.org>"
SOB = f"Signed-off-by: {ADA}"
BOB = "Bob Builder <bob@example.org>"

# name -> (Fixes lines, given the targets' ids), flagged by NIPA's script
FIXES_CASES: dict[str, tuple[str, bool]] = {
    "good": ('Fixes: {plain12} ("foo: make the thing work")', False),
    "lowercase tag": ('fixes: {plain12} ("foo: make the thing work")', False),
    "long sha": ('Fixes: {plain40} ("foo: make the thing work")', False),
    "short sha": ('Fixes: {plain8} ("foo: make the thing work")', True),
    "wrong subject": ('Fixes: {plain12} ("foo: make another thing work")', True),
    "ellipsis at the end": ('Fixes: {plain12} ("foo: make the ...")', False),
    "ellipsis at the start": ('Fixes: {plain12} ("... the thing work")', False),
    "ellipsis in the middle": ('Fixes: {plain12} ("foo: make ... work")', False),
    "wrong ellipsis": ('Fixes: {plain12} ("foo: break the ...")', True),
    "cut short": ('Fixes: {plain12} ("foo: make the")', False),
    "no quotes": ("Fixes: {plain12} (foo: make the thing work)", False),
    "no parentheses or quotes": ("Fixes: {plain12} foo: make the thing work", False),
    "typographic quotes": ("Fixes: {plain12} (\u201cfoo: make the thing work\u201d)", False),
    "single quotes": ("Fixes: {plain12} ('foo: make the thing work')", False),
    "no closing quote": ('Fixes: {plain12} ("foo: make the thing work)', True),
    "no closing parenthesis": ('Fixes: {plain12} ("foo: make the thing work"', True),
    "quotes in the subject": ('Fixes: {quoted12} ("foo: handle "quoted" names")', False),
    "parentheses in the subject": ('Fixes: {parens12} ("net: fix the (odd) case")', False),
    "no such commit": ('Fixes: 0123456789ab ("foo: make the thing work")', True),
    "leading commit word": ('Fixes: commit {plain12} ("foo: make the thing work")', True),
    "no space": ('Fixes: {plain12}("foo: make the thing work")', True),
    "no subject": ("Fixes: {plain12}", True),
    "no sha": ("Fixes: the bug in the foo driver", True),
    "two tags, one bad": ('Fixes: {plain12} ("foo: make the thing work")\nFixes: {plain12} ("foo: nope")', True),
    "not an ancestor": ('Fixes: {side12} ("side: a commit elsewhere")', False),  # see the module doc
}
NOT_ANCESTOR = {"not an ancestor"}


def _commit(repo: Repo, message: str, *, author: str = ADA, committer: str = ADA) -> str:
    repo.tick += 1
    date = f"Wed, 11 Aug 2021 {16 + repo.tick // 60:02d}:{repo.tick % 60:02d}:00 -0400"
    (an, ae), (cn, ce) = (p.rstrip(">").split(" <") for p in (author, committer))
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": an, "GIT_AUTHOR_EMAIL": ae,
           "GIT_COMMITTER_NAME": cn, "GIT_COMMITTER_EMAIL": ce}
    path = repo.path / "kernel" / "foo.c"
    path.write_text(path.read_text() + f"int c{repo.tick};\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message, env=env)
    return repo.git("rev-parse", "HEAD").strip()


def _nipa(repo: Repo, script: Path, rev_range: str) -> set[str]:
    """The commits NIPA's script lists (by the abbreviated ids it prints), as full ids."""
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    proc = subprocess.run(["bash", "-c", 'exec 3>/dev/null; DESC_FD=3 bash "$0" "$1"', str(script), rev_range],
                          cwd=repo.path, capture_output=True, text=True, env=env)
    listed = re.findall(r"^Commit:? ([0-9a-f]{7,40}) ", proc.stdout, re.M)
    assert (proc.returncode == 1) == bool(listed), proc.stdout + proc.stderr
    return {repo.git("rev-parse", short).strip() for short in listed}


def _patchtool(repo: Repo, rule: str) -> tuple[set[str], dict[str, list[str]]]:
    git = GitRepo.open(repo.path)
    series = read_range(git, "base..HEAD", name="s")
    report = lint_series(series, git, run_checkpatch=False)
    flagged = {series.patches[f.patch - 1].commit or "" for f in report.findings
               if f.rule == rule and f.severity is Severity.ERROR}
    messages: dict[str, list[str]] = {}
    for f in report.findings:
        if f.rule == rule:
            messages.setdefault(series.patches[f.patch - 1].commit or "", []).append(f.message)
    return flagged, messages


@pytest.fixture
def history(repo: Repo) -> dict[str, str]:
    """The base (tag ``base``), a side branch, and the ids the cases name."""
    repo.write("kernel/foo.c", "int foo;\n")
    repo.write(".mailmap", "Ada Lovelace <ada@example.org> <ada@old.example.org>\n")
    repo.commit("Initial import")
    ids = {"plain": _commit(repo, f"foo: make the thing work\n\n{SOB}")}
    ids["quoted"] = _commit(repo, f'foo: handle "quoted" names\n\n{SOB}')
    ids["parens"] = _commit(repo, f"net: fix the (odd) case\n\n{SOB}")
    repo.git("tag", "base")
    repo.git("checkout", "-q", "-b", "side")
    ids["side"] = _commit(repo, f"side: a commit elsewhere\n\n{SOB}")
    repo.git("checkout", "-q", "master")
    return ids


def test_verify_fixes_flags_what_nipas_script_flags(repo: Repo, history: dict[str, str]) -> None:
    names = {f"{k}{n}": v[:n] for k, v in history.items() for n in (8, 12, 40)}
    commits = {}
    for case, (tags, _) in FIXES_CASES.items():
        commits[case] = _commit(repo, f"foo: case {case}\n\nSay why.\n\n{tags.format(**names)}\n{SOB}")
    # Blank lines on both sides: the tag stands apart from the trailers.
    commits["blank lines around"] = _commit(
        repo, f"foo: case blank lines\n\nSay why.\n\nFixes: {names['plain12']} (\"foo: make the thing work\")\n\n{SOB}")
    commits["no tag"] = _commit(repo, f"foo: case no tag\n\nSay why.\n\n{SOB}")
    expected = {commits[c] for c, (_, flagged) in FIXES_CASES.items() if flagged} | {commits["blank lines around"]}

    nipa = _nipa(repo, FIXES_SH, "base..HEAD")
    ours, messages = _patchtool(repo, "fixes")
    by_id = {v: k for k, v in commits.items()}
    assert {by_id[c] for c in nipa} == {by_id[c] for c in expected}
    divergent = {commits[c] for c in NOT_ANCESTOR}
    assert {by_id[c] for c in ours - divergent} == {by_id[c] for c in nipa}
    assert divergent <= ours and not divergent & nipa
    assert messages[commits["not an ancestor"]] == [
        f"'Fixes: {names['side12']} (\"side: a commit elsewhere\")': target is not an ancestor of the base base"]
    # Finer than NIPA, and only warnings: the canonical form, a subject cut short.
    assert messages[commits["no parentheses or quotes"]] == [
        f"'Fixes: {names['plain12']} foo: make the thing work': should read "
        "'Fixes: <12+ hex digits> (\"<its subject>\")'"]
    assert messages[commits["cut short"]] == [
        f"'Fixes: {names['plain12']} (\"foo: make the\")': the subject is cut short without \"...\" "
        "(the target's is \"foo: make the thing work\")"]


SIGNOFF_CASES: dict[str, tuple[str, str, str, bool]] = {
    # name: (author, committer, trailers, flagged by NIPA)
    "author signs": (ADA, ADA, SOB, False),
    "no sign-off": (ADA, ADA, "Acked-by: Carol <carol@example.org>", True),
    "someone else signs": (ADA, ADA, f"Signed-off-by: {BOB}", True),
    "address in another case": (ADA, ADA, "Signed-off-by: Ada Lovelace <ADA@Example.org>", False),
    "name only, other address": (ADA, ADA, "Signed-off-by: Ada Lovelace <ada@elsewhere.org>", False),
    "mailmap: old address signs new": ("Ada Lovelace <ada@old.example.org>", ADA, SOB, False),
    "mailmap: new name, old address": ("A. Lovelace <ada@old.example.org>", ADA, SOB, False),
    "committer without sign-off": (ADA, BOB, SOB, True),
    "committer signs too": (ADA, BOB, f"{SOB}\nSigned-off-by: {BOB}", False),
    "committer signs, author not": (ADA, BOB, f"Signed-off-by: {BOB}", True),
    "lowercase key": (ADA, ADA, f"signed-off-by: {ADA}", False),
}


def test_verify_signedoff_flags_what_nipas_script_flags(repo: Repo, history: dict[str, str]) -> None:
    commits = {}
    for case, (author, committer, trailers, _) in SIGNOFF_CASES.items():
        commits[case] = _commit(repo, f"foo: sign-off case {case}\n\nSay why.\n\n{trailers}",
                                author=author, committer=committer)
    expected = {commits[c] for c, (*_, flagged) in SIGNOFF_CASES.items() if flagged}
    nipa = _nipa(repo, SIGNEDOFF_SH, "base..HEAD")
    ours, messages = _patchtool(repo, "signoff")
    by_id = {v: k for k, v in commits.items()}
    assert {by_id[c] for c in nipa} == {by_id[c] for c in expected}
    assert {by_id[c] for c in ours} == {by_id[c] for c in nipa}
    assert messages[commits["committer without sign-off"]] == [
        f"no Signed-off-by: from the sender (the commit's committer), {BOB}"]
    # NIPA takes the name; patchtool passes it too, with a warning.
    assert messages[commits["name only, other address"]] == [
        f"the author signs off as Ada Lovelace <ada@elsewhere.org> but is {ADA}"]
    assert commits["mailmap: old address signs new"] not in messages


def test_the_netdev_profile_carries_nipas_settings() -> None:
    """The figures of profiles.py, read back out of NIPA's own files."""
    from patchtool.lint import profiles
    from patchtool.lint.config import profile

    tests = Path(NIPA, "tests")
    checkpatch = (tests / "patch" / "checkpatch" / "checkpatch.sh").read_text()
    ignored = re.search(r"IGNORED=\\\n((?:\w+,\\\n)*\w+)\n", checkpatch)
    assert ignored and tuple(re.findall(r"\w+", ignored.group(1))) == profiles.NETDEV_CHECKPATCH_IGNORE
    assert "--strict" in checkpatch and "--max-line-length=80" in checkpatch
    deprecated = (tests / "patch" / "deprecated_api" / "deprecated_api.sh").read_text()
    arrays = {m[1]: re.findall(r'"?([^\s"]+)"?', m[2]) for m in re.finditer(r"^(\w+)=\( (.*) \)$", deprecated, re.M)}
    netdev = profile("netdev")
    by_level = {(api.level, api.paths): [] for api in netdev.deprecated}
    for api in netdev.deprecated:
        by_level[(api.level, api.paths)].append(api.pattern.pattern.replace("\\(", "("))
    assert by_level[("error", ())] == arrays["errors"]
    assert by_level[("warning", ())] == arrays["warnings"]
    assert by_level[("warning", ("drivers/net",))] == arrays["netdev_warnings"]
    series_format = (tests / "series" / "series_format" / "test.py").read_text()
    assert "len(thing.patches) <= 15" in series_format and netdev.patch_limit == 15
    match = Path(NIPA, "netdev", "tree_match.py").read_text()

    def listed(name: str) -> set[str]:
        block = re.search(rf"{name} = {{(.*?)}}", match, re.S)
        assert block, name
        return set(re.findall(r"'([^']+)'", block.group(1)))

    assert listed("required_files") == set(netdev.required)
    assert listed("acceptable_files") - {".../"} == set(netdev.allowed)
    assert listed("excluded_files") == set(netdev.excluded)
    init = Path(NIPA, "netdev", "__init__.py").read_text()
    assert "current_tree = 'net'" in init and "next_tree = 'net-next'" in init
    assert [(t.name, t.fixes) for t in netdev.trees] == [("net", True), ("net-next", False)]
