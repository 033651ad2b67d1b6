"""QueryPanel: profile, patient keys, SOP class, template, Run and Cancel.

Validation is the core's: the panel builds a :class:`QueryRequest` on every
change and shows the :class:`ValidationError` message under the field it
names; Run stays disabled until the request is valid and a profile is chosen.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rpiq.core.errors import ValidationError
from rpiq.core.query.request import QueryRequest
from rpiq.core.templates import RpiSopClass
from rpiq.gui.result_header import template_label

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["QueryPanel"]

RUN_KEY = QKeySequence("Ctrl+Return")
CANCEL_KEY = QKeySequence("Esc")
RUN_TIP = "Run the query (Ctrl+Return)"
_ERROR_STYLE = "color: #b00020;"
_HINT_STYLE = "color: palette(mid);"
_INVALID = "QLineEdit, QComboBox { border: 2px solid #b00020; border-radius: 3px; }"


def _set_style(widget: QWidget, style: str) -> None:
    """Set ``style`` on ``widget`` unless it already has it.

    Setting a style sheet re-polishes the widget even when it is the same,
    and the form validates on every key.
    """
    if widget.styleSheet() != style:
        widget.setStyleSheet(style)


def _message_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.hide()
    return label


class QueryPanel(QWidget):
    """The query form; emits :attr:`runRequested` with a valid QueryRequest."""

    runRequested = Signal(object)  # QueryRequest
    cancelRequested = Signal()
    manageProfilesRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._busy = False
        self._request: QueryRequest | None = None
        self._build()
        self._fill_sop_classes()
        self.validate()

    # ------------------------------------------------------------- building
    def _build(self) -> None:
        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("profileCombo")
        self.profile_combo.setToolTip("The AE (RPI SCP) to query")
        self.profile_combo.setMinimumContentsLength(14)
        self.manage_button = QPushButton("Manage…")
        self.manage_button.setObjectName("manageProfilesButton")
        self.manage_button.setToolTip("Add, edit, test, import and export profiles")
        self.manage_button.clicked.connect(self.manageProfilesRequested)
        profile_row = QHBoxLayout()
        profile_row.addWidget(self.profile_combo, 1)
        profile_row.addWidget(self.manage_button)
        self.patient_id_edit = QLineEdit()
        self.patient_id_edit.setObjectName("patientIdEdit")
        self.patient_id_edit.setPlaceholderText("required, exact value")
        self.patient_id_edit.setToolTip(
            "Patient ID (0010,0020): one value, no wildcards"
        )
        self.issuer_edit = QLineEdit()
        self.issuer_edit.setObjectName("issuerEdit")
        self.issuer_edit.setPlaceholderText("optional, e.g. HOSP-A")
        self.issuer_edit.setToolTip(
            "Issuer of Patient ID (0010,0021): needed when two patients share an ID"
        )
        self.sop_combo = QComboBox()
        self.sop_combo.setObjectName("sopClassCombo")
        self.sop_combo.setToolTip("Relevant Patient Information Query SOP class")
        self.template_combo = QComboBox()
        self.template_combo.setObjectName("templateCombo")
        self.template_combo.setToolTip("Root template to request (PS3.16 Annex K)")
        self.template_combo.setMinimumContentsLength(20)
        self.template_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.profile_error = _message_label("profileError")
        self.patient_id_error = _message_label("patientIdError")
        self.issuer_error = _message_label("issuerError")
        self.template_error = _message_label("templateError")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        profile_label = QLabel("&Profile:")
        profile_label.setBuddy(self.profile_combo)
        form.addRow(profile_label, profile_row)
        form.addRow("", self.profile_error)
        form.addRow("Patient &ID:", self.patient_id_edit)
        form.addRow("", self.patient_id_error)
        form.addRow("&Issuer:", self.issuer_edit)
        form.addRow("", self.issuer_error)
        form.addRow("&SOP class:", self.sop_combo)
        form.addRow("&Template:", self.template_combo)
        form.addRow("", self.template_error)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("runQueryButton")
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelQueryButton")
        self.cancel_button.setToolTip(
            "Cancel the running query: C-CANCEL, then abort after 2 s (Esc)"
        )
        self.cancel_button.setEnabled(False)
        self.run_button.clicked.connect(self._on_run)
        self.cancel_button.clicked.connect(self.cancelRequested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.run_button)
        layout = QVBoxLayout(self)
        # Never squeeze the messages under the fields: the dock grows instead.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinAndMaxSize)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        for edit in (self.patient_id_edit, self.issuer_edit):
            edit.textChanged.connect(self.validate)
            edit.returnPressed.connect(self._on_run)
        self._name_for_assistive_tech()
        self.profile_combo.currentIndexChanged.connect(self.validate)
        self.sop_combo.currentIndexChanged.connect(self._on_sop_changed)
        self.template_combo.currentIndexChanged.connect(self.validate)
        self.template_combo.currentTextChanged.connect(self.template_combo.setToolTip)

    def _name_for_assistive_tech(self) -> None:
        """Accessible names, and Tab in reading order: keys first, then Run."""
        chain: list[QWidget] = []
        for widget, name in (
            (self.profile_combo, "Profile"),
            (self.patient_id_edit, "Patient ID"),
            (self.issuer_edit, "Issuer of Patient ID"),
            (self.sop_combo, "SOP class"),
            (self.template_combo, "Template"),
            (self.run_button, "Run query"),
            (self.cancel_button, "Cancel query"),
            (self.manage_button, "Manage profiles"),
        ):
            widget.setAccessibleName(name)
            chain.append(widget)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _fill_sop_classes(self) -> None:
        for sop in RpiSopClass:
            self.sop_combo.addItem(sop.label, sop)
            self.sop_combo.setItemData(
                self.sop_combo.count() - 1, sop.uid, Qt.ItemDataRole.ToolTipRole
            )
        self._on_sop_changed()

    def _on_sop_changed(self) -> None:
        sop = self.sop_class()
        previous = self.template_combo.currentData()
        self.template_combo.blockSignals(True)
        self.template_combo.clear()
        for tid in sop.allowed_tids:
            label = template_label(tid)
            self.template_combo.addItem(label, tid)
            self.template_combo.setItemData(
                self.template_combo.count() - 1, label, Qt.ItemDataRole.ToolTipRole
            )
        index = self.template_combo.findData(previous)
        self.template_combo.setCurrentIndex(max(index, 0))
        self.template_combo.blockSignals(False)
        self.template_combo.setEnabled(self.template_combo.count() > 1)
        self.validate()

    # ------------------------------------------------------------- state
    def sop_class(self) -> RpiSopClass:
        """The chosen SOP class."""
        data = self.sop_combo.currentData()
        return data if isinstance(data, RpiSopClass) else RpiSopClass.GENERAL

    def profile_name(self) -> str | None:
        """The chosen profile's name, or None when there is none."""
        data = self.profile_combo.currentData()
        return data if isinstance(data, str) else None

    def set_profiles(self, names: Sequence[str], current: str | None = None) -> None:
        """Offer ``names``; keep ``current`` (or the previous choice) selected."""
        keep = current or self.profile_name()
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        for name in names:
            self.profile_combo.addItem(name, name)
        if not names:
            self.profile_combo.addItem("No profiles yet")
        index = self.profile_combo.findData(keep) if keep else -1
        self.profile_combo.setCurrentIndex(max(index, 0))
        self.profile_combo.setEnabled(bool(names))
        self.profile_combo.blockSignals(False)
        self.validate()

    def load_request(self, request: QueryRequest, profile: str | None) -> None:
        """Fill the form from a past request (history)."""
        if profile is not None and self.profile_combo.findData(profile) >= 0:
            self.profile_combo.setCurrentIndex(self.profile_combo.findData(profile))
        self.patient_id_edit.setText(request.patient_id)
        self.issuer_edit.setText(request.issuer or "")
        self.sop_combo.setCurrentIndex(self.sop_combo.findData(request.sop_class))
        self.template_combo.setCurrentIndex(self.template_combo.findData(request.tid))
        self.validate()

    def request(self) -> QueryRequest | None:
        """The valid request the form describes, or None."""
        return self._request

    def set_busy(self, busy: bool) -> None:
        """While a query runs: Run disabled, Cancel enabled, inputs locked."""
        self._busy = busy
        for widget in (
            self.profile_combo,
            self.manage_button,
            self.patient_id_edit,
            self.issuer_edit,
            self.sop_combo,
            self.template_combo,
        ):
            widget.setEnabled(not busy)
        if not busy:
            self.profile_combo.setEnabled(self.profile_name() is not None)
            self.template_combo.setEnabled(self.template_combo.count() > 1)
        self.cancel_button.setEnabled(busy)
        self.validate()

    # ------------------------------------------------------------- validation
    def validate(self) -> QueryRequest | None:
        """Rebuild the request, mark the faulty field, enable Run accordingly."""
        messages = self._field_problems()
        if self.profile_name() is None:
            messages["Profile"] = "Add a profile with Manage… first."
        self._show_messages(messages)
        ready = self._request is not None and not messages and not self._busy
        self.run_button.setEnabled(ready)
        reason = " ".join(f"{k}: {v}" for k, v in messages.items())
        self.run_button.setToolTip(
            RUN_TIP if ready or self._busy else f"{RUN_TIP}\nNot ready — {reason}"
        )
        return self._request

    def _field_problems(self) -> dict[str, str]:
        """Build the request; on failure, also check the other fields alone.

        The core stops at the first invalid field, so the issuer and template
        are checked again with a placeholder Patient ID: every faulty field is
        marked at once.
        """
        issuer = self.issuer_edit.text().strip() or None
        sop, tid = self.sop_class(), self.template_combo.currentData()
        self._request = None
        messages: dict[str, str] = {}
        try:
            self._request = QueryRequest(self.patient_id_edit.text(), issuer, sop, tid)
        except ValidationError as exc:
            messages[exc.field] = exc.message
            if exc.field == "Patient ID":
                try:
                    QueryRequest("placeholder", issuer, sop, tid)
                except ValidationError as other:
                    messages[other.field] = other.message
        return messages

    def _show_messages(self, messages: dict[str, str]) -> None:
        untouched = not self.patient_id_edit.text()
        for key, label, widget in (
            ("Profile", self.profile_error, self.profile_combo),
            ("Patient ID", self.patient_id_error, self.patient_id_edit),
            ("Issuer of Patient ID", self.issuer_error, self.issuer_edit),
            ("Template", self.template_error, self.template_combo),
        ):
            message = messages.get(key)
            # An empty, never-filled Patient ID and a missing profile are hints.
            hint = (key == "Patient ID" and untouched) or key == "Profile"
            text = message or ""
            if key == "Patient ID" and untouched:
                text = "Enter the Patient ID to query (exact value)."
            elif message and key != "Profile":
                text = f"{key}: {message}"
            label.setText(text)
            _set_style(label, _HINT_STYLE if hint else _ERROR_STYLE)
            label.setVisible(message is not None)
            _set_style(widget, _INVALID if message and not hint else "")
            widget.setProperty("invalid", bool(message) and not hint)

    def trigger_run(self) -> None:
        """Run if the form is valid and no query is running (Ctrl+Return)."""
        self._on_run()

    def _on_run(self) -> None:
        request = self.validate()
        if request is not None and self.run_button.isEnabled():
            self.runRequested.emit(request)
