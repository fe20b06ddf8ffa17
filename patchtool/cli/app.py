"""The typer application object every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="patchtool",
    help="Kernel-style patch series: import, check, diffstat, cover, lint, rebase, export.",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,  # plain help: importing rich would cost --help 0.2 s
)


@app.callback()
def _group() -> None:
    """Kernel-style patch series: import, check, diffstat, cover, lint, rebase, export."""
    # A group even when a run registers one command (cli._register): typer runs a lone command without
    # its name otherwise.
