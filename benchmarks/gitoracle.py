"""What ``git am`` reads off one mail, for ``bench_archive.py`` and ``tests/test_archive_samples.py``.

``git_view`` runs on one raw mail what ``git am`` runs by default: ``git
mailsplit``, ``git mailinfo`` (no ``-k``), then ``git apply --numstat -z``
on the patch mailinfo split off, and gives the subject, author, email and
the files with their added and removed lines (or what git refused).

``limit_copy`` is the oracle for the mails git mailinfo cannot read though
they carry a patch (git's limits, not the mail's fault): a ``charset``
no converter knows (``charset=y``, git send-email's 8-bit question answered
"y") gets a copy whose charset is ``utf-8``; a mail that holds its text
in a multipart inside a multipart (base64 text/plain inside
multipart/alternative inside multipart/mixed), where mailinfo finds no
patch, gets a copy flattened by the stdlib's ``email`` to that text/plain
part: the mail's headers, the part's Content-* headers and its body as it
was encoded (decoded, a ``From <sha>`` line of the body would be escaped
as ``>From`` in the mbox, which mailinfo reads as a format-patch
separator).  git then reads the copy, and what it says of the copy is
what patchtool must say of the original.
"""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import env

TRIM_HEADERS = ("from", "to", "cc", "subject", "date", "message-id", "in-reply-to", "references",
                "mime-version", "content-type", "content-transfer-encoding", "list-id")
File = tuple[str, int | None, int | None]  # path (a rename's new one), added, removed (None: binary)
_CONVERT = re.compile(r"^mailinfo: error: cannot convert from (\S+) to UTF-8")
_MBOX_SEP = re.compile(rb"^From mboxrd@z Thu Jan  1 00:00:00 1970\n", re.MULTILINE)


@dataclass(frozen=True)
class GitView:
    subject: str = ""
    author: str = ""
    email: str = ""
    files: tuple[File, ...] = ()
    error: str = ""  # mailinfo or apply refused the mail


def mbox_entry(raw: bytes, trim: bool = False) -> bytes:
    """One mail as an mbox entry: a ``From `` line, ``>From `` escaping, a closing blank line."""
    if trim:
        raw = trimmed(raw)
    body = re.sub(rb"^From ", b">From ", raw, flags=re.MULTILINE)
    if not body.endswith(b"\n"):
        body += b"\n"
    return b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + body + b"\n"


def read_mbox(data: bytes) -> list[bytes]:
    """The raw mails of an mbox ``mbox_entry`` wrote (``>From `` unquoted as mboxrd, the blank line off)."""
    out = []
    for chunk in _MBOX_SEP.split(data)[1:]:
        chunk = chunk[:-1] if chunk.endswith(b"\n\n") else chunk
        out.append(re.sub(rb"^>(>*From )", rb"\1", chunk, flags=re.MULTILINE))
    return out


def trimmed(raw: bytes) -> bytes:
    """The mail with only the headers in TRIM_HEADERS (folded lines kept), the body as it came."""
    sep = re.search(rb"\r?\n\r?\n", raw)
    end = sep.start() if sep else len(raw)
    fields: list[list[bytes]] = []
    for line in re.split(rb"(?<=\n)", raw[:end]):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1].append(line)
        elif line:
            fields.append([line])
    kept = b"".join(b"".join(f) for f in fields
                    if f[0].split(b":", 1)[0].strip().lower().decode("ascii", "replace") in TRIM_HEADERS)
    return kept.rstrip(b"\r\n") + raw[end:]


def git_view(raw: bytes, tmp: Path) -> GitView:
    """What ``git am`` reads off one mail: mailsplit, mailinfo, then apply --numstat on the patch."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "mbox").write_bytes(mbox_entry(raw))
    split = tmp / "split"
    shutil.rmtree(split, ignore_errors=True)
    split.mkdir()
    e = {**env(), "GIT_CEILING_DIRECTORIES": str(tmp.parent)}

    def git(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", *args], cwd=tmp, input=stdin, capture_output=True, env=e, timeout=60)

    p = git("mailsplit", "-b", f"-o{split}", "--", str(tmp / "mbox"))
    if p.returncode:
        return GitView(error="mailsplit: " + p.stderr.decode(errors="replace").strip())
    p = git("mailinfo", str(tmp / "msg"), str(tmp / "patch"), stdin=(split / "0001").read_bytes())
    if p.returncode:
        return GitView(error="mailinfo: " + p.stderr.decode(errors="replace").strip())
    info: dict[str, str] = {}
    for line in p.stdout.decode("utf-8", "replace").split("\n"):
        key, sep, value = line.partition(": ")
        if sep and key not in info:
            info[key] = value
    view = GitView(info.get("Subject", ""), info.get("Author", ""), info.get("Email", ""))
    if not (tmp / "patch").stat().st_size:
        return GitView(view.subject, view.author, view.email, error="no diff")
    p = git("apply", "--numstat", "-z", str(tmp / "patch"))
    if p.returncode:
        return GitView(view.subject, view.author, view.email,
                       error="apply: " + p.stderr.decode(errors="replace").strip().split("\n")[0])
    files: list[File] = []
    parts = p.stdout.decode("utf-8", "surrogateescape").split("\0")
    i = 0
    while i < len(parts) and parts[i]:
        added, removed, path = parts[i].split("\t", 2)  # a rename or copy: its new path only
        files.append((path, None if added == "-" else int(added), None if removed == "-" else int(removed)))
        i += 1
    if not files:
        return GitView(view.subject, view.author, view.email, error="no diff")
    return GitView(view.subject, view.author, view.email, tuple(files))


# -- git's limits: a copy of the mail git can read ------------------------------------------------------

def limit_copy(raw: bytes, view: GitView) -> tuple[str, bytes] | None:
    """(what was rewritten, the copy) for a mail git refused only for one of its limits, else None."""
    if m := _CONVERT.match(view.error):
        charset = re.escape(m.group(1).encode())
        copy = re.sub(rb'(charset=)(?:"' + charset + rb'"|' + charset + rb')(?=[;\s]|$)', rb"\1utf-8", raw,
                      flags=re.IGNORECASE | re.MULTILINE)
        return (f"charset={m.group(1)} read as utf-8", copy) if copy != raw else None
    if view.error == "no diff" and (part := _nested_text(raw)) is not None:
        return ("nested multipart flattened to its text/plain part", _flattened(raw, part))
    return None


def _nested_text(raw: bytes) -> Message | None:
    """The first text/plain part of a mail whose text is in a multipart inside a multipart."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    if not msg.is_multipart() or not any(p.is_multipart() for p in msg.get_payload()):
        return None
    return next((p for p in msg.walk() if p.get_content_type() == "text/plain"), None)


def _flattened(raw: bytes, part: Message) -> bytes:
    """The mail's own headers (no Content-*), then ``part``'s Content-* headers and its body, still encoded."""
    sep = re.search(rb"\r?\n\r?\n", raw)
    headers = re.split(rb"\n(?![ \t])", raw[:sep.start() if sep else len(raw)])
    kept = [h for h in headers if not re.match(rb"(?i)(content-[a-z-]*|mime-version):", h)]
    own = [f"{k}: {v}".encode("ascii", "surrogateescape") for k, v in part.items()
           if k.lower().startswith("content-")]
    body = part.get_payload(decode=False)
    body = body.encode("ascii", "surrogateescape") if isinstance(body, str) else b""
    return b"\n".join([*kept, b"MIME-Version: 1.0", *own]) + b"\n\n" + body
