"""Check ``verify_fixes`` (rule id ``fixes``): NIPA's ``tests/patch/verify_fixes`` rules, and ours on top.

Every line of the message that starts with ``Fixes:`` (any case, after
blanks) is read as NIPA's ``verify_fixes.sh`` (Stephen Rothwell's and Greg
Kroah-Hartman's script) reads it; each of these is an error, as it fails
that script:

* blank lines right above and below the tag (it belongs in the trailers);
* no SHA1 recognised (5 or more hex digits after an optional ``commit``);
* a leading ``commit`` word; no subject; no space between the id and it;
* the id names no object of the repository (or more than one);
* fewer than 12 digits;
* ``(`` without ``)``, an opening quote without its closing one (``"``,
  ``'``, and the typographic ones);
* a subject that does not match the target's: after the quotes and
  parentheses are taken off, it must be where the target's subject starts;
  ``...`` at its end, at its start or `` ... `` in its middle stand for
  the part left out (``foo: make ...`` matches ``foo: make the thing``);
* and ours: the target is not an ancestor of the base, so the commit it
  fixes is not in the tree the series goes to (NIPA's script means to say
  this too, "Target is not an ancestor of this commit", but the test it
  guards with is never true after its existence check, so it never does).

Warnings, finer than NIPA: a tag that is not the canonical
``Fixes: <12+ hex> ("subject")`` (checkpatch's ``BAD_FIXES_TAG`` form),
and a subject cut short without an ellipsis.  Without a repository the
checks that need the target are skipped, saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from patchtool.lint.findings import Context, Finding, Severity, Skipped
from patchtool.model import Patch

MIN_FIXES_ID = 12
_FIXES_LINE = re.compile(r"^\s*fixes:", re.IGNORECASE)
_TAG_VALUE = re.compile(r"^\s*fixes:\s*(.*)$", re.IGNORECASE | re.DOTALL)
_SPLIT = re.compile(r"^(commit)?\s*([0-9a-fA-F]{5,})(\s*)(.*)$", re.IGNORECASE | re.DOTALL)
_CANONICAL = re.compile(r'^[0-9a-fA-F]{12,} \("(.*)"\)$')
_PARENS = re.compile(r"^\((.*)\)", re.DOTALL)
_QUOTES = (re.compile('^["\u201c](.*)["\u201d]$', re.DOTALL), re.compile("^['\u2018](.*)['\u2019]$", re.DOTALL))
_OPEN_QUOTE = re.compile("^[\"'\u201c\u2018](.*)$", re.DOTALL)


@dataclass(frozen=True)
class Tag:
    """One ``Fixes:`` line, split as verify_fixes.sh splits it."""

    line: str  # stripped, as bash's ``read -r`` leaves it
    value: str  # after ``Fixes:``
    sha: str | None = None
    subject: str = ""  # what stood after the id, as written
    problems: tuple[str, ...] = ()  # what fails NIPA's script before the repository is asked


def message_text(patch: Patch) -> str:
    """The commit message as ``git log --format=%B`` prints it (one final newline)."""
    return patch.message.rstrip("\n") + "\n"


def tags(message: str) -> list[Tag]:
    """The ``Fixes:`` lines of a message, each with the problems the text alone shows."""
    # git log's tformat adds a newline after %B; tr '\n' '#' makes the lines one string.
    flat = (message + "\n").replace("\n", "#")
    found = []
    for raw in message.split("\n"):
        if not _FIXES_LINE.match(raw):
            continue
        line = raw.strip(" \t")
        value = m.group(1) if (m := _TAG_VALUE.match(line)) else ""
        problems = []
        if f"##{line}##" in flat:
            problems.append("empty lines surround the Fixes tag")
        split = _SPLIT.match(value)
        if split is None:
            found.append(Tag(line, value, None, "", (*problems, "no SHA1 recognised")))
            continue
        first, sha, spaces, subject = split.groups()
        if first:
            problems.append(f"leading word '{first}' unexpected")
        if not subject:
            problems.append("missing subject")
        elif not spaces:
            problems.append("missing space between the SHA1 and the subject")
        found.append(Tag(line, value, sha, subject, tuple(problems)))
    return found


def unwrap(subject: str) -> tuple[str, list[str]]:
    """The subject between its parentheses and quotes, and what is unbalanced about them."""
    problems = []
    if m := _PARENS.match(subject):
        subject = m.group(1)
    elif subject.startswith("("):
        subject = subject[1:]
        problems.append("subject has leading but no trailing parentheses")
    for quoted in _QUOTES:
        if m := quoted.match(subject):
            subject = m.group(1)
            break
    else:
        if m := _OPEN_QUOTE.match(subject):
            subject = m.group(1)
            problems.append("subject has leading but no trailing quotes")
    return subject.strip(), problems


def git_subject(message: str) -> str:
    """``git log --format=%s``: the first paragraph's lines, trailing blanks cut, joined by spaces."""
    lines = []
    for line in message.lstrip("\n").split("\n"):
        if not line.strip():
            break
        lines.append(line.rstrip())
    return " ".join(lines)


