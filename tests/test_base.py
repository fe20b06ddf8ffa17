"""`patchtool base` and `import --base/--guess-base`, against git on generated histories.

The histories are made with `git fast-import`: files changed in many
commits (contents that come back, one blob at two paths), tags along the
way, branches, merges, commits after the series' date.  A series is cut
with `git format-patch` from commits on top of a chosen commit (or on top
of a commit no ref reaches), and the guess must equal a brute-force search:
every commit of the tags and branches in the window, its whole tree listed
by `git ls-tree -r`, each pre-image path compared with the chosen commit's
blob there.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.demo.build import BASE_TAG, build_base_repo
from patchtool.gitrepo import GitRepo
from patchtool.lifecycle.base import LOOKBACK_DAYS, guess_base, pre_images, series_date
from patchtool.seriesdir import read_series
from patchtool.sources import load_source
from tests.conftest import Repo

THREAD = Path(__file__).parent / "data" / "io_uring-lsm-thread.mbox"
T0 = 1_628_000_000  # 2021-08-03, a Tuesday
HOUR = 3600


@dataclass
class History:
    marks: list[str]  # commit ids in creation order (dates increase with it)
    dates: list[int]
    end: int  # committer date of the newest commit


def _data(text: str) -> str:
    """A fast-import ``data`` block holding exactly ``text``."""
    return f"data {len(text.encode())}\n{text}\n"


def generate(repo: Repo, rng: random.Random, *, commits: int = 120, files: int = 10, step: int = HOUR) -> History:
    """A history of ``commits`` commits on master plus branches, tagged every 10, via one fast-import."""
    paths = [f"{d}/file{i}.c" for i, d in zip(range(files), ["kernel", "fs", "mm", "net"] * files, strict=False)]
    versions: dict[str, list[str]] = {p: [f"{p} v0\n"] for p in paths}
    stream: list[str] = []
    state: dict[str, dict[str, str]] = {}  # mark -> tree (path -> content)
    dates: list[int] = []
    heads = {"master": None}
    tagged = 0
    for n in range(1, commits + 1):
        date = T0 + n * step
        if n == 1:
            branch, parent, tree = "master", None, {p: v[0] for p, v in versions.items()}
        else:
            branch = "master" if rng.random() < 0.7 or len(heads) < 2 else rng.choice(sorted(heads))
            parent = heads[branch] if branch in heads else heads["master"]
            tree = dict(state[parent])
            for path in rng.sample(paths, rng.randint(1, 2)):
                if rng.random() < 0.2 and len(versions[path]) > 2:
                    tree[path] = rng.choice(versions[path][:-1])  # an old content comes back
                else:
                    versions[path].append(f"{path} v{len(versions[path])} of commit {n}\n")
                    tree[path] = versions[path][-1]
            if rng.random() < 0.1:  # the same blob at a second path
                a, b = rng.sample(paths, 2)
                tree[b] = tree[a]
        merge = None
        if branch == "master" and n > 5 and rng.random() < 0.1:
            others = [b for b in heads if b != "master" and heads[b] is not None]
            if others:
                merge = heads[rng.choice(others)]
                tree.update({p: c for p, c in state[merge].items() if rng.random() < 0.5})
        stream.append(f"commit refs/heads/{branch}\nmark :{n}\n"
                      f"author A U Thor <a@example.org> {date} +0000\n"
                      f"committer A U Thor <a@example.org> {date} +0000\n" + _data(f"commit {n}"))
        if parent is not None:
            stream.append(f"from :{parent}\n")
        if merge is not None:
            stream.append(f"merge :{merge}\n")
        stream.append("deleteall\n")
        stream += [f"M 100644 inline {p}\n" + _data(c) for p, c in sorted(tree.items())]
        state[str(n)] = tree
        heads[branch] = str(n)
        dates.append(date)
        if n % 10 == 0:
            tagged += 1
            stream.append(f"tag v0.{tagged}\nfrom :{n}\ntagger A U Thor <a@example.org> {date} +0000\n"
                          + _data(f"v0.{tagged}"))
        if n % 25 == 0:  # a new branch off a recent master commit
            heads[f"topic{n}"] = heads["master"]
    repo.git("fast-import", "--quiet", input="".join(stream).encode())
    marks = repo.git("rev-list", "--reverse", "--topo-order", "--branches").split()
    by_subject = {repo.git("log", "-1", "--format=%s", c).strip(): c for c in marks}
    ids = [by_subject[f"commit {n}"] for n in range(1, commits + 1)]
    return History(ids, dates, dates[-1])


def _commit(ref: str, date: int, message: str, changes: list[tuple[str, str | None]], parent: str = "") -> str:
    """A fast-import commit on ``ref``: each change writes a file, or deletes it (``None``)."""
    block = (f"commit {ref}\nauthor S <s@example.org> {date} +0000\ncommitter S <s@example.org> {date} +0000\n"
             + _data(message) + (f"from {parent}\n" if parent else ""))
    for path, text in changes:
        block += f"D {path}\n" if text is None else f"M 100644 inline {path}\n" + _data(text)
    return block + "\n"


def cut_series(repo: Repo, base: str, out: Path, date: int, *, detach_base: bool = False,
               extra: tuple[str, ...] = ()) -> tuple[Path, str]:
    """Three patches on ``base`` (one file changed twice, one added, one deleted), as format-patch
    writes them; returns the folder and the commit they really apply to (``base``, or a commit on
    top of it that no ref reaches when ``detach_base``)."""
    paths = sorted(repo.git("ls-tree", "-r", "--name-only", base).splitlines())
    where = base
    if detach_base:  # a tree no tag or branch has: one file changed in a commit no ref keeps
        stream = _commit("refs/heads/gone", date, "gone", [(paths[0], "a change nobody kept\n")], base)
        repo.git("fast-import", "--quiet", input=stream.encode())
        where = repo.git("rev-parse", "refs/heads/gone").strip()
    a, b, c = paths[0], paths[1], paths[-1]
    stream = (_commit("refs/heads/series", date, "sub: one", [(a, "patched a\n"), (b, "patched b\n")], where)
              + _commit("refs/heads/series", date, "sub: two", [(a, "patched a again\n"), ("new/file.c", "new\n")])
              + _commit("refs/heads/series", date, "sub: three", [(c, None)]))
    repo.git("fast-import", "--quiet", input=stream.encode())
    repo.git("format-patch", "-q", "-o", str(out), *extra, f"{where}..refs/heads/series")
    repo.git("update-ref", "-d", "refs/heads/series")
    if detach_base:
        repo.git("update-ref", "-d", "refs/heads/gone")
    return out, where


def brute_force(repo: Repo, truth: str, paths: list[str], since: int, until: int) -> tuple[str, int]:
    """The first commit of ``git log --date-order`` (tags and branches, in the window) with the most
    of ``paths`` holding ``truth``'s blob, found by listing every commit's tree."""
    def tree(commit: str) -> dict[str, str]:
        return {line.split("\t", 1)[1]: line.split()[2] for line in repo.git("ls-tree", "-r", commit).splitlines()}

    want = {p: oid for p, oid in tree(truth).items() if p in paths}
    best: tuple[str, int] | None = None
    for line in repo.git("log", "--date-order", "--format=%H %ct", "--branches", "--tags").splitlines():
        commit, stamp = line.split()
        if not since <= int(stamp) <= until:
            continue
        have = tree(commit)
        count = sum(have.get(p) == oid for p, oid in want.items())
        if best is None or count > best[1]:
            best = (commit, count)
    assert best is not None
    return best


def touched(folder: Path) -> list[str]:
    """The paths the series reads from its base: the files its first touches modify or delete."""
    seen: set[str] = set()
    out = []
    for patch in sorted(folder.glob("*.patch")):
        for section in patch.read_text().split("\ndiff --git ")[1:]:
            old, new = re.match(r"a/(\S+) b/(\S+)", section).groups()  # type: ignore[union-attr]
            if old not in seen and "\nnew file mode " not in section.split("\n@@", 1)[0]:
                out.append(old)
            seen.update((old, new))
    return out


def window(series_stamp: int) -> tuple[int, int]:
    until = series_stamp + 86400
    return until - LOOKBACK_DAYS * 86400, until


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("detach", [False, True], ids=["exact", "best-match"])
def test_guess_equals_brute_force(repo: Repo, tmp_path: Path, seed: int, detach: bool) -> None:
    rng = random.Random(seed)
    history = generate(repo, rng)
    # The series is dated 30 h before the newest commit: the last 6 h of history lie after its window.
    stamp = history.end - 30 * HOUR
    base = rng.choice([c for c, d in zip(history.marks, history.dates, strict=True) if d < stamp - 10 * HOUR])
    folder, truth = cut_series(repo, base, tmp_path / "patches", stamp, detach_base=detach)
    series = load_source(str(folder), name="s", repo_path=repo.path)
    assert series_date(series) == stamp
    paths = touched(folder)
    assert sorted(i.path for i in pre_images(series)) == sorted(paths)
    want, count = brute_force(repo, truth, paths, *window(stamp))

    got = guess_base(GitRepo.open(repo.path), series)
    assert (got.commit, got.matched, got.total) == (want, count, len(paths))
    assert got.exact is (not detach) and count == len(paths) - detach


def test_a_base_only_a_merge_reaches_is_found(repo: Repo, tmp_path: Path) -> None:
    """The newest commit with the blobs is a topic commit whose only child is a merge that dropped
    them: only the merge's diff against that parent (``log -m``) names it."""
    repo.write("f.c", "f master\n")
    repo.write("g.c", "g\n")
    repo.commit("m0")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("f.c", "f topic\n")
    repo.commit("t1: f for the topic")
    repo.write("h.c", "h\n")
    t2 = repo.commit("t2: unrelated")
    repo.git("checkout", "-q", "master")
    repo.write("g.c", "g\n\nmore\n")
    repo.write("g.c", "g\n")
    repo.write("m.c", "m\n")
    repo.commit("m1")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "topic")
    repo.git("checkout", "HEAD", "--", "f.c")  # the merge keeps master's f.c
    repo.commit("merge topic")
    repo.git("branch", "-D", "topic")
    repo.write("later.c", "x\n")
    repo.commit("m2")
    out = tmp_path / "p"
    stream = _commit("refs/heads/series", 1_628_800_000, "sub: one", [("f.c", "f patched\n"), ("g.c", "g patched\n")],
                     t2)
    repo.git("fast-import", "--quiet", input=stream.encode())
    repo.git("format-patch", "-q", "-o", str(out), f"{t2}..refs/heads/series")
    repo.git("update-ref", "-d", "refs/heads/series")
    series = load_source(str(out), name="s", repo_path=repo.path)
    got = guess_base(GitRepo.open(repo.path), series)  # Repo's commits: 11 Aug 2021, the series: 12 Aug
    want, count = brute_force(repo, t2, ["f.c", "g.c"], 0, 2**40)
    assert (got.commit, got.matched) == (want, count) == (t2, 2)


