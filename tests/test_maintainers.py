"""MAINTAINERS parsing and matching against get_maintainer.pl's rules.

* tests/data/MAINTAINERS.rules has one section per rule, each with a comment
  naming the rule; ``test_rule_*`` checks it.
* tests/data/MAINTAINERS.v5.14-rc5 holds the v5.14-rc5 sections the example
  series touches (from the facts file); the answers per file are
  get_maintainer.pl's.
* ``_perl_sections`` re-implements get_maintainer.pl's loop line for line
  (typevalue array, find_first_section, X: first, the depth hash) with no
  index; hypothesis checks the indexed matcher against it on random files.
* With ``PATCHTOOL_KERNEL_TREE`` set to a Linux source tree, the oracle tests
  run that tree's own ``scripts/get_maintainer.pl`` (its code is never copied
  here) on the rules file and on the tree's own MAINTAINERS.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patchtool.maintainers import (
    Maintainers,
    Section,
    dir_predicate,
    email_address,
    list_address,
    parse_maintainers,
)

DATA = Path(__file__).parent / "data"
RULES = DATA / "MAINTAINERS.rules"
V514 = DATA / "MAINTAINERS.v5.14-rc5"


@pytest.fixture(scope="module")
def rules() -> Maintainers:
    return parse_maintainers(RULES.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def v514() -> Maintainers:
    return parse_maintainers(V514.read_text(encoding="utf-8"))


def names(m: Maintainers, path: str) -> list[str]:
    return [match.section.name for match in m.sections_for(path)]


def ranked(m: Maintainers, path: str) -> list[tuple[str, int]]:
    return [(match.section.name, match.depth) for match in m.sections_for(path)]


# ---------------------------------------------------------------------------
# One test per rule of MAINTAINERS.rules


def test_rule_preamble_names_nothing(rules: Maintainers) -> None:
    assert rules.sections[0].name == "SUBTREE"
    assert rules.sections[0].line == 23
    assert all("preamble" not in s.name and "Maintainers List" not in s.name for s in rules.sections)
    assert not rules.problems()


def test_rule_subtree(rules: Maintainers) -> None:
    assert ranked(rules, "drivers/subtree/a.c") == [("SUBTREE", 2), ("THE REST", -1)]
    assert ranked(rules, "drivers/subtree/deep/er/b.c")[0] == ("SUBTREE", 2)
    assert names(rules, "drivers/subtreeish.c") == ["THE REST"]


def test_rule_deeper_first(rules: Maintainers) -> None:
    assert ranked(rules, "drivers/subtree/child/b.c") == [("SUBTREE CHILD", 3), ("SUBTREE", 2), ("THE REST", -1)]
    assert rules.most_specific("drivers/subtree/child/b.c").name == "SUBTREE CHILD"  # type: ignore[union-attr]


@pytest.mark.parametrize(("path", "owned"), [("fs/a.c", True), ("fs/.hidden", True), ("fs/sub/b.c", False)])
def test_rule_direct_files(rules: Maintainers, path: str, owned: bool) -> None:
    assert ("DIRECT FILES" in names(rules, path)) is owned
    if owned:
        assert ranked(rules, path)[0] == ("DIRECT FILES", 2)


@pytest.mark.parametrize(
    ("path", "owned"),
    [
        ("kernel/audit.c", True),
        ("kernel/auditsc.c", True),
        ("kernel/audit/x.c", False),
        ("lib/compat_audit.c", True),
        ("lib/audit.c", True),
        ("lib/audit.h", False),
        ("include/linux/widget.h", True),
        ("include/linux/wi_get.h", True),
        ("include/linux/wiget.h", False),
        ("include/linux/wi/get.h", False),
        ("scripts/checker.c", True),
        ("scripts/checker.h", True),
        ("scripts/checker.o", False),
    ],
)
def test_rule_globs(rules: Maintainers, path: str, owned: bool) -> None:
    assert ("GLOBS" in names(rules, path)) is owned
    if owned:
        assert ranked(rules, path)[0] == ("GLOBS", path.count("/") + 1)


@pytest.mark.parametrize(
    ("path", "owned"),
    [
        ("arch/x86/include/uapi/asm/unistd.h", True),
        ("arch/x86/um/include/uapi/b.h", True),
        ("arch/include/uapi/x.h", False),
        ("arch/x86/include/asm/x.h", False),
    ],
)
def test_rule_tree_glob(rules: Maintainers, path: str, owned: bool) -> None:
    assert ("TREE GLOB" in names(rules, path)) is owned
    if owned:
        assert ranked(rules, path)[0] == ("TREE GLOB", 4)


@pytest.mark.parametrize(
    ("path", "owned"),
    [
        ("include/linux/unanchored.h", True),
        ("include/linux/unanchored.hpp", True),
        ("include/linux/unanchored.h/x", False),
        ("include/unanchored.h", False),
    ],
)
def test_rule_unanchored(rules: Maintainers, path: str, owned: bool) -> None:
    assert ("UNANCHORED" in names(rules, path)) is owned


@pytest.mark.parametrize(
    ("path", "owned"),
    [
        ("net/excl/a.c", True),
        ("net/excl/private/b.c", False),  # X: subtree
        ("net/excl/x.rej", False),  # X: glob
        ("net/excl/sub/y.rej", True),  # the X: glob does not reach below
        ("net/excl/private/excl_regex.c", False),  # X: drops the N: match too
        ("drivers/excl_regex.c", True),  # N: alone, nothing excluded
    ],
)
def test_rule_exclude(rules: Maintainers, path: str, owned: bool) -> None:
    assert ("EXCLUDER" in names(rules, path)) is owned


def test_rule_regex(rules: Maintainers) -> None:
    assert ranked(rules, "drivers/gpu/tegra_drm.c")[0] == ("REGEX", 0)
    assert "REGEX" not in names(rules, "drivers/gpu/tegra_drm.h")
    assert "REGEX" not in names(rules, "drivers/gpu/nvtegra.c")
    assert ranked(rules, "drivers/foo12bar.c")[0] == ("REGEX", 0)  # /x: blanks and comment dropped
    assert "REGEX" not in names(rules, "drivers/foo 12 bar.c")


def test_rule_last_line_wins(rules: Maintainers) -> None:
    first = rules.sections_for("sound/soc/codecs/lastline.c")[0]
    assert (first.section.name, first.depth, first.kind, first.pattern) == ("LAST LINE WINS", 1, "F", "sound/")


def test_rule_ties(rules: Maintainers) -> None:
    assert ranked(rules, "crypto/tie/t.c") == [("TIE FIRST", 2), ("TIE SECOND", 2), ("THE REST", -1)]


def test_rule_spacing(rules: Maintainers) -> None:
    spacing = rules.section("SPACING")
    assert spacing is not None
    assert spacing.maintainers == ("Spacing Nospace <nospace@example.org>", "Spacing Spaces <spaces@example.org>")
    assert spacing.files == ("block/spacing/", "block/spacing2/")
    assert spacing.status == "Odd Fixes"
    assert names(rules, "block/spacing2/a.c")[0] == "SPACING"


def test_rule_names(rules: Maintainers) -> None:
    assert rules.section("NAMES NOTHING") is None
    assert names(rules, "ipc/realname/x.c")[0] == "REAL NAME"


def test_rule_quirky_fields(rules: Maintainers) -> None:
    quirky = rules.section("QUIRKY FIELDS")
    assert quirky is not None
    assert quirky.maintainers == ("Quirky <quirky@example.org>",)
    assert quirky.files == ()
    indented = rules.section("\tF:\tipc/indented/")
    assert indented is not None
    assert indented.files == ("ipc/quirky/",)
    assert names(rules, "ipc/quirky/x.c")[0] == "\tF:\tipc/indented/"
    assert names(rules, "ipc/lowercase/x.c") == ["THE REST"]
    assert names(rules, "ipc/indented/x.c") == ["THE REST"]


def test_rule_empty_pattern(rules: Maintainers) -> None:
    assert ranked(rules, "Makefile") == [("EMPTY PATTERN", 1), ("THE REST", -1)]
    assert "EMPTY PATTERN" not in names(rules, "init/main.c")


def test_rule_no_slash_directory() -> None:
    text = RULES.read_text(encoding="utf-8")
    plain = parse_maintainers(text)
    assert names(plain, "tools/noslash/a.c") == ["THE REST"]
    assert names(plain, "tools/noslashes.c")[0] == "NO SLASH DIRECTORY"  # a prefix in tools/
    tree = parse_maintainers(text, is_dir=dir_predicate(["tools/noslash/a.c", "Makefile"]))
    assert ranked(tree, "tools/noslash/a.c")[0] == ("NO SLASH DIRECTORY", 2)
    assert names(tree, "tools/noslashes.c") == ["THE REST"]


KEYWORD_PATCH = """\
From: A U Thor <author@example.org>
Subject: [PATCH] drivers: tidy up

