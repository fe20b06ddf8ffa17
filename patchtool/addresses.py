"""Mail addresses as ``email.utils`` reads them, without loading it for the plain forms.

``parse_address`` is ``parseaddr`` and ``address_list`` is ``getaddresses``:
the same answers (hypothesis checks them against the stdlib), but the
forms that fill MAINTAINERS, trailers and a series' To/Cc, ``Name <addr>``
and a bare ``addr``, are read by one regex; anything else (quotes,
comments, groups, specials in a name, a comma list) goes to the stdlib
itself.  Importing ``email.utils`` costs 7-9 ms, a tenth of a warm lint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_ADDR = rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
# A name of words with no specials but dots, one space apart, or one quoted string with no quote,
# backslash or control in it; the address in angle brackets; a comment after it, which names nothing.
_WORD = r'[^\x00-\x20\x7f()<>@,;:\\"\[\]]+'
_NAME = rf'({_WORD}(?: {_WORD})*)|"([^\x00-\x1f\x7f"\\]*)"'
_PLAIN = re.compile(rf"(?:(?:{_NAME}) )?<({_ADDR})>(?: \([^\x00-\x1f\x7f()\\]*\))?|({_ADDR})")


def _plain(text: str) -> tuple[str, str] | None:
    m = _PLAIN.fullmatch(text)
    if m is None:
        return None
    words, quoted, angled, bare = m.groups()
    return ("", bare) if bare else (words or quoted or "", angled)


def parse_address(text: str) -> tuple[str, str]:
    """``email.utils.parseaddr(text)``: (name, address), ("", "") when there is none."""
    if (pair := _plain(text)) is not None:
        return pair
    from email.utils import parseaddr

    return parseaddr(text)


def address_list(entries: Iterable[str]) -> list[tuple[str, str]]:
    """``email.utils.getaddresses(entries)``: every (name, address) of the entries, in order."""
    entries = list(entries)
    pairs = [_plain(entry) for entry in entries]
    if all(pair is not None for pair in pairs):
        return [pair for pair in pairs if pair is not None]
    from email.utils import getaddresses

    return getaddresses(entries)
