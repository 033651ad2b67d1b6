"""Capture the association/DIMSE log of one query for the Log tab.

A :class:`logging.Handler` is attached to the ``pynetdicom`` and ``rpiq``
loggers while the query's generator runs (on the worker thread) and removed in
its ``finally``. Records from every thread of the association are turned into
frozen :class:`LogLine` values and handed to a sink — in the GUI a Qt signal,
which delivers them to the GUI thread.

Patient names and IDs are masked (:func:`rpiq.core.logmask.mask_text`)
unless the capture level is DEBUG, i.e. the user ticked the Log tab's debug
box. :func:`install_app_log` gives the workstation the same masked log file
as the CLI.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from rpiq.core.logmask import (
    LogSetup,
    configure_logging,
    logging_configured,
    mask_text,
)
from rpiq.core.paths import AppPaths

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["LOGGERS", "LogLine", "capture_logs", "install_app_log", "logged"]

LOGGERS = ("pynetdicom", "rpiq")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class LogLine:
    """One log record, safe to pass between threads."""

    created: float
    level: int
    level_name: str
    logger: str
    message: str
    thread: str


class _SinkHandler(logging.Handler):
    def __init__(self, sink: Callable[[LogLine], None], level: int) -> None:
        super().__init__(level)
        self._sink = sink
        # Debug output is the one place identities may show ("unless debug").
        self._reveal = level <= logging.DEBUG

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if not message.strip() and not record.exc_info:
                return  # pynetdicom logs spacer lines
            if record.exc_info:
                message += "\n" + logging.Formatter().formatException(record.exc_info)
            if not self._reveal:
                message = mask_text(message)
            self._sink(
                LogLine(
                    record.created,
                    record.levelno,
                    record.levelname,
                    record.name,
                    message,
                    record.threadName or str(threading.get_ident()),
                )
            )
        except Exception:  # noqa: BLE001 — logging must never break a query
            self.handleError(record)


@contextmanager
def capture_logs(
    sink: Callable[[LogLine], None],
    level: int = logging.INFO,
    loggers: tuple[str, ...] = LOGGERS,
) -> Iterator[None]:
    """Send records of ``loggers`` at ``level`` or above to ``sink`` meanwhile.

    Loggers quieter than ``level`` are turned up for the duration and restored
    afterwards.
    """
    handler = _SinkHandler(sink, level)
    saved: list[tuple[logging.Logger, int]] = []
    for name in loggers:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        if logger.getEffectiveLevel() > level:
            logger.setLevel(level)
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger, old_level in saved:
            logger.removeHandler(handler)
            logger.setLevel(old_level)


def logged(
    events: Iterator[_T], sink: Callable[[LogLine], None], level: int = logging.INFO
) -> Iterator[_T]:
    """Iterate ``events`` with :func:`capture_logs` active around every step."""
    with capture_logs(sink, level):
        yield from events


def install_app_log() -> None:
    """Log to the app's rotating, masked log file; warnings also to stderr.

    The same set-up as the CLI (:func:`rpiq.core.logmask.configure_logging`):
    ``rpiq`` and ``pynetdicom`` at INFO into ``AppPaths.log_file`` (0600),
    which File → Save support bundle ships. Under ``rpiq gui`` the CLI has
    already set this up (with its ``-v`` console level), which is kept.
    """
    if not logging_configured():
        configure_logging(LogSetup(log_file=AppPaths.default().log_file))
