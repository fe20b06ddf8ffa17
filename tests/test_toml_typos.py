"""series.toml as people type it: likely typos warned about, whitespace trimmed or refused, unknown keys kept.

The series is imported from a real repository's range; series.toml is then
edited by hand, as a maintainer would, and every command that loads the
series must warn (once, on stderr) and go on.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.datafiles import example_series
from patchtool.seriesdir import read_series, toml_warnings
from tests.conftest import Repo


@pytest.fixture
def series(repo: Repo, tmp_path: Path) -> Path:
    repo.write("kernel/a.c", "".join(f"line {i}\n" for i in range(20)))
    repo.commit("base")
    repo.git("tag", "v1")
    repo.write("kernel/a.c", "".join(f"line {i}\n" for i in range(20)) + "more\n")
    repo.commit("kernel: add a line\n\nWhy.\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    folder = tmp_path / "s"
    assert main(["import", "v1..HEAD", "-o", str(folder), "--repo", str(repo.path)]) == 0
    return folder


def _append(folder: Path, text: str) -> None:
    """Hand-edit series.toml: ``text`` goes before the first table, where top-level keys must be."""
    toml = folder / "series.toml"
    body = toml.read_text()
    cut = body.find("\n[")
    cut = len(body) if cut < 0 else cut + 1
    toml.write_text(body[:cut] + text + body[cut:])


def test_the_shipped_example_has_no_warnings() -> None:
    assert toml_warnings(example_series()) == []


@pytest.mark.parametrize(("typed", "meant"), [
    ('bsae = "v1"', "base"), ("verison = 3", "version"), ('"to " = ["a@example.org"]', "to"),
    ("rcf = true", "rfc"), ('base_commit = "abc"', "base-commit"), ('Title = "x"', "title"),
])
def test_a_key_close_to_a_known_one_is_a_warning(series: Path, typed: str, meant: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _append(series, typed + "\n")
    capsys.readouterr()
    assert main(["show", str(series)]) == 0
    err = capsys.readouterr().err
    key = tomllib.loads(typed).popitem()[0]
    assert err == (f"patchtool: warning: {series / 'series.toml'}: unknown key {key!r}: did you mean {meant!r}? "
                   "(kept, but not read)\n")


def test_sub_tables_and_keys_in_the_wrong_table(series: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _append(series, 'template = "shortlog"\n')
    with (series / "series.toml").open("a") as fh:
        fh.write('\n[cover]\nform = "Ada <ada@example.org>"\n\n[render]\nstat-widht = 60\n')
    capsys.readouterr()
    assert main(["show", str(series)]) == 0
    err = capsys.readouterr().err
    assert "unknown key 'template': did you mean 'template' under [render]?" in err
    assert "[cover] unknown key 'form': did you mean 'from'?" in err
    assert "[render] unknown key 'stat-widht': did you mean 'stat-width'?" in err
    assert err.count("\n") == 3


def test_keys_unlike_any_known_one_are_quiet_and_everything_unknown_is_kept(
        series: Path, repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    _append(series, 'x-my-tool = { id = 7 }\nbsae = "v1"\n"to " = ["a@example.org"]\n')
    with (series / "series.toml").open("a") as fh:
        fh.write('\n[cover]\nform = "Ada <ada@example.org>"\n')
    before = tomllib.loads((series / "series.toml").read_text())
    capsys.readouterr()
    assert main(["base", str(series), "v1", "--repo", str(repo.path)]) == 0  # rewrites the folder
    assert "x-my-tool" not in capsys.readouterr().err
    after = tomllib.loads((series / "series.toml").read_text())
    for key in ("x-my-tool", "bsae", "to "):
        assert after[key] == before[key]
    assert after["cover"]["form"] == "Ada <ada@example.org>"
    assert after["base"] == "v1" and read_series(series).base == "v1"


@pytest.mark.parametrize("command", [
    ["show"], ["check"], ["diffstat"], ["lint"], ["cover"], ["base"], ["export", "-o", "OUT"],
    ["rebase", "--onto", "v1", "--forecast"],
])
def test_every_command_that_loads_the_series_warns_once(series: Path, repo: Repo, tmp_path: Path, command: list[str],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    _append(series, "verison = 2\n")
    capsys.readouterr()
    args = [a.replace("OUT", str(tmp_path / "out")) for a in command[1:]]
    where = [] if command == ["show"] else ["--repo", str(repo.path)]  # show reads no repository
    code = main([command[0], str(series), *args, *where])
    err = capsys.readouterr().err
    assert code in (0, 1), err
    assert err.count("unknown key 'verison': did you mean 'version'?") == 1, err


def test_whitespace_around_a_ref_an_address_or_a_title_is_trimmed(series: Path, repo: Repo,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    toml = series / "series.toml"
    meta = tomllib.loads(toml.read_text())
    text = toml.read_text().replace(f'base = "{meta["base"]}"', 'base = " v1 "')
    text = text.replace("to = []", 'to = [" Linus <torvalds@example.org> "]')
    text = text.replace(f'title = "{meta["title"]}"', 'title = "  Trimmed title "')
    toml.write_text(text)
    capsys.readouterr()
    assert main(["check", str(series), "--repo", str(repo.path)]) == 0
    err = capsys.readouterr().err
    assert "base value ' v1 ' has whitespace around it: read as 'v1'" in err
    assert "to value ' Linus <torvalds@example.org> ' has whitespace around it" in err
    assert "title value '  Trimmed title ' has whitespace around it: read as 'Trimmed title'" in err
    loaded = read_series(series)
    assert (loaded.base, loaded.to, loaded.title) == ("v1", ("Linus <torvalds@example.org>",), "Trimmed title")
    assert main(["cover", str(series), "--repo", str(repo.path)]) == 0
    out = capsys.readouterr().out
    assert "] Trimmed title\n" in out and "To: Linus <torvalds@example.org>\n" in out


def test_whitespace_around_a_template_is_refused(series: Path, repo: Repo,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with (series / "series.toml").open("a") as fh:
        fh.write('\n[render]\ntemplate = "shortlog "\n')
    capsys.readouterr()
    assert main(["cover", str(series), "--repo", str(repo.path)]) == 2
    err = capsys.readouterr().err
    assert err == (f"patchtool: {series / 'series.toml'}: [render] template = 'shortlog ' has whitespace around "
                   "it: remove it (a template file name may hold spaces, so patchtool does not guess)\n")


def test_a_table_that_is_not_a_table_is_one_line(series: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _append(series, 'cover = "me"\n')
    capsys.readouterr()
    assert main(["show", str(series)]) == 2
    err = capsys.readouterr().err
    assert err.endswith("series.toml: [cover] must be a table\n") and err.count("\n") == 1


def test_invalid_toml_gives_no_warnings_and_one_error(series: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (series / "series.toml").write_text("bsae = \n")
    assert toml_warnings(series) == []
    capsys.readouterr()
    assert main(["show", str(series)]) == 2
    assert "invalid TOML" in capsys.readouterr().err
