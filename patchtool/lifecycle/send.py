"""``send``: the stored series posted over SMTP, one mail at a time, each recorded as the server takes it.

``plan_send`` decides everything before a connection is opened: the mails
(exactly the files ``export`` writes, built by the same code: export's
patch mails and cover.py's cover, without the mbox ``From <sha>`` line a
file starts with), the envelope (``MAIL FROM``: ``sendemail.envelopeSender``,
else the address of ``sendemail.from``, else the series' sender; ``RCPT
TO``: every To and Cc address of the mail, each once, compared without
regard to case), which mails of this version are already sent, and the
refusals: a line break in any header value, config or option; lint errors
(unless forced); a version already posted (unless ``resend``: the prefix
gains ``RESEND`` after ``PATCH``, as b4 does, which gives new Message-Ids);
a mail SMTP cannot carry unchanged (a bare CR, a line over 998 bytes).

``send`` then delivers the mails not yet sent and, after the server
accepted each, writes it into ``series.toml`` ``[[posted.vN]]``
(``via = "smtp"``, the Message-Id, the Date header, the server's answer)
through ``write_series`` (atomic; the CLI holds the folder's lock), one
write per mail.  A refusal or a dropped connection stops it: nothing is
recorded for that mail, and the next ``send`` builds the same mails (the
ids are derived from the series, the cover's date is recorded with it) and
sends only those not recorded.  Ids ``export`` recorded (``via =
"export"``) are the same ids; they give way to the ``smtp`` records.
After the last mail, ``[links]`` gets the posting's link (lore when a
recipient is a list lore archives, else the cover's Message-Id), and
``[cover]`` its date and Message-Id when it had none.
"""

from __future__ import annotations

import email.parser
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from email.header import decode_header, make_header
from email.utils import getaddresses, parseaddr
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from patchtool.errors import BadInput
from patchtool.export import message_ids
from patchtool.gitrepo import GitRepo
from patchtool.lifecycle.posting import render_posting
from patchtool.lifecycle.smtp import Refused, Settings, read_settings
from patchtool.lint import Finding, Severity, lint_series
from patchtool.model import Cover, PostedMail, Posting, Series
from patchtool.seriesdir import read_series, write_series
from patchtool.tempdirs import interrupts_held

LORE = "https://lore.kernel.org/r/"
# Mail domains whose lists lore.kernel.org archives (a link by Message-Id then works).
LORE_DOMAINS = frozenset({"vger.kernel.org", "lists.linux.dev", "lists.infradead.org", "lists.ozlabs.org",
                          "lists.freedesktop.org", "kvack.org", "lists.xenproject.org"})
MAX_LINE = 998  # RFC 5321 4.5.3.1.6, without the CRLF


@dataclass(frozen=True)
class SendOptions:
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    resend: bool = False
    reflect: bool = False
    dry_run: bool = False
    force: bool = False
    smtp_server: str | None = None
    thread: str = "shallow"
    in_reply_to: str | None = None
    template: str | None = None


@dataclass(frozen=True)
class OutMail:
    number: int  # 0: the cover
    total: int
    name: str  # the file export writes it to
    data: bytes  # what DATA carries (LF line ends here; CRLF on the wire)
    message_id: str
    date: str
    subject: str
    recipients: tuple[str, ...]  # RCPT TO

    @property
    def label(self) -> str:
        return "cover" if self.number == 0 else f"{self.number}/{self.total}"


@dataclass(frozen=True)
class SendPlan:
    folder: Path
    stored: Series  # as read: records go into it
    mails: tuple[OutMail, ...]
    envelope_from: str
    sent: frozenset[int]  # numbers already sent (skipped)
    settings: Settings
    options: SendOptions
    lint_errors: tuple[Finding, ...]
    link: str

    @property
    def version(self) -> int:
        return self.stored.version

    @property
    def to_send(self) -> tuple[OutMail, ...]:
        return self.mails if self.options.reflect else tuple(m for m in self.mails if m.number not in self.sent)

    @property
    def blocked(self) -> bool:
        return bool(self.lint_errors) and not self.options.force


