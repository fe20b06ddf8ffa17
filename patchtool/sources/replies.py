"""Replies to a posted series -> the trailers they give, on the patch each one answers.

The rules ``import`` (an mbox thread) and ``trailers`` (a stored series and
the mboxes its replies came in) share.

Which mail a reply answers
--------------------------
1. ``In-Reply-To`` (each id it names, in order): a patch or the cover letter
   of the series; or another reply at hand, whose own answer is then found
   the same way, so that a reply to a reply to patch 5 is about patch 5
   whatever its ``References`` were trimmed to; an earlier copy of the
   series' own mail (a re-sent cover or patch) counts as that mail; a mail
   at hand that is none of these (a patch of another version) means the
   reply is not ours.
2. ``References``, nearest first, the same way, when ``In-Reply-To`` is
   missing or names no mail at hand.  The parents in between are then
   missing: when the nearest mail found is the cover letter but the subject
   names one patch of the series, the subject wins; when the subject is a
   ``[PATCH]`` of none of the series' patches, the thread went on to another
   patch and the reply is not ours.
3. The subject: ``Re: [PATCH v2 3/9] ...`` is patch 3 of a 9-patch v2
   series; ``Re: [PATCH] summary`` the patch with that summary.

A reply to the cover letter gives its trailers to every patch.  (b4 walks
``In-Reply-To`` the same way, but without it takes the *first* of the
``References``, the cover letter, and so spreads a patch's ack to every
patch; it gives up when ``In-Reply-To`` names a mail it lacks.)

Which trailers
--------------
``subject.REVIEW_TRAILERS`` on the reply's own lines (``find_trailers``).
``Reviewed-by``, ``Acked-by`` and ``Tested-by`` must name the reply's sender
(name or address, case-insensitively; ``a+list@x.org`` and ``a@sub.x.org``
are ``a@x.org`` as b4 counts them): nobody gives a review tag for someone
else.  ``Reported-by`` and ``Suggested-by`` name others by nature.
``Nacked-by`` is never added.  What is not added is reported with the reason.

Where they go
-------------
After the patch's own trailers, in mail date order (one reply's in text
order), each trailer once; but before the final ``Signed-off-by`` of the
person applying the series, whose sign-off closes the chain, as in ``b4
am`` and ``git interpret-trailers --if-exists replace``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime

from patchtool.model import Patch, Person, Subject, Trailer
from patchtool.sources.mail import Mail
from patchtool.subject import REVIEW_TRAILERS, find_trailers

# Tags a reviewer can only give for themselves.
PERSONAL = ("Reviewed-by", "Acked-by", "Tested-by")
# Tags that are read, to be reported, and never added.
NEVER = ("Nacked-by",)

_FOREIGN = -1  # a walk up the thread that reached a mail of another series

_PERSON = re.compile(r'^\s*"?(.*?)"?\s*<([^<>\s]+@[^<>\s]+)>')
_ADDRESS = re.compile(r"[^\s<>()\"]+@[^\s<>()\"]+")


@dataclass(frozen=True)
class Given:
    """One trailer a reply gives patch ``number`` (1-based)."""

    number: int
    trailer: Trailer
    message_id: str | None
    sender: Person


@dataclass(frozen=True)
class Refused:
    """A trailer of a reply that is not added, and why.

    ``number`` is the patch the reply answers: 0 for the cover letter,
    None when it answers no mail of the series.
    """

    trailer: Trailer
    message_id: str | None
    sender: Person
    reason: str
    number: int | None = None


@dataclass(frozen=True)
class TrailerReport:
    """What the replies gave: ``added`` to the patches, ``present`` already there, ``refused``.

    ``warnings``: what reading the mails went past (an odd To/Cc entry, a
    format=flowed patch), one line each, for import to print.
    """

    added: tuple[Given, ...] = ()
    refused: tuple[Refused, ...] = ()
    present: tuple[Given, ...] = ()
    warnings: tuple[str, ...] = ()


# -- which mail a reply answers ------------------------------------------------


@dataclass(frozen=True)
class Thread:
    """The mails at hand: the series' own (``posted``: id -> number, 0 = cover) and the rest."""

    posted: Mapping[str, int]
    replies: Mapping[str, Mail]
    foreign: Collection[str]
    subjects: Sequence[Subject]
    _known: dict[str, int | None] = field(default_factory=dict, compare=False, repr=False)

    def answered(self, reply: Mail) -> int | None:
        """The number (0 = cover) of the series' mail ``reply`` answers, or None."""
        # The walk recurses once per parent: a thread (or a loop of ids) thousands of replies deep would
        # exceed Python's recursion limit. So the replies above this one are answered first, from the top
        # down, each finding its parent known; in a loop, each with the ones below it as walked already.
        chain: list[Mail] = []
        seen: set[str] = set()
        mail: Mail | None = reply
        while mail is not None and mail.message_id and mail.message_id not in self._known \
                and mail.message_id not in seen:
            seen.add(mail.message_id)
            chain.append(mail)
            parents = mail.in_reply_to_all or ((mail.in_reply_to,) if mail.in_reply_to else ())
            mail = next((self.replies[p] for p in parents if p in self.replies), None)
        looped = mail is not None and mail.message_id in seen
        below = {m.message_id for m in chain[:-1] if m.message_id} if looped else set()
        for up in reversed(chain[1:]):
            below.discard(up.message_id or "")
            self._answered(up, below)
        return self._answered(reply, set())

    def _answered(self, reply: Mail, walked: set[str]) -> int | None:
        if reply.message_id:
            if reply.message_id in walked:  # a loop of ids: no answer through it
                return None
            if reply.message_id not in self._known:  # each reply is walked once
                self._known[reply.message_id] = self._walk(reply, walked | {reply.message_id})
            return self._known[reply.message_id]
        return self._walk(reply, walked)

    def _walk(self, reply: Mail, walked: set[str]) -> int | None:
        parents = reply.in_reply_to_all or ((reply.in_reply_to,) if reply.in_reply_to else ())
        for parent in parents:
            found = self._through(parent, walked)
            if found is not None:
                return None if found == _FOREIGN else found
        by_subject = self.by_subject(reply.subject)
        for ref in reversed(reply.references):
            found = self._through(ref, walked) if ref != reply.message_id else None
            if found == _FOREIGN or (found is not None and self.names_another_patch(reply.subject)):
                return None
            if found is not None:
                return by_subject if found == 0 and by_subject else found
        return by_subject

    def _through(self, msgid: str, walked: set[str]) -> int | None:
        """What ``msgid`` leads to: a number, _FOREIGN (not ours), or None (nothing known)."""
        if msgid in self.posted:
            return self.posted[msgid]
        if msgid in self.replies:
            return self._answered(self.replies[msgid], walked)
        return _FOREIGN if msgid in self.foreign else None

    def names_another_patch(self, subject: Subject) -> bool:
        """A ``[PATCH]`` subject that is none of the series' (the thread went on to another patch).

        Only asked where the parents are missing: a reference further up
        then says which thread, not which patch.
        """
        if not subject.prefix or not self.subjects:
            return False
        if subject.number is not None:
            return subject.total != len(self.subjects) or subject.number > len(self.subjects)
        summary = " ".join(subject.summary.split()).casefold()
        return all(" ".join(s.summary.split()).casefold() != summary for s in self.subjects)

    def by_subject(self, subject: Subject) -> int | None:
        """The patch a ``Re:`` subject names: its n/N, or the one patch of its summary."""
        if not self.subjects:
            return None
        version, total = self.subjects[0].version, len(self.subjects)
        if subject.version != version:
            return None
        if subject.number is not None:
            return subject.number if subject.total == total and subject.number <= total else None
        summary = " ".join(subject.summary.split()).casefold()
        hits = [n for n, s in enumerate(self.subjects, 1) if " ".join(s.summary.split()).casefold() == summary]
        return hits[0] if len(hits) == 1 else None


