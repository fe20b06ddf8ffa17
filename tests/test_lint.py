"""``patchtool lint``: one test per rule on tiny real repositories, git as the whitespace oracle.

Each series is cut from a repository made in tmp_path (``read_range`` or
``patchtool import``), so patches, trailers and diffs are exactly what git
writes.  A rule's test shows the finding on the bad patch and its absence
on a good one.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.gitrepo import GitRepo
from patchtool.lint import Context, LintReport, Severity, lint_series, whitespace
from patchtool.lint.subjects import prefix_chain, prefixes_agree
from patchtool.lint.whitespace import whitespace_errors
from patchtool.model import Person, Series
from patchtool.sources.gitrange import read_range

from .conftest import PINNED, Repo

ROOT = Path(__file__).resolve().parent.parent
ADA = "Signed-off-by: Ada Lovelace <ada@example.org>"
MAINTAINERS = (
    "FOO DRIVER\n"
    "M:\tFoo Maintainer <foo@example.org>\n"
    "R:\tRita Reviewer <rita@example.org>\n"
    "L:\tfoo-devel@lists.example.org\n"
    "S:\tMaintained\n"
    "F:\tkernel/foo.c\n"
    "\n"
    "THE REST\n"
    "M:\tLinus Torvalds <torvalds@linux-foundation.org>\n"
    "L:\tlinux-kernel@vger.kernel.org\n"
    "S:\tBuried alive in reporters\n"
    "F:\t*\n"
    "F:\t*/\n"
)


def msg(subject: str, body: str = "Say why this is needed.", trailers: str = ADA) -> str:
    return "\n\n".join(part for part in (subject, body, trailers) if part)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """kernel/foo.c with a short 'foo:' history, a README, a MAINTAINERS; tagged ``base``.

    Built once per module and copied into each test's ``repo`` (files only,
    no git process), which keeps the file fast.
    """
    with pytest.MonkeyPatch.context() as mp:
        for key, value in PINNED.items():
            mp.setenv(key, value)
        base = Repo(tmp_path_factory.mktemp("lint") / "repo")
        base.path.mkdir()
        base.git("init", "-q", "-b", "master")
        base.write("MAINTAINERS", MAINTAINERS)
        base.write("README", "readme\n")
        base.write("kernel/foo.c", "".join(f"int foo{i};\n" for i in range(20)))
        base.commit("Initial import")
        for i in range(3):
            base.write("kernel/foo.c", "".join(f"int foo{j}{'x' * (j == i)};\n" for j in range(20)))
            base.commit(f"foo: rename foo{i}")
        base.git("tag", "base")
    return base


def copy_template(template: Repo, repo: Repo) -> Repo:
    """``repo`` (the conftest one) holding a copy of the template's history: the base is tag ``base``."""
    shutil.rmtree(repo.path)
    shutil.copytree(template.path, repo.path, symlinks=True)
    repo.tick = template.tick
    return repo


@pytest.fixture
def repo(repo: Repo, template: Repo) -> Repo:
    """The conftest ``repo``, holding a copy of the template's history: the base is tag ``base``."""
    return copy_template(template, repo)


def bump(repo: Repo, path: str = "kernel/foo.c", line: str = "int extra;\n") -> None:
    target = repo.path / path
    old = target.read_text() if target.exists() else ""
    repo.write(path, old + line)


def cut(repo: Repo, *, to: tuple[str, ...] = ()) -> tuple[Series, GitRepo]:
    git = GitRepo.open(repo.path)
    series = read_range(git, "base..HEAD", name="s")
    return replace(series, title="A test series", to=to), git


def lint(repo: Repo, **kw: object) -> LintReport:
    series, git = cut(repo)
    return lint_series(series, git, run_checkpatch=False, **kw)  # type: ignore[arg-type]


def found(report: LintReport, patch: int, rule: str) -> list[tuple[Severity, str]]:
    return [(f.severity, f.message) for f in report.findings if f.patch == patch and f.rule == rule]


def rules(report: LintReport, patch: int) -> set[str]:
    return {f.rule for f in report.findings if f.patch == patch}


# -- a clean series is clean ----------------------------------------------------------


