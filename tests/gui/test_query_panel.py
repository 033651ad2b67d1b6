from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from rpiq.core.query.request import QueryRequest
from rpiq.core.templates import ANNEX_K_ROOTS, ANNEX_K_TITLES, RpiSopClass, get_template
from rpiq.gui.query_panel import QueryPanel


@pytest.fixture
def panel(qtbot) -> QueryPanel:
    widget = QueryPanel()
    qtbot.addWidget(widget)
    widget.set_profiles(["PACS", "Other"])
    return widget


def template_items(panel: QueryPanel) -> list[tuple[int, str]]:
    combo = panel.template_combo
    return [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())]


def test_every_interactive_widget_has_an_object_name(panel):
    for widget in (
        panel.profile_combo,
        panel.manage_button,
        panel.patient_id_edit,
        panel.issuer_edit,
        panel.sop_combo,
        panel.template_combo,
        panel.run_button,
        panel.cancel_button,
    ):
        assert widget.objectName()


def test_general_offers_every_annex_k_root_with_its_title(panel):
    items = template_items(panel)
    assert [tid for tid, _ in items] == list(RpiSopClass.GENERAL.allowed_tids)
    assert items[0] == (9007, f"TID 9007 — {get_template(9007).title}")
    assert panel.template_combo.isEnabled()


def test_root_titles_table_matches_the_catalogue():
    """The form names roots from a small table (no catalogue at start-up)."""
    assert set(ANNEX_K_TITLES) == set(ANNEX_K_ROOTS)
    for tid, title in ANNEX_K_TITLES.items():
        assert title == get_template(tid).title


@pytest.mark.parametrize(
    ("sop", "tid"), [(RpiSopClass.BREAST, 9000), (RpiSopClass.CARDIAC, 3802)]
)
def test_breast_and_cardiac_fix_their_template(panel, sop, tid):
    panel.sop_combo.setCurrentIndex(panel.sop_combo.findData(sop))
    assert [t for t, _ in template_items(panel)] == [tid]
    assert not panel.template_combo.isEnabled()


def test_untouched_empty_patient_id_is_a_hint_and_run_is_disabled(panel):
    assert not panel.run_button.isEnabled()
    assert panel.patient_id_edit.property("invalid") is False
    assert "Enter the Patient ID" in panel.patient_id_error.text()


def test_wildcard_marks_the_field_and_keeps_run_disabled(qtbot, panel):
    panel.show()
    qtbot.keyClicks(panel.patient_id_edit, "PAT*")
    assert panel.patient_id_edit.property("invalid") is True
    assert panel.patient_id_error.isVisible()
    assert "wildcards" in panel.patient_id_error.text()
    assert not panel.run_button.isEnabled()
    assert "Patient ID" in panel.run_button.toolTip()
    qtbot.keyClick(panel.patient_id_edit, Qt.Key.Key_Backspace)
    assert panel.patient_id_edit.property("invalid") is False
    assert not panel.patient_id_error.isVisible()
    assert panel.run_button.isEnabled()


def test_issuer_with_backslash_is_marked(qtbot, panel):
    panel.show()
    qtbot.keyClicks(panel.patient_id_edit, "PAT-1")
    qtbot.keyClicks(panel.issuer_edit, "A\\B")
    assert panel.issuer_edit.property("invalid") is True
    assert "Issuer of Patient ID" in panel.issuer_error.text()
    assert not panel.run_button.isEnabled()


def test_run_emits_the_validated_request(qtbot, panel):
    panel.show()
    qtbot.keyClicks(panel.patient_id_edit, " PAT-1 ")
    qtbot.keyClicks(panel.issuer_edit, "HOSP")
    panel.template_combo.setCurrentIndex(panel.template_combo.findData(9003))
    with qtbot.waitSignal(panel.runRequested) as blocker:
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [QueryRequest("PAT-1", "HOSP", RpiSopClass.GENERAL, 9003)]


def test_without_profiles_run_is_disabled_with_guidance(qtbot, panel):
    panel.show()
    panel.set_profiles([])
    qtbot.keyClicks(panel.patient_id_edit, "PAT-1")
    assert panel.profile_name() is None
    assert not panel.run_button.isEnabled()
    assert "Manage" in panel.profile_error.text()


def test_busy_locks_the_form_and_enables_cancel(qtbot, panel):
    qtbot.keyClicks(panel.patient_id_edit, "PAT-1")
    assert not panel.cancel_button.isEnabled()
    panel.set_busy(True)
    assert panel.cancel_button.isEnabled()
    assert not panel.run_button.isEnabled()
    assert not panel.patient_id_edit.isEnabled()
    panel.set_busy(False)
    assert not panel.cancel_button.isEnabled()
    assert panel.run_button.isEnabled()


def test_load_request_fills_the_form(panel):
    request = QueryRequest("P9", "ISS", RpiSopClass.CARDIAC)
    panel.load_request(request, "Other")
    assert panel.profile_name() == "Other"
    assert panel.request() == request


def test_every_faulty_field_is_marked_at_once(qtbot, panel):
    panel.show()
    qtbot.keyClicks(panel.patient_id_edit, "A*B")
    qtbot.keyClicks(panel.issuer_edit, "X\\Y")
    assert panel.patient_id_edit.property("invalid") is True
    assert panel.issuer_edit.property("invalid") is True
    assert panel.issuer_error.isVisible()
