"""Replay: run the query form's request against two profiles and compare.

Two profile combos and Run; both queries run at once (one
:class:`QueryController` each, on workers); when both have ended, the core
compares the trees (:func:`rpiq.core.sr.diff.diff_trees`, on a worker). Both
trees are shown side by side with the differing rows coloured, a summary line
("N differences") and a list of the differences; clicking one selects its
rows on both sides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rpiq.core.sr.diff import ChangeKind, Difference, TreeDiff, diff_trees
from rpiq.core.sr.model import format_path
from rpiq.gui.query_controller import QueryController
from rpiq.gui.replay_pane import MARK_COLOURS, ReplayPane
from rpiq.gui.workers import run_in_background

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtGui import QCloseEvent

    from rpiq.core.profiles import ProfileStore
    from rpiq.core.query.request import QueryRequest
    from rpiq.gui.query_controller import QueryOutcome

__all__ = ["ReplayDialog"]

SIDES = ("left", "right")
_LEGEND = {
    ChangeKind.CHANGED: "changed",
    ChangeKind.REMOVED: "only on the left",
    ChangeKind.ADDED: "only on the right",
}


def _legend() -> QLabel:
    parts = [
        f'<span style="background-color: {MARK_COLOURS[kind]}; color: #000000;">'
        f"&nbsp;{text}&nbsp;</span>"
        for kind, text in _LEGEND.items()
    ]
    label = QLabel(" ".join(parts))
    label.setObjectName("replayLegend")
    return label


class ReplayDialog(QDialog):
    """The side-by-side replay view; :attr:`compared` carries the TreeDiff."""

    compared = Signal(object)  # TreeDiff, or None when there was nothing to compare

    def __init__(
        self,
        profiles: ProfileStore,
        request_source: Callable[[], QueryRequest | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("replayDialog")
        self.setWindowTitle("Replay a query against two profiles")
        self.profiles = profiles
        self.request_source = request_source
        self.controllers = {side: QueryController(parent=self) for side in SIDES}
        self.outcomes: dict[str, QueryOutcome] = {}
        self.diff: TreeDiff | None = None
        self._build()
        for side, controller in self.controllers.items():
            controller.finished.connect(
                lambda outcome, side=side: self._on_finished(side, outcome)
            )
        self.resize(1200, 760)

    # ------------------------------------------------------------- building
    def _build(self) -> None:
        self.request_label = QLabel()
        self.request_label.setObjectName("replayRequestLabel")
        self.request_label.setWordWrap(True)
        self.combos = {side: QComboBox() for side in SIDES}
        for side, combo in self.combos.items():
            combo.setObjectName(f"replay{side.capitalize()}Combo")
            combo.setToolTip(f"Profile queried on the {side}")
            combo.setMinimumContentsLength(16)
        self.run_button = QPushButton("Run both")
        self.run_button.setObjectName("replayRunButton")
        self.run_button.setToolTip(
            "Run the request against both profiles (Ctrl+Return)"
        )
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("replayCancelButton")
        self.cancel_button.setToolTip("Cancel both queries")
        self.cancel_button.setEnabled(False)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.run)
        row = QHBoxLayout()
        for side in SIDES:
            label = QLabel(f"&{side.capitalize()}:")
            label.setBuddy(self.combos[side])
            row.addWidget(label)
            row.addWidget(self.combos[side], 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.run_button)
        self.summary = QLabel("Choose two profiles and press Run both.")
        self.summary.setObjectName("replaySummary")
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(_legend())
        self.panes = {side: ReplayPane(side) for side in SIDES}
        trees = QSplitter(Qt.Orientation.Horizontal)
        trees.setObjectName("replayTreesSplitter")
        for pane in self.panes.values():
            trees.addWidget(pane)
        self.differences = QTreeWidget()
        self.differences.setObjectName("replayDifferences")
        self.differences.setHeaderLabels(["Difference", "Left", "Right", "Reason"])
        self.differences.setRootIsDecorated(False)
        self.differences.currentItemChanged.connect(self._on_difference)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("replaySplitter")
        split.addWidget(trees)
        split.addWidget(self.differences)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.request_label)
        layout.addLayout(row)
        layout.addLayout(summary_row)
        layout.addWidget(split, 1)

    # ------------------------------------------------------------- state
    def set_profiles(self, names: list[str], left: str | None = None) -> None:
        """Offer ``names``; ``left`` on the left and another one on the right."""
        keep = {side: self.combos[side].currentText() for side in SIDES}
        others = [n for n in names if n != left]
        defaults = {
            "left": keep["left"] or left or (names[0] if names else ""),
            "right": keep["right"] or (others[0] if others else ""),
        }
        for side, combo in self.combos.items():
            combo.clear()
            combo.addItems(names)
            combo.setCurrentIndex(max(combo.findText(defaults[side]), 0))
        self.refresh_request()

    def refresh_request(self) -> QueryRequest | None:
        """Show (and return) the request the query form holds now."""
        request = self.request_source()
        if request is None:
            self.request_label.setText(
                "The query form holds no valid request: fill it in first."
            )
        else:
            self.request_label.setText(
                f"Request from the query form: <b>{request.describe()}</b>"
            )
        self._update_buttons()
        return request

    @property
    def busy(self) -> bool:
        """True while either query runs."""
        return any(c.busy for c in self.controllers.values())

    def _update_buttons(self) -> None:
        names = [self.combos[side].currentText() for side in SIDES]
        ready = all(names) and self.request_source() is not None
        self.run_button.setEnabled(ready and not self.busy)
        self.cancel_button.setEnabled(self.busy)

    # ------------------------------------------------------------- running
    def run(self) -> bool:
        """Run the form's request against both profiles."""
        request = self.refresh_request()
        names = {side: self.combos[side].currentText() for side in SIDES}
        if request is None or self.busy or not all(names.values()):
            return False
        self.outcomes = {}
        self.diff = None
        self.differences.clear()
        self.summary.setText("Running both queries…")
        for side in SIDES:
            profile = self.profiles.get(names[side])
            self.panes[side].begin(profile.name)
            self.controllers[side].run(profile, request)
        self._update_buttons()
        return True

    def cancel(self) -> None:
        """Cancel both queries (C-CANCEL, then abort)."""
        for controller in self.controllers.values():
            controller.cancel()

    def _on_finished(self, side: str, outcome: QueryOutcome) -> None:
        self.outcomes[side] = outcome
        self.panes[side].show_outcome(outcome)
        self._update_buttons()
        if len(self.outcomes) < len(SIDES):
            return
        left, right = (self.panes[side].root for side in SIDES)
        if left is None or right is None:
            missing = " and ".join(s for s in SIDES if self.panes[s].root is None)
            self.summary.setText(f"Nothing to compare: no tree on the {missing}.")
            self.compared.emit(None)
            return
        self.summary.setText("Comparing…")
        run_in_background(
            lambda: diff_trees(left, right), self._show_diff, self._failed
        )

    def _failed(self, exc: Exception) -> None:
        self.summary.setText(f"Comparison failed: {exc}")
        self.compared.emit(None)

    def _show_diff(self, diff: TreeDiff) -> None:
        self.diff = diff
        self.panes["left"].mark(diff.left_marks())
        self.panes["right"].mark(diff.right_marks())
        names = " and ".join(self.combos[side].currentText() for side in SIDES)
        self.summary.setText(f"<b>{diff.summary()}</b> between {names}.")
        for difference in diff:
            self._add_difference(difference)
        for column in range(3):
            self.differences.resizeColumnToContents(column)
        self.compared.emit(diff)

    def _add_difference(self, difference: Difference) -> None:
        texts = [
            _LEGEND[difference.kind],
            "" if difference.left is None else format_path(difference.left),
            "" if difference.right is None else format_path(difference.right),
            difference.reason,
        ]
        item = QTreeWidgetItem(texts)
        item.setToolTip(3, difference.reason)
        item.setData(0, Qt.ItemDataRole.UserRole, difference)
        item.setBackground(0, QBrush(QColor(MARK_COLOURS[difference.kind])))
        self.differences.addTopLevelItem(item)

    def _on_difference(self, current: QTreeWidgetItem | None, _prev: object) -> None:
        if current is None:
            return
        difference = current.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(difference, Difference):
            self.panes["left"].select(difference.left)
            self.panes["right"].select(difference.right)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing cancels both queries (the window awaits the workers)."""
        self.cancel()
        super().closeEvent(event)

    def reject(self) -> None:
        """Esc hides the view and cancels both queries."""
        self.cancel()
        super().reject()