def test_a_good_series_has_no_findings_but_recipients(repo: Repo) -> None:
    bump(repo)
    repo.commit(msg("foo: add an extra counter"))
    series, git = cut(repo, to=("foo@example.org", "rita@example.org", "foo-devel@lists.example.org"))
    report = lint_series(series, git)
    assert [(f.rule, f.severity) for f in report.findings] == [
        ("recipients", Severity.INFO), ("recipients", Severity.INFO)]  # Linus and LKML: THE REST only
    assert not report.has_errors


# -- numbering and version --------------------------------------------------------------


def test_numbering_and_version(repo: Repo) -> None:
    for i in range(3):
        bump(repo, line=f"int extra{i};\n")
        repo.commit(msg(f"foo: add counter {i}"))
    series, git = cut(repo)
    p = series.patches
    bad = (p[0], replace(p[1], subject=replace(p[1].subject, number=3)),
           replace(p[2], subject=replace(p[2].subject, total=4, version=3)))
    report = lint_series(replace(series, patches=bad), git, run_checkpatch=False)
    assert found(report, 1, "numbering") == [] and found(report, 1, "version") == []
    assert found(report, 2, "numbering") == [(Severity.ERROR, "numbered 3/3 but is patch 2 of the series")]
    assert found(report, 3, "numbering") == [(Severity.ERROR, "numbered 3/4 but the series has 3 patches")]
    assert found(report, 3, "version") == [
        (Severity.ERROR, "the subject says [v3] where the other patches say [no version]")]


def test_plain_patch_files_take_the_version_of_series_toml(repo: Repo) -> None:
    bump(repo)
    repo.commit(msg("foo: add a counter"))
    series, git = cut(repo)
    report = lint_series(replace(series, version=3, rfc=True), git, run_checkpatch=False)
    assert found(report, 1, "version") == []


# -- subjects ----------------------------------------------------------------------------


def test_subject_format(repo: Repo) -> None:
    bump(repo, line="int a;\n")
    repo.commit(msg("add a counter without a prefix"))
    bump(repo, line="int b;\n")
    repo.commit(msg("foo: add a counter"))
    report = lint(repo)
    assert [s for s, _ in found(report, 1, "subject-format")] == [Severity.WARNING]
    assert found(report, 2, "subject-format") == []


def test_subject_period_and_length(repo: Repo) -> None:
    bump(repo, line="int a;\n")
    repo.commit(msg("foo: add a counter."))
    bump(repo, line="int b;\n")
    repo.commit(msg("foo: " + "a" * 71))  # 76 characters
    bump(repo, line="int c;\n")
    repo.commit(msg("foo: " + "b" * 67 + "..."))  # 75 characters, an ellipsis
    report = lint(repo)
    assert found(report, 1, "subject-period") == [(Severity.WARNING, "subject ends with a period")]
    assert found(report, 1, "subject-length") == []
    assert found(report, 2, "subject-length") == [(Severity.WARNING, "subject is 76 characters (more than 75)")]
    assert found(report, 3, "subject-length") == [] and found(report, 3, "subject-period") == []


def test_subject_unique(repo: Repo) -> None:
    for i in range(3):
        bump(repo, line=f"int extra{i};\n")
        repo.commit(msg("foo: add a counter" if i != 1 else "foo: add another counter"))
    report = lint(repo)
    assert found(report, 1, "subject-unique") == [] and found(report, 2, "subject-unique") == []
    assert found(report, 3, "subject-unique") == [(Severity.ERROR, "same subject as patch 1: 'foo: add a counter'")]


def test_subject_prefix_follows_the_files_history(repo: Repo) -> None:
    bump(repo, line="int a;\n")
    repo.commit(msg("bar: add a counter"))
    bump(repo, line="int b;\n")
    repo.commit(msg("foo: add a counter"))
    bump(repo, line="int c;\n")
    repo.commit(msg("foo,bar: add a counter"))
    bump(repo, path="README", line="more\n")  # README's history has no prefix to compare with
    repo.commit(msg("docs: say more"))
    report = lint(repo)
    assert found(report, 1, "subject-prefix") == [(
        Severity.WARNING,
        "prefix 'bar:' is not among those git log shows for these files; most common: 'foo:' (3)")]
    assert found(report, 2, "subject-prefix") == []
    assert found(report, 3, "subject-prefix") == []
    assert found(report, 4, "subject-prefix") == []


