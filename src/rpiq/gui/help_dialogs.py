"""Help menu content: the keyboard shortcuts dialog, About text and the app icon.

The shortcuts table is generated from the window's actions, so it never
drifts from the menus.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from PySide6.QtGui import QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rpiq import __version__

if TYPE_CHECKING:
    from collections.abc import Iterable

    from PySide6.QtGui import QAction

__all__ = ["about_html", "app_icon", "shortcut_rows", "shortcuts_dialog"]

ICON_FILE = "rpiq.svg"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """The RPIQ icon (packaged SVG); an empty icon when it cannot be loaded."""
    icon = QIcon()
    try:
        source = resources.files("rpiq.gui").joinpath("assets", ICON_FILE)
        with resources.as_file(source) as path:
            # Render now: the file may be a temporary copy (zipped package).
            svg = QIcon(str(path))
            for size in ICON_SIZES:
                pixmap = svg.pixmap(size)
                if not pixmap.isNull():
                    icon.addPixmap(pixmap)
    except (OSError, ModuleNotFoundError):
        return QIcon()
    return icon


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """``(command, keys)`` for every action with a shortcut, in menu order."""
    rows: list[tuple[str, str]] = []
    for action in actions:
        keys = action.shortcuts()
        if not keys:
            continue
        name = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        shown = ", ".join(
            k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys
        )
        rows.append((name.rstrip("…"), shown))
    return rows


def shortcuts_dialog(parent: QWidget) -> QDialog:
    """A dialog listing every shortcut of ``parent``'s actions."""
    dialog = QDialog(parent)
    dialog.setObjectName("shortcutsDialog")
    dialog.setWindowTitle("Keyboard shortcuts")
    rows = shortcut_rows(parent.actions())
    table = QTableWidget(len(rows), 2, dialog)
    table.setObjectName("shortcutsTable")
    table.setAccessibleName("Keyboard shortcuts")
    table.setHorizontalHeaderLabels(["Command", "Shortcut"])
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    for row, (name, keys) in enumerate(rows):
        table.setItem(row, 0, QTableWidgetItem(name))
        table.setItem(row, 1, QTableWidgetItem(keys))
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    dialog.resize(520, 560)
    return dialog


def _versions() -> list[tuple[str, str]]:
    import pydicom
    import pynetdicom
    import PySide6
    from PySide6.QtCore import qVersion

    return [
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("pydicom", str(pydicom.__version__)),
        ("pynetdicom", str(pynetdicom.__version__)),
    ]


def about_html() -> str:
    """The About box: what RPIQ is and the versions it runs with."""
    versions = "".join(f"<tr><td>{n}</td><td>{v}</td></tr>" for n, v in _versions())
    return (
        f"<h3>RPIQ Workstation {__version__}</h3>"
        "<p>Relevant Patient Information Query (DICOM PS3.4 Annex Q): query an "
        "RPI SCP for a patient's relevant history and read it as a tree.</p>"
        "<p>General (TID 9007 and the Annex K roots), Breast Imaging (TID 9000) "
        "and Cardiac (TID 3802) SOP classes.</p>"
        f"<table>{versions}</table>"
    )
