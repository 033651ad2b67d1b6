"""PatientsTable: the local archive's patients (ID, issuer, name, instances, TIDs).

Sortable by any column; double-clicking a patient (or Enter) emits
:attr:`PatientsTable.patientActivated` so the query form can be filled in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from rpiq.gui.result_header import template_label
from rpiq.gui.value_format import format_person_name

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rpiq.core.archive import PatientSummary

__all__ = ["PATIENT_COLUMNS", "PatientsTable"]

PATIENT_COLUMNS = ("Patient ID", "Issuer", "Name", "Instances", "Templates available")
_KEY_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def _item(text: str, tip: str = "") -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    if tip:
        item.setToolTip(tip)
    return item


def _row(patient: PatientSummary) -> list[QStandardItem]:
    name = format_person_name(patient.name) if patient.name else ""
    instances = _item("")
    instances.setData(patient.instances, Qt.ItemDataRole.DisplayRole)
    instances.setTextAlignment(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )
    templates = ", ".join(f"TID {tid}" for tid in patient.templates)
    row = [
        _item(patient.patient_id),
        _item(patient.issuer or "", "" if patient.issuer else "no issuer"),
        _item(name, patient.name),
        instances,
        _item(
            templates or "—",
            "\n".join(template_label(tid) for tid in patient.templates)
            or "No stored RPI document (answers are built from patient attributes)",
        ),
    ]
    row[0].setData((patient.patient_id, patient.issuer), _KEY_ROLE)
    return row


class PatientsTable(QTableView):
    """A read-only, sortable table of :class:`PatientSummary` rows."""

    patientActivated = Signal(str, object)  # Patient ID, issuer (str or None)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scpPatientsTable")
        self.table_model = QStandardItemModel(0, len(PATIENT_COLUMNS), self)
        self.table_model.setHorizontalHeaderLabels(list(PATIENT_COLUMNS))
        self.setModel(self.table_model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.setToolTip("Double-click a patient to query it")
        self.activated.connect(self._on_activated)

    def set_patients(self, patients: Sequence[PatientSummary]) -> None:
        """Replace the rows (keeps the sort order)."""
        self.setSortingEnabled(False)
        self.table_model.removeRows(0, self.table_model.rowCount())
        for patient in patients:
            self.table_model.appendRow(_row(patient))
        self.setSortingEnabled(True)

    def row_texts(self) -> list[list[str]]:
        """Every row's cell texts (for tests and copying)."""
        model = self.table_model
        return [
            [str(model.index(r, c).data() or "") for c in range(model.columnCount())]
            for r in range(model.rowCount())
        ]

    def _on_activated(self, index: QModelIndex) -> None:
        key = index.siblingAtColumn(0).data(_KEY_ROLE)
        if key is not None:
            patient_id, issuer = key
            self.patientActivated.emit(patient_id, issuer)
