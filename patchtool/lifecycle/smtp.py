"""The SMTP side of ``send``: the settings ``git send-email`` reads, and one session with the server.

Settings come from the repository's git config as send-email reads them:
``sendemail.smtpServer`` (a host; a path, send-email's sendmail mode, is
refused), ``smtpServerPort`` (default 465 for ``ssl``, else 25, as
send-email), ``smtpEncryption`` (``ssl``: SMTP over TLS; ``tls``:
STARTTLS), ``smtpUser`` with ``smtpPass`` or else ``git credential fill``
(protocol ``smtp``, host ``HOST:PORT``, the user: what send-email asks),
``smtpDomain`` (the EHLO name), ``sendemail.from`` and
``sendemail.envelopeSender`` (``auto``: the From address).
``--smtp-server HOST[:PORT]`` overrides server and port.  Identities
(``sendemail.<identity>.*``) and ``smtpSSLCertPath`` are not read: TLS
checks the server against the system's certificates.

A mail goes as ``MAIL FROM``, one ``RCPT TO`` per recipient and ``DATA``
driven step by step, so that any refusal (a 4xx/5xx to any of them) stops
before the mail is accepted for anyone, and a connection that drops is
told apart from one that dropped while the server held the whole mail but
had not yet answered (then the mail may have been delivered).
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo

ENCRYPTIONS = ("", "ssl", "tls")
TIMEOUT = 60.0
_HOST_PORT = re.compile(r"^(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:\[\]]+))(?::(?P<port>[^:]*))?$")


@dataclass(frozen=True)
class Settings:
    """Where and how to send; ``server`` None when nothing names one."""

    server: str | None = None
    port: int | None = None
    encryption: str = ""
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    from_address: str | None = None  # sendemail.from
    envelope_sender: str | None = None  # sendemail.envelopeSender
    domain: str | None = None  # sendemail.smtpDomain

    @property
    def effective_port(self) -> int:
        return self.port or (465 if self.encryption == "ssl" else 25)

    def describe(self) -> str:
        if self.server is None:
            return "no SMTP server configured"
        how = f", {self.encryption}" if self.encryption else ""
        who = f", user {self.user}" if self.user else ""
        return f"{self.server}:{self.effective_port}{how}{who}"


def _port(text: str, what: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise BadInput(f"{what}: not a port number: {text!r}")
    return int(text)


def _no_breaks(values: Mapping[str, str | None]) -> None:
    for what, value in values.items():
        if value is not None and ("\r" in value or "\n" in value):
            raise BadInput(f"{what} holds a line break: refused (it would inject SMTP commands or headers)")


def host_and_port(text: str, what: str) -> tuple[str, int | None]:
    """``HOST``, ``HOST:PORT`` or ``[V6]:PORT``."""
    m = _HOST_PORT.match(text.strip())
    if not m:
        raise BadInput(f"{what}: not HOST[:PORT]: {text!r}")
    port = m.group("port")
    return m.group("v6") or m.group("host"), (_port(port, what) if port is not None else None)


def read_settings(repo: GitRepo, server: str | None = None) -> Settings:
    """The ``sendemail.*`` settings of ``repo``'s config; ``server`` (``--smtp-server``) overrides."""
    conf = repo.config_section("sendemail")
    _no_breaks({f"sendemail.{k}": v for k, v in conf.items()} | {"--smtp-server": server})
    host_text = server if server is not None else conf.get("smtpserver") or None
    host, port = None, None
    if host_text is not None:
        if host_text.startswith(("/", "~", ".")):
            raise BadInput(f"sendemail.smtpServer is a program ({host_text}), send-email's sendmail mode: "
                           "patchtool sends over SMTP only; set a host name (or give --smtp-server HOST[:PORT])")
        host, port = host_and_port(host_text, "--smtp-server" if server is not None else "sendemail.smtpServer")
    if port is None and conf.get("smtpserverport"):
        port = _port(conf["smtpserverport"], "sendemail.smtpServerPort")
    encryption = conf.get("smtpencryption", "").strip().lower()
    if encryption in ("none", "plain"):
        encryption = ""
    if encryption not in ENCRYPTIONS:
        raise BadInput(f"sendemail.smtpEncryption must be ssl or tls, not {encryption!r}")
    envelope = conf.get("envelopesender") or None
    return Settings(host, port, encryption, conf.get("smtpuser") or None, conf.get("smtppass"),
                    conf.get("from") or None, envelope, conf.get("smtpdomain") or None)


class Refused(Exception):
    """The server refused the mail (or the connection went): ``answer`` says how, in one line.

    ``maybe_delivered``: the whole mail had been sent and the connection dropped before the server
    answered, so the server may have it."""

    def __init__(self, answer: str, *, maybe_delivered: bool = False):
        self.answer = answer
        self.maybe_delivered = maybe_delivered
        super().__init__(answer)


