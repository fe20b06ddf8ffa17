"""Where the files shipped with patchtool live: cover templates and the example series.

In a wheel they travel as ``patchtool/_data/{templates,series}``; in a
checkout (``pip install -e .``) they are the top-level ``templates/`` and
``series/`` folders.  This module is the one place that knows both.
"""

from __future__ import annotations

from pathlib import Path

import patchtool
from patchtool.errors import BadInput


def data_dir(kind: str) -> Path:
    """The shipped folder ``kind`` (``templates`` or ``series``): package data first, then the checkout."""
    package = Path(patchtool.__file__).resolve().parent
    for candidate in (package / "_data" / kind, package.parent / kind):
        if candidate.is_dir():
            return candidate
    raise BadInput(f"patchtool's shipped {kind} folder is missing (reinstall patchtool)")


def template_names() -> list[str]:
    return sorted(p.stem for p in data_dir("templates").glob("*.j2"))


def shipped_template(name: str) -> Path:
    """The shipped cover template ``name`` (``git``, ``shortlog``)."""
    path = data_dir("templates") / f"{name}.j2"
    if not path.is_file():
        raise BadInput(f"no shipped template {name!r} (shipped: {', '.join(template_names())}); "
                       "give a file path for your own")
    return path


def example_series(name: str = "io_uring-lsm") -> Path:
    """The shipped example series folder ``name``."""
    path = data_dir("series") / name
    if not (path / "series.toml").is_file():
        raise BadInput(f"the example series {name!r} is not shipped with this patchtool", source=str(path))
    return path