def test_a_tag_names_the_commit_found(repo: Repo, tmp_path: Path) -> None:
    history = generate(repo, random.Random(7), commits=60)
    folder, _ = cut_series(repo, history.marks[-1], tmp_path / "p", history.end + HOUR)
    got = guess_base(GitRepo.open(repo.path), load_source(str(folder), name="s", repo_path=repo.path))
    assert got.exact and got.commit == history.marks[-1]
    assert got.name == "v0.6" == repo.git("describe", "--tags", "--exact-match", got.commit).strip()


@pytest.mark.parametrize("extra", [(), ("--full-index",), ("--abbrev=7",)], ids=["default", "full", "abbrev7"])
def test_abbreviated_and_full_index_lines_give_the_same_answer(repo: Repo, tmp_path: Path,
                                                               extra: tuple[str, ...]) -> None:
    history = generate(repo, random.Random(5), commits=80)
    stamp = history.end - 20 * HOUR
    base = history.marks[30]
    folder, truth = cut_series(repo, base, tmp_path / "p", stamp, extra=extra)
    lengths = {len(m) for m in re.findall(r"^index ([0-9a-f]+)\.\.", "".join(
        p.read_text() for p in folder.glob("*.patch")), re.MULTILINE)}
    assert lengths == {40} if extra == ("--full-index",) else 7 <= min(lengths) <= max(lengths) < 40
    paths = touched(folder)
    want, count = brute_force(repo, truth, paths, *window(stamp))
    got = guess_base(GitRepo.open(repo.path), load_source(str(folder), name="s", repo_path=repo.path))
    assert (got.commit, got.matched) == (want, count) and got.exact


