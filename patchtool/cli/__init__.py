"""The command line: thin typer commands over the library, and the one error funnel.

This package is the only place that prints or exits.  Command modules
import their heavy dependencies inside the command, so ``--help`` is fast.
"""

from __future__ import annotations

import sys

from patchtool.cli.app import app
from patchtool.errors import BadInput

# Importing a command module registers its commands on ``app``: the modules in the order --help lists
# them, each with the commands it holds.  A run imports (and typer builds) only the module of the command
# it names; --help, a bare ``patchtool`` and an unknown name import them all.
_MODULES = {
    "series_cmds": ("import", "show", "range-diff"),
    "base_cmd": ("base",),
    "lifecycle_cmds": ("update", "reroll", "trailers"),
    "check_cmd": ("check",),
    "rebase_cmd": ("rebase",),
    "diffstat_cmd": ("diffstat",),
    "lint_cmd": ("lint",),
    "status_cmd": ("status",),
    "cover_cmd": ("cover",),
    "export_cmd": ("export",),
    "send_cmd": ("send",),
    "demo_cmd": ("demo",),
}
_MODULE_OF = {command: module for module, commands in _MODULES.items() for command in commands}


def _register(args: list[str]) -> None:
    """Import the command modules ``args`` need (see _MODULES)."""
    import importlib

    name = args[0] if args else None
    for module in (_MODULE_OF[name],) if name in _MODULE_OF else _MODULES:
        importlib.import_module(f"patchtool.cli.{module}")




class _CtrlC:
    """The CLI's SIGINT handler: the first Ctrl-C raises KeyboardInterrupt wherever the program is (a
    progress bar, a wait for workers, a git call); later ones do nothing, so the cleanup the first one
    started, and the exit after it, are never cut short: no hang, no traceback."""

    def __init__(self) -> None:
        self.seen = False
        self.exiting = False

    def __call__(self, signum: int, frame: object) -> None:
        if self.seen or self.exiting:
            return
        self.seen = True
        raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every failure becomes one stderr line and an exit code (130 after a Ctrl-C)."""
    import signal

    ctrl_c = _CtrlC()
    try:
        previous = signal.signal(signal.SIGINT, ctrl_c)
    except ValueError:  # not the main thread: signals are not ours to take
        previous = None
    try:
        code = _run(argv, ctrl_c)
    except KeyboardInterrupt:  # one that came while an error was being printed
        code = 130
    finally:
        ctrl_c.exiting = True
        if previous is not None:
            # The console script ignores Ctrl-C from here on: Python's finalization would otherwise put the
            # default back, and a second Ctrl-C during the exit would kill it (not exit 130).
            signal.signal(signal.SIGINT, previous if argv is not None else signal.SIG_IGN)
    if ctrl_c.seen or code == 130:
        print("patchtool: interrupted", file=sys.stderr)
        code = 130
    return _exit(code, argv)


def _run(argv: list[str] | None, ctrl_c: _CtrlC) -> int:
    import typer

    from patchtool.gitrepo import GitError

    def fail(line: str) -> int:
        if not ctrl_c.seen:  # a git that a Ctrl-C killed fails too: the interrupt is the news
            print(f"patchtool: {line}", file=sys.stderr)
        return 2

    args = sys.argv[1:] if argv is None else list(argv)
    _register(args)
    # Bare ``patchtool``: the help ``--help`` prints, exit 0 (click's no_args_is_help is a usage error, exit 2).
    try:
        rv = app(args=args or ["--help"], standalone_mode=False, prog_name="patchtool")
    except BadInput as exc:
        return fail(exc.one_line())
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        return 130
    except GitError as exc:
        return fail(" ".join(str(exc).split()))
    except OSError as exc:
        return fail(f"{exc.filename or ''}: {exc.strerror or exc}")
    except Exception as exc:
        # click's usage errors (typer vendors click, so match by shape): one line, exit 2.
        if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
            raise
        return fail(" ".join(exc.format_message().split()))
    return rv if isinstance(rv, int) else 0


def _exit(code: int, argv: list[str] | None) -> int:
    if argv is None:  # called as the console script
        # Every file, process and temporary folder of the command is closed, ended or removed by now:
        # what is left is Python's teardown of every module and object, 30 ms of a 0.2 s check. The
        # output is flushed here, a reader that went away (``| head``) is no error of ours.
        import contextlib
        import os

        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)
    return code
