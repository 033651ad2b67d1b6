"""LogView: the association/DIMSE log of the current query."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from rpiq.gui.log_capture import LogLine

__all__ = ["LogView", "format_line"]

MAX_LINES = 20000


def format_line(line: LogLine) -> str:
    """``HH:MM:SS.mmm LEVEL logger: message``."""
    stamp = time.strftime("%H:%M:%S", time.localtime(line.created))
    millis = int((line.created % 1) * 1000)
    return f"{stamp}.{millis:03d} {line.level_name:<7} {line.logger}: {line.message}"


class LogView(QWidget):
    """Read-only log text, a debug-detail switch and a Clear button."""

    debugChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QPlainTextEdit()
        self.text.setObjectName("logView")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setMaximumBlockCount(MAX_LINES)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText(
            "The association and DIMSE messages of the next query appear here."
        )
        self.debug_check = QCheckBox("Include PDU and dataset detail (debug)")
        self.debug_check.setObjectName("debugLogCheck")
        self.debug_check.setToolTip(
            "Log every PDU and the identifiers sent and received (next query)."
        )
        self.debug_check.toggled.connect(self.debugChanged)
        clear = QPushButton("Clear")
        clear.setObjectName("clearLogButton")
        clear.clicked.connect(self.text.clear)
        row = QHBoxLayout()
        row.addWidget(self.debug_check)
        row.addStretch(1)
        row.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addLayout(row)
        self.warnings = 0

    def clear(self) -> None:
        """Forget the lines of the previous query."""
        self.text.clear()
        self.warnings = 0

    def append(self, line: LogLine) -> None:
        """Add one record."""
        if line.level >= logging.WARNING:
            self.warnings += 1
        self.text.appendPlainText(format_line(line))

    def plain_text(self) -> str:
        """Everything shown, for tests and copying."""
        return self.text.toPlainText()
