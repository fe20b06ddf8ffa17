"""``patchtool send``: the export posted over SMTP (git's ``sendemail.*`` settings), resumable, never twice.

Exit 0: every mail is sent (or, with ``--dry-run``, would be); 1: lint
found errors (nothing sent; ``--force`` sends anyway), or the server
refused a mail or the connection dropped (what went out is recorded; the
next ``send`` sends the rest); 2: bad input, a version already sent, no
server configured, a line break in a header value (all before connecting).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from patchtool.cli.app import app
from patchtool.cli.common import RepoOption, series_path, writes_series

if TYPE_CHECKING:
    from patchtool.lifecycle.send import OutMail, SendPlan


def envelope_lines(plan: SendPlan) -> list[str]:
    """What ``--dry-run`` prints: per mail its Message-Id, Subject, MAIL FROM and RCPT TO."""
    opts = plan.options
    mode = " (--reflect: every mail to the sender only)" if opts.reflect else ""
    lines = [f"{plan.stored.name} v{plan.version}: {len(plan.to_send)} of {len(plan.mails)} mails to send via "
             f"{plan.settings.describe()}{mode}"]
    for mail in plan.mails:
        skipped = mail.number in plan.sent and not opts.reflect
        lines.append(f"{mail.label}{' (sent already: skipped)' if skipped else ''}")
        lines.append(f"  Message-Id: {mail.message_id}")
        lines.append(f"  Subject: {mail.subject}")
        lines.append(f"  MAIL FROM:<{plan.envelope_from}>")
        lines.append("  RCPT TO:" + " ".join(f"<{a}>" for a in mail.recipients))
    return lines


@app.command("send")
@writes_series("send", lambda o: not o.get("dry_run") and not o.get("reflect"))
def send_cmd(
    series: Annotated[str, typer.Argument(help="The series folder (or its name under ./series/).")],
    repo: RepoOption = Path("."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print each mail's envelope; send nothing.")] = False,
    reflect: Annotated[bool, typer.Option(
        "--reflect", help="Send every mail to the sender only (headers unchanged); record nothing.")] = False,
    resend: Annotated[bool, typer.Option(
        "--resend", help="Post a version already sent again, as [PATCH RESEND vN], with new Message-Ids.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Send even when lint finds errors.")] = False,
    to: Annotated[list[str] | None, typer.Option("--to", help="Another To address (header and envelope).")] = None,
    cc: Annotated[list[str] | None, typer.Option("--cc", help="Another Cc address (header and envelope).")] = None,
    smtp_server: Annotated[str | None, typer.Option(
        "--smtp-server", help="HOST[:PORT], over sendemail.smtpServer and sendemail.smtpServerPort.")] = None,
    thread: Annotated[str, typer.Option("--thread", help="shallow (all reply to the cover) or deep.")] = "shallow",
    in_reply_to: Annotated[str | None, typer.Option(
        "--in-reply-to", help="Thread the cover under this Message-Id, or `previous`: the last version's cover.")]
    = None,
    template: Annotated[str | None, typer.Option(
        "--template", help="The cover template (default: the series' [render] template, else git).")] = None,
) -> int:
    """Send the cover letter and patches exactly as `export` writes them, recording each Message-Id."""
    from patchtool.gitrepo import GitRepo
    from patchtool.lifecycle.send import SendOptions, plan_send, send
    from patchtool.lifecycle.smtp import SmtpTransport

    folder = series_path(series)
    git = GitRepo.open(repo)
    parent = in_reply_to
    if in_reply_to == "previous":
        from patchtool.cli.export_cmd import _previous_cover
        from patchtool.seriesdir import read_series

        parent = _previous_cover(folder, read_series(folder))
    options = SendOptions(to=tuple(to or ()), cc=tuple(cc or ()), resend=resend, reflect=reflect, dry_run=dry_run,
                          force=force, smtp_server=smtp_server, thread=thread, in_reply_to=parent, template=template)
    plan = plan_send(folder, git, options)
    if plan.lint_errors:
        for f in plan.lint_errors:
            typer.echo(f"{f.patch}/{len(plan.mails) - 1} {f.severity.value} {f.rule}: {f.message}", err=True)
        if plan.blocked:
            typer.echo(f"patchtool: not sent: lint found {len(plan.lint_errors)} error"
                       f"{'s' if len(plan.lint_errors) != 1 else ''} (patchtool lint {series}; --force sends anyway)",
                       err=True)
            return 1
    if dry_run:
        for line in envelope_lines(plan):
            typer.echo(line)
        typer.echo("nothing sent (--dry-run)")
        return 0

    def progress(mail: OutMail, answer: str) -> None:
        typer.echo(f"sent {mail.label} {mail.message_id}: {answer}", err=True)

    transport = SmtpTransport(plan.settings, git, prompt=sys.stdin.isatty())
    result = send(plan, transport, progress)
    if not result.complete:
        typer.echo(f"patchtool: {result.summary()}", err=True)
        return 1
    if reflect:
        typer.echo(f"{result.summary()} to {plan.envelope_from} only (--reflect): nothing recorded")
        return 0
    link = result.series.links.get(plan.version, "") if result.series is not None else ""
    typer.echo(f"{result.summary()}: Message-Ids recorded in {folder / 'series.toml'} [posted.v{plan.version}]"
               + (f"; link: {link}" if link else ""))
    return 0
