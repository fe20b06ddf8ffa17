"""``patchtool check`` from the command line: exit codes, SPEC's JSON, the one-line
errors, and the promise that the repository is left exactly as it was."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.errors import BadInput
from tests.conftest import Repo

Project = tuple[Repo, Path]
Capsys = pytest.CaptureFixture[str]
LINES = [f"\tstep_{i}();\n" for i in range(40)]


@pytest.fixture
def project(repo: Repo, tmp_path: Path) -> Project:
    """A repository tagged v1 (the series' base), v2 (upstream moved the code: offsets),
    v3 (upstream changed the patched line: conflict), and a 2-patch series on v1."""
    repo.write("kernel/sched.c", "".join(LINES))
    repo.write("include/sched.h", "int sched(void);\n")
    repo.commit("base")
    repo.git("tag", "v1")
    repo.git("checkout", "-q", "-b", "topic")
    changed = list(LINES)
    changed[10] = "\tstep_10(ctx);\n"
    repo.write("kernel/sched.c", "".join(changed))
    repo.commit("sched: pass the context to step 10")
    repo.write("include/sched.h", "int sched(void);\nint sched_ctx(void);\n")
    repo.commit("sched: declare sched_ctx")
    repo.git("checkout", "-q", "master")
    repo.write("kernel/sched.c", "/* moved */\n" * 5 + "".join(LINES))
    repo.commit("upstream: comments on top")
    repo.git("tag", "v2")
    conflicting = ["/* moved */\n"] * 5 + list(LINES)
    conflicting[15] = "\tstep_10(flags);\n"
    repo.write("kernel/sched.c", "".join(conflicting))
    repo.commit("upstream: flags")
    repo.git("tag", "v3")
    folder = tmp_path / "series" / "sched"
    assert main(["import", "v1..topic", "-o", str(folder), "--repo", str(repo.path)]) == 0
    return repo, folder


def run(capsys: Capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_on_own_base_exit_0_and_json_shape(project: Project, capsys: Capsys) -> None:
    repo, folder = project
    code, out, _ = run(capsys, "check", str(folder), "--repo", str(repo.path), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == 1 and doc["series"] == "sched" and doc["version"] == 1
    (base,) = doc["bases"]
    assert base["base"] == "v1"
    assert base["commit"] == repo.git("rev-parse", "v1^{commit}").strip()
    assert base["applies"] is True
    assert base["result_tree"] == repo.git("rev-parse", "topic^{tree}").strip()
    assert [p["number"] for p in base["patches"]] == [1, 2]
    first = base["patches"][0]
    assert first["subject"] == "sched: pass the context to step 10"
    assert first["status"] == "clean" and first["files"] == ["kernel/sched.c"] and first["problems"] == []


def test_matrix_offset_and_conflict_exit_1(project: Project, capsys: Capsys) -> None:
    repo, folder = project
    code, out, _ = run(capsys, "check", str(folder), "--repo", str(repo.path), "--base", "v*", "--jobs", "2",
                       "--json")
    assert code == 1
    doc = json.loads(out)
    by_base = {b["base"]: b for b in doc["bases"]}
    assert list(by_base) == ["v1", "v2", "v3"]
    assert [p["status"] for p in by_base["v1"]["patches"]] == ["clean", "clean"]
    assert [p["status"] for p in by_base["v2"]["patches"]] == ["offset", "clean"]
    assert by_base["v2"]["patches"][0]["offsets"] == [
        {"file": "kernel/sched.c", "hunk": "@@ -8,7 +8,7 @@", "lines": 5}]
    v3 = by_base["v3"]
    assert v3["applies"] is False and v3["result_tree"] is None
    assert [p["status"] for p in v3["patches"]] == ["conflict", "clean"]
    problem = next(p for p in v3["patches"][0]["problems"] if p["hunk"])
    assert problem["file"] == "kernel/sched.c" and problem["hunk"] == "@@ -8,7 +8,7 @@"
    assert problem["expected"][3] == "\tstep_10();" and problem["actual"][3] == "\tstep_10(flags);"
    assert v3["patches"][1]["after_conflict"] is True and v3["patches"][1]["touches_failed"] is False


def test_plain_text_when_piped(project: Project, capsys: Capsys) -> None:
    repo, folder = project
    code, out, _ = run(capsys, "check", str(folder), "--repo", str(repo.path), "--base", "v2", "--base", "v3", "-v")
    assert code == 1
    assert "\x1b[" not in out and "✓" not in out  # no colour, no symbols in a pipe
    header = out.splitlines()[0].split()
    assert header[-2:] == ["v2", "v3"]
    assert "offset" in out and "conflict" in out
    # The conflict is explained: hunk, expected lines, what the base has.
    assert "kernel/sched.c @@ -8,7 +8,7 @@" in out
    assert "the patch expects:" in out and "|\tstep_10();" in out
    assert "the base has (line 13):" in out and "|\tstep_10(flags);" in out


@pytest.mark.parametrize("args, needle", [
    (["--base", "v9"], "unknown revision: v9"),
    (["--base", "nothing*"], "no tag or branch matches 'nothing*'"),
])
def test_missing_base_exit_2_one_line(project: Project, capsys: Capsys, args: list[str], needle: str) -> None:
    repo, folder = project
    code, out, err = run(capsys, "check", str(folder), "--repo", str(repo.path), *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and needle in err and err.startswith("patchtool: ")


def test_series_base_missing_from_repo_exit_2(project: Project, capsys: Capsys) -> None:
    repo, folder = project
    toml = folder / "series.toml"
    text = toml.read_text()
    commit = repo.git("rev-parse", "v1^{commit}").strip()
    toml.write_text(text.replace(commit, "1" * 40))
    code, _, err = run(capsys, "check", str(folder), "--repo", str(repo.path))
    assert code == 2 and "1111111111111111111111111111111111111111" in err and err.count("\n") == 1


def test_not_a_series_exit_2(repo: Repo, capsys: Capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", str(tmp_path / "nowhere"), "--repo", str(repo.path))
    assert code == 2 and "no series.toml" in err


def _snapshot(repo: Repo) -> dict[str, object]:
    git = repo.path / ".git"

    def files(root: Path, skip_git: bool) -> dict[str, str]:
        out = {}
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root)
            if p.is_file() and not (skip_git and rel.parts[0] == ".git"):
                out[str(rel)] = hashlib.sha1(p.read_bytes()).hexdigest()
        return out

    return {
        "refs": repo.git("for-each-ref", "--format=%(refname) %(objectname)"),
        "HEAD": (git / "HEAD").read_bytes(),
        "index": (git / "index").read_bytes() if (git / "index").exists() else None,
        "config": (git / "config").read_bytes(),
        "worktree": files(repo.path, skip_git=True),
        "objects": files(git / "objects", skip_git=False),
        "stash": repo.git("stash", "list"),
        "status": repo.git("status", "--porcelain=v1", "--untracked-files=all"),
    }


def test_repository_unchanged_after_check(project: Project, capsys: Capsys) -> None:
    repo, folder = project
    # A dirty worktree and index, a stash: all must survive untouched.
    repo.write("kernel/sched.c", "local edit\n")
    repo.git("stash")
    repo.write("include/sched.h", "staged\n")
    repo.git("add", "include/sched.h")
    repo.write("untracked.txt", "mine\n")
    before = _snapshot(repo)
    assert run(capsys, "check", str(folder), "--repo", str(repo.path))[0] == 0
    assert _snapshot(repo) == before
    assert run(capsys, "check", str(folder), "--repo", str(repo.path), "--base", "v*", "--jobs", "2")[0] == 1
    assert _snapshot(repo) == before
    assert run(capsys, "check", str(folder), "--repo", str(repo.path), "--base", "v3", "--json")[0] == 1
    assert _snapshot(repo) == before


def test_a_glob_of_bases_peels_every_kind_of_ref_as_git_does(repo: Repo) -> None:
    # choose_bases takes a glob's commits from one for-each-ref (peeled one level); what that does not
    # reach (a tag of a tag) is resolved as before. Every answer must be git's own ``name^{commit}``.
    from patchtool.check import choose_bases
    from patchtool.gitrepo import GitRepo
    from patchtool.model import Series

    for n in range(3):
        repo.write("f", f"{n}\n")
        repo.commit(f"c{n}")
        repo.git("tag", f"v1.{n}")  # lightweight
    repo.git("tag", "-a", "-m", "annotated", "v2.0", "HEAD~1")
    repo.git("tag", "-a", "-m", "a tag of a tag", "v2.1", "v2.0")
    repo.git("branch", "v3.0", "HEAD~2")
    repo.git("tag", "v4.0", "HEAD^{tree}")  # no commit: refused as resolve refuses it
    git = GitRepo.open(repo.path)
    got = choose_bases(git, Series(name="s", title="s", patches=()), ["v[123]*"])
    names = repo.git("for-each-ref", "--sort=version:refname", "--format=%(refname:short)",
                     "refs/tags/v[123]*", "refs/heads/v[123]*").split()
    assert got == [(name, repo.git("rev-parse", f"{name}^{{commit}}").strip()) for name in names]
    with pytest.raises(BadInput, match=r"unknown revision: v4\.0"):
        choose_bases(git, Series(name="s", title="s", patches=()), ["v4*"])
