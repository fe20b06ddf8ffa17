"""get_maintainer.pl's ``.get_maintainer.conf``, and which MAINTAINERS files it makes it read.

Pure, like the rest of the package: the caller (``patchtool.owners``) reads
the base tree and hands in texts and file lists.  The rules are those of
get_maintainer.pl v6.1 (``which_conf``, ``read_all_maintainer_files``,
``find_is_maintainer_file``), which U-Boot's copy follows.

Where the file is
-----------------
``which_conf`` tries ``./``, ``$HOME/`` and ``.scripts/`` (the current
directory being the top of the tree) and takes the first where the name
exists; that one is read only if it is a file.  Here: the base tree's top,
then its ``.scripts/``.  ``$HOME`` is skipped on purpose: the answer is the
base commit's, the same for every maintainer and for CI.

How it is read
--------------
Each line is trimmed; blank lines and lines starting with ``#`` are skipped;
the rest is split at whitespace and a word starting with ``#`` ends the
line.  The words are put in front of the command line, and Getopt::Long
(``no_auto_abbrev``, otherwise its defaults) reads them: an option starts
with ``--``, ``-`` or ``+``; its name is exact but case-insensitive; ``--``
ends the options; an option taking a value has it after ``=`` or as the next
word (``=s``: that word whatever it is; ``=i``: when it is an integer); other
words are file names.  The last of an option wins.

Two options change which sections there are, and are honoured:
``--find-maintainer-files`` and ``--maintainer-path``/``--mpath``.  The
others (``--git``, ``--git-since 6-months-ago``, ...) choose what is printed
or where git is asked and are skipped, unknown ones too (the tree's own copy
of the script may know them).  ``--mpath`` without a value or
``--find-maintainer-files=x`` stop get_maintainer.pl: ``BadInput`` here.

Which files are read
--------------------
The path is ``--maintainer-path`` (``~`` expanded) or ``./MAINTAINERS``.

* A directory: with ``--find-maintainer-files`` every regular file called
  ``MAINTAINERS`` in it or below (File::Find, ``.git`` skipped), without it
  every entry of the directory whose name does not start with ``.``
  (subdirectories read as empty files).
* A file: that file alone.  ``--find-maintainer-files`` then changes
  nothing: in v6.1 it walks only a ``--maintainer-path`` directory, which is
  why U-Boot's conf also says ``--maintainer-path=.``.
* Neither: get_maintainer.pl stops.  Here ``BadInput`` when the conf named
  the path, and "no MAINTAINERS" for the default one, as before.
* A directory in which nothing is found: get_maintainer.pl stops; ``BadInput``.

The files' lines are appended to one list, in the order read, and that list
is parsed as one file: sections are numbered across files, and a file that
starts with type lines continues the last section of the file before it.
File::Find reads a directory's own files before its subdirectories, and the
entries of a directory in ``readdir`` order, which is the file system's;
here in byte order (``find_order``).  F:/X: patterns of every file are
relative to the top of the tree, not to the file's folder (the script
matches them against paths from the top and asks ``-d`` from there).

Deliberate deviations: ``$HOME`` is not read; a path outside the tree
(absolute, ``~``, or ``..`` above the top) is ``BadInput``, since only the
base commit is read; symbolic links and submodules are not followed (the
script follows a link to a file, and walks into a checked-out submodule).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from patchtool.errors import BadInput

CONF_NAMES = (".get_maintainer.conf", ".scripts/.get_maintainer.conf")
DEFAULT_PATH = "MAINTAINERS"
MAINTAINERS_NAME = "MAINTAINERS"

_WS_SPLIT = re.compile(r"[ \t\n\r\f\v]+")
_INTEGER = re.compile(r"[-+]?\d+\Z")
# get_maintainer.pl v6.1's options that take a value: "=s" (any next word) and "=i" (an integer).
_STRING_VALUE = frozenset({"git-since", "hg-since", "separator", "letters", "mpath", "maintainer-path"})
_INTEGER_VALUE = frozenset({"git-min-signatures", "git-max-maintainers", "git-min-percent", "pattern-depth"})
_FIND = "find-maintainer-files"
_MPATH = frozenset({"mpath", "maintainer-path"})


@dataclass(frozen=True)
class GetMaintainerConf:
    """What a ``.get_maintainer.conf`` says about the MAINTAINERS files.

    ``options`` are the honoured options as get_maintainer.pl took them,
    normalised (``--find-maintainer-files``, ``--maintainer-path=.``), for
    messages; empty when the conf says nothing about MAINTAINERS files.
    """

    path: str
    find_maintainer_files: bool = False
    maintainer_path: str | None = None
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class MaintainersSource:
    """Which MAINTAINERS files were read, in order, and the conf that chose them (None: no conf)."""

    files: tuple[str, ...] = (DEFAULT_PATH,)
    conf: GetMaintainerConf | None = None

    @property
    def configured(self) -> bool:
        """The conf changed what is read (or could have): worth saying so."""
        return self.conf is not None and bool(self.conf.options)

    def describe(self, limit: int = 6) -> str:
        """``MAINTAINERS files read as .get_maintainer.conf says (...): A, B and 3 more``."""
        shown = ", ".join(self.files[:limit])
        if len(self.files) > limit:
            shown += f" and {len(self.files) - limit} more"
        count = f"{len(self.files)} MAINTAINERS file{'s' if len(self.files) != 1 else ''} read"
        if self.conf is None:
            return f"{count}: {shown}"
        return f"{count} as {self.conf.path} says ({' '.join(self.conf.options) or 'nothing about them'}): {shown}"

    def as_json(self) -> dict[str, object]:
        return {
            "files": list(self.files),
            "conf": None if self.conf is None else {"path": self.conf.path, "options": list(self.conf.options)},
        }


def conf_words(text: str) -> list[str]:
    """The words get_maintainer.pl puts in front of its command line."""
    words: list[str] = []
    for line in text.split("\n"):
        line = line.strip(" \t\n\r\f\v")
        if not line or line.startswith("#"):
            continue
        for word in _WS_SPLIT.split(line):
            if word.startswith("#"):
                break
            words.append(word)
    return words


def parse_conf(text: str, path: str = CONF_NAMES[0]) -> GetMaintainerConf:
    """Read a ``.get_maintainer.conf`` the way get_maintainer.pl's Getopt::Long does (see module doc)."""
    find = False
    mpath: str | None = None
    words = conf_words(text)
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word == "--":
            break
        prefix = "--" if word.startswith("--") else word[:1] if word[:1] in "-+" else ""
        if not prefix or word == prefix:
            continue  # a file name, or "-" (standard input)
        name, eq, value = word[len(prefix):].partition("=")
        name = name.lower()
        if name == _FIND:
            if eq:
                raise BadInput(f"{word}: --find-maintainer-files takes no value", source=path)
            find = True
        elif name in _STRING_VALUE:
            if not eq:
                if i >= len(words):
                    raise BadInput(f"{word} needs a value", source=path)
                value, i = words[i], i + 1
            if name in _MPATH:
                if not value:
                    raise BadInput(f"{word} needs a value", source=path)
                mpath = value
        elif name in _INTEGER_VALUE and not eq and i < len(words) and _INTEGER.match(words[i]):
            i += 1
    options = (*(["--find-maintainer-files"] if find else []),
               *([f"--maintainer-path={mpath}"] if mpath is not None else []))
    return GetMaintainerConf(path, find, mpath, options)