@dataclass(frozen=True)
class SendResult:
    plan: SendPlan
    sent: tuple[OutMail, ...]  # by this run
    failed: OutMail | None = None
    answer: str = ""
    maybe_delivered: bool = False
    series: Series | None = None  # as written after the last record

    @property
    def complete(self) -> bool:
        return self.failed is None

    def summary(self) -> str:
        """One line: what is sent of the version (this run and earlier ones), what is not, and why."""
        plan = self.plan
        done = {m.number for m in self.sent} | (set() if plan.options.reflect else set(plan.sent))
        names = _ranges([m for m in plan.mails if m.number in done])
        head = f"sent {len(done)} of {len(plan.mails)}" + (f" ({names})" if names else "")
        if self.failed is None:
            return head
        again = "run send again to send the rest" if not plan.options.reflect else "run send --reflect again"
        if plan.options.resend and not plan.options.reflect:
            again = "run send --resend again to send the rest"
        return f"{head}; {self.failed.label} not sent: {self.answer}; {again}"


class Transport(Protocol):
    def open(self) -> None: ...
    def deliver(self, sender: str, recipients: Sequence[str], data: bytes) -> str: ...
    def close(self) -> None: ...


def _ranges(mails: Sequence[OutMail]) -> str:
    """``cover, 1/9, 2/9`` (a run of four or more as ``3/9..8/9``)."""
    out: list[str] = []
    run: list[OutMail] = []

    def flush() -> None:
        out.extend([m.label for m in run] if len(run) < 4 else [f"{run[0].label}..{run[-1].label}"])
        run.clear()

    for mail in mails:
        if mail.number == 0:
            out.append(mail.label)
            continue
        if run and mail.number != run[-1].number + 1:
            flush()
        run.append(mail)
    flush()
    return ", ".join(out)


def resend_prefix(prefix: str) -> str:
    """``PATCH net-next`` -> ``PATCH RESEND net-next`` (b4's order); unchanged when it says RESEND."""
    words = prefix.split()
    if any(w.upper() == "RESEND" for w in words):
        return prefix
    at = next((i + 1 for i, w in enumerate(words) if w.upper() == "PATCH"), 0)
    return " ".join([*words[:at], "RESEND", *words[at:]])


def _no_line_breaks(series: Series, options: SendOptions) -> None:
    values: list[tuple[str, str | None]] = [
        ("title", series.title), ("prefix", series.prefix), ("--in-reply-to", options.in_reply_to),
        ("[cover] from", str(series.cover.author) if series.cover.author else None),
        ("[cover] date", series.cover.date), ("[cover] message-id", series.cover.message_id),
        *(("to", a) for a in series.to), *(("cc", a) for a in series.cc),
        *(("--to", a) for a in options.to), *(("--cc", a) for a in options.cc),
    ]
    for n, patch in enumerate(series.patches, 1):
        values += [(f"patch {n} subject", patch.subject.summary), (f"patch {n} author", str(patch.author)),
                   (f"patch {n} date", patch.date)]
    for what, value in values:
        if value is not None and ("\r" in value or "\n" in value):
            raise BadInput(f"{what} holds a line break ({value!r}): refused before connecting (it would forge "
                           "mail headers)")


def _addresses(entries: Sequence[str], what: str) -> list[str]:
    out = []
    for entry in entries:
        found = [addr for _, addr in getaddresses([entry]) if addr]
        if not found or any("@" not in a for a in found):
            raise BadInput(f"{what}: not a mail address: {entry!r}")
        out.extend(found)
    return out


