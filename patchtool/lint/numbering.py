"""Rules ``numbering`` and ``version``: the patches agree on n/N and on the version they belong to.

A folder's patch files keep the subjects ``git format-patch`` wrote; the
version and RFC tag that go out are ``series.toml``'s (export renders them),
so a plain ``[PATCH n/N]`` file is neutral.  What these rules catch is a
patch that says otherwise: numbered 4/8 in a series of 9, or a patch
left over from v1 (or taken from v3) among patches that say v2.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from patchtool.lint.findings import Context, Finding, Severity
from patchtool.model import Subject


def _tag(s: Subject) -> str:
    words = (["RFC"] if s.rfc else []) + ([f"v{s.version}"] if s.version > 1 else [])
    return " ".join(words) or "no version"


def check(ctx: Context) -> Iterator[Finding]:
    series = ctx.series
    total = series.total
    for n, patch in enumerate(series.patches, 1):
        s = patch.subject
        if s.number is None or s.total is None:
            continue
        if s.number != n:
            yield Finding("numbering", Severity.ERROR, n,
                          f"numbered {s.number}/{s.total} but is patch {n} of the series")
        if s.total != total:
            yield Finding("numbering", Severity.ERROR, n,
                          f"numbered {s.number}/{s.total} but the series has {total} patches")
    tags = [_tag(p.subject) for p in series.patches]
    usual, _ = Counter(tags).most_common(1)[0] if tags else ("", 0)
    for n, (patch, tag) in enumerate(zip(series.patches, tags, strict=True), 1):
        s = patch.subject
        if tag != usual:
            yield Finding("version", Severity.ERROR, n,
                          f"the subject says [{tag}] where the other patches say [{usual}]")
        elif s.version > 1 and s.version != series.version:
            yield Finding("version", Severity.ERROR, n,
                          f"the subject says v{s.version} but series.toml says version {series.version}")
        if s.rfc and not series.rfc:
            yield Finding("version", Severity.WARNING, n, "the subject says RFC but series.toml does not")
    if total > 1 and not series.title.strip():
        yield Finding("cover-title", Severity.WARNING, 0, "the series has no title for its 0/N cover letter")
