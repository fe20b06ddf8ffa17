"""The series folder: unknown keys survive a rewrite, writes are all or nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patchtool.model import Person
from patchtool.seriesdir import read_series, write_series
from patchtool.sources.folder import read_folder

from .conftest import Repo


@pytest.fixture
def series_dir(repo: Repo, tmp_path: Path) -> Path:
    repo.write("a.c", "a\n")
    base = repo.commit("base")
    repo.write("a.c", "a\nb\n")
    repo.commit("a: add b")
    repo.write("a.c", "a\nb\nc\n")
    repo.commit("a: add c")
    repo.git("format-patch", "-q", "-o", str(tmp_path / "fp"), f"{base}..HEAD")
    out = tmp_path / "series" / "s"
    write_series(read_folder(tmp_path / "fp", name="s"), out)
    return out


def test_unknown_keys_and_files_survive_a_rewrite(series_dir: Path) -> None:
    toml = series_dir / "series.toml"
    toml.write_text(toml.read_text() + 'branch = "working-io_uring"\n\n'
                    '[b4]\nprep-cover-strategy = "branch-description"\n'
                    '\n[links]\n1 = "https://lore.kernel.org/r/1@x"\n\n[changes]\nv2 = "- fewer bugs"\n')
    (series_dir / "history" / "v1").mkdir(parents=True)
    (series_dir / "history" / "v1" / "series.toml").write_text('title = "old"\n')
    (series_dir / "NOTES").write_text("mine\n")
    loaded = read_series(series_dir)
    assert loaded.links == {1: "https://lore.kernel.org/r/1@x"}
    assert loaded.changes == {2: "- fewer bugs"}
    write_series(replace(loaded, version=3, title="new title"), series_dir)
    again = read_series(series_dir)
    assert (again.version, again.title) == (3, "new title")
    assert again.extra["branch"] == "working-io_uring"
    assert again.extra["b4"] == {"prep-cover-strategy": "branch-description"}
    assert again.links == loaded.links and again.changes == loaded.changes
    assert (series_dir / "history" / "v1" / "series.toml").read_text() == 'title = "old"\n'
    assert (series_dir / "NOTES").read_text() == "mine\n"


def test_an_interrupted_write_leaves_the_folder_as_it_was(series_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = {p.relative_to(series_dir): p.read_bytes() for p in series_dir.rglob("*") if p.is_file()}
    siblings = sorted(p.name for p in series_dir.parent.iterdir())
    loaded = read_series(series_dir)

    def boom(_doc: object, **_options: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("tomli_w.dumps", boom)  # what write_series calls
    with pytest.raises(KeyboardInterrupt):
        write_series(replace(loaded, title="never written"), series_dir)
    after = {p.relative_to(series_dir): p.read_bytes() for p in series_dir.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in series_dir.parent.iterdir()) == siblings


_NAME_CHARS = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs", "Cc"))


@settings(max_examples=400, deadline=None)
@given(name=st.text(_NAME_CHARS, max_size=12) | st.sampled_from(["Paul Moore", "J. Doe", "Hallyn, Serge",
                                                                  "Jöns  Ü", "A\u00a0B", "x\u2028y", "(c) d"]),
       local=st.from_regex(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,8}", fullmatch=True),
       domain=st.from_regex(r"[A-Za-z0-9.-]{1,10}", fullmatch=True))
def test_a_stored_person_reads_as_parseaddr_reads_it(name: str, local: str, domain: str) -> None:
    from email.utils import parseaddr

    from patchtool.seriesdir import _person

    for text in (f"{name} <{local}@{domain}>", str(Person(name, f"{local}@{domain}"))):
        assert _person(text) == Person(*parseaddr(text))
