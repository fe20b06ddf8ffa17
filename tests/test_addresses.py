"""``patchtool.addresses`` against the stdlib it stands in for: ``parseaddr`` and ``getaddresses``.

The fast path reads ``Name <addr>`` and a bare ``addr`` with one regex; the
oracle is ``email.utils`` itself, on names with every kind of character,
addresses of every atom character, and lists that mix the plain forms with
quoted names, comments, groups, comma lists and junk.
"""

from __future__ import annotations

import subprocess
import sys
from email.utils import getaddresses, parseaddr

from hypothesis import given, settings
from hypothesis import strategies as st

from patchtool.addresses import _plain, address_list, parse_address

# Names of the characters mail syntax gives a meaning to (and a few letters), of any characters, and real ones.
_SYNTAX = st.sampled_from(list(' ."\\()<>@,;:[]\tab\u00dc'))
_ANY = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs", "Cc"))
_NAMES = st.text(_SYNTAX, max_size=12) | st.text(_ANY, max_size=12) | st.sampled_from(
    ["Paul Moore", "Paul E. McKenney", "J. Doe", "a. b", ".a", "a.", "a..b", "Hallyn, Serge", "Jöns  Ü",
     "A\u00a0B", "x\u2028y", "(c) d", '"Quoted, Name"', "Dr. J. Doe", ""])
_LOCALS = st.from_regex(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,8}", fullmatch=True)
_DOMAINS = st.from_regex(r"[A-Za-z0-9.-]{1,10}", fullmatch=True)


@st.composite
def _entries(draw: st.DrawFn) -> str:
    name, address, note = draw(_NAMES), f"{draw(_LOCALS)}@{draw(_DOMAINS)}", draw(_NAMES)
    return draw(st.sampled_from([
        f"{name} <{address}>", address, f"<{address}>", f'"{name}" <{address}>', f"{address} ({name})",
        f"{name} <{address}> ({note})", f'"{name}" <{address}> ({note})', f"{name} <{address}>({note})",
        f"{name} <{address}>, {address}", f"group: {address};", name, f"{name} <{address}", "",
    ]))


@settings(max_examples=600, deadline=None)
@given(text=_entries())
def test_one_address_reads_as_parseaddr_reads_it(text: str) -> None:
    assert parse_address(text) == parseaddr(text)


@settings(max_examples=400, deadline=None)
@given(quoted=st.text(_SYNTAX | _ANY, max_size=8), comment=st.text(_SYNTAX | _ANY, max_size=8), local=_LOCALS)
def test_quoted_names_and_comments_read_as_parseaddr_reads_them(quoted: str, comment: str, local: str) -> None:
    for text in (f'"{quoted}" <{local}@example.org>', f"Paul Moore <{local}@example.org> ({comment})",
                 f'"{quoted}" <{local}@example.org> ({comment})'):
        assert parse_address(text) == parseaddr(text)
        assert address_list([text, text]) == getaddresses([text, text])


@settings(max_examples=300, deadline=None)
@given(entries=st.lists(_entries(), max_size=5))
def test_a_list_reads_as_getaddresses_reads_it(entries: list[str]) -> None:
    assert address_list(entries) == getaddresses(entries)


def test_the_plain_forms_take_the_fast_path() -> None:
    # What MAINTAINERS, trailers and To/Cc mostly hold; a name with a dot included.
    for text in ("Paul Moore <paul@paul-moore.com>", "Paul E. McKenney <paulmck@kernel.org>",
                 '"Serge E. Hallyn" <serge@hallyn.com>', '"Moore, Paul" <paul@paul-moore.com>',
                 "Boqun Feng <boqun.feng@gmail.com> (LOCKDEP)", "io-uring@vger.kernel.org", "Jöns Ü <j@example.org>"):
        assert _plain(text) == parseaddr(text)
    for text in ('"Mo\\"ore" <paul@paul-moore.com>', "paul@paul-moore.com (Paul)", "a@b, c@d", "a  b <a@b>"):
        assert _plain(text) is None


def test_plain_forms_load_no_mail_package() -> None:
    code = ("import sys\nfrom patchtool.addresses import address_list, parse_address\n"
            "parse_address('Paul Moore <paul@paul-moore.com>')\n"
            "address_list(['Paul Moore <paul@paul-moore.com>', 'linux-audit@redhat.com'])\n"
            "print('email.utils' in sys.modules)\n"
            "parse_address('Paul <paul@paul-moore.com>, x@y')\n"
            "print('email.utils' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]