@pytest.mark.parametrize(("ours", "theirs", "agree"), [
    ("net: dsa: fix", "net: dsa: mv88e6xxx: fix", True),
    ("net: fix", "net: dsa: fix", True),
    ("net: sched: fix", "net: dsa: fix", False),
    ("audit,io_uring: add", "io_uring: fix", True),
    ("Smack: add", "smack: fix", True),
    ("selinux: add", "audit: fix", False),
])
def test_prefixes_agree(ours: str, theirs: str, agree: bool) -> None:
    assert prefixes_agree(prefix_chain(ours)[0], prefix_chain(theirs)[0]) is agree


# -- trailers ------------------------------------------------------------------------------


def test_signoff_from_the_author(repo: Repo) -> None:
    bump(repo, line="int a;\n")
    repo.commit(msg("foo: no sign-off", trailers=""))
    bump(repo, line="int b;\n")
    repo.commit(msg("foo: signed off by someone else",
                    trailers="Acked-by: the whole team\nSigned-off-by: Bob <bob@example.org>"))
    bump(repo, line="int c;\n")
    repo.commit(msg("foo: a placeholder sign-off", trailers="Signed-off-by: DO NOT COMMIT"))
    bump(repo, line="int d;\n")
    repo.commit(msg("foo: signed off by the author",
                    trailers=f"Cc: stable@vger.kernel.org # 5.10+\n{ADA}\nSigned-off-by: Bob <bob@example.org>"),
                author="Ada Lovelace <ada@example.org>")
    report = lint(repo)
    for n in (1, 2, 3):
        assert found(report, n, "signoff") == [
            (Severity.ERROR, "no Signed-off-by: from the author, Ada Lovelace <ada@example.org>")]
    assert found(report, 3, "trailer-syntax") == [
        (Severity.ERROR, "'Signed-off-by: DO NOT COMMIT' does not name a person as 'Name <address>'")]
    assert found(report, 2, "trailer-syntax") == [
        (Severity.WARNING, "'Acked-by: the whole team' does not name a person as 'Name <address>'")]
    assert found(report, 4, "signoff") == [] and found(report, 4, "trailer-syntax") == []


def test_fixes_tag(repo: Repo) -> None:
    fixed = repo.git("rev-parse", "base").strip()  # "foo: rename foo2"
    cases = [
        f'Fixes: {fixed[:12]} ("foo: rename foo2")',  # good
        f'Fixes: {fixed[:8]} ("foo: rename foo2")',  # too short
        f'Fixes: {fixed[:12]} ("foo: rename something")',  # wrong subject
        'Fixes: 0123456789ab ("foo: rename foo2")',  # no such commit
        f"Fixes: {fixed[:12]} foo: rename foo2",  # no quotes
    ]
    for i, fixes in enumerate(cases):
        bump(repo, line=f"int fix{i};\n")
        repo.commit(msg(f"foo: fix case {i}", trailers=f"{fixes}\n{ADA}"))
    report = lint(repo)
    assert found(report, 1, "fixes") == []
    assert found(report, 2, "fixes") == [
        (Severity.ERROR, f"'Fixes: {fixed[:8]} (\"foo: rename foo2\")': SHA1 should be at least 12 digits long")]
    assert found(report, 3, "fixes") == [
        (Severity.ERROR, f"'Fixes: {fixed[:12]} (\"foo: rename something\")': subject does not match the "
                         "target's (\"foo: rename foo2\")")]
    assert found(report, 4, "fixes") == [
        (Severity.ERROR, "'Fixes: 0123456789ab (\"foo: rename foo2\")': target SHA1 0123456789ab does not exist "
                         "(or is ambiguous)")]
    # NIPA's script takes a subject without quotes and parentheses; checkpatch wants them: a warning.
    assert found(report, 5, "fixes") == [
        (Severity.WARNING, f"'Fixes: {fixed[:12]} foo: rename foo2': should read "
                           "'Fixes: <12+ hex digits> (\"<its subject>\")'")]


