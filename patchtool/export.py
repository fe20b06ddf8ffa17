"""Export: the series as ``git format-patch`` files or one mbox, threaded, and as a branch.

The patches become commit objects in the scratch store (``git
commit-tree`` on the applier's trees, each patch's author, date and
message), so there is a real tip for the cover's ``From`` line and for
``--branch``.  Mails are laid out by mailfmt; the cover letter's text is
rendered by cover.py and handed in (cover and export sit side by side in
the data flow).  A branch is written only when asked: the new objects are
copied from the scratch store into the repository and the ref is created
with ``update-ref <ref> <tip> ""``, which refuses an existing branch unless
forced.

Message-Ids have git's shape (``<X.STAMP.git.EMAIL>``, the cover's
``<cover....>``) but are derived from what is posted, never from the
clock or a commit id: X hashes the series (subject words, version, base,
every patch's author, date, message and diff) and the mail's number,
STAMP is the newest author date.  Every mail gets its own id, and the
same series exported twice gets the same ids; a new version, or any
change to a patch, gets new ones.  The ids go to ``[[posted.vN]]``
(``via = "export"``) unless that version has a real posting on record.
``--in-reply-to`` threads the cover under an earlier mail (the previous
version's cover: ``posted_cover_id``) and heads every ``References``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from email.utils import mktime_tz, parsedate_tz
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote

from patchtool.apply import ApplyResult, make_commits
from patchtool.diffstat import StatOptions, file_stat
from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.mailfmt import GIT_SIGNATURE, check_header_value, cover_file_name, patch_file_name, render_patch
from patchtool.model import Patch, PostedMail, Posting, Series, Subject

THREAD_STYLES = ("shallow", "deep")
_LORE = re.compile(r"https?://lore\.kernel\.org/(?:r|all)/([^/\s]+)/?$")


@dataclass(frozen=True)
class MailFile:
    name: str
    text: str


@dataclass(frozen=True)
class Export:
    """The patch mails of a series (the cover comes from cover.py) and the commits made for them."""

    cover_name: str
    cover_id: str
    patches: tuple[MailFile, ...]
    commits: tuple[str, ...]
    base: str
    signature: str
    message_ids: tuple[str, ...] = ()  # the cover's, then each patch's
    cover_references: tuple[str, ...] = ()  # what the cover replies to (``--in-reply-to``)

    @property
    def tip(self) -> str:
        return self.commits[-1] if self.commits else self.base


def git_signature(store: GitRepo) -> str:
    """format-patch's default signature: the running git's version."""
    out = store.text("version").strip()
    return out.removeprefix("git version ").strip() or GIT_SIGNATURE


def _digest(*parts: str) -> str:
    sha = hashlib.sha1()
    for part in parts:
        sha.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return sha.hexdigest()


def patch_digest(patch: Patch) -> str:
    """What ``git am`` of the patch records: author, date, message, diff."""
    return _digest(str(patch.author), patch.date, patch.message, patch.diff)


def _stamp(series: Series) -> int:
    """The newest author date (seconds): git puts the time of the run here, which would change each time."""
    parsed = [parsedate_tz(p.date) for p in series.patches if p.date]
    # mktime_tz reads a date without a zone as UTC, never as the machine's local time.
    return max([0, *(mktime_tz(t) for t in parsed if t is not None)])


def message_ids(series: Series, email: str) -> tuple[str, ...]:
    """The cover's id, then one per patch: unique in the series, the same for the same series."""
    check_header_value(email, "sender e-mail")
    key = _digest("patchtool series", series.prefix, str(series.rfc), str(series.version), series.title,
                  series.base_commit or series.base or "", *map(patch_digest, series.patches))
    stamp = _stamp(series)
    return (f"<cover.{key[:20]}.{stamp}.git.{email}>",
            *(f"<{_digest(key, str(n))}.{stamp}.git.{email}>" for n in range(1, series.total + 1)))


def clean_message_id(text: str) -> str:
    """A Message-Id given with or without ``<>``, as ``<id>`` (format-patch adds the brackets too)."""
    bare = check_header_value(text.strip(), "--in-reply-to").removeprefix("<").removesuffix(">")
    if not bare or any(c.isspace() or c in "<>" for c in bare):
        raise BadInput(f"--in-reply-to: not a Message-Id: {text!r}")
    return f"<{bare}>"


def _lore_id(link: str) -> str | None:
    """The Message-Id of a ``https://lore.kernel.org/r/<id>`` link (as reroll records them)."""
    m = _LORE.match(link.strip())
    return f"<{unquote(m.group(1))}>" if m else None


def posted_cover_id(version: int, *sources: Series) -> str | None:
    """The cover Message-Id of ``version``: its ``[[posted.vN]]`` record, else ``[cover] message-id``, else a
    lore link in ``[links]``; ``sources`` in order (the kept version first).  The ``[cover]`` of a series
    is its own version's, so only a source whose version is ``version`` gives one."""
    for source in sources:
        posting = source.posted.get(version)
        if posting is not None and posting.message_id(0):
            return posting.message_id(0)
    for source in sources:
        if source.version == version and source.cover.message_id:
            return clean_message_id(source.cover.message_id)
    for source in sources:
        found = _lore_id(source.links.get(version, ""))
        if found:
            return found
    return None


