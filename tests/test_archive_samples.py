"""Real threads that once failed ``benchmarks/bench_archive.py``, trimmed (tests/data/archive/), against git.

Each sample goes through what the benchmark does with a thread of a list
archive, by the benchmark's own code: the series ``b4 am`` would cut from
it (``cut``), what ``git mailsplit`` + ``git mailinfo`` + ``git apply
--numstat`` say of each of its patch mails (``prepare``; for the mails git
cannot read, a rewritten copy: ``gitoracle.limit_copy``), ``patchtool
import`` through the library (``import_answer``) and the verdict
(``judge``): every patch's subject, author, email, files and +/- counts
equal to git's, or a one-line refusal where git refuses too or a numbered
patch is missing (and then named).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from benchmarks import bench_archive as ba

DATA = Path(__file__).parent / "data" / "archive"
SAMPLES = sorted(DATA.glob("*.mbox"))
# The samples git itself cannot read (git's limits): patchtool must equal git on the rewritten copy.
AT_GITS_LIMIT = {"26-charset-y", "27-nested-multipart"}


def judged(mbox: bytes, tmp: Path) -> ba.Thread:
    mails = ba.read_mbox(mbox)
    heads = [h for i, raw in enumerate(mails) if (h := ba.head(i, raw)) is not None]
    cuts = [t for g in ba.threads(heads) if (t := ba.cut(g, mails)) is not None]
    assert len(cuts) == 1, "a sample is one thread with one series"
    t = cuts[0]
    t.result = ba.import_answer(str(ba.prepare(t, mails, tmp)))
    ba.judge(t)
    return t


def test_samples_are_there() -> None:
    assert len(SAMPLES) >= 24
    listed = (DATA / "README.md").read_text()
    assert all(f"`{p.name}`" in listed for p in SAMPLES), "every sample has its line in the README"
    assert all(p.stat().st_size < 20 * 1024 for p in SAMPLES), "samples stay trimmed"


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_imports_as_git_reads_it(sample: Path, tmp_path: Path) -> None:
    t = judged(sample.read_bytes(), tmp_path)
    assert t.result["kind"] in ("ok", "refused"), t.result.get("traceback")
    want = "pass-limit" if sample.stem in AT_GITS_LIMIT else "pass"
    assert t.verdict == want, t.details
    if t.result["kind"] == "refused":
        assert "\n" not in t.result["message"]
        assert t.missing or t.bad_numbering or any(t.git[h.msgid].error for h in t.expected)


def test_a_corrupted_sample_fails(tmp_path: Path) -> None:
    """The comparison can fail: one file section less in patchtool's input is a files mismatch."""
    mbox = (DATA / "24-index-sha-header.mbox").read_bytes()
    t = judged(mbox, tmp_path / "good")
    assert t.verdict == "pass"
    # What patchtool did before the fix: the diff ends at the hand-edited "Index <sha>" line.
    t.result["patches"][0][4] = t.result["patches"][0][4][:2]
    t.classes.clear()
    ba.judge(t)
    assert t.verdict == "mismatch" and "files" in t.classes


# -- the header rules behind 23, 24 and 25, on small diffs, against git apply --numstat ------------

_HUNK = "@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
DIFFS = {
    "unknown-header-line": f"diff --git a/x b/x\nIndex 0834ba6a..58ba3f06 100644\n--- a/x\n+++ b/x\n{_HUNK}"
                           f"diff --git a/y b/y\nindex 1111111..2222222 100644\n--- a/y\n+++ b/y\n{_HUNK}",
    "wrapped-name": f"diff --git a/dir/x\nb/dir/x\nindex 1111111..2222222 100644\n--- a/dir/x\n+++ b/dir/x\n{_HUNK}",
    "bare-line-then-hunk": f"diff --git a/x b/x\n{_HUNK}",
    "stray-hunk-after-the-diff": f"diff --git a/x b/x\nindex 1111111..2222222 100644\n--- a/x\n+++ b/x\n{_HUNK}"
                                 f"text\n{_HUNK}",
    "cr-in-names": "diff --git a/x b/x\r\nindex 1111111..2222222 100644\r\n--- a/x\r\n+++ b/x\r\n"
                   + _HUNK.replace("\n", "\r\n"),
    "mode-only": "diff --git a/x y b/x y\nold mode 100644\nnew mode 100755\n",
}


@pytest.mark.parametrize("name", DIFFS)
def test_diff_headers_as_git_apply_reads_them(name: str, tmp_path: Path) -> None:
    from patchtool.diffparse import parse_diff
    from patchtool.errors import BadInput

    text = DIFFS[name]
    (tmp_path / "p.diff").write_bytes(text.encode())
    git = subprocess.run(["git", "apply", "--numstat", "-z", "p.diff"], cwd=tmp_path, capture_output=True,
                            env={**ba.env(), "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    if git.returncode:
        with pytest.raises(BadInput) as exc:
            parse_diff(text)
        assert "\n" not in str(exc.value)
        return
    want = [tuple(f.split("\t", 2)) for f in git.stdout.decode().split("\0") if f]
    files, _ = parse_diff(text)
    assert [(str(f.added), str(f.removed), f.path) for f in files] == want