# -- the commit message ------------------------------------------------------------------------


def test_body_empty_and_long_lines(repo: Repo) -> None:
    bump(repo, line="int a;\n")
    repo.commit(msg("foo: no body", body=""))
    bump(repo, line="int b;\n")
    repo.commit(msg("foo: a long line", body="word " * 16 + "\n\nshort"))
    bump(repo, line="int c;\n")
    exempt = "\n".join([
        "See https://example.org/" + "a-very-long-path/" * 5,
        "    [   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000000 in foo",
        "> quoted " + "words " * 15,
        "drivers/net/ethernet/mellanox/mlx5/core/steering/very_long_directory_name/file.c",
        "Link: https://lore.kernel.org/r/" + "x" * 60,
    ])
    repo.commit(msg("foo: exempt lines", body=exempt))
    report = lint(repo)
    assert found(report, 1, "body-empty") == [(Severity.WARNING, "the commit message has no body: say why")]
    assert found(report, 2, "body-line-length") == [
        (Severity.WARNING, "commit message line 1 is 79 characters (more than 75)")]
    assert found(report, 3, "body-line-length") == [] and found(report, 3, "body-empty") == []


# -- whitespace, with git apply as the oracle ---------------------------------------------------

_GIT_WS = re.compile(r"^<stdin>:(\d+): (.*)\.$")
WS_CASES = {
    "clean": "int a;\n\tint b;\n",
    "trailing space": "int a; \n",
    "trailing tab": "int a;\t\n",
    "carriage return": "int a;\r\n",
    "space before tab": " \tint a;\n",
    "tab space tab": "\t \tint a;\n",
    "tab then space is fine": "\t int a;\n",
    "both": " \tint a; \n",
    "blank only": " \t \n",
    "blank lines at EOF": "int a;\n\n\n",
    "blank line at EOF with spaces": "int a;\n  \n",
}


def git_apply_errors(repo: Repo, diff: str, mode: str = "error-all") -> tuple[int, dict[str, list[str]]]:
    """``git apply --check --whitespace=error-all``'s exit code and messages, by file (from the patch line numbers).

    ``error-all`` is ``error`` without the cut after five messages.
    """
    proc = subprocess.run(["git", "apply", "--check", f"--whitespace={mode}", "-"], cwd=repo.path,
                          input=diff.encode("utf-8", "surrogateescape"), capture_output=True)
    starts = [(i, line.rsplit(" b/", 1)[1]) for i, line in enumerate(diff.split("\n"), 1)
              if line.startswith("diff --git ")]
    by_file: dict[str, list[str]] = {}
    for line in proc.stderr.decode().splitlines():
        if m := _GIT_WS.match(line):
            where = max(i for i, _ in starts if i <= int(m.group(1)))
            by_file.setdefault(dict(starts)[where], []).append(m.group(2))
    return proc.returncode, by_file


def test_whitespace_matches_git_apply(repo: Repo) -> None:
    """Every case twice, appended to an existing file and as a new file, in one patch git checks."""
    cases = list(WS_CASES.items())
    for i, _ in enumerate(cases):
        repo.write(f"ws/old{i}.c", "".join(f"int old{j};\n" for j in range(5)))
    repo.commit("ws: the files the cases change")
    repo.git("tag", "-f", "base")
    for i, (_, text) in enumerate(cases):
        bump(repo, path=f"ws/old{i}.c", line=text)
        repo.write(f"ws/new{i}.c", "int n;\n" + text)
    repo.write("kernel/foo.c", "/* head */\n" + (repo.path / "kernel/foo.c").read_text())  # a hunk at the top
    repo.commit(msg("ws: every case"))
    series, _ = cut(repo)
    patch = series.patches[0]
    repo.git("checkout", "-q", "base")
    rc, expected = git_apply_errors(repo, patch.diff)
    ours: dict[str, list[str]] = {}
    for e in whitespace_errors(patch):
        ours.setdefault(e.path, []).append(e.message)
    for i, (case, _) in enumerate(cases):
        for path in (f"ws/old{i}.c", f"ws/new{i}.c"):
            assert ours.get(path, []) == expected.get(path, []), f"{case}: {path}"
    assert ours == expected and rc != 0
    assert git_apply_errors(repo, patch.diff, "error")[0] != 0
    findings = list(whitespace.check(Context(series)))
    assert len(findings) == 6 and findings[-1].message.startswith("... and ")
    assert all(f.severity is Severity.ERROR and f.patch == 1 for f in findings)


