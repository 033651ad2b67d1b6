"""Empty temp files created ahead of the stores that will fill them.

On this project's ext4 machines, creating a file right after an fsync waits
for the journal: 0.6–1.0 ms per ``open(O_CREAT)`` measured, against 0.01 ms to
open a file that already exists. Every stored instance is fsync'ed (file,
folder, index), so every store would pay that wait before writing a byte. A
background thread creates a few empty temp files ahead instead; a store takes
one, writes, fsyncs and renames it as before (:mod:`.storage`), and creates
its own only when none is ready. The thread spends its time in ``open()``,
outside the GIL.

Pool files are ordinary temp files of this process (``pool.<pid>.0.<n>.tmp``):
those of a process that died are removed with the other stale temp files when
an archive opens; a clean exit removes its own.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

POOL_SIZE = 4
"""Files kept ready: enough for the few associations storing at once."""

PREFIX = "pool."
"""Name prefix of pool files (stale ones are removed silently)."""

_RETRY_S = 1.0
_COUNTER = itertools.count()


def _unlink_all(ready: queue.Queue[Path]) -> None:
    while True:
        try:
            path = ready.get_nowait()
        except queue.Empty:
            return
        with contextlib.suppress(OSError):
            path.unlink()


class TempPool:
    """Keeps up to :data:`POOL_SIZE` empty temp files ready in ``folder``.

    Parameters
    ----------
    folder : Path
        The archive's temp folder (same file system as the instance files).
    suffix : str
        The temp file suffix the stale-file cleaner looks for.
    size : int
        How many files to keep ready.
    """

    def __init__(self, folder: Path, suffix: str, size: int = POOL_SIZE) -> None:
        self._folder = folder
        self._suffix = suffix
        self._ready: queue.Queue[Path] = queue.Queue(maxsize=size)
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._finalizer = weakref.finalize(
            self, TempPool._shutdown, self._stopped, self._ready
        )

    def take(self) -> Path | None:
        """A ready empty file, or ``None`` (the caller creates its own)."""
        self._start()
        try:
            return self._ready.get_nowait()
        except queue.Empty:
            return None

    def close(self) -> None:
        """Stop filling and remove the files not taken (idempotent)."""
        self._finalizer()

    @staticmethod
    def _shutdown(stopped: threading.Event, ready: queue.Queue[Path]) -> None:
        stopped.set()
        _unlink_all(ready)

    def _start(self) -> None:
        if self._thread is not None or self._stopped.is_set():
            return
        with self._lock:
            if self._thread is None:
                # The thread holds no reference to the pool, so an archive
                # that is dropped stops its filler (through the finalizer).
                self._thread = threading.Thread(
                    target=_fill,
                    args=(self._folder, self._suffix, self._stopped, self._ready),
                    name="rpiq-archive-temp-pool",
                    daemon=True,
                )
                self._thread.start()


def _create(folder: Path, suffix: str) -> Path | None:
    path = folder / f"{PREFIX}{os.getpid()}.0.{next(_COUNTER)}{suffix}"
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        return None  # full disk, folder gone: stores create their own
    return path


def _fill(
    folder: Path, suffix: str, stopped: threading.Event, ready: queue.Queue[Path]
) -> None:
    """The filler thread: create files while there is room in ``ready``."""
    while not stopped.is_set():
        path = _create(folder, suffix)
        if path is None:
            stopped.wait(_RETRY_S)
            continue
        while True:
            try:
                ready.put(path, timeout=_RETRY_S)
                break
            except queue.Full:
                if stopped.is_set():
                    with contextlib.suppress(OSError):
                        path.unlink()
                    return
    _unlink_all(ready)
