"""A series folder's patch file -> a Patch, parsed once for every run that reads it.

Every command starts by reading the stored series, and reading a patch file
is a mail parse: importing the stdlib ``email`` package and ``sources.mail``
costs ~40 ms and parsing the nine example patches ~9 ms, a fifth of a whole
``check``.  The parse is a function of the file's bytes, its name and the
parser alone, so its result is kept in ``patchtool.cache`` (a ``marshal``
of plain tuples) under the sha256 of the three, the parser standing for the
source text of the modules that decide a Patch (``PARSER_MODULES``) and the
Python and unidiff they run on.  A hit builds the Patch from the tuples
without importing the parser; a miss, or an entry that does not load, parses
the file as before and stores the result.  Only Patches are stored: a file
that does not parse raises its BadInput on every run.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import fields
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from patchtool import cache
from patchtool.model import ChangeKind, FileChange, Hunk, Patch, Person, Subject, Trailer

KIND = "patch-file.v1"
# The modules whose code decides what a patch file parses to (this one builds it back).
PARSER_MODULES = ("model.py", "subject.py", "diffparse.py", "diffnames.py", "sources/mail.py",
                  "sources/mailinfo.py", "sources/stored.py")
_PACKAGE = Path(__file__).resolve().parent.parent


class _Stamp:
    value: bytes | None = None


def parser_stamp() -> bytes:
    """The sha256 of the parser: its modules' source, Python's version, unidiff's source (once a process)."""
    if _Stamp.value is None:
        h = hashlib.sha256(sys.version.encode())
        sources = [_PACKAGE / name for name in PARSER_MODULES]
        spec = find_spec("unidiff")
        if spec is not None and spec.origin:
            sources += sorted(Path(spec.origin).parent.glob("*.py"))
        for path in sources:
            try:
                data = path.read_bytes()
            except OSError:  # no source to key on (a zipped install): parse every time
                data = b"%d" % id(h)
            h.update(b"%s %d:" % (path.name.encode(), len(data)))
            h.update(data)
        _Stamp.value = h.digest()
    return _Stamp.value


def patch_of_file(data: bytes, source: str, filename: str | None = None) -> Patch:
    """``patch_from_mail(read_mail(data, source), source, filename)``, from the cache when it holds it."""
    parts = [parser_stamp(), filename or "", data]
    if (stored := cache.get_marshal(KIND, parts)) is not None:
        try:
            return from_plain(stored, data)
        except (ValueError, TypeError, IndexError, AttributeError):
            pass  # not what this code writes: parse afresh
    from patchtool.sources.mail import patch_from_mail, read_mail

    patch = patch_from_mail(read_mail(data, source), source, filename=filename)
    cache.put_marshal(KIND, parts, to_plain(patch, data))
    return patch


def _leaf(obj: Any) -> tuple[Any, ...]:
    return tuple(getattr(obj, f.name) for f in fields(obj))


def to_plain(patch: Patch, data: bytes) -> tuple[Any, ...]:
    """The Patch as tuples of str/int/bool/bytes/None (its fields in order), the mail's bytes left out
    when they are the file's."""
    def file_plain(f: FileChange) -> tuple[Any, ...]:
        return tuple(f.kind.value if name == "kind" else tuple(_leaf(h) for h in f.hunks) if name == "hunks"
                     else getattr(f, name) for name in _FILE_FIELDS)

    out: list[Any] = []
    for name in _PATCH_FIELDS:
        value = getattr(patch, name)
        if name in ("subject", "author") or (name == "sender" and value is not None):
            value = _leaf(value)
        elif name == "trailers":
            value = tuple(_leaf(t) for t in value)
        elif name == "files":
            value = tuple(file_plain(f) for f in value)
        elif name == "raw" and value == data:
            value = True
        out.append(value)
    return tuple(out)


def from_plain(plain: tuple[Any, ...], data: bytes) -> Patch:
    """``to_plain`` undone; TypeError/ValueError when ``plain`` is of another shape."""
    if not isinstance(plain, tuple) or len(plain) != len(_PATCH_FIELDS):
        raise ValueError("not a stored patch")
    value = dict(zip(_PATCH_FIELDS, plain, strict=True))
    files = []
    for f in value["files"]:
        change = dict(zip(_FILE_FIELDS, f, strict=True))
        change["kind"] = ChangeKind(change["kind"])
        change["hunks"] = tuple(Hunk(*h) for h in change["hunks"])
        files.append(FileChange(**change))
    value.update(subject=Subject(*value["subject"]), author=Person(*value["author"]),
                 trailers=tuple(Trailer(*t) for t in value["trailers"]), files=tuple(files),
                 sender=None if value["sender"] is None else Person(*value["sender"]),
                 raw=data if value["raw"] is True else value["raw"])
    return Patch(**value)


_PATCH_FIELDS = tuple(f.name for f in fields(Patch))
_FILE_FIELDS = tuple(f.name for f in fields(FileChange))
