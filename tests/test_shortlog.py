"""shortlog.py against git: `git shortlog -w` and the cover letter of `git format-patch`.

Every expected text is what git prints in the test, for commits made in a
real repository with ``git fast-import`` (so subjects reach git byte for
byte, without ``git commit``'s message clean-up).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patchtool.shortlog import FORMAT_PATCH, SHORTLOG_W, Layout, parse_mailmap, render_shortlog, wrap_text
from tests.conftest import Repo

STAT_FILE = "stat.txt"


def make_commits(repo: Repo, commits: list[tuple[str, str, str]], mailmap: str | None = None) -> None:
    """A root commit tagged ``base`` (holding .mailmap), then one commit per (name, email, message)."""
    lines: list[bytes] = []

    def data(text: str) -> None:
        raw = text.encode("utf-8")
        lines.append(f"data {len(raw)}\n".encode() + raw + b"\n")

    lines.append(b"commit refs/heads/master\nmark :1\n")
    lines.append(b"committer C O Mitter <c@example.org> 1628714897 -0400\n")
    data("base")
    if mailmap is not None:
        lines.append(b"M 100644 inline .mailmap\n")
        data(mailmap)
    lines.append(f"M 100644 inline {STAT_FILE}\n".encode())
    data("0\n")
    for i, (name, email, message) in enumerate(commits, 2):
        lines.append(f"commit refs/heads/master\nmark :{i}\n".encode())
        lines.append(f"author {name} <{email}> {1628714897 + i} -0400\n".encode())
        lines.append(b"committer C O Mitter <c@example.org> 1628714897 -0400\n")
        data(message)
        lines.append(f"from :{i - 1}\n".encode())
        lines.append(f"M 100644 inline {STAT_FILE}\n".encode())
        data(f"{i}\n")
    repo.git("fast-import", "--quiet", input=b"".join(lines))
    repo.git("tag", "base", "master~" + str(len(commits)))
    repo.git("reset", "-q", "--hard", "master")


def git_shortlog_w(repo: Repo) -> str:
    return repo.git("shortlog", "-w", "base..master")


def git_cover_shortlog(repo: Repo) -> str:
    """The shortlog block of `git format-patch --cover-letter`'s cover."""
    out = repo.git("format-patch", "--cover-letter", "--stdout", "base..master")
    start = out.index("*** BLURB HERE ***\n\n") + len("*** BLURB HERE ***\n\n")
    end = out.index(f"\n {STAT_FILE} |", start) + 1
    return out[start:end]


def ours(commits: list[tuple[str, str, str]], layout: Layout, mailmap: str | None = None) -> str:
    return render_shortlog(commits, layout, parse_mailmap(mailmap) if mailmap is not None else None)


AUTHORS = [
    ("Paul Moore", "paul@paul-moore.com"),
    ("Casey Schaufler", "casey@schaufler-ca.com"),
    ("Mickaël Salaün", "mic@linux.microsoft.com"),
    ("小林 健", "kobayashi@example.jp"),
    ("alice lower", "alice@example.org"),
    ("Zed", "zed@example.org"),
    ("Ångström Ω", "ang@example.org"),
]

SUBJECTS = [
    "audit: prepare audit_context for use in calling contexts beyond syscalls",
    "fs: add anon_inode_getfile_secure() similar to anon_inode_getfd_secure()",
    "x" * 90,
    "short",
    "a" * 60 + " " + "b" * 9,
    "a" * 60 + " " + "b" * 10,
    "a" * 66 + " " + "b" * 5,
    "lsm: " + "word " * 30,
    "[PATCH] audit: a stripped prefix",
    "[PATCH v3 2/7] io_uring: another stripped prefix",
    "[RFC] kept: only [PATCH is stripped",
    "  leading spaces go",
    "中文字符的标题测试 " * 6,
    "combining e\u0301 e\u0301 " * 10,
    "tab\tin the\tsubject that is long enough to wrap around the width of the line",
    "first line of a subject\nthat continues here",
    "paragraph one\n\nparagraph two is not in the subject",
]


def _fixed_commits() -> list[tuple[str, str, str]]:
    return [(*AUTHORS[i % len(AUTHORS)], s) for i, s in enumerate(SUBJECTS)]


