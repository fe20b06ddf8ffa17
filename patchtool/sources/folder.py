"""A folder of ``git format-patch`` files -> a Series.

The order comes from a quilt ``series`` file when there is one, else from
the patches' numbering, else from the file names (format-patch's
``NNNN-`` names sort right).  ``0000-cover-letter.patch`` (or any 0/N mail)
is the cover letter.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from patchtool.errors import BadInput
from patchtool.model import Patch
from patchtool.model import Series as Series
from patchtool.sources import assemble

if TYPE_CHECKING:
    from patchtool.sources.mail import Mail

PATCH_SUFFIXES = (".patch", ".diff", ".eml", ".mbox")


def read_quilt_series(path: Path) -> list[str]:
    """Patch names from a quilt ``series`` file: first word of each line, ``#`` comments."""
    names = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        word = line.split("#", 1)[0].split()
        if not word:
            continue
        name = word[0]
        if name.startswith("/") or ".." in Path(name).parts:
            raise BadInput(f"unsafe patch name {name!r}", source=str(path), line=lineno)
        names.append(name)
    return names


def patch_files(folder: Path) -> list[Path]:
    order = folder / "series"
    if order.is_file():
        files = []
        for name in read_quilt_series(order):
            f = folder / name
            if not f.is_file():
                raise BadInput(f"the series file names {name}, which does not exist", source=str(order))
            files.append(f)
        return files
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(PATCH_SUFFIXES))


def read_folder(folder: Path, *, name: str) -> Series:
    from patchtool.sources.mail import cover_from_mail, patch_from_mail, read_mail  # reading a quilt file needs none

    files = patch_files(folder)
    if not files:
        raise BadInput("no patch files (*.patch) in this folder", source=str(folder))
    cover: Mail | None = None
    patches: list[Patch] = []
    first: Mail | None = None
    mails: list[Mail] = []
    for f in files:
        mail = read_mail(f.read_bytes(), str(f))
        first = first or mail
        mails.append(mail)
        if mail.subject.number == 0 or f.name.startswith("0000-cover-letter"):
            cover = mail
            continue
        patches.append(patch_from_mail(mail, str(f), filename=f.name))
    return assemble(name, patches, source=str(folder), cover=cover,
                    cover_prose=cover_from_mail(cover) if cover else None, first=first,
                    mails=mails)
