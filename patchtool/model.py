"""The series model: frozen records every other module reads.

Sources (git range, mbox, folder) build these; the applier, diffstat,
maintainers, lint, cover and export only read them.  Nothing here parses
or talks to git.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Person:
    """A name and an address, as in ``From:``, ``Cc:`` and trailers."""

    name: str
    email: str

    def __str__(self) -> str:
        if not self.name:
            return f"<{self.email}>" if self.email else ""
        if not self.email:
            return self.name
        name = self.name
        # Names with specials ("Hallyn, Serge") are quoted as mail wants; non-ASCII
        # stays readable here (mailfmt encodes it for headers).
        if any(c in name for c in '()<>@,;:\\".[]'):
            name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{name} <{self.email}>"


@dataclass(frozen=True)
class Trailer:
    """One line of the closing trailer block of a commit message.

    ``key`` is empty for lines kernel maintainers keep between trailers that
    are not trailers themselves, e.g. ``[PM: rebased onto v5.14-rc5]``; they
    stay in place so the message round-trips.
    """

    key: str
    value: str

    def __str__(self) -> str:
        return f"{self.key}: {self.value}" if self.key else self.value

    @property
    def is_note(self) -> bool:
        return not self.key


@dataclass(frozen=True)
class Subject:
    """A parsed ``[RFC PATCH net-next v2 3/9] subsys: summary`` subject.

    ``prefix`` holds the bracket words that are neither RFC, the version nor
    the numbering, in order (``PATCH``, ``PATCH net-next``, ``PATCH RESEND``).
    """

    summary: str
    prefix: str = "PATCH"
    rfc: bool = False
    version: int = 1
    number: int | None = None
    total: int | None = None
    is_reply: bool = False

    def render(self) -> str:
        """The subject as ``git format-patch`` writes it (zero-padded n/m)."""
        words: list[str] = []
        if self.rfc:
            words.append("RFC")
        words.extend(self.prefix.split())
        if self.version > 1:
            words.append(f"v{self.version}")
        if self.number is not None and self.total is not None:
            width = len(str(self.total))
            words.append(f"{self.number:0{width}d}/{self.total}")
        tag = f"[{' '.join(words)}] " if words else ""
        return f"{tag}{self.summary}"


class ChangeKind(enum.Enum):
    MODIFY = "modify"
    ADD = "add"
    DELETE = "delete"
    RENAME = "rename"
    COPY = "copy"


@dataclass(frozen=True)
class Hunk:
    """One ``@@`` hunk; ``lines`` keep their ``' '``/``'+'``/``'-'``/``'\\'`` prefix."""

    old_start: int
    old_len: int
    new_start: int
    new_len: int
    section: str
    lines: tuple[str, ...]

    @property
    def header(self) -> str:
        def span(start: int, length: int) -> str:
            return f"{start}" if length == 1 else f"{start},{length}"

        tail = f" {self.section}" if self.section else ""
        return f"@@ -{span(self.old_start, self.old_len)} +{span(self.new_start, self.new_len)} @@{tail}"

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.startswith("+"))

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.startswith("-"))


@dataclass(frozen=True)
class FileChange:
    """What one ``diff --git`` section does to one path.

    ``text`` is that section exactly as it stood in the patch (binary
    literal/delta blocks included), so nothing is lost when the patch is
    written back or handed to ``git apply``.
    """

    kind: ChangeKind
    old_path: str | None
    new_path: str | None
    old_mode: str | None
    new_mode: str | None
    old_blob: str | None
    new_blob: str | None
    binary: bool
    hunks: tuple[Hunk, ...]
    text: str
    similarity: int | None = None

    @property
    def path(self) -> str:
        return self.new_path if self.new_path is not None else self.old_path or ""

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path this change reads or writes."""
        return tuple(dict.fromkeys(p for p in (self.old_path, self.new_path) if p is not None))

    @property
    def added(self) -> int:
        return sum(h.added for h in self.hunks)

    @property
    def removed(self) -> int:
        return sum(h.removed for h in self.hunks)


