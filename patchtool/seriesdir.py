"""The series folder on disk (SPEC section 1): read it, write it atomically.

A write builds the whole new folder beside the old one and swaps it in
with renames, so an interrupted command leaves the old folder as it was.
Patch files are written byte for byte as they were read; keys of
``series.toml`` this version does not know are kept.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import tomli_w

from patchtool.errors import BadInput
from patchtool.model import Cover, Patch, Person, Series
from patchtool.sources.folder import read_quilt_series
from patchtool.sources.mail import patch_from_mail, read_mail

KNOWN_KEYS = {"title", "version", "rfc", "prefix", "base", "base-commit", "to", "cc",
              "links", "changes", "render", "cover"}


def _person(text: str | None) -> Person | None:
    if not text:
        return None
    from email.utils import parseaddr

    name, addr = parseaddr(text)
    return Person(name, addr)


def _versions(table: Any, path: Path, key: str) -> Mapping[int, str]:
    if not isinstance(table, dict):
        raise BadInput(f"[{key}] must be a table of version = text", source=str(path))
    out = {}
    for k, v in table.items():
        num = k[1:] if k.startswith("v") else k
        if not num.isdigit() or not isinstance(v, str):
            raise BadInput(f"[{key}] entry {k!r} must be a version number with a string",
                           source=str(path))
        out[int(num)] = v
    return MappingProxyType(out)


def read_series(folder: Path) -> Series:
    """Load ``series/<name>/``; BadInput naming the file for anything malformed."""
    toml_path = folder / "series.toml"
    if not toml_path.is_file():
        raise BadInput("not a series folder (no series.toml)", source=str(folder))
    try:
        meta = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"invalid TOML: {exc}", source=str(toml_path)) from None
    order = folder / "patches" / "series"
    if not order.is_file():
        raise BadInput("missing patches/series (the patch order)", source=str(folder))
    patches = []
    for name in read_quilt_series(order):
        f = folder / "patches" / name
        if not f.is_file():
            raise BadInput(f"patches/series names {name}, which does not exist", source=str(order))
        patches.append(patch_from_mail(read_mail(f.read_bytes(), str(f)), str(f), filename=name))
    cover_meta = meta.get("cover", {})
    prose_path = folder / "cover.txt"
    prose = prose_path.read_text(encoding="utf-8") if prose_path.is_file() else ""

    def typed(key: str, kind: type, default: Any) -> Any:
        value = meta.get(key, default)
        if not isinstance(value, kind):
            raise BadInput(f"{key} must be a {kind.__name__}", source=str(toml_path))
        return value

    return Series(
        name=folder.name,
        title=typed("title", str, ""),
        patches=tuple(patches),
        version=typed("version", int, 1),
        rfc=typed("rfc", bool, False),
        prefix=typed("prefix", str, "PATCH"),
        base=meta.get("base"),
        base_commit=meta.get("base-commit"),
        to=tuple(typed("to", list, [])),
        cc=tuple(typed("cc", list, [])),
        links=_versions(meta.get("links", {}), toml_path, "links"),
        changes=_versions(meta.get("changes", {}), toml_path, "changes"),
        cover=Cover(prose=prose, author=_person(cover_meta.get("from")),
                    date=cover_meta.get("date"), message_id=cover_meta.get("message-id")),
        render=MappingProxyType(dict(meta.get("render", {}))),
        extra=MappingProxyType({k: v for k, v in meta.items() if k not in KNOWN_KEYS}),
    )


def series_toml(series: Series) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "title": series.title,
        "version": series.version,
        "rfc": series.rfc,
        "prefix": series.prefix,
    }
    if series.base:
        doc["base"] = series.base
    if series.base_commit:
        doc["base-commit"] = series.base_commit
    doc["to"] = list(series.to)
    doc["cc"] = list(series.cc)
    doc.update({k: v for k, v in series.extra.items() if k not in KNOWN_KEYS})
    cover = {k: v for k, v in (
        ("from", str(series.cover.author) if series.cover.author else None),
        ("date", series.cover.date),
        ("message-id", series.cover.message_id),
    ) if v}
    if cover:
        doc["cover"] = cover
    if series.links:
        doc["links"] = {str(k): v for k, v in sorted(series.links.items())}
    if series.changes:
        doc["changes"] = {str(k): v for k, v in sorted(series.changes.items())}
    if series.render:
        doc["render"] = dict(series.render)
    return doc


def patch_filename(number: int, patch: Patch) -> str:
    if patch.filename:
        return patch.filename
    from patchtool.mailfmt import patch_file_name

    return patch_file_name(number, patch.subject.summary)


def _patch_bytes(patch: Patch, number: int, series: Series) -> bytes:
    if patch.raw is not None:
        return patch.raw
    from patchtool.mailfmt import render_patch

    return render_patch(patch, series.subject_for(number)).encode("utf-8")


def write_series(series: Series, folder: Path, *, archive_as: str | None = None) -> None:
    """Write ``series`` to ``folder`` atomically, keeping history/ and unknown files.

    ``archive_as`` (``"v2"``): the folder's current version is kept under
    ``history/v2`` in the same swap, so a re-roll is all or nothing too.
    """
    folder = folder.absolute()
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        (tmp / "patches").mkdir()
        names = []
        for n, patch in enumerate(series.patches, 1):
            name = patch_filename(n, patch)
            if name in names:
                raise BadInput(f"two patches would share the file name {name}", source=str(folder))
            names.append(name)
            (tmp / "patches" / name).write_bytes(_patch_bytes(patch, n, series))
        (tmp / "patches" / "series").write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
        (tmp / "series.toml").write_text(tomli_w.dumps(series_toml(series), multiline_strings=True), encoding="utf-8")
        (tmp / "cover.txt").write_text(series.cover.prose, encoding="utf-8")
        if folder.exists():
            for entry in folder.iterdir():
                if entry.name in ("series.toml", "cover.txt", "patches"):
                    continue
                dest = tmp / entry.name
                if entry.is_dir():
                    shutil.copytree(entry, dest, symlinks=True)
                else:
                    shutil.copy2(entry, dest)
        if archive_as is not None:
            kept = tmp / "history" / archive_as
            if kept.exists():
                raise BadInput(f"history/{archive_as} exists already", source=str(folder))
            kept.mkdir(parents=True)
            for name in ("series.toml", "cover.txt"):
                if (folder / name).is_file():
                    shutil.copy2(folder / name, kept / name)
            shutil.copytree(folder / "patches", kept / "patches", symlinks=True)
        _swap_in(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(new: Path, folder: Path) -> None:
    if not folder.exists():
        os.rename(new, folder)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
    os.rmdir(old)
    os.rename(folder, old)
    try:
        os.rename(new, folder)
    except BaseException:
        os.rename(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)
