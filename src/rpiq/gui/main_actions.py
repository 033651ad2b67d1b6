"""Menus and keyboard shortcuts of the main window (tooltips show the keys)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from rpiq.gui.export_actions import PRINT_AVAILABLE
from rpiq.gui.help_dialogs import about_html, shortcuts_dialog
from rpiq.gui.query_panel import CANCEL_KEY, RUN_KEY
from rpiq.gui.workers import run_in_background

if TYPE_CHECKING:
    from collections.abc import Callable

    from rpiq.gui.answer import Answer
    from rpiq.gui.main_window import MainWindow

__all__ = ["MainActions"]


def _with_keys(tip: str, keys: list[QKeySequence]) -> str:
    if not keys:
        return tip
    shown = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
    return f"{tip} ({shown})"


class MainActions:
    """Builds the menu bar of ``window`` and keeps the actions' enabled state."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        panel = window.panel
        results = window.results
        exporter = window.exporter
        bar = window.menuBar()
        file_menu = bar.addMenu("&File")
        self.export_json = self._add(
            file_menu,
            "Export answer as DICOM &JSON…",
            "exportJsonAction",
            lambda: exporter.export_identifier(self._answer(), json=True),
            [QKeySequence("Ctrl+Shift+E")],
        )
        self.export_dcm = self._add(
            file_menu,
            "Export answer as &DICOM file…",
            "exportDicomAction",
            lambda: exporter.export_identifier(self._answer(), json=False),
            [QKeySequence("Ctrl+E")],
        )
        self.export_pdf = self._add(
            file_menu,
            "Export &PDF sheet…",
            "exportPdfAction",
            lambda: exporter.export_pdf(self._answer()),
            [QKeySequence("Ctrl+Shift+P")],
        )
        self.print = self._add(
            file_menu,
            "&Print sheet…",
            "printAction",
            lambda: exporter.print_answer(self._answer()),
            [QKeySequence(QKeySequence.StandardKey.Print)],
        )
        self.save_sr = self._add(
            file_menu,
            "Save as Comprehensive &SR…",
            "saveSrAction",
            lambda: window.sr_saver.save(self._answer()),
            [QKeySequence("Ctrl+Shift+S")],
        )
        file_menu.addSeparator()
        self.support_bundle = self._add(
            file_menu,
            "Save support &bundle…",
            "saveSupportBundleAction",
            self.save_support_bundle,
            [],
        )
        file_menu.addSeparator()
        self._add(
            file_menu,
            "&Quit",
            "quitAction",
            window.close,
            [QKeySequence(QKeySequence.StandardKey.Quit)],
        )
        query_menu = bar.addMenu("&Query")
        self.run = self._add(
            query_menu,
            "&Run",
            "runAction",
            panel.trigger_run,
            [RUN_KEY, QKeySequence("Ctrl+Enter")],
        )
        self.cancel = self._add(
            query_menu, "&Cancel", "cancelAction", window.cancel_query, [CANCEL_KEY]
        )
        query_menu.addSeparator()
        self.manage = self._add(
            query_menu,
            "&Manage profiles…",
            "manageProfilesAction",
            window.manage_profiles,
            [QKeySequence("Ctrl+Shift+M")],
        )
        self.replay = self._add(
            query_menu,
            "Re&play against two profiles…",
            "replayAction",
            window.replays.open,
            [QKeySequence("Ctrl+Shift+R")],
        )
        self._add_archive_menu()
        view_menu = bar.addMenu("&View")
        self._add(
            view_menu,
            "&Find in tree",
            "findAction",
            results.focus_filter,
            [QKeySequence(QKeySequence.StandardKey.Find)],
        )
        self._add(
            view_menu,
            "&Expand all",
            "expandAllAction",
            results.tree.expandAll,
            [QKeySequence("Ctrl+Shift+Right")],
        )
        self._add(
            view_menu,
            "&Collapse all",
            "collapseAllAction",
            results.collapse_all,
            [QKeySequence("Ctrl+Shift+Left")],
        )
        view_menu.addSeparator()
        view_menu.addAction(window.query_dock.toggleViewAction())
        view_menu.addAction(window.history.dock.toggleViewAction())
        view_menu.addAction(window.local.dock.toggleViewAction())
        help_menu = bar.addMenu("&Help")
        self._add(
            help_menu,
            "&Keyboard shortcuts…",
            "shortcutsAction",
            self.show_shortcuts,
            [QKeySequence("F1")],
        )
        self._add(help_menu, "&About RPIQ Workstation", "aboutAction", self._about, [])
        panel.run_button.setToolTip(self.run.toolTip())
        panel.cancel_button.setToolTip(
            _with_keys("Cancel: C-CANCEL, then abort after 2 s", [CANCEL_KEY])
        )
        results.copy_button.setToolTip(
            _with_keys(
                "Copy the selected item and its children as text",
                [QKeySequence(QKeySequence.StandardKey.Copy)],
            )
        )
        results.expand_button.setToolTip(
            _with_keys("Expand all", [QKeySequence("Ctrl+Shift+Right")])
        )
        results.collapse_button.setToolTip(
            _with_keys("Collapse all", [QKeySequence("Ctrl+Shift+Left")])
        )
        if not PRINT_AVAILABLE:
            self.print.setToolTip("Printing is not available in this Qt build")

    def _add(
        self,
        menu: QMenu,
        text: str,
        name: str,
        slot: Callable[[], object],
        keys: list[QKeySequence],
    ) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        if keys:
            action.setShortcuts(keys)
        action.setToolTip(_with_keys(text.replace("&", "").rstrip("…"), keys))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.window.addAction(action)
        return action

    def _add_archive_menu(self) -> None:
        local = self.window.local
        menu = self.window.menuBar().addMenu("&Archive")
        self.scp_toggle = self._add(
            menu,
            "Start/stop the local &SCP",
            "scpToggleAction",
            local.panel.toggle,
            [QKeySequence("F9")],
        )
        menu.addSeparator()
        self._add(
            menu,
            "Import &files…",
            "importFilesAction",
            local.panel.import_bar.choose_files,
            [QKeySequence("Ctrl+I")],
        )
        self._add(
            menu,
            "Import f&older…",
            "importFolderAction",
            local.panel.import_bar.choose_folder,
            [QKeySequence("Ctrl+Shift+I")],
        )
        self._add(
            menu,
            "&Refresh patients",
            "refreshPatientsAction",
            local.controller.refresh_patients,
            [QKeySequence("F5")],
        )

    def _answer(self) -> Answer:
        answer = self.window.answer
        if answer is None:
            raise RuntimeError("no answer to export")
        return answer

    def save_support_bundle(self) -> None:
        """File → Save support bundle…: logs, settings and versions, no patient data.

        The zip is written by :func:`rpiq.core.support_bundle.write_support_bundle`
        on a worker (it reads the archive index and the log files).
        """
        # Imported here, not with the window: start-up time (gui_responsiveness).
        from rpiq.core.support_bundle import default_file_name, write_support_bundle

        suggested = Path.home() / default_file_name()
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save support bundle", str(suggested), "Zip archive (*.zip)"
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".zip":
            target = target.with_name(target.name + ".zip")
        self.window.notify(f"Writing {target.name}…")
        run_in_background(
            lambda: write_support_bundle(target),
            lambda summary: self.window.notify(
                f"Saved support bundle {summary.path} (no patient data)."
            ),
            lambda exc: self.window.notify(f"Support bundle not saved: {exc}", False),
        )

    def _about(self) -> None:
        QMessageBox.about(self.window, "About RPIQ Workstation", about_html())

    def show_shortcuts(self) -> None:
        """Help → Keyboard shortcuts: every action's keys (non-modal)."""
        dialog = shortcuts_dialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def update(self, *, busy: bool, has_answer: bool) -> None:
        """Enable what makes sense now."""
        self.cancel.setEnabled(busy)
        self.manage.setEnabled(not busy)
        for action in (
            self.export_json,
            self.export_dcm,
            self.export_pdf,
            self.save_sr,
        ):
            action.setEnabled(has_answer)
        self.print.setEnabled(has_answer and PRINT_AVAILABLE)
