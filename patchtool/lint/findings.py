"""What a lint rule returns: findings, their severities, the report, and what rules read.

Every rule module takes a ``Context`` and yields ``Finding``s; nothing here
knows a rule.  Patch number 0 stands for the series itself (its cover
letter, To/Cc, numbering as a whole).
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass

from patchtool.gitrepo import GitRepo
from patchtool.model import Series


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    patch: int  # 0 = the series / cover letter
    message: str


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


@dataclass(frozen=True)
class LintReport:
    series: str
    total: int
    base: str | None
    base_commit: str | None
    findings: tuple[Finding, ...]
    fixable: tuple[str, ...] = ()  # cc entries --fix would add (the recipients warnings)
    fixed: tuple[str, ...] = ()  # cc entries --fix added

    @property
    def counts(self) -> dict[str, int]:
        seen = Counter(f.severity for f in self.findings)
        return {s.value: seen.get(s, 0) for s in Severity}

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)
