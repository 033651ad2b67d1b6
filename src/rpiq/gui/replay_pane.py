"""ReplayPane: one side of the replay view — profile, status and answer tree.

Rows that differ from the other side get a background colour by kind (added,
removed, changed; a removed or added item colours its whole subtree) and the
core's reason as tooltip; their ancestors are expanded so every mark shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from rpiq.core.sr.diff import ChangeKind
from rpiq.gui.sr_tree_model import SrTreeModel
from rpiq.gui.tree_columns import concept_width

if TYPE_CHECKING:
    from PySide6.QtCore import QModelIndex

    from rpiq.core.sr.diff import Difference
    from rpiq.core.sr.model import ContentNode, Path
    from rpiq.gui.query_controller import QueryOutcome

__all__ = ["MARK_COLOURS", "ReplayPane"]

#: Background of a differing row, by kind (text stays black: > 4.5:1).
MARK_COLOURS: dict[ChangeKind, str] = {
    ChangeKind.ADDED: "#c8e6c9",
    ChangeKind.REMOVED: "#ffcdd2",
    ChangeKind.CHANGED: "#ffe082",
}
_KIND_TEXT = {
    ChangeKind.ADDED: "Only here",
    ChangeKind.REMOVED: "Only here",
    ChangeKind.CHANGED: "Differs",
}


def outcome_text(outcome: QueryOutcome) -> str:
    """One line: the final status, or why there is none."""
    if outcome.done is not None:
        status = outcome.done.status
        found = "a tree" if outcome.match is not None else "no tree"
        return f"{status.category.value} {status.hex} — {found}: {status.meaning}"
    failed = outcome.failed
    return f"Failed ({failed.kind}): {failed.message}" if failed else "No answer."


class ReplayPane(QWidget):
    """Title, status line and a tree of one profile's answer."""

    def __init__(self, side: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.side = side
        self.title = QLabel(f"<b>{side.capitalize()}</b>")
        self.title.setObjectName(f"replay{side.capitalize()}Title")
        self.status = QLabel("Not run yet.")
        self.status.setObjectName(f"replay{side.capitalize()}Status")
        self.status.setWordWrap(True)
        self.model = SrTreeModel(self)
        self.tree = QTreeView()
        self.tree.setObjectName(f"replay{side.capitalize()}Tree")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        for column in (2, 3, 4):
            self.tree.setColumnHidden(column, column != 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)
        self.marked: dict[Path, Difference] = {}

    @property
    def root(self) -> ContentNode | None:
        """The tree shown (None when there is no answer)."""
        return self.model.root

    def begin(self, profile: str) -> None:
        """A query to ``profile`` started."""
        self.title.setText(f"<b>{self.side.capitalize()}:</b> {profile}")
        self.status.setText("Running…")
        self.model.set_root(None)
        self.marked = {}

    def show_outcome(self, outcome: QueryOutcome) -> None:
        """Show the answer's tree (or nothing) and its status line."""
        self.status.setText(outcome_text(outcome))
        self.status.setToolTip(self.status.text())
        root = outcome.match.root if outcome.match is not None else None
        self.model.set_root(root)
        if root is not None:
            self.tree.expandToDepth(0)
            width = concept_width(self.tree, self.model)
            self.tree.setColumnWidth(0, min(width + 16, 320))

    def mark(self, marks: dict[Path, Difference]) -> None:
        """Colour the rows at ``marks`` (and added/removed subtrees)."""
        self.marked = marks
        for path, difference in marks.items():
            index = self.model.index_for_path(path)
            if not index.isValid():
                continue
            whole = difference.kind is not ChangeKind.CHANGED
            self._paint(index, difference, whole)
            parent = index.parent()
            while parent.isValid():
                self.tree.expand(parent)
                parent = parent.parent()

    def _paint(self, index: QModelIndex, difference: Difference, whole: bool) -> None:
        tip = f"{_KIND_TEXT[difference.kind]} — {difference.reason}"
        self.model.mark(index, QColor(MARK_COLOURS[difference.kind]), tip)
        if whole:
            for row in range(self.model.rowCount(index)):
                self._paint(self.model.index(row, 0, index), difference, whole)

    def background(self, path: Path) -> str | None:
        """The mark colour of the row at ``path`` (``#rrggbb``), if marked."""
        index = self.model.index_for_path(path)
        if not index.isValid():
            return None
        brush = index.data(Qt.ItemDataRole.BackgroundRole)
        return brush.color().name() if isinstance(brush, QBrush) else None

    def select(self, path: Path | None) -> None:
        """Select and reveal the row at ``path`` (None clears the selection)."""
        if path is None:
            self.tree.clearSelection()
            return
        index = self.model.index_for_path(path)
        if index.isValid():
            self.tree.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.tree.scrollTo(index)
