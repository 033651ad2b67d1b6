from __future__ import annotations

from pydicom.dataset import Dataset

from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.samples import every_value_type_tree
from rpiq.gui.raw_dump import dump_with_paths
from rpiq.gui.raw_view import RawView


def identifier() -> Dataset:
    ds = Dataset()
    ds.PatientID = "P1"
    ds.update(encode_root(every_value_type_tree()))
    return ds


def test_every_content_item_has_a_span_starting_at_its_item_line():
    dump = dump_with_paths(identifier())
    paths = {path for path, _node in every_value_type_tree().walk()}
    assert set(dump.spans) == paths
    assert dump.spans[()] == (0, len(dump.lines) - 1)
    first, last = dump.spans[(3, 2)]
    assert dump.lines[first].strip() == "Item 2"
    block = "\n".join(dump.lines[first : last + 1])
    assert "20240105" in block  # the LMP date of item 3.2
    assert "Patient ID" in dump.lines[0] or "Patient ID" in dump.text


def test_nested_spans_lie_inside_their_parents():
    dump = dump_with_paths(identifier())
    for path, (first, last) in dump.spans.items():
        if path:
            parent_first, parent_last = dump.spans[path[:-1]]
            assert parent_first <= first <= last <= parent_last


def test_raw_view_highlights_the_item(qtbot):
    view = RawView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.set_dataset(identifier())
    qtbot.waitUntil(lambda: not view.pending)  # built just after, on screen
    assert view.highlight((3, 2)) == view.dump.spans[(3, 2)]
    assert len(view.extraSelections()) == 1
    assert view.highlight(()) is not None
    assert view.extraSelections() == []
    assert view.highlight((99,)) is None
    view.set_dataset(None)
    assert view.toPlainText() == ""


def test_raw_view_builds_the_dump_when_first_shown(qtbot):
    """Hidden (another tab open): no dump yet; the highlight waits for it."""
    view = RawView()
    qtbot.addWidget(view)
    view.set_dataset(identifier())
    pending = [view.pending]
    assert view.toPlainText() == ""
    assert view.highlight((3, 2)) is None
    view.show()
    qtbot.waitExposed(view)
    pending.append(view.pending)
    assert pending == [True, False]
    assert "Content Sequence" in view.toPlainText()
    (selection,) = view.extraSelections()
    start = view.document().findBlock(selection.cursor.selectionStart())
    assert start.blockNumber() == view.dump.spans[(3, 2)][0]


def test_reading_the_dump_builds_it(qtbot):
    view = RawView()
    qtbot.addWidget(view)
    view.set_dataset(identifier())
    assert view.dump.spans[(3, 2)]
    assert not view.pending
    assert "Content Sequence" in view.toPlainText()
