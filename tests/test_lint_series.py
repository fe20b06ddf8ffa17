"""NIPA's series checks (cover_letter, patch_count, subject_prefix, fixes_present, maintainers), the
``.patchtool.toml`` configuration and profiles, and the table of checks ``lint --json`` prints.

Series are cut from repositories made in tmp_path, as in test_lint.py; the
netdev figures are NIPA's (patchtool/lint/profiles.py cites where each is
from).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.errors import BadInput
from patchtool.lint import LintReport, Severity, lint_series, registry
from patchtool.model import Series

from .conftest import Repo
from .test_lint import ADA, MAINTAINERS, bump, copy_template, cut, found, msg, template  # noqa: F401  (template: a fixture)


@pytest.fixture
def repo(repo: Repo, template: Repo) -> Repo:  # noqa: F811
    """test_lint.py's repository: kernel/foo.c with a 'foo:' history, MAINTAINERS, tagged ``base``."""
    return copy_template(template, repo)


def commits(repo: Repo, count: int, path: str = "kernel/foo.c", subject: str = "foo: add counter",
            trailers: str = ADA) -> None:
    for i in range(count):
        bump(repo, path=path, line=f"int n{repo.tick}_{i};\n")
        repo.commit(msg(f"{subject} {i}", trailers=trailers))


def run(repo: Repo, profile: str | None = None, **series_changes: object) -> LintReport:
    series, git = cut(repo)
    series = replace(series, **series_changes)  # type: ignore[arg-type]
    return lint_series(series, git, run_checkpatch=False, profile=profile)


def verdict(report: LintReport, check: str) -> tuple[str, tuple[str, ...]]:
    row = next(c for c in report.checks if c.check == check)
    return row.verdict, row.skipped


# -- cover_letter and patch_count ------------------------------------------------------------------


def test_cover_letter_for_three_patches_or_more(repo: Repo) -> None:
    commits(repo, 3)
    assert found(run(repo, title=""), 0, "cover_letter") == [
        (Severity.WARNING, "3 patches without a cover letter: give the series a title and cover.txt")]
    assert found(run(repo, title="Counters"), 0, "cover_letter") == []


def test_two_patches_need_no_cover_letter(repo: Repo) -> None:
    commits(repo, 2)
    assert found(run(repo, title=""), 0, "cover_letter") == []


def test_patch_count_over_the_limit(repo: Repo) -> None:
    commits(repo, 16)
    netdev = run(repo, profile="netdev")
    assert found(netdev, 0, "patch_count") == [
        (Severity.ERROR, "16 patches, more than the 15 the list takes at once: split the series")]
    assert verdict(netdev, "patch_count") == ("fail", ())
    assert [s for s, _ in found(run(repo), 0, "patch_count")] == [Severity.WARNING]  # the kernel profile


def test_patch_count_at_the_limit(repo: Repo) -> None:
    commits(repo, 15)
    report = run(repo, profile="netdev")
    assert found(report, 0, "patch_count") == [] and verdict(report, "patch_count") == ("pass", ())


def test_the_limit_comes_from_the_trees_configuration(repo: Repo) -> None:
    repo.write(".patchtool.toml", "[lint]\npatch-limit = 3\n")
    repo.commit("add .patchtool.toml")
    repo.git("tag", "-f", "base")
    commits(repo, 4)
    report = run(repo)
    assert [m for _, m in found(report, 0, "patch_count")] == [
        "4 patches, more than the 3 the list takes at once: split the series"]
    assert report.config_files == ("base:.patchtool.toml", str(repo.path / ".patchtool.toml"))


# -- subject_prefix (the tree designation) and fixes_present -----------------------------------------


def test_a_netdev_series_names_its_tree(repo: Repo) -> None:
    commits(repo, 2, path="net/core/dev.c", subject="net: add counter")
    assert found(run(repo, profile="netdev"), 0, "subject_prefix") == [
        (Severity.WARNING, 'the subject names no target tree (net, net-next): e.g. prefix = "PATCH net-next"')]
    assert found(run(repo, profile="netdev", prefix="PATCH net-next"), 0, "subject_prefix") == []
    assert found(run(repo, profile="netdev", prefix="PATCH NET"), 0, "subject_prefix") == []