def record_posting(series: Series, export: Export) -> Series | None:
    """``series`` with the export's ids as ``[[posted.vN]]`` (``via = "export"``); None when that changes nothing.

    A version with a real posting on record (imported, or sent) keeps it:
    those are the ids replies will name.
    """
    old = series.posted.get(series.version)
    if old is not None and any(m.via != "export" for m in old.mails):
        return None
    new = Posting(tuple(PostedMail(n, mail_id, via="export") for n, mail_id in enumerate(export.message_ids)))
    if old == new or not new.mails:
        return None
    return replace(series, posted=MappingProxyType({**series.posted, series.version: new}))


def build_export(
    store: GitRepo,
    series: Series,
    result: ApplyResult,
    *,
    sender_email: str,
    thread: str = "shallow",
    in_reply_to: str | None = None,
) -> Export:
    """Commits, message ids and patch mails; the cover's id is ``Export.cover_id``.

    ``in_reply_to`` (a Message-Id) threads the cover under it and heads every
    patch's ``References``, as ``git format-patch --in-reply-to`` does.
    """
    if thread not in THREAD_STYLES:
        raise BadInput(f"--thread must be one of {', '.join(THREAD_STYLES)}, not {thread!r}")
    commits = make_commits(store, series.patches, result)
    # The `From <sha>` lines name the commit a patch came from, when known (zeros for a mail's).
    shown = [p.commit or c for p, c in zip(series.patches, commits, strict=True)]
    ids = message_ids(series, sender_email)
    above = (clean_message_id(in_reply_to),) if in_reply_to else ()
    signature = git_signature(store)
    stat_options = StatOptions()  # format-patch's per-patch stats are always 72 wide
    mails = []
    before = result.base_tree
    for n, (patch, applied, commit) in enumerate(zip(series.patches, result.patches, shown, strict=True), 1):
        refs = [*above, ids[0]] if thread == "shallow" else [*above, *ids[:n]]
        # With a cover letter git numbers every patch, even 1/1.
        subject: Subject = replace(series.subject_for(n), number=n, total=series.total)
        text = render_patch(
            patch, subject,
            stat=file_stat(store, before, applied.tree, stat_options),
            commit=commit, message_id=ids[n], references=refs,
            to=series.to, cc=series.cc, signature=signature,
        )
        mails.append(MailFile(patch_file_name(n, patch.subject.summary, version=series.version), text))
        before = applied.tree
    return Export(cover_file_name(version=series.version), ids[0], tuple(mails), commits, result.commit, signature,
                  ids, above)


def write_files(export: Export, cover_text: str, out_dir: Path | None, mbox: Path | None = None) -> list[Path]:
    """The cover and patch files in ``out_dir`` (as format-patch -o), and/or one mbox."""
    files = [MailFile(export.cover_name, cover_text), *export.patches]
    written = []
    if out_dir is not None:
        if out_dir.exists() and not out_dir.is_dir():
            raise BadInput("is not a folder", source=str(out_dir))
        out_dir.mkdir(parents=True, exist_ok=True)
        for mail in files:
            path = out_dir / mail.name
            path.write_text(mail.text, encoding="utf-8", errors="surrogateescape")
            written.append(path)
    if mbox is not None:
        # `git format-patch --stdout` is exactly the files one after the other.
        mbox.write_text("".join(m.text for m in files), encoding="utf-8", errors="surrogateescape")
        written.append(mbox)
    return written


def write_branch(repo: GitRepo, store: GitRepo, export: Export, name: str, *, force: bool = False) -> str:
    """Create ``refs/heads/NAME`` at the series' tip; an existing branch only with ``force``."""
    ref = f"refs/heads/{name}"
    if repo.run_status("check-ref-format", ref).returncode != 0 or name.startswith("-"):
        raise BadInput(f"not a valid branch name: {name!r}")
    exists = repo.try_resolve(ref) is not None
    if exists and not force:
        raise BadInput(f"branch {name} exists already (use --force to move it)")
    head = repo.run_status("symbolic-ref", "-q", "HEAD").stdout.decode().strip()
    if exists and head == ref and repo.work_tree is not None:
        raise BadInput(f"branch {name} is checked out: moving it would leave the working tree behind")
    if export.commits:
        # The commits live in the scratch store: copy just them (and their new trees and blobs).
        pack = store.run("pack-objects", "--stdout", "--revs", "-q",
                         input=f"{export.tip}\n^{export.base}\n".encode())
        repo.run("unpack-objects", "-q", input=pack)
    old = [] if force else [""]
    repo.run("update-ref", "-m", f"patchtool export: {name}", ref, export.tip, *old)
    return export.tip
