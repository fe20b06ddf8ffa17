"""The catalogue of lint checks: names, the rule ids their findings carry, the NIPA test each mirrors.

A *check* is one row of the report's table (``lint --json`` ``checks``), named
as netdev's NIPA names its test where it mirrors one (``verify_fixes``,
``cover_letter``), else by our own rule id.  A *rule id* is what a finding
carries in ``rule``.  Checks that took over an older rule keep that rule's id
on their findings, so readers of earlier JSON still find them:

* ``verify_signedoff`` findings are ``signoff``
* ``verify_fixes`` findings are ``fixes``
* ``cc_maintainers`` findings are ``recipients``
* ``checkpatch`` findings are ``checkpatch:<TYPE>`` (and ``checkpatch`` for its own notes)

``.patchtool.toml`` and ``--profile`` accept either name (``disable =
["signoff"]`` is ``disable = ["verify_signedoff"]``).  Note the two subject
checks: ``subject-prefix`` (ours: the prefix ``git log`` shows for the
files) and ``subject_prefix`` (NIPA's: the tree designation, ``[PATCH
net-next]``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One lint check: the rules it reports, NIPA's test it mirrors, what it needs to run."""

    name: str
    rules: tuple[str, ...]  # the rule ids its findings carry
    nipa: str | None  # NIPA's test: tests/<path> (and the function, for series_format's three)
    scope: str  # "series" (patch 0) or "patch"
    needs: str  # "text", "repo" (a repository), "base" (the base in it), "applied" (the series applied on it)
    what: str


CHECKS: tuple[Check, ...] = (
    # -- NIPA's series checks ---------------------------------------------------------------------
    Check("cover_letter", ("cover_letter",), "series/series_format:cover_letter", "series", "text",
          "3 or more patches need a cover letter"),
    Check("patch_count", ("patch_count",), "series/series_format:patch_count", "series", "text",
          "no more patches than the tree's limit (15)"),
    Check("subject_prefix", ("subject_prefix",), "series/series_format:subject_prefix", "series", "text",
          "the subject names the target tree ([PATCH net-next]) where the tree expects it"),
    Check("fixes_present", ("fixes_present",), "series/fixes_present", "series", "text",
          "a series for a fixes tree that touches code carries a Fixes: tag"),
    Check("maintainers", ("maintainers",), "series/maintainers", "series", "applied",
          "a new file is covered by a MAINTAINERS section of its own"),
    # -- NIPA's patch checks ------------------------------------------------------------------------
    Check("verify_fixes", ("fixes",), "patch/verify_fixes", "patch", "text",
          "Fixes: tags name an existing ancestor by 12+ digits and its subject"),
    Check("verify_signedoff", ("signoff",), "patch/verify_signedoff", "patch", "text",
          "Signed-off-by: from the author and from the sender (address or name, .mailmap applied)"),
    Check("cc_maintainers", ("recipients",), "patch/cc_maintainers", "series", "base",
          "every M:/R:/L: of the touched MAINTAINERS sections is in To/Cc"),
    Check("header_inline", ("header_inline",), "patch/header_inline", "patch", "text",
          "no static functions without inline in headers"),
    Check("source_inline", ("source_inline",), "patch/source_inline", "patch", "text",
          "no new inline in .c files"),
    Check("deprecated_api", ("deprecated_api",), "patch/deprecated_api", "patch", "text",
          "no new uses of the tree's deprecated APIs"),
    Check("kdoc", ("kdoc",), "patch/kdoc", "patch", "applied",
          "no new warnings from the base's scripts/kernel-doc on the touched files"),
    Check("checkpatch", ("checkpatch",), "patch/checkpatch", "patch", "tools",
          "the base's scripts/checkpatch.pl"),
    # -- ours ---------------------------------------------------------------------------------------------
    Check("numbering", ("numbering",), None, "patch", "text", "n/N in order and complete"),
    Check("version", ("version",), None, "patch", "text", "one version across the patches and series.toml"),
    Check("cover-title", ("cover-title",), None, "series", "text", "a multi-patch series has a title"),
    Check("placeholder", ("placeholder",), None, "series", "text",
          "no *** SUBJECT HERE *** / *** BLURB HERE *** left from git format-patch --cover-letter"),
    Check("changelog", ("changelog",), None, "series", "text", "the change log of the version posted is not empty"),
    Check("subject-format", ("subject-format",), None, "patch", "text", "subsystem: summary"),
    Check("subject-unique", ("subject-unique",), None, "patch", "text", "no two patches with one subject"),
    Check("subject-period", ("subject-period",), None, "patch", "text", "no trailing period"),
    Check("subject-length", ("subject-length",), None, "patch", "text", "at most 75 characters"),
    Check("subject-prefix", ("subject-prefix",), None, "patch", "base",
          "a prefix git log shows for the same files in the base"),
    Check("trailer-syntax", ("trailer-syntax",), None, "patch", "text", "person trailers read Name <address>"),
    Check("body-empty", ("body-empty",), None, "patch", "text", "the message says why"),
    Check("body-line-length", ("body-line-length",), None, "patch", "text", "message lines of at most 75 columns"),
    Check("whitespace", ("whitespace",), None, "patch", "text", "what git apply --whitespace=error rejects"),
    Check("wip-marker", ("wip-marker",), None, "patch", "text",
          "no work-in-progress markers or statements (subject, body, trailers, cover)"),
    Check("debug-print", ("debug-print",), None, "patch", "text", "no debug prints added"),
    Check("applies", ("applies",), None, "patch", "base", "each patch applies in order on the base"),
)

BY_NAME = {c.name: c for c in CHECKS}
_BY_RULE = {rule: c.name for c in CHECKS for rule in c.rules}
# Findings that are about the run, not a check: which base, no repository.
META_RULES = frozenset({"base", "repository"})


def check_of(rule: str) -> str | None:
    """The check a finding's rule id belongs to (None for the run's own notes)."""
    if rule.startswith("checkpatch:"):
        return "checkpatch"
    return _BY_RULE.get(rule)


def known_name(name: str) -> bool:
    """Whether ``name`` is a check, a rule id, or a ``checkpatch:<TYPE>`` rule (what config may name)."""
    return name in BY_NAME or name in _BY_RULE or (name.startswith("checkpatch:") and len(name) > 11)


def canonical(name: str) -> str:
    """A check name for a check or a single-rule alias (``signoff`` -> ``verify_signedoff``); else ``name``."""
    if name in BY_NAME:
        return name
    return _BY_RULE.get(name, name)
