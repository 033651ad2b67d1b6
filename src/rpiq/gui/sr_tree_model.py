"""SrTreeModel: a ContentNode tree as rows Concept | Value | Units | Value type | Rel.

Each row keeps its node path (``PATH_ROLE``) so the raw dump, the details tab
and conformance findings can point at it. Codes show their meaning with the
``(value, scheme, "meaning")`` triple in the tooltip; unreadable and
by-reference items are drawn in red with a warning icon. A recursive
:class:`QSortFilterProxyModel` (:func:`make_filter_proxy`) filters it.

Every cell is a ``QStandardItem``, built apart from the model and inserted at
once (:meth:`SrTreeModel.set_root`): views then read the rows in C++. A model
answering ``data()`` in Python instead costs nothing to fill but pays a
call into Python, and a GIL hand-over, for every role of every painted cell,
which made painting several times slower while workers kept the GIL busy.
The SR model is imported on first use, so building the empty window does not
load pydicom's code dictionary.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QIcon,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import QApplication

from rpiq.gui.value_format import format_datetime, node_value
from rpiq.gui.workers import serial_imports

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from PySide6.QtCore import QObject

    from rpiq.core.sr.model import CodedConcept, ContentNode, Path

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
_MARKED_TEXT = QColor("#000000")


class _Sr(NamedTuple):
    """What the per-row helpers need from the SR model."""

    unreadable: str
    by_reference: str
    container: str
    text: str
    coded_concept: type[CodedConcept]
    format_path: Callable[[Path], str]
    value_text: Callable[[ContentNode], str]


@cache
def _sr() -> _Sr:
    """The SR model's names, imported on first use and kept.

    Not function-level imports in the per-row helpers: an ``import``
    statement costs a few microseconds each time, over 1000 rows.
    """
    with serial_imports():
        from rpiq.core.sr.model import (
            BY_REFERENCE,
            UNREADABLE,
            CodedConcept,
            ValueType,
            format_path,
        )
        from rpiq.core.sr.render import value_text

    return _Sr(
        UNREADABLE,
        BY_REFERENCE,
        ValueType.CONTAINER,
        ValueType.TEXT,
        CodedConcept,
        format_path,
        value_text,
    )


def _concept_text(node: ContentNode) -> str:
    if node.value_type == _sr().unreadable and node.concept is None:
        return "Unreadable item"
    if node.concept is None:
        return "(no concept name)"
    return node.concept.meaning or node.concept.triple()


def _concept_tip(node: ContentNode, path: Path) -> str:
    lines = [f"Item {_sr().format_path(path)}"]
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
    sr = _sr()
    value = node.value
    if isinstance(value, sr.coded_concept):
        return f"Code: {value.triple()}"
    if node.problem:
        return node.problem
    if node.value_type == sr.text and isinstance(value, str):
        return value
    if isinstance(value, str):
        return f"DICOM value: {value}\n{sr.value_text(node)}"
    return sr.value_text(node)


def _template_suffix(node: ContentNode) -> str:
    if node.template is None:
        return ""
    resource, identifier = node.template
    return f"TID {identifier}" if resource == "DCMR" else f"{resource} {identifier}"


def _texts(node: ContentNode) -> tuple[str, str, str, str, str]:
    """The five cells' display texts of ``node``'s row."""
    if node.value_type == _sr().container:
        value = _template_suffix(node)
    else:
        value = node_value(node)
    units = node.units
    return (
        _concept_text(node),
        value,
        units.meaning if units else "",
        node.value_type,
        node.relationship or "(root)",
    )


def _has_problem(node: ContentNode) -> bool:
    sr = _sr()
    return node.value_type in (sr.unreadable, sr.by_reference) or bool(node.problem)


class SrTreeModel(QStandardItemModel):
    """Rows of one content tree; :meth:`set_root` replaces them.

    Parameters
    ----------
    parent : QObject, optional
        Owner of the model.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self._root: ContentNode | None = None
        # Made on first use: creating the QFont type (and its enums) costs
        # several ms, which the empty window at start-up does not need.
        self._fonts: tuple[QFont, QFont] | None = None  # bold, italic
        self._problem: tuple[QBrush, QIcon] | None = None

    @property
    def root(self) -> ContentNode | None:
        """The tree shown (None when empty)."""
        return self._root

    def set_root(self, root: ContentNode | None) -> None:
        """Show ``root`` and its descendants (None clears the model).

        The rows are built apart from the model and added with one insertion:
        added one by one, every row would be announced to the filter proxy
        and the view on its own.
        """
        self.removeRows(0, self.rowCount())
        self._root = root
        if root is None:
            return
        containers: dict[Path, QStandardItem] = {}
        top: list[QStandardItem] = []
        for path, node in root.walk():
            row = self._row(node, path)
            if path:
                containers[path[:-1]].appendRow(row)
            else:
                top = row
            if node.children:
                containers[path] = row[0]
        self.invisibleRootItem().appendRow(top)

    def _row(self, node: ContentNode, path: Path) -> list[QStandardItem]:
        """The five cells of ``node``'s row, with tooltips, font and marks."""
        row = [QStandardItem(text) for text in _texts(node)]
        for item in row:
            item.setEditable(False)
        first = row[0]
        first.setToolTip(_concept_tip(node, path))
        value_tip = _value_tip(node)
        if value_tip:
            row[1].setToolTip(value_tip)
        if node.units is not None:
            row[2].setToolTip(node.units.triple())
        first.setData(path, PATH_ROLE)
        first.setData(node, NODE_ROLE)
        font = self._font(node)
        if font is not None:
            first.setFont(font)
        if _has_problem(node):
            brush, icon = self._problem_style()
            first.setIcon(icon)
            for item in row:
                item.setForeground(brush)
        return row

    def _font(self, node: ContentNode) -> QFont | None:
        container = _sr().container
        if node.value_type != container and node.concept is not None:
            return None
        if self._fonts is None:
            bold, italic = QFont(), QFont()
            bold.setBold(True)
            italic.setItalic(True)
            self._fonts = (bold, italic)
        return self._fonts[0 if node.value_type == container else 1]

    def _problem_style(self) -> tuple[QBrush, QIcon]:
        if self._problem is None:
            from PySide6.QtWidgets import QStyle  # not needed for the empty window

            warning = QStyle.StandardPixmap.SP_MessageBoxWarning
            icon = QApplication.style().standardIcon(warning)
            self._problem = (QBrush(_PROBLEM_COLOUR), icon)
        return self._problem

    # ------------------------------------------------------------- marks
    def mark(self, index: QModelIndex, background: QColor, tip: str) -> None:
        """Highlight ``index``'s row: ``background``, black text, ``tip`` first.

        Marking a row again keeps the newest colour and puts the new note
        before the earlier ones (a note already in the tooltip replaces it).
        """
        if not index.isValid():
            return
        brush = QBrush(background)
        text = QBrush(_MARKED_TEXT)
        for column in range(len(COLUMNS)):
            cell = self.itemFromIndex(index.siblingAtColumn(column))
            cell.setBackground(brush)
            cell.setForeground(text)
            own = cell.toolTip()
            cell.setToolTip(f"{tip}\n\n{own}" if own and tip not in own else tip)

    # ------------------------------------------------------------- paths
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

    # ------------------------------------------------------------- widths
    def shown_rows(
        self, expanded: Callable[[QModelIndex], bool]
    ) -> Iterator[tuple[QModelIndex, ContentNode, Path]]:
        """The root and every row under an ``expanded`` one, in view order.

        Yields the column-0 index, the node and its path, from the content
        tree (no item data is read).
        """
        if self._root is None:
            return
        start: Path = ()
        stack = [(self.index(0, 0), self._root, start)]
        while stack:
            index, node, path = stack.pop()
            yield index, node, path
            if node.children and expanded(index):
                stack.extend(
                    (self.index(number - 1, 0, index), child, (*path, number))
                    for number, child in reversed(list(enumerate(node.children, 1)))
                )

    def concept_cell(self, node: ContentNode) -> tuple[str, QFont | None, bool]:
        """Text, font and whether a warning icon shows, of ``node``'s Concept cell."""
        return _concept_text(node), self._font(node), _has_problem(node)

    def column_texts(self, column: int) -> dict[str, Path]:
        """Each distinct text of ``column`` (2-4) in the whole tree: first path."""
        if not 2 <= column < len(COLUMNS):
            raise ValueError(f"column {column} has no short vocabulary")
        texts: dict[str, Path] = {}
        for path, node in self._root.walk() if self._root is not None else ():
            if column == 2:
                text = node.units.meaning if node.units else ""
            elif column == 3:
                text = str(node.value_type)
            else:
                text = node.relationship or "(root)"
            texts.setdefault(text, path)
        return texts

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