# -- who may give a trailer ----------------------------------------------------


def person_of(value: str) -> Person:
    """The person a trailer's value names: ``Name <addr>``, or a bare address."""
    if m := _PERSON.match(value):
        return Person(" ".join(m.group(1).split()), m.group(2))
    bare = _ADDRESS.search(value)
    return Person("", bare.group(0).strip(".,;") if bare else "")


def same_address(a: str, b: str) -> bool:
    """Case-insensitive, ``+detail`` dropped, one domain a one-label subdomain of the other (b4's rule)."""
    a, b = (re.sub(r"\+[^@]*@", "@", x.lower()) for x in (a, b))
    if a == b:
        return True
    (la, _, da), (lb, _, db) = a.partition("@"), b.partition("@")
    one_label = abs(da.count(".") - db.count(".")) == 1
    return bool(la) and la == lb and one_label and (da.endswith("." + db) or db.endswith("." + da))


def same_person(named: Person, sender: Person) -> bool:
    """The trailer's person is the sender: the same address, or the same name."""
    if named.email and sender.email and same_address(named.email, sender.email):
        return True
    return bool(named.name) and named.name.casefold() == sender.name.casefold()


def _verdict(trailer: Trailer, sender: Person, number: int | None) -> str | None:
    """Why ``trailer`` from ``sender`` is not added, or None when it is."""
    if trailer.key in NEVER:
        return f"{trailer.key} is never added"
    if number is None:
        return "the reply answers no mail of this series"
    if trailer.key in PERSONAL and not same_person(person_of(trailer.value), sender):
        return f"names {person_of(trailer.value)}, not the reply's sender {sender}"
    return None


# -- where trailers go -----------------------------------------------------------


def _key(trailer: Trailer) -> tuple[str, str]:
    return trailer.key.lower(), " ".join(trailer.value.split()).casefold()


