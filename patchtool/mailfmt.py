"""A Patch as the mail ``git format-patch`` writes: headers, message, ``---``, diff, signature.

Used when a patch has no mail text of its own that still says what it
says (trailers collected from replies, a rebased diff).
"""

from __future__ import annotations

import re
from email.header import Header

from patchtool.model import Patch, Person, Subject

GIT_SIGNATURE = "2.39.5"


def patch_file_name(number: int, summary: str) -> str:
    """format-patch's ``NNNN-slug.patch`` name (slug: runs of non-alnum -> '-', max 52)."""
    slug = re.sub(r"[^A-Za-z0-9._]+", "-", summary)
    slug = re.sub(r"\.+", ".", slug).strip("-.")[:52].rstrip("-.")
    return f"{number:04d}-{slug}.patch"


def encode_person(person: Person) -> str:
    """``From:`` as git writes it: RFC 2047 (q) for non-ASCII names, quotes for specials."""
    name = person.name
    if not name:
        return f"<{person.email}>"
    if not name.isascii():
        return f"{Header(name, 'utf-8').encode()} <{person.email}>"
    if re.search(r'[()<>\[\]:;@\\,."]', name):
        escaped = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}" <{person.email}>'
    return f"{name} <{person.email}>"


def render_patch(patch: Patch, subject: Subject) -> str:
    commit = patch.commit or "0" * 40
    headers = [
        f"From {commit} Mon Sep 17 00:00:00 2001",
        f"From: {encode_person(patch.author)}",
        f"Date: {patch.date}",
        f"Subject: {subject.render()}",
    ]
    message = patch.message.split("\n\n", 1)[1] if "\n\n" in patch.message else ""
    if not (patch.message + patch.diff).isascii():
        headers += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8",
                    "Content-Transfer-Encoding: 8bit"]
    out = "\n".join(headers) + "\n\n" + message
    out += "---\n"
    if patch.notes:
        out += patch.notes + "\n\n"
    out += patch.diff
    out += f"-- \n{GIT_SIGNATURE}\n\n"
    return out
