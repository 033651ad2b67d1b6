"""Export the answer: DICOM JSON, DICOM file, PDF sheet, and Print.

The sheet's HTML comes from :func:`rpiq.core.sr.report_html.report_html`
with locale-aware values; Qt lays it out (``QTextDocument``) and writes the
PDF into memory, and the file itself is written on a worker thread.

The window builds an :class:`AnswerExporter` at start-up, but the report,
export and print modules load on the first export: none is needed to show
the window.
"""

from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QFileDialog

from rpiq.core.paths import atomic_write_bytes
from rpiq.core.templates import RpiSopClass
from rpiq.gui.result_header import template_label
from rpiq.gui.value_format import format_date, format_person_name, node_value
from rpiq.gui.workers import run_in_background, serial_imports

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QWidget

    from rpiq.core.sr.model import ContentNode
    from rpiq.gui.answer import Answer

__all__ = ["PRINT_AVAILABLE", "AnswerExporter", "sheet_document", "sheet_html"]

# QtPrintSupport ships with PySide6-Essentials, but stay safe; it is imported
# when printing, not to find out whether printing is possible.
PRINT_AVAILABLE = importlib.util.find_spec("PySide6.QtPrintSupport") is not None


def _sheet_value(node: ContentNode) -> str:
    text = node_value(node)
    if node.units is not None and isinstance(node.value, int | float):
        text += f" {node.units.meaning}"
    if node.value_type == "TEXT" and isinstance(node.value, str):
        return node.value
    return text


def sheet_html(answer: Answer) -> str:
    """The printable sheet of ``answer`` as HTML."""
    patient = answer.patient
    template = (
        answer.root.template[1]
        if answer.root.template
        else (answer.request.tid if answer.request else "?")
    )
    header = [
        ("Patient", format_person_name(patient.name) if patient.name else "—"),
        ("Patient ID", patient.patient_id or "—"),
        ("Issuer of Patient ID", patient.issuer or "—"),
        ("Birth date", format_date(patient.birth_date) if patient.birth_date else "—"),
        ("Sex", patient.sex or "—"),
        ("Template", template_label(template)),
    ]
    if answer.status:
        header.append(("Status", answer.status))
    footer = (
        f"Received from {answer.profile} at {answer.received}; "
        f"printed {datetime.now().astimezone():%Y-%m-%d %H:%M} by RPIQ Workstation."
    )
    with serial_imports():
        from rpiq.core.sr.report_html import report_html

    return report_html(
        answer.root,
        header,
        warnings=answer.mismatches,
        footer=footer,
        formatter=_sheet_value,
    )


def sheet_document(answer: Answer) -> QTextDocument:
    """A laid-out document of the sheet (A4 page width)."""
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(sheet_html(answer))
    return document


def pdf_bytes(answer: Answer) -> bytes:
    """The sheet as a PDF (A4, 15 mm margins), in memory."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle("Relevant patient information")
    writer.setCreator("RPIQ Workstation")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setResolution(300)
    # No page size on the document: print_() lays it out for the writer's
    # page and resolution itself (setting one in device pixels shrinks it).
    sheet_document(answer).print_(writer)
    del writer  # finishes the PDF
    buffer.close()
    return bytes(data.data())


class AnswerExporter:
    """File dialogs plus background writes; reports through ``notify``."""

    def __init__(self, parent: QWidget, notify: Callable[[str, bool], None]) -> None:
        self.parent = parent
        self.notify = notify

    def _ask(self, title: str, name: str, filters: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, title, name, filters)
        return Path(path) if path else None

    def _suggested(self, answer: Answer, suffix: str) -> str:
        pid = (answer.patient.patient_id or "answer").replace("/", "_")
        return f"rpi-{pid}{suffix}"

    def _write(self, path: Path, work: Callable[[], None]) -> None:
        self.notify(f"Writing {path.name}…", True)
        run_in_background(
            work,
            lambda _: self.notify(f"Saved {path}", True),
            lambda exc: self.notify(f"Export failed: {exc}", False),
        )

    def export_identifier(self, answer: Answer, *, json: bool) -> None:
        """Save the identifier as DICOM JSON or as a Part 10 file."""
        suffix = ".json" if json else ".dcm"
        filters = "DICOM JSON (*.json)" if json else "DICOM (*.dcm)"
        path = self._ask("Export answer", self._suggested(answer, suffix), filters)
        if path is None:
            return
        if path.suffix.lower() != suffix:
            path = path.with_suffix(suffix)
        with serial_imports():
            from rpiq.core.query.export import write_identifier

        sop = answer.request.sop_class if answer.request else RpiSopClass.GENERAL
        uid = sop.uid
        self._write(path, lambda: write_identifier(path, answer.identifier, uid))

    def export_pdf(self, answer: Answer) -> None:
        """Save the sheet as PDF."""
        path = self._ask("Export PDF", self._suggested(answer, ".pdf"), "PDF (*.pdf)")
        if path is None:
            return
        data = pdf_bytes(answer)
        self._write(path, lambda: atomic_write_bytes(path, data, 0o644))

    def print_answer(self, answer: Answer) -> None:
        """Print the sheet through the system print dialog."""
        if not PRINT_AVAILABLE:
            self.notify("Printing is not available in this Qt build.", False)
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self.parent)
        dialog.setWindowTitle("Print relevant patient information")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        sheet_document(answer).print_(printer)
        self.notify("Sent to the printer.", True)
