"""The series folder on disk (SPEC section 1): read it, write it atomically.

A write builds the whole new folder beside the old one and swaps it in
with renames, so an interrupted command leaves the old folder as it was.
Patch files are written byte for byte as they were read; keys of
``series.toml`` this version does not know are kept (``Series.extra``; the
unknown keys of ``[cover]`` under ``extra["cover"]``).  ``toml_warnings``
names the unknown keys that look like typos of known ones, and the values
whose surrounding whitespace ``read_series`` trimmed; the CLI prints them.
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from patchtool import fsatomic
from patchtool.addresses import parse_address
from patchtool.errors import BadInput
from patchtool.model import Cover, Patch, Person, PostedMail, Posting, Series
from patchtool.sources.folder import read_quilt_series
from patchtool.sources.stored import patch_of_file

KNOWN_KEYS = {"title", "version", "rfc", "prefix", "base", "base-commit", "to", "cc",
              "links", "changes", "render", "cover", "posted"}
_MAIL_KEYS = {"number": "number", "message-id": "message_id", "date": "date", "list": "list",
              "via": "via", "answer": "answer"}


def _person(text: str | None) -> Person | None:
    return Person(*parse_address(text)) if text else None


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


def _postings(table: Any, path: Path) -> Mapping[int, Posting]:
    """``[[posted.vN]]``: one table per mail (number, message-id, date, list, via, answer)."""
    if not isinstance(table, dict):
        raise BadInput("[posted] must be a table of vN = [mails]", source=str(path))
    out: dict[int, Posting] = {}
    for key, mails in table.items():
        num = key[1:] if key.startswith("v") else key
        if not num.isdigit() or not isinstance(mails, list):
            raise BadInput(f"[posted] entry {key!r} must be vN with a list of mails", source=str(path))
        records = []
        for mail in mails:
            ok = (isinstance(mail, dict) and isinstance(mail.get("number"), int)
                  and isinstance(mail.get("message-id"), str)
                  and all(isinstance(v, str) for k, v in mail.items() if k != "number"))
            if not ok:
                raise BadInput(f"[posted.{key}]: each mail needs a number and a message-id", source=str(path))
            records.append(PostedMail(**{_MAIL_KEYS[k]: v for k, v in mail.items() if k in _MAIL_KEYS}))
        out[int(num)] = Posting(tuple(sorted(records, key=lambda m: m.number)))
    return MappingProxyType(out)


def _postings_toml(posted: Mapping[int, Posting]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for version, posting in sorted(posted.items()):
        mails = []
        for m in posting.mails:
            record: dict[str, Any] = {"number": m.number, "message-id": m.message_id}
            record.update((k, getattr(m, attr)) for k, attr in _MAIL_KEYS.items()
                          if k not in record and getattr(m, attr))
            mails.append(record)
        out[f"v{version}"] = mails
    return out


def read_series(folder: Path) -> Series:
    """Load ``series/<name>/``; BadInput naming the file for anything malformed.

    What a killed writer left beside the folder is swept first (``fsatomic.sweep``): its temporary
    folders go, and an old folder it had moved aside comes back to the name."""
    fsatomic.sweep(folder.absolute())
    toml_path = folder / "series.toml"
    if not toml_path.is_file():
        raise BadInput("not a series folder (no series.toml)", source=str(folder))
    try:
        meta = _trimmed(tomllib.loads(toml_path.read_text(encoding="utf-8")), toml_path)
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
        patches.append(patch_of_file(f.read_bytes(), str(f), filename=name))
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
        base=typed("base", str, "") or None,
        base_commit=typed("base-commit", str, "") or None,
        to=tuple(typed("to", list, [])),
        cc=tuple(typed("cc", list, [])),
        links=_versions(meta.get("links", {}), toml_path, "links"),
        changes=_versions(meta.get("changes", {}), toml_path, "changes"),
        cover=Cover(prose=prose, author=_person(cover_meta.get("from")),
                    date=cover_meta.get("date"), message_id=cover_meta.get("message-id")),
        render=MappingProxyType(dict(meta.get("render", {}))),
        extra=MappingProxyType(_extra(meta)),
        posted=_postings(meta.get("posted", {}), toml_path),
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
    cover = dict(series.extra.get("cover") or {})
    cover.update({k: v for k, v in (
        ("from", str(series.cover.author) if series.cover.author else None),
        ("date", series.cover.date),
        ("message-id", series.cover.message_id),
    ) if v})
    if cover:
        doc["cover"] = cover
    if series.links:
        doc["links"] = {str(k): v for k, v in sorted(series.links.items())}
    if series.changes:
        doc["changes"] = {str(k): v for k, v in sorted(series.changes.items())}
    if series.render:
        doc["render"] = dict(series.render)
    if series.posted:
        doc["posted"] = _postings_toml(series.posted)
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

    # Bytes that were no UTF-8 in the mail (a latin-1 file's lines) go back as they came.
    return render_patch(patch, series.subject_for(number)).encode("utf-8", "surrogateescape")


def write_series(
    series: Series,
    folder: Path,
    *,
    archive_as: str | None = None,
    verify: Callable[[Series], None] | None = None,
) -> Series:
    """Write ``series`` to ``folder`` atomically, keeping history/ and unknown files.

    ``archive_as`` (``"v2"``): the folder's current version is kept under
    ``history/v2`` in the same swap, so a re-roll is all or nothing too.
    Before the swap the new folder is read back with ``read_series`` and
    must give the same patches (count, subjects, diffs, messages); then
    ``verify`` (e.g. rebase: the patches still make the computed tree) may
    raise BadInput.  On any failure the old folder stays as it was.
    Returns the series as read back.
    """
    import tomli_w  # writing only: a read does not import it

    folder = folder.absolute()
    folder.parent.mkdir(parents=True, exist_ok=True)
    fsatomic.sweep(folder)
    tmp = fsatomic.temp_folder(folder, "new")
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
        written = _read_back(series, tmp, folder)
        if verify is not None:
            verify(written)
        fsatomic.swap_in(tmp, folder)
        return replace(written, name=folder.name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _read_back(series: Series, tmp: Path, folder: Path) -> Series:
    """The new folder as the next command will read it; BadInput (naming the patch) when it differs."""
    for entry in (tmp / "patches").iterdir():
        if entry.name != "series" and entry.is_file() and entry.stat().st_size == 0:
            raise BadInput(f"refusing to write an empty patch file {entry.name}; nothing changed",
                           source=str(folder))
    try:
        written = read_series(tmp)
    except BadInput as exc:
        raise BadInput(f"the folder written does not read back ({exc.message}); nothing changed",
                       source=str(folder)) from None
    if len(written.patches) != len(series.patches):
        raise BadInput(f"the folder written holds {len(written.patches)} patches, not {len(series.patches)}; "
                       "nothing changed", source=str(folder))
    for n, (want, got) in enumerate(zip(series.patches, written.patches, strict=True), 1):
        # A patch kept as read is its bytes; one rendered afresh must parse back to what it says.
        same = (want.raw == got.raw) if want.raw is not None else (
            want.subject.summary == got.subject.summary and want.message == got.message
            and want.diff == got.diff and want.notes == got.notes)
        same = same and want.diff == got.diff
        if not same:
            raise BadInput(f"patch {n} ({want.subject.summary}) does not read back as written; nothing changed",
                           source=str(folder))
    return written


# -- series.toml as people type it: trimmed values, likely typos, the missing base ------------------

# The keys each table knows.  ``prerequisite-patch-ids`` is read from ``extra`` (cover.py).
_TABLE_KEYS: dict[str, frozenset[str]] = {
    "": frozenset(KNOWN_KEYS | {"prerequisite-patch-ids"}),
    "cover": frozenset({"from", "date", "message-id"}),
    "render": frozenset({"template", "cover-template", "stat-width", "stat-graph-width", "stat-name-width"}),
}
# String values whose surrounding whitespace cannot mean anything, so it is trimmed (with a warning):
# refs and ids hold no whitespace, a header's edges are folded away, a subject's are stripped
# by format-patch, and a prefix is split into words anyway.
_TRIM = {"": ("title", "prefix", "base", "base-commit", "to", "cc"), "cover": ("from", "date", "message-id")}
# Refused instead: a template is a shipped name or a file path, and a file name may end in a space.
_REFUSE = {"render": ("template", "cover-template")}


def _spaced(value: Any) -> bool:
    return isinstance(value, str) and value != value.strip()


def _trimmed(meta: dict[str, Any], path: Path) -> dict[str, Any]:
    """``meta`` with the ``_TRIM`` values stripped; BadInput for a ``_REFUSE`` value with edge whitespace."""
    out = dict(meta)
    for table in ("cover", "render"):
        if table in out and not isinstance(out[table], dict):
            raise BadInput(f"[{table}] must be a table", source=str(path))
    for table, keys in _REFUSE.items():
        for key in keys:
            value = out.get(table, {}).get(key)
            if _spaced(value):
                raise BadInput(f"[{table}] {key} = {value!r} has whitespace around it: remove it (a template "
                               "file name may hold spaces, so patchtool does not guess)", source=str(path))
    for table, keys in _TRIM.items():
        holder = out if not table else dict(out.get(table, {}))
        for key in keys:
            value = holder.get(key)
            if isinstance(value, list):
                holder[key] = [v.strip() if isinstance(v, str) else v for v in value]
            elif isinstance(value, str):
                holder[key] = value.strip()
        if table and table in out:
            out[table] = holder
    return out


def _extra(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The keys this version does not read: top-level ones, and ``[cover]``'s under ``"cover"``."""
    extra = {k: v for k, v in meta.items() if k not in KNOWN_KEYS}
    cover = {k: v for k, v in meta.get("cover", {}).items() if k not in _TABLE_KEYS["cover"]}
    if cover:
        extra["cover"] = cover
    return extra


