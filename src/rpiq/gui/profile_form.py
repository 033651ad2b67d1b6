"""ProfileForm: the fields of one AE profile, with messages at the faulty field.

Validation is :meth:`rpiq.core.profiles.AEProfile.problems`; each
:class:`ValidationError` names its field (``"port"``, ``"tls.ca_file"``) and the
form shows the message under that field and outlines it in red.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rpiq.core.errors import ValidationError
from rpiq.core.profiles import FIELD_LABELS, PORT_MAX, AEProfile, TlsSettings

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["ProfileForm"]

_TIMEOUTS = ("connect_timeout", "acse_timeout", "dimse_timeout", "network_timeout")
_CHARSETS = ("", "ISO_IR 192", "ISO_IR 100", "ISO_IR 101", "ISO_IR 144", "GB18030")
_INVALID = "border: 2px solid #b00020; border-radius: 3px;"
_TLS_FILES = ("ca_file", "cert_file", "key_file")


def _line(name: str, tip: str = "", placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setToolTip(tip)
    edit.setPlaceholderText(placeholder)
    return edit


def _seconds(name: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setObjectName(f"{name}Spin")
    spin.setRange(0.1, 3600.0)
    spin.setDecimals(1)
    spin.setSuffix(" s")
    spin.setToolTip(FIELD_LABELS[name])
    return spin


class ProfileForm(QWidget):
    """Edits one :class:`AEProfile`; :attr:`changed` fires on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edits: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        form = QFormLayout()
        self._form = form
        self._add("name", _line("nameEdit", "A name you pick the profile by"))
        self._add("called_ae", _line("calledAeEdit", "AE title of the RPI SCP"))
        self._add("host", _line("hostEdit", "Host name or IP address"))
        self.port = QSpinBox()
        self.port.setObjectName("portSpin")
        self.port.setRange(1, PORT_MAX)
        self._add("port", self.port)
        self._add("calling_ae", _line("callingAeEdit", "Our own AE title"))
        self.timeouts = {name: _seconds(name) for name in _TIMEOUTS}
        for name, spin in self.timeouts.items():
            self._add(name, spin)
        self._add(
            "max_pdu",
            _line("maxPduEdit", "Largest PDU we accept, in bytes; 0 = unlimited"),
        )
        self.charset = QComboBox()
        self.charset.setObjectName("charsetCombo")
        self.charset.setEditable(True)
        self.charset.addItems(list(_CHARSETS))
        line = self.charset.lineEdit()
        if line is not None:
            line.setPlaceholderText("default repertoire (ASCII)")
        self.charset.setToolTip(
            "Specific Character Set for non-ASCII keys; empty = default repertoire"
        )
        self._add("character_set", self.charset)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self._build_tls())
        layout.addStretch(1)
        self._connect()

    def _add(self, key: str, widget: QWidget, form: QFormLayout | None = None) -> None:
        target = form or self._form
        message = QLabel()
        message.setObjectName(f"{key.replace('.', '_')}Message")
        message.setStyleSheet("color: #b00020;")
        message.setWordWrap(True)
        message.hide()
        target.addRow(f"{FIELD_LABELS[key]}:", widget)
        target.addRow("", message)
        self.edits[key] = widget
        self.messages[key] = message

    def _build_tls(self) -> QGroupBox:
        self.tls_group = QGroupBox("Use TLS")
        self.tls_group.setObjectName("tlsGroup")
        self.tls_group.setCheckable(True)
        self.tls_group.setChecked(False)
        form = QFormLayout(self.tls_group)
        self.tls_edits: dict[str, QLineEdit] = {}
        for name in _TLS_FILES:
            edit = _line(f"tls_{name}Edit", placeholder="PEM file")
            browse = QPushButton("Browse…")
            browse.setObjectName(f"tls_{name}Browse")
            browse.clicked.connect(lambda _=False, e=edit: self._browse(e))
            row = QWidget()
            box = QHBoxLayout(row)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(edit, 1)
            box.addWidget(browse)
            self.tls_edits[name] = edit
            self._add(f"tls.{name}", row, form)
            self.edits[f"tls.{name}"] = edit
        self.tls_verify = QCheckBox("Verify the server certificate and host name")
        self.tls_verify.setObjectName("tlsVerifyCheck")
        self.tls_verify.setChecked(True)
        form.addRow("", self.tls_verify)
        return self.tls_group

    def _browse(self, edit: QLineEdit) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            "Choose a PEM file",
            edit.text(),
            "PEM files (*.pem *.crt *.key);;All (*)",
        )
        if path:
            edit.setText(path)

    def _connect(self) -> None:
        for widget in self.edits.values():
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(self.changed)
        self.port.valueChanged.connect(self.changed)
        for spin in self.timeouts.values():
            spin.valueChanged.connect(self.changed)
        self.charset.currentTextChanged.connect(self.changed)
        self.tls_group.toggled.connect(self.changed)
        self.tls_verify.toggled.connect(self.changed)

    def _text(self, key: str) -> str:
        widget = self.edits[key]
        assert isinstance(widget, QLineEdit)
        return widget.text()

    # ------------------------------------------------------------- values
    def set_profile(self, profile: AEProfile) -> None:
        """Show ``profile`` in the fields (no :attr:`changed` signals)."""
        self.blockSignals(True)
        for key in ("name", "called_ae", "host", "calling_ae"):
            widget = self.edits[key]
            assert isinstance(widget, QLineEdit)
            widget.setText(getattr(profile, key))
        self.port.setValue(profile.port)
        for name, spin in self.timeouts.items():
            spin.setValue(getattr(profile, name))
        max_pdu = self.edits["max_pdu"]
        assert isinstance(max_pdu, QLineEdit)
        max_pdu.setText(str(profile.max_pdu))
        self.charset.setCurrentText(profile.character_set or "")
        tls = profile.tls
        self.tls_group.setChecked(tls is not None)
        for name, edit in self.tls_edits.items():
            edit.setText((getattr(tls, name) if tls else None) or "")
        self.tls_verify.setChecked(tls.verify if tls else True)
        self.blockSignals(False)
        self.show_problems(())

    def profile(self) -> AEProfile:
        """The profile the fields describe.

        Raises
        ------
        ValidationError
            When Maximum PDU size is not a whole number (other problems are
            reported by :meth:`AEProfile.problems`).
        """
        text = self._text("max_pdu").strip()
        try:
            max_pdu = int(text)
        except ValueError:
            raise ValidationError(
                "max_pdu", f"{FIELD_LABELS['max_pdu']} must be a whole number of bytes"
            ) from None
        tls = None
        if self.tls_group.isChecked():
            files = {name: edit.text() for name, edit in self.tls_edits.items()}
            tls = TlsSettings(verify=self.tls_verify.isChecked(), **files)
        return AEProfile(
            name=self._text("name"),
            called_ae=self._text("called_ae"),
            host=self._text("host"),
            port=self.port.value(),
            calling_ae=self._text("calling_ae"),
            max_pdu=max_pdu,
            tls=tls,
            character_set=self.charset.currentText() or None,
            **{name: spin.value() for name, spin in self.timeouts.items()},
        )

    def check(self, *, check_files: bool = False) -> AEProfile | None:
        """Validate the fields, mark problems; the profile if it is valid."""
        try:
            profile = self.profile()
        except ValidationError as exc:
            self.show_problems([exc])
            return None
        problems = profile.problems(check_files=check_files)
        self.show_problems(problems)
        return None if problems else profile

    def show_problems(self, problems: Sequence[ValidationError]) -> None:
        """Show each problem at its field; clear the others."""
        by_field: dict[str, str] = {}
        for problem in problems:
            key = problem.field if problem.field in self.edits else "name"
            by_field.setdefault(key, problem.message)
        for key, widget in self.edits.items():
            message = by_field.get(key)
            label = self.messages[key]
            label.setText(message or "")
            label.setVisible(message is not None)
            widget.setStyleSheet(_INVALID if message else "")
            widget.setProperty("invalid", message is not None)

    def problem_fields(self) -> list[str]:
        """Fields currently marked invalid (for tests and the status line)."""
        return [key for key, label in self.messages.items() if label.isVisible()]