def test_a_clean_patch_has_no_whitespace_errors(repo: Repo) -> None:
    bump(repo, line=WS_CASES["clean"] + WS_CASES["tab then space is fine"])
    repo.commit(msg("foo: clean"))
    series, _ = cut(repo)
    repo.git("checkout", "-q", "base")
    assert git_apply_errors(repo, series.patches[0].diff, "error") == (0, {})
    assert list(whitespace.check(Context(series))) == []


def test_whitespace_finding_names_file_and_line(repo: Repo) -> None:
    bump(repo, line="int a; \n")
    repo.commit(msg("foo: trailing whitespace"))
    assert found(lint(repo), 1, "whitespace") == [(Severity.ERROR, "kernel/foo.c:21: trailing whitespace")]


# -- work not meant for merging -------------------------------------------------------------------


def test_wip_markers(repo: Repo) -> None:
    subjects_bodies = [
        ("foo: dev/test patch to force things", "Say why."),
        ("foo: add a counter", "DO NOT MERGE: only for testing."),
        ("foo: WIP add a counter", "Say why."),
        ("foo: add a counter with debug", "Say why."),
        ("foo: add a HACK", "Say why."),
        ("foo: add the real thing", "This replaces a hack and the debug output of the old code."),
        ("foo/debug: add debugfs entries", "Say why."),
    ]
    for i, (subject, body) in enumerate(subjects_bodies):
        bump(repo, line=f"int m{i};\n")
        repo.commit(msg(subject, body=body))
    report = lint(repo)
    assert found(report, 1, "wip-marker") == [
        (Severity.WARNING, "'dev/test' in the subject: work not meant for merging")]
    assert found(report, 2, "wip-marker") == [
        (Severity.ERROR, "'DO NOT MERGE' in the body: work not meant for merging")]
    assert found(report, 3, "wip-marker") == [(Severity.WARNING, "'WIP' in the subject: work not meant for merging")]
    assert found(report, 4, "wip-marker") == [
        (Severity.WARNING, "'debug' in the subject: work not meant for merging")]
    assert found(report, 5, "wip-marker") == [(Severity.WARNING, "'HACK' in the subject: work not meant for merging")]
    assert found(report, 6, "wip-marker") == [] and found(report, 7, "wip-marker") == []


def test_debug_prints(repo: Repo) -> None:
    bump(repo, line='\tpr_info("here\\n");\n\tprintk(KERN_INFO "x\\n");\n')
    repo.commit(msg("foo: add prints"))
    bump(repo, line='\ttrace_printk("here\\n");\n')
    repo.commit(msg("foo: add a trace print"))
    bump(repo, line="\t/* printk() would be wrong here */\n\tpr_err(\"failed\\n\");\n")
    repo.write("Documentation/foo.txt", "use pr_debug() to debug\n")
    repo.commit(msg("foo: comments, errors and documentation"))
    report = lint(repo)
    assert found(report, 1, "debug-print") == [
        (Severity.WARNING, "adds 2 debug prints (pr_info() x1, printk() x1), first at kernel/foo.c:21")]
    assert found(report, 2, "debug-print") == [
        (Severity.ERROR, "adds 1 debug print (trace_printk() x1), first at kernel/foo.c:23")]
    assert found(report, 3, "debug-print") == []


# -- applying in order on the base ---------------------------------------------------------------------


def test_each_patch_applies_on_the_base(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "other", "base")
    repo.write("kernel/foo.c", "rewritten\n")
    repo.commit("foo: rewrite")
    repo.git("checkout", "-q", "master")
    bump(repo)
    repo.commit(msg("foo: add a counter"))
    bump(repo, path="README", line="more\n")
    repo.commit(msg("docs: say more"))
    assert found(lint(repo), 1, "applies") == []
    report = lint(repo, base="other")
    assert [s for s, _ in found(report, 1, "applies")] == [Severity.ERROR]
    assert found(report, 1, "applies")[0][1].startswith("does not apply on other: kernel/foo.c")
    assert found(report, 2, "applies") == []
    assert report.has_errors


