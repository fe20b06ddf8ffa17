"""An mbox of a whole thread (or one patch file) -> a Series.

Patches may come in any order; a re-sent copy of the same patch replaces
the older one.  Replies lend their ``Reviewed-by:`` / ``Acked-by:`` /
``Tested-by:`` / ``Reported-by:`` / ``Suggested-by:`` lines to the patch
they answer, or to every patch when they answer the cover letter, by the
rules of ``replies``; ``read_mbox_report`` also says what was added and
what was refused.

The file is read as a stream, one mail at a time, cut where ``git
mailsplit`` cuts (``cut_mbox``): a 100 MB list archive is never held
whole.  Of each mail only what the series needs stays: the cover letter
and the patches whole (a patch mail's raw bytes are the patch's), every
other mail as its headers and its review trailers (``replies.slim``).
"""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from pathlib import Path

from patchtool.diffparse import has_diff
from patchtool.errors import BadInput
from patchtool.model import Patch, Person, Series
from patchtool.sources import assemble
from patchtool.sources.mail import Mail, cover_from_mail, patch_from_mail, read_mail
from patchtool.sources.mailinfo import is_from_line
from patchtool.sources.replies import TrailerReport, collect, slim

_SPACE = b" \t\n\v\f\r"
# No patch mail comes near it (vger takes 100 KB, lore's largest are a few MB); one past it is refused
# before it is held whole: a stream of hostile bytes then costs a small multiple of this at most.
MAX_MAIL = 64 << 20
_GT_FROM = re.compile(rb">+From ")


def read_mails(path: Path) -> list[Mail]:
    """Every mail of an mbox file, a single mail file, or a Maildir folder (``cur/``, ``new/``)."""
    return list(iter_mails(path))


def iter_mails(path: Path) -> Iterator[Mail]:
    """``read_mails`` one mail at a time, the file read as it goes."""
    if path.is_dir():
        if not (path / "cur").is_dir() and not (path / "new").is_dir():
            raise BadInput("not a Maildir folder (no cur/ or new/)", source=str(path))
        maildir = mailbox.Maildir(str(path), create=False)
        for key in sorted(maildir.keys()):
            yield read_mail(maildir.get_bytes(key), f"{path} ({key})")
        return
    for mail, _where, _alone in _file_mails(path):
        yield mail


def cut_mbox(lines: Iterable[bytes]) -> Iterator[tuple[bytes, bool]]:
    """The mails of an mbox given line by line, each with whether another follows, as ``git mailsplit`` cuts.

    The same cuts as ``mailinfo.split_mbox`` makes of the whole file: white
    space before the first line skipped; a first line that is no ``From ``
    line makes the file one bare mail; otherwise each ``From `` line with a
    time and a year after it starts a mail; mboxrd (first line ``From
    mboxrd@z``) loses one ``>`` of every ``>From `` line.  Only the mail
    being cut is held.
    """
    it = iter(lines)
    first = b""
    for line in it:
        if first := line.lstrip(_SPACE):
            break
    if not first:
        return
    bare = not is_from_line(first)
    mboxrd = not bare and first.startswith(b"From mboxrd@z ")
    parts, size, number = [first], len(first), 1
    for line in it:
        if not bare and line[:5] == b"From " and is_from_line(line):
            mail, parts, size = b"".join(parts), [line], len(line)  # the pieces go before the mail is read
            yield mail, True
            number += 1
            continue
        size += len(line)
        if size > MAX_MAIL:
            raise BadInput(f"message {number} is over {MAX_MAIL >> 20} MB long: no patch mail is")
        if mboxrd and line[:1] == b">" and _GT_FROM.match(line):
            parts.append(line[1:])
        else:
            parts.append(line)
    mail, parts = b"".join(parts), []
    yield mail, False


def _lines(f: Iterable[bytes], path: Path) -> Iterator[bytes]:
    """The file's lines; a NUL byte anywhere ends the reading: no mail holds one.  A line is read
    at most ``MAX_MAIL`` bytes at a time (cut_mbox refuses the mail it makes too long)."""
    read = getattr(f, "readline", None)
    for line in iter(lambda: read(MAX_MAIL + 1), b"") if read else f:
        if b"\x00" in line:
            raise BadInput("file contains NUL bytes: not an mbox", source=str(path))
        yield line


def _file_mails(path: Path) -> Iterator[tuple[Mail, str, bool]]:
    """(each mail of an mbox file, where it is for messages, whether it is the file's only mail).

    Read in one pass (the file may be a pipe: ``trailers S <(b4 mbox ...)``).
    """
    with path.open("rb") as f:
        i = 0
        mails = enumerate(cut_mbox(_lines(f, path)), 1)
        while True:
            try:
                i, (raw, more) = next(mails)
            except StopIteration:
                break
            except BadInput as exc:
                raise BadInput(exc.message, source=exc.source or str(path), line=exc.line) from None
            alone = i == 1 and not more
            where = str(path) if alone else _where(path, i)
            yield read_mail(raw, where), where, alone
    if not i:
        raise BadInput("file is empty", source=str(path))


def _where(path: Path, i: int) -> str:
    return f"{path} (message {i})"


def _when(mail: Mail) -> float:
    try:
        return parsedate_to_datetime(mail.date).timestamp()
    except (TypeError, ValueError, IndexError):
        return 0.0


def read_mbox(path: Path, *, name: str) -> Series:
    """The series of an mbox thread, with the trailers its replies give."""
    return read_mbox_report(path, name=name)[0]


