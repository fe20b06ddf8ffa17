"""``check`` computes its verdicts and result trees without writing an object.

Blob and tree ids are SHA-1s over bytes patchtool knows, so a check hashes
them in process; what it reports must still be exactly what the
``git apply --cached`` reference (a scratch index, git writing every
object) gives, and the scratch store a check runs in stays empty.
"""

from __future__ import annotations

from pathlib import Path

from patchtool.apply import apply_series, apply_series_git
from patchtool.check import check_series
from patchtool.gitrepo import GitRepo
from patchtool.model import Series
from tests.conftest import Repo
from tests.test_apply import format_patches, load


def _objects(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.name != "index"]


def test_the_verdicts_and_trees_of_git_with_nothing_written(repo: Repo, tmp_path: Path) -> None:
    repo.write("x/y/z.c", "".join(f"z{i}\n" for i in range(50)))
    repo.write("top.c", "t\n")
    repo.commit("base")
    repo.git("tag", "v1")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("x/y/z.c", "".join(f"z{i}\n" for i in range(50)).replace("z10", "Z10"))
    repo.write("x/new/n.c", "new\n")
    repo.commit("one")
    (repo.path / "top.c").unlink()
    repo.write("x/y/z.c", "".join(f"z{i}\n" for i in range(50)).replace("z10", "Z10").replace("z40", "Z40"))
    repo.commit("two")
    repo.git("checkout", "-q", "master")
    repo.write("x/y/z.c", "pre\n" + "".join(f"z{i}\n" for i in range(50)))
    repo.commit("upstream")
    repo.git("tag", "v2")
    patches = load(format_patches(repo, "v1..topic", tmp_path / "mails"))
    git = GitRepo.open(repo.path)
    for base in ("v1", "v2"):
        with git.scratch() as store:
            ours = apply_series(store, base, patches, write=False)
            assert _objects(store.objects_dir) == []
        with git.scratch() as store:
            ref = apply_series_git(store, base, patches)
        assert [(p.status, p.tree) for p in ours.patches] == [(p.status, p.tree) for p in ref.patches]
    report = check_series(git, Series(name="s", title="", patches=tuple(patches)), [("v1", "v1"), ("v2", "v2")], jobs=1)
    assert [r.result_tree for r in report.results] == [
        repo.git("rev-parse", "topic^{tree}").strip(), ref.result_tree]