def test_no_designation_expected_outside_netdev_files(repo: Repo) -> None:
    commits(repo, 1)  # kernel/foo.c: not netdev's
    commits(repo, 1, path="net/core/dev.c", subject="net: add counter")
    assert found(run(repo, profile="netdev"), 0, "subject_prefix") == []  # mixed: NIPA's "None"
    # only files netdev allows but does not require (include/): no designation either
    assert verdict(run(repo), "subject_prefix") == ("skipped", ("the kernel configuration names no trees "
                                                                  "([lint.trees])",))


def test_fixes_present_on_a_fixes_tree(repo: Repo) -> None:
    commits(repo, 2, path="net/core/dev.c", subject="net: fix counter")
    assert found(run(repo, profile="netdev", prefix="PATCH net"), 0, "fixes_present") == [
        (Severity.ERROR, "the series is for net, a fixes tree, but no patch has a Fixes: tag")]
    assert found(run(repo, profile="netdev", prefix="PATCH net-next"), 0, "fixes_present") == []
    report = run(repo, profile="netdev")
    assert verdict(report, "fixes_present") == (
        "skipped", ("the subject names no tree: whether it is for a fixes tree is unknown",))


def test_fixes_present_is_satisfied_by_a_tag(repo: Repo) -> None:
    fixed = repo.git("rev-parse", "base").strip()
    commits(repo, 1, path="net/core/dev.c", subject="net: fix counter",
            trailers=f'Fixes: {fixed[:12]} ("foo: rename foo2")\n{ADA}')
    commits(repo, 1, path="net/core/dev.c", subject="net: test counter")
    assert found(run(repo, profile="netdev", prefix="PATCH net"), 0, "fixes_present") == []


def test_documentation_needs_no_fixes_tag(repo: Repo) -> None:
    commits(repo, 1, path="Documentation/networking/foo.rst", subject="docs: net: describe counter")
    assert found(run(repo, profile="netdev", prefix="PATCH net"), 0, "fixes_present") == []


# -- maintainers: a section for each new file ----------------------------------------------------------


def test_a_new_file_only_the_rest_covers(repo: Repo) -> None:
    repo.write("kernel/bar.c", "int bar;\n")
    repo.write("kernel/Makefile", "obj-y += bar.o\n")  # build files are left out, as NIPA leaves them
    repo.write("Documentation/bar.rst", "Bar\n")
    repo.commit(msg("bar: add the bar driver"))
    netdev = run(repo, profile="netdev")
    assert found(netdev, 0, "maintainers") == [
        (Severity.ERROR, "kernel/bar.c: no MAINTAINERS section but THE REST covers it: add one for the new code")]
    assert [s for s, _ in found(run(repo), 0, "maintainers")] == [Severity.WARNING]


def test_a_new_file_with_a_section_of_its_own(repo: Repo) -> None:
    repo.write("kernel/bar.c", "int bar;\n")
    repo.write("MAINTAINERS", MAINTAINERS.replace("F:\tkernel/foo.c\n", "F:\tkernel/foo.c\nF:\tkernel/bar.c\n"))
    repo.commit(msg("bar: add the bar driver, maintained with foo"))
    assert found(run(repo, profile="netdev"), 0, "maintainers") == []


def test_a_new_file_in_a_broad_section(repo: Repo) -> None:
    repo.write("MAINTAINERS", MAINTAINERS.replace("F:\tkernel/foo.c\n", "F:\tkernel/\n"))
    for i in range(80):
        repo.write(f"kernel/many/f{i}.c", f"int f{i};\n")
    repo.commit("kernel: many files")
    repo.git("tag", "-f", "base")
    repo.write("kernel/bar.c", "int bar;\n")
    repo.commit(msg("bar: add the bar driver"))
    assert found(run(repo, profile="netdev"), 0, "maintainers") == [(
        Severity.WARNING, "kernel/bar.c: its narrowest MAINTAINERS section, FOO DRIVER, covers 82 files "
                          "(75 or more): add a section for the new code")]


def test_no_new_files_no_question(repo: Repo) -> None:
    commits(repo, 1)
    assert verdict(run(repo), "maintainers") == ("pass", ())


# -- configuration: .patchtool.toml of the base and of the repository, profiles ------------------------


