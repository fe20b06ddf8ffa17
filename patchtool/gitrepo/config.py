"""git's configuration and credentials, as ``git config`` and ``git credential`` answer (``GitRepo``'s part)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from patchtool.errors import BadInput


class Config:
    """The config questions of ``GitRepo`` (a mixin: it runs git through ``GitRepo.run_status``)."""

    def config_value(self, key: str, *, path: bool = False) -> str | None:
        """The value git uses for ``key`` (the last one set, includes followed), None when unset;
        ``path``: ``~`` expanded as git expands a pathname. Broken config is one BadInput line."""
        proc = self.run_status("config", *(["--type=path"] if path else []), "--get", key)
        if proc.returncode == 1:
            return None
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise BadInput(f"git config {key}: {err[0] if err else f'exit {proc.returncode}'}")
        return proc.stdout.decode("utf-8", "surrogateescape").removesuffix("\n")

    def config_section(self, section: str) -> dict[str, str]:
        """Every ``section.*`` value set (``git config --get-regexp``): the lower-cased key after ``section.``
        -> the last value set."""
        proc = self.run_status("config", "-z", "--get-regexp", f"^{re.escape(section)}\\.")
        if proc.returncode == 1:
            return {}
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise BadInput(f"git config {section}.*: {err[0] if err else f'exit {proc.returncode}'}")
        out: dict[str, str] = {}
        for record in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
            key, _, value = record.partition("\n")
            if key:
                out[key.lower().removeprefix(f"{section.lower()}.")] = value
        return out

    def credential_fill(self, fields: Mapping[str, str], *, prompt: bool = False) -> dict[str, str] | None:
        """``git credential fill`` for ``fields`` (protocol, host, username): what the helpers (or, with
        ``prompt``, the terminal) give; None when they give no password."""
        payload = "".join(f"{k}={v}\n" for k, v in fields.items()) + "\n"
        proc = self.run_status("credential", "fill", input=payload.encode("utf-8", "surrogateescape"),
                               env={"GIT_TERMINAL_PROMPT": "1" if prompt else "0"})
        answer = dict(line.partition("=")[::2] for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines()
                      if "=" in line)
        return answer if proc.returncode == 0 and answer.get("password") else None

    def credential_report(self, fields: Mapping[str, str], *, worked: bool) -> None:
        """``git credential approve`` (the password worked) or ``reject`` (it was refused)."""
        payload = "".join(f"{k}={v}\n" for k, v in fields.items()) + "\n"
        self.run_status("credential", "approve" if worked else "reject",
                        input=payload.encode("utf-8", "surrogateescape"))
