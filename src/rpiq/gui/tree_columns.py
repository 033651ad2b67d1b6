"""Fit the answer tree's columns to their texts without measuring every row.

``QHeaderView.ResizeToContents`` and ``QTreeView.resizeColumnToContents`` ask
the delegate for the size hint of every expanded row (each hint reads half a
dozen roles), and ResizeToContents does it again on every layout change: tens
of milliseconds per 1000-item answer. Here font metrics (one call per text)
rank the rows and the view measures only the few widest cells, so a column
gets the width Qt itself would give it (tests compare the two).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractProxyModel, QModelIndex
from PySide6.QtGui import QFont, QFontMetrics

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTreeView

    from rpiq.gui.sr_tree_model import SrTreeModel

__all__ = ["concept_width", "fit_short_columns"]

#: Cells measured by the view per column: the widest by font metrics. More
#: than one because font metrics and the style's text layout may round apart.
CANDIDATES = 4


def _view_index(tree: QTreeView, source: QModelIndex) -> QModelIndex:
    """``source`` (a :class:`SrTreeModel` index) in the view's model."""
    model = tree.model()
    return (
        model.mapFromSource(source)
        if isinstance(model, QAbstractProxyModel)
        else source
    )


def _filtering(tree: QTreeView) -> bool:
    """True when the view's proxy may hide rows."""
    model = tree.model()
    if not isinstance(model, QAbstractProxyModel):
        return False
    pattern = getattr(model, "filterRegularExpression", None)
    return pattern is None or bool(pattern().pattern())


def _widest(
    tree: QTreeView, ranked: list[tuple[int, QModelIndex, int]], column: int
) -> int:
    """The view's width of the widest candidate: size hint plus indentation."""
    ranked.sort(key=lambda item: item[0], reverse=True)
    width = 0
    measured = 0
    for _estimate, source, indent in ranked:
        index = _view_index(tree, source.siblingAtColumn(column))
        if not index.isValid():  # hidden by the filter
            continue
        width = max(width, tree.sizeHintForIndex(index).width() + indent)
        measured += 1
        if measured == CANDIDATES:
            break
    return width


def concept_width(tree: QTreeView, model: SrTreeModel) -> int:
    """What ``tree.resizeColumnToContents(0)`` would make the Concept column.

    The widest expanded row (its text in its font, its warning icon and its
    indentation), or the header's own width when that is wider.
    """
    from PySide6.QtWidgets import QStyle  # its type is slow to create: not at start-up

    indent = tree.indentation()
    decorated = 1 if tree.rootIsDecorated() else 0
    style = tree.style()
    icon = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, tree) + 2 * (
        style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, tree) + 1
    )
    base = tree.font()
    filtering = _filtering(tree)

    def expanded(index: QModelIndex) -> bool:
        return tree.isExpanded(_view_index(tree, index))

    # Rows alike in text, font, icon and depth have the same width: rank one.
    first: dict[tuple[str, str, bool, int], QModelIndex] = {}
    fonts: dict[str, QFont | None] = {}
    for index, node, path in model.shown_rows(expanded):
        if filtering and not _view_index(tree, index).isValid():
            continue
        text, font, warned = model.concept_cell(node)
        key = "" if font is None else font.key()
        fonts.setdefault(key, font)
        first.setdefault((text, key, warned, len(path)), index)
    metrics = {
        key: QFontMetrics(base if font is None else QFont(font).resolve(base))
        for key, font in fonts.items()
    }
    ranked: list[tuple[int, QModelIndex, int]] = []
    for (text, key, warned, depth), index in first.items():
        indentation = indent * (depth + decorated)
        advance = metrics[key].horizontalAdvance(text)
        ranked.append(
            (advance + indentation + (icon if warned else 0), index, indentation)
        )
    header = tree.header()
    return max(_widest(tree, ranked, 0), header.sectionSizeHint(0))


def fit_short_columns(tree: QTreeView, model: SrTreeModel, columns: range) -> None:
    """Size ``columns`` (of Units, Value type, Relationship) to their widest text.

    Every row the filter lets through counts, expanded or not, so the widths
    do not change while the user expands and collapses items.
    """
    header = tree.header()
    metrics = tree.fontMetrics()
    for column in columns:
        ranked = [
            (metrics.horizontalAdvance(text), model.index_for_path(path), 0)
            for text, path in model.column_texts(column).items()
        ]
        width = max(_widest(tree, ranked, column), header.sectionSizeHint(column))
        bounded = min(
            max(width, header.minimumSectionSize()), header.maximumSectionSize()
        )
        header.resizeSection(column, bounded)
