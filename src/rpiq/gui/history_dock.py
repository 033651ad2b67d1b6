"""HistoryDock: past queries; double-click runs one again, Open shows its answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rpiq.core.status import Category
from rpiq.gui.status_style import badge_style
from rpiq.gui.value_format import date_format

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rpiq.core.history import HistoryEntry

__all__ = ["HistoryDock"]

COLUMNS = ("Time", "Patient", "Template", "Status", "Profile")
_ENTRY_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def _category(entry: HistoryEntry) -> Category:
    try:
        return Category(entry.status)
    except ValueError:
        return Category.NO_RESPONSE


def _row(entry: HistoryEntry) -> QTreeWidgetItem:
    when = entry.started().astimezone()
    day = QDate(when.year, when.month, when.day)
    full = f"{QLocale().toString(day, date_format())} {when:%H:%M:%S}"
    stamp = f"{when:%H:%M:%S}" if day == QDate.currentDate() else full
    patient = entry.patient_id + (f" [{entry.issuer}]" if entry.issuer else "")
    item = QTreeWidgetItem(
        [stamp, patient, f"TID {entry.template}", entry.status, entry.profile]
    )
    item.setData(0, _ENTRY_ROLE, entry)
    item.setToolTip(3, entry.summary)
    item.setToolTip(
        0,
        f"{full}\nDouble-click to run again"
        + (" · answer saved" if entry.answer_file else ""),
    )
    colour = badge_style(_category(entry)).background
    item.setForeground(3, QBrush(QColor(colour)))
    return item


class HistoryDock(QDockWidget):
    """Newest first; signals carry the :class:`HistoryEntry`."""

    rerunRequested = Signal(object)
    reopenRequested = Signal(object)
    clearRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("History", parent)
        self.setObjectName("historyDock")
        self.list = QTreeWidget()
        self.list.setObjectName("historyList")
        self.list.setHeaderLabels(list(COLUMNS))
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.itemDoubleClicked.connect(self._on_double_click)
        self.list.currentItemChanged.connect(self._update_buttons)
        self.rerun_button = QPushButton("Run again")
        self.rerun_button.setObjectName("historyRerunButton")
        self.rerun_button.setToolTip("Fill the form and run this query again")
        self.open_button = QPushButton("Open answer")
        self.open_button.setObjectName("historyOpenButton")
        self.open_button.setToolTip("Show the saved answer without querying")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("historyClearButton")
        self.clear_button.setToolTip("Forget all past queries and saved answers")
        self.rerun_button.clicked.connect(lambda: self._emit(self.rerunRequested))
        self.open_button.clicked.connect(lambda: self._emit(self.reopenRequested))
        self.clear_button.clicked.connect(self.clearRequested)
        buttons = QHBoxLayout()
        for button in (self.rerun_button, self.open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.setWidget(body)
        self.set_entries(())

    def set_entries(self, entries: Sequence[HistoryEntry]) -> None:
        """Show ``entries`` (newest first)."""
        self.list.clear()
        if not entries:
            hint = QTreeWidgetItem(["No queries yet — they are listed here."])
            hint.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addTopLevelItem(hint)
            hint.setFirstColumnSpanned(True)
        else:
            self.list.addTopLevelItems([_row(entry) for entry in entries])
            for column in range(len(COLUMNS)):
                self.list.resizeColumnToContents(column)
        self.clear_button.setEnabled(bool(entries))
        self._update_buttons()

    def current_entry(self) -> HistoryEntry | None:
        """The selected entry, if any."""
        item = self.list.currentItem()
        if item is None:
            return None
        return item.data(0, _ENTRY_ROLE)  # type: ignore[no-any-return]

    def _update_buttons(self) -> None:
        entry = self.current_entry()
        self.rerun_button.setEnabled(entry is not None)
        self.open_button.setEnabled(entry is not None and entry.answer_file is not None)

    def _emit(self, signal: object) -> None:
        entry = self.current_entry()
        if entry is not None:
            signal.emit(entry)  # type: ignore[attr-defined]

    def _on_double_click(self, item: QTreeWidgetItem, _column: int) -> None:
        entry = item.data(0, _ENTRY_ROLE)
        if entry is not None:
            self.rerunRequested.emit(entry)
