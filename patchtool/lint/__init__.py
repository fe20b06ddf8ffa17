"""Pre-posting checks (SPEC section 3): ``lint_series`` runs every rule and returns one report.

One module per rule family, each a ``check(Context)`` yielding findings
(and ``Skipped`` notes); ``registry`` names the checks (NIPA's names where
they mirror one of netdev's bot tests), ``runner`` runs them and builds the
table of verdicts, ``config`` reads ``.patchtool.toml`` over a profile:

* ``numbering``      numbering, version, cover-title
* ``placeholders``   placeholder, changelog
* ``series_format``  cover_letter, patch_count, subject_prefix (tree designation), fixes_present
* ``subjects``       subject-format, subject-unique, subject-period, subject-length, subject-prefix
* ``trailers``       trailer-syntax
* ``signedoff``      verify_signedoff (rule id ``signoff``)
* ``fixes``          verify_fixes (rule id ``fixes``)
* ``message``        body-empty, body-line-length
* ``whitespace``     whitespace (what ``git apply --whitespace=error`` rejects)
* ``markers``        wip-marker (words and statements), debug-print
* ``code``           header_inline, source_inline, deprecated_api
* ``applies``        applies (each patch in order on the base)
* ``kdoc``           kdoc (the base's scripts/kernel-doc, before and after each patch)
* ``newfiles``       maintainers (a MAINTAINERS section for each new file)
* ``recipients``     cc_maintainers (rule id ``recipients``: M:/R:/L: of the base in To/Cc)
* ``checkpatch``     checkpatch:<TYPE>, from the base tree's scripts/checkpatch.pl

The series is applied once, in a scratch store, for applies, kdoc and
maintainers.  Checks that need git are skipped, saying so, when there is
no repository or no base.
``fix_recipients`` is ``lint --fix``: the series with the missing
MAINTAINERS entries added to its ``cc``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from patchtool.apply import apply_series
from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.lint import applies, checkpatch, kdoc, newfiles, recipients, registry, runner
from patchtool.lint.background import Background
from patchtool.lint.config import LintConfig
from patchtool.lint.config import load as load_config
from patchtool.lint.findings import SEVERITY_ORDER, Applied, CheckResult, Context, Finding, LintReport, Severity
from patchtool.model import Series

__all__ = ["CheckResult", "Context", "Finding", "LintConfig", "LintReport", "Severity", "fix_recipients",
           "lint_series", "resolve_base"]


def resolve_base(repo: GitRepo, series: Series, base: str | None) -> tuple[str, str]:
    """(commit id, name to show) of ``base``, else the series' base-commit, else its base; BadInput if none."""
    if base is not None:
        return repo.resolve(base), base
    if series.base_commit and (commit := repo.try_resolve(series.base_commit)) is not None:
        return commit, series.base or series.base_commit[:12]
    if series.base:
        return repo.resolve(series.base), series.base
    from patchtool.seriesdir import missing_base

    raise missing_base(series.name, repo.newest_tag(), option=True)


def lint_series(
    series: Series,
    repo: GitRepo | None = None,
    base: str | None = None,
    *,
    run_checkpatch: bool = True,
    on_progress: Callable[[str, int, int], None] | None = None,
    profile: str | None = None,
) -> LintReport:
    """Every rule on ``series``; with ``repo``, on ``base`` (default: the series' own base) too.

    ``profile`` (``kernel``, ``netdev``) overrides the one ``.patchtool.toml`` names.
    ``on_progress(stage, done, total)`` says what runs now (``total`` 0: no count), and for
    checkpatch how many of the patches it has done.
    """

    def step(stage: str, done: int = 0, total: int = 0) -> None:
        if on_progress is not None:
            on_progress(stage, done, total)

    meta: list[Finding] = []
    commit = name = tools = None
    why_no_base = "no base"
    if repo is not None:
        try:
            commit, name = resolve_base(repo, series, base)
        except BadInput:
            if base is not None:
                raise  # the user named it: a typo is an error, not a skipped check
            # A posting on another tree: the checks that need no base still run.
            tools = repo.try_resolve("HEAD")
            why_no_base = _no_base(series, tools is not None)
            meta.append(Finding("base", Severity.INFO, 0, why_no_base))
            why_no_base = why_no_base.split(":", 1)[0]
    config = load_config(repo, commit or tools, name or ("HEAD" if tools else None), profile)
    ctx = Context(series=series, repo=repo, base=commit, base_name=name, tools=tools, config=config)
    got = runner.Collected(findings=meta)
    started = (checkpatch.Running(ctx) if repo is not None and run_checkpatch and config.runs("checkpatch")
               else None)
    try:
        _checks(series, repo, commit, ctx, config, got, why_no_base, step, started)
    except BaseException:
        if started is not None:
            started.stop()
        raise
    found = runner.configured(got.findings, config)
    found.sort(key=lambda f: (f.patch, SEVERITY_ORDER[f.severity]))
    fixable = tuple(m.entry for m in got.missing or () if not m.only_the_rest)
    return LintReport(series=series.name, total=series.total, base=name, base_commit=commit,
                      findings=tuple(found), fixable=fixable, checks=runner.table(got, found, config),
                      profile=config.profile, config_files=config.sources)


