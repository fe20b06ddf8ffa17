"""A series folder's patch files are parsed once: ``sources.stored`` against the parser it stands for.

The oracle is ``patch_from_mail(read_mail(...))`` itself, run on real-shaped
mails (every mail of ``tests/data``, the example's patches) and on those
mails broken by the fuzzing mutators: what the cache gives back must equal
what the parser makes, field for field, and a warm read must not import the
mail parser at all.
"""

from __future__ import annotations

import json
import marshal
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patchtool import cache
from patchtool.errors import BadInput
from patchtool.seriesdir import read_series
from patchtool.sources import stored
from patchtool.sources.mail import patch_from_mail, read_mail
from patchtool.sources.mbox import read_mails
from tests import fuzzing
from tests.fuzzing import MUTATORS, Ctx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "series" / "io_uring-lsm"


def _samples() -> list[tuple[str, bytes]]:
    out = [(p.name, p.read_bytes()) for p in sorted((EXAMPLE / "patches").glob("*.patch"))]
    for path in sorted((ROOT / "tests" / "data").glob("*.mbox")):
        out += [(f"{path.name}#{i}", m.raw) for i, m in enumerate(read_mails(path))]
    return out


SAMPLES = _samples()


def _parsed(data: bytes, name: str) -> object:
    """What the parser itself makes of the file: the Patch, or its BadInput's words."""
    try:
        return patch_from_mail(read_mail(data, name), name, filename=name)
    except BadInput as exc:
        return f"BadInput: {exc}"


def _through_cache(data: bytes, name: str) -> object:
    try:
        return stored.patch_of_file(data, name, filename=name)
    except BadInput as exc:
        return f"BadInput: {exc}"


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    return tmp_path / "xdg" / "patchtool" / stored.KIND


def _entries(top: Path) -> list[Path]:
    return sorted(top.rglob("*.bin")) if top.exists() else []


def _no_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on a parse fails the test: what comes back must come from the cache."""
    def boom(*_args: object, **_kw: object) -> None:
        raise AssertionError("parsed, not read from the cache")
    monkeypatch.setattr("patchtool.sources.mail.read_mail", boom)


def test_every_sample_comes_back_from_the_cache_as_the_parser_made_it(
        own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    patches = [(name, data, want) for name, data in SAMPLES
               if not isinstance(want := _parsed(data, name), str)]
    assert len(patches) >= 30, "the samples hold real patches"
    cold = [stored.patch_of_file(data, name, filename=name) for name, data, _ in patches]
    assert cold == [want for _, _, want in patches]
    assert len(_entries(own_cache)) == len({(name, data) for name, data, _ in patches})
    _no_parser(monkeypatch)
    warm = [stored.patch_of_file(data, name, filename=name) for name, data, _ in patches]
    assert warm == [want for _, _, want in patches]
    assert all(w.raw is data for w, (_, data, _) in zip(warm, patches, strict=True))


def test_a_file_that_does_not_parse_is_refused_every_time_and_not_stored(own_cache: Path) -> None:
    bad = [(name, data) for name, data in SAMPLES if isinstance(_parsed(data, name), str)]
    assert bad, "the samples hold mails that are no patch (replies, covers)"
    for name, data in bad:
        assert _through_cache(data, name) == _through_cache(data, name) == _parsed(data, name)
    assert _entries(own_cache) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, len(SAMPLES) - 1), names=st.lists(st.sampled_from(sorted(
    set(MUTATORS) - set(fuzzing.HEAVY))), min_size=1, max_size=3), seed=st.integers(0, 2**32))
def test_mutated_mails_through_the_cache_equal_the_parse(own_cache: Path, which: int, names: list[str],
                                                         seed: int) -> None:
    seeds = [data for _, data in SAMPLES]
    data = fuzzing.mutate(Ctx(random.Random(seed), 10_000, seeds, 1 << 16, 50), seeds[which], names)
    want = _parsed(data, "m.patch")
    assert _through_cache(data, "m.patch") == want  # a miss
    assert _through_cache(data, "m.patch") == want  # a hit, when it parsed


def test_the_key_is_the_bytes_the_name_and_the_parser(own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name, data = SAMPLES[0]
    first = stored.patch_of_file(data, name, filename=name)
    stored.patch_of_file(data, name, filename=name)
    assert len(_entries(own_cache)) == 1
    renamed = stored.patch_of_file(data, name, filename="0001-other.patch")
    assert renamed.filename == "0001-other.patch" and len(_entries(own_cache)) == 2
    edited = data.replace(b"\n---\n", b"\nAn added line.\n---\n", 1)
    assert stored.patch_of_file(edited, name, filename=name).body != first.body
    assert len(_entries(own_cache)) == 3
    monkeypatch.setattr(stored._Stamp, "value", b"another parser")
    calls: list[bytes] = []
    real = cache.get_bytes

    def counted(kind: str, parts: list[bytes | str]) -> bytes | None:
        got = real(kind, parts)
        calls.append(b"hit" if got is not None else b"miss")
        return got
    monkeypatch.setattr(cache, "get_bytes", counted)
    assert stored.patch_of_file(data, name, filename=name) == first
    assert calls == [b"miss"] and len(_entries(own_cache)) == 4


def test_the_parser_stamp_follows_the_parsers_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = stored.parser_stamp()
    copy = tmp_path / "patchtool"
    for name in stored.PARSER_MODULES:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes((stored._PACKAGE / name).read_bytes())
    monkeypatch.setattr(stored, "_PACKAGE", copy)
    monkeypatch.setattr(stored._Stamp, "value", None)
    assert stored.parser_stamp() == before  # the same source, wherever it lies
    with (copy / "subject.py").open("a") as fh:
        fh.write("\n# one more line\n")
    monkeypatch.setattr(stored._Stamp, "value", None)
    assert stored.parser_stamp() != before


def test_an_entry_of_another_shape_is_parsed_afresh(own_cache: Path) -> None:
    name, data = SAMPLES[0]
    want = _parsed(data, name)
    parts = [stored.parser_stamp(), name, data]
    for junk in ((1, 2), ("x",) * 14, [], None, (None,) * 14):
        cache.put_bytes(stored.KIND, parts, marshal.dumps(junk))
        assert stored.patch_of_file(data, name, filename=name) == want
    path = _entries(own_cache)[0]
    path.write_bytes(path.read_bytes()[:-7])  # cut short: its checksum fails
    assert stored.patch_of_file(data, name, filename=name) == want


def test_no_cache_reads_and_writes_nothing(own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    name, data = SAMPLES[0]
    assert stored.patch_of_file(data, name, filename=name) == _parsed(data, name)
    assert not own_cache.parent.exists()


_WARM_READ = """
import json, sys
from pathlib import Path
from patchtool.seriesdir import read_series
series = read_series(Path(sys.argv[1]))
print(json.dumps({"email": sorted(m for m in sys.modules if m == "email" or m.startswith("email.")),
                  "parser": "patchtool.sources.mail" in sys.modules,
                  "patches": [repr(p) for p in series.patches]}))
"""


def test_a_warm_read_of_a_series_imports_no_mail_parser(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    env.pop(cache.NO_CACHE_ENV, None)

    def run() -> dict[str, object]:
        out = subprocess.run([sys.executable, "-c", _WARM_READ, str(EXAMPLE)], env=env, check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out)  # type: ignore[no-any-return]

    cold, warm = run(), run()
    assert cold["parser"] is True and cold["email"]
    assert warm["parser"] is False and warm["email"] == []
    assert warm["patches"] == cold["patches"] == [repr(p) for p in read_series(EXAMPLE).patches]
