"""``wip-marker``, ``placeholder`` and ``changelog``: what real series still go out with, and what they do not.

Marker words count only where they label the patch ("WIP: ...", "... with
debug"), not where the patch acts on them ("remove debug print", "fix WIP
handling", "hack around X"); statements ("this is a work in progress")
count anywhere in a body or the cover.  The placeholders are those an
untouched ``git format-patch --cover-letter`` writes (git makes them
here), the empty change log the one ``patchtool reroll`` opens.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.gitrepo import GitRepo
from patchtool.lint import Context, Severity, lint_series, markers
from patchtool.lint.placeholders import empty_heading, heading_version
from patchtool.model import Subject
from patchtool.seriesdir import read_series

from .conftest import Repo
from .test_lint import bump, copy_template, cut, found, msg, template  # noqa: F401  (template: a fixture)


@pytest.fixture
def repo(repo: Repo, template: Repo) -> Repo:  # noqa: F811
    """test_lint.py's repository: kernel/foo.c with a 'foo:' history, MAINTAINERS, tagged ``base``."""
    return copy_template(template, repo)


NOT_MARKED = [
    "driver/net/rtl8139: remove debug print",
    "net: fix WIP handling",
    "foo: hack around the firmware's reset quirk",
    "foo: drop the HACK for old boards",
    "foo: replace a hack with proper locking",
    "x86/debug: fix the stack dump",
    "foo/debug: add debugfs entries",
    "foo: add debug output for failed resets",
    "foo: silence debug messages",
]
MARKED = [
    ("foo: WIP add a counter", "WIP"),
    ("WIP: foo: add a counter", "WIP"),
    ("HACK: foo: force the reset", "HACK"),
    ("foo: add a HACK", "HACK"),
    ("foo: add a counter with debug", "debug"),
    ("foo: debug patch for the reset", "debug"),
    ("foo: dev/test patch to force things", "dev/test"),
    ("foo: DO NOT MERGE add a counter", "DO NOT MERGE"),
]


def _subject_findings(summary: str, prefix: str = "PATCH") -> list[str]:
    from patchtool.model import Patch, Person, Series

    patch = Patch(subject=Subject(summary, prefix), author=Person("A", "a@example.org"), date="", body="Say why.",
                  trailers=(), files=())
    series = Series(name="s", title="t", patches=(patch,))
    return [f.message for f in markers.check(Context(series)) if f.rule == "wip-marker" and f.patch == 1]


@pytest.mark.parametrize("summary", NOT_MARKED)
def test_marker_words_the_patch_acts_on_are_not_flagged(summary: str) -> None:
    assert _subject_findings(summary) == []


@pytest.mark.parametrize(("summary", "label"), MARKED)
def test_marker_words_that_label_the_patch_are_flagged(summary: str, label: str) -> None:
    assert _subject_findings(summary) == [f"'{label}' in the subject: work not meant for merging"]


def test_a_marker_in_the_bracket_prefix() -> None:
    assert _subject_findings("foo: add a counter", prefix="PATCH WIP") == [
        "'WIP' in the subject: work not meant for merging"]
    assert _subject_findings("foo: add a counter", prefix="PATCH DNM") == [
        "'DO NOT MERGE' in the subject: work not meant for merging"]


STATEMENTS = [
    "WARNING - This is a work in progress and should not be merged",
    "This is still a work in progress: the reset logic needs more testing.",
    "This patch is not for merging, it shows the idea.",
    "Not meant for inclusion yet.",
    "RFC only, please do not apply.",
    "Posted for review only.",
    "The hooks print what they see; that output has to go before this is merged.",
    "The tools need changes; those are still being worked on, as is this patch.",
    "Please do not apply this one.",
]
NOT_STATEMENTS = [
    "The two lists should not be merged, since their order differs.",
    "Do not merge adjacent mappings when their flags differ.",
    "The work-in-progress list is walked under the lock.",
    "Clear the work in progress flag before the next submission.",
    "The driver is still being worked on by the vendor.",
    "DO NOT MERGE",  # the shouted marker word: wip-marker's other half says so
]


@pytest.mark.parametrize("text", STATEMENTS)
def test_wip_statements_are_found(text: str) -> None:
    assert len(markers.statements(f"Some context first.\n\n{text}\n")) == 1


@pytest.mark.parametrize("text", NOT_STATEMENTS)
def test_prose_about_code_is_not_a_wip_statement(text: str) -> None:
    assert markers.statements(text) == []


def test_wip_statements_in_bodies_and_the_cover(repo: Repo) -> None:
    bump(repo, line="int a;\n")
    repo.commit(msg("foo: add a counter", body="WARNING - This is a work in progress and should not be merged\n\n"
                    "The counter counts resets."))
    bump(repo, line="int b;\n")
    repo.commit(msg("foo: add another counter", body="It counts the other resets."))
    series, git = cut(repo)
    series = replace(series, cover=replace(series.cover, prose="Two counters.\n\nThis is not for merging yet."))
    report = lint_series(series, git, run_checkpatch=False)
    assert found(report, 1, "wip-marker") == [(
        Severity.WARNING, 'the body says it is work not meant for merging: '
                          '"WARNING - This is a work in progress and should not be merged"')]
    assert found(report, 2, "wip-marker") == []
    assert found(report, 0, "wip-marker") == [(
        Severity.WARNING, 'the cover letter says it is work not meant for merging: "This is not for merging yet."')]


