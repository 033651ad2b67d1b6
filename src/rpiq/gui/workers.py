"""Thin wrapper over superqt workers: start, count and await background work.

Every network and disk operation of the GUI runs through here, so closing the
window (and the test suite's leak check) can see and wait for all of them.
Results and errors arrive on the GUI thread through the workers' signals.

superqt is imported on the first worker, not with this module: it loads qtpy,
which star-imports QtCore, QtGui and QtWidgets (~200 ms), and the main window
is shown before any background work starts (:func:`rpiq.gui.app.show_window`).
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, QThreadPool

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator

    from superqt.utils import FunctionWorker, GeneratorWorker

__all__ = [
    "await_workers",
    "run_in_background",
    "running_workers",
    "serial_imports",
    "start_generator",
]

_SUPERQT_UTILS = "superqt.utils"
_IMPORTS = threading.RLock()
_T = TypeVar("_T")
_Y = TypeVar("_Y")


@contextmanager
def serial_imports() -> Iterator[None]:
    """Hold while importing the core's heavy modules on first use.

    The GUI imports the SR model, the engine, the archive and the checker
    lazily, from workers and from the GUI thread. pydicom.sr imports itself
    in a circle (package, codedict, coding), which fails when two threads
    import it at once ("partially initialized module"), so first imports take
    turns. Once a module is loaded, holding this costs nothing.
    """
    with _IMPORTS:
        yield


def run_in_background(
    function: Callable[[], _T],
    on_result: Callable[[_T], None],
    on_error: Callable[[Exception], None],
) -> FunctionWorker[_T]:
    """Run ``function`` on the thread pool; the callbacks run on the GUI thread.

    Parameters
    ----------
    function : callable
        Work without arguments (bind them with a lambda or ``functools.partial``).
    on_result, on_error : callable
        Receive the return value, or the exception raised.
    """
    from superqt.utils import FunctionWorker

    worker: FunctionWorker[_T] = FunctionWorker(function)
    worker.returned.connect(on_result)
    worker.errored.connect(on_error)
    worker.start()
    return worker


def start_generator(
    events: Callable[[], Iterator[_Y]],
    on_event: Callable[[_Y], None],
    on_error: Callable[[Exception], None],
    on_finished: Callable[[], None],
) -> GeneratorWorker[_Y, None, None]:
    """Iterate ``events()`` on the thread pool, delivering each item to the GUI.

    The generator always runs to its end (it is never abandoned half-way), so
    its ``finally`` blocks — releasing an association, detaching a log
    handler — run on the worker thread.
    """
    from superqt.utils import GeneratorWorker

    def generate() -> Generator[_Y, None, None]:
        yield from events()

    worker: GeneratorWorker[_Y, None, None] = GeneratorWorker(generate)
    worker.yielded.connect(on_event)
    worker.errored.connect(on_error)
    worker.finished.connect(lambda *_: on_finished())
    worker.start()
    return worker


def running_workers() -> int:
    """How many workers started here (or anywhere via superqt) are not finished."""
    if _SUPERQT_UTILS not in sys.modules:
        return 0  # superqt not loaded yet: no worker can exist
    from superqt.utils import WorkerBase

    return len(WorkerBase._worker_set)


def await_workers(msecs: int) -> bool:
    """Wait up to ``msecs`` for every worker, still delivering their signals.

    Returns
    -------
    bool
        True when all finished in time.
    """
    deadline = time.monotonic() + msecs / 1000.0
    pool = QThreadPool.globalInstance()
    while True:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if running_workers() == 0 and pool.activeThreadCount() == 0:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        pool.waitForDone(int(min(remaining, 0.02) * 1000) or 1)
