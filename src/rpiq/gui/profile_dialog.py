"""ProfileDialog: list, edit, test, import and export AE profiles.

All changes go through the core :class:`ProfileStore`; every disk and network
operation (save, import, export, C-ECHO + SOP class probe) runs on a worker,
and the dialog shows its outcome in a status line. Field problems come from
:meth:`AEProfile.problems` and are shown at the field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rpiq.core.errors import ProfileError, RpiqError, ValidationError
from rpiq.core.net.echo import EchoResult, ProbeResult, probe, verify
from rpiq.core.profiles import AEProfile
from rpiq.core.status import Category
from rpiq.gui.profile_form import ProfileForm
from rpiq.gui.workers import run_in_background

if TYPE_CHECKING:
    from collections.abc import Callable

    from rpiq.core.profiles import ProfileStore

__all__ = ["ProfileDialog", "TestOutcome"]

_OK = "#1b5e20"
_BAD = "#b00020"


@dataclass(frozen=True, slots=True)
class TestOutcome:
    """What Test found: the echo and the SOP class probe (or why not)."""

    echo: EchoResult | None
    probe: ProbeResult | None
    error: str | None


def run_test(profile: AEProfile) -> TestOutcome:
    """C-ECHO, then propose every RPI SOP class (runs on a worker)."""
    echo: EchoResult | None = None
    problem: str | None = None
    try:
        echo = verify(profile)
    except RpiqError as exc:
        problem = str(exc)
    try:
        found = probe(profile)
    except RpiqError as exc:
        return TestOutcome(echo, None, problem or str(exc))
    return TestOutcome(echo, found, problem)


def _button(text: str, name: str, tip: str, shortcut: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    if shortcut:
        button.setShortcut(QKeySequence(shortcut))
        tip = f"{tip} ({shortcut})"
    button.setToolTip(tip)
    return button


class ProfileDialog(QDialog):
    """Manage the profiles of ``store`` (already loaded by the caller)."""

    def __init__(
        self,
        store: ProfileStore,
        current: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("profileDialog")
        self.setWindowTitle("AE profiles")
        self.resize(860, 720)
        self.store = store
        self._editing: str | None = None
        self._busy = False
        self._valid = False
        self._build()
        self._refresh_list(current)

    # ------------------------------------------------------------- building
    def _build(self) -> None:
        self.list = QListWidget()
        self.list.setObjectName("profileList")
        self.list.currentTextChanged.connect(self._on_selected)
        self.new_button = _button("New", "newProfileButton", "New profile", "Ctrl+N")
        self.delete_button = _button("Delete", "deleteProfileButton", "Delete profile")
        self.import_button = _button("Import…", "importProfilesButton", "Import JSON")
        self.export_button = _button("Export…", "exportProfilesButton", "Export JSON")
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(self.list, 1)
        for row in (
            (self.new_button, self.delete_button),
            (self.import_button, self.export_button),
        ):
            line = QHBoxLayout()
            for button in row:
                line.addWidget(button)
            left_box.addLayout(line)
        self.form = ProfileForm()
        self.form.changed.connect(self._on_edited)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.test_results = QTreeWidget()
        self.test_results.setObjectName("testResults")
        self.test_results.setHeaderLabels(["Check", "Result"])
        self.test_results.setRootIsDecorated(False)
        self.test_results.setMaximumHeight(150)
        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addWidget(scroll, 1)
        right_box.addWidget(self.test_results)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([220, 600])
        self.status = QLabel("")
        self.status.setObjectName("profileStatus")
        self.status.setWordWrap(True)
        self.test_button = _button(
            "Test", "testProfileButton", "C-ECHO and RPI SOP class check", "Ctrl+T"
        )
        self.save_button = _button(
            "Save", "saveProfileButton", "Save profile", "Ctrl+S"
        )
        self.close_button = _button("Close", "closeProfilesButton", "Close")
        self.new_button.clicked.connect(self.new_profile)
        self.delete_button.clicked.connect(self.delete_profile)
        self.import_button.clicked.connect(self.import_profiles)
        self.export_button.clicked.connect(self.export_profiles)
        self.test_button.clicked.connect(self.test_profile)
        self.save_button.clicked.connect(self.save_profile)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.test_button, self.save_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    # ------------------------------------------------------------- list
    def _refresh_list(self, select: str | None = None) -> None:
        names = self.store.names()
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addItems(names)
        self.list.blockSignals(False)
        target = select if select in names else (names[0] if names else None)
        if target is None:
            self.new_profile()
            return
        self.list.setCurrentRow(names.index(target))
        self._on_selected(target)

    def _on_selected(self, name: str) -> None:
        if not name or name not in self.store:
            return
        self._editing = name
        self.form.set_profile(self.store.get(name))
        self.test_results.clear()
        self._on_changed()
        self._set_status("")

    def new_profile(self) -> None:
        """Start a new profile with defaults and a free name."""
        taken = set(self.store.names())
        name = next(
            f"New profile {n}" if n else "New profile"
            for n in range(len(taken) + 1)
            if (f"New profile {n}" if n else "New profile") not in taken
        )
        self._editing = None
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        self.form.set_profile(AEProfile(name))
        self.test_results.clear()
        self._on_changed()
        self.form.edits["name"].setFocus()

    # ------------------------------------------------------------- state
    def _on_changed(self) -> None:
        self._valid = self.form.check() is not None
        self._update_buttons()

    def _on_edited(self) -> None:
        """The user changed a field: earlier test results no longer apply."""
        self.test_results.clear()
        self._on_changed()
        if self._valid:
            self._set_status("Unsaved changes: press Save (Ctrl+S).")
        else:
            self._set_status("Fix the marked fields to save or test.", ok=False)

    def _update_buttons(self) -> None:
        valid = self._valid
        idle = not self._busy
        self.save_button.setEnabled(valid and idle)
        self.test_button.setEnabled(valid and idle)
        self.delete_button.setEnabled(self._editing is not None and idle)
        for button in (self.new_button, self.import_button, self.export_button):
            button.setEnabled(idle)
        self.export_button.setEnabled(idle and bool(self.store.names()))

    def _set_status(self, text: str, *, ok: bool = True) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {_OK if ok else _BAD};")

    def _in_background(
        self, message: str, work: Callable[[], object], done: Callable[[object], None]
    ) -> None:
        self._busy = True
        self._update_buttons()
        self._set_status(message)

        def finished(result: object) -> None:
            self._busy = False
            done(result)
            self._update_buttons()

        def failed(exc: Exception) -> None:
            self._busy = False
            self._show_error(exc)
            self._update_buttons()

        run_in_background(work, finished, failed)

    def _show_error(self, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            self.form.show_problems([exc])
        self._set_status(str(exc), ok=False)

    @property
    def busy(self) -> bool:
        """True while a save, import, export or test runs."""
        return self._busy

    # ------------------------------------------------------------- actions
    def save_profile(self) -> None:
        """Validate (TLS files included) and save the form to the store."""
        profile = self.form.check()
        if profile is None:
            return
        old = self._editing
        store = self.store
        if old != profile.name and profile.name in store:
            self.form.show_problems(
                [ValidationError("name", "Another profile already has this name")]
            )
            return

        def work() -> str:
            if old is not None and old != profile.name:
                store.add(profile)
                store.remove(old)
            else:
                store.add(profile, replace=old is not None)
            store.save()
            return profile.name

        self._in_background("Saving…", work, self._after_save)

    def _after_save(self, name: object) -> None:
        self._refresh_list(str(name))
        self._set_status(f"Saved profile {name!r}.")

    def delete_profile(self) -> None:
        """Remove the selected profile after confirmation."""
        name = self._editing
        if name is None:
            return
        answer = QMessageBox.question(
            self, "Delete profile", f"Delete the profile {name!r}?"
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        store = self.store

        def work() -> None:
            store.remove(name)
            store.save()

        def done(_result: object) -> None:
            self._refresh_list()
            self._set_status(f"Deleted {name!r}.")

        self._in_background("Deleting…", work, done)

    def import_profiles(self) -> None:
        """Import profiles from a JSON file (asks before replacing)."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Import profiles", "", "JSON (*.json);;All files (*)"
        )
        if path:
            self._import(Path(path), replace=False)

    def _import(self, path: Path, *, replace: bool) -> None:
        store = self.store

        def work() -> list[str]:
            names = store.import_file(path, replace=replace)
            store.save()
            return names

        def failed(exc: Exception) -> None:
            self._busy = False
            self._update_buttons()
            clash = isinstance(exc, ProfileError) and "already exist" in str(exc)
            if not replace and clash and self._ask_replace(str(exc)):
                self._import(path, replace=True)
            else:
                self._show_error(exc)

        def done(names: object) -> None:
            self._busy = False
            listed = list(names) if isinstance(names, list) else []
            self._refresh_list(listed[0] if listed else None)
            self._set_status(f"Imported {len(listed)} profile(s): {', '.join(listed)}.")
            self._update_buttons()

        self._busy = True
        self._update_buttons()
        self._set_status(f"Importing {path.name}…")
        run_in_background(work, done, failed)

    def _ask_replace(self, message: str) -> bool:
        answer = QMessageBox.question(
            self, "Replace profiles?", f"{message}\n\nReplace the existing profiles?"
        )
        return answer == QMessageBox.StandardButton.Yes

    def export_profiles(self) -> None:
        """Export every profile to a JSON file."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Export profiles", "rpiq-profiles.json", "JSON (*.json)"
        )
        if not path:
            return
        store = self.store
        target = Path(path)
        self._in_background(
            "Exporting…",
            lambda: store.export_file(target),
            lambda _: self._set_status(f"Exported all profiles to {target}."),
        )

    def test_profile(self) -> None:
        """C-ECHO and the RPI SOP class probe with the form's (unsaved) values."""
        profile = self.form.check()
        if profile is None:
            return
        self.test_results.clear()
        # A test must not wait for the long query timeouts.
        quick = replace(profile, acse_timeout=min(profile.acse_timeout, 10.0))
        self._in_background(
            f"Testing {profile.host}:{profile.port}…",
            lambda: run_test(quick),
            self._show_test,
        )

    def _show_test(self, result: object) -> None:
        assert isinstance(result, TestOutcome)
        rows: list[tuple[str, str, bool]] = []
        if result.echo is not None:
            status = result.echo.status
            rows.append(
                (
                    "Verification (C-ECHO)",
                    f"{status.category.value} {status.hex} in "
                    f"{result.echo.elapsed_ms:.0f} ms",
                    status.category is Category.SUCCESS,
                )
            )
        if result.probe is not None:
            rows.append(("Peer AE title", result.probe.peer_ae, True))
            for label, accepted in result.probe.accepted.items():
                if label == "Verification":
                    continue
                verdict = (
                    "accepted" if accepted else "rejected (no presentation context)"
                )
                rows.append((f"RPI {label}", verdict, accepted))
        for check, text, ok in rows:
            item = QTreeWidgetItem([check, text])
            item.setForeground(
                1, Qt.GlobalColor.darkGreen if ok else Qt.GlobalColor.red
            )
            self.test_results.addTopLevelItem(item)
        self.test_results.resizeColumnToContents(0)
        if result.error:
            self._set_status(result.error, ok=False)
        else:
            accepted = result.probe is not None and any(
                v for k, v in result.probe.accepted.items() if k != "Verification"
            )
            self._set_status(
                "Test passed." if accepted else "The peer accepts no RPI SOP class.",
                ok=accepted,
            )