def _blob_with_prefix(prefix: str) -> bytes:
    """Contents whose blob id starts with ``prefix`` (git's id: sha1 of ``blob <size>\\0<data>``)."""
    n = 0
    while True:
        data = f"collision {n}\n".encode()
        if hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest().startswith(prefix):
            return data
        n += 1


def test_an_abbreviation_two_blobs_share_still_finds_the_base(repo: Repo, tmp_path: Path) -> None:
    history = generate(repo, random.Random(9), commits=50)
    stamp = history.end + HOUR
    base = history.marks[20]
    folder, truth = cut_series(repo, base, tmp_path / "p", stamp)
    # Cut every index line to 4 hex digits, and give the first pre-image blob a twin prefix.
    for patch in folder.glob("*.patch"):
        patch.write_text(re.sub(r"^index ([0-9a-f]{4})[0-9a-f]*\.\.([0-9a-f]{4})[0-9a-f]*",
                                r"index \1..\2", patch.read_text(), flags=re.MULTILINE))
    series = load_source(str(folder), name="s", repo_path=repo.path)
    first = pre_images(series)[0].blob
    assert len(first) == 4
    repo.git("hash-object", "-w", "--stdin", input=_blob_with_prefix(first))
    assert len(GitRepo.open(repo.path).objects_with_prefix(first)) >= 2
    want, count = brute_force(repo, truth, touched(folder), *window(stamp))
    got = guess_base(GitRepo.open(repo.path), series)
    assert (got.commit, got.matched) == (want, count) and got.exact


