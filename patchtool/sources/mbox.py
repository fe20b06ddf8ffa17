"""An mbox of a whole thread (or one patch file) -> a Series.

Patches may come in any order; a re-sent copy of the same patch replaces
the older one.  Replies lend their ``Reviewed-by:`` / ``Acked-by:`` /
``Tested-by:`` / ``Reported-by:`` / ``Suggested-by:`` lines to the patch
they answer, or to every patch when they answer the cover letter, by the
rules of ``replies``; ``read_mbox_report`` also says what was added and
what was refused.
"""

from __future__ import annotations

import mailbox
from dataclasses import replace
from email.utils import parsedate_to_datetime
from pathlib import Path

from patchtool.diffparse import has_diff
from patchtool.errors import BadInput
from patchtool.model import Patch, Person, Series
from patchtool.sources import assemble
from patchtool.sources.mail import Mail, cover_from_mail, patch_from_mail, read_mail
from patchtool.sources.mailinfo import split_mbox
from patchtool.sources.replies import TrailerReport, collect


def read_mails(path: Path) -> list[Mail]:
    """Every mail of an mbox file, a single mail file, or a Maildir folder (``cur/``, ``new/``)."""
    if path.is_dir():
        if not (path / "cur").is_dir() and not (path / "new").is_dir():
            raise BadInput("not a Maildir folder (no cur/ or new/)", source=str(path))
        maildir = mailbox.Maildir(str(path), create=False)
        keys = sorted(maildir.keys())
        return [read_mail(maildir.get_bytes(key), f"{path} ({key})") for key in keys]
    return _mails(path)


def _mails(path: Path) -> list[Mail]:
    data = path.read_bytes()
    if not data.strip():
        raise BadInput("file is empty", source=str(path))
    if b"\x00" in data:
        raise BadInput("file contains NUL bytes: not an mbox", source=str(path))
    raws = split_mbox(data)  # git mailsplit's cuts (and mboxrd's >From unquoting)
    if len(raws) == 1:
        return [read_mail(raws[0], str(path))]
    return [read_mail(raw, _where(path, i)) for i, raw in enumerate(raws, 1)]


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


def read_mbox_report(path: Path, *, name: str, applier: Person | None = None) -> tuple[Series, TrailerReport]:
    """The series of an mbox thread and what its replies gave (``replies.collect``)."""
    mails = _mails(path)
    cover: Mail | None = None
    patches: dict[int, tuple[Mail, Patch]] = {}
    unnumbered: list[tuple[Mail, Patch]] = []
    replies: list[Mail] = []  # Re:, and mails with no diff (a follow-up without Re:, a cover without 0/N)
    foreign: list[Mail] = []  # older copies of the series' mails: they end a walk up the thread
    for i, mail in enumerate(mails, 1):
        if mail.subject.is_reply:
            replies.append(mail)
            continue
        if mail.subject.number == 0:
            if cover is None or _when(mail) >= _when(cover):
                foreign.extend([cover] if cover else [])
                cover = mail
            else:
                foreign.append(mail)
            continue
        if not has_diff(mail.body) and len(mails) > 1:
            replies.append(mail)
            continue
        src = f"{path} (message {i})" if len(mails) > 1 else str(path)
        patch = patch_from_mail(mail, src)
        if patch.subject.number is None:
            unnumbered.append((mail, patch))
            continue
        old = patches.get(patch.subject.number)
        if old is None or _when(mail) >= _when(old[0]):
            foreign.extend([old[0]] if old else [])
            patches[patch.subject.number] = (mail, patch)
        else:
            foreign.append(mail)
    unnumbered = _newest_copies(unnumbered, foreign)
    ordered = [patches[n] for n in sorted(patches)] if patches else unnumbered
    cover = cover or _implicit_cover([m for m, _ in ordered], replies)
    ids = {n: m.message_id for n, (m, _) in enumerate(ordered, 1) if m.message_id}
    if cover is not None and cover.message_id:
        ids[0] = cover.message_id
    copies = _copies(foreign, [m for m, _ in ordered], cover)
    collected, report = collect([p for _, p in ordered], ids, [m for m in replies if m is not cover],
                                foreign={m.message_id for m in foreign if m.message_id} - set(copies),
                                copies=copies, applier=applier)
    rest = [p for _, p in unnumbered] if patches else []
    explicit = cover if cover is not None and cover.subject.number == 0 else None
    series = assemble(name, [*collected, *rest], source=str(path), cover=explicit,
                      cover_prose=cover_from_mail(explicit) if explicit else None,
                      first=mails[0] if mails else None, mails=mails)
    where = {id(m): _where(path, i) if len(mails) > 1 else str(path) for i, m in enumerate(mails, 1)}
    headers = explicit or (mails[0] if mails else None)
    notes = [f"{where[id(headers)]}: {w}" for w in headers.warnings] if headers else []
    notes += [f"{where[id(m)]}: patch {_named(p)} came format=flowed: read as git am reads it (space-stuffing "
              "undone, soft line breaks joined); check that it applies" for m, p in ordered if m.flowed]
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


def _newest_copies(unnumbered: list[tuple[Mail, Patch]], older: list[Mail]) -> list[tuple[Mail, Patch]]:
    """One unnumbered patch per summary: a ``[PATCH RESEND]`` or a re-post replaces the older copy."""
    newest: dict[str, tuple[Mail, Patch]] = {}
    for mail, patch in unnumbered:
        key = " ".join(patch.subject.summary.split()).casefold()
        if key in newest and _when(newest[key][0]) > _when(mail):
            older.append(mail)
            continue
        older.extend([newest[key][0]] if key in newest else [])
        newest[key] = (mail, patch)
    return list(newest.values())


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
