"""HistoryActions: load, record, re-run and reopen past queries (on workers).

The SR parser is imported by the worker that reopens an answer, not with the
window: it loads pydicom's SR code dictionary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from rpiq.core.errors import RpiqError, ValidationError
from rpiq.core.history import HistoryEntry
from rpiq.gui.answer import Answer, identifier_report
from rpiq.gui.history_dock import HistoryDock
from rpiq.gui.workers import run_in_background, serial_imports

if TYPE_CHECKING:
    from rpiq.core.history import HistoryLoad, HistoryStore
    from rpiq.gui.main_window import MainWindow
    from rpiq.gui.query_controller import QueryOutcome

__all__ = ["HistoryActions", "entry_for"]


def entry_for(outcome: QueryOutcome) -> HistoryEntry:
    """The history entry of a finished query."""
    if outcome.done is not None:
        status = outcome.done.status
        return HistoryEntry.create(
            outcome.profile.name,
            outcome.request,
            status,
            status.meaning,
            outcome.done.elapsed_ms,
        )
    failed = outcome.failed
    assert failed is not None
    return HistoryEntry.create(
        outcome.profile.name,
        outcome.request,
        failed.status,
        failed.message,
        failed.elapsed_ms,
        failed_kind=failed.kind,
    )


class HistoryActions:
    """Connects the :class:`HistoryDock` to the store and the window."""

    def __init__(self, window: MainWindow, store: HistoryStore) -> None:
        self.window = window
        self.store = store
        self.dock = HistoryDock(window)
        self.dock.rerunRequested.connect(self.rerun)
        self.dock.reopenRequested.connect(self.reopen)
        self.dock.clearRequested.connect(self.clear)

    def load(self) -> None:
        """Read the history file on a worker."""
        run_in_background(self.store.load, self._loaded, self._failed)

    def _loaded(self, result: HistoryLoad) -> None:
        self.dock.set_entries(result.entries)
        if result.warnings:
            self.window.show_warnings("Query history", result.warnings)

    def _failed(self, exc: Exception) -> None:
        self.window.notify(f"History: {exc}", ok=False)

    def _refresh(self, _result: object = None) -> None:
        self.dock.set_entries(self.store.entries)

    def record(self, outcome: QueryOutcome) -> None:
        """Append the outcome (and save its answer) on a worker."""
        entry = entry_for(outcome)
        match = outcome.match
        store = self.store
        uid = outcome.request.sop_class.uid

        def work() -> HistoryEntry:
            if match is None:
                return store.record(entry)
            return store.record(entry, match.identifier, uid)

        run_in_background(work, self._refresh, self._failed)

    def rerun(self, entry: HistoryEntry) -> None:
        """Fill the form with the entry's request and run it."""
        try:
            request = entry.request()
        except (ValidationError, ValueError) as exc:
            self.window.notify(f"Cannot run this entry again: {exc}", ok=False)
            return
        self.window.panel.load_request(request, entry.profile)
        self.window.panel.trigger_run()

    def reopen(self, entry: HistoryEntry) -> None:
        """Read and parse the saved answer on a worker, then show it."""
        store = self.store

        def work() -> tuple[Answer, object]:
            with serial_imports():
                from rpiq.core.query.events import PatientSummary
                from rpiq.core.sr.parse import parse_content

            identifier = store.read_answer(entry)
            try:
                request = entry.request()
            except (ValidationError, ValueError):
                request = None
            received = entry.started().astimezone().strftime("%Y-%m-%d %H:%M:%S")
            answer = Answer(
                parse_content(identifier),
                identifier,
                PatientSummary.from_identifier(identifier),
                request,
                entry.profile,
                received,
                f"{entry.status}: {entry.summary}",
            )
            return answer, identifier_report(identifier, request)

        def shown(result: tuple[Answer, object]) -> None:
            answer, report = result
            self.window.show_reopened(answer, report)
            self.window.notify(f"Reopened the answer of {answer.received}.")

        def failed(exc: Exception) -> None:
            message = str(exc) if isinstance(exc, RpiqError) else repr(exc)
            self.window.notify(f"Cannot reopen: {message}", ok=False)

        run_in_background(work, shown, failed)

    def clear(self) -> None:
        """Forget the history after confirmation."""
        answer = QMessageBox.question(
            self.window, "Clear history", "Forget all past queries and saved answers?"
        )
        if answer == QMessageBox.StandardButton.Yes:
            run_in_background(self.store.clear, self._refresh, self._failed)
