"""NIPA's checks of the added code: header_inline, source_inline, deprecated_api, and kdoc.

The first three read ``+``/``-`` lines with NIPA's own patterns; with
``PATCHTOOL_NIPA`` set to a NIPA checkout, its shell tests run on every case
commit and their exit codes (0 pass, 250 warning, 1 fail) are compared with
patchtool's verdicts under the netdev profile.  ``kdoc`` is tested with a
stand-in script that has kernel-doc's output format and, with
``PATCHTOOL_KERNEL_TREE``, against the kernel's own ``scripts/kernel-doc``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from patchtool.gitrepo import GitRepo
from patchtool.lint import LintReport, Severity, lint_series
from patchtool.sources.gitrange import read_range

from .conftest import Repo
from .test_lint import bump, copy_template, cut, found, msg, template  # noqa: F401  (template: a fixture)


@pytest.fixture
def repo(repo: Repo, template: Repo) -> Repo:  # noqa: F811
    """test_lint.py's repository: kernel/foo.c with a 'foo:' history, MAINTAINERS, tagged ``base``."""
    return copy_template(template, repo)

NIPA = os.environ.get("PATCHTOOL_NIPA", "")
KERNEL_TREE = os.environ.get("PATCHTOOL_KERNEL_TREE", "")
needs_nipa = pytest.mark.skipif(
    not (NIPA and Path(NIPA, "tests", "patch", "header_inline", "header_inline.sh").is_file()),
    reason="set PATCHTOOL_NIPA to a checkout of github:linux-netdev/nipa to compare with its shell tests")
needs_kernel_doc = pytest.mark.skipif(
    not (KERNEL_TREE and Path(KERNEL_TREE, "scripts", "kernel-doc").is_file() and shutil.which("perl")),
    reason="set PATCHTOOL_KERNEL_TREE to a Linux source tree (with scripts/kernel-doc) to compare with kernel-doc")

INLINE_BASE = "static inline int moved(void) { return 0; }\nint keep;\n"
MODULE_BASE = "module_param(debug, int, 0644);\nint keep;\n"
# name -> (path, old text replaced, new text): each case is one commit on the base
CASES: dict[str, tuple[str, str, str]] = {
    "header: static without inline": ("include/linux/foo.h", "", "static int foo_helper(int a);\n"),
    "header: static inline": ("include/linux/foo.h", "", "static inline int foo_ok(void) { return 0; }\n"),
    "header: defined on one line": ("include/linux/foo.h", "", "int foo_def(void) { return 0; }\n"),
    "header: in a macro": ("include/linux/foo.h", "", "#define FOO_DEF static int foo_m(void) \\\n"),
    "header: __always_inline": ("include/linux/foo.h", "", "static __always_inline void foo_a(void) {}\n"),
    "source: new inline": ("kernel/foo.c", "", "static inline int g(void) { return 1; }\n"),
    "source: inline moved": ("kernel/inl.c", INLINE_BASE, "int keep;\nstatic inline int moved(void) { return 0; }\n"),
    "source: inline in a comment": ("kernel/foo.c", "", "/* inline would not help here */\n"),
    "source: INLINE shouted": ("kernel/foo.c", "", "#define X INLINE(y)\n"),
    "api: dev_hold": ("net/core/dev.c", "", "\tdev_hold(dev);\n"),
    "api: module_param": ("kernel/foo.c", "", "module_param(verbose, int, 0644);\n"),
    "api: module_param moved": ("kernel/mod.c", MODULE_BASE, "int keep;\nmodule_param(debug, int, 0644);\n"),
    "api: __free in drivers/net": ("drivers/net/foo.c", "", "\tstruct foo *p __free(kfree) = NULL;\n"),
    "api: __free elsewhere": ("kernel/foo.c", "", "\tstruct foo *p __free(kfree) = NULL;\n"),
    "api: dev_put removed": ("net/core/put.c", "int a;\n\tdev_put(dev);\n", "int a;\n"),
}
# (case, check) -> NIPA's exit code; every other pair is 0
EXPECTED = {
    ("header: static without inline", "header_inline"): 1,
    ("header: defined on one line", "header_inline"): 1,
    ("source: new inline", "source_inline"): 1,
    ("source: inline moved", "source_inline"): 250,
    ("source: INLINE shouted", "source_inline"): 1,
    ("api: dev_hold", "deprecated_api"): 250,
    ("api: module_param", "deprecated_api"): 1,
    ("api: module_param moved", "deprecated_api"): 250,
    ("api: __free in drivers/net", "deprecated_api"): 250,
}
CHECKS = ("header_inline", "source_inline", "deprecated_api")
_CODE = {Severity.ERROR: 1, Severity.WARNING: 250}


