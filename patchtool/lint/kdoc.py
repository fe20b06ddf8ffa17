"""Check ``kdoc``: the warnings ``scripts/kernel-doc -none`` of the base gives that a patch adds.

As NIPA's ``tests/patch/kdoc``: for each patch, kernel-doc runs on the
files it modifies or deletes as they were before it, and on those it adds
or modifies as they are after it; a warning of the second run that the
first did not give (compared without its line number, so moved code is not
new) is the patch's.  NIPA fails such a patch (error; the kernel profile
warns).  Only ``.c`` and ``.h`` files are read (kernel-doc comments live
there) and renamed files are left out, as NIPA's ``--diff-filter`` leaves
them.

The script is the base's own (the Perl one, or ``kernel-doc.py`` and its
``scripts/lib/kdoc``), written with the files from the trees the applier
made into a temporary folder, never checked out; one run reads every
patch's before and after copies (each under a folder of its own).
``-Wall`` is passed to the scripts that know it.  Without the script in the
base the check is skipped, saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from patchtool import cache
from patchtool.apply import Status
from patchtool.gitrepo import GitRepo
from patchtool.lint.findings import Context, Finding, Severity, Skipped
from patchtool.model import ChangeKind
from patchtool.tempdirs import temp_dir

SCRIPT = "scripts/kernel-doc"
_TOOL_PATHS = (SCRIPT, "scripts/kernel-doc.py", "scripts/lib/kdoc")
# "x/a.c:8: warning: ..." (the Perl script) and "Warning: x/a.c:8 ..." (NIPA's parser, newer scripts)
_FILE_FIRST = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+):\s*(?P<kind>warning|error):\s*(?P<content>.*)$", re.I)
_KIND_FIRST = re.compile(r"^(?P<kind>warning|error):\s+(?P<file>[/\w.+-]*):(?P<line>\d+)\s*(?P<content>.*)$", re.I)
_DOC_FILE = re.compile(r"\.[ch]$")

Key = tuple[str, str, str]  # (kind, file, content): a warning without its line number


def parse_warnings(text: str) -> list[tuple[Key, str]]:
    """kernel-doc's stderr -> (key, the warning as printed); a line ending in ':' takes the next one along."""
    lines = text.strip().split("\n")
    out: list[tuple[Key, str]] = []
    skip = False
    for i, line in enumerate(lines):
        if skip:
            skip = False
            continue
        if not line.strip():
            continue
        extra = ""
        if line.endswith(":") and i + 1 < len(lines):
            extra, skip = "\n" + lines[i + 1], True
        m = _FILE_FIRST.match(line) or _KIND_FIRST.match(line)
        if m:
            out.append(((m["kind"].lower(), m["file"], m["content"] + extra), line + extra))
        else:
            out.append((("unknown", "", line + extra), line + extra))
    return out


def _tool_entries(store: GitRepo, base: str) -> list[tuple[str, str, str]]:
    """(mode, blob id, path) of the script and its library in the base."""
    out = store.run("ls-tree", "-r", "-z", base, "--", *_TOOL_PATHS).decode("utf-8", "surrogateescape")
    return [(head.split()[0], head.split()[2], path) for item in out.split("\x00") if item
            for head, path in [item.split("\t", 1)]]


def _write_tools(store: GitRepo, entries: list[tuple[str, str, str]], root: Path) -> tuple[list[str], bool]:
    """The script and its library written under ``root``: (argv, knows -Wall)."""
    blobs = store.read_blobs(oid for _, oid, _ in entries)
    texts = b""
    for mode, oid, path in entries:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            target.symlink_to(blobs[oid].decode("utf-8", "surrogateescape"))
        else:
            target.write_bytes(blobs[oid])
            target.chmod(0o755)
            texts += blobs[oid]
    script = (root / SCRIPT).resolve()
    first = script.read_bytes().split(b"\n", 1)[0] if script.is_file() else b""
    runner = ["perl"] if b"perl" in first else ["python3"] if b"python" in first else []
    return [*runner, str(script)], b"Wall" in texts


def check(ctx: Context) -> Iterator[Finding | Skipped]:
    applied, base = ctx.applied, ctx.base
    if applied is None or base is None:
        return
    store, result = applied.store, applied.result
    # (patch number, "b" or "a", path, the patches applied before that copy) for every copy kernel-doc reads
    copies: list[tuple[int, str, str, int]] = []
    for r in result.patches:
        if r.status is Status.CONFLICT:
            break
        for fc in r.patch.files:
            if fc.kind in (ChangeKind.MODIFY, ChangeKind.DELETE) and fc.old_path and _DOC_FILE.search(fc.old_path):
                copies.append((r.number, "b", fc.old_path, r.number - 1))
            if fc.kind in (ChangeKind.ADD, ChangeKind.MODIFY) and fc.new_path and _DOC_FILE.search(fc.new_path):
                copies.append((r.number, "a", fc.new_path, r.number))
    if not copies:
        return
    entries = _tool_entries(store, base)
    if not any(path == SCRIPT for _, _, path in entries):
        yield Skipped("kdoc", f"no {SCRIPT} in the base")
        return
    files: list[tuple[str, str, bytes]] = []  # (name kernel-doc sees, blob id, content): the applier's
    for n, side, path, applied_before in copies:
        if (got := result.file_after(applied_before, path)) is not None:
            files.append((f"{side}{n}/{path}", *got))

    missing: list[str] = []  # the interpreter the script wants, when it is not installed

    def run() -> str | None:
        # checkpatch's kind of folder: lint's scripts of the base (tempdirs.py sweeps what a killed run left).
        with temp_dir("checkpatch") as root:
            argv, wall = _write_tools(store, entries, root / "tools")
            for name, _, data in files:
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_bytes(data)
            try:
                proc = store.run_program([*argv, *(["-Wall"] if wall else []), "-none",
                                          *(name for name, _, _ in files)], cwd=root)
            except FileNotFoundError:
                missing.append(argv[0])
                return None
        return proc.stderr.decode("utf-8", "replace")

    # The same scripts on the same files say the same: keyed by every blob id and name involved.
    parts = [[list(e) for e in entries], [[name, oid] for name, oid, _ in files]]
    stderr = cache.memo("kdoc.v1", parts, run, valid=lambda v: isinstance(v, str))
    if stderr is None:
        yield Skipped("kdoc", f"{missing[0] if missing else 'its interpreter'} is not installed: "
                              f"{SCRIPT} of the base not run")
        return
    warnings: dict[tuple[int, str], list[tuple[Key, str]]] = {}
    for key, shown in parse_warnings(stderr):
        side, _, rest = key[1].partition("/")
        if side[:1] in "ab" and side[1:].isdigit():
            key, shown = (key[0], rest, key[2]), shown.replace(f"{side}/", "", 1)
            warnings.setdefault((int(side[1:]), side[0]), []).append((key, shown))
    for n in sorted({n for n, _, _, _ in copies}):
        old = warnings.get((n, "b"), [])
        new = warnings.get((n, "a"), [])
        incumbent = {k for k, _ in old}
        added = [shown for k, shown in new if k not in incumbent]
        if added:
            more = f" (and {len(added) - 1} more)" if len(added) > 1 else ""
            yield Finding("kdoc", Severity.ERROR, n,
                          f"kernel-doc warnings before: {len(old)} after: {len(new)} (add: {len(added)}): "
                          f"{added[0]}{more}")
