"""``patchtool show``: the ordered patches as text and as JSON, counted by git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patchtool.cli import main

from .conftest import Repo


def _series(repo: Repo, tmp_path: Path) -> Path:
    repo.write("net/core.c", "".join(f"c{i}\n" for i in range(30)))
    repo.write("net/old.c", "".join(f"o{i}\n" for i in range(30)))
    repo.commit("base")
    repo.git("tag", "-a", "-m", "v1", "v1.0")
    repo.write("net/core.c", "".join(f"c{i}\n" for i in range(30)).replace("c3\n", "c3a\nc3b\n"))
    repo.commit("net: split c3\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    (repo.path / "net/old.c").rename(repo.path / "net/new.c")
    repo.commit("net: rename old.c", author="Zoë Ağaoğlu <zoe@example.org>")
    out = tmp_path / "s"
    assert main(["import", "v1.0..HEAD", "-o", str(out), "--repo", str(repo.path)]) == 0
    return out


def test_show_json_matches_git_numstat(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _series(repo, tmp_path)
    capsys.readouterr()
    assert main(["show", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == 1
    assert doc["base"] == "v1.0"
    assert doc["base_commit"] == repo.git("rev-parse", "v1.0^{commit}").strip()
    assert [p["number"] for p in doc["patches"]] == [1, 2]
    for number, patch in enumerate(doc["patches"], 1):
        rev = f"HEAD~{2 - number}"
        numstat = repo.git("show", "-M", "--numstat", "--format=", rev).split()
        assert [patch["insertions"], patch["deletions"]] == [int(numstat[0]), int(numstat[1])]
        assert patch["subject"] == repo.git("log", "-1", "--format=%s", rev).strip()
        assert patch["author"]["name"] == repo.git("log", "-1", "--format=%an", rev).strip()
    assert doc["patches"][1]["files"][0] == {
        "path": "net/new.c", "old_path": "net/old.c", "kind": "rename", "binary": False,
        "insertions": 0, "deletions": 0,
    }


def test_show_text(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _series(repo, tmp_path)
    capsys.readouterr()
    assert main(["show", str(out)]) == 0
    text = capsys.readouterr().out
    assert "1/2 net: split c3" in text
    assert "2/2 net: rename old.c" in text
    assert "Zoë Ağaoğlu <zoe@example.org>" in text
    assert "net/old.c => net/new.c" in text
