from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView

from rpiq.core.query.events import PatientSummary
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import UNREADABLE, CodedConcept, ContentNode, ValueType
from rpiq.core.sr.samples import every_value_type_tree, sized_tree
from rpiq.gui.results_view import ResultsView
from rpiq.gui.sr_tree_model import (
    COLUMNS,
    SrTreeModel,
    make_filter_proxy,
)
from rpiq.gui.tree_columns import concept_width
from rpiq.gui.value_format import (
    format_date,
    format_datetime,
    format_number,
    format_person_name,
    format_time,
)

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole


def rows(model, parent=None):
    parent = parent or QModelIndex()
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        yield index
        yield from rows(model, index)


def node_at(index) -> ContentNode:
    node = SrTreeModel.node_of(index)
    assert node is not None
    return node


def cell(index, column, role=DISPLAY):
    return index.siblingAtColumn(column).data(role)


@pytest.fixture
def model(qapp) -> SrTreeModel:
    m = SrTreeModel()
    m.set_root(every_value_type_tree())
    return m


def test_columns_and_one_row_per_node(model):
    assert [model.headerData(i, Qt.Orientation.Horizontal) for i in range(5)] == list(
        COLUMNS
    )
    assert sum(1 for _ in rows(model)) == every_value_type_tree().count()


def test_every_value_type_is_readable(model):
    seen = set()
    for index in rows(model):
        node = node_at(index)
        seen.add(node.value_type)
        assert cell(index, 3) == node.value_type
        if node.value_type != ValueType.CONTAINER:
            assert cell(index, 1), f"empty value for {node.value_type}"
    assert {vt.value for vt in ValueType} - seen == {"TABLE"}


def find(model, meaning):
    for index in rows(model):
        node = node_at(index)
        if node.concept is not None and node.concept.meaning == meaning:
            return index
    raise AssertionError(meaning)


def test_codes_show_meaning_with_triple_tooltip(model):
    index = find(model, "Pregnancy observable")
    assert cell(index, 1) == "Patient currently pregnant"
    node = node_at(index)
    assert isinstance(node.value, CodedConcept)
    assert node.value.triple() in cell(index, 1, TOOLTIP)
    assert node.concept is not None
    assert node.concept.triple() in cell(index, 0, TOOLTIP)


def test_num_value_and_units_in_their_columns(model):
    index = find(model, "Body temperature")
    assert cell(index, 1) == "36.8"
    assert cell(index, 2) == "degrees Celsius"
    assert "UCUM" in cell(index, 2, TOOLTIP)
    gravida = find(model, "Gravida")
    assert cell(gravida, 1) == "no value (Value unknown)"


def test_dates_follow_the_locale(model):
    assert cell(find(model, "Last menstrual period"), 1) == "1/5/2024"
    assert "20240105" in cell(find(model, "Last menstrual period"), 1, TOOLTIP)
    noted = cell(find(model, "DateTime Concern Noted"), 1).replace("\u202f", " ")
    assert noted == "6/12/2023 10:15:00 AM"
    assert cell(find(model, "Service Performer"), 1) == "Example, Surgeon"


def test_unreadable_items_are_marked(qapp):
    bad = ContentNode("CONTAINS", UNREADABLE, None, None, problem="Value Type missing")
    root = ContentNode(None, "CONTAINER", None, None, children=(bad,))
    model = SrTreeModel()
    model.set_root(root)
    index = model.index_for_path((1,))
    assert cell(index, 0) == "Unreadable item"
    assert cell(index, 1) == "Value Type missing"
    assert cell(index, 0, Qt.ItemDataRole.ForegroundRole).color().name() == "#b00020"
    assert cell(index, 0, Qt.ItemDataRole.DecorationRole) is not None


def test_path_lookup_round_trips(model):
    for path, _node in every_value_type_tree().walk():
        index = model.index_for_path(path)
        assert SrTreeModel.path_of(index) == path
    assert not model.index_for_path((99,)).isValid()
    model.set_root(None)
    assert model.rowCount() == 0
    assert not model.index_for_path(()).isValid()


def test_filter_keeps_matching_rows_and_their_ancestors(model):
    proxy = make_filter_proxy(model)
    proxy.setFilterFixedString("heart RATE")
    shown = [cell(i, 0) for i in rows(proxy)]
    assert shown == [
        "Relevant Patient Information",
        "Patient Status or Event",
        "Heart rate",
    ]
    proxy.setFilterFixedString("Gynecological")
    shown = [cell(i, 0) for i in rows(proxy)]
    assert "Para" in shown  # children of a matching container stay visible


