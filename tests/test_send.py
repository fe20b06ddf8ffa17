"""`patchtool send` against a real SMTP server (aiosmtpd) listening on 127.0.0.1 inside the test.

The oracle for the mails is ``patchtool export`` (itself compared with
``git format-patch`` in tests/test_export.py): the server must receive
each file byte for byte.  On the wire SMTP carries CRLF line ends and
smtplib doubles a leading dot, which the server undoes; so the bytes the
server holds, with each CRLF read as LF (RFC 5321's line end), must equal
the file without its first line (the mbox ``From <sha>`` separator, which
``git send-email`` does not send either).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from patchtool.cli import main
from patchtool.export import posted_cover_id
from patchtool.model import Cover
from patchtool.seriesdir import read_series, write_series
from tests.conftest import PINNED, Repo

# The login tests need AUTH over plain SMTP (a test server has no certificate); aiosmtpd warns about that.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

TO = ("linux-audit@vger.kernel.org", "Paul Moore <paul@paul-moore.com>")
CC = ("Eric Paris <eparis@redhat.com>", "PAUL@paul-moore.com")  # the second is To's Paul again, in capitals


class Server:
    """What the server saw: EHLOs, each accepted mail's envelope and bytes, logins; and what it is told to do."""

    def __init__(self) -> None:
        self.ehlo = 0
        self.mails: list[tuple[str, list[str], bytes]] = []
        self.logins: list[tuple[str, bytes, bytes]] = []
        self.data_seen = 0
        self.refuse_data_at: int | None = None  # the n-th DATA (1-based) answered 451, once
        self.refuse_rcpt: str | None = None  # this recipient answered 550 on the next mail, once
        self.drop_after: int | None = None  # close the connection after accepting this many mails, once

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        self.ehlo += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if self.refuse_rcpt is not None and address.lower() == self.refuse_rcpt and len(self.mails) == 2:
            self.refuse_rcpt = None
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_seen += 1
        if self.refuse_data_at == self.data_seen:
            self.refuse_data_at = None
            return "451 4.3.0 Try again later"
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        if self.drop_after is not None and len(self.mails) == self.drop_after:
            self.drop_after = None
            asyncio.get_running_loop().call_soon(server.transport.close)  # after the 250 below is written
        return f"250 2.0.0 Ok: queued as Q{len(self.mails)}"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((mechanism, data.login, data.password))
        return AuthResult(success=data.password == b"s3cret", handled=False)  # aiosmtpd answers 235/535


class _Controller(Controller):
    """aiosmtpd's Controller on port 0: it must learn the port the system gave before it pokes the server."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def _serve(server: Server, **kwargs: Any) -> Iterator[_Controller]:
    controller = _Controller(server, hostname="127.0.0.1", port=0, **kwargs)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[Server, int]]:
    server = Server()
    for controller in _serve(server):
        yield server, controller.port


@pytest.fixture
def smtp_auth() -> Iterator[tuple[Server, int]]:
    server = Server()
    for controller in _serve(server, auth_required=True, auth_require_tls=False, authenticator=server.authenticate):
        yield server, controller.port


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository (base tagged v1, five commits of ``kernel/audit.c``) and the series imported from it, built
    once: every test copies both (git is slow to start, and each test would build the same)."""
    root = tmp_path_factory.mktemp("send-template")
    (root / "repo").mkdir()
    built = Repo(root / "repo")
    with pytest.MonkeyPatch.context() as env:
        for key, value in PINNED.items():
            env.setenv(key, value)
        built.git("init", "-q", "-b", "master")
        built.write("kernel/audit.c", "".join(f"line {i}\n" for i in range(20)))
        built.commit("base")
        built.git("tag", "v1")
        for i in range(5):
            text = (built.path / "kernel/audit.c").read_text() + f"more {i}\n" + ("." * (i + 1) + "\n" if i % 2 else "")
            built.write("kernel/audit.c", text)
            built.commit(f"audit: add line {i} to the audit context\n\n"
                         f"The audit context needs line {i}.\n.\nA line that is a dot, above.\n\n"
                         "Signed-off-by: Ada Lovelace <ada@example.org>")
        assert main(["import", "v1..master", "-o", str(root / "series" / "audit"), "--base", "v1",
                     "--repo", str(built.path)]) == 0
    return root


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Repo:
    """This test's copy of the template repository (its config is the test's to change)."""
    shutil.copytree(template / "repo", tmp_path / "repo", symlinks=True)
    shutil.copytree(template / "series", tmp_path / "template-series", symlinks=True)
    return Repo(tmp_path / "repo")


