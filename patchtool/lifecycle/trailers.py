"""``trailers``: the review tags of replies to a posted version, added to the stored series.

The replies come as mbox files or Maildir folders.  A reply is matched to
the patch it answers by the rules of ``sources.replies`` (the one home of
them, shared with ``import``): through the Message-Ids of the posting
recorded in ``[[posted.vN]]`` (``import`` and ``export`` record them),
walking ``In-Reply-To`` up through other replies, then ``References``;
a reply whose headers name no mail at hand goes to the patch whose changed
lines it quotes (``quoted_patch``); then the subject; replies to the cover give their tags to every patch; a
review tag must name the reply's sender.  The mails of the posting itself
(a thread re-read in full) are not replies.  Nothing here writes: the CLI
writes the returned series through ``seriesdir.write_series``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from patchtool.diffparse import has_diff
from patchtool.errors import BadInput
from patchtool.model import Person, Series
from patchtool.sources.mail import Mail
from patchtool.sources.mbox import iter_mails
from patchtool.sources.replies import TrailerReport, collect, slim


@dataclass(frozen=True)
class Collected:
    series: Series
    report: TrailerReport
    matched_by_id: bool  # the posting's Message-Ids were known (else quotes and subjects only)


def collect_trailers(series: Series, sources: Sequence[Path], *, applier: Person | None = None) -> Collected:
    """``series`` with the trailers the replies in ``sources`` give its current version.

    The mailboxes are read one mail at a time; of each reply only its
    headers, its review trailers (``replies.slim``) and the patch it quotes
    are kept, so that a mailbox of any size is never held whole.
    """
    if not series.patches:
        raise BadInput(f"{series.name} has no patches to add trailers to")
    posting = series.posted.get(series.version)
    ids = {m.number: m.message_id for m in posting.mails} if posting else {}
    own = set(ids.values())
    lines = patch_lines(series)
    replies: list[tuple[Mail, int | None]] = []  # each reply, and the patch its quotes point at
    others: set[str] = set()
    known = set(own)
    for source in sources:
        if not source.exists():
            raise BadInput("no such mbox or Maildir", source=str(source))
        for mail in iter_mails(source):
            known.update([mail.message_id] if mail.message_id else [])
            if mail.message_id in own:
                continue
            # Patch mails (a thread re-read in full, another version) are not replies; they still end walks.
            if mail.subject.is_reply or not has_diff(mail.body):
                replies.append((slim(mail), quoted_patch(mail.body, series, lines)))
            elif mail.message_id:
                others.add(mail.message_id)
    foreign = others - {r.message_id for r, _ in replies}
    threaded = [r if _threaded(r, known) else _by_quote(r, n, series, ids) for r, n in replies]
    patches, report = collect(series.patches, ids, threaded, foreign=foreign, applier=applier)
    return Collected(replace(series, patches=patches), report, bool(own))


def _threaded(reply: Mail, known: set[str]) -> bool:
    """Whether the reply's headers name a mail at hand (then the thread, not a quote, decides)."""
    return any(ref in known for ref in (*reply.in_reply_to_all, reply.in_reply_to, *reply.references) if ref)


def patch_lines(series: Series) -> list[set[str]]:
    """Each patch's changed lines (``+``/``-``, the first 200 characters), for ``quoted_patch``."""
    return [{line[:200] for line in patch.diff.splitlines() if line[:1] in "+-"} for patch in series.patches]


def quoted_patch(body: str, series: Series, lines: Sequence[set[str]] | None = None) -> int | None:
    """The patch whose changed lines a reply quotes (``> +line``): the one that holds most of them,
    at least half, and more than any other; None when the quote says nothing clear.

    ``lines``: ``patch_lines(series)``, when many replies are asked about.
    """
    quoted = {line.lstrip(">").lstrip(" ")[:200] for line in body.splitlines() if line.startswith(">")}
    changed = {q for q in quoted if q[:1] in "+-" and not q.startswith(("+++ ", "--- ")) and q[1:].strip()}
    if len(changed) < 2:
        return None
    scores = sorted(((len(changed & patch), n) for n, patch in enumerate(lines or patch_lines(series), 1)),
                    reverse=True)
    best, n = scores[0]
    if best * 2 < len(changed) or (len(scores) > 1 and scores[1][0] == best):
        return None
    return n


def _by_quote(reply: Mail, n: int | None, series: Series, ids: dict[int, str]) -> Mail:
    """A reply whose headers lead nowhere known, pointed at the patch ``n`` it quotes (its recorded id,
    or a stand-in id added to ``ids``)."""
    if n is None:
        return reply
    target = ids.setdefault(n, f"<patchtool.quoted.{n}@{series.name}>")
    return replace(reply, in_reply_to=target, in_reply_to_all=(target,))
