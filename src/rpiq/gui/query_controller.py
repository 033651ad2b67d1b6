"""QueryController: runs one RPI query at a time on a worker, owns cancel and busy.

The engine (:func:`rpiq.core.query.engine.run_query`) is a plain generator; the
controller iterates it on a superqt worker with the association log captured,
re-emits every event on the GUI thread, and folds them into one
:class:`QueryOutcome` when the query ends. Cancel calls the token (C-CANCEL,
abort after the grace period); :meth:`shutdown` cancels and waits, bounded.

The engine and the log capture are imported on a worker, not with the
window: the engine loads the network stack, the SR model and the conformance
checker (~200 ms), none of which the first frame needs. :meth:`preload` does
it once the window is on screen, so the first query does not wait for it
either; the query's own worker imports them otherwise.
"""

from __future__ import annotations

import importlib
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from rpiq.gui.answer import ConformanceChecked, answer_report
from rpiq.gui.workers import (
    await_workers,
    run_in_background,
    serial_imports,
    start_generator,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from superqt.utils import GeneratorWorker

    from rpiq.core.profiles import AEProfile
    from rpiq.core.query.cancel import CancelToken
    from rpiq.core.query.events import Done, Failed, Match, QueryEvent
    from rpiq.core.query.request import QueryRequest

    Engine = Callable[[AEProfile, QueryRequest, CancelToken], Iterator[QueryEvent]]

__all__ = ["QueryController", "QueryOutcome", "QueryStarted"]

SHUTDOWN_WAIT_MS = 3000
#: What a query and its answer need, imported by :meth:`QueryController.preload`.
PRELOAD = (
    "rpiq.core.query.engine",
    "rpiq.core.conformance",
    "rpiq.core.sr.render",
    "rpiq.gui.log_capture",
)


@dataclass(frozen=True, slots=True)
class QueryStarted:
    """A query was sent off: which profile, which request, when."""

    profile: AEProfile
    request: QueryRequest
    started_at: float


@dataclass(frozen=True, slots=True)
class QueryOutcome:
    """Everything one query produced, once it has ended."""

    profile: AEProfile
    request: QueryRequest
    match: Match | None = None
    done: Done | None = None
    failed: Failed | None = None
    cancelled: bool = False
    report: object | None = None

    @property
    def elapsed_ms(self) -> float:
        """Duration reported by the engine (0 when it never got that far)."""
        if self.done is not None:
            return self.done.elapsed_ms
        return self.failed.elapsed_ms if self.failed is not None else 0.0


@dataclass
class _Running:
    started: QueryStarted
    token: CancelToken
    worker: GeneratorWorker[object, None, None] | None = None
    events: list[object] = field(default_factory=list)
    error: Exception | None = None


class QueryController(QObject):
    """Runs queries for the GUI; all signals are delivered on the GUI thread.

    Parameters
    ----------
    engine : callable, optional
        ``engine(profile, request, token)`` yielding query events; tests can
        inject a fake. Defaults to :func:`run_query`.
    """

    started = Signal(object)  # QueryStarted
    queryEvent = Signal(object)  # QueryEvent or ConformanceChecked
    logLine = Signal(object)  # LogLine (emitted from any thread)
    finished = Signal(object)  # QueryOutcome
    busyChanged = Signal(bool)

    def __init__(self, engine: Engine | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._engine: Engine | None = engine  # None: run_query
        self._running: _Running | None = None
        self.debug_log = False

    @property
    def busy(self) -> bool:
        """True while a query runs."""
        return self._running is not None

    def run(self, profile: AEProfile, request: QueryRequest) -> bool:
        """Start a query; False (and nothing happens) if one is running."""
        if self._running is not None:
            return False
        with serial_imports():
            from rpiq.core.query.cancel import CancelToken

        token = CancelToken()
        running = _Running(QueryStarted(profile, request, time.time()), token)
        self._running = running
        level = logging.DEBUG if self.debug_log else logging.INFO
        engine = self._engine

        def events() -> Iterator[QueryEvent | ConformanceChecked]:
            # On the worker thread: these imports never block the GUI.
            with serial_imports():
                from rpiq.core.query.engine import run_query
                from rpiq.gui.log_capture import logged

            run = run_query if engine is None else engine
            stream = logged(run(profile, request, token), self.logLine.emit, level)
            return _with_report(request, stream)

        self.started.emit(running.started)
        self.busyChanged.emit(True)
        running.worker = start_generator(
            events,
            self._on_event,
            self._on_error,
            self._on_finished,
        )
        return True

    def preload(self) -> None:
        """Import the engine and what an answer needs, on a worker, ahead of use.

        A failure is ignored here: the query that needs the module reports it.
        """
        run_in_background(_preload, _ignore, _ignore)

    def cancel(self) -> None:
        """Ask the running query to stop (C-CANCEL, then abort); no-op if idle."""
        if self._running is not None:
            self._running.token.cancel()

    def shutdown(self, msecs: int = SHUTDOWN_WAIT_MS) -> bool:
        """Cancel and wait up to ``msecs`` for the worker; True if it ended."""
        self.cancel()
        return await_workers(msecs)

    # ----------------------------------------------------------- worker slots
    def _on_event(self, item: object) -> None:
        if self._running is None:
            return
        self._running.events.append(item)
        self.queryEvent.emit(item)

    def _on_error(self, exc: Exception) -> None:
        if self._running is not None:
            self._running.error = exc

    def _on_finished(self) -> None:
        running, self._running = self._running, None
        if running is None:
            return
        outcome = _fold(running)
        self.busyChanged.emit(False)
        self.finished.emit(outcome)


def _preload() -> None:
    with serial_imports():
        for name in PRELOAD:
            importlib.import_module(name)


def _ignore(_result: object) -> None:
    """Nothing to do with the result of :func:`_preload`."""


def _fold(running: _Running) -> QueryOutcome:
    from rpiq.core.query.events import Done, Failed, Match

    match = next((e for e in running.events if isinstance(e, Match)), None)
    done = next((e for e in running.events if isinstance(e, Done)), None)
    failed = next((e for e in running.events if isinstance(e, Failed)), None)
    if running.error is not None and done is None and failed is None:
        failed = Failed("internal", f"Internal error: {running.error}")
    if done is None and failed is None:
        failed = Failed("aborted", "The query ended without a final status.")
    checked = next(
        (e for e in running.events if isinstance(e, ConformanceChecked)), None
    )
    return QueryOutcome(
        running.started.profile,
        running.started.request,
        match,
        done,
        failed,
        cancelled=running.token.cancelled,
        report=checked.report if checked is not None else None,
    )


def _with_report(
    request: QueryRequest, events: Iterator[QueryEvent]
) -> Iterator[QueryEvent | ConformanceChecked]:
    """Pass the events on; after ``Done``, add the conformance report."""
    from rpiq.core.query.events import Done, Match

    root = None
    for item in events:
        if isinstance(item, Match):
            root = item.root
        if not isinstance(item, Done):
            yield item
            continue
        # Here, on the worker: the engine's Done computes its report when first
        # read, and the results view reads it on the GUI thread.
        report = answer_report(request, item, root)
        yield item
        if report is not None:
            yield ConformanceChecked(report)
