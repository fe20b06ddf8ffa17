"""`patchtool export` against `git format-patch --cover-letter --thread --base` on the same commits.

The series is imported from commits of a real repository; git writes its
own files for those commits in the test, and every file must be equal,
except the generated Message-Id values (compared as a threading shape)
and the cover's Date.
"""

from __future__ import annotations

import mailbox
import re
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patchtool.cli import main
from patchtool.mailfmt import from_header, patch_file_name, subject_header
from patchtool.model import Person, Subject
from patchtool.seriesdir import write_series
from patchtool.sources import load_source
from tests.conftest import Repo
from tests.test_shortlog import make_commits

TO = ("linux-security-module@vger.kernel.org", "Jens Axboe <axboe@kernel.dk>")
CC = ("Pavel Begunkov <asml.silence@gmail.com>",)


def build_history(repo: Repo, extra: int = 0) -> str:
    """A base tagged v1 and a series with long, non-ASCII, renaming, deleting and mode-changing patches."""
    repo.write("kernel/auditsc.c", "".join(f"line {i}\n" for i in range(40)))
    repo.write("fs/old_name.c", "".join(f"old {i}\n" for i in range(30)))
    repo.write("doomed.txt", "bye\n")
    repo.write("script.sh", "echo hi\n")
    base = repo.commit("base")
    repo.git("tag", "v1")
    repo.write("kernel/auditsc.c", "".join(f"line {i}\n" for i in range(40)) + "added\n")
    repo.commit("audit: prepare audit_context for use in calling contexts beyond syscalls\n\n"
                "A body line.\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    repo.write("security/naïve.c", "int x;\n")
    repo.commit("sécurité: naïve subject with ünïcödé that is long enough to need folding in the header\n\n"
                "Body with ü.\n\nSigned-off-by: Zoë Ünicode <zoe@example.org>",
                author="Zoë Ünicode <zoe@example.org>")
    (repo.path / "fs/old_name.c").rename(repo.path / "fs/new_name.c")
    repo.write("fs/new_name.c", (repo.path / "fs/new_name.c").read_text() + "one more\n")
    (repo.path / "script.sh").chmod(0o755)
    repo.commit("fs: rename old_name.c, make script.sh executable", author="Schaufler, Casey <casey@example.org>")
    (repo.path / "doomed.txt").unlink()
    repo.commit("cleanup: remove doomed.txt",
                author="A Very Long Name With Many Words That Goes On And On Beyond The Fold <long@example.org>")
    for i in range(extra):
        repo.write(f"extra/{i}.txt", f"{i}\n")
        repo.commit(f"extra: file {i}")
    return base


def export_and_format_patch(repo: Repo, tmp_path: Path, *extra_args: str, version: int = 2,
                            rfc: bool = True, prefix: str = "PATCH net-next") -> tuple[Path, Path]:
    series = load_source("v1..master", name="s", repo_path=repo.path)
    series = replace(series, version=version, rfc=rfc, prefix=prefix, to=TO, cc=CC, base="v1")
    folder = tmp_path / "series" / "s"
    write_series(series, folder)
    ours = tmp_path / "ours"
    assert main(["export", str(folder), "-o", str(ours), "--repo", str(repo.path), *extra_args]) == 0
    theirs = tmp_path / "theirs"
    subject_prefix = ("RFC " if rfc else "") + prefix
    thread = [a for a in extra_args if a.startswith("--thread")] or ["--thread"]
    reroll = [f"-v{version}"] if version > 1 else []
    repo.git("format-patch", "-q", "--cover-letter", *reroll, f"--subject-prefix={subject_prefix}",
             *thread, "--base=v1", *(f"--to={t}" for t in TO), *(f"--cc={c}" for c in CC),
             "-o", str(theirs), "v1..master")
    return ours, theirs


_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")


def normalized(texts: list[str]) -> list[str]:
    """Message ids -> <id-N> by first appearance; the cover's Date line dropped."""
    seen: dict[str, str] = {}

    def ids(m: re.Match[str]) -> str:
        return seen.setdefault(m.group(0), f"<id-{len(seen)}>")

    out = []
    for i, text in enumerate(texts):
        head, sep, body = text.partition("\n\n")
        lines = [_ID.sub(ids, line) if line.split(":")[0] in ("Message-Id", "In-Reply-To", "References")
                 or line.startswith("\t<") else line for line in head.split("\n")]
        if i == 0:
            lines = [line for line in lines if not line.startswith("Date: ")]
        out.append("\n".join(lines) + sep + body)
    return out


def files_of(folder: Path) -> tuple[list[str], list[str]]:
    files = sorted(folder.iterdir())
    return [f.name for f in files], [f.read_text(encoding="utf-8") for f in files]


@pytest.mark.parametrize("thread", ["--thread=shallow", "--thread=deep"])
def test_export_equals_format_patch(repo: Repo, tmp_path: Path, thread: str) -> None:
    build_history(repo)
    ours, theirs = export_and_format_patch(repo, tmp_path, thread)
    our_names, our_texts = files_of(ours)
    git_names, git_texts = files_of(theirs)
    assert our_names == git_names
    assert normalized(our_texts) == normalized(git_texts)


def test_ten_patches_are_zero_padded_like_git(repo: Repo, tmp_path: Path) -> None:
    build_history(repo, extra=6)
    ours, theirs = export_and_format_patch(repo, tmp_path, version=1, rfc=False, prefix="PATCH")
    our_names, our_texts = files_of(ours)
    git_names, git_texts = files_of(theirs)
    assert our_names == git_names
    assert "Subject: [PATCH 01/10]" in our_texts[1]
    assert normalized(our_texts) == normalized(git_texts)


def test_mbox_is_the_files_in_order_and_parses(repo: Repo, tmp_path: Path) -> None:
    build_history(repo)
    series = replace(load_source("v1..master", name="s", repo_path=repo.path), to=TO, base="v1")
    write_series(series, tmp_path / "s")
    box = tmp_path / "all.mbox"
    assert main(["export", str(tmp_path / "s"), "-o", str(tmp_path / "out"), "--mbox", str(box),
                 "--repo", str(repo.path)]) == 0
    names, texts = files_of(tmp_path / "out")
    assert box.read_text(encoding="utf-8") == "".join(texts)
    msgs = list(mailbox.mbox(str(box)))
    assert len(msgs) == len(names) == 5
    cover_id = msgs[0]["Message-Id"]
    assert all(m["In-Reply-To"] == cover_id for m in msgs[1:])


def test_branch_is_written_and_equals_git_am(repo: Repo, tmp_path: Path) -> None:
    build_history(repo)
    series = replace(load_source("v1..master", name="s", repo_path=repo.path), base="v1")
    write_series(series, tmp_path / "s")
    head_before = repo.git("rev-parse", "HEAD")
    assert main(["export", str(tmp_path / "s"), "--branch", "exported", "--repo", str(repo.path)]) == 0
    assert repo.git("rev-parse", "exported^{tree}") == repo.git("rev-parse", "master^{tree}")
    assert repo.git("log", "--format=%an|%ae|%aD|%B", "v1..exported") == \
        repo.git("log", "--format=%an|%ae|%aD|%B", "v1..master")
    assert repo.git("rev-parse", "HEAD") == head_before
    # An existing branch is refused, then moved with --force.
    repo.git("branch", "taken", "v1")
    args = ["export", str(tmp_path / "s"), "--branch", "taken", "--repo", str(repo.path)]
    assert main(args) == 2
    assert repo.git("rev-parse", "taken") == repo.git("rev-parse", "v1")
    assert main([*args, "--force"]) == 0
    assert repo.git("rev-parse", "taken^{tree}") == repo.git("rev-parse", "master^{tree}")
    repo.git("fsck", "--strict")


def test_header_values_with_line_breaks_are_refused(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    build_history(repo)
    series = replace(load_source("v1..master", name="s", repo_path=repo.path), base="v1",
                     to=("a@b\nBcc: victim@example.org",))
    write_series(series, tmp_path / "s")
    assert main(["export", str(tmp_path / "s"), "-o", str(tmp_path / "out"), "--repo", str(repo.path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line break" in err


def test_file_names_match_git_for_awkward_subjects(repo: Repo, tmp_path: Path) -> None:
    subjects = ["a..b...c: dots", "--- dashes and spaces ---", "x" * 80, "tab\tand/slash", "ends with dot.",
                "ünïcode start", "under_score 123"]
    repo.write("f", "0\n")
    repo.commit("base")
    for i, s in enumerate(subjects):
        repo.write("f", f"{i}\n")
        repo.commit(s)
    out = repo.git("format-patch", "-v3", "-o", str(tmp_path / "fp"), f"HEAD~{len(subjects)}").split()
    assert [patch_file_name(n, s, version=3) for n, s in enumerate(subjects, 1)] == [Path(p).name for p in out]


def test_header_folding_matches_git(repo: Repo) -> None:
    """From:/Subject: lines as git writes them for long, quoted and non-ASCII values."""
    repo.write("f", "0\n")
    repo.commit("base")
    cases = [("Ada Lovelace", "short subject"), ("Jöhn Dœ", "x" * 100),
             ("Lovelace, Ada", "word " * 30), ("Ångström", "sécurité " * 12),
             ('Quote "Me" Back\\slash', "=?not-encoded?= but looks like it")]
    for i, (name, subject) in enumerate(cases):
        repo.write("f", f"{i + 1}\n")
        repo.commit(subject, author=f"{name} <n{i}@example.org>")
    out = repo.git("format-patch", "--stdout", f"HEAD~{len(cases)}")
    for i, (name, subject) in enumerate(cases):
        ours = from_header(Person(name, f"n{i}@example.org")) + "Date: "
        assert ours in out
        subj = subject_header(Subject(" ".join(subject.split()), "PATCH", number=i + 1, total=len(cases)))
        assert subj in out


_TEXT = st.text(st.sampled_from([*"abcXYZ019 .-_/:,()\"\\[]@=?", "é", "Ω", "中", " ", " ", "\u0301"]),
                min_size=1, max_size=90)
_NAME = st.text(st.sampled_from([*"abcXYZ .,()\"\\-", "é", "Ω", " "]), min_size=1, max_size=90)


@settings(max_examples=25, deadline=None)
@given(items=st.lists(st.tuples(_NAME, _TEXT), min_size=1, max_size=4))
def test_generated_names_and_subjects_match_format_patch(items: list[tuple[str, str]]) -> None:
    """File names, From: and Subject: lines for generated authors and subjects, against git."""
    items = [(" ".join(n.split()), " ".join(s.split())) for n, s in items]
    items = [(n, s) for n, s in items if n.strip(" .,") and s and n.strip() == n]
    if not items:
        return
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repo(Path(tmp))
        repo.git("init", "-q", "-b", "master")
        make_commits(repo, [(n, "a@example.org", s) for n, s in items])
        out = repo.git("format-patch", "-v2", "--subject-prefix=RFC PATCH", "-o", str(Path(tmp) / "fp"),
                       "base..master").split()
        total = len(items)
        for n, ((_name, subject), path) in enumerate(zip(items, out, strict=True), 1):
            text = Path(path).read_text(encoding="utf-8")
            assert patch_file_name(n, subject, version=2) == Path(path).name
            shown_name = repo.git("log", "-1", "--format=%an", f"master~{total - n}").strip()
            assert from_header(Person(shown_name, "a@example.org")) in text
            subj = Subject(subject, "PATCH", rfc=True, version=2, number=n if total > 1 else None,
                           total=total if total > 1 else None)
            assert subject_header(subj) in text