def _tail(text: str, n: int) -> str:
    """bash's ``${text: -n}``: the last n characters, nothing when n is larger than the text."""
    if n == 0:
        return text
    return text[-n:] if n <= len(text) else ""


def subject_matches(given: str, target: str) -> bool:
    """verify_fixes.sh's comparison, its ``...`` forms included."""
    target = target.strip()
    if given.endswith("..."):
        given = given[:-3]
        target = target[:len(given)]
    elif given.startswith("..."):
        given = given[3:]
        target = _tail(target, len(given))
    elif " ... " in given:
        s1, s2 = given.rsplit(" ... ", 1)[0], given.split(" ... ", 1)[1]
        given = f"{s1} {s2}"
        target = f"{target[:len(s1)]} {_tail(target, len(s2))}"
    given, target = given.strip(), target.strip()
    return given == target[:len(given)]


def check(ctx: Context) -> Iterator[Finding | Skipped]:
    found = [(n, tag) for n, patch in enumerate(ctx.series.patches, 1) for tag in tags(message_text(patch))]
    repo = ctx.repo
    objects = repo.object_ids(t.sha for _, t in found if t.sha) if repo is not None else {}
    commits = [oid for oid, kind in objects.values() if kind == "commit"]
    subjects = {}
    if repo is not None and commits:
        subjects = {info.sha: git_subject(info.message) for info in repo.commit_info(dict.fromkeys(commits))}
    for n, tag in found:
        errors, warnings = list(tag.problems), []
        if tag.sha is not None:
            given, unbalanced = unwrap(tag.subject)
            if repo is None:
                if len(tag.sha) < MIN_FIXES_ID:
                    errors.append(f"SHA1 should be at least {MIN_FIXES_ID} digits long")
                errors.extend(unbalanced)
            elif tag.sha not in objects:
                errors.append(f"target SHA1 {tag.sha} does not exist (or is ambiguous)")
            else:
                if len(tag.sha) < MIN_FIXES_ID:
                    errors.append(f"SHA1 should be at least {MIN_FIXES_ID} digits long")
                errors.extend(unbalanced)
                oid, kind = objects[tag.sha]
                target = subjects.get(oid, "")
                if kind != "commit":
                    errors.append(f"{tag.sha} is a {kind}, not a commit")
                elif not subject_matches(given, target):
                    errors.append(f'subject does not match the target\'s ("{target}")')
                elif given.strip() != target and not given.strip().endswith("...") and "..." not in given:
                    warnings.append(f'the subject is cut short without "..." (the target\'s is "{target}")')
                if kind == "commit" and ctx.base is not None and not _ancestor(ctx, oid):
                    errors.append(f"target is not an ancestor of the base {ctx.base_name or ctx.base[:12]}")
            if not errors and not _CANONICAL.match(" ".join(tag.value.split())):
                warnings.append("should read 'Fixes: <12+ hex digits> (\"<its subject>\")'")
        for problem in errors:
            yield Finding("fixes", Severity.ERROR, n, f"'{tag.line}': {problem}")
        for problem in warnings:
            yield Finding("fixes", Severity.WARNING, n, f"'{tag.line}': {problem}")
    if found and repo is None:
        yield Skipped("verify_fixes", "no repository: the targets of the Fixes: tags not looked up", whole=False)
    elif found and ctx.base is None:
        yield Skipped("verify_fixes", "no base: whether the targets are its ancestors not checked", whole=False)


def _ancestor(ctx: Context, oid: str) -> bool:
    assert ctx.repo is not None and ctx.base is not None
    return ctx.repo.run_status("merge-base", "--is-ancestor", oid, ctx.base).returncode == 0