# -- placeholders: what git format-patch --cover-letter writes, untouched ------------------------


def test_format_patch_placeholders_in_the_cover_are_errors(repo: Repo, tmp_path: Path) -> None:
    for i in range(3):
        bump(repo, line=f"int p{i};\n")
        repo.commit(msg(f"foo: add counter {i}"))
    mails = tmp_path / "mails"
    repo.git("format-patch", "-q", "--cover-letter", "-o", str(mails), "base..HEAD")
    cover = next(mails.glob("0000-*.patch")).read_text()
    assert "*** SUBJECT HERE ***" in cover and "*** BLURB HERE ***" in cover
    out = tmp_path / "s"
    assert main(["import", str(mails), "-o", str(out), "--repo", str(repo.path)]) == 0
    git = GitRepo.open(repo.path)
    # import keeps the subject and drops the blurb line (the prose is what the author wrote: nothing)
    report = lint_series(read_series(out), git, run_checkpatch=False)
    assert found(report, 0, "placeholder") == [
        (Severity.ERROR, "'*** SUBJECT HERE ***' in the title: git format-patch's placeholder, never filled in")]
    assert report.has_errors
    # A cover.txt taken from git's cover letter by hand keeps the blurb line.
    blurb = cover.split("\n\n", 1)[1].split("\n\n", 1)[0]
    (out / "cover.txt").write_text(blurb + "\n")
    report = lint_series(read_series(out), git, run_checkpatch=False)
    assert found(report, 0, "placeholder") == [
        (Severity.ERROR, "'*** SUBJECT HERE ***' in the title: git format-patch's placeholder, never filled in"),
        (Severity.ERROR, "'*** BLURB HERE ***' in the cover letter: git format-patch's placeholder, never filled in"),
    ]
    filled = replace(read_series(out), title="Count resets", cover=replace(read_series(out).cover, prose="Why."))
    assert found(lint_series(filled, GitRepo.open(repo.path), run_checkpatch=False), 0, "placeholder") == []


# -- the change log of the version being posted -------------------------------------------------


def test_an_empty_change_log_after_reroll_is_a_warning(repo: Repo, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    bump(repo)
    repo.commit(msg("foo: add a counter"))
    out = tmp_path / "s"
    assert main(["import", "base..HEAD", "-o", str(out), "--repo", str(repo.path)]) == 0
    assert main(["reroll", str(out)]) == 0
    rerolled = read_series(out)
    assert rerolled.version == 2 and rerolled.changes[2] == ""
    git = GitRepo.open(repo.path)
    assert found(lint_series(rerolled, git, run_checkpatch=False), 0, "changelog") == [
        (Severity.WARNING, "the change log of v2 in series.toml is empty: say what changed since v1")]
    written = replace(rerolled, changes={2: "- count the resets too"})
    assert found(lint_series(written, git, run_checkpatch=False), 0, "changelog") == []
    # The same empty heading written into the cover letter by hand.
    by_hand = replace(written, changes={}, cover=replace(written.cover, prose="Counters.\n\nChanges in v2:\n\n"))
    assert found(lint_series(by_hand, git, run_checkpatch=False), 0, "changelog") == [
        (Severity.WARNING, "'Changes in v2:' in the cover letter has nothing under it: say what changed")]
    capsys.readouterr()


@pytest.mark.parametrize(("line", "version"), [
    ("Changes in v2:", 2), ("Changes since v1:", 2), ("v3:", 3), ("v1 -> v2:", 2), ("Changes v2..v3:", 3),
    ("v2 changes:", 2), ("- v2: fixed the leak", None), ("Changes in this version:", None),
])
def test_change_log_headings(line: str, version: int | None) -> None:
    assert heading_version(line) == version


def test_empty_headings() -> None:
    assert empty_heading("Changes in v2:\n\nChanges in v1:\n- first\n", 2) == "Changes in v2:"
    assert empty_heading("v2:\n---\n", 2) == "v2:"
    assert empty_heading("Changes in v2:\n- fix the leak\n", 2) is None
    assert empty_heading("Changes in v1:\n", 2) is None  # another version's business


def test_notes_with_an_empty_heading(repo: Repo) -> None:
    bump(repo)
    repo.commit(msg("foo: add a counter"))
    series, git = cut(repo)
    series = replace(series, version=2, patches=(replace(series.patches[0], notes="v2:\n\nv1:\n- first"),))
    assert found(lint_series(series, git, run_checkpatch=False), 1, "changelog") == [
        (Severity.WARNING, "'v2:' in the notes has nothing under it: say what changed")]
