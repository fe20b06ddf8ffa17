"""Objects written as git's pack format: a pack and its index, for the scratch object directory.

``write_pack`` writes whole (undeltified) objects, stored rather than
deflated, into ``pack-<checksum>.pack`` with its version 2 ``.idx``
(``gitformat-pack``); the ids are SHA-1s of ``b"<type> <size>\\0" + body``,
as git computes them.  It replaces a ``git fast-import`` for the blobs and a
``git mktree --batch`` for the trees of an applied series: two processes.
The tests' oracle is git itself (``git index-pack`` rebuilds each index byte
for byte from the pack alone; ``fsck --strict``, ``cat-file``).
"""

from __future__ import annotations

import hashlib
import os
import struct
import threading
import zlib
from collections.abc import Sequence
from pathlib import Path

_PACK_TYPES = {"commit": 1, "tree": 2, "blob": 3, "tag": 4}
# A pack index's plain offsets are 31 bits: a pack is closed before it grows past that, and the next begun.
PACK_LIMIT = 0x7FFFFFFF


def write_pack(objects_dir: Path, objects: Sequence[tuple[str, bytes]]) -> list[str]:
    """Write (type, body) objects as packs with their indexes under ``objects_dir/pack``; their ids."""
    ids = [hashlib.sha1(b"%s %d\x00" % (kind.encode(), len(body)) + body).hexdigest() for kind, body in objects]
    folder = objects_dir / "pack"
    done: set[str] = set()
    chunk: list[tuple[str, bytes]] = []  # (id, its bytes in the pack) for the pack being made
    size = 12
    for (kind, body), oid in zip(objects, ids, strict=True):
        if oid in done:
            continue
        done.add(oid)
        packed = _pack_entry(_PACK_TYPES[kind], body)
        if chunk and size + len(packed) > PACK_LIMIT:
            _write_one_pack(folder, chunk)
            chunk, size = [], 12
        chunk.append((oid, packed))
        size += len(packed)
    if chunk:
        _write_one_pack(folder, chunk)
    return ids


def _pack_entry(kind: int, body: bytes) -> bytes:
    """An undeltified object in a pack: its type and size (4 bits, then 7-bit groups), then zlib."""
    size, head = len(body), bytearray()
    byte = (kind << 4) | (size & 0x0F)
    size >>= 4
    while size:
        head.append(byte | 0x80)
        byte, size = size & 0x7F, size >> 7
    head.append(byte)
    return bytes(head) + zlib.compress(body, 0)  # stored, not deflated: the pack lives for one command


def _write_one_pack(folder: Path, chunk: list[tuple[str, bytes]]) -> None:
    """``pack-<checksum>.pack`` and its version 2 ``.idx`` (``gitformat-pack``), the index last."""
    pack = bytearray(b"PACK" + struct.pack(">II", 2, len(chunk)))
    where: dict[str, tuple[int, int]] = {}  # id -> (offset, crc32 of its bytes)
    for oid, packed in chunk:
        where[oid] = (len(pack), zlib.crc32(packed))
        pack += packed
    pack += hashlib.sha1(pack).digest()
    names = sorted(where)
    counts = [0] * 256
    for oid in names:
        counts[int(oid[:2], 16)] += 1
    fanout, total = bytearray(), 0
    for count in counts:  # how many ids start with a byte up to each value
        total += count
        fanout += struct.pack(">I", total)
    index = b"".join([b"\xfftOc", struct.pack(">I", 2), fanout, *(bytes.fromhex(oid) for oid in names),
                      *(struct.pack(">I", where[oid][1]) for oid in names),
                      *(struct.pack(">I", where[oid][0]) for oid in names), pack[-20:]])
    index += hashlib.sha1(index).digest()
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"pack-{pack[-20:].hex()}"
    for suffix, data in ((".pack", pack), (".idx", index)):  # git finds a pack by its index
        tmp = folder / f"tmp_{os.getpid()}_{threading.get_ident()}{suffix}"
        tmp.write_bytes(data)
        os.replace(tmp, stem.with_suffix(suffix))