def test_many_authors_long_subjects_match_git_shortlog_w(repo: Repo) -> None:
    commits = _fixed_commits()
    make_commits(repo, commits)
    assert ours(commits, SHORTLOG_W) == git_shortlog_w(repo)


def test_many_authors_long_subjects_match_format_patch_cover(repo: Repo) -> None:
    commits = _fixed_commits()
    make_commits(repo, commits)
    assert ours(commits, FORMAT_PATCH) == git_cover_shortlog(repo)


MAILMAP = """\
# a comment line
Paul Moore <paul@paul-moore.com> <pmoore@redhat.com>
<casey@schaufler-ca.com> <casey@old.example.org>
Mickaël Salaün <mic@linux.microsoft.com> Mic <MIC@Digikod.NET>
Right Name <right@example.org> wrong name <shared@example.org>
Simple Only <shared@example.org>
   Spaced   Name   <spaced@example.org>
"""

MAILMAP_COMMITS = [
    ("paul", "pmoore@redhat.com", "audit: mapped by e-mail"),
    ("Paul Moore", "PMOORE@REDHAT.COM", "audit: e-mail case does not matter"),
    ("Casey", "casey@old.example.org", "smack: only the e-mail changes, name stays"),
    ("mic", "mic@digikod.net", "landlock: name and e-mail matched case-insensitively"),
    ("Someone Else", "mic@digikod.net", "landlock: e-mail known but name not: unchanged"),
    ("Wrong Name", "shared@example.org", "x: the name-specific entry wins"),
    ("Other", "shared@example.org", "x: the simple entry for the same e-mail"),
    ("spaced", "spaced@example.org", "x: names are trimmed"),
    ("Nobody", "nobody@example.org", "x: not in the mailmap"),
]


def test_mailmap_matches_git_shortlog(repo: Repo) -> None:
    make_commits(repo, MAILMAP_COMMITS, mailmap=MAILMAP)
    assert ours(MAILMAP_COMMITS, SHORTLOG_W, MAILMAP) == git_shortlog_w(repo)


def test_mailmap_matches_format_patch_cover(repo: Repo) -> None:
    make_commits(repo, MAILMAP_COMMITS, mailmap=MAILMAP)
    assert ours(MAILMAP_COMMITS, FORMAT_PATCH, MAILMAP) == git_cover_shortlog(repo)


def test_mailmap_lookup() -> None:
    mm = parse_mailmap(MAILMAP)
    assert mm.map("Casey", "CASEY@old.example.org") == ("Casey", "casey@schaufler-ca.com")
    assert mm.map("x", "unknown@example.org") == ("x", "unknown@example.org")


def test_negative_indent_folds_like_a_mail_header() -> None:
    text, col = wrap_text("word " * 20, -10, 1, 30)
    assert text.split("\n")[0].startswith("word")
    assert all(len(line) <= 30 for line in text.split("\n")[1:])
    assert col <= 30


_ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789") + [" "] * 8
    + list(":-_()/.,;'\"[]") + ["é", "ü", "Ω", "中", "文", "\u0301", "\t", "\u00ad"]
)
_SUBJECT = st.tuples(
    st.sampled_from(["", "[PATCH] ", "[PATCH v2 1/3] ", "  ", "[PATCHv2]"]),
    st.text(_ALPHABET, min_size=1, max_size=120),
    st.sampled_from(["", "\ncontinued", "\n\nbody"]),
).map("".join).filter(lambda s: s.strip(" \t\n"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subjects=st.lists(st.tuples(st.integers(0, len(AUTHORS) - 1), _SUBJECT), min_size=1, max_size=6))
def test_generated_subjects_match_git(tmp_path_factory: object, subjects: list[tuple[int, str]]) -> None:
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        repo = Repo(Path(tmp))
        subprocess.run(["git", "init", "-q", "-b", "master", tmp], check=True)
        commits = [(*AUTHORS[a], s) for a, s in subjects]
        make_commits(repo, commits)
        assert ours(commits, SHORTLOG_W) == git_shortlog_w(repo)
        assert ours(commits, FORMAT_PATCH) == git_cover_shortlog(repo)


@given(st.text())
def test_mailmap_folding_is_strcasecmps_ascii_only(text: str) -> None:
    from patchtool.shortlog import _fold

    assert _fold(text) == "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)
