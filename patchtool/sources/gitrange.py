"""A git range ``A..B`` -> a Series, read from the commits themselves.

Author, date and message come from the commit objects and the diff from
``git log -p`` (both through gitrepo); the mail text each patch would be
posted as comes from ``git format-patch`` into a temporary folder, so a
series folder written from a range holds exactly what format-patch writes.
"""

from __future__ import annotations

from patchtool.diffparse import parse_diff
from patchtool.errors import BadInput
from patchtool.gitrepo import GitRepo
from patchtool.model import Patch, Person, Series, Subject
from patchtool.subject import split_trailers
from patchtool.tempdirs import temp_dir


def _split_range(spec: str) -> tuple[str, str]:
    if "..." in spec:
        raise BadInput(f"symmetric ranges are not a series: {spec} (use A..B)")
    start, _, end = spec.partition("..")
    return start or "HEAD", end or "HEAD"


def _subject_and_body(message: str) -> tuple[str, str]:
    """git's rule: the first paragraph, its lines joined by spaces, is the subject."""
    text = message.strip("\n")
    first, _, rest = text.partition("\n\n")
    return " ".join(first.split()), rest.strip("\n")


def read_range(repo: GitRepo, spec: str, *, name: str) -> Series:
    start_ref, end_ref = _split_range(spec)
    start = repo.resolve(start_ref)
    end = repo.resolve(end_ref)
    shas = repo.rev_list("--reverse", "--topo-order", f"{start}..{end}")
    if not shas:
        raise BadInput(f"the range {spec} holds no commits")
    merges = repo.rev_list("--merges", f"{start}..{end}")
    if merges:
        raise BadInput(f"the range {spec} holds merge commits ({merges[0][:12]}): not a patch series")
    infos = repo.commit_info(shas)
    diffs = _diffs(repo, shas)
    mails = _format_patch(repo, start, end, len(shas))
    total = len(shas)
    patches = []
    for i, (info, (filename, raw)) in enumerate(zip(infos, mails, strict=True), 1):
        summary, rest = _subject_and_body(info.message)
        body, trailers = split_trailers(rest)
        files, _ = parse_diff(diffs[info.sha], source=f"{info.sha[:12]}") if diffs[info.sha] else ((), "")
        patches.append(Patch(
            subject=Subject(summary, "PATCH", number=i if total > 1 else None,
                            total=total if total > 1 else None),
            author=Person(info.author_name, info.author_email),
            date=info.author_date,
            body=body,
            trailers=trailers,
            files=files,
            commit=info.sha,
            raw=raw,
            filename=filename,
        ))
    return Series(
        name=name,
        title=patches[0].subject.summary if total == 1 else "",
        patches=tuple(patches),
        # A name (v5.14-rc5, net-next/main) is what the series is meant for;
        # HEAD~3 or an id is only where it happened to be cut.
        base=start_ref if repo.is_ref_name(start_ref) else start,
        base_commit=start,
    )


def _diffs(repo: GitRepo, shas: list[str]) -> dict[str, str]:
    """Each commit's diff as format-patch shows it (renames found, binary in full)."""
    out = repo.run("log", "--no-walk=unsorted", "--stdin", "-p", "--binary", "-M",
                   "--format=%x00%H", input="\n".join(shas).encode())
    diffs: dict[str, str] = {}
    for chunk in out.decode("utf-8", "surrogateescape").split("\x00")[1:]:
        sha, _, diff = chunk.partition("\n")
        diffs[sha] = diff.lstrip("\n")
    return diffs


def _format_patch(repo: GitRepo, start: str, end: str, count: int) -> list[tuple[str, bytes]]:
    with temp_dir("fp") as tmp:
        repo.run("format-patch", "-q", "-o", str(tmp), f"{start}..{end}")
        files = sorted(tmp.iterdir())
        if len(files) != count:
            raise BadInput(f"git format-patch wrote {len(files)} patches for {count} commits")
        return [(f.name, f.read_bytes()) for f in files]

