"""``scripts/checkpatch.pl`` of the base tree, folded into the lint report as ``checkpatch:<TYPE>``.

The script and the files it reads beside itself (``spelling.txt``,
``const_structs.checkpatch``) are written from the base commit into a
temporary directory, never checked out, and run with ``--no-tree`` (the
checks that need a kernel tree would look at the user's worktree, which
need not be the base).  The patches go to checkpatch in parallel batches,
one ``perl`` each (``Running``: in a thread started as lint starts, so the
perls run while lint does the rest), with the configuration's ``checkpatch-args`` (the
netdev profile: NIPA's ``--strict --max-line-length=80 --ignore=...``).
ERROR and WARNING keep their level, CHECK (``--strict`` style) is
information unless ``checkpatch-checks`` says otherwise.  A Ctrl-C cancels the batches not
started, kills the running ``perl`` processes (each in a process group of
its own) and removes the temporary directory before it goes on.

What checkpatch printed for a patch is cached (``patchtool.cache``) under
the blob ids of the script and the files it reads, its options (and
``~/.checkpatch.conf``, which it reads too) and the sha256 of the mail: a
second lint of the same patches runs no ``perl``, and a changed patch is
the only one checked again.  The cached lines are parsed as fresh ones.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from patchtool import cache
from patchtool.gitrepo import children_stopped
from patchtool.lint.background import Background
from patchtool.lint.findings import Context, Finding, Severity, Skipped
from patchtool.tempdirs import interrupts_held, temp_dir

SCRIPT = "scripts/checkpatch.pl"
SUPPORT = ("scripts/spelling.txt", "scripts/const_structs.checkpatch")
ARGS = ("--no-tree", "--terse", "--show-types", "--no-summary")
# --terse (emacs style): "FILE:LINE: LEVEL:TYPE: message"
_REPORT = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<level>ERROR|WARNING|CHECK):(?:(?P<type>[A-Z0-9_]+):)?"
                     r" ?(?P<msg>.*)$")
_LEVELS = {"ERROR": Severity.ERROR, "WARNING": Severity.WARNING, "CHECK": Severity.INFO}
CACHE_KIND = "checkpatch.v1"
PATCHES_PER_BATCH = 16
T = TypeVar("T")
_OWN_LINE = re.compile(r"^patches/(\d{4})\.patch(:.*)$")  # a line of checkpatch's about one of the files given


def mail_bytes(ctx: Context, number: int) -> bytes:
    """Patch ``number`` as the mail checkpatch reads: the file as it came, else as format-patch writes it."""
    patch = ctx.series.patches[number - 1]
    if patch.raw is not None:
        return patch.raw
    from patchtool.mailfmt import render_patch  # with email.utils: for a stored series, never loaded

    return render_patch(patch, ctx.series.subject_for(number)).encode("utf-8", "surrogateescape")


def parse_output(text: str, numbers: dict[str, int], checks: Severity = Severity.INFO) -> Iterator[Finding]:
    """checkpatch's terse lines -> findings; ``numbers`` maps the file names given to patch numbers,
    ``checks`` is the level of its CHECK lines (``checkpatch-checks`` in .patchtool.toml)."""
    for line in text.splitlines():
        m = _REPORT.match(line)
        if m is None:
            continue
        name = os.path.basename(m.group("file"))
        rule = f"checkpatch:{m.group('type')}" if m.group("type") else "checkpatch"
        level = checks if m.group("level") == "CHECK" else _LEVELS[m.group("level")]
        yield Finding(rule, level, numbers.get(name, 0),
                      f"line {m.group('line')}: {m.group('msg').strip()}")


def _batches(items: Sequence[int], count: int) -> list[list[int]]:
    count = max(1, min(count, len(items)))
    return [list(items[i::count]) for i in range(count) if items[i::count]]


def _in_threads(run: Callable[[list[int]], T], batches: list[list[int]], workers: int,
                on_done: Callable[[int], None] | None) -> list[T]:
    """``run`` on each batch in ``workers`` threads.  On any exception (a KeyboardInterrupt above all) the
    batches not started are dropped and the running perls killed before it goes on: no waiting for work
    nobody wants, and no thread left for the interpreter's exit to wait for."""
    from concurrent.futures import ThreadPoolExecutor, as_completed  # only when perl runs: not on a warm lint

    pool = ThreadPoolExecutor(max_workers=workers)
    results: list[T] = []
    try:
        futures = {pool.submit(run, batch): len(batch) for batch in batches}
        for future in as_completed(futures):
            results.append(future.result())
            if on_done is not None:
                on_done(futures[future])
    except BaseException:
        with interrupts_held():
            pool.shutdown(wait=False, cancel_futures=True)
            with children_stopped():
                pool.shutdown(wait=True)
        raise
    pool.shutdown(wait=True)
    return results


def _name(n: int) -> str:
    return f"{n:04d}.patch"


def _user_conf() -> bytes:
    """``~/.checkpatch.conf``, which checkpatch reads options from (b"" when there is none)."""
    try:
        return (Path.home() / ".checkpatch.conf").read_bytes()
    except (OSError, RuntimeError, KeyError):
        return b""


