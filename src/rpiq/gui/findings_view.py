"""FindingsView: conformance findings of the answer; clicking one selects its item.

The checker (``rpiq.core.conformance``) reports findings with ``level``,
``rule``, ``message``, ``section`` and ``path``; they are read with
``getattr`` so this view works with whatever report object ``Done`` carries,
and falls back to the engine's own ``Done.problems`` when there is no report.
Item paths are parsed and formatted by the SR model, imported when findings
first arrive (it loads pydicom's SR code dictionary).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
)

from rpiq.gui.status_style import level_style

if TYPE_CHECKING:
    from collections.abc import Iterable

    from PySide6.QtWidgets import QWidget

    from rpiq.core.query.events import Done
    from rpiq.core.sr.model import Path

__all__ = ["FindingRow", "FindingsView", "findings_of"]

COLUMNS = ("Level", "Item", "Message", "Section", "Rule")
_PATH_ROLE = int(Qt.ItemDataRole.UserRole) + 1


@dataclass(frozen=True, slots=True)
class FindingRow:
    """One finding as displayed."""

    level: str
    rule: str
    message: str
    section: str
    path: Path | None


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def _path(value: object) -> Path | None:
    if value is None:
        return None
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        return value
    from rpiq.core.sr.model import parse_path

    try:
        return parse_path(str(value))
    except ValueError:
        return None


def _row(finding: object) -> FindingRow:
    return FindingRow(
        _text(getattr(finding, "level", "info")) or "info",
        _text(getattr(finding, "rule", "")),
        _text(getattr(finding, "message", finding)),
        _text(getattr(finding, "section", "")),
        _path(getattr(finding, "path", None)),
    )


def findings_of(
    done: Done | None, report: object | None = None
) -> tuple[list[FindingRow], bool]:
    """Rows to show and whether a conformance report was present."""
    if report is None:
        report = getattr(done, "report", None)
    if report is not None:
        items: Iterable[object] = getattr(report, "findings", None) or ()
        return [_row(f) for f in items], True
    if done is None:
        return [], False
    rows = [
        FindingRow("warning", "engine", problem, "PS3.4 Q.4.2", None)
        for problem in done.problems
    ]
    return rows, False


class FindingsView(QTreeWidget):
    """List of findings; emits :attr:`pathActivated` with the finding's item path."""

    pathActivated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conformanceView")
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels(list(COLUMNS))
        self.setRootIsDecorated(False)
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(3, 260)
        self.itemClicked.connect(self._on_item)
        self.itemActivated.connect(self._on_item)
        self.show_placeholder("The conformance findings of the answer appear here.")

    def show_placeholder(self, text: str) -> None:
        """Replace the list with one explanatory line."""
        self.clear()
        item = QTreeWidgetItem([text])
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.addTopLevelItem(item)
        item.setFirstColumnSpanned(True)

    def show_findings(self, done: Done | None, report: object | None = None) -> int:
        """Show the findings (``report``, else ``done``'s); return how many."""
        rows, has_report = findings_of(done, report)
        if not rows:
            self.show_placeholder(
                "No findings: the answer passed the conformance checks."
                if has_report
                else "No problems noticed while receiving the answer."
            )
            return 0
        from rpiq.core.sr.model import format_path

        self.clear()
        for row in rows:
            item = QTreeWidgetItem(
                [
                    row.level,
                    format_path(row.path) if row.path is not None else "",
                    row.message,
                    row.section,
                    row.rule,
                ]
            )
            item.setData(0, _PATH_ROLE, row.path)
            for column in range(len(COLUMNS)):
                item.setToolTip(column, f"{row.message}\n{row.section} ({row.rule})")
            style = level_style(row.level)
            item.setBackground(0, QBrush(QColor(style.background)))
            item.setForeground(0, QBrush(QColor(style.foreground)))
            self.addTopLevelItem(item)
        for column in (0, 1, 4):
            self.resizeColumnToContents(column)
        return len(rows)

    def _on_item(self, item: QTreeWidgetItem, _column: int) -> None:
        path = item.data(0, _PATH_ROLE)
        if path is not None:
            self.pathActivated.emit(tuple(path))
