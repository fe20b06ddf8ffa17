"""Notes below ``---``: kept apart from the generated diffstat, exported where ``git format-patch --notes`` puts them.

git is the oracle for the layout: ``git notes add`` + ``git format-patch
--notes`` in a real repository, compared byte for byte with patchtool's
export of the same patches.  Hand-written notes (the ``v2: ...`` change
logs of a mail thread) must come out of export exactly as they came in,
above the diffstat git computes for the patch.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patchtool.cli import main
from patchtool.mailfmt import render_patch
from patchtool.model import Subject
from patchtool.seriesdir import read_series
from patchtool.sources.folder import read_folder
from patchtool.sources.mail import patch_from_mail, read_mail, split_notes
from tests.conftest import Repo
from tests.test_export import files_of, normalized
from tests.test_message_ids import NOTES, SEPARATOR, base_repo, export, git_am, imported, thread_messages


def noted_history(repo: Repo) -> None:
    """Three commits on v1; git notes on the first (one line) and the third (paragraphs)."""
    repo.write("a.c", "".join(f"a{i}\n" for i in range(20)))
    repo.write("old.txt", "gone soon\n")
    repo.commit("base")
    repo.git("tag", "v1")
    repo.write("a.c", "".join(f"a{i}\n" for i in range(20)).replace("a3\n", "three\n"))
    repo.commit("a: three\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    repo.git("notes", "add", "-m", "v2: reworded")
    repo.write("b.c", "new\n")
    (repo.path / "old.txt").unlink()
    repo.commit("b: add b.c, drop old.txt")
    repo.write("a.c", (repo.path / "a.c").read_text() + "tail\n")
    repo.commit("a: tail\n\nA body.\n\nSigned-off-by: Ada Lovelace <ada@example.org>")
    repo.git("notes", "add", "-m", "v2:\n- new patch\n- asked for by Grace", "-m", "Second paragraph.")


def format_patch_notes(repo: Repo, out: Path, *extra: str) -> list[Path]:
    repo.git("format-patch", "-q", "--notes", "--cover-letter", "--thread", "-v2", "--rfc", "--base=v1",
             "-o", str(out), *extra, "v1..master")
    return sorted(out.iterdir())


def test_notes_are_parsed_apart_from_the_stat(repo: Repo, tmp_path: Path) -> None:
    noted_history(repo)
    format_patch_notes(repo, tmp_path / "noted")
    repo.git("format-patch", "-q", "-v2", "--rfc", "-o", str(tmp_path / "plain"), "v1..master")
    noted = read_folder(tmp_path / "noted", name="s")
    plain = read_folder(tmp_path / "plain", name="s")
    assert [p.notes for p in plain.patches] == ["", "", ""]
    # What git wrote between `---` and the diff, less the stat block git writes without notes.
    for ours, bare, path in zip(noted.patches, plain.patches, sorted((tmp_path / "noted").glob("v2-000[1-9]*")),
                                strict=True):
        assert ours.stat == bare.stat != ""
        block = path.read_text().split("\n---\n", 1)[1].split("\ndiff --git", 1)[0]
        assert block == ("\n" + ours.notes + "\n\n" if ours.notes else "") + ours.stat + "\n"
    # git's blank line above `Notes:` is layout, not note.
    assert noted.patches[0].notes == "Notes:\n    v2: reworded"
    assert noted.patches[1].notes == ""
    assert noted.patches[2].notes.startswith("Notes:\n    v2:\n    - new patch\n")


def test_export_writes_notes_where_format_patch_notes_does(repo: Repo, tmp_path: Path) -> None:
    noted_history(repo)
    theirs = format_patch_notes(repo, tmp_path / "theirs")
    assert main(["import", str(tmp_path / "theirs"), "-o", str(tmp_path / "s")]) == 0
    toml = tmp_path / "s" / "series.toml"
    toml.write_text(toml.read_text() + 'base = "v1"\n')
    export(tmp_path / "s", repo, tmp_path / "ours")
    names, texts = files_of(tmp_path / "ours")
    assert names == [p.name for p in theirs]
    assert normalized(texts)[1:] == normalized([p.read_text() for p in theirs])[1:]


def test_a_stale_stat_is_replaced_and_the_note_kept(repo: Repo, tmp_path: Path) -> None:
    noted_history(repo)
    theirs = format_patch_notes(repo, tmp_path / "theirs")
    first = theirs[1]
    text = first.read_text()
    assert " a.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n" in text
    first.write_text(text.replace(" a.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n",
                                  " a.c | 7 +++++--\n 1 file changed, 5 insertions(+), 2 deletions(-)\n"))
    assert main(["import", str(tmp_path / "theirs"), "-o", str(tmp_path / "s")]) == 0
    stored = read_series(tmp_path / "s").patches[0]
    assert stored.notes == "Notes:\n    v2: reworded" and "7 +++++--" in stored.stat
    toml = tmp_path / "s" / "series.toml"
    toml.write_text(toml.read_text() + 'base = "v1"\n')
    export(tmp_path / "s", repo, tmp_path / "ours")
    _, texts = files_of(tmp_path / "ours")
    fresh = repo.git("format-patch", "--stdout", "--notes", "-1", "master~2").split("\n---\n", 1)[1]
    assert texts[1].split("\n---\n", 1)[1] == fresh


def test_hand_written_notes_come_out_of_export_exactly_as_they_went_in(tmp_path: Path) -> None:
    repo = base_repo(tmp_path)
    folder = imported(tmp_path)
    stored = read_series(folder)
    assert [n for n, p in enumerate(stored.patches, 1) if p.notes] == sorted(NOTES)
    for n, (_where, note) in NOTES.items():
        assert stored.patches[n - 1].notes == note.strip("\n")
    files = export(folder, repo, tmp_path / "out", "--mbox", str(tmp_path / "all.mbox"))[1:]
    # git's stat for each patch: format-patch of the thread's mails as git am records them.
    raw = []
    for n, mail in enumerate(thread_messages()[1:10], 1):
        (tmp_path / f"{n}.mbox").write_text(SEPARATOR + mail, encoding="utf-8")
        raw.append(tmp_path / f"{n}.mbox")
    tip = git_am(repo, raw, "--patch-format=mboxrd")
    mails = re.split(r"^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001$",
                     repo.git("format-patch", "--stdout", f"v5.14-rc5..{tip}"), flags=re.MULTILINE)[1:]
    git_stats = [mail.split("\n---\n", 1)[1].split("\ndiff --git", 1)[0] for mail in mails]
    mbox = (tmp_path / "all.mbox").read_text(encoding="utf-8")
    for n, (path, stat) in enumerate(zip(files, git_stats, strict=True), 1):
        block = path.read_text(encoding="utf-8").split("\n---\n", 1)[1].split("\ndiff --git", 1)[0]
        note = NOTES[n][1] + "\n\n" if n in NOTES else ""
        assert block == note + stat, n
        assert note + stat in mbox


def test_reroll_keeps_the_notes_in_history_and_in_the_new_version(tmp_path: Path) -> None:
    folder = imported(tmp_path)
    before = {p.name: p.read_bytes() for p in (folder / "patches").iterdir()}
    assert main(["reroll", str(folder)]) == 0
    kept = folder / "history" / "v2"
    assert {p.name: p.read_bytes() for p in (kept / "patches").iterdir()} == before
    for series in (read_series(kept), read_series(folder)):
        assert {n: p.notes for n, p in enumerate(series.patches, 1) if p.notes} == {
            n: note.strip("\n") for n, (_where, note) in NOTES.items()}


def test_notes_are_no_commit_content_for_range_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The versions range-diff compares are commits (message and diff): a changed note is no change."""
    repo = base_repo(tmp_path)
    folder = imported(tmp_path)
    assert main(["reroll", str(folder)]) == 0
    first = folder / "patches" / (folder / "patches" / "series").read_text().split()[0]
    first.write_text(first.read_text(encoding="utf-8").replace(NOTES[1][1], "v3: nothing new"), encoding="utf-8")
    assert read_series(folder).patches[0].notes == "v3: nothing new"
    capsys.readouterr()
    assert main(["range-diff", str(folder), "--repo", str(repo.path)]) == 0
    pairs = capsys.readouterr().out.splitlines()
    assert len(pairs) == 9 and all(line.split()[2] == "=" for line in pairs), pairs


