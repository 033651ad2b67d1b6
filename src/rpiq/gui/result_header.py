"""ResultHeader: who the answer is about, which template, and the status badge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from rpiq.core.query.identity import ISSUER, PATIENT_ID
from rpiq.core.templates import ANNEX_K_TITLES
from rpiq.gui.status_style import badge_style, badge_stylesheet
from rpiq.gui.value_format import format_date, format_number, format_person_name

if TYPE_CHECKING:
    from rpiq.core.query.events import PatientSummary
    from rpiq.core.status import Category

__all__ = ["ResultHeader", "template_label"]

_FIELDS = (
    ("name", "Patient"),
    ("patient_id", "Patient ID"),
    ("issuer", "Issuer"),
    ("birth_date", "Birth date"),
    ("sex", "Sex"),
    ("template", "Template"),
)


def template_label(tid: int | str) -> str:
    """``TID 9007 — General Relevant Patient Information`` (title if known).

    Root templates are named from :data:`~rpiq.core.templates.ANNEX_K_TITLES`,
    so the query form's list does not load the template catalogue.
    """
    try:
        number = int(tid)
    except ValueError:
        return f"TID {tid}"
    title = ANNEX_K_TITLES.get(number)
    if title is None:
        from rpiq.core.templates import get_template

        try:
            title = get_template(number).title
        except KeyError:
            return f"TID {tid}"
    return f"TID {tid} — {title}"


class ResultHeader(QWidget):
    """A grid of patient facts plus a status line (badge, meaning, time)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        self.values: dict[str, QLabel] = {}
        for index, (key, label) in enumerate(_FIELDS):
            row, column = divmod(index, 3)
            caption = QLabel(f"{label}:")
            caption.setAlignment(Qt.AlignmentFlag.AlignRight)
            caption.setStyleSheet("color: palette(mid);")
            value = QLabel("—")
            value.setObjectName(f"header_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            grid.addWidget(caption, row, column * 2)
            grid.addWidget(value, row, column * 2 + 1)
            self.values[key] = value
        self.badge = QLabel("No query yet")
        self.badge.setObjectName("statusLabel")
        self.meaning = QLabel("Choose a profile, enter a Patient ID and press Run.")
        self.meaning.setObjectName("statusMeaning")
        self.meaning.setWordWrap(True)
        self.elapsed = QLabel("")
        self.elapsed.setObjectName("statusElapsed")
        grid.addWidget(self.badge, 2, 0, 1, 1, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(self.meaning, 2, 1, 1, 4)
        grid.addWidget(self.elapsed, 2, 5, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 2)
        grid.setColumnStretch(5, 2)
        self.set_status(None, "No query yet", self.meaning.text())

    def clear_patient(self) -> None:
        """Blank every patient field."""
        for label in self.values.values():
            label.setText("—")
            label.setToolTip("")

    def set_patient(self, patient: PatientSummary, template: str) -> None:
        """Fill the patient fields from the answer (raw values in tooltips)."""
        shown = {
            "name": format_person_name(patient.name) if patient.name else None,
            "patient_id": patient.patient_id,
            "issuer": patient.issuer,
            "birth_date": format_date(patient.birth_date)
            if patient.birth_date
            else None,
            "sex": patient.sex,
        }
        raw = {
            "name": patient.name,
            "birth_date": patient.birth_date,
        }
        for key, text in shown.items():
            self.values[key].setText(text or "—")
            tip = raw.get(key)
            self.values[key].setToolTip(f"DICOM value: {tip}" if tip else "")
        self.values["template"].setText(template_label(template))

    def mark_mismatch(self, fields: set[str]) -> None:
        """Show Patient ID / Issuer in red when they differ from the request."""
        for key, field in (("patient_id", PATIENT_ID), ("issuer", ISSUER)):
            style = "color: #b00020; font-weight: bold;" if field in fields else ""
            self.values[key].setStyleSheet(style)

    def set_template(self, tid: int | str) -> None:
        """Show the requested template before an answer arrives."""
        self.values["template"].setText(template_label(tid))

    def set_status(
        self,
        category: Category | None,
        badge: str,
        meaning: str,
        elapsed_ms: float | None = None,
        *,
        tooltip: str = "",
        busy: bool = False,
    ) -> None:
        """Badge text coloured by the status category, meaning and duration."""
        style = badge_style(category, busy=busy)
        self.badge.setStyleSheet(badge_stylesheet(style))
        self.badge.setText(badge)
        self.badge.setToolTip(tooltip or meaning)
        self.meaning.setText(meaning)
        if elapsed_ms is None:
            self.elapsed.setText("")
        else:
            self.elapsed.setText(f"{format_number(round(elapsed_ms, 1))} ms")
