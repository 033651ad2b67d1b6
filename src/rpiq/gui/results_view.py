"""ResultsView: header, mismatch banner, filterable SR tree and the detail tabs.

Tabs beside the tree: Details (codes of the selected item), Raw dataset (dump,
the selected item highlighted), Conformance (findings; clicking one selects
its item) and Log (the association/DIMSE log of the query).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from rpiq.core.query.identity import identity_mismatches
from rpiq.core.status import Category
from rpiq.gui.banner import MismatchBanner
from rpiq.gui.details_view import DetailsView
from rpiq.gui.findings_view import FindingsView
from rpiq.gui.log_view import LogView
from rpiq.gui.raw_view import RawView
from rpiq.gui.result_header import ResultHeader
from rpiq.gui.sr_tree_model import SrTreeModel, make_filter_proxy
from rpiq.gui.tree_columns import concept_width, fit_short_columns

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

    from rpiq.core.query.events import Done, Failed, PatientSummary
    from rpiq.core.query.request import QueryRequest
    from rpiq.core.sr.model import ContentNode, Path

__all__ = ["ResultsView"]

_EMPTY_HINT = (
    "No answer yet.\n\nChoose a profile, enter a Patient ID and press Run "
    "(Ctrl+Return).\nThe patient's relevant information appears here as a tree."
)
_TAB_CONFORMANCE = 2
_CONCEPT_MAX = 380
_SHORT_COLUMNS = range(2, 5)  # Units, Value type, Relationship


def _tool(text: str, name: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


class ResultsView(QWidget):
    """Everything about the current answer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = ResultHeader()
        self.banner = MismatchBanner()
        self.model = SrTreeModel(self)
        self.proxy = make_filter_proxy(self.model, self)
        self._build_toolbar()
        self._build_tree()
        self._build_tabs()
        # Tabs below the tree: the five columns and the dump lines need width.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("resultsSplitter")
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([480, 300])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addLayout(self.toolbar)
        layout.addWidget(self.splitter, 1)
        self.identifier: Dataset | None = None
        self.patient: PatientSummary | None = None
        self.mismatches: tuple[str, ...] = ()

    # ------------------------------------------------------------- building
    def _build_toolbar(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("treeFilterEdit")
        self.filter_edit.setAccessibleName("Filter the answer tree")
        self.filter_edit.setPlaceholderText(
            "Filter concepts, values and codes (Ctrl+F)"
        )
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip("Show only matching items and their parents")
        self.filter_edit.textChanged.connect(self.set_filter)
        self.expand_button = _tool("Expand all", "expandAllButton", "Expand all (+)")
        self.collapse_button = _tool(
            "Collapse all", "collapseAllButton", "Collapse all (-)"
        )
        self.copy_button = _tool(
            "Copy",
            "copySubtreeButton",
            "Copy the selected item and its children (Ctrl+C)",
        )
        self.toolbar = QHBoxLayout()
        self.toolbar.addWidget(self.filter_edit, 1)
        for button in (self.expand_button, self.collapse_button, self.copy_button):
            self.toolbar.addWidget(button)

    def _build_tree(self) -> None:
        self.tree = QTreeView()
        self.tree.setObjectName("resultsTree")
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # Sized by show_answer (tree_columns), not ResizeToContents: that asks
        # the model about every expanded row again on each layout change.
        for column in _SHORT_COLUMNS:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.tree.selectionModel().currentRowChanged.connect(self._on_current)
        self.copy_action = QAction("Copy item and children as text", self.tree)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action.triggered.connect(self.copy_selection)
        expand = QAction("Expand all", self.tree)
        expand.triggered.connect(self.tree.expandAll)
        collapse = QAction("Collapse all", self.tree)
        collapse.triggered.connect(self.collapse_all)
        self.tree.addActions([self.copy_action, expand, collapse])
        self.expand_button.clicked.connect(self.tree.expandAll)
        self.collapse_button.clicked.connect(self.collapse_all)
        self.copy_button.clicked.connect(self.copy_selection)
        self.empty_label = QLabel(_EMPTY_HINT)
        self.empty_label.setObjectName("emptyResultsHint")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: palette(mid); font-size: 11pt;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self.tree)

    def _build_tabs(self) -> None:
        self.details = DetailsView()
        self.raw = RawView()
        self.findings = FindingsView()
        self.findings.pathActivated.connect(self.select_path)
        self.log = LogView()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("resultTabs")
        self.tabs.addTab(self.details, "Details")
        self.tabs.addTab(self.raw, "Raw dataset")
        self.tabs.addTab(self.findings, "Conformance")
        self.tabs.addTab(self.log, "Log")

    # ------------------------------------------------------------- queries
    def begin(self, request: QueryRequest, target: str) -> None:
        """A query to ``target`` started: clear the previous answer."""
        self.clear_answer()
        self.log.clear()
        self.header.set_template(request.tid)
        self.header.set_status(
            None, "Running…", f"Querying {target} for {request.describe()}", busy=True
        )
        self.empty_label.setText(f"Waiting for {target}…\n\nPress Esc to cancel.")

    def clear_answer(self) -> None:
        """Forget the tree, dump, findings and banner."""
        self.model.set_root(None)
        self.stack.setCurrentWidget(self.empty_label)
        self.raw.set_dataset(None)
        self.details.show_node(None, ())
        self.findings.show_placeholder("No answer yet.")
        self.tabs.setTabText(_TAB_CONFORMANCE, "Conformance")
        self.banner.show_problems(())
        self.header.mark_mismatch(set())
        self.header.clear_patient()
        self.identifier = None
        self.patient = None
        self.mismatches = ()

    def show_answer(
        self,
        root: ContentNode,
        identifier: Dataset,
        patient: PatientSummary,
        request: QueryRequest | None,
    ) -> None:
        """Show a matched answer (live or reopened from the history)."""
        self.identifier = identifier
        self.patient = patient
        self.model.set_root(root)
        self.stack.setCurrentWidget(self.tree)
        self.tree.expandToDepth(1)
        fit_short_columns(self.tree, self.model, _SHORT_COLUMNS)
        width = concept_width(self.tree, self.model)
        self.tree.setColumnWidth(0, min(width + 16, _CONCEPT_MAX))
        self.raw.set_dataset(identifier)
        template = (
            root.template[1] if root.template else (request.tid if request else "?")
        )
        self.header.set_patient(patient, str(template))
        found = identity_mismatches(request, patient) if request else ()
        self.mismatches = tuple(m.message for m in found)
        self.banner.show_problems(self.mismatches)
        self.header.mark_mismatch({m.field for m in found})
        self.select_path(())

    def show_done(self, done: Done, *, matched: bool) -> None:
        """The final status arrived."""
        status = done.status
        meaning = status.meaning
        if status.error_comment:
            meaning += f" Peer says: {status.error_comment}"
        if not matched and status.category is Category.SUCCESS:
            meaning += " No relevant information was returned for this patient."
            self.empty_label.setText(
                "The peer answered, but returned no relevant information for this "
                "patient.\n\nCheck the Patient ID and Issuer, or try another template."
            )
        elif not matched:
            self.empty_label.setText(f"No answer.\n\n{meaning}")
        self.header.set_status(
            status.category,
            f"{status.category.value} {status.hex}",
            meaning,
            done.elapsed_ms,
            tooltip=status.describe(),
        )
        self.show_report(done, None)

    def show_report(self, done: Done | None, report: object | None) -> None:
        """Fill the Conformance tab (title shows how many findings)."""
        count = self.findings.show_findings(done, report)
        self.tabs.setTabText(
            _TAB_CONFORMANCE, f"Conformance ({count})" if count else "Conformance"
        )

    def show_failed(self, failed: Failed) -> None:
        """No final status: the association failed, was lost or was cancelled."""
        category = (
            Category.CANCEL if failed.kind == "cancelled" else Category.NO_RESPONSE
        )
        label = "Cancelled" if failed.kind == "cancelled" else f"Failed: {failed.kind}"
        self.header.set_status(category, label, failed.message, failed.elapsed_ms)
        self.empty_label.setText(f"No answer.\n\n{failed.message}")
        self.findings.show_placeholder("No answer to check.")

    # ------------------------------------------------------------- tree
    def set_filter(self, text: str) -> None:
        """Show only rows matching ``text`` (and their ancestors)."""
        self.proxy.setFilterFixedString(text.strip())
        if text.strip():
            self.tree.expandAll()

    def focus_filter(self) -> None:
        """Ctrl+F: put the cursor in the filter box."""
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def collapse_all(self) -> None:
        """Collapse everything but keep the root's children visible."""
        self.tree.collapseAll()
        self.tree.expand(self.proxy.index(0, 0))

    def selected_path(self) -> Path | None:
        """Path of the current row (None if nothing is selected)."""
        return SrTreeModel.path_of(self.tree.currentIndex())

    def select_path(self, path: Path) -> bool:
        """Select and reveal the item at ``path``; False if it does not exist."""
        source = self.model.index_for_path(tuple(path))
        if not source.isValid():
            return False
        index = self.proxy.mapFromSource(source)
        if not index.isValid():  # hidden by the filter
            self.filter_edit.clear()
            index = self.proxy.mapFromSource(source)
        self.tree.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.tree.scrollTo(index)
        return True

    def selection_text(self) -> str:
        """The selected item and its descendants as indented text."""
        from rpiq.core.sr.render import render_text

        node = SrTreeModel.node_of(self.tree.currentIndex())
        return "" if node is None else render_text(node)

    def copy_selection(self) -> None:
        """Ctrl+C: put :meth:`selection_text` on the clipboard."""
        text = self.selection_text()
        if text:
            QApplication.clipboard().setText(text)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        path = SrTreeModel.path_of(current)
        self.details.show_node(SrTreeModel.node_of(current), path or ())
        self.raw.highlight(path)
