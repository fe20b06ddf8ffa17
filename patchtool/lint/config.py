"""Per-tree lint configuration: ``.patchtool.toml`` of the base tree and of the repository, over a profile.

Read the way b4 reads ``.b4-config``: a file committed to the tree the
series is for (read from the base commit, never checked out), then the one
at the top of the repository's work tree (a maintainer's own, committed or
not), each a ``[lint]`` table over the one before, all over a profile
(``kernel`` unless ``--profile`` or a file's ``profile`` names another;
``profiles.py``).  Keys::

    [lint]
    profile = "netdev"                  # start from this profile
    disable = ["kdoc", "signoff"]       # checks or rule ids not to run (old ids accepted)
    enable = ["kdoc"]                   # run again what an earlier file or the profile disabled
    patch-limit = 15                    # patch_count: more patches than this (0: no limit)
    checkpatch-args = ["--strict"]      # added to checkpatch.pl's own
    checkpatch-checks = "warning"       # the level of checkpatch's CHECK lines (info by default)

    [lint.severity]                     # per check or rule id: error, warning, info or off
    "subject-length" = "info"

    [lint.trees]                        # tree designations, as [PATCH net] names them
    net = { fixes = true }              # a fixes tree: fixes_present applies
    net-next = { fixes = false }

    [lint.designation]                  # when a series must name its tree (subject_prefix)
    required = ["net/", "drivers/net/"] # every patch touches one of these ...
    allowed = ["include/"]              # ... and nothing outside required + allowed
    excluded = ["net/ceph"]             # (these count as outside)

    [[lint.deprecated-api]]             # replaces the profile's list
    name = "dev_hold"
    pattern = '\\Wdev_hold\\('            # a Python regex, searched case-blind; default: the name
    level = "warning"                   # "error": a new use fails and an unchanged count warns
    paths = ["drivers/net"]             # only these folders (default: all)

Lists and the trees table replace what is below them; ``severity`` and
``disable`` add to it.  A file that does not parse, or names a key, rule or
level patchtool does not know, is bad input: one line naming the file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.lint import registry
from patchtool.lint.profiles import PROFILES

FILE = ".patchtool.toml"
LEVELS = ("error", "warning", "info", "off")
_KEYS = {"profile", "disable", "enable", "patch-limit", "checkpatch-args", "checkpatch-checks", "severity",
         "trees", "designation", "deprecated-api"}


@dataclass(frozen=True)
class Tree:
    """A tree a series may be aimed at (``[PATCH net-next]``), and whether it takes fixes."""

    name: str
    fixes: bool


@dataclass(frozen=True)
class DeprecatedApi:
    """An API new code should not use, and how loudly to say so."""

    name: str
    pattern: re.Pattern[str]
    level: str  # "error" or "warning": NIPA's errors and warnings lists
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class LintConfig:
    """The lint settings in force: the profile with ``.patchtool.toml`` over it."""

    profile: str = "kernel"
    disabled: frozenset[str] = frozenset()
    severity: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    patch_limit: int = 15
    trees: tuple[Tree, ...] = ()
    required: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    deprecated: tuple[DeprecatedApi, ...] = ()
    checkpatch_args: tuple[str, ...] = ()
    checkpatch_checks: str = "info"
    sources: tuple[str, ...] = ()

    def runs(self, check: str) -> bool:
        return check not in self.disabled

    def level(self, rule: str) -> str | None:
        """The configured level of a finding's rule: by its rule id, else by its check."""
        if rule in self.severity:
            return self.severity[rule]
        check = registry.check_of(rule)
        return self.severity.get(check) if check else None

    def tree(self, name: str) -> Tree | None:
        return next((t for t in self.trees if t.name.casefold() == name.casefold()), None)


def _bad(where: str, what: str) -> BadInput:
    return BadInput(f"{where}: {what}")


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(where, f"[lint] {key} must be a list of strings")
    return tuple(value)


def _names(value: Any, where: str, key: str) -> frozenset[str]:
    names = _strings(value, where, key)
    unknown = [n for n in names if not registry.known_name(n)]
    if unknown:
        raise _bad(where, f"[lint] {key}: no check or rule {unknown[0]!r} "
                          "(lint --json lists the checks; README: Lint rules)")
    return frozenset(registry.canonical(n) for n in names)


def _deprecated(value: Any, where: str) -> tuple[DeprecatedApi, ...]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _bad(where, "[[lint.deprecated-api]] must be tables with name, pattern, level, paths")
    out = []
    for entry in value:
        extra = set(entry) - {"name", "pattern", "level", "paths"}
        name = entry.get("name")
        if extra or not isinstance(name, str) or not name:
            raise _bad(where, f"[[lint.deprecated-api]] needs a name and knows name, pattern, level, paths: {entry}")
        pattern = entry.get("pattern", re.escape(name))
        level = entry.get("level", "warning")
        if level not in ("error", "warning"):
            raise _bad(where, f"[[lint.deprecated-api]] {name}: level must be error or warning, not {level!r}")
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except (re.error, TypeError) as e:
            raise _bad(where, f"[[lint.deprecated-api]] {name}: pattern {pattern!r} does not compile ({e})") from None
        out.append(DeprecatedApi(name, compiled, level, _strings(entry.get("paths", []), where, "paths")))
    return tuple(out)


