"""Answers worth keeping between runs, outside the repository: ``$XDG_CACHE_HOME/patchtool``.

An entry is what a slow step computed (checkpatch's report on one patch, the
subjects of the history of a series' files), stored under a key made of
everything the answer depends on: ``key(kind, parts)`` is the sha256 of the
parts, so a changed input is a different entry and nothing is ever stale.
The value is JSON, in ``<root>/<kind>/<2 hex>/<sha256>.json``; or bytes
(``get_bytes``/``put_bytes``: a ``marshal`` of plain tuples loads ten times
faster than their JSON), in ``<sha256>.bin`` after the sha256 of the bytes,
so a file cut short or changed is a miss.

* **Never an error.**  A cache that cannot be read (corrupt, truncated, of
  another shape, a directory that is not ours) is a miss; one that cannot be
  written is no cache.  The caller always gets the answer computed afresh.
* **Safe for concurrent runs.**  An entry is written to a temporary file in
  its directory and renamed over the name (``os.replace``): a reader sees the
  whole old entry, the whole new one, or none.
* **Bounded.**  A hit refreshes the entry's mtime; about once an hour a
  writer prunes the oldest entries until the cache is under ``MAX_BYTES``
  (and removes temporary files a killed run left).
* **Off** with ``PATCHTOOL_NO_CACHE=1`` (anything but empty or ``0``), or
  inside ``with disabled():`` (the CLI's ``--no-cache``).

A new use is one call: ``memo("maintainers.v1", [blob_id], lambda: index_as_json)``
(bump the kind's version when the value's shape changes).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

MAX_BYTES = 50 * 1024 * 1024
PRUNE_EVERY = 3600.0  # seconds between two prunes
NO_CACHE_ENV = "PATCHTOOL_NO_CACHE"
_STAMP = ".pruned"
_TMP_PREFIX = ".tmp-"
_KIND = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

T = TypeVar("T")
Part = str | bytes | int


class _State:
    disabled = 0  # depth of ``with disabled():``


_state = _State()


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """No reads and no writes inside the block (``--no-cache``)."""
    _state.disabled += 1
    try:
        yield
    finally:
        _state.disabled -= 1


def enabled() -> bool:
    return not _state.disabled and os.environ.get(NO_CACHE_ENV, "") in ("", "0")


def root() -> Path | None:
    """``$XDG_CACHE_HOME/patchtool`` (``~/.cache/patchtool`` when unset or relative); None when off."""
    if not enabled():
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative path is to be ignored
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):
            return None
    return Path(base) / "patchtool"


def key(kind: str, parts: Iterable[Part]) -> str:
    """The sha256 of the kind and the parts, each framed with its length (so parts cannot run together)."""
    h = hashlib.sha256(b"patchtool-cache\0")
    for part in (kind, *parts):
        data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogateescape")
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.hexdigest()


def _path(top: Path, kind: str, digest: str, suffix: str = ".json") -> Path:
    if not _KIND.match(kind):
        raise ValueError(f"cache kind {kind!r}: lower-case letters, digits, '.', '_' and '-' only")
    return top / kind / digest[:2] / f"{digest}{suffix}"


def get_bytes(kind: str, parts: Iterable[Part]) -> bytes | None:
    """The bytes stored for (kind, parts), or None (a miss: absent, unreadable, or not what was written)."""
    top = root()
    if top is None:
        return None
    path = _path(top, kind, key(kind, parts), ".bin")
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) < 32 or hashlib.sha256(data[32:]).digest() != data[:32]:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)
    return data[32:]


def put_bytes(kind: str, parts: Iterable[Part], data: bytes) -> None:
    """Store ``data`` for (kind, parts); silently nothing when that fails."""
    top = root()
    if top is not None and len(data) <= MAX_BYTES // 8:
        _write(top, _path(top, kind, key(kind, parts), ".bin"), hashlib.sha256(data).digest() + data)


def get_marshal(kind: str, parts: Iterable[Part]) -> Any:
    """The value ``put_marshal`` stored for (kind, parts), or None (a miss, or bytes that do not load);
    the caller checks its shape."""
    data = get_bytes(kind, parts)
    if data is None:
        return None
    try:
        return marshal.loads(data)
    except (ValueError, TypeError, EOFError):
        return None


def put_marshal(kind: str, parts: Iterable[Part], value: Any) -> None:
    """Store ``value`` (plain tuples, lists, dicts, str, bytes, numbers) as a ``marshal``; nothing when it
    cannot be."""
    try:
        data = marshal.dumps(value)
    except ValueError:
        return
    put_bytes(kind, parts, data)


def _write(top: Path, path: Path, data: bytes) -> None:
    """``data`` to ``path``, whole or not at all (a temporary file renamed over it), then maybe a prune."""
    tmp = None
    try:
        top.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f"{_TMP_PREFIX}{os.getpid()}-", suffix=path.suffix, dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        return
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _maybe_prune(top)


def get(kind: str, parts: Iterable[Part]) -> Any:
    """The value stored for (kind, parts), or None (a miss, whatever the reason)."""
    top = root()
    if top is None:
        return None
    path = _path(top, kind, key(kind, parts))
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or doc.get("kind") != kind or "value" not in doc:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # least recently used goes first
    return doc["value"]


def put(kind: str, parts: Iterable[Part], value: Any) -> None:
    """Store ``value`` (JSON-able, not None) for (kind, parts); silently nothing when that fails."""
    top = root()
    if top is None or value is None:
        return
    path = _path(top, kind, key(kind, parts))
    try:
        data = json.dumps({"kind": kind, "value": value}, separators=(",", ":"))  # ASCII: any str survives
    except (TypeError, ValueError):
        return
    if len(data) > MAX_BYTES // 8:
        return
    _write(top, path, data.encode("ascii"))


def memo(kind: str, parts: Iterable[Part], compute: Callable[[], T],
         valid: Callable[[Any], bool] | None = None) -> T:
    """The stored value for (kind, parts) when there is one (and ``valid`` accepts it), else
    ``compute()``, stored.  Either way the value as JSON gives it back (lists, not tuples), so a
    warm run sees exactly what a cold one saw."""
    parts = list(parts)
    got = get(kind, parts)
    if got is not None and (valid is None or valid(got)):
        return got  # type: ignore[no-any-return]
    value = compute()
    try:
        value = json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return value
    put(kind, parts, value)
    return value


def _maybe_prune(top: Path) -> None:
    stamp = top / _STAMP
    try:
        if time.time() - stamp.stat().st_mtime < PRUNE_EVERY:
            return
    except OSError:
        pass
    try:
        stamp.touch()
    except OSError:
        return
    prune(top)


def prune(top: Path | None = None, max_bytes: int = MAX_BYTES) -> None:
    """Drop the least recently used entries until the cache holds at most ``max_bytes``, and the
    temporary files of writers that died (older than an hour)."""
    top = top or root()
    if top is None:
        return
    now = time.time()
    entries: list[tuple[float, int, str]] = []
    for dirpath, _, files in os.walk(top):
        for name in files:
            full = os.path.join(dirpath, name)
            try:
                st = os.stat(full)
            except OSError:
                continue
            if name.startswith(_TMP_PREFIX):
                if now - st.st_mtime > PRUNE_EVERY:
                    with contextlib.suppress(OSError):
                        os.unlink(full)
            elif name.endswith((".json", ".bin")):
                entries.append((st.st_mtime, st.st_size, full))
    total = sum(size for _, size, _ in entries)
    if total <= max_bytes:
        return
    entries.sort()
    goal = max_bytes * 3 // 4  # some room, so the next prune is not the next write
    for _, size, full in entries:
        if total <= goal:
            break
        with contextlib.suppress(OSError):
            os.unlink(full)
            total -= size
