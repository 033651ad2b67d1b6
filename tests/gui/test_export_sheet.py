from __future__ import annotations

from dataclasses import replace

from pydicom.dataset import Dataset

from rpiq.core.query.events import PatientSummary
from rpiq.core.query.request import QueryRequest
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.samples import every_value_type_tree
from rpiq.gui import export_actions
from rpiq.gui.answer import Answer


def answer(**changes) -> Answer:
    ds = Dataset()
    ds.PatientID = "PAT-1"
    ds.PatientName = "DOE^JANE"
    ds.PatientBirthDate = "19800101"
    ds.update(encode_root(every_value_type_tree()))
    base = Answer(
        every_value_type_tree(),
        ds,
        PatientSummary.from_identifier(ds),
        QueryRequest("PAT-1"),
        "PACS",
        "2026-01-02 03:04:05",
        "0x0000 Success",
    )
    return replace(base, **changes)


def test_sheet_html_uses_locale_values_and_units(qapp):
    html = export_actions.sheet_html(answer(mismatches=("Other patient!",)))
    assert "DOE, JANE" in html
    assert "1/1/1980" in html
    assert "TID 9007 — General Relevant Patient Information" in html
    assert "36.8 degrees Celsius" in html
    assert "Other patient!" in html
    assert "Received from PACS at 2026-01-02 03:04:05" in html


def test_pdf_is_a_readable_a4_document(qapp):
    data = export_actions.pdf_bytes(answer())
    assert data.startswith(b"%PDF")
    assert b"/MediaBox" in data
    assert len(data) > 5000


def test_print_support_is_available():
    assert export_actions.PRINT_AVAILABLE
