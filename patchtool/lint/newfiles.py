"""Check ``maintainers``: each file the series adds has a MAINTAINERS section of its own.

NIPA's ``tests/series/maintainers``: for every new file (not under
Documentation/ or tools/testing/, not a Makefile or Kconfig, which often
sit outside the new entry's folder), some section of MAINTAINERS, as the
tree stands after the series (so an entry the series adds counts), must
cover it and fewer than 75 files.  When the narrowest one covers 75 to
499 files that is a warning; 500 or more (a whole subsystem), or nothing
but THE REST, an error (the kernel profile warns).  Files are counted in
the tree after the series with get_maintainer.pl's matching
(``patchtool.maintainers``), where NIPA runs ``find -name`` per pattern.
"""

from __future__ import annotations

from collections.abc import Iterator

from patchtool.lint.findings import Context, Finding, Severity, Skipped
from patchtool.maintainers import Section, dir_predicate, parse_maintainers
from patchtool.model import ChangeKind, Series
from patchtool.owners import maintainers_at

PASS_BELOW = 75
FAIL_FROM = 500
_IGNORED = ("Documentation/", "tools/testing/")
_GLOB = "*?["


def new_files(series: Series) -> list[str]:
    """Paths the series adds (and does not delete again) that want a section."""
    added: dict[str, None] = {}
    for patch in series.patches:
        for fc in patch.files:
            if fc.kind is ChangeKind.ADD and fc.new_path:
                added[fc.new_path] = None
            elif fc.kind is ChangeKind.DELETE and fc.old_path:
                added.pop(fc.old_path, None)
    return [p for p in added if not p.startswith(_IGNORED) and not p.endswith(("/Makefile", "/Kconfig"))]


def _section_text(section: Section) -> str:
    lines = [section.name]
    lines += [f"F:\t{v}" for v in section.files] + [f"X:\t{v}" for v in section.excludes]
    lines += [f"N:\t{v}" for v in section.regexes]
    return "\n".join(lines) + "\n"


def covered_count(section: Section, paths: list[str], is_dir: object) -> int:
    """How many of ``paths`` the section owns (its F:/X:/N: lines alone)."""
    table = parse_maintainers(_section_text(section), is_dir=is_dir)  # type: ignore[arg-type]
    if section.regexes:
        candidates = paths
    else:
        prefixes = tuple(v[:min((v.find(c) for c in _GLOB if c in v), default=len(v))] for v in section.files)
        candidates = [p for p in paths if p.startswith(prefixes)]
    return sum(1 for p in candidates if table.sections_for(p))


def check(ctx: Context) -> Iterator[Finding | Skipped]:
    files = new_files(ctx.series)
    if not files or ctx.applied is None:
        return
    tree = ctx.applied.result.result_tree
    if tree is None:
        yield Skipped("maintainers", "the series does not apply: MAINTAINERS after it unknown")
        return
    store = ctx.applied.store
    ctx.applied.result.write()  # git reads the tree after the series from here on
    table = maintainers_at(store, tree, only_paths=files)
    if table is None:
        yield Skipped("maintainers", "no MAINTAINERS in the tree")
        return
    listing = store.run("ls-tree", "-r", "-z", "--name-only", tree).decode("utf-8", "surrogateescape")
    paths = [p for p in listing.split("\x00") if p]
    is_dir = dir_predicate(paths)
    counts: dict[str, int] = {}
    for path in files:
        sections = [m.section for m in table.sections_for(path) if m.section.name != "THE REST"]
        if not sections:
            yield Finding("maintainers", Severity.ERROR, 0,
                          f"{path}: no MAINTAINERS section but THE REST covers it: add one for the new code")
            continue
        for s in sections:
            if s.name not in counts:
                counts[s.name] = covered_count(s, paths, is_dir)
        sizes = {s.name: counts[s.name] for s in sections}
        if any(0 < c < PASS_BELOW for c in sizes.values()):
            continue
        name, size = min(sizes.items(), key=lambda item: item[1])
        severity = Severity.WARNING if size < FAIL_FROM else Severity.ERROR
        yield Finding("maintainers", severity, 0,
                      f"{path}: its narrowest MAINTAINERS section, {name}, covers {size} files "
                      f"({PASS_BELOW} or more): add a section for the new code")