def test_a_series_of_another_tree_says_so_in_one_line(repo: Repo, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    generate(repo, random.Random(3), commits=30)
    other = Repo(tmp_path / "other")
    other.path.mkdir()
    other.git("init", "-q", "-b", "master")
    other.write("lib/elsewhere.c", "not in the first repository\n")
    other.write("lib/too.c", "nor this\n")
    base = other.commit("other base")
    other.write("lib/elsewhere.c", "changed\n")
    other.write("lib/too.c", "changed too\n")
    other.commit("lib: change")
    other.git("format-patch", "-q", "-o", str(tmp_path / "p"), f"{base}..HEAD")
    assert main(["import", str(tmp_path / "p"), "-o", str(tmp_path / "s"), "--repo", str(repo.path)]) == 0
    capsys.readouterr()
    assert main(["base", str(tmp_path / "s"), "--guess", "--repo", str(repo.path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "none of the 2 pre-image blobs is in this repository" in err
    assert main(["import", str(tmp_path / "p"), "-o", str(tmp_path / "s2"), "--guess-base",
                 "--repo", str(repo.path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1 and not (tmp_path / "s2").exists()


def test_a_series_that_only_adds_files_has_nothing_to_guess_from(repo: Repo, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("a.c", "a\n")
    base = repo.commit("base")
    repo.write("b.c", "b\n")
    repo.commit("add b")
    repo.git("format-patch", "-q", "-o", str(tmp_path / "p"), f"{base}..HEAD")
    assert main(["import", str(tmp_path / "p"), "-o", str(tmp_path / "s"), "--repo", str(repo.path)]) == 0
    capsys.readouterr()
    assert main(["base", str(tmp_path / "s"), "--guess", "--repo", str(repo.path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "only adds files" in err


def test_base_prints_sets_and_guesses(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = generate(repo, random.Random(11), commits=40)
    stamp = history.end + HOUR
    folder, truth = cut_series(repo, history.marks[25], tmp_path / "p", stamp)
    r = ["--repo", str(repo.path)]
    s = str(tmp_path / "s")
    assert main(["import", str(folder), "-o", s, *r]) == 0
    capsys.readouterr()
    assert main(["base", s, *r]) == 2
    newest = repo.git("describe", "--tags", "--abbrev=0", "HEAD").strip()
    assert f"`patchtool base s {newest}` (the newest tag here)" in capsys.readouterr().err

    assert main(["base", s, "v0.2", *r]) == 0
    toml = (tmp_path / "s" / "series.toml").read_text()
    assert 'base = "v0.2"' in toml and f'base-commit = "{repo.git("rev-parse", "v0.2^{commit}").strip()}"' in toml
    assert main(["base", s, *r]) == 0
    assert capsys.readouterr().out.endswith(f"base: v0.2\nbase-commit: {read_series(Path(s)).base_commit}\n")

    assert main(["base", s, "--guess", *r]) == 0
    want, _ = brute_force(repo, truth, touched(folder), *window(stamp))
    assert read_series(Path(s)).base_commit == want
    assert "has the pre-image blob of all 3 files" in capsys.readouterr().out

    assert main(["base", s, "no-such-ref", *r]) == 2
    assert "unknown revision: no-such-ref" in capsys.readouterr().err
    assert read_series(Path(s)).base_commit == want  # nothing changed
    assert main(["base", s, "v0.1", "--guess", *r]) == 2


def test_import_base_and_guess_base(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = generate(repo, random.Random(13), commits=40)
    stamp = history.end + HOUR
    folder, truth = cut_series(repo, history.marks[15], tmp_path / "p", stamp)
    r = ["--repo", str(repo.path)]
    assert main(["import", str(folder), "-o", str(tmp_path / "a"), "--base", "v0.1", *r]) == 0
    assert read_series(tmp_path / "a").base == "v0.1"
    assert read_series(tmp_path / "a").base_commit == repo.git("rev-parse", "v0.1^{commit}").strip()
    assert main(["import", str(folder), "-o", str(tmp_path / "b"), "--guess-base", *r]) == 0
    want, _ = brute_force(repo, truth, touched(folder), *window(stamp))
    assert read_series(tmp_path / "b").base_commit == want
    assert main(["import", str(folder), "-o", str(tmp_path / "c"), "--base", "nope", *r]) == 2
    assert main(["import", str(folder), "-o", str(tmp_path / "d"), "--base", "v0.1", "--guess-base", *r]) == 2
    assert not (tmp_path / "c").exists() and not (tmp_path / "d").exists()


def test_best_match_is_recorded_and_exits_1(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = generate(repo, random.Random(17), commits=40)
    stamp = history.end + HOUR
    folder, truth = cut_series(repo, history.marks[20], tmp_path / "p", stamp, detach_base=True)
    assert main(["import", str(folder), "-o", str(tmp_path / "s"), "--guess-base", "--repo", str(repo.path)]) == 1
    out = capsys.readouterr().out
    assert "best match: 2 of 3 files" in out
    want, count = brute_force(repo, truth, touched(folder), *window(stamp))
    assert count == 2 and read_series(tmp_path / "s").base_commit == want


def test_the_window_ends_a_day_after_the_series(repo: Repo, tmp_path: Path) -> None:
    """A commit two days after the series is not its base, though it has every blob."""
    history = generate(repo, random.Random(19), commits=30)
    stamp = history.end + HOUR
    folder, _ = cut_series(repo, history.marks[-1], tmp_path / "p", stamp)
    later = stamp + 2 * 86400
    tip = repo.git("commit-tree", "-p", history.marks[-1], "-m", "later, same tree", f"{history.marks[-1]}^{{tree}}",
                   env={"GIT_COMMITTER_DATE": f"{later} +0000", "GIT_AUTHOR_DATE": f"{later} +0000"}).strip()
    repo.git("update-ref", "refs/heads/master", tip)
    series = load_source(str(folder), name="s", repo_path=repo.path)
    assert guess_base(GitRepo.open(repo.path), series).commit == history.marks[-1] != tip


# -- the mail-imported thread: cover and export after import --base, no hand edit ------------------

@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kernel") / "linux"
    build_base_repo(path)
    return path


def _without_footer(tmp_path: Path) -> Path:
    """The example thread as StGit sends it: no ``base-commit:`` footer."""
    text = THREAD.read_bytes()
    stripped = re.sub(rb"^base-commit: [0-9a-f]+\n", b"", text, flags=re.MULTILINE)
    assert stripped != text
    path = tmp_path / "thread.mbox"
    path.write_bytes(stripped)
    return path


def test_cover_and_export_of_a_footerless_thread_after_import_base(
        kernel: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mbox = _without_footer(tmp_path)
    r = ["--repo", str(kernel)]
    assert main(["import", str(mbox), "-o", str(tmp_path / "bare"), *r]) == 0
    capsys.readouterr()
    for command in (["cover"], ["export", "-o", str(tmp_path / "x")], ["check"], ["diffstat"]):
        assert main([command[0], str(tmp_path / "bare"), *command[1:], *r]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"`patchtool base bare {BASE_TAG}`" in err, (command, err)

    # The posting with its footer is the oracle: the same thread with --base gives the same letter and files.
    assert main(["import", str(THREAD), "-o", str(tmp_path / "footer"), *r]) == 0
    for how, args in (("base", ["--base", BASE_TAG]), ("guess", ["--guess-base"])):
        assert main(["import", str(mbox), "-o", str(tmp_path / how), *args, *r]) == 0
    capsys.readouterr()
    letters = {}
    for name in ("footer", "base", "guess"):
        assert main(["cover", str(tmp_path / name), *r]) == 0
        letters[name] = capsys.readouterr().out
        assert main(["export", str(tmp_path / name), "-o", str(tmp_path / f"out-{name}"), *r]) == 0
        capsys.readouterr()
    commit = GitRepo.open(kernel).resolve(BASE_TAG)
    assert f"base-commit: {commit}\n" in letters["footer"]
    assert letters["base"] == letters["guess"] == letters["footer"]
    files = {name: sorted((p.name, p.read_bytes()) for p in (tmp_path / f"out-{name}").iterdir())
             for name in ("footer", "base", "guess")}
    assert files["base"] == files["guess"] == files["footer"] and len(files["base"]) == 10


def test_cover_and_export_take_base_for_one_run(kernel: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    mbox = _without_footer(tmp_path)
    r = ["--repo", str(kernel)]
    assert main(["import", str(mbox), "-o", str(tmp_path / "s"), *r]) == 0
    assert main(["import", str(mbox), "-o", str(tmp_path / "based"), "--base", BASE_TAG, *r]) == 0
    before = (tmp_path / "s" / "series.toml").read_text()
    capsys.readouterr()
    assert main(["cover", str(tmp_path / "s"), "--base", BASE_TAG, *r]) == 0
    once = capsys.readouterr().out
    assert main(["cover", str(tmp_path / "based"), *r]) == 0
    assert once == capsys.readouterr().out
    assert main(["export", str(tmp_path / "s"), "--base", BASE_TAG, "-o", str(tmp_path / "o1"), *r]) == 0
    assert main(["export", str(tmp_path / "based"), "-o", str(tmp_path / "o2"), *r]) == 0
    assert [p.read_bytes() for p in sorted((tmp_path / "o1").iterdir())] == \
        [p.read_bytes() for p in sorted((tmp_path / "o2").iterdir())]
    assert read_series(tmp_path / "s").base is None and "base = " not in before
    assert (tmp_path / "s" / "series.toml").read_text() == before
    assert main(["cover", str(tmp_path / "s"), "--base", "v9.9", *r]) == 2


def test_the_hint_names_a_tag_of_this_repository(repo: Repo, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """In U-Boot the hint says a U-Boot tag, not v5.14-rc5."""
    repo.write("common/board.c", "int board;\n")
    base = repo.commit("base")
    repo.git("tag", "-a", "-m", "v2024.01", "v2024.01")
    repo.write("common/board.c", "int board = 1;\n")
    repo.commit("common: init board")
    repo.git("format-patch", "-q", "-o", str(tmp_path / "p"), f"{base}..HEAD")
    r = ["--repo", str(repo.path)]
    assert main(["import", str(tmp_path / "p"), "-o", str(tmp_path / "s"), *r]) == 0
    capsys.readouterr()
    for command in (["cover"], ["check"], ["diffstat"], ["base"], ["export", "-o", str(tmp_path / "x")]):
        assert main([command[0], str(tmp_path / "s"), *command[1:], *r]) == 2
        err = capsys.readouterr().err
        assert "v2024.01" in err and "v5.14" not in err and err.count("\n") == 1, (command, err)