def _unique(addresses: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for a in addresses:
        seen.setdefault(a.lower(), a)
    return tuple(seen.values())


def _merged(have: Sequence[str], extra: Sequence[str], what: str) -> tuple[str, ...]:
    """``have`` plus the ``extra`` entries whose addresses it lacks (as send-email adds --to/--cc)."""
    known = {a.lower() for a in _addresses(have, what)}
    out = list(have)
    for entry in extra:
        new = [a for a in _addresses([entry], what) if a.lower() not in known]
        if new:
            out.append(entry)
            known.update(a.lower() for a in new)
    return tuple(out)


def _posted_state(stored: Series, first: Sequence[str], ids: Sequence[str], options: SendOptions) -> frozenset[int]:
    """The numbers of ``ids`` already sent; BadInput when this version must not be sent (again).

    ``first``: the ids of the version without RESEND (the original posting's)."""
    if options.reflect:
        return frozenset()
    v = stored.version
    posting = stored.posted.get(v)
    records = posting.mails if posting is not None else ()
    smtp = {m.message_id for m in records if m.via == "smtp"}
    elsewhere = [m.via for m in records if m.via not in ("smtp", "export")]
    cover_id = stored.cover.message_id
    if cover_id and not smtp and not elsewhere:  # an imported cover: that version was posted
        elsewhere = ["[cover] message-id"]
    original = sum(i in smtp for i in first)
    sent = frozenset(n for n, i in enumerate(ids) if i in smtp)
    tag = " ".join([*(["RFC"] if stored.rfc else []), resend_prefix(stored.prefix), *([f"v{v}"] if v > 1 else [])])
    again = f"--resend posts it again as [{tag} ...] with new Message-Ids"
    if not options.resend:
        if original == len(first):
            raise BadInput(f"v{v} was sent already ({len(first)} mails, their Message-Ids in [[posted.v{v}]]): "
                           f"nothing to send; {again}", source=stored.name)
        if elsewhere and not original:
            raise BadInput(f"v{v} is posted already (its Message-Ids come from {elsewhere[0]}); {again}",
                           source=stored.name)
        if smtp - set(first):
            raise BadInput(f"v{v} was sent with other Message-Ids than the series gives now (it changed since, or "
                           f"was resent): reroll for a new version, or {again}", source=stored.name)
        return sent
    if not smtp and not elsewhere:
        raise BadInput(f"v{v} was never sent: send it without --resend", source=stored.name)
    if smtp and 0 < original < len(first):
        raise BadInput(f"v{v} is partly sent ({original} of {len(first)} mails): run send without --resend to "
                       "send the rest", source=stored.name)
    if len(sent) == len(ids):
        raise BadInput(f"v{v} was resent already ({len(ids)} mails in [[posted.v{v}]]): nothing to send",
                       source=stored.name)
    return sent


def _mail(number: int, total: int, name: str, text: str, reflect_to: str | None) -> OutMail:
    data = text.encode("utf-8", "surrogateescape")
    if data.startswith(b"From "):  # the mbox separator: send-email does not send it either
        data = data.split(b"\n", 1)[1] if b"\n" in data else b""
    head = email.parser.HeaderParser().parsestr(data.split(b"\n\n", 1)[0].decode("utf-8", "surrogateescape") + "\n")
    label = "cover letter" if number == 0 else f"patch {number}"
    if b"\r" in data:
        raise BadInput(f"{label} holds a carriage return: SMTP cannot carry it unchanged; not sent")
    longest = max((len(line) for line in data.split(b"\n")), default=0)
    if longest > MAX_LINE:
        raise BadInput(f"{label} has a line of {longest} bytes, over SMTP's {MAX_LINE}: not sent")
    rcpts = _unique(_addresses(head.get_all("To", []) + head.get_all("Cc", []), f"{label} To/Cc"))
    subject = str(make_header(decode_header(re.sub(r"\r?\n[ \t]+", " ", head.get("Subject", "")))))
    return OutMail(number, total, name, data, head.get("Message-Id", ""), head.get("Date", ""), subject,
                   (reflect_to,) if reflect_to is not None else rcpts)


def _lore_list(addresses: Sequence[str]) -> bool:
    return any(a.rpartition("@")[2].lower() in LORE_DOMAINS for a in addresses)


def plan_send(folder: Path, repo: GitRepo, options: SendOptions) -> SendPlan:
    """Everything ``send`` will do, decided and checked; nothing is sent and nothing written."""
    stored = read_series(folder)
    _no_line_breaks(stored, options)
    settings = read_settings(repo, options.smtp_server)
    if settings.server is None and not options.dry_run:
        raise BadInput("no SMTP server: set sendemail.smtpServer (git config sendemail.smtpServer HOST) "
                       "or give --smtp-server HOST[:PORT]")
    series = replace(stored, to=_merged(stored.to, options.to, "--to"), cc=_merged(stored.cc, options.cc, "--cc"))
    # A recorded cover date (a send that stopped half way) makes the cover what it was.
    posting = stored.posted.get(stored.version)
    cover_date = next((m.date for m in (posting.mails if posting else ()) if m.number == 0 and m.via == "smtp"
                       and m.date), None)
    if cover_date and not series.cover.date:
        series = replace(series, cover=replace(series.cover, date=cover_date))
    original = series
    if options.resend:
        series = replace(series, prefix=resend_prefix(series.prefix))
    with repo.scratch() as store:
        rendered = render_posting(store, series, thread=options.thread, in_reply_to=options.in_reply_to,
                                  template=options.template)
        sender, export, cover_text = rendered.sender, rendered.export, rendered.cover_text
        ids = message_ids(series, sender.email)
        sent = _posted_state(stored, message_ids(original, sender.email), ids, options)
        from_address = parseaddr(settings.from_address)[1] if settings.from_address else sender.email
        envelope = settings.envelope_sender
        envelope_from = from_address if envelope in (None, "", "auto") else parseaddr(envelope)[1] or envelope
        for what, address in (("the From address", from_address), ("the envelope sender", envelope_from)):
            if "@" not in address or not address.isascii():
                raise BadInput(f"{what} {address!r} is no ASCII mail address (set sendemail.from)")
    reflect_to = from_address if options.reflect else None
    files = [(export.cover_name, cover_text), *((m.name, m.text) for m in export.patches)]
    mails = tuple(_mail(n, series.total, name, text, reflect_to) for n, (name, text) in enumerate(files))
    for mail in mails:
        bad = [a for a in mail.recipients if not a.isascii()]
        if bad:
            raise BadInput(f"{mail.label}: the address {bad[0]!r} is not ASCII (SMTPUTF8 is not supported)")
    lint = lint_series(original, repo)
    errors = tuple(f for f in lint.findings if f.severity is Severity.ERROR)
    everyone = _addresses([*series.to, *series.cc], "To/Cc")
    bare = export.cover_id.strip("<>")
    link = LORE + bare if _lore_list(everyone) else export.cover_id
    return SendPlan(folder, stored, mails, envelope_from, sent, settings, options, errors, link)


def _recorded(series: Series, plan: SendPlan, mail: OutMail, answer: str) -> Series:
    """``series`` with ``mail`` recorded as sent; the link and the cover's date when it completes the posting."""
    v = plan.version
    old = series.posted.get(v)
    kept = [m for m in (old.mails if old else ()) if m.via != "export"]
    mails = (*kept, PostedMail(mail.number, mail.message_id, date=mail.date, via="smtp", answer=answer))
    out = replace(series, posted=MappingProxyType({**series.posted, v: Posting(mails)}))
    if mail.number == 0:
        out = replace(out, cover=Cover(prose=out.cover.prose, author=out.cover.author,
                                       date=out.cover.date or mail.date,
                                       message_id=out.cover.message_id or mail.message_id))
    done = {m.message_id for m in mails if m.via == "smtp"}
    if all(m.message_id in done for m in plan.mails) and v not in out.links:
        out = replace(out, links=MappingProxyType({**out.links, v: plan.link}))
    return out


def send(plan: SendPlan, transport: Transport,
         on_sent: Callable[[OutMail, str], None] | None = None) -> SendResult:
    """Deliver the plan's mails not yet sent, recording each as the server accepts it (not for a reflect)."""
    if plan.blocked:
        raise BadInput(f"lint found {len(plan.lint_errors)} errors: not sent (--force sends anyway)")
    todo = plan.to_send
    sent: list[OutMail] = []
    series = plan.stored
    if not todo:
        return SendResult(plan, (), series=series)
    try:
        transport.open()
    except Refused as exc:
        transport.close()
        return SendResult(plan, (), todo[0], exc.answer, series=series)
    except BaseException:
        transport.close()
        raise
    try:
        for mail in todo:
            try:
                answer = transport.deliver(plan.envelope_from, mail.recipients, mail.data)
            except Refused as exc:
                return SendResult(plan, tuple(sent), mail, exc.answer, exc.maybe_delivered, series)
            if not plan.options.reflect:
                with interrupts_held():  # accepted is recorded: a Ctrl-C now waits for the write
                    series = write_series(_recorded(series, plan, mail, answer), plan.folder)
            sent.append(mail)
            if on_sent is not None:
                on_sent(mail, answer)
    finally:
        transport.close()
    return SendResult(plan, tuple(sent), series=series)
