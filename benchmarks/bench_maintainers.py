"""Benchmark: MAINTAINERS parsing and path -> section mapping at kernel size.

Generates, deterministically (``--seed``), a kernel-shaped tree of paths
(arch/*/..., drivers/net/ethernet/<vendor>/..., fs/..., include/linux/...)
and a kernel-shaped MAINTAINERS for it (~3,000 sections, ~20,000 F:/X:/N:
patterns: subtrees, single files, globs, exclusions, regexes, THE REST), then
prints:

* the parse time of ``parse_maintainers`` (median of 5),
* the time ``Maintainers.sections_for`` takes to map every path (median of 5,
  each run on a freshly parsed file so no directory cache is warm),
* the naive way, every pattern tested against every path as get_maintainer.pl
  does, timed on a sample and extrapolated (labelled so), and the ratio,
* and checks that both ways give the same sections on the sample.

Times are wall-clock medians; the CPU time of the same runs is printed too,
as the machine may be shared.

Run: ``.venv/bin/python benchmarks/bench_maintainers.py [--paths 75000]``, or
``--repo DIR`` to use the MAINTAINERS and files of a repository made by
``benchmarks/kernelrepo.py DIR`` instead of the generator here, or ``--tree
DIR`` for an unpacked source tree (a real kernel: its MAINTAINERS and files,
with get_maintainer.pl's directory rule).
"""

from __future__ import annotations

import argparse
import bisect
import random
import re
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from patchtool.maintainers import Maintainers, parse_maintainers

_SYLLABLES = [
    "ab",
    "ac",
    "ad",
    "al",
    "am",
    "an",
    "ar",
    "as",
    "at",
    "ax",
    "ba",
    "be",
    "bi",
    "bo",
    "ca",
    "ce",
    "ch",
    "ci",
    "co",
    "cr",
    "da",
    "de",
    "di",
    "do",
    "dr",
    "ea",
    "ec",
    "ed",
    "el",
    "em",
    "en",
    "er",
    "es",
    "et",
    "ex",
    "fa",
    "fe",
    "fi",
    "fl",
    "fo",
    "ga",
    "ge",
    "gi",
    "gl",
    "go",
    "gr",
    "ha",
    "he",
    "hi",
    "ho",
    "ic",
    "id",
    "il",
    "im",
    "in",
    "io",
    "ip",
    "ir",
    "is",
    "it",
    "ka",
    "ke",
    "ki",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "nu",
    "ob",
    "oc",
    "od",
    "ol",
    "om",
    "on",
    "op",
    "or",
    "os",
    "ot",
    "pa",
    "pe",
    "pi",
    "pl",
    "po",
    "pr",
    "qu",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "st",
    "su",
    "ta",
    "te",
    "th",
    "ti",
    "to",
    "tr",
    "tu",
    "ub",
    "ul",
    "um",
    "un",
    "up",
    "ur",
    "us",
    "ut",
    "va",
    "ve",
    "vi",
    "vo",
    "wa",
    "we",
    "wi",
    "xa",
    "xe",
    "ya",
    "ze",
    "zi",
]
_ARCHES = [
    "alpha",
    "arc",
    "arm",
    "arm64",
    "csky",
    "h8300",
    "hexagon",
    "ia64",
    "m68k",
    "microblaze",
    "mips",
    "nds32",
    "nios2",
    "openrisc",
    "parisc",
    "powerpc",
    "riscv",
    "s390",
    "sh",
    "sparc",
    "um",
    "x86",
    "xtensa",
]
_N_PREFIXES = ("", "[^a-z]", "\\b")
_EXTS = (".c", ".c", ".c", ".c", ".h", ".h", ".S", ".yaml", ".rst", "")


def _word(rng: random.Random, parts: int = 0) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts or rng.randint(2, 4)))


def _files(rng: random.Random, directory: str, count: int, out: list[str]) -> None:
    for _ in range(count):
        ext = rng.choice(_EXTS) if not directory.startswith("Documentation") else ".rst"
        sep = rng.choice(("", "_", "-"))
        out.append(f"{directory}{_word(rng)}{sep}{_word(rng, 1)}{ext}")


