"""How ``lint_series`` runs the rule modules: which stage each needs, the configuration on the findings,
and the table of checks (each with its verdict and what it skipped) the report carries.

A module's ``check(ctx)`` yields ``Finding``s and ``Skipped`` notes; it runs
when one of the checks it feeds is enabled, and its findings of disabled
checks (or rule ids) are dropped.  ``[lint.severity]`` then sets the level
of what is left (``off`` drops it).  A check's verdict is ``fail`` with an
error, ``warning`` with a warning, else ``pass``; ``skipped`` when it could
not run (the reason says why: no repository, no base, no script in the
tree), ``disabled`` when the configuration turned it off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from types import ModuleType

from patchtool.lint import (
    code,
    fixes,
    markers,
    message,
    numbering,
    placeholders,
    recipients,
    series_format,
    signedoff,
    subjects,
    trailers,
    whitespace,
)
from patchtool.lint.config import LintConfig
from patchtool.lint.findings import CheckResult, Finding, Severity, Skipped
from patchtool.lint.registry import BY_NAME, CHECKS, META_RULES, check_of

# The modules that need no more than the series (those that use a repository when there is one say so).
TEXT_MODULES: tuple[tuple[ModuleType, tuple[str, ...]], ...] = (
    (numbering, ("numbering", "version", "cover-title")),
    (placeholders, ("placeholder", "changelog")),
    (series_format, ("cover_letter", "patch_count", "subject_prefix", "fixes_present")),
    (subjects, ("subject-format", "subject-unique", "subject-period", "subject-length", "subject-prefix")),
    (trailers, ("trailer-syntax",)),
    (signedoff, ("verify_signedoff",)),
    (fixes, ("verify_fixes",)),
    (message, ("body-empty", "body-line-length")),
    (whitespace, ("whitespace",)),
    (markers, ("wip-marker", "debug-print")),
    (code, ("header_inline", "source_inline", "deprecated_api")),
)
APPLIED_CHECKS = ("applies", "kdoc", "maintainers")


@dataclass
class Collected:
    """What the modules said so far: findings, skip notes per check, the checks that ran."""

    findings: list[Finding] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    whole: set[str] = field(default_factory=set)  # checks that did not run at all
    ran: set[str] = field(default_factory=set)
    missing: list[recipients.Missing] | None = None  # the MAINTAINERS entries To/Cc lack (lint --fix)

    def take(self, items: Iterable[Finding | Skipped], checks: Iterable[str], config: LintConfig) -> None:
        enabled = {c for c in checks if config.runs(c)}
        self.ran |= enabled
        for item in items:
            if isinstance(item, Skipped):
                if item.check in enabled:
                    self.skip(item.check, item.reason, whole=item.whole)
            elif check_of(item.rule) in enabled or item.rule in META_RULES or check_of(item.rule) is None:
                self.findings.append(item)

    def skip(self, check: str, reason: str, *, whole: bool = True) -> None:
        notes = self.skipped.setdefault(check, [])
        if reason not in notes:
            notes.append(reason)
        if whole:
            self.whole.add(check)


def wanted(config: LintConfig, checks: Iterable[str]) -> bool:
    return any(config.runs(c) for c in checks)


def configured(findings: Iterable[Finding], config: LintConfig) -> list[Finding]:
    """The findings with ``[lint.severity]`` applied and disabled rule ids dropped."""
    out = []
    for f in findings:
        if f.rule in META_RULES:
            out.append(f)
            continue
        if f.rule in config.disabled:
            continue
        level = config.level(f.rule)
        if level == "off":
            continue
        out.append(replace(f, severity=Severity(level)) if level else f)
    return out


def table(collected: Collected, findings: list[Finding], config: LintConfig) -> tuple[CheckResult, ...]:
    """One row per check of the catalogue, in its order."""
    by_check: dict[str, list[Finding]] = {}
    for f in findings:
        if (name := check_of(f.rule)) is not None:
            by_check.setdefault(name, []).append(f)
    rows = []
    for check in CHECKS:
        name = check.name
        mine = by_check.get(name, [])
        notes = tuple(collected.skipped.get(name, ()))
        if not config.runs(name):
            verdict = "disabled"
        elif name not in collected.ran or (name in collected.whole and not mine):
            verdict = "skipped"
        elif any(f.severity is Severity.ERROR for f in mine):
            verdict = "fail"
        elif any(f.severity is Severity.WARNING for f in mine):
            verdict = "warning"
        else:
            verdict = "pass"
        rows.append(CheckResult(name, BY_NAME[name].nipa, verdict, len(mine), notes))
    return tuple(rows)


def needs_reason(check: str, *, repo: bool, base: bool, why_no_base: str) -> str | None:
    """Why a check cannot run with what there is (None when it can)."""
    needs = BY_NAME[check].needs
    if needs in ("repo", "base", "applied", "tools") and not repo:
        return "no repository"
    if needs in ("base", "applied") and not base:
        return why_no_base
    return None
