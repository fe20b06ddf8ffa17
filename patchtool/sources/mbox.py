"""An mbox of a whole thread (or one patch file) -> a Series.

Patches may come in any order; a re-sent copy of the same patch replaces
the older one.  Replies (``Re:``) lend their ``Reviewed-by:`` / ``Acked-by:``
/ ``Tested-by:`` / ``Reported-by:`` lines to the patch they answer, or to
every patch when they answer the cover letter; other replies are ignored.
"""

from __future__ import annotations

import mailbox
from email.utils import parsedate_to_datetime
from pathlib import Path

from patchtool.errors import BadInput
from patchtool.model import Patch, Series, Trailer
from patchtool.sources import assemble
from patchtool.sources.mail import Mail, cover_from_mail, patch_from_mail, read_mail
from patchtool.subject import find_trailers


def _mails(path: Path) -> list[Mail]:
    data = path.read_bytes()
    if not data.strip():
        raise BadInput("file is empty", source=str(path))
    if b"\x00" in data:
        raise BadInput("file contains NUL bytes: not an mbox", source=str(path))
    if not data.startswith(b"From "):
        return [read_mail(data, str(path))]
    box = mailbox.mbox(str(path), create=False)
    try:
        mails = []
        for i, key in enumerate(box.keys(), 1):
            raw = box.get_bytes(key, from_=True)
            mails.append(read_mail(raw, f"{path} (message {i})"))
        return mails
    finally:
        box.close()


def _when(mail: Mail) -> float:
    try:
        return parsedate_to_datetime(mail.date).timestamp()
    except (TypeError, ValueError, IndexError):
        return 0.0


def read_mbox(path: Path, *, name: str) -> Series:
    mails = _mails(path)
    cover: Mail | None = None
    patches: dict[int, tuple[Mail, Patch]] = {}
    unnumbered: list[Patch] = []
    replies: list[Mail] = []
    for i, mail in enumerate(mails, 1):
        if mail.subject.is_reply:
            replies.append(mail)
            continue
        if mail.subject.number == 0:
            if cover is None or _when(mail) >= _when(cover):
                cover = mail
            continue
        if "diff --git " not in mail.body and len(mails) > 1:
            continue  # a mail with no diff in a thread, not a reply: nothing to import
        src = f"{path} (message {i})" if len(mails) > 1 else str(path)
        patch = patch_from_mail(mail, src)
        if patch.subject.number is None:
            unnumbered.append(patch)
            continue
        old = patches.get(patch.subject.number)
        if old is None or _when(mail) >= _when(old[0]):
            patches[patch.subject.number] = (mail, patch)
    by_id = {m.message_id: n for n, (m, _) in patches.items() if m.message_id}
    if cover is not None and cover.message_id:
        by_id[cover.message_id] = 0
    extra: dict[int, list[Trailer]] = {}
    for reply in sorted(replies, key=_when):  # stable: same date keeps mbox order
        target = _answered(reply, by_id)
        if target is None:
            continue
        found = find_trailers(reply.body)
        for n in (patches if target == 0 else [target]):
            extra.setdefault(n, []).extend(found)
    numbered = [p.with_trailers(tuple(extra.get(n, ()))) for n, (_, p) in sorted(patches.items())]
    return assemble(name, numbered + unnumbered, source=str(path), cover=cover,
                    cover_prose=cover_from_mail(cover) if cover else None,
                    first=mails[0] if mails else None)


def _answered(reply: Mail, by_id: dict[str, int]) -> int | None:
    """The patch number (0 = cover) a reply answers, through its headers or its subject."""
    for ref in (reply.in_reply_to, *reversed(reply.references)):
        if ref and ref in by_id:
            return by_id[ref]
    return reply.subject.number
