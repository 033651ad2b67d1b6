"""A red banner that cannot be missed: the answer is for another patient."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtWidgets import QWidget

__all__ = ["MismatchBanner"]

_STYLE = (
    "QFrame#mismatchBanner { background-color: #b00020; border-radius: 4px; }"
    "QFrame#mismatchBanner QLabel { color: #ffffff; font-weight: bold; }"
)


class MismatchBanner(QFrame):
    """Hidden until :meth:`show_problems` gets at least one sentence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mismatchBanner")
        self.setStyleSheet(_STYLE)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        # The icon is set when the banner is first shown (QStyle is not
        # needed to build the window: start-up time).
        self.icon = QLabel()
        self.icon.setObjectName("mismatchIcon")
        layout.addWidget(self.icon)
        self.label = QLabel()
        self.label.setObjectName("mismatchText")
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.hide()

    def show_problems(self, problems: Sequence[str]) -> None:
        """Show the sentences (or hide the banner when there are none)."""
        if not problems:
            self.label.clear()
            self.hide()
            return
        if self.icon.pixmap().isNull():
            from PySide6.QtWidgets import QStyle

            warning = QStyle.StandardPixmap.SP_MessageBoxWarning
            self.icon.setPixmap(self.style().standardIcon(warning).pixmap(24, 24))
        lines = "\n".join(problems)
        self.label.setText(
            "Patient identity mismatch — this answer may belong to another patient. "
            f"Check before use.\n{lines}"
        )
        self.show()
