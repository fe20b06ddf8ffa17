"""What the benchmark scripts share: the cached repositories, a clean git environment, timing."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import kernelrepo  # noqa: E402

OUT = HERE / "out"
BASE = "v5.14-rc5"
PATCHTOOL = Path(sys.executable).parent / "patchtool"


def env() -> dict[str, str]:
    """The machine's environment without git overrides, with pinned config and committer."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    clean.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C",
                 GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.org",
                 GIT_COMMITTER_DATE="1629669600 +0000")
    return clean


def git(cwd: Path, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, input=input,
                          capture_output=True, env=env())
    if proc.returncode:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode()


def run(*argv: str | Path) -> str:
    """A whole process (patchtool or git), failing loudly."""
    proc = subprocess.run([str(a) for a in argv], env=env(), capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(map(str, argv))} failed:\n{proc.stderr}")
    return proc.stdout


def build(n_files: int) -> kernelrepo.KernelRepo:
    """The generated kernel-shaped repository of ``n_files`` files, made once under ``out/``."""
    OUT.mkdir(exist_ok=True)
    dest = OUT / f"kernel-{n_files}"
    t0 = time.perf_counter()
    repo = kernelrepo.generate(dest, n_files, reuse=True)
    print(f"repository {dest} ({n_files} files, {repo.n_sections} sections, {repo.n_patterns} patterns) "
          f"ready in {time.perf_counter() - t0:.1f} s", flush=True)
    return repo


def median(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