def test_the_base_trees_file_then_the_repositorys(repo: Repo) -> None:
    repo.write(".patchtool.toml", '[lint]\nprofile = "netdev"\n')
    repo.commit("netdev's lint settings")
    repo.git("tag", "-f", "base")
    commits(repo, 16, path="net/core/dev.c", subject="net: add counter")
    report = run(repo)
    assert report.profile == "netdev" and [s for s, _ in found(report, 0, "patch_count")] == [Severity.ERROR]
    # The maintainer's own file in the work tree, uncommitted, has the last word.
    repo.write(".patchtool.toml", '[lint]\nprofile = "netdev"\n[lint.severity]\npatch_count = "info"\n'
                                  'subject_prefix = "off"\n')
    report = run(repo)
    assert [s for s, _ in found(report, 0, "patch_count")] == [Severity.INFO]
    assert found(report, 0, "subject_prefix") == []


def test_old_rule_ids_are_accepted(repo: Repo) -> None:
    repo.write(".patchtool.toml", '[lint]\ndisable = ["signoff", "recipients"]\n[lint.severity]\nfixes = "info"\n')
    fixed = repo.git("rev-parse", "base").strip()
    # no sign-off, a short id (and a Link: so the tag is not alone, which NIPA's script flags)
    commits(repo, 1, trailers=f'Fixes: {fixed[:8]} ("foo: rename foo2")\nLink: https://example.org/1')
    report = run(repo)
    assert found(report, 1, "signoff") == [] and found(report, 0, "recipients") == []
    assert verdict(report, "verify_signedoff")[0] == "disabled" and verdict(report, "cc_maintainers")[0] == "disabled"
    assert [s for s, _ in found(report, 1, "fixes")] == [Severity.INFO]
    assert registry.canonical("signoff") == "verify_signedoff" and registry.canonical("fixes") == "verify_fixes"


def test_disable_one_checkpatch_type_and_enable_again(repo: Repo) -> None:
    repo.write(".patchtool.toml", '[lint]\ndisable = ["body-empty", "checkpatch:LONG_LINE"]\nenable = ["body-empty"]\n')
    repo.commit("settings")
    repo.git("tag", "-f", "base")
    bump(repo)
    repo.commit(msg("foo: no body", body=""))
    report = run(repo)
    assert found(report, 1, "body-empty") and verdict(report, "body-empty")[0] == "warning"