def _answer(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return " ".join(f"{code} {words}".split())


def _dot_stuffed(data: bytes) -> bytes:
    """The mail as DATA carries it: CRLF line ends, a leading ``.`` doubled, ending in CRLF ``.`` CRLF."""
    wire = re.sub(rb"(?m)^\.", b"..", data.replace(b"\n", b"\r\n"))
    if not wire.endswith(b"\r\n"):
        wire += b"\r\n"
    return wire + b".\r\n"


class SmtpTransport:
    """One SMTP session: ``open`` (connect, STARTTLS, login), ``deliver`` each mail, ``close``."""

    def __init__(self, settings: Settings, repo: GitRepo | None = None, *, prompt: bool = False,
                 timeout: float = TIMEOUT):
        if settings.server is None:
            raise BadInput("no SMTP server: set sendemail.smtpServer (git config sendemail.smtpServer HOST) "
                           "or give --smtp-server HOST[:PORT]")
        self.settings = settings
        self.repo = repo
        self.prompt = prompt
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        return f"{self.settings.server}:{self.settings.effective_port}"

    def open(self) -> None:
        s = self.settings
        assert s.server is not None
        try:
            if s.encryption == "ssl":
                self.smtp = smtplib.SMTP_SSL(s.server, s.effective_port, local_hostname=s.domain,
                                             timeout=self.timeout, context=ssl.create_default_context())
            else:
                self.smtp = smtplib.SMTP(s.server, s.effective_port, local_hostname=s.domain, timeout=self.timeout)
            self.smtp.ehlo_or_helo_if_needed()
            if s.encryption == "tls":
                self.smtp.starttls(context=ssl.create_default_context())
                self.smtp.ehlo()
        except smtplib.SMTPNotSupportedError:
            raise BadInput(f"{self.where}: the server offers no STARTTLS (sendemail.smtpEncryption = tls)") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise Refused(f"connecting to {self.where} failed: {_exc_line(exc)}") from None
        if s.user:
            self._login(s.user)

    def _login(self, user: str) -> None:
        assert self.smtp is not None
        fields = {"protocol": "smtp", "host": self.where, "username": user}
        password = self.settings.password
        asked = password is None
        if asked:
            found = self.repo.credential_fill(fields, prompt=self.prompt) if self.repo is not None else None
            if found is None:
                raise BadInput(f"{self.where}: no password for {user}: set sendemail.smtpPass or a credential "
                               "helper (git credential fill gave none)")
            password = found["password"]
            fields = {**fields, "password": password}
        try:
            self._auth(user, password)
        except smtplib.SMTPAuthenticationError as exc:
            if asked and self.repo is not None:
                self.repo.credential_report(fields, worked=False)
            raise BadInput(f"{self.where}: login as {user} refused: {_answer(exc.smtp_code, exc.smtp_error)}") from None
        except smtplib.SMTPNotSupportedError:
            raise BadInput(f"{self.where}: the server offers no AUTH (sendemail.smtpUser is set); "
                           "over plain SMTP most servers offer it only after STARTTLS: "
                           "set sendemail.smtpEncryption") from None
        except smtplib.SMTPException as exc:
            raise BadInput(f"{self.where}: login as {user} failed: {_exc_line(exc)}") from None
        except OSError as exc:
            raise Refused(f"connection to {self.where} lost during login: {_exc_line(exc)}") from None
        if asked and self.repo is not None:
            self.repo.credential_report(fields, worked=True)

    def _auth(self, user: str, password: str) -> None:
        """AUTH with the first mechanism of CRAM-MD5, PLAIN, LOGIN the server offers: one try (smtplib's
        ``login`` would try the next after a refusal)."""
        smtp = self.smtp
        assert smtp is not None
        smtp.ehlo_or_helo_if_needed()
        if not smtp.has_extn("auth"):
            raise smtplib.SMTPNotSupportedError("no AUTH")
        offered = smtp.esmtp_features["auth"].upper().split()
        mechanism = next((m for m in ("CRAM-MD5", "PLAIN", "LOGIN") if m in offered), None)
        if mechanism is None:
            raise BadInput(f"{self.where}: the server offers AUTH {' '.join(offered)}; patchtool speaks "
                           "CRAM-MD5, PLAIN and LOGIN")
        smtp.user, smtp.password = user, password
        smtp.auth(mechanism, getattr(smtp, "auth_" + mechanism.lower().replace("-", "_")))

    def deliver(self, sender: str, recipients: Sequence[str], data: bytes) -> str:
        """Send one mail; the server's final answer, or Refused (after which nothing was accepted, unless
        ``maybe_delivered``)."""
        smtp = self.smtp
        assert smtp is not None, "open() first"
        options = ["BODY=8BITMIME"] if not data.isascii() and smtp.has_extn("8bitmime") else []
        sent = False
        try:
            code, text = smtp.mail(sender, options)
            if code != 250:
                self._rset()
                raise Refused(f"MAIL FROM:<{sender}>: {_answer(code, text)}")
            for rcpt in recipients:
                code, text = smtp.rcpt(rcpt)
                if code not in (250, 251):
                    self._rset()
                    raise Refused(f"RCPT TO:<{rcpt}>: {_answer(code, text)}")
            smtp.putcmd("data")
            code, text = smtp.getreply()
            if code != 354:
                self._rset()
                raise Refused(f"DATA: {_answer(code, text)}")
            smtp.send(_dot_stuffed(data))
            sent = True
            code, text = smtp.getreply()
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self.smtp = None
            if sent:
                raise Refused(f"the connection to {self.where} closed after the mail was sent, before the server "
                              f"answered ({_exc_line(exc)}): it may have been delivered",
                              maybe_delivered=True) from None
            raise Refused(f"the connection to {self.where} closed: {_exc_line(exc)}") from None
        if code != 250:
            self._rset()
            raise Refused(_answer(code, text))
        return _answer(code, text)

    def _rset(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.rset()
            except (OSError, smtplib.SMTPException):
                self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def _exc_line(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _answer(exc.smtp_code, exc.smtp_error)
    return " ".join(str(exc).split()) or type(exc).__name__
