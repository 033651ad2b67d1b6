"""RawView: the identifier as a pydicom dump; the selected item is highlighted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from rpiq.gui.raw_dump import RawDump, dump_with_paths

if TYPE_CHECKING:
    from pydicom.dataset import Dataset
    from PySide6.QtWidgets import QWidget

    from rpiq.core.sr.model import Path

__all__ = ["RawView"]

_EMPTY = "The raw dataset of the answer appears here after a query."
_HIGHLIGHT = QColor("#fff3b0")


class RawView(QPlainTextEdit):
    """Read-only, monospaced dump; :meth:`highlight` marks one item's lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rawDumpView")
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setPlaceholderText(_EMPTY)
        self._dump = RawDump()

    @property
    def dump(self) -> RawDump:
        """The lines shown and their item spans."""
        return self._dump

    def set_dataset(self, ds: Dataset | None) -> None:
        """Show the dump of ``ds`` (None clears it)."""
        self._dump = RawDump() if ds is None else dump_with_paths(ds)
        self.setPlainText(self._dump.text)
        self.setExtraSelections([])

    def highlight(self, path: Path | None) -> tuple[int, int] | None:
        """Highlight the lines of the item at ``path``; return the span shown."""
        span = None if path is None else self._dump.spans.get(path)
        if span is None or not self._dump.lines:
            self.setExtraSelections([])
            return None
        first, last = span
        if not path:  # the root spans everything: just go to the top
            self.setExtraSelections([])
            self.moveCursor(QTextCursor.MoveOperation.Start)
            return span
        document = self.document()
        start = document.findBlockByNumber(first)
        end = document.findBlockByNumber(last)
        cursor = QTextCursor(start)
        cursor.setPosition(
            end.position() + end.length() - 1, QTextCursor.MoveMode.KeepAnchor
        )
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format.setBackground(_HIGHLIGHT)
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        self.setExtraSelections([selection])
        self.setTextCursor(QTextCursor(start))
        self.centerCursor()
        return span
