"""The cover letter: the variables a template sees, and rendering them with jinja2.

``cover_context`` gathers everything from the series, the applier's result
and the repository: headers laid out as ``git format-patch --cover-letter``
writes them, the prose, the change log and links, git-identical shortlogs
(format-patch's and ``git shortlog -w``'s layouts, ``.mailmap`` applied),
git's own net diffstat, ``base-commit:``.  ``render_cover`` renders a
shipped template by name or the user's own file, always in jinja2's
sandbox with StrictUndefined: an unknown variable or an escape attempt is
bad input, never a traceback.

The ``.mailmap`` used is the one git itself would use for ``git shortlog``
or ``git format-patch --cover-letter`` in the repository
(``patchtool.mailmap.repo_mailmap``): the work tree's ``.mailmap`` as it is
on disk, ``mailmap.blob`` (``HEAD:.mailmap`` in a bare repository) and
``mailmap.file``; not the base's or the series' tree.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from patchtool.apply import ApplyResult, apply_series
from patchtool.datafiles import shipped_template
from patchtool.diffstat import StatOptions, file_stat
from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.mailfmt import (
    GIT_SIGNATURE,
    MIME_HEADERS,
    address_header,
    epoch_date,
    from_header,
    git_date,
    subject_header,
    threading_headers,
)
from patchtool.mailmap import repo_mailmap
from patchtool.model import Person, Series, Subject
from patchtool.shortlog import FORMAT_PATCH, SHORTLOG_W, group_by_author, render_shortlog

DEFAULT_TEMPLATE = "git"
_IDENT = re.compile(r"^(.*) <(.*)> (\d+) ([+-]\d{4})$")


@dataclass(frozen=True)
class Ident:
    person: Person
    date: str


@dataclass(frozen=True)
class CoverOptions:
    """What the caller decides: stat options, message id, the commit the ``From`` line names."""

    stat: StatOptions = field(default_factory=StatOptions)
    message_id: str | None = None
    references: tuple[str, ...] = ()
    tip: str | None = None
    committer: Ident | None = None
    prerequisite_patch_ids: tuple[str, ...] = ()
    range_diff: str = ""
    signature: str = GIT_SIGNATURE


def git_ident(store: GitRepo) -> Ident | None:
    """The committer git would record now (``git var GIT_COMMITTER_IDENT``), if one is configured."""
    proc = store.run_status("var", "GIT_COMMITTER_IDENT")
    m = _IDENT.match(proc.stdout.decode("utf-8", "replace").strip()) if proc.returncode == 0 else None
    if not m:
        return None
    return Ident(Person(m.group(1), m.group(2)), epoch_date(int(m.group(3)), m.group(4)))


def _blurb(series: Series) -> tuple[str, list[dict[str, Any]], str, list[dict[str, Any]], str]:
    changes = [{"version": v, "text": series.changes[v].strip("\n")} for v in sorted(series.changes, reverse=True)]
    changelog = "\n\n".join(f"Changes in v{c['version']}:\n{c['text']}" for c in changes)
    # The postings of earlier versions (b4's "Link to v1:"); the version's own link (send records it) is
    # not its cover's business, a --resend of it included.
    links = [{"version": v, "url": series.links[v].strip()} for v in sorted(series.links, reverse=True)
             if v < series.version]
    links_text = "\n".join(f"- Link to v{link['version']}: {link['url']}" for link in links)
    blocks = [b for b in (series.cover.prose.strip("\n"), changelog, links_text) if b]
    return "\n\n".join(blocks), changes, changelog, links, links_text


def _non_ascii_commits(series: Series, committer: Person | None) -> bool:
    """format-patch marks the cover 8-bit when any commit object (idents included) is."""
    texts = [committer.name + committer.email] if committer else []
    for p in series.patches:
        texts += [p.author.name, p.author.email, p.message]
    return not all(t.isascii() for t in texts)


def _sender_and_date(series: Series, committer: Ident | None) -> tuple[Person, str]:
    """``[cover] from``/``date``, else the committer git would record (format-patch's choice), else now."""
    sender = series.cover.author or (committer.person if committer else None)
    if sender is None:
        raise BadInput("no sender: set [cover] from in series.toml or user.name/user.email in git config")
    date = git_date(series.cover.date) if series.cover.date else (committer.date if committer else "")
    if not date:
        now = time.time()
        date = epoch_date(int(now), time.strftime("%z", time.localtime(now)))
    return sender, date


def _headers(series: Series, sender: Person, date: str, subject: Subject, options: CoverOptions) -> str:
    """The cover's header block as ``git format-patch --cover-letter`` writes it."""
    tip = options.tip or (series.patches[-1].commit if series.patches else None) or "0" * 40
    headers = f"From {tip} Mon Sep 17 00:00:00 2001\n"
    headers += threading_headers(options.message_id, options.references)
    # git writes the cover's From/Subject without RFC 2047 (only patches get encoded headers).
    headers += from_header(sender, encode=False)
    headers += f"Date: {date}\n"
    headers += subject_header(subject, encode=False)
    if _non_ascii_commits(series, options.committer.person if options.committer else None):
        headers += MIME_HEADERS
    return headers + address_header("To", series.to) + address_header("Cc", series.cc)


def cover_context(store: GitRepo, series: Series, result: ApplyResult, options: CoverOptions) -> dict[str, Any]:
    """Every variable a cover template sees (listed in the README)."""
    if result.result_tree is None:
        failed = [str(p.number) for p in result.patches if not p.applies]
        raise BadInput(f"the series does not apply on {result.base} (patch {', '.join(failed)}): "
                       "no cover letter for a series that does not apply")
    sender, date = _sender_and_date(series, options.committer)
    prerequisites = options.prerequisite_patch_ids or tuple(series.extra.get("prerequisite-patch-ids", ()))
    subject = series.subject_for(0)
    if not subject.summary:  # git's placeholder, so an untitled series gives git's own cover
        subject = replace(subject, summary="*** SUBJECT HERE ***")
    headers = _headers(series, sender, date, subject, options)
    mailmap = repo_mailmap(store)
    entries = [(p.author.name, p.author.email, p.subject.summary) for p in series.patches]
    blurb, changes, changelog, links, links_text = _blurb(series)
    patches = [{
        "number": n, "subject": series.subject_for(n).render(), "summary": p.subject.summary,
        "author": p.author.name, "email": p.author.email, "date": p.date,
        "files": list(p.paths), "added": p.added, "removed": p.removed, "notes": p.notes,
    } for n, p in enumerate(series.patches, 1)]
    return {
        "series": series.name, "title": series.title, "version": series.version, "rfc": series.rfc,
        "prefix": series.prefix, "total": series.total,
        "subject": subject.render(), "sender": str(sender), "sender_name": sender.name,
        "sender_email": sender.email, "date": date, "to": list(series.to), "cc": list(series.cc),
        "message_id": options.message_id or "", "headers": headers,
        "prose": series.cover.prose, "blurb": blurb, "changes": changes, "changelog": changelog,
        "links": links, "links_text": links_text, "patches": patches,
        "authors": [{"name": name, "subjects": subjects} for name, subjects in group_by_author(entries, mailmap)],
        "shortlog": render_shortlog(entries, FORMAT_PATCH, mailmap),
        "shortlog_w": render_shortlog(entries, SHORTLOG_W, mailmap),
        "diffstat": file_stat(store, result.base_tree, result.result_tree, options.stat),
        "base": series.base or result.base, "base_commit": result.commit,
        "prerequisite_patch_ids": [str(p) for p in prerequisites],
        "range_diff": options.range_diff, "signature": options.signature,
    }


def series_base(series: Series, store: GitRepo) -> str:
    """The commit the series is for: ``base-commit`` when the repository has it, else ``base``."""
    if series.base_commit and store.has_object(f"{series.base_commit}^{{commit}}"):
        return series.base_commit
    if series.base:
        return series.base
    if series.base_commit:
        raise BadInput(f"base-commit {series.base_commit} is not in this repository and series.toml has no base: "
                       f"give --base REF, or set one with `patchtool base {series.name} {store.newest_tag() or 'REF'}`")
    from patchtool.seriesdir import missing_base

    raise missing_base(series.name, store.newest_tag(), option=True)


def cover_letter(
    repo: GitRepo,
    series: Series,
    *,
    template: str | None = None,
    stat_width: int | None = None,
    stat_graph_width: int | None = None,
    range_diff: str = "",
) -> str:
    """Apply the series in a scratch store and render its cover letter.

    ``range_diff``: ``git range-diff`` against the previous version, for the
    ``Range-diff against vN:`` section (``patchtool.lifecycle.rangediff``).
    """
    stat = StatOptions.from_render(dict(series.render), width=stat_width, graph_width=stat_graph_width)
    with repo.scratch() as store:
        result = apply_series(store, series_base(series, store), series.patches)
        version = store.text("version").strip().removeprefix("git version ").strip()
        context = cover_context(store, series, result, CoverOptions(
            stat=stat, committer=git_ident(store), signature=version or GIT_SIGNATURE,
            range_diff=range_diff.rstrip("\n")))
        return render_cover(context, template_for(series, template))


def load_template(spec: str | None) -> tuple[str, str]:
    """(template text, where it came from) for a shipped name or a file path."""
    spec = spec or DEFAULT_TEMPLATE
    path = Path(spec)
    if not path.is_file():
        if "/" in spec or spec.endswith(".j2"):
            raise BadInput("template file does not exist", source=spec)
        path = shipped_template(spec)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except UnicodeDecodeError:
        raise BadInput("template is not UTF-8 text", source=str(path)) from None


def render_template(text: str, context: dict[str, Any], source: str) -> str:
    """Render in jinja2's sandbox with StrictUndefined; every failure is one BadInput line."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                               trim_blocks=True, autoescape=False)
    try:
        return env.from_string(text).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise BadInput(f"template syntax error: {exc.message}", source=source, line=exc.lineno) from None
    except jinja2.UndefinedError as exc:
        raise BadInput(f"template uses an undefined variable: {exc.message}", source=source) from None
    except jinja2.sandbox.SecurityError as exc:
        raise BadInput(f"template refused by the sandbox: {exc}", source=source) from None
    except Exception as exc:  # a user's template can fail in any way jinja2 lets through
        raise BadInput(f"template failed: {type(exc).__name__}: {exc}", source=source) from None


def render_cover(context: dict[str, Any], template: str | None = None) -> str:
    text, source = load_template(template)
    return render_template(text, context, source)


def template_for(series: Series, override: str | None) -> str:
    """The command line's ``--template``, else the series' ``[render] cover-template``, else ``git``."""
    if override:
        return override
    chosen = series.render.get("cover-template") or series.render.get("template")
    return chosen if isinstance(chosen, str) and chosen else DEFAULT_TEMPLATE
