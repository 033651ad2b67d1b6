"""ReplayLauncher: Query → Replay opens the replay view of the main window.

Apart from :mod:`rpiq.gui.replay_dialog` so that the window can hold one
without importing the dialog, its panes and the tree comparison (they load
the SR model) before the first replay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from rpiq.gui.workers import serial_imports

if TYPE_CHECKING:
    from rpiq.gui.main_window import MainWindow
    from rpiq.gui.replay_dialog import ReplayDialog

__all__ = ["ReplayLauncher"]


class ReplayLauncher:
    """Opens one :class:`ReplayDialog` per window and cancels it on close."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.dialog: ReplayDialog | None = None

    def open(self) -> ReplayDialog:
        """Show (or raise) the replay view for the form's current request."""
        with serial_imports():
            from rpiq.gui.replay_dialog import ReplayDialog

        window = self.window
        if self.dialog is None:
            self.dialog = ReplayDialog(window.profiles, window.panel.request, window)
            self.dialog.setWindowFlag(Qt.WindowType.Window, True)
        # Before the profiles are loaded (on a worker) there is nothing to offer.
        names = window.profiles.names() if window.profiles_ready else []
        self.dialog.set_profiles(names, window.panel.profile_name())
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def cancel(self) -> None:
        """Cancel the replay's queries (window closing)."""
        if self.dialog is not None:
            self.dialog.cancel()