def test_indexes_parents_and_siblings_agree(model):
    assert model.rowCount() == 1  # the root is the one top-level row
    assert not model.index(1, 0).isValid()
    assert not model.index(0, len(COLUMNS)).isValid()
    for index in rows(model):
        parent = index.parent()
        assert model.index(index.row(), 0, parent) == index
        for column in range(len(COLUMNS)):
            sibling = index.siblingAtColumn(column)
            assert sibling.parent() == parent
            assert SrTreeModel.path_of(sibling) == SrTreeModel.path_of(index)
        flags = model.flags(index)
        assert flags & Qt.ItemFlag.ItemIsSelectable
        assert not flags & Qt.ItemFlag.ItemIsEditable


def test_a_tree_is_inserted_at_once(qapp):
    """Rows are built apart and added in one insertion, not announced one by one."""
    model = SrTreeModel()
    proxy = make_filter_proxy(model)
    inserted = []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append(last))
    model.set_root(sized_tree(1000))
    assert inserted == [0]  # the root row, its 1000 descendants with it
    history = model.index_for_path((2,))
    assert model.rowCount(history) == 998
    assert model.index(5, 0, history).data() == "Tobacco Smoking Behavior"
    assert proxy.rowCount(proxy.mapFromSource(history)) == 998


def test_marked_rows_keep_their_tooltips(model):
    index = model.index_for_path((3, 2))
    own = index.data(TOOLTIP)
    model.mark(index, QColor("#ffe082"), "Differs — value")
    assert cell(index, 1, Qt.ItemDataRole.BackgroundRole).color().name() == "#ffe082"
    assert cell(index, 0, Qt.ItemDataRole.ForegroundRole).color().name() == "#000000"
    assert index.data(TOOLTIP) == f"Differs — value\n\n{own}"
    model.mark(index, QColor("#c8e6c9"), "Only here — added")
    assert index.data(TOOLTIP) == f"Only here — added\n\nDiffers — value\n\n{own}"
    assert cell(index, 4, Qt.ItemDataRole.BackgroundRole).color().name() == "#c8e6c9"
    assert model.index_for_path((3, 1)).data(Qt.ItemDataRole.BackgroundRole) is None


@pytest.mark.parametrize("items", [0, 300])
def test_fitted_columns_match_qts_own_sizing(qtbot, items):
    """tree_columns gives what ResizeToContents / resizeColumnToContents give."""
    root = every_value_type_tree() if not items else sized_tree(items)
    view = ResultsView()
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    qtbot.waitExposed(view)
    identifier = encode_root(root)
    identifier.PatientID = "P1"
    view.show_answer(root, identifier, PatientSummary.from_identifier(identifier), None)
    ours = concept_width(view.tree, view.model)
    short = [view.tree.columnWidth(column) for column in (2, 3, 4)]
    view.tree.resizeColumnToContents(0)
    assert ours == view.tree.columnWidth(0)
    for column in (2, 3, 4):
        view.tree.header().setSectionResizeMode(
            column, QHeaderView.ResizeMode.ResizeToContents
        )
    view.tree.expandAll()  # Qt sizes to the expanded rows; ours to them all
    assert short == [view.tree.columnWidth(column) for column in (2, 3, 4)]
    view.tree.resizeColumnToContents(0)
    assert concept_width(view.tree, view.model) == view.tree.columnWidth(0)


def test_value_formatting_helpers():
    us = QLocale("en_US")
    de = QLocale("de_DE")
    c = QLocale.c()
    assert format_date("20240315", us) == "3/15/2024"
    assert format_date("20240315", de) == "15.03.2024"
    assert format_date("20240315", c) == "2024-03-15"
    assert format_date("2024", us) == "2024"
    assert format_date("202403", us) == "March 2024"
    assert format_date("bogus", us) == "bogus"
    assert format_time("0930", us).replace("\u202f", " ") == "9:30 AM"
    assert format_time("093012.5", de) == "09:30:12"
    assert format_datetime("20240315093000+0100", c) == "2024-03-15 09:30:00 UTC+01:00"
    assert format_datetime("2019", us) == "2019"
    assert format_number(2.0, us) == "2"
    assert format_number(1234.5, de) == "1.234,5"
    assert format_person_name("DOE^JANE^Q") == "DOE, JANE Q"
    assert format_person_name("SOLO") == "SOLO"
