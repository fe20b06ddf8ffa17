"""Check ``verify_signedoff`` (rule id ``signoff``): the author and the sender signed off.

NIPA's ``tests/patch/verify_signedoff`` wants, in the lines of the message
after the subject that start with ``Signed-off-by:`` (any case), the
author's address in ``<...>`` or the author's name right after the colon,
either as written or as ``.mailmap`` maps it, and the same for the
committer.  Here the committer is the *sender*, the person the series goes
out from: the cover letter's From, else the committer of the patch's commit
when the repository has it, else the mail's own From.  ``.mailmap`` is the
one git applies in the repository (``patchtool.mailmap.repo_mailmap``: the
work tree's file, ``mailmap.blob``, ``mailmap.file``), the same the cover
letter's shortlog uses: NIPA runs ``git log --format=%aE/%aN`` in its tree,
which is what git's own lookup gives there, and a maintainer's remapping
of an author after the base counts here as it does in their ``git log``.

A sign-off that matches only by name, under another address, passes NIPA
and is a warning here (the DCO names a person, but a maintainer's scripts
match addresses); no sign-off at all is an error, as in NIPA.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from patchtool.lint.findings import Context, Finding, Severity, Skipped
from patchtool.mailmap import repo_mailmap
from patchtool.model import Patch, Person
from patchtool.shortlog import Mailmap

_SOB = re.compile(r"^\s*signed-off-by:", re.IGNORECASE)


def signoff_lines(patch: Patch) -> list[str]:
    """The message's ``Signed-off-by:`` lines after the subject (``git log %b`` grepped as NIPA does)."""
    after_subject = patch.message.split("\n\n", 1)[1] if "\n\n" in patch.message else ""
    return [line for line in after_subject.split("\n") if _SOB.match(line)]


def _identities(person: Person, mailmap: Mailmap | None) -> tuple[set[str], set[str]]:
    """(addresses, names) a person may sign off with: as written and as .mailmap maps them, case-folded."""
    pairs = {(person.name, person.email)}
    if mailmap is not None:
        pairs.add(mailmap.map(person.name, person.email))
    return {e.casefold() for _, e in pairs if e}, {n.casefold() for n, _ in pairs if n.strip()}


def signed(person: Person, lines: list[str], mailmap: Mailmap | None) -> tuple[str, str] | None:
    """(``"address"`` or ``"name"``, the line): how ``lines`` name ``person``; None when none does."""
    addresses, names = _identities(person, mailmap)
    for line in lines:
        if any(f"<{a}>" in line.casefold() for a in addresses):
            return "address", line
    for name in names:
        pattern = re.compile(r":\s*" + re.escape(name) + r"\s*<")
        for line in lines:
            if pattern.search(line.casefold()):
                return "name", line
    return None


def same_person(a: Person, b: Person, mailmap: Mailmap | None) -> bool:
    a_mails, _ = _identities(a, mailmap)
    b_mails, _ = _identities(b, mailmap)
    return bool(a_mails & b_mails)


def _committers(ctx: Context) -> dict[str, Person]:
    """The committer of each patch commit the repository has, by commit id."""
    shas = [p.commit for p in ctx.series.patches if p.commit]
    if ctx.repo is None or not shas:
        return {}
    have = [sha for sha, (_, kind) in ctx.repo.object_ids(shas).items() if kind == "commit"]
    if not have:
        return {}
    out = ctx.repo.run("log", "--no-walk=unsorted", "--stdin", "-z", "--format=%H%x00%cn%x00%ce",
                       input="\n".join(have).encode())
    fields = out.decode("utf-8", "surrogateescape").split("\x00")
    return {fields[i].strip(): Person(fields[i + 1], fields[i + 2]) for i in range(0, len(fields) - 2, 3)}


def sender_of(ctx: Context, patch: Patch, committers: dict[str, Person]) -> tuple[Person | None, str]:
    """Who sends ``patch``, and how that is known."""
    cover = ctx.series.cover.author
    if cover is not None and cover.email:
        return cover, "the cover letter's From"
    if patch.commit and patch.commit in committers:
        return committers[patch.commit], "the commit's committer"
    if patch.sender is not None and patch.sender.email:
        return patch.sender, "the mail's From"
    return None, ""


def check(ctx: Context) -> Iterator[Finding | Skipped]:
    mailmap = repo_mailmap(ctx.repo) if ctx.repo is not None else None
    committers = _committers(ctx)
    unknown_sender = []
    for n, patch in enumerate(ctx.series.patches, 1):
        lines = signoff_lines(patch)
        yield from _one(n, "author", patch.author, lines, mailmap)
        sender, how = sender_of(ctx, patch, committers)
        if sender is None:
            unknown_sender.append(n)
        elif not same_person(sender, patch.author, mailmap):
            yield from _one(n, f"sender ({how})", sender, lines, mailmap)
    if ctx.repo is None:
        yield Skipped("verify_signedoff", "no repository: .mailmap not applied", whole=False)
    if unknown_sender:
        yield Skipped("verify_signedoff", f"no sender known for {len(unknown_sender)} patch(es): set [cover] from",
                      whole=False)


def _one(n: int, role: str, person: Person, lines: list[str], mailmap: Mailmap | None) -> Iterator[Finding]:
    found = signed(person, lines, mailmap)
    if found is None:
        yield Finding("signoff", Severity.ERROR, n, f"no Signed-off-by: from the {role}, {person}")
    elif found[0] == "name":
        shown = found[1].split(":", 1)[1].strip()
        yield Finding("signoff", Severity.WARNING, n, f"the {role} signs off as {shown} but is {person}")