def insert_at(trailers: Sequence[Trailer], applier: Person | None) -> int:
    """Where collected trailers go: just before the applier's closing sign-off, else last.

    The sign-off moves below them as ``git interpret-trailers --if-exists
    replace --trailer "Signed-off-by: <applier>"`` moves it (and b4 does);
    a ``[note]`` above it stays where it was.
    """
    last = next((i for i in range(len(trailers) - 1, -1, -1) if not trailers[i].is_note), None)
    if applier is None or last is None or trailers[last].key.lower() != "signed-off-by":
        return len(trailers)
    signer = person_of(trailers[last].value)
    mine = (signer.email and applier.email and signer.email.lower() == applier.email.lower()) or (
        not signer.email and signer.name and signer.name.casefold() == applier.name.casefold())
    return last if mine else len(trailers)


def with_collected(patch: Patch, new: Sequence[Trailer], applier: Person | None = None) -> Patch:
    """``patch`` with ``new`` trailers in place (the mail as read no longer says it: raw dropped)."""
    if not new:
        return patch
    at = insert_at(patch.trailers, applier)
    return replace(patch, trailers=(*patch.trailers[:at], *new, *patch.trailers[at:]), raw=None)


# -- the whole run -------------------------------------------------------------------


def _when(mail: Mail) -> float:
    try:
        return parsedate_to_datetime(mail.date).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0


_READ = REVIEW_TRAILERS + NEVER  # what given_by looks for in a reply


def slim(mail: Mail) -> Mail:
    """What the rules here read of a mail: its headers, and its body cut to the trailers it gives.

    The body becomes its ``REVIEW_TRAILERS`` and ``Nacked-by`` lines, one
    ``Key: value`` a line (``find_trailers`` finds the same in it); the raw
    bytes, To/Cc and warnings go; the ids are interned (a thread's replies
    repeat them in their References).  A long thread of list mail is held
    as a few hundred bytes a mail.
    """
    def ids(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sys.intern(v) for v in values)

    found = find_trailers(mail.body, _READ)
    return replace(
        mail, body="\n".join(f"{t.key}: {t.value}" for t in found), raw=b"", to_cc_text=("", ""),
        subject_text="", message_id=sys.intern(mail.message_id) if mail.message_id else None,
        in_reply_to=sys.intern(mail.in_reply_to) if mail.in_reply_to else None,
        in_reply_to_all=ids(mail.in_reply_to_all), references=ids(mail.references),
        sender=Person(sys.intern(mail.sender.name), sys.intern(mail.sender.email)),
        subject=replace(mail.subject, summary=sys.intern(mail.subject.summary)))


def given_by(replies: Iterable[Mail], thread: Thread, total: int) -> tuple[list[Given], list[Refused]]:
    """Every trailer of every reply, in mail date order: given to a patch, or refused."""
    given: list[Given] = []
    refused: list[Refused] = []
    seen: set[str] = set()
    for reply in sorted(replies, key=_when):  # stable: the same date keeps the mailbox order
        if reply.message_id:
            if reply.message_id in seen:  # the same reply from two mailboxes
                continue
            seen.add(reply.message_id)
        found = find_trailers(reply.body, _READ)
        if not found:
            continue
        number = thread.answered(reply)
        for trailer in found:
            if why := _verdict(trailer, reply.sender, number):
                refused.append(Refused(trailer, reply.message_id, reply.sender, why, number))
                continue
            for n in range(1, total + 1) if number == 0 else (number,):
                if number is not None and 1 <= n <= total:
                    given.append(Given(n, trailer, reply.message_id, reply.sender))
    return given, refused


def collect(
    patches: Sequence[Patch],
    message_ids: Mapping[int, str],
    replies: Sequence[Mail],
    *,
    foreign: Collection[str] = (),
    copies: Mapping[str, int] | None = None,
    applier: Person | None = None,
) -> tuple[tuple[Patch, ...], TrailerReport]:
    """The patches with the trailers ``replies`` give them, and the report.

    ``patches`` are the series in order (patch ``n`` is ``patches[n - 1]``);
    ``message_ids`` the posted mails' ids by number (0 = cover); ``replies``
    every other mail at hand that may carry trailers or lead to one through
    its headers; ``foreign`` the ids of mails at hand that are neither (the
    patches of another version), which end a walk up the thread; ``copies``
    the ids of earlier copies of the series' own mails (a re-sent cover or
    patch) and the number each stands for.
    """
    posted = {**(copies or {}), **{mid: n for n, mid in message_ids.items() if mid}}
    thread = Thread(
        posted=posted,
        replies={r.message_id: r for r in replies if r.message_id and r.message_id not in posted},
        foreign=frozenset(foreign),
        subjects=tuple(p.subject for p in patches),
    )
    given, refused = given_by(replies, thread, len(patches))
    have = [{_key(t) for t in p.trailers} for p in patches]
    new: list[list[Trailer]] = [[] for _ in patches]
    added: list[Given] = []
    present: list[Given] = []
    for g in given:
        if _key(g.trailer) in have[g.number - 1]:
            present.append(g)
            continue
        have[g.number - 1].add(_key(g.trailer))
        new[g.number - 1].append(g.trailer)
        added.append(g)
    out = tuple(with_collected(p, extra, applier) for p, extra in zip(patches, new, strict=True))
    return out, TrailerReport(tuple(added), tuple(refused), tuple(present))