# -- recipients ------------------------------------------------------------------------------------------


def test_recipients_from_maintainers(repo: Repo) -> None:
    bump(repo)
    repo.commit(msg("foo: add a counter"))
    series, git = cut(repo, to=("Foo Maintainer <FOO@example.org>",))
    report = lint_series(series, git, run_checkpatch=False)
    assert found(report, 0, "recipients") == [
        (Severity.WARNING, "Rita Reviewer <rita@example.org> (R: FOO DRIVER) is not in To/Cc (patch 1)"),
        (Severity.WARNING, "foo-devel@lists.example.org (L: FOO DRIVER) is not in To/Cc (patch 1)"),
        (Severity.INFO, "Linus Torvalds <torvalds@linux-foundation.org> (M: THE REST) is not in To/Cc (patch 1); "
                        "only THE REST names it"),
        (Severity.INFO, "linux-kernel@vger.kernel.org (L: THE REST) is not in To/Cc (patch 1); only THE REST names it"),
    ]
    assert report.fixable == ("Rita Reviewer <rita@example.org>", "foo-devel@lists.example.org")


def test_recipients_are_people_not_addresses(repo: Repo) -> None:
    """get_maintainer.pl's rule: one person under two addresses is one recipient; the sender needs none."""
    repo.write("MAINTAINERS", MAINTAINERS.replace("THE REST\n", "BAR\nM:\tRita Reviewer <rita@other.org>\n"
                                                  "M:\tSam Sender <sam@example.org>\nF:\tkernel/bar.c\n\nTHE REST\n"))
    repo.commit("MAINTAINERS: add BAR")
    repo.git("tag", "-f", "base")
    bump(repo)
    repo.commit(msg("foo: add a counter"))
    bump(repo, path="kernel/bar.c")
    repo.commit(msg("bar: add a counter"))
    series, git = cut(repo, to=("foo@example.org", "foo-devel@lists.example.org"))
    series = replace(series, cover=replace(series.cover, author=Person("Sam Sender", "sam@example.org")))
    report = lint_series(series, git, run_checkpatch=False)
    assert [m for s, m in found(report, 0, "recipients") if s is Severity.WARNING] == [
        "Rita Reviewer <rita@example.org> (R: FOO DRIVER, BAR) is not in To/Cc (patches 1, 2)"]
    named = lint_series(replace(series, cc=("Rita Reviewer <rita@elsewhere.org>",)), git, run_checkpatch=False)
    assert [f for f in named.findings if f.rule == "recipients" and f.severity is Severity.WARNING] == []


