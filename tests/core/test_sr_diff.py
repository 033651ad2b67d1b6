"""Diff of two content trees: aligned by concept, added/removed/changed + reason."""

from __future__ import annotations

import dataclasses

from rpiq.core.sr.diff import ChangeKind, Difference, diff_trees
from rpiq.core.sr.model import CodedConcept, ContentNode
from rpiq.core.sr.samples import every_value_type_tree, sized_tree

ROOT = CodedConcept("111517", "DCM", "Relevant Patient Information")
HISTORY = CodedConcept("10164-2", "LN", "History")
SMOKING = CodedConcept("365981007", "SCT", "Tobacco Smoking Behavior")
YES = CodedConcept("77176002", "SCT", "Current Smoker")
NO = CodedConcept("8392000", "SCT", "Non-smoker")
WEIGHT = CodedConcept("29463-7", "LN", "Body weight")
KG = CodedConcept("kg", "UCUM", "kg")
G = CodedConcept("g", "UCUM", "g")


def text(value: str, concept: CodedConcept = HISTORY) -> ContentNode:
    return ContentNode("CONTAINS", "TEXT", concept, value)


def code(value: CodedConcept) -> ContentNode:
    return ContentNode("CONTAINS", "CODE", SMOKING, value)


def num(value: float, units: CodedConcept = KG) -> ContentNode:
    return ContentNode("CONTAINS", "NUM", WEIGHT, value, units=units)


def root(*children: ContentNode) -> ContentNode:
    return ContentNode(
        None, "CONTAINER", ROOT, None, children=children, template=("DCMR", "9007")
    )


def test_identical_trees_have_no_differences():
    diff = diff_trees(every_value_type_tree(), every_value_type_tree())
    assert diff.same
    assert len(diff) == 0
    assert diff.summary() == "No differences"


def test_changed_value_units_and_code():
    left = root(text("Appendectomy"), code(NO), num(62))
    right = root(text("Appendectomy 2010"), code(YES), num(62000, G))
    diff = diff_trees(left, right)
    assert diff.summary() == "3 differences"
    kinds = {d.left: d for d in diff}
    assert kinds[(1,)].kind is ChangeKind.CHANGED
    assert kinds[(1,)].reason == 'value: "Appendectomy" → "Appendectomy 2010"'
    assert "8392000" in kinds[(2,)].reason
    assert "77176002" in kinds[(2,)].reason
    assert "value" in kinds[(3,)].reason
    assert "units" in kinds[(3,)].reason
    assert kinds[(3,)].right == (3,)


def test_same_code_other_meaning_is_a_meaning_change():
    other = CodedConcept(NO.value, NO.scheme, "Never smoked")
    diff = diff_trees(root(code(NO)), root(code(other)))
    (only,) = diff.differences
    assert only.reason == 'value meaning: "Non-smoker" → "Never smoked"'


def test_insertion_does_not_shift_later_siblings():
    left = root(text("a"), code(NO), num(62))
    right = root(
        text("a"), text("new", CodedConcept("1", "99X", "Note")), code(NO), num(62)
    )
    diff = diff_trees(left, right)
    (only,) = diff.differences
    assert only == Difference(
        ChangeKind.ADDED, None, (2,), 'only on the right: TEXT "Note"'
    )
    assert diff.right_marks() == {(2,): only}
    assert diff.left_marks() == {}
    assert only.where == "2"


def test_removed_subtree_is_reported_once_with_its_size():
    left = sized_tree(6)
    right = dataclasses.replace(left, children=left.children[:1])
    diff = diff_trees(left, right)
    (only,) = diff.differences
    assert only.kind is ChangeKind.REMOVED
    assert only.left == (2,)
    assert only.right is None
    assert "(5 items)" in only.reason
    assert diff.summary() == "1 difference"


def test_equal_twins_pair_first_then_order():
    left = root(text("b"), text("a"))
    right = root(text("a"), text("c"), text("b"))
    diff = diff_trees(left, right)
    (only,) = diff.differences
    assert only.kind is ChangeKind.ADDED
    assert only.right == (2,)


def test_changes_deep_in_the_tree_carry_both_paths():
    left = root(
        text("x"),
        ContentNode("CONTAINS", "CONTAINER", HISTORY, None, children=(num(1), num(2))),
    )
    right = root(
        ContentNode("CONTAINS", "CONTAINER", HISTORY, None, children=(num(1), num(3)))
    )
    diff = diff_trees(left, right)
    assert [(d.kind, d.left, d.right) for d in diff] == [
        (ChangeKind.REMOVED, (1,), None),
        (ChangeKind.CHANGED, (2, 2), (1, 2)),
    ]
    assert diff.differences[1].where == "2.2 → 1.2"


def test_root_attributes_are_compared():
    left = root(text("x"))
    right = dataclasses.replace(
        left, template=("DCMR", "9000"), observation_datetime="20240101"
    )
    (only,) = diff_trees(left, right).differences
    assert only.left == ()
    assert 'template: "DCMR 9007" → "DCMR 9000"' in only.reason
    assert "observed" in only.reason
    assert only.where == "root"


def test_relationship_and_missing_units():
    a = dataclasses.replace(num(1), relationship="HAS PROPERTIES")
    b = dataclasses.replace(num(1), units=None)
    (only,) = diff_trees(root(a), root(b)).differences
    assert "relationship" in only.reason
    assert "units" in only.reason
    assert "(none)" in only.reason


def test_large_trees_are_fast():
    import time

    left, right = sized_tree(3000), sized_tree(3001)
    start = time.perf_counter()
    diff = diff_trees(left, right)
    assert time.perf_counter() - start < 2.0
    assert len(diff) >= 1
