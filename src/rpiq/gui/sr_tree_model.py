"""SrTreeModel: a ContentNode tree as rows Concept | Value | Units | Value type | Rel.

Each row keeps its node path (``PATH_ROLE``) so the raw dump, the details tab
and conformance findings can point at it. Codes show their meaning with the
``(value, scheme, "meaning")`` triple in the tooltip; unreadable and
by-reference items are drawn in red with a warning icon. A recursive
:class:`QSortFilterProxyModel` (:func:`make_filter_proxy`) filters it.

The model reads the (immutable) content tree directly instead of copying it
into one ``QStandardItem`` per cell: showing a 1000-item answer then costs
nothing up front, a node gets an id (its index's ``internalId``) when its
parent's children are first indexed, and a row's texts are computed when a
view first asks for them. The SR model is imported on first use, so building
the empty window does not load pydicom's code dictionary.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple, overload

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon
from PySide6.QtWidgets import QApplication

from rpiq.gui.value_format import format_datetime, node_value
from rpiq.gui.workers import serial_imports

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from PySide6.QtCore import QObject, QPersistentModelIndex

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
_MARKED_TEXT = QColor("#000000")

# Views call data() for several roles per cell: compare plain ints.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_NO_ID = -1
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class _Kinds(NamedTuple):
    """The value types this module tests every row for."""

    unreadable: str
    by_reference: str
    container: str


@cache
def _kinds() -> _Kinds:
    """The SR model's value types, imported on first use and kept.

    Not a function-level import in the per-row helpers: under PySide6's
    import hook every ``import`` statement costs a few microseconds, which
    adds up over a 1000-item tree.
    """
    with serial_imports():
        from rpiq.core.sr.model import BY_REFERENCE, UNREADABLE, ValueType

    return _Kinds(UNREADABLE, BY_REFERENCE, ValueType.CONTAINER)


def _concept_text(node: ContentNode) -> str:
    if node.value_type == _kinds().unreadable and node.concept is None:
        return "Unreadable item"
    if node.concept is None:
        return "(no concept name)"
    return node.concept.meaning or node.concept.triple()


def _concept_tip(node: ContentNode, path: Path) -> str:
    from rpiq.core.sr.model import format_path

    lines = [f"Item {format_path(path)}"]
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
    from rpiq.core.sr.model import CodedConcept, ValueType
    from rpiq.core.sr.render import value_text

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


def _template_suffix(node: ContentNode) -> str:
    if node.template is None:
        return ""
    resource, identifier = node.template
    return f"TID {identifier}" if resource == "DCMR" else f"{resource} {identifier}"


def _texts(node: ContentNode) -> tuple[str, str, str, str, str]:
    """The five cells' display texts of ``node``'s row."""
    if node.value_type == _kinds().container:
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


def _tip(node: ContentNode, path: Path, column: int) -> str:
    """A cell's own tooltip ("" for none)."""
    if column == 0:
        return _concept_tip(node, path)
    if column == 1:
        return _value_tip(node)
    if column == 2 and node.units is not None:
        return node.units.triple()
    return ""


def _has_problem(node: ContentNode) -> bool:
    kinds = _kinds()
    return node.value_type in (kinds.unreadable, kinds.by_reference) or bool(
        node.problem
    )


class _Mark(NamedTuple):
    """A row's highlight: background, and the notes put before its tooltips."""

    background: QBrush
    tips: tuple[str, ...]