@pytest.mark.parametrize(("text", "says"), [
    ("[lint\n", "not valid TOML"),
    ('[lint]\nprofile = "nipa"\n', "no lint profile 'nipa' (shipped: kernel, netdev)"),
    ('[lint]\ndisable = ["no-such-check"]\n', "[lint] disable: no check or rule 'no-such-check'"),
    ('[lint]\npatch-limt = 3\n', "[lint] unknown key 'patch-limt'"),
    ('[lint.severity]\nkdoc = "loud"\n', "[lint.severity] kdoc = 'loud': the level is one of error, warning"),
    ('[lint.trees]\nnet = "fixes"\n', "[lint.trees] net must be a table with fixes = true or false"),
    ('[[lint.deprecated-api]]\nname = "x"\npattern = "("\n', "[[lint.deprecated-api]] x: pattern '(' does not compile"),
])
def test_a_bad_configuration_is_bad_input(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          text: str, says: str) -> None:
    commits(repo, 1)
    out = tmp_path / "s"
    assert main(["import", "base..HEAD", "-o", str(out), "--repo", str(repo.path)]) == 0
    repo.write(".patchtool.toml", text)
    capsys.readouterr()
    assert main(["lint", str(out), "--repo", str(repo.path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(repo.path / ".patchtool.toml") in err and says in err, err


def test_profile_option_and_config_line(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commits(repo, 1, path="net/core/dev.c", subject="net: add counter")
    out = tmp_path / "s"
    assert main(["import", "base..HEAD", "-o", str(out), "--repo", str(repo.path)]) == 0
    capsys.readouterr()
    main(["lint", str(out), "--repo", str(repo.path), "--profile", "netdev"])
    text = capsys.readouterr().out
    assert "0/1 warning subject_prefix: the subject names no target tree (net, net-next)" in text
    assert "config: the netdev profile" in text
    assert main(["lint", str(out), "--repo", str(repo.path), "--profile", "nipa"]) == 2


# -- the table: every check once, its verdict and what it skipped ----------------------------------------


def test_json_lists_every_check_with_its_verdict(repo: Repo, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    commits(repo, 1, trailers="")
    out = tmp_path / "s"
    assert main(["import", "base..HEAD", "-o", str(out), "--repo", str(repo.path)]) == 0
    capsys.readouterr()
    assert main(["lint", str(out), "--repo", str(repo.path), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    rows = {c["check"]: c for c in doc["checks"]}
    assert list(rows) == [c.name for c in registry.CHECKS]
    assert rows["verify_signedoff"] == {"check": "verify_signedoff", "nipa": "patch/verify_signedoff",
                                        "verdict": "fail", "findings": 1, "skipped": []}
    assert rows["cc_maintainers"]["verdict"] == "warning" and rows["applies"]["verdict"] == "pass"
    assert rows["kdoc"] == {"check": "kdoc", "nipa": "patch/kdoc", "verdict": "skipped", "findings": 0,
                            "skipped": ["no scripts/kernel-doc in the base"]}
    assert rows["checkpatch"]["skipped"] == ["no scripts/checkpatch.pl in the base"]
    assert rows["subject_prefix"]["verdict"] == "skipped" and doc["profile"] == "kernel" and doc["config"] == []
    assert {f["check"] for f in doc["findings"] if f["rule"] == "recipients"} == {"cc_maintainers"}


def test_without_a_repository_the_table_says_so(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    fixed = repo.git("rev-parse", "base").strip()
    commits(repo, 1, trailers=f'Fixes: {fixed[:12]} ("foo: rename foo2")\n{ADA}')
    out = tmp_path / "s"
    assert main(["import", "base..HEAD", "-o", str(out), "--repo", str(repo.path)]) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    capsys.readouterr()
    main(["lint", str(out), "--json"])
    rows = {c["check"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    for check in ("applies", "kdoc", "maintainers", "cc_maintainers", "subject-prefix", "checkpatch"):
        assert rows[check]["verdict"] == "skipped" and rows[check]["skipped"] == ["no repository"], check
    assert rows["verify_fixes"]["verdict"] == "pass"
    assert rows["verify_fixes"]["skipped"] == ["no repository: the targets of the Fixes: tags not looked up"]
    main(["lint", str(out)])
    text = capsys.readouterr().out
    line = next(ln for ln in text.splitlines() if ln.startswith("skipped (no repository): "))
    assert set(line.split(": ", 1)[1].split(", ")) == {"subject-prefix", "cc_maintainers", "applies", "kdoc",
                                                        "maintainers", "checkpatch"}


def test_every_rule_a_finding_carries_belongs_to_a_check() -> None:
    for check in registry.CHECKS:
        for rule in check.rules:
            assert registry.check_of(rule) == check.name
    assert registry.check_of("checkpatch:LONG_LINE") == "checkpatch"
    assert registry.check_of("base") is None


def test_bad_config_names_the_file_in_the_base() -> None:
    from patchtool.lint.config import merge, profile

    with pytest.raises(BadInput, match=r"^v6\.1:\.patchtool\.toml: \[lint\] patch-limit must be a whole number"):
        merge(profile("kernel"), {"patch-limit": -1}, "v6.1:.patchtool.toml")


def test_a_series_without_patches_files_is_fine(repo: Repo) -> None:
    commits(repo, 1)
    series, git = cut(repo)
    report = lint_series(Series(name="e", title="empty", patches=(), base=series.base,
                                base_commit=series.base_commit), git, run_checkpatch=False)
    assert not report.has_errors


def test_the_readmes_example_configuration_is_valid() -> None:
    import tomllib

    from patchtool.lint.config import merge, profile

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("## Lint rules"):]
    block = section[section.index("```toml\n") + 8:section.index("```\n", section.index("```toml"))]
    cfg = merge(profile("kernel"), tomllib.loads(block)["lint"], "README")
    assert "verify_signedoff" in cfg.disabled and cfg.level("checkpatch:LONG_LINE") == "off"
    assert cfg.tree("NET") is not None and cfg.deprecated[0].pattern.search(" dev_hold(dev)")
