"""MAINTAINERS parsing and matching, pure: which sections own a path.

This module owns the kernel's ``MAINTAINERS`` format and get_maintainer.pl's
answer to "who looks after this file".  It does no I/O and calls no git: the
caller hands in the file's text (and, if it wants get_maintainer's directory
rule, a predicate saying which names are directories in the tree).  Several
files (``board/*/MAINTAINERS`` as U-Boot's ``.get_maintainer.conf`` asks) are
parsed as one, in the order read: see ``conf`` for which files and in what
order, and ``parse_maintainer_files``.

Parsing (get_maintainer.pl's ``read_maintainer_file``, v5.14)
-------------------------------------------------------------
* A line matching ``^([A-Z]):\\s*(.*)`` is a *type line*: one letter, a colon,
  any whitespace (tabs or spaces, or none), then the value up to the end of
  the line, trailing whitespace included.
* Blank lines and lines whose first non-blank character is ``#`` are skipped
  entirely: they do not end a section, so type lines after a blank line still
  belong to the section above.
* Every other line is a *name line*.  A section is the last name line before
  a run of type lines; name lines not followed by a type line (the preamble,
  its indented ``\\tM: ...`` descriptions, headings, dashes) name nothing.
* Type lines before any name line are tolerated as get_maintainer.pl
  tolerates them: they form a first section named after its first line as
  get_maintainer.pl stores it (``"F:fs/.*"``), whose first line counts for
  F:/X:/N:/K: matching but not as a person, list or status (get_maintainer.pl
  reads those from the line after a section's name).  ``problems()`` says so.
* Deliberate deviation: a trailing ``\\r`` (CRLF files) is dropped; Perl keeps
  it and then no pattern of such a file can match.

Matching a path (``get_maintainers`` and ``file_match_pattern``)
----------------------------------------------------------------
Paths are repository-relative, as git prints them.

* F:/X: values become regexes: ``.`` -> ``\\.``, ``*`` -> ``.*``, ``?`` -> ``.``;
  every other character keeps its regex meaning (``[...]`` is a class).  With
  ``is_dir``, a value naming a directory of the tree gets a trailing ``/``.
* A pattern ending in ``/`` matches every path it is a prefix of (regex
  ``^pattern``): the whole subtree.  Because ``*`` is ``.*``, a glob in such a
  pattern crosses ``/``: ``arch/*/include/uapi/`` matches
  ``arch/x86/include/uapi/asm/a.h``.
* Any other pattern matches when ``^pattern`` matches (not anchored at the
  end) *and* the path has exactly as many ``/`` as the pattern: ``fs/*`` is
  the files directly in ``fs/``, ``kernel/audit*`` matches ``kernel/auditsc.c``
  and ``include/linux/fs.h`` also matches ``include/linux/fs.h.orig``.
* ``X:`` first: a section with a matching X: pattern is dropped for that path,
  its F: and N: lines included.
* ``N:`` is a Perl ``/x`` regex searched anywhere in the path.
* Depth: F: pattern -> number of ``/`` in it, +1 unless it ends in ``/``, and
  -1 when it starts with ``*`` (THE REST's ``*`` and ``*/``); N: -> 0.  Within
  one section the *last* matching F:/N: line (file order) sets the section's
  depth, exactly as get_maintainer.pl overwrites its hash.
* Sections are ranked deepest first.  get_maintainer.pl breaks ties in Perl
  hash order (random); here ties keep file order.
* ``most_specific`` is the first of that ranking: THE REST only when nothing
  else matches.
* An F:/X:/N:/K: value that Python's ``re`` cannot compile matches nothing and
  ``problems()`` reports it (Perl would die on it).

Keywords (``K:``), reported separately
--------------------------------------
* ``K:`` is a Perl ``/x`` regex tested line by line on the patch text.  Before
  the first ``--- x``/``+++ x`` line every line counts (headers, commit
  message); after it only ``+``/``-`` lines do (``^[+-].*`` is prefixed to the
  regex, without a group, as Perl interpolates it; a leading inline flag such
  as ``(?i)``, which Python refuses mid-pattern, is moved in front).  ``diff --git``,
  ``rename from/to``, `` mode change``, ``Fixes: <sha>``, file header and
  ``@@ -a,b`` lines are never tested.  Sections come back in file order.

Recipients (get_maintainer.pl's default output, no git)
-------------------------------------------------------
* Every matching section of every path (not only the most specific), paths in
  the caller's order (get_maintainer.pl sorts a patch's paths: pass
  ``sorted(paths)`` to get its order), each path's sections deepest first, then
  the keyword sections if ``patch_text`` is given.
* M: and R: in the order met, de-duplicated the way ``--remove-duplicates``
  does: an entry is dropped when its name or its address (case-insensitive)
  was already taken, so one person listed with two addresses is mailed once.
  Entries without an ``@`` address are dropped (get_maintainer warns).
* The chief penguin (``Linus Torvalds <torvalds@linux-foundation.org>``) is
  removed unless ``chief_penguins=True`` (``--git-chief-penguins``).
* L: de-duplicated on the bare address; ``moderated`` lists kept,
  ``subscribers-only`` lists left out (its ``--s`` is off by default).
* No ``.mailmap`` rewriting, no git signers (``--nogit --nogit-fallback``).

Speed (the index)
-----------------
Parsing compiles nothing; regexes are compiled on first use.  Paths are
answered per directory first, and the plan for a directory is built once from
its parent's: literal subtree patterns are a dict look-up per directory level;
a subtree glob's match ends at a "/", so the directory decides it; a glob
without a trailing "/" whose only specials are ``* ? [..]`` cannot cross a "/"
once slash counts are equal, so it is filed under its deepest literal
directory component and its directories are tested once per directory; N:
regexes are filed under a trigram of a literal every match contains, and
decided per directory when a match there holds for every file in it.  What is
left for the file itself: literal file patterns (dict look-ups of the path's
prefixes), the last component of globs, and the rare other patterns.  Plans,
compiled regexes and answers are cached in the ``Maintainers`` object (which
is otherwise immutable), so memory grows with the directories asked about.
"""


from __future__ import annotations

from patchtool.maintainers.conf import GetMaintainerConf, MaintainersSource, parse_conf
from patchtool.maintainers.sections import (
    CHIEF_PENGUINS,
    ParseProblem,
    Recipients,
    Section,
    SectionMatch,
    dir_predicate,
    email_address,
    list_address,
)
from patchtool.maintainers.table import Maintainers, ancestor_dirs, parse_maintainer_files, parse_maintainers

__all__ = [
    "CHIEF_PENGUINS",
    "GetMaintainerConf",
    "Maintainers",
    "MaintainersSource",
    "ParseProblem",
    "Recipients",
    "Section",
    "SectionMatch",
    "ancestor_dirs",
    "dir_predicate",
    "email_address",
    "list_address",
    "parse_conf",
    "parse_maintainer_files",
    "parse_maintainers",
]
