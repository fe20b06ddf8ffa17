"""`patchtool demo`: every step runs, and its cover letter is the example's, as git would print it.

The golden file tests/golden/io_uring-lsm-cover.txt is regenerated only
with PATCHTOOL_REGEN_GOLDEN=1.  The shortlog and diffstat blocks are also
checked against the archived posting (tests' seed copy) and against what
git prints for the series applied with `git am` on the demo repository.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.datafiles import example_series
from patchtool.demo.build import build_base_repo
from patchtool.demo.run import DemoResult, run_demo
from tests.conftest import Repo

GOLDEN = Path(__file__).parent / "golden" / "io_uring-lsm-cover.txt"
# The shortlog and diffstat blocks of the archived RFC v2 cover letter (facts: names, subjects,
# paths, numbers); the posting's prose is not part of the project.
SEED = Path(__file__).parent / "golden" / "seed-blocks.txt"
SUBJECT = "Subject: [RFC PATCH v2 0/9] Add LSM access controls and auditing to io_uring\n"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    steps: list[str] = []
    result = run_demo(tmp_path_factory.mktemp("demo") / "linux", lambda heading, text: steps.append(heading))
    assert steps == ["build", "import", "check", "diffstat by file", "cover"]
    return result


def test_demo_command_prints_every_step(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a relative folder: "Cannot access work tree" once (its git runs elsewhere)
    assert main(["demo", "linux"]) == 0
    out = capsys.readouterr().out
    for heading in ("build", "import", "check", "cover"):
        assert f"=== {heading} ===" in out
    assert "=== diffstat by" in out
    assert SUBJECT in out
    assert (tmp_path / "linux" / ".git").is_dir()


def test_demo_without_dir_leaves_nothing_behind(capsys: pytest.CaptureFixture[str]) -> None:
    def leftovers() -> set[Path]:
        return set(Path(tempfile.gettempdir()).glob("patchtool-demo-*"))

    before = leftovers()
    assert main(["demo"]) == 0
    assert "the repository stays in" not in capsys.readouterr().out
    assert leftovers() <= before


def test_demo_refuses_a_non_empty_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x").write_text("mine\n")
    assert main(["demo", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert (tmp_path / "x").read_text() == "mine\n"


def test_cover_equals_golden_file(demo: DemoResult) -> None:
    if os.environ.get("PATCHTOOL_REGEN_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(demo.cover, encoding="utf-8")
    assert GOLDEN.is_file(), "no golden file: run the tests once with PATCHTOOL_REGEN_GOLDEN=1"
    assert demo.cover == GOLDEN.read_text(encoding="utf-8")


def test_cover_subject(demo: DemoResult) -> None:
    assert SUBJECT in demo.cover


def _blocks(text: str) -> str:
    """From the first shortlog author line to the diffstat's summary line (inclusive)."""
    start = text.index("Casey Schaufler (1):\n")
    end = text.index(" files changed, ", start)
    return text[start:text.index("\n", end) + 1]


def test_shortlog_and_diffstat_equal_the_seed_except_git_wraps(demo: DemoResult) -> None:
    ours = _blocks(demo.cover).splitlines(keepends=True)
    seed = _blocks(SEED.read_text(encoding="utf-8")).splitlines(keepends=True)
    diff = [d for d in difflib.ndiff(seed, ours) if d[:1] in "+-?"]
    # The archived copy lost the two continuation lines `git shortlog -w` wraps long subjects into.
    assert diff == ["+          syscalls\n", "+          anon_inode_getfd_secure()\n"]


def test_shortlog_and_diffstat_equal_git_on_the_demo_repository(demo: DemoResult, tmp_path: Path) -> None:
    repo = Repo(tmp_path / "linux")
    build_base_repo(repo.path)
    patches = example_series("io_uring-lsm") / "patches"
    names = [n for n in (patches / "series").read_text().split() if n.endswith(".patch")]
    repo.git("am", "-q", *(str(patches / n) for n in names))
    expected = repo.git("shortlog", "-w", "v5.14-rc5..HEAD") + repo.git("diff", "--stat=68", "v5.14-rc5", "HEAD")
    assert _blocks(demo.cover) == expected
    assert repo.git("rev-parse", "HEAD^{tree}").strip() in _tree_of(demo)


def _tree_of(demo: DemoResult) -> str:
    from patchtool.apply import apply_series
    from patchtool.cover import series_base
    from patchtool.gitrepo import GitRepo

    repo = GitRepo.open(demo.repo)
    with repo.scratch() as store:
        return apply_series(store, series_base(demo.series, store), demo.series.patches).result_tree or ""