def _trees(value: Any, where: str) -> tuple[Tree, ...]:
    if not isinstance(value, dict):
        raise _bad(where, "[lint.trees] must be a table: net = { fixes = true }")
    out = []
    for name, spec in value.items():
        if not isinstance(spec, dict) or set(spec) - {"fixes"} or not isinstance(spec.get("fixes", False), bool):
            raise _bad(where, f"[lint.trees] {name} must be a table with fixes = true or false")
        out.append(Tree(name, spec.get("fixes", False)))
    return tuple(out)


def merge(cfg: LintConfig, table: Mapping[str, Any], where: str) -> LintConfig:
    """``cfg`` with a ``[lint]`` table applied (``where`` names it in errors)."""
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise _bad(where, f"[lint] unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    changes: dict[str, Any] = {}
    disabled = set(cfg.disabled)
    if "disable" in table:
        disabled |= _names(table["disable"], where, "disable")
    if "enable" in table:
        disabled -= _names(table["enable"], where, "enable")
    changes["disabled"] = frozenset(disabled)
    if "severity" in table:
        levels = table["severity"]
        if not isinstance(levels, dict):
            raise _bad(where, "[lint.severity] must be a table of check = level")
        _names(list(levels), where, "severity")
        bad = [f"{k} = {v!r}" for k, v in levels.items() if v not in LEVELS]
        if bad:
            raise _bad(where, f"[lint.severity] {bad[0]}: the level is one of {', '.join(LEVELS)}")
        changes["severity"] = MappingProxyType({**cfg.severity, **levels})
    if "patch-limit" in table:
        limit = table["patch-limit"]
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            raise _bad(where, "[lint] patch-limit must be a whole number (0: no limit)")
        changes["patch_limit"] = limit
    if "checkpatch-args" in table:
        changes["checkpatch_args"] = _strings(table["checkpatch-args"], where, "checkpatch-args")
    if "checkpatch-checks" in table:
        if table["checkpatch-checks"] not in ("error", "warning", "info"):
            raise _bad(where, "[lint] checkpatch-checks is error, warning or info")
        changes["checkpatch_checks"] = table["checkpatch-checks"]
    if "trees" in table:
        changes["trees"] = _trees(table["trees"], where)
    if "designation" in table:
        spec = table["designation"]
        if not isinstance(spec, dict) or set(spec) - {"required", "allowed", "excluded"}:
            raise _bad(where, "[lint.designation] knows required, allowed and excluded (lists of paths)")
        for key in ("required", "allowed", "excluded"):
            if key in spec:
                changes[key] = _strings(spec[key], where, f"designation.{key}")
    if "deprecated-api" in table:
        changes["deprecated"] = _deprecated(table["deprecated-api"], where)
    return replace(cfg, **changes)


def profile(name: str) -> LintConfig:
    """A shipped profile as a config; BadInput for an unknown name."""
    if name not in PROFILES:
        raise BadInput(f"no lint profile {name!r} (shipped: {', '.join(PROFILES)})")
    base = LintConfig(profile=name, patch_limit=15)
    return merge(base, PROFILES[name], f"the {name} profile")


def _parse(text: bytes, where: str) -> dict[str, Any]:
    try:
        doc = tomllib.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise _bad(where, f"not valid TOML: {e}") from None
    table = doc.get("lint", {})
    if not isinstance(table, dict):
        raise _bad(where, "lint must be a table ([lint])")
    return table


def config_files(repo: GitRepo | None, commit: str | None, commit_name: str | None) -> list[tuple[str, dict[str, Any]]]:
    """The ``[lint]`` tables to apply, in order: the commit's file, then the work tree's."""
    found: list[tuple[str, dict[str, Any]]] = []
    if repo is None:
        return found
    if commit is not None:
        blob = repo.read_path(commit, FILE)
        if blob is not None:
            where = f"{commit_name or commit[:12]}:{FILE}"
            found.append((where, _parse(blob, where)))
    if repo.work_tree is not None:
        path = repo.work_tree / FILE
        if path.is_file():
            found.append((str(path), _parse(path.read_bytes(), str(path))))
    return found


def load(repo: GitRepo | None, commit: str | None, commit_name: str | None = None,
         profile_name: str | None = None) -> LintConfig:
    """The configuration lint runs with (see the module doc for the order)."""
    files = config_files(repo, commit, commit_name)
    named = profile_name
    if named is None:
        for where, table in files:
            if "profile" in table:
                if not isinstance(table["profile"], str):
                    raise _bad(where, "[lint] profile must be a name (kernel, netdev)")
                named = table["profile"]
                if named not in PROFILES:
                    raise _bad(where, f"no lint profile {named!r} (shipped: {', '.join(PROFILES)})")
    cfg = profile(named or "kernel")
    for where, table in files:
        cfg = merge(cfg, {k: v for k, v in table.items() if k != "profile"}, where)
    return replace(cfg, sources=tuple(where for where, _ in files))


DEFAULT = profile("kernel")
