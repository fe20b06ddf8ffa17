"""Sources of a series: a git range, an mbox thread, a folder of patch mails.

Each source only reads; ``load_source`` picks one by the shape of its
argument, and ``assemble`` turns numbered patch mails into an ordered
Series, refusing gaps.  Mails as received (anything but ``git
format-patch`` output) are kept as what they say, not as the bytes that
came: their patches are stored as format-patch writes them (no transport
headers), and each mail's Message-Id, date and list go to ``posted``
(``via = "import"``), the record of the posting they were.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from patchtool.errors import BadInput
from patchtool.model import Cover, Patch, PostedMail, Posting, Series

if TYPE_CHECKING:
    from patchtool.model import Person
    from patchtool.sources.mail import Mail
    from patchtool.sources.replies import TrailerReport


def assemble(
    name: str,
    patches: Sequence[Patch],
    *,
    source: str,
    cover: Mail | None = None,
    cover_prose: Cover | None = None,
    first: Mail | None = None,
    mails: Sequence[Mail] = (),
) -> Series:
    """Order numbered patches, check the numbering, read series facts off the subjects.

    ``mails``: every mail the source held, for the posting record of the
    cover and the patches that were received mails.
    """
    from patchtool.subject import find_footers, numbering_problem  # imports' only: a folder read needs neither

    # A broken or hostile n/N is refused before anything walks 1..N.
    for subject in [*([cover.subject] if cover is not None else []), *(p.subject for p in patches)]:
        if problem := numbering_problem(subject):
            raise BadInput(f"{problem} ({subject.summary!r})", source=source)
    if not patches:
        raise BadInput("no patches found", source=source)
    numbered = [p for p in patches if p.subject.number is not None]
    if numbered:
        totals = {p.subject.total for p in numbered}
        if cover is not None and cover.subject.total is not None:
            totals.add(cover.subject.total)
        if len(totals) != 1:
            raise BadInput(f"patches disagree on the series length: {sorted(t or 0 for t in totals)}",
                           source=source)
        total = totals.pop() or 0
        by_number: dict[int, Patch] = {}
        for p in numbered:
            n = p.subject.number or 0
            if not 1 <= n <= total:
                raise BadInput(f"patch number {n}/{total} is out of range", source=source)
            by_number[n] = p
        gaps = [n for n in range(1, total + 1) if n not in by_number]
        # Runs collapse ("2/885 to 885/885": one patch picked out of a stable review series).
        runs = [n for i, n in enumerate(gaps) if i == 0 or gaps[i - 1] != n - 1]
        ends = [n for i, n in enumerate(gaps) if i + 1 == len(gaps) or gaps[i + 1] != n + 1]
        missing = [f"{a}/{total}" if a == b else f"{a}/{total} to {b}/{total}" for a, b in zip(runs, ends, strict=True)]
        if missing:
            raise BadInput(f"patch {', '.join(missing)} is missing from the series", source=source)
        if len(numbered) != len(patches):
            raise BadInput("numbered and unnumbered patches are mixed", source=source)
        ordered = tuple(by_number[n] for n in range(1, total + 1))
    else:
        ordered = tuple(patches)
    head = cover.subject if cover is not None else ordered[0].subject
    versions = {p.subject.version for p in ordered}
    if len(versions) > 1:
        raise BadInput(f"patches of different versions mixed: v{', v'.join(map(str, sorted(versions)))}",
                       source=source)
    base_commit = None
    for mail_text in ([cover.body] if cover else []) + [
        (p.raw or b"").decode("utf-8", "replace") for p in ordered
    ]:
        base_commit = base_commit or find_footers(mail_text).base_commit
    version = versions.pop()
    headers = cover or first
    title = cover.subject.summary if cover else (ordered[0].subject.summary if len(ordered) == 1 else "")
    return Series(
        name=name,
        title=title,
        patches=tuple(_as_format_patch(p) for p in ordered),
        version=version,
        rfc=head.rfc,
        prefix=head.prefix or "PATCH",
        base_commit=base_commit,
        base=base_commit,
        to=headers.to if headers else (),
        cc=headers.cc if headers else (),
        cover=cover_prose or Cover(),
        posted=_posted(version, cover, ordered, mails),
    )


def _as_format_patch(patch: Patch) -> Patch:
    """A received mail's patch loses the bytes it came in: writers render it as format-patch does."""
    from patchtool.sources.mail import is_format_patch

    return replace(patch, raw=None) if patch.raw is not None and not is_format_patch(patch.raw) else patch


def _posted(version: int, cover: Mail | None, ordered: Sequence[Patch], mails: Sequence[Mail]
            ) -> Mapping[int, Posting]:
    """``[[posted.vN]]`` of the received mails: the cover (0) and each patch, by Message-Id."""
    from patchtool.sources.mail import is_format_patch

    received = {m.message_id: m for m in (*mails, *([cover] if cover else []))
                if m.message_id and not is_format_patch(m.raw)}
    numbered = [(0, cover.message_id if cover else None)] + [(n, p.message_id) for n, p in enumerate(ordered, 1)]
    records = tuple(PostedMail(n, m.message_id or "", m.date, m.list_id, "import")
                    for n, mail_id in numbered if mail_id and (m := received.get(mail_id)) is not None)
    return MappingProxyType({version: Posting(records)} if records else {})


def load_source(source: str, *, name: str, repo_path: str | Path = ".") -> Series:
    """A Series from a range ``A..B`` in ``repo_path``, an mbox file or a folder."""
    path = Path(source)
    if path.is_dir():
        from patchtool.sources.folder import read_folder

        return read_folder(path, name=name)
    if path.is_file():
        return load_source_report(source, name=name, repo_path=repo_path)[0]
    if ".." in source and not path.exists():
        from patchtool.gitrepo import GitRepo
        from patchtool.sources.gitrange import read_range

        return read_range(GitRepo.open(repo_path), source, name=name)
    raise BadInput(f"no such file, folder or range: {source}")


def load_source_report(
    source: str, *, name: str, repo_path: str | Path = ".", applier: Person | None = None
) -> tuple[Series, TrailerReport]:
    """``load_source``, and what the replies of an mbox gave (``replies.collect``; empty for the rest).

    ``applier``: the person importing, whose closing ``Signed-off-by`` stays below collected trailers.
    """
    path = Path(source)
    if path.is_file():
        from patchtool.sources.mbox import read_mbox_report

        return read_mbox_report(path, name=name, applier=applier)
    from patchtool.sources.replies import TrailerReport

    return load_source(source, name=name, repo_path=repo_path), TrailerReport()
