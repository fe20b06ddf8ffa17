"""Subjects and trailers: the table of forms maintainers send, and properties of the parser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patchtool.model import Subject, Trailer
from patchtool.subject import find_footers, find_trailers, parse_subject, split_trailers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[PATCH] mm: fix a leak", Subject("mm: fix a leak", "PATCH")),
        ("[RFC PATCH v3 04/12] io_uring: add hooks", Subject("io_uring: add hooks", "PATCH", True, 3, 4, 12)),
        ("[PATCH net-next v2 1/3] net: tidy", Subject("net: tidy", "PATCH net-next", False, 2, 1, 3)),
        ("[PATCH v2 RESEND 2/5] x: y", Subject("x: y", "PATCH RESEND", False, 2, 2, 5)),
        ("[PATCH 0/9] cover", Subject("cover", "PATCH", number=0, total=9)),
        ("Re: [RFC PATCH v2 5/9] fs: add", Subject("fs: add", "PATCH", True, 2, 5, 9, is_reply=True)),
        ("RE: Fwd: [PATCH] a", Subject("a", "PATCH", is_reply=True)),
        ("[PATCH v2,3/5] comma", Subject("comma", "PATCH", False, 2, 3, 5)),
        ("[PATCH] [net] two groups", Subject("two groups", "PATCH net")),
        ("plain commit subject", Subject("plain commit subject", "")),
        ("[PATCH]   folded\n  subject", Subject("folded subject", "PATCH")),
    ],
)
def test_subject_forms(text: str, expected: Subject) -> None:
    assert parse_subject(text) == expected


SUMMARY = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1).map(
    lambda s: " ".join(s.split())
).filter(lambda s: s and not s.startswith("[") and not s.lower().startswith(("re:", "aw:", "fw:", "fwd:")))


@given(
    summary=SUMMARY,
    prefix=st.sampled_from(["PATCH", "PATCH net-next", "PATCH RESEND", "PATCH bpf-next"]),
    rfc=st.booleans(),
    version=st.integers(1, 30),
    numbering=st.one_of(st.none(), st.integers(1, 120).flatmap(lambda t: st.tuples(st.integers(0, t), st.just(t)))),
)
def test_render_then_parse_is_identity(summary: str, prefix: str, rfc: bool, version: int,
                                       numbering: tuple[int, int] | None) -> None:
    number, total = numbering if numbering else (None, None)
    subject = Subject(summary, prefix, rfc, version, number, total)
    assert parse_subject(subject.render()) == subject


@given(st.text())
def test_parser_never_raises(text: str) -> None:
    parse_subject(text)
    split_trailers(text)
    find_trailers(text)
    find_footers(text)


def test_trailer_block_with_a_maintainer_note() -> None:
    body, trailers = split_trailers(
        "Why.\n\nMore why.\n\nSigned-off-by: Casey <c@x.org>\n[PM: subject tweak]\nSigned-off-by: Paul <p@x.org>\n"
    )
    assert body == "Why.\n\nMore why."
    assert trailers == (Trailer("Signed-off-by", "Casey <c@x.org>"), Trailer("", "[PM: subject tweak]"),
                        Trailer("Signed-off-by", "Paul <p@x.org>"))


def test_prose_is_not_a_trailer_block() -> None:
    assert split_trailers("Why.\n\nNote: this is prose, and\nit goes on.\n") == (
        "Why.\n\nNote: this is prose, and\nit goes on.", ())


def test_quoted_trailers_in_replies_do_not_count() -> None:
    found = find_trailers("> Acked-by: Old <o@x.org>\n\nReviewed-by: New <n@x.org>\nAcked-by: nobody\n")
    assert found == (Trailer("Reviewed-by", "New <n@x.org>"),)
