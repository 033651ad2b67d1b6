"""QueryController with injected engines: folding, errors, logs, busy state."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from pydicom.dataset import Dataset

from rpiq.core.conformance.report import Report
from rpiq.core.profiles import AEProfile
from rpiq.core.query.events import Connecting, Done, Failed, Match, PatientSummary
from rpiq.core.query.request import QueryRequest
from rpiq.core.sr.samples import every_value_type_tree
from rpiq.core.status import RpiqStatus, describe
from rpiq.gui.answer import ConformanceChecked
from rpiq.gui.findings_view import FindingsView, findings_of
from rpiq.gui.log_capture import LogLine, capture_logs
from rpiq.gui.query_controller import QueryController

PROFILE = AEProfile("p")
REQUEST = QueryRequest("P1")


def match() -> Match:
    return Match(
        every_value_type_tree(), Dataset(), PatientSummary("P1", None, None, None, None)
    )


def run(qtbot, controller):
    busy: list[bool] = []
    controller.busyChanged.connect(busy.append)
    events: list[object] = []
    controller.queryEvent.connect(events.append)
    with qtbot.waitSignal(controller.finished, timeout=5000) as blocker:
        assert controller.run(PROFILE, REQUEST)
        assert controller.busy
        assert not controller.run(PROFILE, REQUEST)  # one at a time
    assert busy == [True, False]
    assert not controller.busy
    return blocker.args[0], events


def test_events_are_folded_and_a_report_is_added(qtbot):
    def engine(profile, request, token):
        logging.getLogger("rpiq.test").info("hello from the worker")
        yield Connecting("h", 1, "A", "B")
        yield match()
        yield Done(describe(int(RpiqStatus.SUCCESS)), 5.0)

    controller = QueryController(engine)
    lines: list[LogLine] = []
    controller.logLine.connect(lines.append)
    outcome, events = run(qtbot, controller)
    assert outcome.match is not None
    assert outcome.done.elapsed_ms == 5.0
    assert outcome.failed is None
    assert outcome.elapsed_ms == 5.0
    assert isinstance(events[-1], ConformanceChecked)
    assert outcome.report is events[-1].report
    qtbot.waitUntil(lambda: any("hello" in line.message for line in lines))


def test_the_engine_report_is_computed_on_the_worker(qtbot):
    # Done.report is computed on first read, and the results view reads it
    # when Done arrives on the GUI thread: by then the worker must have it.
    checked_on: list[threading.Thread] = []
    report = Report.of([])

    def check() -> Report:
        time.sleep(0.2)  # a long answer: checking takes a while
        checked_on.append(threading.current_thread())
        return report

    def engine(profile, request, token):
        yield match()
        yield Done(describe(int(RpiqStatus.SUCCESS)), 5.0, check=check)

    controller = QueryController(engine)
    seen_at_done: list[int] = []

    def on_event(event: object) -> None:
        if isinstance(event, Done):
            seen_at_done.append(len(checked_on))

    controller.queryEvent.connect(on_event)
    outcome, events = run(qtbot, controller)
    assert seen_at_done == [1]  # already checked when Done was shown
    assert checked_on[0] is not threading.main_thread()
    assert outcome.done.report is report
    assert len(checked_on) == 1  # and never again
    assert isinstance(events[-1], ConformanceChecked)


def test_engine_exception_becomes_a_failure(qtbot):
    def engine(profile, request, token):
        yield Connecting("h", 1, "A", "B")
        raise RuntimeError("boom")

    outcome, _ = run(qtbot, QueryController(engine))
    assert outcome.failed.kind == "internal"
    assert "boom" in outcome.failed.message


def test_engine_ending_without_status_is_reported(qtbot):
    def engine(profile, request, token):
        yield Connecting("h", 1, "A", "B")

    outcome, _ = run(qtbot, QueryController(engine))
    assert outcome.failed.kind == "aborted"


def test_cancel_reaches_the_token(qtbot):
    def engine(profile, request, token):
        yield Connecting("h", 1, "A", "B")
        while not token.cancelled:
            time.sleep(0.01)
        yield Failed("cancelled", "stopped")

    controller = QueryController(engine)
    with qtbot.waitSignal(controller.finished, timeout=5000) as blocker:
        controller.run(PROFILE, REQUEST)
        controller.cancel()
    assert blocker.args[0].cancelled
    assert blocker.args[0].failed.kind == "cancelled"
    controller.cancel()  # idle: no-op


def test_capture_logs_restores_levels_and_handlers():
    logger = logging.getLogger("pynetdicom")
    level, handlers = logger.level, list(logger.handlers)
    seen: list[LogLine] = []
    with capture_logs(seen.append, logging.DEBUG):
        logger.debug("detail %s", 1)
        logger.debug("   ")  # spacer lines are dropped
    logger.debug("after")
    assert [line.message for line in seen] == ["detail 1"]
    assert logger.level == level
    assert logger.handlers == handlers


@dataclass
class _Finding:
    level: str
    rule: str
    message: str
    section: str
    path: str | None


@dataclass
class _Report:
    findings: tuple[_Finding, ...]


def test_findings_come_from_a_report_or_engine_problems(qtbot):
    done = Done(describe(0), 1.0, problems=("second pending",))
    rows, has_report = findings_of(done)
    assert not has_report
    assert rows[0].message == "second pending"
    report = _Report((_Finding("FAIL", "r.x", "bad", "PS3.4", "1.2"),))
    rows, has_report = findings_of(done, report)
    assert has_report
    assert rows[0].path == (1, 2)
    view = FindingsView()
    qtbot.addWidget(view)
    assert view.show_findings(None, _Report(())) == 0
    placeholder = view.topLevelItem(0)
    assert placeholder is not None
    assert "passed" in placeholder.text(0)
    assert view.show_findings(done, report) == 1
    with qtbot.waitSignal(view.pathActivated) as blocker:
        view.itemClicked.emit(view.topLevelItem(0), 0)
    assert blocker.args == [(1, 2)]
