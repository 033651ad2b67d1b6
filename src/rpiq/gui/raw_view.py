"""RawView: the identifier as a pydicom dump; the selected item is highlighted.

The dump is built when the view is first shown (or :attr:`RawView.dump` is
read), not when the answer arrives: for a 1000-item answer it takes ~100 ms,
which would hold back the tree while the Raw dataset tab is not even open.
A highlight asked for meanwhile is applied once the dump is there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit

from rpiq.gui.raw_dump import RawDump, dump_with_paths

if TYPE_CHECKING:
    from pydicom.dataset import Dataset
    from PySide6.QtGui import QShowEvent
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
        self._pending: Dataset | None = None  # shown, dump not built yet
        self._highlight: Path | None = None  # the item to mark once built

    @property
    def dump(self) -> RawDump:
        """The lines shown and their item spans (built now if still pending)."""
        self._build()
        return self._dump

    @property
    def pending(self) -> bool:
        """True while the dump of the current dataset is not built yet."""
        return self._pending is not None

    def set_dataset(self, ds: Dataset | None) -> None:
        """Show the dump of ``ds`` (None clears it); built when first shown."""
        self._dump = RawDump()
        self._pending = ds
        self._highlight = None
        self.setPlainText("")
        self.setExtraSelections([])
        if ds is not None and self.isVisible():
            # On screen already (the tab is open): let the tree paint first.
            QTimer.singleShot(0, self._build)

    def showEvent(self, event: QShowEvent) -> None:
        """Build the pending dump when the tab is opened."""
        super().showEvent(event)
        self._build()

    def _build(self) -> None:
        ds, self._pending = self._pending, None
        if ds is None:
            return
        self._dump = dump_with_paths(ds)
        self.setPlainText(self._dump.text)
        self._apply(self._highlight)

    def highlight(self, path: Path | None) -> tuple[int, int] | None:
        """Highlight the lines of the item at ``path``; return the span shown.

        While the dump waits to be built (see :attr:`pending`) the path is
        kept and marked when it is built; None is returned meanwhile.
        """
        self._highlight = path
        if self._pending is not None:
            return None
        return self._apply(path)

    def _apply(self, path: Path | None) -> tuple[int, int] | None:
        # Imported on the first highlight, not with the window (start-up).
        from PySide6.QtGui import QTextCursor, QTextFormat
        from PySide6.QtWidgets import QTextEdit

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
