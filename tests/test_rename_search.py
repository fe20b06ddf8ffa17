"""The rename search of the three-way fallback looks only where the series' files can have gone.

``git am -3`` pairs a pre-image path the base no longer has with its new
name by a rename search between the pre-image tree and the base.  Ours
looks at the files beside the missing one (the directory it was in, or the
nearest one above that the base still has) and, for one not found there or
found only by likeness, at the files anywhere that hold its blob or bear its
name (git's exact and basename passes; ``GitRepo.files_like`` lists the
tree's entries, reading no blob): it never compares the whole tree's
contents.  A repository that lacks a blob the series does not touch (a
partial clone, a damaged store) must give the same verdicts and trees as
the full one, which ``git am -3`` on the full repository decides.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from patchtool.apply import apply_series
from patchtool.gitrepo import GitRepo
from patchtool.model import Patch
from tests.conftest import Repo
from tests.test_apply import check_against_git, format_patches, load

BODY = "".join(f"static int line_{i}(void) {{ return {i}; }}\n" for i in range(40))


def _drop_loose(repo: Repo, rev_path: str) -> str:
    """Delete the loose object of ``rev_path`` (``<rev>:<path>``) from the store; its id."""
    oid = repo.git("rev-parse", rev_path).strip()
    (repo.path / ".git" / "objects" / oid[:2] / oid[2:]).unlink()
    return oid


def _verdicts(path: Path, base: str, patches: list[Patch]) -> list[tuple[str, str]]:
    with GitRepo.open(path).scratch() as store:
        result = apply_series(store, base, patches)
    return [(p.status.value, p.tree) for p in result.patches]


def _history(repo: Repo) -> None:
    """master: a driver and unrelated files; topic (from master): two patches to the driver;
    upstream (from master): renames the driver file within its folder, edits it, and adds files
    elsewhere, some of them big and unrelated."""
    repo.write("drivers/acme/acme.c", BODY)
    repo.write("drivers/acme/acme.h", "int acme(void);\n")
    repo.write("docs/unrelated.txt", "words\n" * 200)
    repo.commit("base")
    repo.git("tag", "v1.0")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("drivers/acme/acme.c", BODY.replace("return 5;", "return 50;"))
    repo.commit("acme: five is fifty")
    repo.write("drivers/acme/acme.c", BODY.replace("return 5;", "return 50;").replace("return 30;", "return 3;"))
    repo.commit("acme: thirty is three")
    repo.git("checkout", "-q", "master")
    repo.git("mv", "drivers/acme/acme.c", "drivers/acme/acme_core.c")
    repo.write("drivers/acme/acme_core.c", BODY.replace("return 20;", "return 21;"))
    repo.write("lib/other.c", BODY.replace("line_", "other_"))  # as similar as a rename target can be
    repo.write("docs/more.txt", "more words\n" * 300)
    repo.commit("acme: split the core out")
    repo.git("tag", "v2.0")


def test_a_file_the_base_renamed_is_followed_as_git_am_3_does(repo: Repo, tmp_path: Path) -> None:
    _history(repo)
    mails = format_patches(repo, "v1.0..topic", tmp_path / "mails")
    assert check_against_git(repo, "v2.0", mails, tmp_path / "wt") == ["3way", "3way"]


def test_a_missing_unrelated_blob_changes_nothing(repo: Repo, tmp_path: Path) -> None:
    _history(repo)
    mails = format_patches(repo, "v1.0..topic", tmp_path / "mails")
    patches = load(mails)
    full = _verdicts(repo.path, "v2.0", patches)
    assert [v for v, _ in full] == ["3way", "3way"]
    damaged = Repo(tmp_path / "damaged")
    shutil.copytree(repo.path, damaged.path)
    for gone in ("v2.0:docs/more.txt", "v2.0:lib/other.c", "v2.0:docs/unrelated.txt"):
        _drop_loose(damaged, gone)
    assert _verdicts(damaged.path, "v2.0", patches) == full
    # On the old base too (the series' own), and the file-less older state of the folder.
    assert _verdicts(damaged.path, "v1.0", patches) == _verdicts(repo.path, "v1.0", patches)


def test_a_base_without_the_file_is_a_conflict_whatever_blobs_it_lacks(repo: Repo, tmp_path: Path) -> None:
    """A base older than the file the series changes: git am -3 finds no rename and stops."""
    repo.write("README", "hello\n")
    repo.write("lib/big.c", BODY.replace("line_", "big_"))
    repo.commit("old")
    repo.git("tag", "v0.9")
    repo.write("drivers/acme/acme.c", BODY)
    repo.commit("acme: new driver")
    repo.git("tag", "v1.0")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("drivers/acme/acme.c", BODY.replace("return 5;", "return 50;"))
    repo.commit("acme: five is fifty")
    mails = format_patches(repo, "v1.0..topic", tmp_path / "mails")
    assert check_against_git(repo, "v0.9", mails, tmp_path / "wt") == ["conflict"]
    damaged = Repo(tmp_path / "damaged")
    shutil.copytree(repo.path, damaged.path)
    _drop_loose(damaged, "v0.9:lib/big.c")  # same content in v1.0: one object
    assert _verdicts(damaged.path, "v0.9", load(mails)) == _verdicts(repo.path, "v0.9", load(mails))


def test_files_like_lists_what_ls_tree_lists(repo: Repo) -> None:
    repo.write("a.c", "one\n")
    repo.write("lib/a.c", "two\n")
    repo.write("lib/deep/er/a.c", "three\n")
    repo.write("lib/b.c", "one\n")  # a.c's blob under another name
    repo.write("a.c.old", "four\n")
    repo.write("x a.c", "five\n")  # a name that ends like one
    repo.write("tools/a.c/keep", "six\n")  # a folder of the name: not a file
    (repo.path / "lib" / "link").symlink_to("a.c")
    repo.commit("files")
    one = repo.git("rev-parse", "HEAD:a.c").strip()
    listing = [line.split("\t", 1) for line in repo.git("ls-tree", "-r", "--full-tree", "HEAD").splitlines()]
    entries = {path: tuple(meta.split(" ")) for meta, path in listing}  # path -> (mode, type, id)

    def want(names: set[str], oids: set[str]) -> dict[str, tuple[str, str]]:
        return {p: (m, o) for p, (m, t, o) in sorted(entries.items())
                if t == "blob" and (p.rpartition("/")[2] in names or o in oids)}

    store = GitRepo.open(repo.path)
    for names, oids in (({"a.c"}, set()), (set(), {one}), ({"a.c", "link"}, {one}), ({"none.c"}, set()),
                        (set(), set())):
        assert store.files_like("HEAD^{tree}", names, oids) == want(names, oids)
    assert set(store.files_like("HEAD^{tree}", {"a.c"}, set())) == {"a.c", "lib/a.c", "lib/deep/er/a.c"}


def test_a_series_looking_for_moved_files_lists_the_base_once(repo: Repo, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a.c", "b.c", "c.c"):
        repo.write(name, BODY.replace("line_", name[0] + "_"))
    repo.commit("base")
    repo.git("tag", "v1.0")
    repo.git("checkout", "-q", "-b", "topic")
    for name in ("a.c", "b.c", "c.c"):
        repo.write(name, BODY.replace("line_", name[0] + "_").replace("return 5;", "return 50;"))
        repo.commit(f"{name}: five is fifty")
    mails = format_patches(repo, "v1.0..topic", tmp_path / "mails")
    repo.git("checkout", "-q", "master")
    (repo.path / "moved").mkdir()
    for name in ("a.c", "b.c", "c.c"):
        repo.git("mv", name, f"moved/{name}")
    repo.commit("move them all")
    repo.git("tag", "v2.0")
    listed = []
    real = GitRepo.run

    def run(self: GitRepo, *args: str, **kw: object) -> bytes:
        if args[:1] == ("ls-tree",):
            listed.append(args)
        return real(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(GitRepo, "run", run)
    assert check_against_git(repo, "v2.0", mails, tmp_path / "wt") == ["3way", "3way", "3way"]
    assert len(listed) == 1