def make_series(repo: Repo, tmp_path: Path, patches: int = 5, *, unsigned: bool = False, **changes: Any) -> Path:
    """The template series (lint-clean, real commits) cut to ``patches`` patches, with To/Cc and ``changes``;
    ``unsigned``: the last patch loses its Signed-off-by (a lint error)."""
    series = read_series(tmp_path / "template-series" / "audit")
    kept = series.patches if patches == len(series.patches) else tuple(
        replace(p, subject=replace(p.subject, total=patches), raw=None) for p in series.patches[:patches])
    if unsigned:
        kept = (*kept[:-1], replace(kept[-1], trailers=(), raw=None))
    folder = tmp_path / "series" / "audit"
    fields: dict[str, Any] = {"title": "audit: more lines", "to": TO, "cc": CC,
                              "cover": Cover(prose="Five more lines for the audit context.\n")}
    write_series(replace(series, patches=kept, **{**fields, **changes}), folder)
    return folder


def exported(repo: Repo, folder: Path, out: Path, *extra: str) -> list[bytes]:
    """``patchtool export``'s files, each without its mbox ``From <sha>`` line: what must reach the server."""
    assert main(["export", str(folder), "-o", str(out), "--repo", str(repo.path), *extra]) == 0
    return [f.read_bytes().split(b"\n", 1)[1] for f in sorted(out.iterdir())]


def on_the_wire(server: Server) -> list[bytes]:
    return [content.replace(b"\r\n", b"\n") for _, _, content in server.mails]


def send(repo: Repo, folder: Path, port: int | None, *args: str) -> int:
    server = ["--smtp-server", f"127.0.0.1:{port}"] if port is not None else []
    return main(["send", str(folder), "--repo", str(repo.path), *server, *args])


def posted(folder: Path, version: int = 1) -> list[dict[str, Any]]:
    doc = tomllib.loads((folder / "series.toml").read_text())
    return list(doc.get("posted", {}).get(f"v{version}", []))


def ids_of(mails: list[bytes]) -> list[str]:
    out = []
    for mail in mails:
        m = re.search(rb"^Message-Id: (<[^>]+>)$", mail, re.M)
        assert m is not None
        out.append(m.group(1).decode())
    return out