@pytest.fixture
def cases(repo: Repo) -> dict[str, str]:
    """One commit per case, each on the base (a branch per case): case -> commit."""
    for path, old, _ in CASES.values():
        if old:
            repo.write(path, old)
    repo.commit("the files the cases change")
    repo.git("tag", "-f", "base")
    out = {}
    for i, (case, (path, old, new)) in enumerate(CASES.items()):
        repo.git("checkout", "-q", "-B", f"case{i}", "base")
        target = repo.path / path
        before = target.read_text() if target.exists() else ""
        repo.write(path, new if old else before + new)
        out[case] = repo.commit(msg(f"foo: case {i}"))
    repo.git("checkout", "-q", "master")
    return out


def ours(repo: Repo, commit: str, profile: str = "netdev") -> LintReport:
    git = GitRepo.open(repo.path)
    return lint_series(read_range(git, f"{commit}~..{commit}", name="c"), git, run_checkpatch=False,
                       profile=profile)


def code(report: LintReport, check: str) -> int:
    levels = [f.severity for f in report.findings if f.rule == check]
    return max((_CODE.get(s, 0) for s in levels), key=lambda c: (c == 1, c), default=0)


def test_verdicts_under_the_netdev_profile(repo: Repo, cases: dict[str, str]) -> None:
    for case, commit in cases.items():
        report = ours(repo, commit)
        for check in CHECKS:
            assert code(report, check) == EXPECTED.get((case, check), 0), (case, check)


def test_the_kernel_profile_warns(repo: Repo, cases: dict[str, str]) -> None:
    report = ours(repo, cases["api: module_param"], profile="kernel")
    assert found(report, 1, "deprecated_api") == [
        (Severity.WARNING, "new use of a deprecated API: 'module_param' was: 0 now: 1, first at kernel/foo.c:21")]
    assert [s for s, _ in found(ours(repo, cases["header: static without inline"], profile="kernel"), 1,
                                "header_inline")] == [Severity.WARNING]


def test_messages(repo: Repo, cases: dict[str, str]) -> None:
    assert found(ours(repo, cases["header: static without inline"]), 1, "header_inline") == [
        (Severity.ERROR, "1 static function without inline in a header, first at include/linux/foo.h:1: "
                         "make it static inline")]
    assert found(ours(repo, cases["source: inline moved"]), 1, "source_inline") == [
        (Severity.WARNING, "inline in a .c file (was 1, now 1), first at kernel/inl.c:2: let the compiler decide")]


def _nipa_exit(repo: Repo, name: str) -> int:
    script = Path(NIPA, "tests", "patch", name, f"{name}.sh")
    proc = subprocess.run(["bash", "-c", 'exec 3>/dev/null; DESC_FD=3 bash "$0"', str(script)], cwd=repo.path,
                          capture_output=True, text=True, env={**os.environ, "GIT_PAGER": "cat"})
    return proc.returncode


@needs_nipa
def test_nipas_shell_tests_agree(repo: Repo, cases: dict[str, str]) -> None:
    for case, commit in cases.items():
        repo.git("checkout", "-q", "--detach", commit)
        report = ours(repo, commit)
        for check in CHECKS:
            theirs = _nipa_exit(repo, check)
            assert theirs == EXPECTED.get((case, check), 0), (case, check, "NIPA")
            assert code(report, check) == theirs, (case, check)


# -- kdoc --------------------------------------------------------------------------------------

# kernel-doc's output format, one warning per "BADDOC <name>" line of the files given.
FAKE_KERNEL_DOC = r"""#!/usr/bin/env perl
use strict;
use warnings;
for my $f (grep { !/^-/ } @ARGV) {
    open(my $fh, "<", $f) or die "$f: $!";
    while (my $line = <$fh>) {
        print STDERR "$f:$.: warning: Function parameter or member '$1' not described\n" if $line =~ /BADDOC (\w+)/;
    }
}
exit 0;
"""


