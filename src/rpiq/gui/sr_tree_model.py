"""SrTreeModel: a ContentNode tree as rows Concept | Value | Units | Value type | Rel.

Each row keeps its node path (``PATH_ROLE``) so the raw dump, the details tab
and conformance findings can point at it. Codes show their meaning with the
``(value, scheme, "meaning")`` triple in the tooltip; unreadable and
by-reference items are drawn in red with a warning icon. A recursive
:class:`QSortFilterProxyModel` (:func:`make_filter_proxy`) filters it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QStyle

from rpiq.core.sr.model import BY_REFERENCE, UNREADABLE, CodedConcept, ValueType
from rpiq.core.sr.model import format_path as core_format_path
from rpiq.core.sr.render import value_text
from rpiq.gui.value_format import format_datetime, node_value

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

    from rpiq.core.sr.model import ContentNode, Path

__all__ = [
    "COLUMNS",
    "NODE_ROLE",
    "PATH_ROLE",
    "SrTreeModel",
    "make_filter_proxy",
]

COLUMNS = ("Concept", "Value", "Units", "Value type", "Relationship")
PATH_ROLE = int(Qt.ItemDataRole.UserRole) + 1
NODE_ROLE = int(Qt.ItemDataRole.UserRole) + 2
_PROBLEM_COLOUR = QColor("#b00020")


def _concept_text(node: ContentNode) -> str:
    if node.value_type == UNREADABLE and node.concept is None:
        return "Unreadable item"
    if node.concept is None:
        return "(no concept name)"
    return node.concept.meaning or node.concept.triple()


def _concept_tip(node: ContentNode, path: Path) -> str:
    lines = [f"Item {core_format_path(path)}"]
    if node.concept is not None:
        lines.append(f"Concept name: {node.concept.triple()}")
    if node.template is not None:
        resource, identifier = node.template
        lines.append(f"Template: {resource} TID {identifier}")
    if node.observation_datetime:
        lines.append(f"Observed: {format_datetime(node.observation_datetime)}")
    if node.problem:
        lines.append(f"Problem: {node.problem}")
    return "\n".join(lines)


def _value_tip(node: ContentNode) -> str:
    value = node.value
    if isinstance(value, CodedConcept):
        return f"Code: {value.triple()}"
    if node.problem:
        return node.problem
    if node.value_type == ValueType.TEXT and isinstance(value, str):
        return value
    if isinstance(value, str):
        return f"DICOM value: {value}\n{value_text(node)}"
    return value_text(node)


def _item(text: str, tip: str = "") -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    if tip:
        item.setToolTip(tip)
    return item


def _template_suffix(node: ContentNode) -> str:
    if node.template is None:
        return ""
    resource, identifier = node.template
    return f"TID {identifier}" if resource == "DCMR" else f"{resource} {identifier}"


def _row(node: ContentNode, path: Path) -> list[QStandardItem]:
    value = node_value(node)
    if node.value_type == ValueType.CONTAINER:
        value = _template_suffix(node)
    units = node.units
    row = [
        _item(_concept_text(node), _concept_tip(node, path)),
        _item(value, _value_tip(node)),
        _item(units.meaning if units else "", units.triple() if units else ""),
        _item(node.value_type),
        _item(node.relationship or "(root)"),
    ]
    row[0].setData(path, PATH_ROLE)
    row[0].setData(node, NODE_ROLE)
    if node.value_type == ValueType.CONTAINER:
        font = QFont()
        font.setBold(True)
        row[0].setFont(font)
    elif node.concept is None:
        font = QFont()
        font.setItalic(True)
        row[0].setFont(font)
    if node.value_type in (UNREADABLE, BY_REFERENCE) or node.problem:
        _mark_problem(row)
    return row


def _mark_problem(row: list[QStandardItem]) -> None:
    icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
    row[0].setIcon(icon)
    for item in row:
        item.setForeground(QBrush(_PROBLEM_COLOUR))


class SrTreeModel(QStandardItemModel):
    """Rows of one content tree; :meth:`set_root` replaces them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self._root: ContentNode | None = None

    @property
    def root(self) -> ContentNode | None:
        """The tree shown (None when empty)."""
        return self._root

    def set_root(self, root: ContentNode | None) -> None:
        """Show ``root`` and its descendants (None clears the model)."""
        self.removeRows(0, self.rowCount())
        self._root = root
        if root is None:
            return
        parents: dict[Path, QStandardItem] = {}
        for path, node in root.walk():
            row = _row(node, path)
            parent = parents.get(path[:-1]) if path else None
            (parent or self.invisibleRootItem()).appendRow(row)
            parents[path] = row[0]

    def index_for_path(self, path: Path) -> QModelIndex:
        """The column-0 index of the item at ``path`` (invalid if absent)."""
        if self._root is None:
            return QModelIndex()
        index = self.index(0, 0)
        for position in path:
            if position < 1 or position > self.rowCount(index):
                return QModelIndex()
            index = self.index(position - 1, 0, index)
        return index

    @staticmethod
    def path_of(index: QModelIndex) -> Path | None:
        """Path stored on the row of ``index`` (any column, source or proxy)."""
        if not index.isValid():
            return None
        value = index.siblingAtColumn(0).data(PATH_ROLE)
        return tuple(value) if value is not None else None

    @staticmethod
    def node_of(index: QModelIndex) -> ContentNode | None:
        """Node stored on the row of ``index`` (any column, source or proxy)."""
        if not index.isValid():
            return None
        return index.siblingAtColumn(0).data(NODE_ROLE)  # type: ignore[no-any-return]


def make_filter_proxy(
    source: SrTreeModel, parent: QObject | None = None
) -> QSortFilterProxyModel:
    """Case-insensitive filter over every column that keeps matching ancestors.

    The proxy must not be a child of ``source`` (it would be destroyed while
    the source is half-destroyed); give it the view's owner as ``parent``.
    """
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(source)
    proxy.setRecursiveFilteringEnabled(True)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setAutoAcceptChildRows(True)
    return proxy
