"""The one bad-input error: everything the user can fix by changing input.

The CLI turns it into one line on stderr and exit code 2.  It imports
nothing so every layer may raise it.
"""

from __future__ import annotations


class BadInput(Exception):
    """Input the user must fix: a file, a ref, a repository, an option."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.message = message
        self.source = source
        self.line = line
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.source is not None:
            where = f"{self.source}:{self.line}: " if self.line is not None else f"{self.source}: "
        text = " ".join(self.message.split())  # never more than one line
        return f"{where}{text}"