def _likely(key: str, known: frozenset[str]) -> str | None:
    """The known key ``key`` is probably a typo of: same after trimming, case and ``_``, the same
    letters transposed, or close by difflib's ratio."""
    import difflib

    plain = key.strip().lower().replace("_", "-")
    if plain in known:
        return plain
    same_letters = [k for k in sorted(known) if sorted(k) == sorted(plain)]
    if same_letters:
        return same_letters[0]
    close = difflib.get_close_matches(plain, sorted(known), n=1, cutoff=0.7)
    return close[0] if close else None


def _key_warnings(table: str, entries: Mapping[str, Any]) -> list[str]:
    known = _TABLE_KEYS[table]
    where = f"[{table}] " if table else ""
    out = []
    for key in entries:
        if key in known:
            continue
        guess = _likely(key, known)
        if guess is not None:
            out.append(f"{where}unknown key {key!r}: did you mean {guess!r}? (kept, but not read)")
        elif not table:
            home = [t for t in ("cover", "render") if _likely(key, _TABLE_KEYS[t]) == key.strip().lower()]
            if home:
                out.append(f"unknown key {key!r}: did you mean {key.strip()!r} under [{home[0]}]? "
                           "(kept, but not read)")
    return out


def toml_warnings(folder: Path) -> list[str]:
    """What in ``folder/series.toml`` is probably not what its writer meant, one line each:
    unknown keys close to known ones (``bsae``, ``verison``, ``"to "``), kept as they are, and
    values whose surrounding whitespace ``read_series`` trims.  Empty when the file does not parse
    (``read_series`` says why)."""
    path = folder / "series.toml"
    try:
        meta = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return []
    out = _key_warnings("", meta)
    for table in ("cover", "render"):
        if isinstance(meta.get(table), dict):
            out += _key_warnings(table, meta[table])
    for table, keys in _TRIM.items():
        holder = meta if not table else meta.get(table)
        if not isinstance(holder, dict):
            continue
        for key in keys:
            value = holder.get(key)
            values = value if isinstance(value, list) else [value]
            for v in values:
                if _spaced(v):
                    name = f"[{table}] {key}" if table else key
                    out.append(f"{name} value {v!r} has whitespace around it: read as {v.strip()!r}")
    return [f"{path}: {line}" for line in out]


def missing_base(name: str, suggestion: str | None, *, option: bool = False) -> BadInput:
    """The error for a series that names no base, suggesting ``suggestion`` (a ref of the repository
    at hand: ``GitRepo.newest_tag``) rather than any fixed name; ``option``: the command takes ``--base``."""
    ref = suggestion or "REF"
    which = " (the newest tag here)" if suggestion else ""
    give = f"give --base {ref}, or " if option else ""
    return BadInput(f"{name} names no base: {give}set one with `patchtool base {name} {ref}`{which} "
                    f"or guess it with `patchtool base {name} --guess`")
