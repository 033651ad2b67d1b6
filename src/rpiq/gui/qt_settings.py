"""Window geometry and splitter positions in QSettings (INI) under the config dir.

Only layout lives here; profiles and every other setting are core JSON files.
The file is ``<config>/gui.ini`` (``$RPIQ_HOME/config/gui.ini`` when set).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

from rpiq.core.paths import AppPaths

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QSplitter

__all__ = ["gui_settings", "restore_layout", "save_layout"]

FILE_NAME = "gui.ini"


def gui_settings() -> QSettings:
    """The INI settings file of the GUI."""
    path = AppPaths.default().config / FILE_NAME
    return QSettings(str(path), QSettings.Format.IniFormat)


def _bytes(settings: QSettings, key: str) -> QByteArray | None:
    value = settings.value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def save_layout(window: QMainWindow, splitters: dict[str, QSplitter]) -> None:
    """Store the window geometry, dock state and splitter positions."""
    settings = gui_settings()
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    for name, splitter in splitters.items():
        settings.setValue(f"splitters/{name}", splitter.saveState())
    settings.sync()


def restore_layout(window: QMainWindow, splitters: dict[str, QSplitter]) -> bool:
    """Restore what :func:`save_layout` stored; False if nothing was stored."""
    settings = gui_settings()
    geometry = _bytes(settings, "window/geometry")
    if geometry is None:
        return False
    window.restoreGeometry(geometry)
    state = _bytes(settings, "window/state")
    if state is not None:
        window.restoreState(state)
    for name, splitter in splitters.items():
        saved = _bytes(settings, f"splitters/{name}")
        if saved is not None:
            orientation = splitter.orientation()  # the code decides, not the file
            splitter.restoreState(saved)
            splitter.setOrientation(orientation)
    return True