def test_a_cover_template_sees_each_patch_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = base_repo(tmp_path)
    folder = imported(tmp_path)
    template = tmp_path / "notes.j2"
    template.write_text("{% for p in patches %}{% if p.notes %}{{ p.number }}:\n{{ p.notes }}\n{% endif %}"
                        "{% endfor %}")
    capsys.readouterr()
    assert main(["cover", str(folder), "--repo", str(repo.path), "--template", str(template)]) == 0
    out = capsys.readouterr().out
    assert out == "".join(f"{n}:\n{NOTES[n][1].strip(chr(10))}\n" for n in sorted(NOTES))


_LINE = st.text(st.sampled_from([*"abc XYZ-:|+()0", "é"]), max_size=30).filter(lambda s: s.strip() == s)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_LINE, min_size=1, max_size=5))
def test_any_note_reads_back_from_a_rendered_patch(repo: Repo, lines: list[str]) -> None:
    """render_patch then the mail parser: the note and the stat come back as they were."""
    note = "\n".join(lines).strip("\n")
    if not note.strip():
        return
    if not (repo.path / "f").exists():
        repo.write("f", "one\n")
        repo.commit("base")
        repo.write("f", "one\ntwo\n")
        repo.commit("f: two")
    (mail,) = read_folder_once(repo)
    patch = patch_from_mail(read_mail(mail.read_bytes(), str(mail)), str(mail))
    text = render_patch(replace(patch, notes=note, raw=None), Subject("f: two"))
    again = patch_from_mail(read_mail(text.encode(), "x"), "x")
    assert (again.notes, again.stat, again.diff) == (note, patch.stat, patch.diff)
    assert split_notes(text.split("\n---\n", 1)[1].split("\ndiff --git", 1)[0]) == (note, patch.stat)


def read_folder_once(repo: Repo) -> list[Path]:
    out = repo.path.parent / "fp"
    if not out.exists():
        repo.git("format-patch", "-q", "-o", str(out), "-1")
    return sorted(out.glob("*.patch"))