@dataclass(frozen=True)
class Patch:
    """One patch of a series: the commit it describes and the mail it came in.

    ``body`` is the commit message between the subject and the trailer block;
    ``notes`` is the maintainer's text between ``---`` and the diff (version
    change logs, a ``git format-patch --notes`` block), without blank lines
    around it; ``stat`` is the ``--stat --summary`` block found there, as
    read (generated: writers that know the diff put a fresh one).  ``raw``
    is the mail file's bytes as read, so a folder written back is
    byte-identical.
    """

    subject: Subject
    author: Person
    date: str
    body: str
    trailers: tuple[Trailer, ...]
    files: tuple[FileChange, ...]
    notes: str = ""
    stat: str = ""
    commit: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    sender: Person | None = None
    raw: bytes | None = None
    filename: str | None = None

    @property
    def message(self) -> str:
        """The full commit message, as ``git am`` would record it."""
        parts = [self.subject.summary]
        if self.body:
            parts.append(self.body)
        if self.trailers:
            parts.append("\n".join(str(t) for t in self.trailers))
        return "\n\n".join(parts) + "\n"

    @property
    def diff(self) -> str:
        return "".join(f.text for f in self.files)

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def removed(self) -> int:
        return sum(f.removed for f in self.files)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for f in self.files for p in f.paths))

    def with_trailers(self, extra: tuple[Trailer, ...]) -> Patch:
        """Add trailers not already present (review tags collected from replies)."""
        have = set(self.trailers)
        new = tuple(t for t in extra if t not in have)
        # The mail as read no longer says what the patch says: drop it so
        # writers render the patch afresh.
        return replace(self, trailers=self.trailers + new, raw=None) if new else self


@dataclass(frozen=True)
class Cover:
    """The 0/N mail: its prose and the headers worth keeping."""

    prose: str = ""
    author: Person | None = None
    date: str | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class PostedMail:
    """One mail of a posting: ``number`` 0 is the cover letter.

    ``via`` says where the record comes from: ``import`` (the mail as it was
    received: a real posting), ``export`` (the ids ``export`` gave the files;
    what ``git send-email`` of them would post) or ``smtp`` (``send``; then
    ``answer`` is the server's reply).
    """

    number: int
    message_id: str
    date: str = ""
    list: str = ""
    via: str = "import"
    answer: str = ""


@dataclass(frozen=True)
class Posting:
    """What is known of one version's posting: its mails' Message-Ids (``[posted.vN]``)."""

    mails: tuple[PostedMail, ...] = ()

    def message_id(self, number: int) -> str | None:
        """The Message-Id of mail ``number`` (0 = cover), when recorded."""
        return next((m.message_id for m in self.mails if m.number == number), None)

    @property
    def by_message_id(self) -> Mapping[str, int]:
        return MappingProxyType({m.message_id: m.number for m in self.mails})


@dataclass(frozen=True)
class Series:
    """An ordered patch series aimed at a base.

    ``links``, ``changes`` and ``posted`` are keyed by version number.  ``extra`` holds
    ``series.toml`` keys this version of patchtool does not know, so a
    rewrite keeps them.
    """

    name: str
    title: str
    patches: tuple[Patch, ...]
    version: int = 1
    rfc: bool = False
    prefix: str = "PATCH"
    base: str | None = None
    base_commit: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    links: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    changes: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    cover: Cover = field(default_factory=Cover)
    render: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    posted: Mapping[int, Posting] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def total(self) -> int:
        return len(self.patches)

    def subject_for(self, number: int) -> Subject:
        """The subject patch ``number`` (0 = cover) carries in this version."""
        summary = self.title if number == 0 else self.patches[number - 1].subject.summary
        numbered = self.total > 1 or number == 0
        return Subject(
            summary=summary,
            prefix=self.prefix,
            rfc=self.rfc,
            version=self.version,
            number=number if numbered else None,
            total=self.total if numbered else None,
        )
