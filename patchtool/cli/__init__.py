"""The command line: thin typer commands over the library, and the one error funnel.

This package is the only place that prints or exits.  Command modules
import their heavy dependencies inside the command, so ``--help`` is fast.
"""

from __future__ import annotations

import sys

# ruff: noqa: I001  (the command modules are imported in the order --help lists them)
# Importing a command module registers its commands on ``app``.
from patchtool.cli import (  # noqa: F401
    series_cmds,
    check_cmd,
    rebase_cmd,
    diffstat_cmd,
    lint_cmd,
    status_cmd,
    cover_cmd,
    export_cmd,
    demo_cmd,
)
from patchtool.cli.app import app
from patchtool.errors import BadInput


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every failure becomes one stderr line and an exit code."""
    import typer

    from patchtool.gitrepo import GitError

    try:
        rv = app(args=argv, standalone_mode=False, prog_name="patchtool")
    except BadInput as exc:
        print(f"patchtool: {exc.one_line()}", file=sys.stderr)
        return _exit(2, argv)
    except typer.Exit as exc:
        return _exit(exc.exit_code, argv)
    except (typer.Abort, KeyboardInterrupt):
        print("patchtool: interrupted", file=sys.stderr)
        return _exit(130, argv)
    except GitError as exc:
        print(f"patchtool: {' '.join(str(exc).split())}", file=sys.stderr)
        return _exit(2, argv)
    except OSError as exc:
        print(f"patchtool: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return _exit(2, argv)
    except Exception as exc:
        # click's usage errors (typer vendors click, so match by shape): one line, exit 2.
        if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
            raise
        print(f"patchtool: {' '.join(exc.format_message().split())}", file=sys.stderr)
        return _exit(2, argv)
    return _exit(rv if isinstance(rv, int) else 0, argv)


def _exit(code: int, argv: list[str] | None) -> int:
    if argv is None:  # called as the console script
        sys.exit(code)
    return code
