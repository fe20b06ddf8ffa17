"""Pre-posting checks (SPEC section 3): ``lint_series`` runs every rule and returns one report.

One module per rule family, each a ``check(Context)`` yielding findings:

* ``numbering``   numbering, version (and the cover letter's title)
* ``subjects``    subject-format, subject-unique, subject-period, subject-length, subject-prefix
* ``trailers``    signoff, trailer-syntax, fixes
* ``message``     body-empty, body-line-length
* ``whitespace``  whitespace (what ``git apply --whitespace=error`` rejects)
* ``markers``     wip-marker, debug-print
* ``applies``     applies (each patch in order on the base)
* ``recipients``  recipients (MAINTAINERS M:/R:/L: of the base in To/Cc)
* ``checkpatch``  checkpatch:<TYPE>, from the base tree's scripts/checkpatch.pl

Rules that need git (prefixes from ``git log``, Fixes ids, applying,
MAINTAINERS, checkpatch) are skipped when there is no repository.
``fix_recipients`` is ``lint --fix``: the series with the missing
MAINTAINERS entries added to its ``cc``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.lint import applies, checkpatch, markers, message, numbering, recipients, subjects, trailers, whitespace
from patchtool.lint.findings import SEVERITY_ORDER, Context, Finding, LintReport, Severity
from patchtool.model import Series

__all__ = ["Context", "Finding", "LintReport", "Severity", "fix_recipients", "lint_series", "resolve_base"]

_TEXT_RULES = (numbering, subjects, trailers, message, whitespace, markers)


def resolve_base(repo: GitRepo, series: Series, base: str | None) -> tuple[str, str]:
    """(commit id, name to show) of ``base``, else the series' base-commit, else its base; BadInput if none."""
    if base is not None:
        return repo.resolve(base), base
    if series.base_commit and repo.has_object(series.base_commit):
        return repo.resolve(series.base_commit), series.base or series.base_commit[:12]
    if series.base:
        return repo.resolve(series.base), series.base
    raise BadInput("the series names no base: give --base REF")


def lint_series(
    series: Series,
    repo: GitRepo | None = None,
    base: str | None = None,
    *,
    run_checkpatch: bool = True,
    on_checkpatch: Callable[[int], None] | None = None,
) -> LintReport:
    """Every rule on ``series``; with ``repo``, on ``base`` (default: the series' own base) too.

    ``on_checkpatch(k)`` is called each time checkpatch has done ``k`` more patches.
    """
    found: list[Finding] = []
    commit = name = tools = None
    if repo is not None:
        try:
            commit, name = resolve_base(repo, series, base)
        except BadInput:
            if base is not None:
                raise  # the user named it: a typo is an error, not a skipped check
            # A posting on another tree: the checks that need no base still run.
            tools = repo.try_resolve("HEAD")
            found.append(Finding("base", Severity.INFO, 0, _no_base(series, tools is not None)))
    ctx = Context(series=series, repo=repo, base=commit, base_name=name, tools=tools)
    for rule in _TEXT_RULES:
        found.extend(rule.check(ctx))
    missing: list[recipients.Missing] | None = None
    if repo is None:
        found.append(Finding("repository", Severity.INFO, 0, "no git repository: prefix, Fixes, apply, "
                             "recipients and checkpatch checks skipped"))
    else:
        if commit is not None:
            found.extend(applies.check(ctx))
            missing = recipients.missing(ctx)
            found.extend(recipients.findings(ctx, missing))
        if run_checkpatch:
            found.extend(checkpatch.check(ctx, on_checkpatch))
    found.sort(key=lambda f: (f.patch, SEVERITY_ORDER[f.severity]))
    fixable = tuple(m.entry for m in missing or () if not m.only_the_rest)
    return LintReport(series=series.name, total=series.total, base=name, base_commit=commit,
                      findings=tuple(found), fixable=fixable)


def _no_base(series: Series, has_head: bool) -> str:
    named = series.base or series.base_commit
    why = f"the base {named} is not in the repository" if named else "the series names no base"
    tools = "; checkpatch.pl of HEAD used" if has_head else ""
    return f"{why}: applies, recipients and subject-prefix checks skipped{tools} (set one: patchtool base)"


def fix_recipients(series: Series, report: LintReport) -> tuple[Series, LintReport]:
    """``lint --fix``: the series with the warned-about MAINTAINERS entries added to ``cc``, and the
    report without the findings that fixes."""
    if not report.fixable:
        return series, report
    fixed = replace(series, cc=(*series.cc, *report.fixable))
    gone = {f"{entry} (" for entry in report.fixable}
    kept = tuple(f for f in report.findings
                 if not (f.rule == "recipients" and f.severity is Severity.WARNING
                         and any(f.message.startswith(g) for g in gone)))
    return fixed, replace(report, findings=kept, fixed=report.fixable, fixable=())