def _checks(series: Series, repo: GitRepo | None, commit: str | None, ctx: Context, config: LintConfig,
            got: runner.Collected, why_no_base: str, step: Callable[..., None],
            started: checkpatch.Running | None) -> None:
    """The checks, in the catalogue's order, into ``got``; checkpatch's findings from ``started``."""
    for i, (module, checks) in enumerate(runner.TEXT_MODULES):
        if runner.wanted(config, checks):
            step(f"checking {module.__name__.rsplit('.', 1)[-1].replace('_', ' ')}", i, len(runner.TEXT_MODULES))
            got.take(module.check(ctx), checks, config)
    for check in registry.BY_NAME:
        reason = runner.needs_reason(check, repo=repo is not None, base=commit is not None, why_no_base=why_no_base)
        if reason and config.runs(check):
            got.ran.add(check)
            got.skip(check, reason)
    if repo is None:
        got.findings.append(Finding("repository", Severity.INFO, 0, "no git repository: prefix, Fixes, apply, "
                                    "recipients and checkpatch checks skipped"))
    else:
        if commit is not None:
            if runner.wanted(config, runner.APPLIED_CHECKS) and series.patches:
                with repo.scratch() as store:
                    step("applying the series")
                    # Nothing written: kernel-doc reads the files from memory; the MAINTAINERS check of new files
                    # writes the trees it reads (``ApplyResult.write``).
                    applied = apply_series(store, commit, series.patches, write=False)
                    on_base = replace(ctx, applied=Applied(store, applied))
                    got.take(applies.check(on_base), ("applies",), config)
                    # kernel-doc's perl runs while MAINTAINERS is read for the new files; both before the
                    # scratch store it reads from goes.
                    docs = Background(lambda _counted: kdoc.check(on_base), name="kernel-doc")
                    try:
                        step("kernel-doc")
                        maintained = list(newfiles.check(on_base))
                        got.take(docs.wait(), ("kdoc",), config)
                    except BaseException:
                        docs.stop()
                        raise
                    step("MAINTAINERS for new files")
                    got.take(maintained, ("maintainers",), config)
            if config.runs("cc_maintainers"):
                step("recipients")
                table = recipients.maintainers_of(ctx)
                got.missing = missing = recipients.missing(ctx, table)
                got.take(recipients.findings(ctx, missing, table), ("cc_maintainers",), config)
                if missing is None:
                    got.skip("cc_maintainers", "no MAINTAINERS in the base")
        if started is not None:
            done = [0]

            def checked(k: int) -> None:
                done[0] += k
                step("checkpatch", done[0], series.total)

            step("checkpatch", 0, series.total)
            got.take(started.wait(checked), ("checkpatch",), config)  # with its Skipped when there is none
            if ctx.tools is None and ctx.base is None:
                got.skip("checkpatch", f"no {checkpatch.SCRIPT} in the repository")
        elif config.runs("checkpatch"):
            got.ran.add("checkpatch")
            got.skip("checkpatch", "not asked for")


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
