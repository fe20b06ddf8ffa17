"""``patchtool trailers`` where the posting's Message-Ids are unknown: the quoted lines, then the subject."""

from __future__ import annotations

from pathlib import Path

import pytest

from patchtool.cli import main
from patchtool.seriesdir import read_series

from .conftest import Repo
from .test_loop import _history, _reply


def test_a_reply_with_no_known_parent_goes_to_the_patch_it_quotes(repo: Repo, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _history(repo)
    folder = tmp_path / "s"
    assert main(["import", "base..v1", "-o", str(folder), "--repo", str(repo.path)]) == 0
    assert not read_series(folder).posted  # a range: nothing posted, no ids to match
    box = tmp_path / "replies.mbox"
    quote = "".join(f"> {line}\n" for line in ("@@ -8,7 +8,7 @@", " c line 9", "-c line 10",
                                                 "+c line 10 changed", " c line 11"))
    _reply(box, sender="Rita Rest <rita@example.org>", subject="Re: your change", in_reply_to="<lost@x>",
           references=["<lost@x>"], body=quote + "\nReviewed-by: Rita Rest <rita@example.org>\n",
           msgid="<q1@example.org>", when=1)
    # No quote: the subject decides.
    _reply(box, sender="Bob Beta <bob@example.org>", subject="Re: [PATCH 2/5] lib: change b", in_reply_to="<lost@y>",
           references=[], body="Acked-by: Bob Beta <bob@example.org>\n", msgid="<q2@example.org>", when=2)
    capsys.readouterr()
    assert main(["trailers", str(folder), str(box), "--repo", str(repo.path)]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[:2] == ["  + Reviewed-by: Rita Rest <rita@example.org> (patch 3)",
                                        "  + Acked-by: Bob Beta <bob@example.org> (patch 2)"]
    assert "matched by the lines they quote and their subjects" in out.err
    series = read_series(folder)
    assert [t.key for t in series.patches[2].trailers] == ["Reviewed-by", "Signed-off-by"]
    assert [t.key for t in series.patches[1].trailers] == ["Acked-by", "Signed-off-by"]


def test_trailers_refuses_a_missing_mailbox(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _history(repo)
    folder = tmp_path / "s"
    assert main(["import", "base..v1", "-o", str(folder), "--repo", str(repo.path)]) == 0
    capsys.readouterr()
    assert main(["trailers", str(folder), str(tmp_path / "nope.mbox")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such mbox or Maildir" in err