@dataclass
class _Kept:
    """What one pass over an mbox keeps (each mail with where it is, for messages)."""

    first: tuple[Mail, str] | None = None  # the first mail's headers (To/Cc when there is no cover)
    cover: tuple[Mail, str] | None = None  # the newest 0/N, whole
    patches: dict[int, tuple[Mail, Patch, str]] = field(default_factory=dict)  # the newest copy of each n/N
    unnumbered: dict[str, tuple[Mail, Patch, str]] = field(default_factory=dict)  # by summary, the newest
    # Re:, and mails with no diff (a follow-up without Re:, a cover without 0/N), slimmed.
    replies: list[Mail] = field(default_factory=list)
    # Older copies of the series' mails, slimmed: they end a walk up the thread.
    foreign: list[Mail] = field(default_factory=list)

    def add(self, mail: Mail, where: str, alone: bool) -> None:
        if self.first is None:
            self.first = (replace(mail, body="", raw=b""), where)
        if mail.subject.is_reply:
            self.replies.append(slim(mail))
        elif mail.subject.number == 0:
            if self.cover is None or _when(mail) >= _when(self.cover[0]):
                self.foreign.extend([slim(self.cover[0])] if self.cover else [])
                self.cover = (mail, where)
            else:
                self.foreign.append(slim(mail))
        elif not has_diff(mail.body) and not alone:
            self.replies.append(slim(mail))
        else:
            self._patch(mail, patch_from_mail(mail, where), where)

    def _patch(self, mail: Mail, patch: Patch, where: str) -> None:
        mail = replace(mail, body="")  # the patch holds what the body said (and the same raw bytes)
        if patch.subject.number is None:
            # One unnumbered patch per summary: a [PATCH RESEND] or a re-post replaces the older copy.
            key = " ".join(patch.subject.summary.split()).casefold()
            old = self.unnumbered.get(key)
            if old is not None and _when(old[0]) > _when(mail):
                self.foreign.append(slim(mail))
                return
            self.foreign.extend([slim(old[0])] if old else [])
            self.unnumbered[key] = (mail, patch, where)
            return
        old = self.patches.get(patch.subject.number)
        if old is None or _when(mail) >= _when(old[0]):
            self.foreign.extend([slim(old[0])] if old else [])
            self.patches[patch.subject.number] = (mail, patch, where)
        else:
            self.foreign.append(slim(mail))


def read_mbox_report(path: Path, *, name: str, applier: Person | None = None) -> tuple[Series, TrailerReport]:
    """The series of an mbox thread and what its replies gave (``replies.collect``)."""
    kept = _Kept()
    for mail, where, alone in _file_mails(path):
        kept.add(mail, where, alone)
    unnumbered = list(kept.unnumbered.values())
    ordered = [kept.patches[n] for n in sorted(kept.patches)] if kept.patches else unnumbered
    cover = kept.cover[0] if kept.cover else _implicit_cover([m for m, _, _ in ordered], kept.replies)
    ids = {n: m.message_id for n, (m, _, _) in enumerate(ordered, 1) if m.message_id}
    if cover is not None and cover.message_id:
        ids[0] = cover.message_id
    copies = _copies(kept.foreign, [m for m, _, _ in ordered], cover)
    collected, report = collect([p for _, p, _ in ordered], ids, [m for m in kept.replies if m is not cover],
                                foreign={m.message_id for m in kept.foreign if m.message_id} - set(copies),
                                copies=copies, applier=applier)
    rest = [p for _, p, _ in unnumbered] if kept.patches else []
    explicit = kept.cover[0] if kept.cover else None
    first = kept.first[0] if kept.first else None
    series = assemble(name, [*collected, *rest], source=str(path), cover=explicit,
                      cover_prose=cover_from_mail(explicit) if explicit else None,
                      first=first, mails=[m for m, _, _ in (*ordered, *(unnumbered if kept.patches else ()))])
    headers = kept.cover or kept.first
    notes = [f"{headers[1]}: {w}" for w in headers[0].warnings] if headers else []
    notes += [f"{where}: patch {_named(p)} came format=flowed: read as git am reads it (space-stuffing "
              "undone, soft line breaks joined); check that it applies" for m, p, where in ordered if m.flowed]
    return series, replace(report, warnings=(*report.warnings, *notes))


def _named(patch: Patch) -> str:
    s = patch.subject
    return f"{s.number}/{s.total} {s.summary!r}" if s.number is not None else repr(s.summary)


def _copies(older: list[Mail], ordered: list[Mail], cover: Mail | None) -> dict[str, int]:
    """Earlier copies of the series' own mails (a re-sent cover, a resent patch) -> the number each is.

    A cover of the same version and length, a patch of the same version,
    numbering and summary: a reply to the first copy is about the mail the
    series keeps.
    """
    def numbering(m: Mail) -> tuple[int, int | None, int | None]:
        return m.subject.version, m.subject.number, m.subject.total

    def summary(m: Mail) -> str:
        return " ".join(m.subject.summary.split()).casefold()

    out: dict[str, int] = {}
    for m in older:
        if not m.message_id:
            continue
        if cover is not None and m.subject.number == 0 and numbering(m) == numbering(cover):
            out[m.message_id] = 0
            continue
        n = next((n for n, p in enumerate(ordered, 1) if numbering(p) == numbering(m) and summary(p) == summary(m)),
                 None)
        if n is not None:
            out[m.message_id] = n
    return out


def _implicit_cover(patches: list[Mail], others: list[Mail]) -> Mail | None:
    """The mail the first patch answers when it has no diff and no ``Re:``: a cover without ``0/N``.

    Some send their cover letter with a plain subject (``re-enable
    IOCB_NOWAIT writes to files v5``); replies to it are replies to the cover.
    """
    if not patches or not patches[0].in_reply_to:
        return None
    parent = patches[0].in_reply_to
    return next((m for m in others if m.message_id == parent and not m.subject.is_reply
                 and not has_diff(m.body)), None)
