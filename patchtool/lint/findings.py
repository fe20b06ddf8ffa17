"""What a lint rule returns: findings, their severities, the report, and what rules read.

Every rule module takes a ``Context`` and yields ``Finding``s, and a
``Skipped`` for a part it could not look at (no repository, no script in
the tree); nothing here knows a rule.  Patch number 0 stands for the series
itself (its cover letter, To/Cc, numbering as a whole).  ``CheckResult`` is
one row of the NIPA-like table ``lint --json`` prints: a check, its verdict
and what it skipped.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from patchtool.gitrepo import GitRepo
from patchtool.lint.config import DEFAULT, LintConfig
from patchtool.model import Series

if TYPE_CHECKING:
    from patchtool.apply import ApplyResult


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Finding:
    """One thing lint says about the series (patch 0) or one patch."""

    rule: str
    severity: Severity
    patch: int  # 0 = the series / cover letter
    message: str


@dataclass(frozen=True)
class Skipped:
    """What a check did not look at, and why ("no scripts/kernel-doc in the base")."""

    check: str
    reason: str
    whole: bool = True  # False: the check ran, without this part


@dataclass(frozen=True)
class Applied:
    """The series applied on the base: the files kernel-doc reads (from memory) and the trees the
    MAINTAINERS check of new files reads (written into the scratch store when it runs).

    Valid only while the scratch store is open (``lint_series`` runs those checks inside it).
    """

    store: GitRepo
    result: ApplyResult


@dataclass(frozen=True)
class Context:
    """What the rules may read: the series and, when there is one, the repository and resolved base.

    ``repo`` and ``base`` are None when lint runs without a repository; rules
    that need git then say nothing (the report carries one info finding).
    """

    series: Series
    repo: GitRepo | None = None
    base: str | None = None  # commit id
    base_name: str | None = None  # as the user or series.toml named it
    tools: str | None = None  # the commit whose scripts/checkpatch.pl runs (the base, else HEAD)
    config: LintConfig = DEFAULT  # the kernel profile unless .patchtool.toml or --profile say otherwise
    applied: Applied | None = None


@dataclass(frozen=True)
class CheckResult:
    """One check of the report: ``verdict`` is pass, warning, fail, skipped or disabled."""

    check: str
    nipa: str | None  # the NIPA test it mirrors, when it mirrors one
    verdict: str
    findings: int = 0
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class LintReport:
    """Everything one lint run found, with the verdict of every check."""

    series: str
    total: int
    base: str | None
    base_commit: str | None
    findings: tuple[Finding, ...]
    fixable: tuple[str, ...] = ()  # cc entries --fix would add (the recipients warnings)
    fixed: tuple[str, ...] = ()  # cc entries --fix added
    checks: tuple[CheckResult, ...] = ()
    profile: str = "kernel"
    config_files: tuple[str, ...] = field(default=())  # the .patchtool.toml files read, in order

    @property
    def counts(self) -> dict[str, int]:
        seen = Counter(f.severity for f in self.findings)
        return {s.value: seen.get(s, 0) for s in Severity}

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)
