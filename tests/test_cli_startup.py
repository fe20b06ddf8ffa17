"""What starting a command costs and offers: one command module per run, shell completion.

A run imports (and typer builds) only the module of the command it names
(``patchtool.cli._register``); ``--help`` and a bare ``patchtool`` list
every command.  Completion is click's, through typer: the shell calls the
console script with ``_PATCHTOOL_COMPLETE`` set, so the tests do exactly that.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from patchtool.cli import _MODULES

EXAMPLE = Path(__file__).resolve().parent.parent / "series" / "io_uring-lsm"

_SCRIPT = Path(sys.executable).with_name("patchtool")
PATCHTOOL = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-c", "from patchtool.cli import main; main()"]


def _complete(words: str, tmp_path: Path) -> list[str]:
    env = {**os.environ, "_PATCHTOOL_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    proc = subprocess.run(PATCHTOOL, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def _help_commands(tmp_path: Path) -> list[str]:
    out = subprocess.run([*PATCHTOOL, "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60).stdout
    listed = out.split("Commands:", 1)[1].splitlines()
    return [line.split()[0] for line in listed if line.startswith("  ") and not line.startswith("   ")]


def test_every_command_is_completed_and_listed(tmp_path: Path) -> None:
    commands = [c for names in _MODULES.values() for c in names]
    assert _help_commands(tmp_path) == commands
    assert _complete("patchtool ", tmp_path) == commands
    assert _complete("patchtool re", tmp_path) == [c for c in commands if c.startswith("re")]


def test_options_of_a_command_are_completed(tmp_path: Path) -> None:
    assert _complete("patchtool check --b", tmp_path) == ["--base"]
    assert "--no-cache" in _complete("patchtool lint --", tmp_path)


@pytest.mark.parametrize("command", ["check", "diffstat", "import"])
def test_a_run_imports_only_its_command(command: str) -> None:
    code = (f"import sys\nfrom patchtool.cli import main\nmain([{command!r}, '--help'])\n"
            "print(' '.join(m for m in sys.modules if m.startswith('patchtool.cli.')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    loaded = set(proc.stdout.split("\n")[-2].split())
    mine = next(m for m, names in _MODULES.items() if command in names)
    assert {f"patchtool.cli.{m}" for m in _MODULES} & loaded == {f"patchtool.cli.{mine}"}


_LOADED = """
import sys
from patchtool.cli import main
main(sys.argv[1:])
heavy = ("email", "unidiff", "jinja2", "rich", "concurrent.futures", "tomli_w")
print(" ".join(sorted(m for m in sys.modules if m in heavy)), file=sys.stderr)
"""


@pytest.fixture(scope="module")
def example_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from patchtool.demo.build import build_base_repo

    base = tmp_path_factory.mktemp("example") / "linux"
    build_base_repo(base)
    return base


@pytest.mark.parametrize("argv", [["check"], ["lint"], ["diffstat", "--by", "subsystem"], ["show"]])
def test_a_warm_run_loads_no_mail_diff_template_or_terminal_library(argv: list[str], example_repo: Path,
                                                                   tmp_path: Path) -> None:
    # The everyday commands on a stored series, piped, the second time (the cache holds the parsed patches,
    # MAINTAINERS, the subject history): nothing of email, unidiff, jinja2, rich, a thread pool or tomli_w.
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    env.pop("PATCHTOOL_NO_CACHE", None)
    run = [sys.executable, "-c", _LOADED, *argv, str(EXAMPLE), *(["--repo", str(example_repo)] if argv[0] != "show"
                                                                   else [])]
    first, second = (subprocess.run(run, env=env, capture_output=True, text=True, timeout=120) for _ in range(2))
    assert first.returncode in (0, 1), first.stderr
    assert second.stderr.splitlines()[-1:] == [""], second.stderr
    assert second.stdout == first.stdout


def test_the_console_script_hands_over_its_whole_output_and_exit_code(tmp_path: Path) -> None:
    # The console script ends without Python's teardown (``patchtool.cli._exit``): what it printed must
    # still all reach the pipe, with the command's exit code, as a run that returns and exits normally.
    returning = [sys.executable, "-c", "import sys\nfrom patchtool.cli import main\nsys.exit(main(sys.argv[1:]))"]
    env = {**os.environ, "COLUMNS": "80"}
    for argv, code in ((["--help"], 0), (["check", "--help"], 0), (["check", str(tmp_path / "none")], 2)):
        ours, normal = (subprocess.run([*how, *argv], capture_output=True, text=True, timeout=60, env=env)
                        for how in (PATCHTOOL, returning))
        assert (ours.returncode, ours.stdout, ours.stderr) == (code, normal.stdout, normal.stderr)
        assert ours.stdout or ours.stderr


def test_a_reader_that_went_away_is_no_error() -> None:
    # ``patchtool --help | head -c0``: click pacifies the broken pipe (exit 1, as click exits) and the
    # script's last flush before ``os._exit`` must not turn it into a traceback.
    proc = subprocess.Popen([*PATCHTOOL, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert (proc.wait(timeout=60), err) == (1, b"")
