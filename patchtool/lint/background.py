"""Lint's slow checks in threads of their own: their perls run while lint does the rest.

``Background(work)`` runs ``list(work(counted))`` in a daemon thread at
once; ``wait(on_done)`` gives its findings when it ends (reporting the
count ``counted`` was told as it grows, from the waiting thread, so a
progress line names stages in the catalogue's order), and raises what the
work raised; ``stop()`` kills the perls (and refuses new ones) and waits:
lint is unwinding from a Ctrl-C or an error.

The end is an Event the thread sets last, not ``Thread.join``: on 3.11 a
Ctrl-C that cuts a join short marks the thread stopped while it runs
(``threading``'s bpo-45274 recovery), and a later join returns at once, so
lint exited while checkpatch's thread still held its temporary folder.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from patchtool.gitrepo import children_stopped
from patchtool.tempdirs import interrupts_held

T = TypeVar("T")


class Background(Generic[T]):
    def __init__(self, work: Callable[[Callable[[int], None]], Iterable[T]], *, name: str):
        self._done = 0
        self._lock = threading.Lock()
        self._found: list[T] = []
        self._error: BaseException | None = None
        self._ended = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(work,), name=name, daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[Callable[[int], None]], Iterable[T]]) -> None:
        def counted(k: int) -> None:
            with self._lock:
                self._done += k

        try:
            self._found = list(work(counted))
        except BaseException as exc:  # handed to the thread that waits
            self._error = exc
        finally:
            self._ended.set()

    def wait(self, on_done: Callable[[int], None] | None = None) -> list[T]:
        """Its findings once it ends, ``on_done(k)`` as more is done; what it raised, raised."""
        seen = 0
        while True:
            ended = self._ended.wait(0.05)
            with self._lock:
                done = self._done
            if done > seen and on_done is not None:
                on_done(done - seen)
            seen = done
            if ended:
                break
        if self._error is not None:
            raise self._error
        return self._found

    def stop(self) -> None:
        """Kill its perls (and refuse new ones) and wait for the thread: lint is unwinding."""
        with interrupts_held(), children_stopped():
            self._ended.wait()