def _valid(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(line, str) for line in value)


def check(ctx: Context, on_done: Callable[[int], None] | None = None) -> Iterator[Finding | Skipped]:
    """checkpatch's findings; ``on_done(k)`` after each batch of ``k`` patches (for a progress bar);
    Skipped when the tree it would come from has none."""
    repo, base = ctx.repo, ctx.tools or ctx.base
    if repo is None or base is None or not ctx.series.patches:
        return
    wanted = [f"{base}:{path}" for path in (SCRIPT, *SUPPORT)]
    ids = repo.object_ids(wanted)
    if ids.get(wanted[0], ("", ""))[1] != "blob":
        yield Skipped("checkpatch", f"no {SCRIPT} in the {'base' if ctx.base else 'repository'}")
        return
    total = ctx.series.total
    mails = {n: mail_bytes(ctx, n) for n in range(1, total + 1)}
    tools = [ids[w][0] if w in ids else "-" for w in wanted]
    options = "\0".join((*ARGS, *ctx.config.checkpatch_args))
    conf = hashlib.sha256(_user_conf()).hexdigest()

    def key(n: int) -> list[str]:
        return [*tools, options, conf, hashlib.sha256(mails[n]).hexdigest()]

    # per patch, what checkpatch printed about it (each line without the file name)
    said: dict[int, list[str]] = {}
    for n in mails:
        got = cache.get(CACHE_KIND, key(n))
        if _valid(got):
            said[n] = got
    if said and on_done is not None:
        on_done(len(said))
    todo = [n for n in mails if n not in said]
    found: list[Finding] = []
    if todo:
        try:
            runs = _run(ctx, base, todo, mails, on_done)
        except FileNotFoundError:
            yield Finding("checkpatch", Severity.INFO, 0, f"perl is not installed: {SCRIPT} of the base not run")
            return
        numbers = {_name(n): n for n in mails}
        for batch, (rc, out, err) in runs:
            parsed = list(parse_output(out, numbers, Severity(ctx.config.checkpatch_checks)))
            ok = not (rc not in (0, 1) or (rc == 1 and not parsed and err.strip()))
            if not ok:
                first = next((ln for ln in err.splitlines() if ln.strip()), f"exit status {rc}")
                found.append(Finding("checkpatch", Severity.INFO, 0, f"{SCRIPT} of the base failed: {first.strip()}"))
            lines: dict[int, list[str]] = {n: [] for n in batch}
            for line in out.splitlines():
                if (m := _OWN_LINE.match(line)) and int(m.group(1)) in lines:
                    lines[int(m.group(1))].append(m.group(2))
            for n, mine in lines.items():
                said[n] = mine
                if ok:
                    cache.put(CACHE_KIND, key(n), mine)
    checks = Severity(ctx.config.checkpatch_checks)
    for n in sorted(said):
        text = "".join(f"patches/{_name(n)}{rest}\n" for rest in said[n])
        found.extend(parse_output(text, {_name(n): n}, checks))
    yield from sorted(found, key=lambda f: f.patch)


def _run(ctx: Context, base: str, todo: list[int], mails: dict[int, bytes],
         on_done: Callable[[int], None] | None) -> list[tuple[list[int], tuple[int, str, str]]]:
    """checkpatch of the base on the patches ``todo``: (batch, (exit status, stdout, stderr)) per perl run."""
    repo = ctx.repo
    assert repo is not None
    script = repo.read_path(base, SCRIPT) or b""
    with temp_dir("checkpatch") as root:
        (root / "scripts").mkdir()
        (root / SCRIPT).write_bytes(script)
        for support in SUPPORT:
            data = repo.read_path(base, support)
            if data is not None:
                (root / support).write_bytes(data)
        (root / "patches").mkdir()
        for n in todo:
            (root / "patches" / _name(n)).write_bytes(mails[n])

        def run(batch: list[int]) -> tuple[list[int], tuple[int, str, str]]:
            argv = ["perl", SCRIPT, *ARGS, *ctx.config.checkpatch_args, *(f"patches/{_name(n)}" for n in batch)]
            proc = repo.run_program(argv, cwd=root)
            return batch, (proc.returncode, proc.stdout.decode("utf-8", "replace"),
                           proc.stderr.decode("utf-8", "replace"))

        workers = os.cpu_count() or 2
        # perl compiles checkpatch once per batch (0.25 s of CPU, where a patch costs 0.02 s): one batch
        # per worker for a short series, up to four per worker for a long one, so a progress bar moves.
        count = min(4 * workers, max(workers, -(-len(todo) // PATCHES_PER_BATCH)))
        return _in_threads(run, _batches(todo, count), workers, on_done)


class Running(Background[Finding | Skipped]):
    """``check`` started in a thread of its own, so that its perls run while lint does the rest (the
    parse of MAINTAINERS, kernel-doc, applying the series): on 2 cores a cold lint is then as long
    as its longer half, not the sum."""

    def __init__(self, ctx: Context):
        super().__init__(lambda counted: check(ctx, counted), name="checkpatch")