def test_every_mail_once_byte_identical_envelope_to_and_cc(repo: Repo, tmp_path: Path, smtp: tuple[Server, int],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    server, port = smtp
    folder = make_series(repo, tmp_path)
    files = exported(repo, folder, tmp_path / "out")
    assert [m["via"] for m in posted(folder)] == ["export"] * 6
    assert send(repo, folder, port) == 0
    assert on_the_wire(server) == files
    assert any(b"\n.\n" in f for f in files)  # a line that is a dot: doubled on the wire, undone by the server
    everyone = ["linux-audit@vger.kernel.org", "paul@paul-moore.com", "eparis@redhat.com"]
    assert all(rcpts == everyone and sender == "ada@example.org" for sender, rcpts, _ in server.mails)
    records = posted(folder)
    assert [(m["number"], m["message-id"], m["via"]) for m in records] == \
        [(n, i, "smtp") for n, i in enumerate(ids_of(files))]
    assert [m["answer"] for m in records] == [f"250 2.0.0 Ok: queued as Q{n}" for n in range(1, 7)]
    assert all(m["date"] and f"Date: {m['date']}\n".encode() in f for m, f in zip(records, files, strict=True))
    err = capsys.readouterr().err
    assert err.count("\nsent ") + err.startswith("sent ") == 6 and "250 2.0.0 Ok: queued as Q3" in err
    # The link of the posting (a vger list: lore), and the cover id that later versions thread under.
    stored = read_series(folder)
    cover_id = ids_of(files)[0]
    assert stored.links[1] == "https://lore.kernel.org/r/" + cover_id.strip("<>")
    assert posted_cover_id(1, stored) == cover_id
    # Exported again after the send, the files are what went out (the cover's date is recorded; its own
    # link in [links] is for later versions' covers, not for its own).
    assert exported(repo, folder, tmp_path / "again") == files
    # A second send of the same version is refused, before connecting.
    ehlo = server.ehlo
    assert send(repo, folder, port) == 2
    assert "was sent already" in capsys.readouterr().err
    assert server.ehlo == ehlo and len(server.mails) == 6


def test_options_add_to_headers_and_envelope(repo: Repo, tmp_path: Path, smtp: tuple[Server, int]) -> None:
    server, port = smtp
    folder = make_series(repo, tmp_path, patches=2)
    # What export writes for the series with those addresses added: the mails that must go out.
    copy = tmp_path / "copy" / "audit"
    write_series(replace(read_series(folder), to=(*TO, "New Person <new@example.org>"),
                         cc=(*CC, "other@example.org")), copy)
    files = exported(repo, copy, tmp_path / "out")
    assert send(repo, folder, port, "--to", "New Person <new@example.org>", "--cc", "eparis@REDHAT.com",
                "--cc", "other@example.org") == 0
    assert on_the_wire(server) == files
    assert server.mails[0][1] == ["linux-audit@vger.kernel.org", "paul@paul-moore.com", "new@example.org",
                                  "eparis@redhat.com", "other@example.org"]


@pytest.mark.parametrize("refusal", ["data", "rcpt", "drop"])
def test_refusal_or_drop_then_the_rest(repo: Repo, tmp_path: Path, smtp: tuple[Server, int], refusal: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    server, port = smtp
    folder = make_series(repo, tmp_path)
    files = exported(repo, folder, tmp_path / "out")
    if refusal == "data":
        server.refuse_data_at = 3
    elif refusal == "rcpt":
        server.refuse_rcpt = "eparis@redhat.com"
    else:
        server.drop_after = 4
    assert send(repo, folder, port) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    went = 4 if refusal == "drop" else 2
    assert len(server.mails) == went
    stopped = {"data": "451 4.3.0 Try again later", "rcpt": "RCPT TO:<eparis@redhat.com>: 550 5.1.1",
               "drop": "closed"}[refusal]
    names = "cover, 1/5, 2/5, 3/5" if went == 4 else "cover, 1/5"
    assert err.startswith(f"patchtool: sent {went} of 6 ({names}); {went}/5 not sent: ")
    assert stopped in err and err.endswith("run send again to send the rest")
    records = posted(folder)
    assert [m["via"] for m in records] == ["smtp"] * went + ["export"] * 0
    assert [m["message-id"] for m in records] == ids_of(files)[:went]
    assert 1 not in read_series(folder).links
    # The second send sends exactly the rest, with the same Message-Ids and Date headers.
    assert send(repo, folder, port) == 0
    assert on_the_wire(server) == files
    assert [m["message-id"] for m in posted(folder)] == ids_of(files)
    assert read_series(folder).links[1].startswith("https://lore.kernel.org/r/cover.")


def test_dry_run_prints_envelopes_sends_and_records_nothing(repo: Repo, tmp_path: Path, smtp: tuple[Server, int],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    server, port = smtp
    folder = make_series(repo, tmp_path, patches=2)
    files = exported(repo, folder, tmp_path / "out")
    before = (folder / "series.toml").read_bytes()
    capsys.readouterr()
    assert send(repo, folder, port, "--dry-run") == 0
    out = capsys.readouterr().out
    assert server.ehlo == 0 and not server.mails
    assert (folder / "series.toml").read_bytes() == before
    for mail_id in ids_of(files):
        assert f"  Message-Id: {mail_id}\n" in out
    assert "  Subject: [PATCH 2/2] audit: add line 1 to the audit context\n" in out
    assert out.count("  MAIL FROM:<ada@example.org>\n") == 3
    assert out.count("  RCPT TO:<linux-audit@vger.kernel.org> <paul@paul-moore.com> <eparis@redhat.com>\n") == 3
    # No server configured: a dry run still answers; a send says which setting to set.
    assert send(repo, folder, None, "--dry-run") == 0
    assert send(repo, folder, None) == 2
    assert "set sendemail.smtpServer" in capsys.readouterr().err


def test_reflect_sends_to_the_sender_only_and_records_nothing(repo: Repo, tmp_path: Path,
                                                              smtp: tuple[Server, int]) -> None:
    server, port = smtp
    folder = make_series(repo, tmp_path, patches=2)
    files = exported(repo, folder, tmp_path / "out")
    before = (folder / "series.toml").read_bytes()
    repo.git("config", "sendemail.from", "Ada L <ada.l@example.net>")
    assert send(repo, folder, port, "--reflect") == 0
    assert on_the_wire(server) == files  # headers unchanged: To/Cc name the lists
    assert all(rcpts == ["ada.l@example.net"] and sender == "ada.l@example.net" for sender, rcpts, _ in server.mails)
    assert (folder / "series.toml").read_bytes() == before
    # A reflect is no posting: the real send goes out afterwards.
    assert send(repo, folder, port) == 0
    assert len(server.mails) == 6 and server.mails[3][1] == ["linux-audit@vger.kernel.org", "paul@paul-moore.com",
                                                             "eparis@redhat.com"]


def test_resend_adds_resend_with_new_ids(repo: Repo, tmp_path: Path, smtp: tuple[Server, int],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    server, port = smtp
    folder = make_series(repo, tmp_path, patches=2, version=2, rfc=True)
    assert send(repo, folder, port, "--resend") == 2  # never sent: nothing to resend
    assert "never sent" in capsys.readouterr().err
    assert send(repo, folder, port) == 0
    first = ids_of(on_the_wire(server))
    assert send(repo, folder, port) == 2
    assert "--resend posts it again as [RFC PATCH RESEND v2 ...]" in capsys.readouterr().err
    assert send(repo, folder, port, "--resend") == 0
    again = on_the_wire(server)[3:]
    assert [re.search(rb"^Subject: (.*)$", m, re.M).group(1) for m in again] == [  # type: ignore[union-attr]
        b"[RFC PATCH RESEND v2 0/2] audit: more lines",
        b"[RFC PATCH RESEND v2 1/2] audit: add line 0 to the audit context",
        b"[RFC PATCH RESEND v2 2/2] audit: add line 1 to the audit context"]
    assert not set(ids_of(again)) & set(first)
    # Both postings are on record (replies to either find their patch); the link stays the first one's.
    assert [m["message-id"] for m in posted(folder, 2)] == [
        i for pair in zip(first, ids_of(again), strict=True) for i in pair]
    assert read_series(folder).links[2] == "https://lore.kernel.org/r/" + first[0].strip("<>")
    # The same as git's own prefix for it.
    repo.git("format-patch", "-q", "--cover-letter", "-v2", "--subject-prefix=RFC PATCH RESEND",
             "-o", str(tmp_path / "fp"), "v1..master~3")
    git_subject = (tmp_path / "fp" / "v2-0001-audit-add-line-0-to-the-audit-context.patch").read_text()
    assert "Subject: [RFC PATCH RESEND v2 1/2] audit: add line 0 to the audit context\n" in git_subject
    assert send(repo, folder, port, "--resend") == 2
    assert "resent already" in capsys.readouterr().err
    assert len(server.mails) == 6


@pytest.mark.parametrize("where", ["to", "title", "option", "config"])
def test_line_breaks_in_headers_refused_before_connecting(repo: Repo, tmp_path: Path, smtp: tuple[Server, int],
                                                          capsys: pytest.CaptureFixture[str], where: str) -> None:
    server, port = smtp
    evil = "a@example.org\nBcc: victim@example.org"
    changes = {"to": {"to": (evil,)}, "title": {"title": "audit\r\nBcc: victim@example.org"}}.get(where, {})
    folder = make_series(repo, tmp_path, patches=2, **changes)
    args = ["--cc", evil] if where == "option" else []
    if where == "config":
        repo.git("config", "sendemail.from", evil)
    assert send(repo, folder, port, *args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line break" in err
    assert server.ehlo == 0 and not server.mails


def test_lint_errors_stop_the_send_unless_forced(repo: Repo, tmp_path: Path, smtp: tuple[Server, int],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    server, port = smtp
    folder = make_series(repo, tmp_path, patches=2, unsigned=True)
    capsys.readouterr()
    assert main(["lint", str(folder), "--repo", str(repo.path)]) == 1
    lint_errors = [line for line in capsys.readouterr().out.splitlines() if " error " in line]
    assert send(repo, folder, port) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:-1] == lint_errors and "not sent: lint found" in err[-1] and "--force" in err[-1]
    assert server.ehlo == 0 and not posted(folder)
    assert send(repo, folder, port, "--force") == 0
    assert len(server.mails) == 3 and len(posted(folder)) == 3


def test_git_config_settings_and_auth_plain(repo: Repo, tmp_path: Path, smtp_auth: tuple[Server, int]) -> None:
    server, port = smtp_auth
    folder = make_series(repo, tmp_path, patches=1)
    for key, value in (("smtpServer", "127.0.0.1"), ("smtpServerPort", str(port)), ("smtpUser", "ada"),
                       ("smtpPass", "s3cret"), ("from", "Ada <ada@example.org>"),
                       ("envelopeSender", "bounces@example.org")):
        repo.git("config", f"sendemail.{key}", value)
    assert send(repo, folder, None) == 0
    assert server.logins == [("PLAIN", b"ada", b"s3cret")]
    assert [(sender, len(rcpts)) for sender, rcpts, _ in server.mails] == [("bounces@example.org", 3)] * 2
    # envelopeSender = auto: the From address.
    repo.git("config", "sendemail.envelopeSender", "auto")
    assert send(repo, folder, None, "--resend") == 0
    assert [sender for sender, _, _ in server.mails[2:]] == ["ada@example.org"] * 2


def test_password_from_git_credential_fill(repo: Repo, tmp_path: Path, smtp_auth: tuple[Server, int],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    server, port = smtp_auth
    folder = make_series(repo, tmp_path, patches=1)
    helper = tmp_path / "helper.sh"
    helper.write_text('#!/bin/sh\ncat > "$(dirname "$0")/asked-$1.txt"\n'
                      'if [ "$1" = get ]; then echo password=s3cret; fi\n')
    helper.chmod(0o755)
    repo.git("config", "credential.helper", str(helper))
    repo.git("config", "sendemail.smtpUser", "ada")
    assert send(repo, folder, port) == 0
    assert server.logins == [("PLAIN", b"ada", b"s3cret")]
    asked = (tmp_path / "asked-get.txt").read_text().splitlines()
    assert {"protocol=smtp", f"host=127.0.0.1:{port}", "username=ada"} <= set(asked)
    assert "password=s3cret" in (tmp_path / "asked-store.txt").read_text()  # approved: it worked
    # A password the server refuses: one line, exit 2, and the helper is told (erase).
    helper.write_text('#!/bin/sh\ncat > "$(dirname "$0")/asked-$1.txt"\n'
                      'if [ "$1" = get ]; then echo password=wrong; fi\n')
    before = posted(folder)
    capsys.readouterr()
    assert send(repo, folder, port, "--resend") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "login as ada refused: 535" in err
    assert (tmp_path / "asked-erase.txt").is_file()
    assert posted(folder) == before and len(server.mails) == 2


def test_sendmail_program_refused(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_series(repo, tmp_path, patches=1)
    repo.git("config", "sendemail.smtpServer", "/usr/sbin/sendmail")
    assert send(repo, folder, None) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sendmail mode" in err


def test_an_imported_posting_is_not_sent_again(repo: Repo, tmp_path: Path, smtp: tuple[Server, int],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    server, port = smtp
    imported = Cover(prose="x\n", message_id="<20210811.1@lore.example.org>")
    folder = make_series(repo, tmp_path, patches=1, cover=imported)
    assert send(repo, folder, port) == 2
    assert "is posted already (its Message-Ids come from [cover] message-id); --resend" in capsys.readouterr().err
    assert server.ehlo == 0
    assert send(repo, folder, port, "--resend") == 0 and len(server.mails) == 2
