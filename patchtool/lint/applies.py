"""Rule ``applies``: each patch applies in order on the base, so the series is bisectable.

The patches are applied in the object store (``apply.apply_series`` in a
scratch view), as ``patchtool check`` does.  A patch that does not apply
is an error; one that needs ``git am -3``'s three-way merge is a warning
(the maintainer's ``git am`` without ``-3`` would stop there); one whose
changes the base already holds (``applied``: merged or picked upstream) is
an error, for it would be posted as a patch that changes nothing.
``lint_series`` applies the series once (``Context.applied``) for this,
``kdoc`` and ``maintainers``; called alone, it applies in its own scratch.
"""

from __future__ import annotations

from collections.abc import Iterator

from patchtool.apply import Status, apply_series
from patchtool.lint.findings import Context, Finding, Severity


def check(ctx: Context) -> Iterator[Finding]:
    if ctx.repo is None or ctx.base is None or not ctx.series.patches:
        return
    if ctx.applied is not None:
        result = ctx.applied.result
    else:
        with ctx.repo.scratch() as store:
            result = apply_series(store, ctx.base, ctx.series.patches)
    where = ctx.base_name or ctx.base[:12]
    for r in result.patches:
        if r.status is Status.CONFLICT:
            why = "; ".join(f"{p.file}{' ' + p.hunk if p.hunk else ''}: {p.message}" for p in r.problems[:2])
            after = " (after an earlier patch failed)" if r.after_conflict else ""
            yield Finding("applies", Severity.ERROR, r.number, f"does not apply on {where}{after}: {why}")
        elif r.status is Status.APPLIED:
            yield Finding("applies", Severity.ERROR, r.number,
                          f"already in {where}: its changes are there (git am -3: \"Patch already applied\"); "
                          "drop it (patchtool rebase --drop-applied)")
        elif r.status is Status.THREEWAY:
            yield Finding("applies", Severity.WARNING, r.number,
                          f"applies on {where} only with a three-way merge (git am -3)")