def _with_kernel_doc(repo: Repo, script: str, files: dict[str, str]) -> None:
    repo.write("scripts/kernel-doc", script)
    for path, text in files.items():
        repo.write(path, text)
    repo.commit("scripts: kernel-doc")
    repo.git("tag", "-f", "base")


def test_kdoc_reports_what_a_patch_adds(repo: Repo) -> None:
    _with_kernel_doc(repo, FAKE_KERNEL_DOC, {"kernel/doc.c": "int a; /* BADDOC old */\nint b;\n"})
    repo.write("kernel/doc.c", "int a; /* BADDOC old */\nint b; /* BADDOC new */\n")
    repo.commit(msg("doc: add an undocumented member"))
    repo.write("kernel/doc.c", "int z;\nint a; /* BADDOC old */\nint b; /* BADDOC new */\n")
    repo.commit(msg("doc: move things down a line"))
    repo.write("kernel/doc.c", "int z;\nint a;\nint b;\n")
    repo.commit(msg("doc: document everything"))
    report = lint_series(*cut(repo), run_checkpatch=False)
    assert found(report, 1, "kdoc") == [(
        Severity.WARNING, "kernel-doc warnings before: 1 after: 2 (add: 1): kernel/doc.c:2: warning: Function "
                          "parameter or member 'new' not described")]
    assert found(report, 2, "kdoc") == [] and found(report, 3, "kdoc") == []
    netdev = lint_series(*cut(repo), run_checkpatch=False, profile="netdev")
    assert [s for s, _ in found(netdev, 1, "kdoc")] == [Severity.ERROR]


def test_kdoc_without_the_script_is_skipped(repo: Repo) -> None:
    bump(repo)
    repo.commit(msg("foo: add a counter"))
    report = lint_series(*cut(repo), run_checkpatch=False)
    row = next(c for c in report.checks if c.check == "kdoc")
    assert (row.verdict, row.skipped) == ("skipped", ("no scripts/kernel-doc in the base",))


_WARNING = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<rest>.*)$")


def _kernel_doc(script: Path, root: Path, path: str, text: str | None) -> set[tuple[str, str]]:
    if text is None:
        return set()
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text)
    proc = subprocess.run(["perl", str(script), "-none", path], cwd=root, capture_output=True, text=True)
    return {(m["file"], m["rest"]) for line in proc.stderr.splitlines() if (m := _WARNING.match(line))}


@needs_kernel_doc
def test_kdoc_agrees_with_the_kernels_kernel_doc(repo: Repo, tmp_path: Path) -> None:
    script = Path(KERNEL_TREE, "scripts", "kernel-doc")
    documented = ("/**\n * frob() - frob a widget\n * @w: the widget\n *\n * Return: 0\n */\n"
                  "int frob(int w)\n{\n\treturn 0;\n}\n")
    _with_kernel_doc(repo, script.read_text(), {"drivers/widget.c": documented})
    steps = [
        documented.replace("int frob(int w)", "int frob(int w, int flags)"),  # an undocumented parameter
        "int pad;\n\n" + documented.replace("int frob(int w)", "int frob(int w, int flags)"),  # moved down
        documented.replace(" * @w: the widget\n", " * @w: the widget\n * @flags: how\n").replace(
            "int frob(int w)", "int frob(int w, int flags)"),  # documented
        documented + "/**\n * struct widget - a widget\n */\nstruct widget { int x; };\n",  # a bad comment
    ]
    for i, text in enumerate(steps):
        repo.write("drivers/widget.c", text)
        repo.commit(msg(f"widget: step {i}"))
    series, git = cut(repo)
    report = lint_series(series, git, run_checkpatch=False)
    texts = [documented, *steps]
    for n in range(1, len(steps) + 1):
        before = _kernel_doc(script, tmp_path / f"b{n}", "drivers/widget.c", texts[n - 1])
        after = _kernel_doc(script, tmp_path / f"a{n}", "drivers/widget.c", texts[n])
        new = after - before
        got = found(report, n, "kdoc")
        assert bool(got) == bool(new), n
        for _, rest in new:
            assert rest in got[0][1], (n, rest)
    assert found(report, 1, "kdoc") and not found(report, 2, "kdoc") and found(report, 4, "kdoc")