def tree_path(conf: GetMaintainerConf | None) -> str:
    """The path to read, relative to the top of the tree ("" is the top); BadInput outside it."""
    if conf is None or conf.maintainer_path is None:
        return DEFAULT_PATH
    value = conf.maintainer_path
    if value.startswith(("/", "~")):
        raise BadInput(f"--maintainer-path={value} is outside the tree: patchtool reads MAINTAINERS "
                       "from the base commit only", source=conf.path)
    normal = posixpath.normpath(value)
    if normal == ".." or normal.startswith("../"):
        raise BadInput(f"--maintainer-path={value} is outside the tree: patchtool reads MAINTAINERS "
                       "from the base commit only", source=conf.path)
    return "" if normal == "." else normal


def find_pathspec(folder: str) -> str:
    """A git pathspec for every file called MAINTAINERS in ``folder`` ("" is the top) or below."""
    escaped = re.sub(r"([*?\[\]\\])", r"\\\1", folder)
    return f":(glob){escaped + '/' if escaped else ''}**/{MAINTAINERS_NAME}"


def is_maintainer_file(path: str) -> bool:
    """``find_is_maintainer_file``'s test on the name (``/MAINTAINERS$``)."""
    return path.rsplit("/", 1)[-1] == MAINTAINERS_NAME


def find_order(paths: Iterable[str]) -> list[str]:
    """File::Find's order: a directory's own files before those of its subdirectories (names in byte order)."""

    def key(path: str) -> tuple[tuple[int, bytes], ...]:
        *dirs, name = path.split("/")
        parts = [(1, d.encode("utf-8", "surrogateescape")) for d in dirs]
        return (*parts, (0, name.encode("utf-8", "surrogateescape")))

    return sorted(paths, key=key)


def missing_path(conf: GetMaintainerConf | None, path: str) -> BadInput:
    """get_maintainer.pl's "MAINTAINER file not found", as one line."""
    return BadInput(f"--maintainer-path={conf.maintainer_path if conf else path}: no such file or folder "
                    "in the base tree (get_maintainer.pl stops here too)", source=conf.path if conf else None)


def nothing_found(conf: GetMaintainerConf | None, path: str) -> BadInput:
    """get_maintainer.pl's "No MAINTAINER files found in", as one line."""
    what = "no file called MAINTAINERS" if conf and conf.find_maintainer_files else "no file"
    return BadInput(f"--maintainer-path={conf.maintainer_path if conf else path}: {what} in that folder of "
                    "the base tree (get_maintainer.pl stops here too)", source=conf.path if conf else None)
