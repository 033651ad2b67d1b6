"""ScpEventLog: the embedded SCP's live event log (one line per event).

Lines come from :func:`rpiq.core.scp.describe_event`; the colour only follows
the event kind and the status category the core assigned. The SCP package is
imported with the first event (the SCP sends them), not with the window.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rpiq.core.status import Category
from rpiq.gui.status_style import badge_style

if TYPE_CHECKING:
    from rpiq.core.scp import ScpEvent

__all__ = ["ScpEventLog"]

MAX_LINES = 5000


def _colour(event: ScpEvent) -> str | None:
    from rpiq.core.scp import (
        AssociationAborted,
        AssociationRejected,
        HandlerError,
        QueryServed,
    )

    if isinstance(event, HandlerError):
        return badge_style(Category.FAILURE).background
    if isinstance(event, AssociationRejected | AssociationAborted):
        return "#b26a00"
    if isinstance(event, QueryServed) and event.status.category not in (
        Category.PENDING,
        Category.SUCCESS,
    ):
        return badge_style(event.status.category).background
    return None


class ScpEventLog(QWidget):
    """Read-only, capped event log with a Clear button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Associations, queries and stored instances, live:")
        self.text = QPlainTextEdit()
        self.text.setObjectName("scpEventLog")
        self.text.setReadOnly(True)
        self.text.setAcceptDrops(False)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setMaximumBlockCount(MAX_LINES)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText(
            "Associations, queries and stored instances appear here live."
        )
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("scpClearLogButton")
        self.clear_button.setToolTip("Clear the event log")
        self.clear_button.clicked.connect(self.text.clear)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        self.count = 0

    def append_event(self, event: ScpEvent) -> None:
        """Add one event, time-stamped."""
        from rpiq.core.scp import describe_event

        self.append_line(describe_event(event, reveal=True), _colour(event))

    def append_line(self, line: str, colour: str | None = None) -> None:
        """Add one line of our own (e.g. an import summary)."""
        import html  # with the first line, not the window (start-up time)

        self.count += 1
        stamp = time.strftime("%H:%M:%S")
        text = html.escape(f"{stamp}  {line}")
        if colour is not None:
            text = f'<span style="color: {colour};">{text}</span>'
        self.text.appendHtml(text)

    def plain_text(self) -> str:
        """Everything shown (tests, copying)."""
        return self.text.toPlainText()
