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


def test_the_files_after_each_patch_come_from_memory_as_git_would_read_them(repo: Repo, tmp_path: Path) -> None:
    """``ApplyResult.file_after`` (what lint's kernel-doc reads) against ``cat-file`` of the trees git
    apply --cached made, patch by patch; ``write`` then puts exactly those trees in the store."""
    repo.write("doc/a.c", "".join(f"a{i}\n" for i in range(30)))
    repo.write("doc/b.h", "b\n")
    repo.commit("base")
    repo.git("tag", "v1")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("doc/a.c", "".join(f"a{i}\n" for i in range(30)).replace("a5", "A5"))
    repo.write("doc/new.c", "new\n")
    repo.commit("one")
    repo.git("mv", "doc/b.h", "doc/c.h")
    (repo.path / "doc" / "new.c").unlink()
    repo.commit("two")
    repo.git("checkout", "-q", "master")
    patches = load(format_patches(repo, "v1..topic", tmp_path / "mails"))
    git = GitRepo.open(repo.path)
    paths = sorted({p for patch in patches for p in patch.paths})
    assert paths == ["doc/a.c", "doc/b.h", "doc/c.h", "doc/new.c"]
    with git.scratch() as store:
        ref = apply_series_git(store, "v1", patches)
        trees = [ref.base_tree, *(p.tree for p in ref.patches)]
        want = {(n, path): store.read_objects([f"{tree}:{path}"]).get(f"{tree}:{path}")
                for n, tree in enumerate(trees) for path in paths}
    with git.scratch() as store:
        ours = apply_series(store, "v1", patches, write=False)
        got = {(n, path): ours.file_after(n, path) for n in range(len(trees)) for path in paths}
        assert got == {k: (v[0], v[2]) if v else None for k, v in want.items()}
        assert sum(v is not None for v in got.values()) == 2 + 3 + 2
        assert _objects(store.objects_dir) == []
        ours.write()
        assert store.read_objects([f"{ours.result_tree}:doc/c.h"])[f"{ours.result_tree}:doc/c.h"][2] == b"b\n"
