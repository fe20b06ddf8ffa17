"""``scripts/checkpatch.pl`` of the base tree, folded into the lint report as ``checkpatch:<TYPE>``.

The script and the files it reads beside itself (``spelling.txt``,
``const_structs.checkpatch``) are written from the base commit into a
temporary directory, never checked out, and run with ``--no-tree`` (the
checks that need a kernel tree would look at the user's worktree, which
need not be the base).  The patches go to checkpatch in parallel batches,
one ``perl`` each, with the configuration's ``checkpatch-args`` (the
netdev profile: NIPA's ``--strict --max-line-length=80 --ignore=...``).
ERROR and WARNING keep their level, CHECK (``--strict`` style) is
information unless ``checkpatch-checks`` says otherwise.  A Ctrl-C cancels the batches not
started, kills the running ``perl`` processes (each in a process group of
its own) and removes the temporary directory before it goes on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

from patchtool.gitrepo import children_stopped
from patchtool.lint.findings import Context, Finding, Severity
from patchtool.mailfmt import render_patch
from patchtool.tempdirs import interrupts_held, temp_dir

SCRIPT = "scripts/checkpatch.pl"
SUPPORT = ("scripts/spelling.txt", "scripts/const_structs.checkpatch")
ARGS = ("--no-tree", "--terse", "--show-types", "--no-summary")
# --terse (emacs style): "FILE:LINE: LEVEL:TYPE: message"
_REPORT = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<level>ERROR|WARNING|CHECK):(?:(?P<type>[A-Z0-9_]+):)?"
                     r" ?(?P<msg>.*)$")
_LEVELS = {"ERROR": Severity.ERROR, "WARNING": Severity.WARNING, "CHECK": Severity.INFO}


def mail_bytes(ctx: Context, number: int) -> bytes:
    """Patch ``number`` as the mail checkpatch reads: the file as it came, else as format-patch writes it."""
    patch = ctx.series.patches[number - 1]
    if patch.raw is not None:
        return patch.raw
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


def _in_threads(run: Callable[[list[int]], tuple[int, str, str]], batches: list[list[int]], workers: int,
                on_done: Callable[[int], None] | None) -> list[tuple[int, str, str]]:
    """``run`` on each batch in ``workers`` threads.  On any exception (a KeyboardInterrupt above all) the
    batches not started are dropped and the running perls killed before it goes on: no waiting for work
    nobody wants, and no thread left for the interpreter's exit to wait for."""
    pool = ThreadPoolExecutor(max_workers=workers)
    results: list[tuple[int, str, str]] = []
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


def check(ctx: Context, on_done: Callable[[int], None] | None = None) -> Iterator[Finding]:
    """checkpatch's findings; ``on_done(k)`` after each batch of ``k`` patches (for a progress bar)."""
    repo, base = ctx.repo, ctx.tools or ctx.base
    if repo is None or base is None or not ctx.series.patches:
        return
    script = repo.read_path(base, SCRIPT)
    if script is None:
        return
    with temp_dir("checkpatch") as root:
        (root / "scripts").mkdir()
        (root / SCRIPT).write_bytes(script)
        for support in SUPPORT:
            data = repo.read_path(base, support)
            if data is not None:
                (root / support).write_bytes(data)
        (root / "patches").mkdir()
        numbers: dict[str, int] = {}
        for n in range(1, ctx.series.total + 1):
            name = f"{n:04d}.patch"
            (root / "patches" / name).write_bytes(mail_bytes(ctx, n))
            numbers[name] = n

        def run(batch: list[int]) -> tuple[int, str, str]:
            argv = ["perl", SCRIPT, *ARGS, *ctx.config.checkpatch_args, *(f"patches/{n:04d}.patch" for n in batch)]
            proc = repo.run_program(argv, cwd=root)
            return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")

        workers = os.cpu_count() or 2
        # A few batches per worker: perl compiles checkpatch once per batch, and
        # a progress bar still moves.
        batches = _batches(range(1, ctx.series.total + 1), 4 * workers)
        try:
            results = _in_threads(run, batches, workers, on_done)
        except FileNotFoundError:
            yield Finding("checkpatch", Severity.INFO, 0, f"perl is not installed: {SCRIPT} of the base not run")
            return
    found: list[Finding] = []
    for rc, out, err in results:
        parsed = list(parse_output(out, numbers, Severity(ctx.config.checkpatch_checks)))
        found.extend(parsed)
        if rc not in (0, 1) or (rc == 1 and not parsed and err.strip()):
            first = next((ln for ln in err.splitlines() if ln.strip()), f"exit status {rc}")
            found.append(Finding("checkpatch", Severity.INFO, 0, f"{SCRIPT} of the base failed: {first.strip()}"))
    yield from sorted(found, key=lambda f: f.patch)