Nothing in the message.
---
 drivers/other/x.c | 2 +-

diff --git a/drivers/other/x.c b/drivers/other/x.c
--- a/drivers/other/x.c
+++ b/drivers/other/x.c
@@ -1,3 +1,3 @@
 int frobnicate_context_line;
-int old;
+int frobnicate_now;
"""


def test_rule_keywords(rules: Maintainers) -> None:
    keyword = rules.section("KEYWORD")
    assert [s.name for s in rules.keyword_sections(KEYWORD_PATCH)] == ["KEYWORD"]
    # a context line does not count once the diff has started ...
    context_only = KEYWORD_PATCH.replace("+int frobnicate_now;", "+int other;")
    assert rules.keyword_sections(context_only) == ()
    # ... but any line of the message before the first file header does
    in_message = context_only.replace("Nothing in the message.", "It calls frobnicate_all.")
    assert rules.keyword_sections(in_message) == (keyword,)
    # the keyword is not a path rule
    assert "KEYWORD" not in names(rules, "drivers/other/frobnicate_now.c")
    recipients = rules.recipients(["drivers/other/x.c"], patch_text=KEYWORD_PATCH)
    assert recipients.keyword_sections == (keyword,)
    assert "Key Word <keyword@example.org>" in recipients.maintainers


def test_rule_keywords_skip_header_lines() -> None:
    m = parse_maintainers("KW\nK:\tsecret_word\nF:\tx/\n")
    for line in (
        "diff --git a/secret_word.c b/secret_word.c",
        "rename from secret_word.c",
        " mode change 100644 => 100755 secret_word.c",
        "@@ -1,2 +1,2 @@ secret_word",
    ):
        assert m.keyword_sections(line + "\n") == (), line
    assert m.keyword_sections("Fixes: 0123456789ab (secret_word)\n") == ()
    assert m.keyword_sections("Subject: secret_word\n") == m.sections


def test_keyword_with_leading_inline_flag() -> None:
    # Linux's PIDFD API section has "K: (?i)pidfd": Perl takes "(?i)" in the middle
    # of "^[+-].*(?i)pidfd", Python only at the start.
    m = parse_maintainers("PIDFD API\nK:\t(?i)pidfd\nF:\tkernel/pid.c\n")
    diff = "--- a/kernel/fork.c\n+++ b/kernel/fork.c\n@@ -1,1 +1,1 @@\n"
    assert m.keyword_sections(diff + "+\tstruct PIDFD_thing;\n") == m.sections
    assert m.keyword_sections(diff + " \tstruct PIDFD_thing;\n") == ()
    assert m.keyword_sections("Subject: Pidfd: fix\n") == m.sections
    assert m.problems() == ()


def test_rule_recipients(rules: Maintainers) -> None:
    got = rules.recipients(["security/people/again/x.c"])
    assert [s.name for s in got.sections] == ["PEOPLE AGAIN", "PEOPLE", "THE REST"]
    assert got.maintainers == ("Eric Paris <eparis@parisplace.org>", "P. Moore <PAUL@paul-moore.com>")
    assert got.reviewers == ("Pavel Begunkov <asml.silence@gmail.com>", '"Serge E. Hallyn" <serge@hallyn.com>')
    assert got.lists == ("LINUX-AUDIT@redhat.com", "other@lists.example.org", "linux-kernel@vger.kernel.org")
    people = rules.recipients(["security/people/x.c"])
    assert people.maintainers == ("Paul Moore <paul@paul-moore.com>", "Eric Paris <eparis@redhat.com>")
    assert people.lists == ("linux-audit@redhat.com (moderated for non-subscribers)", "linux-kernel@vger.kernel.org")
    assert people.list_addresses() == ("linux-audit@redhat.com", "linux-kernel@vger.kernel.org")
    assert people.addresses()[:3] == ("paul@paul-moore.com", "eparis@redhat.com", "serge@hallyn.com")


def test_rule_the_rest(rules: Maintainers) -> None:
    assert ranked(rules, "init/main.c") == [("THE REST", -1)]
    assert rules.most_specific("init/main.c").name == "THE REST"  # type: ignore[union-attr]
    assert [m.pattern for m in rules.sections_for("init/main.c")] == ["*/"]
    assert rules.recipients(["init/main.c"]).maintainers == ()
    chief = rules.recipients(["init/main.c"], chief_penguins=True)
    assert chief.maintainers == ("Linus Torvalds <torvalds@linux-foundation.org>",)
    assert chief.lists == ("linux-kernel@vger.kernel.org",)


def test_section_fields(rules: Maintainers) -> None:
    people = rules.section("PEOPLE")
    assert people == Section(
        name="PEOPLE",
        maintainers=("Paul Moore <paul@paul-moore.com>", "Eric Paris <eparis@redhat.com>", "Nobody Without Address"),
        reviewers=('"Serge E. Hallyn" <serge@hallyn.com>',),
        lists=("linux-audit@redhat.com (moderated for non-subscribers)", "secret@lists.example.org (subscribers-only)"),
        status="Supported",
        files=("security/people/",),
        other=(("W", "https://example.org/people"), ("T", "git git://git.example.org/people.git")),
        index=people.index,
        line=people.line,
    )
    assert people.emails() == ("paul@paul-moore.com", "eparis@redhat.com", "serge@hallyn.com")
    assert people.list_addresses() == ("linux-audit@redhat.com", "secret@lists.example.org")
    assert people.values_of("T") == ("git git://git.example.org/people.git",)


@pytest.mark.parametrize(
    ("entry", "address"),
    [
        ("Paul Moore <paul@paul-moore.com>", "paul@paul-moore.com"),
        ('"Serge E. Hallyn" <serge@hallyn.com>', "serge@hallyn.com"),
        ("<bare@example.org>", "bare@example.org"),
        ("bare@example.org", "bare@example.org"),
        ("Nobody Without Address", ""),
    ],
)
def test_email_address(entry: str, address: str) -> None:
    assert email_address(entry) == address


def test_list_address() -> None:
    assert list_address("linux-audit@redhat.com (moderated for non-subscribers)") == "linux-audit@redhat.com"
    assert list_address("io-uring@vger.kernel.org") == "io-uring@vger.kernel.org"


# ---------------------------------------------------------------------------
# Odd input: tolerated the way get_maintainer.pl tolerates it


def test_type_lines_before_any_section() -> None:
    m = parse_maintainers("M:\tFirst Line <first@example.org>\nF:\tkernel/\nL:\tlist@example.org\n\nNEXT\nF:\tmm/\n")
    first = m.sections[0]
    assert first.name == "M:First Line <first@example.org>"
    assert first.maintainers == ()  # get_maintainer.pl reads people from the line after the "name"
    assert first.lists == ("list@example.org",)
    assert names(m, "kernel/fork.c") == [first.name]
    assert [(p.line, "before any section" in p.message) for p in m.problems()] == [(1, True)]
    starts_with_pattern = parse_maintainers("F:\tkernel/\nM:\tA <a@example.org>\n")
    assert starts_with_pattern.sections[0].name == "F:kernel/"
    assert names(starts_with_pattern, "kernel/fork.c") == ["F:kernel/"]


def test_crlf_file_matches_like_lf(v514: Maintainers) -> None:
    crlf = parse_maintainers(V514.read_text(encoding="utf-8").replace("\n", "\r\n"))
    assert [s.name for s in crlf.sections] == [s.name for s in v514.sections]
    assert names(crlf, "fs/io_uring.c") == names(v514, "fs/io_uring.c")


def test_bad_regexes_match_nothing_and_are_reported() -> None:
    m = parse_maintainers("BAD\nF:\tdrivers/[z-a]/\nN:\t(unclosed\nK:\t+plus\nF:\tgood/\n")
    assert names(m, "good/x.c") == ["BAD"]
    assert names(m, "drivers/a/x.c") == []
    assert m.keyword_sections("+plus\n") == ()
    assert [p.line for p in m.problems()] == [2, 3, 4]  # the diff form "^[+-].*+plus" compiles


def test_empty_and_blank_files() -> None:
    for text in ("", "\n\n", "# only a comment\n", "NAME WITHOUT FIELDS\n"):
        m = parse_maintainers(text)
        assert m.sections == ()
        assert m.sections_for("a/b.c") == ()
        assert m.most_specific("a/b.c") is None
        assert m.recipients(["a/b.c"]).maintainers == ()


def test_dir_predicate() -> None:
    is_dir = dir_predicate(["a/b/c.c", "d.c", "a/e/f/g.h"])
    assert [is_dir(name) for name in ("a", "a/", "a/b", "a/e/f", "a/b/c.c", "d.c", "x", "")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]


# ---------------------------------------------------------------------------
# The v5.14-rc5 sections of the example series (facts: get_maintainer.pl's answers)

VFS = "FILESYSTEMS (VFS and infrastructure)"
V514_ANSWERS = {
    "fs/anon_inodes.c": [VFS],
    "fs/io-wq.c": ["IO_URING"],
    "fs/io_uring.c": ["IO_URING"],
    "include/linux/audit.h": ["AUDIT SUBSYSTEM"],
    "include/uapi/linux/audit.h": ["AUDIT SUBSYSTEM"],
    "kernel/audit.h": ["AUDIT SUBSYSTEM"],
    "kernel/auditsc.c": ["AUDIT SUBSYSTEM"],
    "kernel/audit_tree.c": ["AUDIT SUBSYSTEM"],
    "kernel/audit_watch.c": ["AUDIT SUBSYSTEM"],
    "kernel/auditfilter.c": ["AUDIT SUBSYSTEM"],
    "security/security.c": ["SECURITY SUBSYSTEM"],
    "security/selinux/hooks.c": ["SELINUX SECURITY MODULE"],
    "security/selinux/include/classmap.h": ["SELINUX SECURITY MODULE"],
    "security/smack/smack_lsm.c": ["SMACK SECURITY MODULE", "SECURITY SUBSYSTEM"],
    "include/linux/anon_inodes.h": [],
    "include/linux/lsm_hook_defs.h": [],
    "include/linux/lsm_hooks.h": [],
    "include/linux/security.h": [],
}


@pytest.mark.parametrize(("path", "owners"), V514_ANSWERS.items(), ids=list(V514_ANSWERS))
def test_v514_answer_per_file(v514: Maintainers, path: str, owners: list[str]) -> None:
    assert names(v514, path) == [*owners, "THE REST"]  # THE REST matches every file, last
    assert v514.most_specific(path).name == (owners or ["THE REST"])[0]  # type: ignore[union-attr]


def test_v514_exclusions(v514: Maintainers) -> None:
    assert VFS not in names(v514, "fs/io_uring.c")  # X: fs/io_uring.c
    assert "SECURITY SUBSYSTEM" not in names(v514, "security/selinux/hooks.c")  # X: security/selinux/
    assert "ABI/API" not in names(v514, "include/uapi/linux/audit.h")
    assert names(v514, "include/linux/syscalls.h")[0] == "ABI/API"


def test_v514_recipients_of_the_series(v514: Maintainers) -> None:
    got = v514.recipients(V514_ANSWERS)
    assert got.maintainers == (
        "Alexander Viro <viro@zeniv.linux.org.uk>",
        "Jens Axboe <axboe@kernel.dk>",
        "Paul Moore <paul@paul-moore.com>",
        "Eric Paris <eparis@redhat.com>",
        "James Morris <jmorris@namei.org>",
        '"Serge E. Hallyn" <serge@hallyn.com>',
        "Stephen Smalley <stephen.smalley.work@gmail.com>",
        "Casey Schaufler <casey@schaufler-ca.com>",
    )
    assert got.reviewers == ("Pavel Begunkov <asml.silence@gmail.com>",)
    assert got.list_addresses() == (
        "linux-fsdevel@vger.kernel.org",
        "linux-kernel@vger.kernel.org",
        "io-uring@vger.kernel.org",
        "linux-audit@redhat.com",
        "linux-security-module@vger.kernel.org",
        "selinux@vger.kernel.org",
    )
    # the posting's To left out these M: people and LKML: what lint reports
    posted = {"linux-security-module@vger.kernel.org", "selinux@vger.kernel.org", "linux-audit@redhat.com"}
    posted |= {"io-uring@vger.kernel.org", "linux-fsdevel@vger.kernel.org", "memxor@gmail.com", "axboe@kernel.dk"}
    posted |= {"asml.silence@gmail.com", "paul@paul-moore.com"}
    missing = [a for a in got.addresses() if a not in posted]
    assert missing == [
        "viro@zeniv.linux.org.uk",
        "eparis@redhat.com",
        "jmorris@namei.org",
        "serge@hallyn.com",
        "stephen.smalley.work@gmail.com",
        "casey@schaufler-ca.com",
        "linux-kernel@vger.kernel.org",
    ]


# ---------------------------------------------------------------------------
# get_maintainer.pl's loop, re-implemented without any index (the reference)

_TYPE = re.compile(r"([A-Z]):[ \t\n\r\f\v]*(.*)")


def _perl_file_match(path: str, pattern: str) -> bool:
    try:
        if not re.search("^" + pattern, path):
            return False
    except re.error:
        return False
    return pattern.endswith("/") or path.count("/") == pattern.count("/")


def _perl_sections(text: str, path: str, is_dir: Callable[[str], bool] = lambda _: False) -> list[tuple[str, int]]:
    typevalue: list[str] = []
    for line in text.split("\n"):
        line = line.removesuffix("\r")
        m = _TYPE.match(line)
        if m:
            kind, value = m[1], m[2]
            if kind in "FX":
                value = value.replace(".", "\\.").replace("*", ".*").replace("?", ".")
                if is_dir(value):
                    value = re.sub(r"([^/])$", r"\1/", value)
            typevalue.append(f"{kind}:{value}")
        elif line.strip(" \t\n\r\f\v") and not line.lstrip(" \t\n\r\f\v").startswith("#"):
            typevalue.append(line)
    size = len(typevalue)

    def typed(i: int) -> re.Match[str] | None:
        return _TYPE.match(typevalue[i])

    def start_of(i: int) -> int:
        while i > 0 and typed(i):
            i -= 1
        return i

    def end_of(i: int) -> int:
        while i < size and typed(i):
            i += 1
        return i

    depth: dict[int, int] = {}
    tvi = next((i for i in range(size) if typed(i)), size)
    while tvi < size:
        start, end = start_of(tvi), end_of(tvi)
        fields = [m for i in range(start, end) if (m := typed(i))]
        if not any(m[1] == "X" and _perl_file_match(path, m[2]) for m in fields):
            for m in fields:
                if m[1] == "F" and _perl_file_match(path, m[2]):
                    value = m[2]
                    depth[tvi] = -1 if value.startswith(".*") else value.count("/") + (not value.endswith("/"))
                elif m[1] == "N":
                    try:
                        if re.search(m[2], path, re.X):
                            depth[tvi] = 0
                    except re.error:
                        pass
        tvi = end + 1
    return [(typevalue[start_of(t)], depth[t]) for t in sorted(depth, key=lambda t: (-depth[t], t))]


_PARTS = ["a", "b", "ab", "a.c", "b.h", "x", "xab", "abx.c"]
_GLOB_PARTS = [*_PARTS, "*", "a*", "*.c", "?", "a?", "[ab]", "[^a]*", "", "[a/]", "a+", "(a|b)", "b{1}", "\\.c"]
_GLOB_PARTS += ["{1}", "+"]
_REGEXES = ["a", "b$", "^a/", "(?:a|b)\\.c", "[^/]b", "a b", "\\ba", "x/a", "a.c", "ab(", "|", "a/\\B", "(?=b)"]
_REGEXES += ["ab", "abx", "a\\.c", "b\\.h\\Z", "xab", "b/ab # comment", "a/$"]


@st.composite
def _pattern(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(_GLOB_PARTS), min_size=0, max_size=4))
    pattern = "/".join(parts) + draw(st.sampled_from(["", "", "/"]))
    return draw(st.sampled_from([pattern, pattern, pattern, "*" + pattern, pattern + "|b", pattern + "+"]))


@st.composite
def _maintainers_text(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for number in range(draw(st.integers(0, 6))):
        lines.append(draw(st.sampled_from([f"SECTION {number}", f"\tF:\tindented {number}", f"f: lower {number}"])))
        for _ in range(draw(st.integers(0, 5))):
            kind = draw(st.sampled_from("FFFXNMK"))
            value = draw(st.sampled_from(_REGEXES)) if kind in "NK" else draw(_pattern())
            separator = draw(st.sampled_from(["\t", " ", ""]))
            lines.append(f"{kind}:{separator}{value}")
            lines += draw(st.sampled_from([[], [], [""], ["# comment"]]))
    if draw(st.booleans()):
        lines.insert(0, f"F:\t{draw(_pattern())}")
    return "\n".join(lines) + "\n"


_paths = st.lists(st.sampled_from(_PARTS), min_size=1, max_size=5).map("/".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_maintainers_text(), paths=st.lists(_paths, min_size=1, max_size=8), with_dirs=st.booleans())
def test_index_agrees_with_get_maintainers_loop(text: str, paths: list[str], with_dirs: bool) -> None:
    is_dir = dir_predicate(paths) if with_dirs else (lambda _: False)
    m = parse_maintainers(text, is_dir=is_dir)
    for path in paths:
        assert ranked(m, path) == _perl_sections(text, path, is_dir), (text, path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_maintainers_text(), paths=st.lists(_paths, min_size=1, max_size=8), with_dirs=st.booleans())
def test_only_paths_gives_the_same_answers(text: str, paths: list[str], with_dirs: bool) -> None:
    """Skipping the sections that cannot own the asked paths changes no answer for them."""
    is_dir = dir_predicate(paths) if with_dirs else (lambda _: False)
    full = parse_maintainers(text, is_dir=is_dir)
    part = parse_maintainers(text, is_dir=is_dir, only_paths=paths)
    for path in paths:
        assert ranked(part, path) == ranked(full, path), (text, path)
    # Every section is listed whole, those built on first read (``_Sections``) as the others.
    assert part.sections == full.sections and tuple(part.sections) == tuple(full.sections)
    assert part.sections[-2:] == full.sections[-2:] and len(part.sections) == len(full.sections)
    patch = "".join(f"+{p}\n" for p in paths)
    assert part.keyword_sections(patch) == full.keyword_sections(patch)


# ---------------------------------------------------------------------------
# Parser properties

_WS = " \t\n\r\f\v"
_text = st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r")
_value = st.text(_text, max_size=30).filter(lambda v: v == v.lstrip(_WS))
_name = st.text(_text, min_size=1, max_size=30).filter(
    lambda n: n.strip(_WS) != "" and not n.lstrip(_WS).startswith("#") and not _TYPE.match(n)
)
_FIELDS = {
    "M": "maintainers",
    "R": "reviewers",
    "L": "lists",
    "F": "files",
    "X": "excludes",
    "N": "regexes",
    "K": "keywords",
}


@st.composite
def _sections(draw: st.DrawFn) -> list[tuple[str, list[tuple[str, str]]]]:
    out = []
    for _ in range(draw(st.integers(0, 5))):
        fields = draw(st.lists(st.tuples(st.sampled_from("MRLSFXNKWTQBCP"), _value), min_size=1, max_size=8))
        out.append((draw(_name), fields))
    return out


@settings(max_examples=200, deadline=None)
@given(sections=_sections(), separator=st.sampled_from(["\t", " ", "", "  \t"]))
def test_render_parse_round_trip(sections: list[tuple[str, list[tuple[str, str]]]], separator: str) -> None:
    text = "Preamble line\n\n" + "".join(
        name + "\n" + "".join(f"{k}:{separator}{v}\n" for k, v in fields) + "\n" for name, fields in sections
    )
    m = parse_maintainers(text)
    assert len(m.sections) == len(sections)
    for section, (name, fields) in zip(m.sections, sections, strict=True):
        assert section.name == name
        for letter, attribute in _FIELDS.items():
            assert getattr(section, attribute) == tuple(v for k, v in fields if k == letter)
        statuses = [v for k, v in fields if k == "S"]
        assert section.status == (statuses[-1] if statuses else None)
        assert section.other == tuple((k, v) for k, v in fields if k not in _FIELDS and k != "S")


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400), paths=st.lists(st.text(max_size=20), max_size=5))
def test_parser_never_raises(text: str, paths: list[str]) -> None:
    m = parse_maintainers(text, is_dir=dir_predicate(paths))
    m.problems()
    for path in paths:
        m.sections_for(path)
        m.most_specific(path)
    m.keyword_sections(text)
    m.recipients(paths, patch_text=text)


# ---------------------------------------------------------------------------
# Oracle: a real kernel tree's scripts/get_maintainer.pl (never copied here)

KERNEL_TREE = os.environ.get("PATCHTOOL_KERNEL_TREE", "")
needs_kernel_tree = pytest.mark.skipif(
    not (KERNEL_TREE and Path(KERNEL_TREE, "scripts", "get_maintainer.pl").is_file() and shutil.which("perl")),
    reason="set PATCHTOOL_KERNEL_TREE to a Linux source tree (with scripts/get_maintainer.pl) and install perl "
    "to compare with get_maintainer.pl itself",
)

RULE_PATHS = [
    "drivers/subtree/a.c",
    "drivers/subtree/child/b.c",
    "fs/a.c",
    "fs/sub/b.c",
    "kernel/auditsc.c",
    "kernel/audit/x.c",
    "lib/compat_audit.c",
    "include/linux/widget.h",
    "include/linux/wiget.h",
    "scripts/checker.c",
    "scripts/checker.o",
    "arch/x86/include/uapi/asm/a.h",
    "arch/x86/um/include/uapi/b.h",
    "include/linux/unanchored.hpp",
    "net/excl/a.c",
    "net/excl/private/b.c",
    "net/excl/x.rej",
    "net/excl/sub/y.rej",
    "net/excl/private/excl_regex.c",
    "drivers/excl_regex.c",
    "drivers/gpu/tegra_drm.c",
    "drivers/foo12bar.c",
    "sound/soc/codecs/lastline.c",
    "crypto/tie/t.c",
    "block/spacing2/a.c",
    "ipc/realname/x.c",
    "ipc/quirky/x.c",
    "ipc/lowercase/x.c",
    "Makefile",
    "tools/noslash/a.c",
    "tools/noslashes.c",
    "security/people/again/x.c",
    "security/people/x.c",
    "init/main.c",
]


def _get_maintainer(cwd: Path, *args: str) -> list[str]:
    script = Path(KERNEL_TREE, "scripts", "get_maintainer.pl")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "LC_ALL": "C"}
    proc = subprocess.run(["perl", str(script), *args], cwd=cwd, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return [line for line in proc.stdout.split("\n") if line]


def _assert_same(ours: Maintainers, theirs: list[str], path: str) -> None:
    got = ours.sections_for(path)
    assert set(theirs) == {m.section.name for m in got}, path
    depth = {m.section.name: m.depth for m in got}
    assert [depth[name] for name in theirs] == sorted((depth[name] for name in theirs), reverse=True), path


@needs_kernel_tree
def test_oracle_rules_file(tmp_path: Path) -> None:
    for path in RULE_PATHS:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("\n")
    ours = parse_maintainers(RULES.read_text(encoding="utf-8"), is_dir=dir_predicate(RULE_PATHS))
    for path in RULE_PATHS:
        base = ["--no-tree", "--mpath", str(RULES), "--no-git", "--no-git-fallback", "--no-keywords"]
        theirs = _get_maintainer(tmp_path, *base, "--subsystem", "--no-email", "--no-l", "-f", path)
        _assert_same(ours, theirs, path)
        emails = _get_maintainer(tmp_path, *base, "--no-rolestats", "--no-mailmap", "-f", path)
        mine = ours.recipients([path]).addresses()
        assert {email_address(e) or e for e in emails} == set(mine), path


@needs_kernel_tree
def test_oracle_kernel_tree() -> None:
    tree = Path(KERNEL_TREE)
    files = sorted(str(p.relative_to(tree)) for p in tree.rglob("*") if p.is_file() and ".git" not in p.parts)
    sample = random.Random(514).sample(files, min(40, len(files)))
    sample += [f for f in ("fs/io_uring.c", "kernel/auditsc.c", "security/smack/smack_lsm.c") if f in files]
    text = (tree / "MAINTAINERS").read_text(encoding="utf-8", errors="replace")
    ours = parse_maintainers(text, is_dir=lambda name: (tree / name).is_dir())  # "-d" from the tree's top
    for path in sample:
        options = ("--no-git", "--no-git-fallback", "--no-keywords", "--subsystem", "--no-email", "--no-l")
        _assert_same(ours, _get_maintainer(tree, *options, "-f", path), path)


@needs_kernel_tree
@pytest.mark.parametrize("words", [("printk", "pr_err"), ("bpf_prog_load", "kvm_vcpu"), ("of_find_property", "rust")])
def test_oracle_keywords(tmp_path: Path, words: tuple[str, str]) -> None:
    tree = Path(KERNEL_TREE)
    patch = KEYWORD_PATCH.replace("Nothing in the message.", f"It mentions {words[0]}.")
    patch = patch.replace("drivers/other/x.c", "kernel/fork.c").replace("frobnicate_now", words[1])
    (tmp_path / "t.patch").write_text(patch)
    options = ("--no-git", "--no-git-fallback", "--subsystem", "--no-email", "--no-l")
    theirs = _get_maintainer(tree, *options, str(tmp_path / "t.patch"))
    ours = parse_maintainers((tree / "MAINTAINERS").read_text(encoding="utf-8", errors="replace"))
    expected = {m.section.name for m in ours.sections_for("kernel/fork.c")}
    assert set(theirs) == expected | {s.name for s in ours.keyword_sections(patch)}
