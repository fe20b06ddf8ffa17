"""Rules ``wip-marker`` and ``debug-print``: work not meant for merging.

``wip-marker`` has two halves.  *Marker words* are the labels people put
on patches they do not want applied: ``DO NOT MERGE``/``DO NOT APPLY``/
``DO NOT COMMIT`` (error; ``[PATCH DNM]`` too), ``dev/test``, ``HACK``, ``WIP``, ``debug``
(warning), read case-blind in subjects (and the subject's bracket
prefix) and, in bodies, trailers and the cover, only in their shouted
forms (``HACK``, ``DEBUG``, ``debug only``), because kernel prose says "a
hack" or "debug output" about other code all the time.  A word is a marker
only where it labels the patch: not as the object of a verb that removes,
fixes or handles it ("remove debug print", "fix WIP handling", "drop the
HACK"), not as an attribute of some code ("debug output", "WIP handling"),
and ``hack`` not as a verb ("hack around X").  ``x86/debug:`` is a
subsystem prefix, and ``debugfs`` another word.

*Statements* say it in a sentence, anywhere in a body or the cover letter
(warning): "this is a work in progress", "not for merging", "not meant
for inclusion", "RFC only", "for review only", "before this is merged";
and, when the same clause speaks of the patch itself ("this", "it", "the
series", "patch 3"), "should not be merged", "do not apply this", "still
being worked on".

``debug-print`` reads the added lines of C files for the calls left in
from debugging: ``trace_printk()`` (error: the kernel then allocates extra
trace buffers and prints a warning banner at boot) and ``printk()``, ``pr_debug()``,
``pr_devel()``, ``pr_info()``, ``dump_stack()`` (warning).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from patchtool.lint.findings import Context, Finding, Severity
from patchtool.lint.lines import added_lines
from patchtool.lint.subjects import prefix_chain
from patchtool.model import Patch

# (label, severity, pattern in the subject, pattern in body and trailers, read for meaning)
_MARKERS: tuple[tuple[str, Severity, re.Pattern[str], re.Pattern[str], bool], ...] = (
    ("DO NOT MERGE", Severity.ERROR,
     re.compile(r"\bdo[ _-]not[ _-](merge|apply)\b|\bDNM\b", re.I), re.compile(r"\bDO[ _-]NOT[ _-](MERGE|APPLY)\b"),
     False),
    ("DO NOT COMMIT", Severity.ERROR,
     re.compile(r"\bdo[ _-]not[ _-]commit\b", re.I), re.compile(r"\bDO[ _-]NOT[ _-]COMMIT\b"), False),
    ("dev/test", Severity.WARNING, re.compile(r"\bdev/test\b", re.I), re.compile(r"\bdev/test\b", re.I), False),
    ("HACK", Severity.WARNING, re.compile(r"\bhack\b", re.I), re.compile(r"\bHACK\b"), True),
    ("WIP", Severity.WARNING, re.compile(r"\bWIP\b", re.I), re.compile(r"\bWIP\b"), True),
    ("debug", Severity.WARNING,
     re.compile(r"\bdebug(ging)?\b", re.I), re.compile(r"\bDEBUG\b|(?i:\bdebug(?:ging)? only\b)"), True),
)

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words before a marker that make it the thing the patch acts on, not a label of the patch.
_ACTS_ON = _words("""
remove removes removed removing drop drops dropped dropping fix fixes fixed fixing revert reverts reverted
replace replaces replaced replacing clean cleans cleaned cleanup kill kills killed delete deletes deleted
avoid avoids silence silences handle handles handled handling undo undoes rework reworks reduce reduces rid
without convert converts disable disables quiet suppress suppresses demote demotes hide hides instead
""")
# Words after a marker that make it an attribute of code ("debug output").
_THINGS = _words("""
print prints printk printks printout output outputs message messages msg msgs log logs logging level levels
code handling helper helpers function functions macro macros option options flag flags counter counters info
information statement statements entry entries support mode state file files interface symbol symbols
register registers build builds config kconfig check checks warning warnings trace traces list lists bit bits
knob knobs feature features parameter parameters param params facility facilities
""")
_HACK_VERB = frozenset({"around", "up", "together", "into", "on", "in", "to"})
_WORD = re.compile(r"[\w'/+-]+")
_CLAUSE_END = re.compile(r"[.;:!?()\[\]\n]")

_STATEMENTS = (
    re.compile(r"\bwork[- ]in[- ]progress\b", re.I),
    re.compile(r"\bnot\s+(?:yet\s+)?(?:meant|intended|ready|suitable|fit)\s+(?:to\s+be\s+merged|for\s+"
               r"(?:merg(?:e|ing)|inclusion|upstream|mainline|applying))\b", re.I),
    re.compile(r"\bnot\s+for\s+(?:merg(?:e|ing)|inclusion|upstream|mainline)\b", re.I),
    re.compile(r"\bRFC[- ]only\b|\bfor\s+(?:review|discussion|comments?|feedback)\s+only\b", re.I),
    re.compile(r"\bbefore\s+(?:this|it|the\s+(?:patch|patches|series|change))\s+(?:is|gets|can\s+be|could\s+be)\s+"
               r"(?:considered\s+for\s+)?(?:merged|merging|inclusion)\b", re.I),
)
# These need the clause to speak of the patch itself.
_SELF_STATEMENTS = (
    re.compile(r"\b(?:should|must|can|could)(?:\s+not|n't)\s+(?:yet\s+)?be\s+(?:merged|committed)\b", re.I),
    # Sentence case: the shouted DO NOT MERGE is a marker word already.
    re.compile(r"\b(?:[Dd]o\s+not|[Dd]on't)\s+(?:merge|apply|commit)\b"),
    re.compile(r"\bstill\s+being\s+worked\s+on\b", re.I),
)
_SELF = re.compile(r"\b(?:this|these|it|patch(?:es)?|series|commit|change|rfc)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.;!?])\s+|\n\s*\n")

_DEBUG_CALL = re.compile(r"\b(trace_printk|printk|pr_debug|pr_devel|pr_info|dump_stack)\s*\(")
_C_FILE = re.compile(r"\.(c|h)$")
_COMMENT = re.compile(r"^\s*(/\*|\*|//)")


def check(ctx: Context) -> Iterator[Finding]:
    series = ctx.series
    title = f"[{series.prefix}] {series.title}" if series.prefix.strip() else series.title
    cover_places = {"title": title, "cover letter": series.cover.prose}
    yield from _markers(0, cover_places, subject_places={"title"})
    yield from _statements(0, "cover letter", series.cover.prose)
    for n, patch in enumerate(series.patches, 1):
        yield from _markers(n, _places(patch), subject_places={"subject"})
        yield from _statements(n, "body", patch.body)
        yield from _debug_prints(n, patch)


def _places(patch: Patch) -> dict[str, str]:
    return {
        "subject": f"[{patch.subject.prefix}] {patch.subject.summary}" if patch.subject.prefix else
        patch.subject.summary,
        "body": patch.body,
        "trailers": "\n".join(str(t) for t in patch.trailers),
    }


def labels_patch(text: str, m: re.Match[str], label: str) -> bool:
    """Whether the marker word ``m`` labels the patch, rather than naming what it acts on."""
    before = _CLAUSE_END.split(text[:m.start()])[-1]
    prev = [w.casefold() for w in _WORD.findall(before)][-3:]
    after = _WORD.findall(_CLAUSE_END.split(text[m.end():])[0])
    following = after[0].casefold() if after else ""
    if any(w in _ACTS_ON for w in prev):
        return False
    if label == "HACK" and following in _HACK_VERB:
        return False
    return following not in _THINGS


def _marked(text: str, pattern: re.Pattern[str], label: str, by_meaning: bool) -> bool:
    return any(not by_meaning or labels_patch(text, m, label) for m in pattern.finditer(text))


def _markers(n: int, places: dict[str, str], subject_places: set[str]) -> Iterator[Finding]:
    for label, severity, in_subject, in_text, by_meaning in _MARKERS:
        where = []
        for place, text in places.items():
            if place in subject_places:
                # "x86/debug: ..." names a subsystem, not debugging work.
                text = _summary_only(text) if label == "debug" else text
                hit = _marked(text, in_subject, label, by_meaning)
            else:
                hit = _marked(text, in_text, label, by_meaning)
            if hit:
                where.append(place)
        if where:
            yield Finding("wip-marker", severity, n,
                          f"'{label}' in the {' and '.join(where)}: work not meant for merging")


def _summary_only(subject: str) -> str:
    bracket, _, rest = subject.partition("] ") if subject.startswith("[") else ("", "", subject)
    return f"{bracket}] {prefix_chain(rest)[1]}" if bracket else prefix_chain(rest)[1]


def statements(text: str) -> list[str]:
    """The clauses of ``text`` that say its patch is not meant for merging."""
    prose = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))
    found = []
    for sentence in _SENTENCE.split(prose):
        clause = " ".join(sentence.split())
        if not clause:
            continue
        hit = any(p.search(clause) and not _about_code(clause, p) for p in _STATEMENTS)
        if hit or (_SELF.search(clause) and any(p.search(clause) for p in _SELF_STATEMENTS)):
            found.append(clause)
    return found


def _about_code(clause: str, pattern: re.Pattern[str]) -> bool:
    """"the work-in-progress list": the phrase names a thing of the code."""
    m = pattern.search(clause)
    after = _WORD.findall(clause[m.end():]) if m else []
    return bool(after) and after[0].casefold() in _THINGS


def _statements(n: int, place: str, text: str) -> Iterator[Finding]:
    found = statements(text)
    if not found:
        return
    first = found[0] if len(found[0]) <= 100 else found[0][:97] + "..."
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    yield Finding("wip-marker", Severity.WARNING, n,
                  f"the {place} says it is work not meant for merging: \"{first}\"{more}")


def _debug_prints(n: int, patch: Patch) -> Iterator[Finding]:
    calls: Counter[str] = Counter()
    first: dict[str, str] = {}
    for added in added_lines(patch):
        if not _C_FILE.search(added.path) or _COMMENT.match(added.text):
            continue
        for m in _DEBUG_CALL.finditer(added.text):
            calls[m.group(1)] += 1
            first.setdefault(m.group(1), f"{added.path}:{added.line}")
    if not calls:
        return
    for severity in (Severity.ERROR, Severity.WARNING):
        names = [c for c in calls if (c == "trace_printk") == (severity is Severity.ERROR)]
        if not names:
            continue
        count = sum(calls[c] for c in names)
        what = ", ".join(f"{c}() x{calls[c]}" for c in names)
        yield Finding("debug-print", severity, n,
                      f"adds {count} debug print{'s' if count != 1 else ''} ({what}), first at {first[names[0]]}")