class SrTreeModel(QAbstractItemModel):
    """Rows of one content tree; :meth:`set_root` replaces them.

    Parameters
    ----------
    parent : QObject, optional
        Owner of the model.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root: ContentNode | None = None
        # Per node id: the node, its path, its parent's id and the id of its
        # first child (children get consecutive ids, allocated on first use).
        self._nodes: list[ContentNode] = []
        self._paths: list[Path] = []
        self._parents: list[int] = []
        self._first_child: list[int] = []
        self._texts: dict[int, tuple[str, str, str, str, str]] = {}
        self._problems: dict[int, bool] = {}
        self._marks: dict[int, _Mark] = {}
        # Made on first use: creating the QFont type (and its enums) costs
        # several ms, which the empty window at start-up does not need.
        self._fonts: tuple[QFont, QFont] | None = None  # bold, italic
        self._problem_brush = QBrush(_PROBLEM_COLOUR)
        self._marked_brush = QBrush(_MARKED_TEXT)
        self._warning: QIcon | None = None

    @property
    def root(self) -> ContentNode | None:
        """The tree shown (None when empty)."""
        return self._root

    def set_root(self, root: ContentNode | None) -> None:
        """Show ``root`` and its descendants (None clears the model)."""
        self.beginResetModel()
        self._root = root
        self._nodes = [] if root is None else [root]
        self._paths = [] if root is None else [()]
        self._parents = [] if root is None else [_NO_ID]
        self._first_child = [] if root is None else [_NO_ID]
        self._texts = {}
        self._problems = {}
        self._marks = {}
        self.endResetModel()

    # ------------------------------------------------------------- structure
    def _children_of(self, node_id: int) -> int:
        """Id of the first child of ``node_id`` (allocating its children's ids)."""
        first = self._first_child[node_id]
        if first != _NO_ID:
            return first
        first = len(self._nodes)
        path = self._paths[node_id]
        children = self._nodes[node_id].children
        self._nodes.extend(children)
        self._paths.extend((*path, number) for number in range(1, len(children) + 1))
        self._parents.extend([node_id] * len(children))
        self._first_child.extend([_NO_ID] * len(children))
        self._first_child[node_id] = first
        return first

    def index(
        self,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        """The index of a cell (invalid outside the tree)."""
        if not 0 <= column < len(COLUMNS) or row < 0 or self._root is None:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(0, column, 0) if row == 0 else QModelIndex()
        parent_id = parent.internalId()
        if row >= len(self._nodes[parent_id].children):
            return QModelIndex()
        return self.createIndex(row, column, self._children_of(parent_id) + row)

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, child: QModelIndex | QPersistentModelIndex) -> QModelIndex: ...
    def parent(
        self, child: QModelIndex | QPersistentModelIndex | None = None
    ) -> QObject | QModelIndex | None:
        """The parent index of ``child`` (without it: the owning QObject)."""
        if child is None:
            return super().parent()
        if not child.isValid():
            return QModelIndex()
        parent_id = self._parents[child.internalId()]
        if parent_id == _NO_ID:
            return QModelIndex()
        path = self._paths[parent_id]
        return self.createIndex(path[-1] - 1 if path else 0, 0, parent_id)

    def sibling(
        self, row: int, column: int, index: QModelIndex | QPersistentModelIndex
    ) -> QModelIndex:
        """Another cell of ``index``'s row without a trip through the parent."""
        if index.isValid() and row == index.row() and 0 <= column < len(COLUMNS):
            return self.createIndex(row, column, index.internalId())
        return super().sibling(row, column, index)

    def rowCount(
        self,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> int:
        """Children of ``parent`` (one row, the root, at the top)."""
        if self._root is None or parent.column() > 0:
            return 0
        if not parent.isValid():
            return 1
        return len(self._nodes[parent.internalId()].children)

    def columnCount(
        self,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> int:
        """Always the five :data:`COLUMNS`."""
        return len(COLUMNS)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Selectable and enabled; never editable."""
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = _DISPLAY,
    ) -> Any:
        """The column titles."""
        if (
            role == _DISPLAY
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    # ------------------------------------------------------------- cells
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY
    ) -> Any:
        """A cell's text, tooltip, font, colours, icon, path or node."""
        if not index.isValid():
            return None
        return self._value(index.internalId(), index.column(), role)

    def _value(self, node_id: int, column: int, role: int) -> Any:
        if role == _DISPLAY:
            return self._row_texts(node_id)[column]
        if role == _FOREGROUND:
            if node_id in self._marks:
                return self._marked_brush
            return self._problem_brush if self._problem(node_id) else None
        if role == _BACKGROUND:
            mark = self._marks.get(node_id)
            return None if mark is None else mark.background
        if column != 0:
            return self._tooltip(node_id, column) if role == _TOOLTIP else None
        if role == _FONT:
            return self._font(self._nodes[node_id])
        if role == _DECORATION:
            return self._warning_icon() if self._problem(node_id) else None
        if role == _TOOLTIP:
            return self._tooltip(node_id, column)
        if role == PATH_ROLE:
            return self._paths[node_id]
        if role == NODE_ROLE:
            return self._nodes[node_id]
        return None

    def _row_texts(self, node_id: int) -> tuple[str, str, str, str, str]:
        texts = self._texts.get(node_id)
        if texts is None:
            texts = self._texts[node_id] = _texts(self._nodes[node_id])
        return texts

    def _problem(self, node_id: int) -> bool:
        problem = self._problems.get(node_id)
        if problem is None:
            problem = self._problems[node_id] = _has_problem(self._nodes[node_id])
        return problem

    def _font(self, node: ContentNode) -> QFont | None:
        if node.value_type != _kinds().container and node.concept is not None:
            return None
        if self._fonts is None:
            bold, italic = QFont(), QFont()
            bold.setBold(True)
            italic.setItalic(True)
            self._fonts = (bold, italic)
        return self._fonts[0 if node.value_type == _kinds().container else 1]

    def _warning_icon(self) -> QIcon:
        if self._warning is None:
            from PySide6.QtWidgets import QStyle  # not needed for the empty window

            style = QApplication.style()
            self._warning = style.standardIcon(
                QStyle.StandardPixmap.SP_MessageBoxWarning
            )
        return self._warning

    def _tooltip(self, node_id: int, column: int) -> str | None:
        tip = _tip(self._nodes[node_id], self._paths[node_id], column)
        mark = self._marks.get(node_id)
        for note in mark.tips if mark is not None else ():
            tip = f"{note}\n\n{tip}" if tip and note not in tip else note
        return tip or None

    # ------------------------------------------------------------- marks
    def mark(self, index: QModelIndex, background: QColor, tip: str) -> None:
        """Highlight ``index``'s row: ``background``, black text, ``tip`` first.

        Marking a row again keeps the newest colour and puts the new note
        before the earlier ones (a note already in the tooltip replaces it).
        """
        if not index.isValid():
            return
        node_id = index.internalId()
        old = self._marks.get(node_id)
        tips = (*old.tips, tip) if old is not None else (tip,)
        self._marks[node_id] = _Mark(QBrush(background), tips)
        self.dataChanged.emit(
            index.siblingAtColumn(0), index.siblingAtColumn(len(COLUMNS) - 1)
        )

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

        Yields the column-0 index, the node and its path; nothing is asked
        through Qt, so walking a 1000-item tree takes about a millisecond.
        """
        if self._root is None:
            return
        stack = [0]
        while stack:
            node_id = stack.pop()
            path = self._paths[node_id]
            index = self.createIndex(path[-1] - 1 if path else 0, 0, node_id)
            node = self._nodes[node_id]
            yield index, node, path
            if node.children and expanded(index):
                first = self._children_of(node_id)
                stack.extend(range(first + len(node.children) - 1, first - 1, -1))

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
