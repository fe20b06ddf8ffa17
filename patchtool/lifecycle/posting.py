"""The mails of a posting as ``export`` writes them and ``send`` sends them: one way to make them.

``render_posting`` applies the series in a scratch store, builds the
export (commits, Message-Ids, patch mails: ``patchtool.export``) and
renders the cover letter from its template (``patchtool.cover``) with the
ids, references and signature the export gives it.  ``export`` writes the
result to files, an mbox or a branch; ``send`` hands the same bytes to the
SMTP server, so what is posted is what ``export`` would have written.
"""

from __future__ import annotations

from dataclasses import dataclass

from patchtool.apply import apply_series
from patchtool.cover import CoverOptions, Ident, cover_context, git_ident, render_cover, series_base, template_for
from patchtool.diffstat import StatOptions
from patchtool.errors import BadInput
from patchtool.export import Export, build_export
from patchtool.gitrepo import GitRepo
from patchtool.model import Person, Series


@dataclass(frozen=True)
class Posting:
    """The export and its cover letter's text ("" when it was not asked for)."""

    export: Export
    cover_text: str
    sender: Person
    committer: Ident | None


def render_posting(store: GitRepo, series: Series, *, thread: str = "shallow", in_reply_to: str | None = None,
                   template: str | None = None, range_diff: str = "", cover: bool = True) -> Posting:
    """The mails of ``series`` as ``git format-patch --cover-letter --thread`` writes them, in ``store``."""
    result = apply_series(store, series_base(series, store), series.patches)
    committer = git_ident(store)
    sender = series.cover.author or (committer.person if committer else None)
    if sender is None:
        raise BadInput("no sender: set [cover] from in series.toml or user.name/user.email in git config")
    export = build_export(store, series, result, sender_email=sender.email, thread=thread, in_reply_to=in_reply_to)
    if not cover:
        return Posting(export, "", sender, committer)
    tip = (series.patches[-1].commit if series.patches else None) or export.tip
    context = cover_context(store, series, result, CoverOptions(
        stat=StatOptions.from_render(dict(series.render)), message_id=export.cover_id, tip=tip,
        references=export.cover_references, committer=committer, signature=export.signature,
        range_diff=range_diff.rstrip("\n")))
    return Posting(export, render_cover(context, template_for(series, template)), sender, committer)