def _subtree(rng: random.Random, directory: str, depth: int, budget: int, out: list[str]) -> None:
    """Spread about ``budget`` files below ``directory``, nesting up to ``depth``."""
    here = budget if depth == 0 or budget < 30 else max(6, budget // rng.randint(3, 7))
    _files(rng, directory, here, out)
    rest = budget - here
    if rest <= 0:
        return
    children = rng.randint(1, max(1, min(7, rest // 8)))
    for _ in range(children):
        _subtree(rng, f"{directory}{_word(rng)}/", depth - 1, rest // children, out)


def generate_paths(rng: random.Random, total: int) -> list[str]:
    """Kernel-shaped paths, about ``total`` of them, unique and sorted."""
    out: list[str] = []
    share = total / 90_000  # calibrated: the budgets below add up to ~90,000
    for arch in _ARCHES:
        for sub in ("boot/dts/", "include/asm/", "include/uapi/asm/", "kernel/", "mm/", "lib/"):
            _subtree(rng, f"arch/{arch}/{sub}", 1 if sub != "boot/dts/" else 2, int(120 * share), out)
    for family in ("net/ethernet/", "net/wireless/", "gpu/drm/", "media/", "staging/", "usb/", "iio/"):
        for _ in range(14):
            _subtree(rng, f"drivers/{family}{_word(rng)}/", 3, int(300 * share), out)
    for _ in range(90):
        _subtree(rng, f"drivers/{_word(rng)}/", 3, int(200 * share), out)
    for _ in range(60):
        _subtree(rng, f"fs/{_word(rng)}/", 1, int(60 * share), out)
    _files(rng, "fs/", int(120 * share), out)
    _files(rng, "include/linux/", int(1600 * share), out)
    for sub in ("uapi/linux/", "asm-generic/", "net/", "trace/events/", "dt-bindings/clock/", "sound/"):
        _subtree(rng, f"include/{sub}", 1, int(500 * share), out)
    for top in ("kernel/", "mm/", "lib/", "crypto/", "block/", "security/", "ipc/", "init/"):
        _subtree(rng, top, 2, int(500 * share), out)
    for top in ("net/", "sound/", "tools/", "Documentation/", "scripts/", "samples/"):
        _subtree(rng, top, 3, int(2500 * share), out)
    _files(rng, "", 12, out)
    return sorted(set(out))


def generate_maintainers(rng: random.Random, paths: list[str], sections: int) -> str:
    """A MAINTAINERS for ``paths``: preamble, ``sections`` sections, THE REST.

    Like the real file, a section looks after one corner of the tree: its own
    directory, files and subdirectories there, a header or two elsewhere, the
    odd glob, exclusion or regex.
    """
    dirs = sorted({p[: i + 1] for p in paths for i, c in enumerate(p) if c == "/"})
    tree = _Tree(paths, dirs, [d for d in dirs if d.count("/") >= 2])
    lines = ["List of maintainers", "===================", "", "\tF: *Files* wildcard patterns", ""]
    lines += ["Maintainers List", "----------------", ""]
    for number in range(sections):
        lines.append(f"{_word(rng).upper()} {_word(rng).upper()} DRIVER {number}")
        for person in range(rng.randint(1, 3)):
            lines.append(f"{'MR'[person > 1]}:\t{_word(rng).title()} {_word(rng).title()} <p{number}.{person}@x.org>")
        lines.append(f"L:\tlist{number % 300}@vger.kernel.org")
        lines.append(f"S:\t{rng.choice(('Maintained', 'Supported', 'Odd Fixes'))}")
        lines += sorted(_section_patterns(rng, rng.choice(tree.deep), tree))
        lines.append("")
    lines += ["THE REST", "M:\tLinus Torvalds <torvalds@linux-foundation.org>", "L:\tlinux-kernel@vger.kernel.org"]
    lines += ["S:\tBuried alive in reporters", "F:\t*", "F:\t*/", ""]
    return "\n".join(lines)


class _Tree:
    def __init__(self, paths: list[str], dirs: list[str], deep: list[str]) -> None:
        self.paths, self.dirs, self.deep = paths, dirs, deep

    def below(self, items: list[str], prefix: str) -> list[str]:
        return items[bisect.bisect_left(items, prefix) : bisect.bisect_left(items, prefix + "\uffff")]


def _section_patterns(rng: random.Random, base: str, tree: _Tree) -> list[str]:
    files = tree.below(tree.paths, base) or tree.paths
    subdirs = tree.below(tree.dirs, base)
    out = [f"F:\t{base}"]
    for _ in range(rng.choice((0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 16))):
        kind = rng.random()
        near = rng.choice(files)
        if kind < 0.30:
            out.append(f"F:\t{rng.choice(subdirs) if rng.random() < 0.7 else rng.choice(tree.deep)}")
        elif kind < 0.78:
            elsewhere = rng.choice(tree.below(tree.paths, "include/") if rng.random() < 0.6 else tree.paths)
            out.append(f"F:\t{near if rng.random() < 0.6 else elsewhere}")
        elif kind < 0.86:
            head, _, leaf = near.rpartition("/")
            out.append(f"F:\t{head}/{leaf[:3]}*")
        elif kind < 0.87:
            out.append(f"F:\tarch/*/{rng.choice(('include/asm/', 'kernel/', 'boot/dts/'))}{_word(rng, 1)}*")
        elif kind < 0.90:
            out.append(f"F:\t{near.rsplit('/', 1)[0]}/*")
        elif kind < 0.92:
            out.append(f"F:\t{near[:-3]}[ch]" if near.endswith((".c", ".h")) else f"F:\t{near}")
        elif kind < 0.94:
            out.append(f"F:\t{near.rsplit('/', 1)[0]}/*{near[-2:]}")
        elif kind < 0.97:
            out.append(f"X:\t{rng.choice(subdirs[1:] or [base + 'none/'])}")
        elif kind < 0.985:
            word = rng.choice(near.split("/")[1:-1] or ["none"])
            out.append(f"N:\t{rng.choice(_N_PREFIXES)}{word}")
        else:
            out.append(f"K:\t\\b{_word(rng, 3)}_\\w+")
    return out


# ---------------------------------------------------------------------------
# The naive way: get_maintainer.pl's loop, every pattern against every path


def naive_matcher(text: str, is_dir: Callable[[str], bool] | None = None) -> Callable[[str], list[str]]:
    """Section names for a path, testing every pattern of every section."""
    sections: list[tuple[str, list[tuple[str, re.Pattern[str], str]]]] = []
    name = ""
    for line in text.split("\n"):
        m = re.match(r"([A-Z]):\s*(.*)", line)
        if not m:
            if line.strip() and not line.lstrip().startswith("#"):
                name = line
            continue
        kind, value = m[1], m[2]
        if not sections or sections[-1][0] != name:
            sections.append((name, []))
        if kind in "FX":
            converted = value.replace(".", "\\.").replace("*", ".*").replace("?", ".")
            if is_dir and converted and not converted.endswith("/") and is_dir(converted):
                converted += "/"
            sections[-1][1].append((kind, re.compile("^" + converted), converted))
        elif kind == "N":
            sections[-1][1].append((kind, re.compile(value, re.X), value))

    def match(path: str) -> list[str]:
        ranked: list[tuple[int, int, str]] = []
        for number, (section, patterns) in enumerate(sections):
            if any(k == "X" and _file_match(path, r, t) for k, r, t in patterns):
                continue
            depth = None
            for kind, regex, converted in patterns:
                if kind == "F" and _file_match(path, regex, converted):
                    depth = converted.count("/") + (not converted.endswith("/"))
                    depth = -1 if converted.startswith(".*") else depth
                elif kind == "N" and regex.search(path):
                    depth = 0
            if depth is not None:
                ranked.append((-depth, number, section))
        return [section for _, _, section in sorted(ranked)]

    return match


def _file_match(path: str, regex: re.Pattern[str], converted: str) -> bool:
    if not regex.search(path):
        return False
    return converted.endswith("/") or path.count("/") == converted.count("/")


# ---------------------------------------------------------------------------


def _median_seconds(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``repeat`` runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def _from_repo(repo: str) -> tuple[list[str], str]:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, check=True).stdout

    paths = git("ls-tree", "-r", "--name-only", "HEAD").splitlines()
    return paths, git("show", "HEAD:MAINTAINERS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=75_000)
    parser.add_argument("--sections", type=int, default=3_000)
    parser.add_argument("--sample", type=int, default=150, help="paths timed the naive way")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=5145)
    parser.add_argument("--repo", help="a repository made by benchmarks/kernelrepo.py (MAINTAINERS at HEAD)")
    parser.add_argument("--tree", help="an unpacked source tree with a MAINTAINERS at its top")
    args = parser.parse_args()

    is_dir: Callable[[str], bool] | None = None
    if args.tree:
        top = Path(args.tree)
        paths = sorted(str(p.relative_to(top)) for p in top.rglob("*") if p.is_file() and ".git" not in p.parts)
        text = (top / "MAINTAINERS").read_text(encoding="utf-8", errors="replace")
        origin = f"from {args.tree}"

        def is_dir(name: str) -> bool:
            return (top / name).is_dir()

    elif args.repo:
        paths, text = _from_repo(args.repo)
        origin = f"from {args.repo}"
    else:
        rng = random.Random(args.seed)
        paths = generate_paths(rng, args.paths)
        text = generate_maintainers(rng, paths, args.sections)
        origin = f"generated, seed {args.seed}"
    counts = {k: sum(line.startswith(f"{k}:") for line in text.split("\n")) for k in "FXNK"}
    sections = len(parse_maintainers(text, is_dir=is_dir).sections)
    print(f"{origin}: {len(paths)} paths, {text.count(chr(10))} lines, {sections} sections,")
    patterns = counts["F"] + counts["X"] + counts["N"]
    print(f"  {patterns} patterns (F: {counts['F']}, X: {counts['X']}, N: {counts['N']}), K: {counts['K']}")

    parse_s, parse_cpu = _median_seconds(lambda: parse_maintainers(text, is_dir=is_dir), args.repeat)
    print(f"parse_maintainers:             {parse_s * 1000:8.1f} ms wall  {parse_cpu * 1000:8.1f} ms cpu")

    def map_all() -> list[object]:
        maintainers: Maintainers = parse_maintainers(text, is_dir=is_dir)  # cold directory cache each run
        return [maintainers.sections_for(path) for path in paths]

    map_s, map_cpu = _median_seconds(map_all, args.repeat)
    map_s, map_cpu = map_s - parse_s, map_cpu - parse_cpu
    print(f"sections_for, every path:      {map_s * 1000:8.1f} ms wall  {map_cpu * 1000:8.1f} ms cpu  (parse excluded)")
    print(f"                               {map_s / len(paths) * 1e6:8.1f} us per path")

    sample = random.Random(args.seed + 1).sample(paths, min(args.sample, len(paths)))
    naive = naive_matcher(text, is_dir)
    naive_s, _ = _median_seconds(lambda: [naive(p) for p in sample], 1)
    extrapolated = naive_s / len(sample) * len(paths)
    print(
        f"naive, every pattern x path:   {extrapolated * 1000:8.1f} ms wall  "
        f"EXTRAPOLATED from {len(sample)} paths ({naive_s / len(sample) * 1e3:.2f} ms per path)"
    )
    print(f"speed-up:                      {extrapolated / map_s:8.0f} x")

    maintainers = parse_maintainers(text, is_dir=is_dir)
    differ = [p for p in sample if [m.section.name for m in maintainers.sections_for(p)] != naive(p)]
    print(f"agreement on the sample:       {len(sample) - len(differ)}/{len(sample)} paths identical")
    print(f"(median of {args.repeat} runs each; load average {' '.join(f'{x:.1f}' for x in _load())})")
    if differ:
        raise SystemExit(f"indexed and naive disagree, e.g. on {differ[0]}")


def _load() -> tuple[float, ...]:
    try:
        with open("/proc/loadavg") as f:
            return tuple(float(x) for x in f.read().split()[:3])
    except OSError:
        return ()


if __name__ == "__main__":
    main()