def test_fix_adds_missing_recipients_to_cc(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bump(repo)
    repo.commit(msg("foo: add a counter"))
    out = tmp_path / "s"
    assert main(["import", "base..HEAD", "-o", str(out), "--repo", str(repo.path)]) == 0
    toml = out / "series.toml"
    toml.write_text(toml.read_text().replace("to = []", 'to = ["foo@example.org"]'))
    before = {p.name: p.read_bytes() for p in (out / "patches").iterdir()}
    capsys.readouterr()
    assert main(["lint", str(out), "--repo", str(repo.path), "--fix"]) == 0
    text = capsys.readouterr().out
    assert "fixed: added to cc: Rita Reviewer <rita@example.org>, foo-devel@lists.example.org" in text
    meta = tomllib.loads(toml.read_text())
    assert meta["to"] == ["foo@example.org"]
    assert meta["cc"] == ["Rita Reviewer <rita@example.org>", "foo-devel@lists.example.org"]
    assert {p.name: p.read_bytes() for p in (out / "patches").iterdir()} == before
    assert main(["lint", str(out), "--repo", str(repo.path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [f["severity"] for f in doc["findings"] if f["rule"] == "recipients"] == ["info", "info"]


# -- checkpatch from the base tree -------------------------------------------------------------------------

FAKE_CHECKPATCH = r"""#!/usr/bin/perl
# A stand-in with checkpatch's terse output: an ERROR per added "badword",
# and a CHECK per file saying which options it got and whether spelling.txt
# sits beside it (where the real script looks for it).
use strict;
use warnings;
use File::Basename;
my $D = dirname($0);
my $spelling = -e "$D/spelling.txt" ? "yes" : "no";
my $opts = join(",", grep { /^--/ } @ARGV);
my $rc = 0;
for my $f (grep { !/^--/ } @ARGV) {
    open(my $fh, "<", $f) or die "$f: $!";
    my $n = 0;
    while (my $line = <$fh>) {
        $n++;
        if ($line =~ /^\+.*badword/) { print "$f:$n: ERROR:BAD_WORD: badword found\n"; $rc = 1; }
    }
    print "$f:1: CHECK:OPTIONS: $opts spelling=$spelling\n";
}
exit $rc;
"""


def test_checkpatch_of_the_base_is_folded_in(repo: Repo) -> None:
    repo.write("scripts/checkpatch.pl", FAKE_CHECKPATCH)
    repo.write("scripts/spelling.txt", "abandonned||abandoned\n")
    repo.commit("scripts: add checkpatch")
    repo.git("tag", "-f", "base")
    bump(repo, line="int badword;\n")
    repo.commit(msg("foo: add a bad word"))
    bump(repo, line="int good;\n")
    repo.commit(msg("foo: add a good word"))
    series, git = cut(repo)
    report = lint_series(series, git)
    assert found(report, 1, "checkpatch:BAD_WORD") == [(Severity.ERROR, "line 21: badword found")]
    assert found(report, 2, "checkpatch:BAD_WORD") == []
    for n in (1, 2):
        assert found(report, n, "checkpatch:OPTIONS") == [
            (Severity.INFO, "line 1: --no-tree,--terse,--show-types,--no-summary spelling=yes")]


def test_a_failing_checkpatch_is_information(repo: Repo) -> None:
    repo.write("scripts/checkpatch.pl", 'die "Invalid checkpatch setup\\n";\n')
    repo.commit("scripts: a broken checkpatch")
    repo.git("tag", "-f", "base")
    bump(repo)
    repo.commit(msg("foo: add a counter"))
    series, git = cut(repo)
    assert [(f.rule, f.severity, f.message) for f in lint_series(series, git).findings
            if f.rule.startswith("checkpatch")] == [
        ("checkpatch", Severity.INFO, "scripts/checkpatch.pl of the base failed: Invalid checkpatch setup")]


def test_no_checkpatch_in_the_base_is_no_finding(repo: Repo) -> None:
    bump(repo)
    repo.commit(msg("foo: add a counter"))
    series, git = cut(repo)
    assert not [f for f in lint_series(series, git).findings if f.rule.startswith("checkpatch")]


# -- the command line: exit codes, text, JSON ---------------------------------------------------------------


def imported(repo: Repo, tmp_path: Path, subject: str, trailers: str = ADA) -> Path:
    bump(repo)
    repo.commit(msg(subject, trailers=trailers))
    out = tmp_path / "s"
    assert main(["import", "base..HEAD", "-o", str(out), "--repo", str(repo.path)]) == 0
    return out


def test_exit_0_without_errors(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = imported(repo, tmp_path, "foo: add a counter")
    capsys.readouterr()
    assert main(["lint", str(out), "--repo", str(repo.path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "s: 0 errors, 3 warnings, 2 info"
    assert lines[0].startswith("0/1 warning recipients: Foo Maintainer <foo@example.org> (M: FOO DRIVER)")


def test_exit_1_on_an_error(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = imported(repo, tmp_path, "foo: add a counter", trailers="")
    capsys.readouterr()
    assert main(["lint", str(out), "--repo", str(repo.path)]) == 1
    text = capsys.readouterr().out
    assert "1/1 error signoff: no Signed-off-by: from the author, Ada Lovelace <ada@example.org>" in text
    assert text.splitlines()[-1] == "s: 1 error, 3 warnings, 2 info"


def test_exit_2_on_bad_input(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = imported(repo, tmp_path, "foo: add a counter")
    capsys.readouterr()
    assert main(["lint", str(tmp_path / "nowhere"), "--repo", str(repo.path)]) == 2
    assert main(["lint", str(out), "--repo", str(repo.path), "--base", "no-such-ref"]) == 2
    assert main(["lint", str(out), "--repo", str(tmp_path / "not-a-repo")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("patchtool: ") for line in err)
    assert "unknown revision: no-such-ref" in err[1]


def test_json_shape(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = imported(repo, tmp_path, "foo: add a counter.", trailers="")
    capsys.readouterr()
    assert main(["lint", str(out), "--repo", str(repo.path), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == 1 and doc["series"] == "s"
    assert set(doc) >= {"schema", "series", "findings", "counts"}
    # "check" is new beside the four keys earlier readers know; "rule" keeps the old ids.
    assert all(set(f) == {"rule", "check", "severity", "patch", "message"} for f in doc["findings"])
    assert {"rule": "signoff", "check": "verify_signedoff", "severity": "error", "patch": 1,
            "message": "no Signed-off-by: from the author, Ada Lovelace <ada@example.org>"} in doc["findings"]
    assert {"rule": "subject-period", "check": "subject-period", "severity": "warning", "patch": 1,
            "message": "subject ends with a period"} in doc["findings"]
    assert doc["counts"] == {"error": 1, "warning": 4, "info": 2}


def test_lint_without_a_repository(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    out = imported(repo, tmp_path, "foo: add a counter", trailers="")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    capsys.readouterr()
    assert main(["lint", str(out)]) == 1
    captured = capsys.readouterr()
    assert "no git repository here" in captured.err
    assert "1/1 error signoff" in captured.out and "0/1 info repository:" in captured.out


# -- the example series ---------------------------------------------------------------------------------------


def test_example_series(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from patchtool.demo.build import build_base_repo

    base = tmp_path / "linux"
    build_base_repo(base)
    assert main(["lint", str(ROOT / "series" / "io_uring-lsm"), "--repo", str(base), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    by_patch: dict[int, set[tuple[str, str]]] = {}
    for f in doc["findings"]:
        by_patch.setdefault(f["patch"], set()).add((f["rule"], f["severity"]))
    assert {("signoff", "error"), ("trailer-syntax", "error"), ("wip-marker", "error"),
            ("wip-marker", "warning")} <= by_patch[3]
    assert {("debug-print", "warning"), ("wip-marker", "warning")} <= by_patch[9]
    errors = {n for n, found_ in by_patch.items() if any(s == "error" for _, s in found_)}
    assert errors == {3}
    messages = [f["message"] for f in doc["findings"] if f["rule"] == "recipients" and f["severity"] == "warning"]
    for name in ("James Morris", "Serge E. Hallyn", "Eric Paris", "Stephen Smalley", "Alexander Viro",
                 "Casey Schaufler"):
        assert any(name in m for m in messages), name
    for present in ("Jens Axboe", "Pavel Begunkov", "io-uring@vger.kernel.org", "Paul Moore"):
        assert not any(present in m for m in messages), present
    info = [f["message"] for f in doc["findings"] if f["rule"] == "recipients" and f["severity"] == "info"]
    assert any("linux-kernel@vger.kernel.org" in m for m in info) and any("Linus Torvalds" in m for m in info)


# -- a base the repository does not have ------------------------------------------------


def test_rules_that_need_no_base_run_when_the_base_is_missing(repo: Repo) -> None:
    """A posting on another tree: the text rules still judge it, the base-bound ones say they were skipped."""
    bump(repo)
    repo.commit(msg("foo: add extra.", trailers=""))
    series, git = cut(repo)
    elsewhere = replace(series, base="net-next/main", base_commit="1234567890abcdef1234567890abcdef12345678")
    report = lint_series(elsewhere, git, run_checkpatch=False)
    assert found(report, 1, "signoff") and found(report, 1, "subject-period")
    assert not found(report, 0, "recipients") and not found(report, 1, "applies")
    [(severity, text)] = found(report, 0, "base")
    assert severity is Severity.INFO
    assert text.startswith("the base net-next/main is not in the repository: applies, recipients")
    # A base the user names is checked, not skipped.
    with pytest.raises(Exception, match="unknown revision: nosuch"):
        lint_series(elsewhere, git, base="nosuch", run_checkpatch=False)
