"""DetailsView: every code and raw value of the selected content item.

The SR model is imported when an item is first described, not with the empty
window (it loads pydicom's SR code dictionary).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem

from rpiq.gui.value_format import format_datetime

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from rpiq.core.sr.model import CodedConcept, ContentNode, Path

__all__ = ["DetailsView"]

_EMPTY = "Select an item in the tree to see its codes."


def _code_item(label: str, code: CodedConcept) -> QTreeWidgetItem:
    item = QTreeWidgetItem([label, code.triple()])
    for key, value in (
        ("Code Value", code.value),
        ("Coding Scheme Designator", code.scheme),
        ("Code Meaning", code.meaning),
        ("Coding Scheme Version", code.scheme_version),
    ):
        if value is not None:
            QTreeWidgetItem(item, [key, value])
    return item


def _observed(value: str | None) -> str | None:
    return None if value is None else f"{format_datetime(value)}  ({value})"


def _rows(node: ContentNode, path: Path) -> list[QTreeWidgetItem]:
    from rpiq.core.sr.model import CodedConcept, format_path
    from rpiq.core.sr.render import value_text

    rows = [
        QTreeWidgetItem(["Item", format_path(path)]),
        QTreeWidgetItem(["Relationship", node.relationship or "(root)"]),
        QTreeWidgetItem(["Value type", node.value_type]),
    ]
    if node.concept is not None:
        rows.append(_code_item("Concept name", node.concept))
    if isinstance(node.value, CodedConcept):
        rows.append(_code_item("Value (code)", node.value))
    else:
        text = value_text(node)
        if text:
            rows.append(QTreeWidgetItem(["Value", text]))
        if isinstance(node.value, str) and node.value != text:
            rows.append(QTreeWidgetItem(["DICOM value", node.value]))
    for label, code in (("Units", node.units), ("Qualifier", node.qualifier)):
        if code is not None:
            rows.append(_code_item(label, code))
    extras = (
        ("Template", " ".join(node.template) if node.template else None),
        ("Observation DateTime", _observed(node.observation_datetime)),
        ("Continuity of content", node.continuity),
        ("Children", str(len(node.children)) if node.children else None),
        ("Problem", node.problem),
    )
    rows.extend(QTreeWidgetItem([k, v]) for k, v in extras if v is not None)
    return rows


class DetailsView(QTreeWidget):
    """Two columns, Field | Value; code rows expand into their four parts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailsView")
        self.setColumnCount(2)
        self.setHeaderLabels(["Field", "Value"])
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(True)
        self.show_node(None, ())

    def show_node(self, node: ContentNode | None, path: Path) -> None:
        """Describe ``node`` (None shows how to get details)."""
        self.clear()
        if node is None:
            hint = QTreeWidgetItem([_EMPTY, ""])
            hint.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addTopLevelItem(hint)
            hint.setFirstColumnSpanned(True)
            return
        self.addTopLevelItems(_rows(node, path))
        self.expandAll()
        self.resizeColumnToContents(0)
