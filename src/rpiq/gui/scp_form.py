"""ScpSettingsForm: listener, TLS and fault-injection settings of the local SCP.

The form only collects values: :meth:`ScpSettingsForm.settings` builds a
:class:`~rpiq.core.scp.ScpSettings` and the core validates it
(:meth:`ScpSettings.problems`); the first problem is shown under the tabs.
Fault injection is off by default; :attr:`ScpSettingsForm.faultsChanged`
tells the panel when to show its warning.

The SCP package (:mod:`rpiq.core.scp`, with the network stack under it) is
imported when settings are first read or the fault statuses first listed, not
to build the form: the window's first frame shows neither (start-up time).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rpiq.core.profiles import PORT_MAX
from rpiq.core.status import RpiqStatus, describe

if TYPE_CHECKING:
    from rpiq.core.errors import ValidationError
    from rpiq.core.scp import FaultInjection, ScpSettings

__all__ = ["DEFAULT_PORT", "ScpSettingsForm", "fault_status_choices"]

#: The port the form offers: ``rpiq.core.scp.settings.DEFAULT_PORT`` (a test
#: checks), not imported from there so that building the form stays cheap.
DEFAULT_PORT = 11112
LOOPBACK = "127.0.0.1"
ALL_INTERFACES = "0.0.0.0"
MAX_DELAY_MS = 600_000
_ERROR_STYLE = "color: #b00020;"


def fault_status_choices() -> list[tuple[int | None, str, str]]:
    """(code, label, tooltip) of every status the SCP can be forced to answer."""
    from rpiq.core.scp import FaultInjection

    choices: list[tuple[int | None, str, str]] = [
        (None, "No forced status (normal answers)", "Answer from the archive.")
    ]
    for status in RpiqStatus:
        if not FaultInjection(status=int(status)).forces_answer:
            continue
        info = describe(int(status))
        name = status.name.replace("_", " ").capitalize()
        choices.append((int(status), f"{info.hex} {name}", info.describe()))
    return choices


def _split_aes(text: str) -> tuple[str, ...]:
    return tuple(part for part in re.split(r"[,;\s]+", text) if part)


class _FileRow(QWidget):
    """A path field with a browse button."""

    def __init__(self, name: str, placeholder: str, caption: str) -> None:
        super().__init__()
        self.edit = QLineEdit()
        self.edit.setObjectName(name)
        self.edit.setPlaceholderText(placeholder)
        self.browse = QToolButton()
        self.browse.setObjectName(f"{name}Browse")
        self.browse.setText("…")
        self.browse.setToolTip(f"Choose the {caption}")
        self.browse.clicked.connect(lambda: self._choose(caption))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.browse)

    def _choose(self, caption: str) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            f"Choose the {caption}",
            self.edit.text(),
            "PEM (*.pem *.crt *.key);;All files (*)",
        )
        if path:
            self.edit.setText(path)

    def text(self) -> str:
        """The path, stripped."""
        return self.edit.text().strip()


class ScpSettingsForm(QTabWidget):
    """Tabs Listener | TLS | Fault injection (others may be added); :attr:`changed`."""

    changed = Signal()
    faultsChanged = Signal(object)  # FaultInjection or None (injection off)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scpSettingsTabs")
        self.pages = (self._listener_tab(), self._tls_tab(), self._faults_tab())
        for page, title in zip(
            self.pages, ("Listener", "TLS", "Fault injection"), strict=True
        ):
            self.addTab(page, title)
        self.currentChanged.connect(self._on_tab)
        for edit in (self.ae_edit, self.allowed_edit):
            edit.textChanged.connect(self._on_changed)
        for row in (self.cert_row, self.key_row, self.ca_row):
            row.edit.textChanged.connect(self._on_changed)
        self.port_spin.valueChanged.connect(self._on_changed)
        self.host_combo.currentIndexChanged.connect(self._on_changed)
        self.tls_group.toggled.connect(self._on_changed)
        self.faults_group.toggled.connect(self._on_changed)
        self.status_combo.currentIndexChanged.connect(self._on_changed)
        self.delay_spin.valueChanged.connect(self._on_changed)
        self.double_check.toggled.connect(self._on_changed)
        self.abort_check.toggled.connect(self._on_changed)

    # ------------------------------------------------------------- tabs
    def _listener_tab(self) -> QWidget:
        self.ae_edit = QLineEdit("RPIQ")
        self.ae_edit.setObjectName("scpAeTitleEdit")
        self.ae_edit.setToolTip("Our AE title: the called AE title peers use")
        self.host_combo = QComboBox()
        self.host_combo.setObjectName("scpHostCombo")
        self.host_combo.addItem(f"This computer only ({LOOPBACK})", LOOPBACK)
        self.host_combo.addItem(f"All interfaces ({ALL_INTERFACES})", ALL_INTERFACES)
        self.port_spin = QSpinBox()
        self.port_spin.setObjectName("scpPortSpin")
        self.port_spin.setRange(0, PORT_MAX)
        self.port_spin.setValue(DEFAULT_PORT)
        self.port_spin.setSpecialValueText("any free port")
        self.port_spin.setToolTip("TCP port; 0 picks a free one (shown when running)")
        self.allowed_edit = QLineEdit()
        self.allowed_edit.setObjectName("scpAllowedAesEdit")
        self.allowed_edit.setPlaceholderText("any AE (or e.g. PACS1, CT2)")
        self.allowed_edit.setToolTip(
            "Calling AE titles accepted, separated by commas or spaces; empty "
            "accepts any"
        )
        for widget, name in (
            (self.ae_edit, "SCP AE title"),
            (self.host_combo, "SCP listen address"),
            (self.port_spin, "SCP port"),
            (self.allowed_edit, "Allowed peer AE titles"),
        ):
            widget.setAccessibleName(name)
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("&AE title:", self.ae_edit)
        form.addRow("&Listen on:", self.host_combo)
        form.addRow("P&ort:", self.port_spin)
        form.addRow("Allowed &peers:", self.allowed_edit)
        return page

    def _tls_tab(self) -> QWidget:
        self.tls_group = QGroupBox("Use TLS (1.2 or later)")
        self.tls_group.setObjectName("scpTlsGroup")
        self.tls_group.setCheckable(True)
        self.tls_group.setChecked(False)
        self.cert_row = _FileRow(
            "scpTlsCertEdit", "server certificate (PEM)", "certificate"
        )
        self.key_row = _FileRow(
            "scpTlsKeyEdit", "server private key (PEM)", "private key"
        )
        self.ca_row = _FileRow(
            "scpTlsCaEdit", "optional: require client certificates", "client CA file"
        )
        form = QFormLayout(self.tls_group)
        form.addRow("Certificate:", self.cert_row)
        form.addRow("Key:", self.key_row)
        form.addRow("Client CA:", self.ca_row)
        return self._page(self.tls_group)

    def _faults_tab(self) -> QWidget:
        self.faults_group = QGroupBox("Inject faults (only to test SCUs)")
        self.faults_group.setObjectName("scpFaultsGroup")
        self.faults_group.setCheckable(True)
        self.faults_group.setChecked(False)
        self.faults_group.setToolTip(
            "The SCP deliberately misbehaves on RPI C-FIND. Never for real use."
        )
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("scpFaultStatusCombo")
        # Filled by _fill_statuses when first needed: it is disabled until
        # the group is checked, and its page is not shown at start.
        self.faults_group.toggled.connect(self._fill_statuses)
        self.delay_spin = QSpinBox()
        self.delay_spin.setObjectName("scpFaultDelaySpin")
        self.delay_spin.setRange(0, MAX_DELAY_MS)
        self.delay_spin.setSingleStep(500)
        self.delay_spin.setSuffix(" ms")
        self.delay_spin.setToolTip("Wait before answering (C-CANCEL ends the wait)")
        self.double_check = QCheckBox("Send the match in two Pending responses")
        self.double_check.setObjectName("scpFaultDoublePendingCheck")
        self.abort_check = QCheckBox("Abort the association instead of answering")
        self.abort_check.setObjectName("scpFaultAbortCheck")
        form = QFormLayout(self.faults_group)
        form.addRow("Status:", self.status_combo)
        form.addRow("Delay:", self.delay_spin)
        form.addRow(self.double_check)
        form.addRow(self.abort_check)
        return self._page(self.faults_group)

    def _fill_statuses(self, _checked: bool = False) -> None:
        """Offer the fault statuses (once)."""
        if self.status_combo.count():
            return
        self.status_combo.blockSignals(True)
        for code, label, tip in fault_status_choices():
            self.status_combo.addItem(label, code)
            self.status_combo.setItemData(
                self.status_combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole
            )
        self.status_combo.blockSignals(False)

    def _on_tab(self, index: int) -> None:
        if self.widget(index) is self.pages[2]:
            self._fill_statuses()

    @staticmethod
    def _page(group: QGroupBox) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(group)
        layout.addStretch(1)
        return page

    # ------------------------------------------------------------- values
    def faults(self) -> FaultInjection:
        """The faults chosen (all off while the group is unchecked)."""
        from rpiq.core.scp import FaultInjection

        if not self.faults_group.isChecked():
            return FaultInjection()
        self._fill_statuses()
        return FaultInjection(
            status=self.status_combo.currentData(),
            delay_ms=self.delay_spin.value(),
            double_pending=self.double_check.isChecked(),
            abort=self.abort_check.isChecked(),
        )

    def settings(self) -> ScpSettings:
        """The settings the form describes (not validated)."""
        from rpiq.core.scp import ScpSettings, ScpTlsSettings

        tls = None
        if self.tls_group.isChecked():
            tls = ScpTlsSettings(
                self.cert_row.text(), self.key_row.text(), self.ca_row.text() or None
            )
        return ScpSettings(
            ae_title=self.ae_edit.text(),
            host=str(self.host_combo.currentData()),
            port=self.port_spin.value(),
            allowed_calling_aets=_split_aes(self.allowed_edit.text()),
            tls=tls,
            faults=self.faults(),
        )

    def problems(self) -> list[ValidationError]:
        """What the core finds wrong with :meth:`settings`."""
        return self.settings().problems()

    def load(self, settings: ScpSettings) -> None:
        """Show ``settings`` (e.g. the demo's)."""
        self._fill_statuses()
        self.ae_edit.setText(settings.ae_title)
        index = self.host_combo.findData(settings.host)
        if index < 0:
            self.host_combo.addItem(settings.host, settings.host)
            index = self.host_combo.count() - 1
        self.host_combo.setCurrentIndex(index)
        self.port_spin.setValue(settings.port)
        self.allowed_edit.setText(", ".join(settings.allowed_calling_aets))
        tls = settings.tls
        self.tls_group.setChecked(tls is not None)
        self.cert_row.edit.setText(tls.cert_file if tls else "")
        self.key_row.edit.setText(tls.key_file if tls else "")
        self.ca_row.edit.setText((tls.ca_file or "") if tls else "")
        faults = settings.faults
        self.faults_group.setChecked(faults.active)
        self.status_combo.setCurrentIndex(
            max(self.status_combo.findData(faults.status), 0)
        )
        self.delay_spin.setValue(faults.delay_ms)
        self.double_check.setChecked(faults.double_pending)
        self.abort_check.setChecked(faults.abort)

    def set_locked(self, locked: bool) -> None:
        """While the SCP runs its settings cannot change."""
        for page in self.pages:
            page.setEnabled(not locked)
            page.setToolTip("Stop the SCP to change its settings." if locked else "")

    def _on_changed(self) -> None:
        self.changed.emit()
        self.faultsChanged.emit(
            self.faults() if self.faults_group.isChecked() else None
        )


def problem_label() -> QLabel:
    """The red line under the form that shows the first settings problem."""
    label = QLabel()
    label.setObjectName("scpSettingsError")
    label.setWordWrap(True)
    label.setStyleSheet(_ERROR_STYLE)
    label.hide()
    return label
