"""Presentation of status categories: badge colours and icons (no meanings here).

What a status *means* comes from :mod:`rpiq.core.status`; this module only
decides how a category looks. Colours keep at least 4.5:1 contrast between
text and background (WCAG AA) so the badge stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rpiq.core.status import Category

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyle

__all__ = ["BadgeStyle", "badge_style", "badge_stylesheet", "level_style"]


@dataclass(frozen=True, slots=True)
class BadgeStyle:
    """Background and text colour (``#rrggbb``) and a standard icon.

    The icon is kept by name (``icon_name``): the QStyle type is created on
    first use of :attr:`icon`, not when the window is built (~7 ms of enums).
    """

    background: str
    foreground: str
    icon_name: str

    @property
    def icon(self) -> QStyle.StandardPixmap:
        """The standard pixmap of the badge's icon."""
        from PySide6.QtWidgets import QStyle

        pixmap: QStyle.StandardPixmap = getattr(QStyle.StandardPixmap, self.icon_name)
        return pixmap


_INFO = "SP_MessageBoxInformation"
_WARN = "SP_MessageBoxWarning"
_FAIL = "SP_MessageBoxCritical"

_STYLES: dict[Category, BadgeStyle] = {
    Category.SUCCESS: BadgeStyle("#1b5e20", "#ffffff", _INFO),
    Category.PENDING: BadgeStyle("#0d47a1", "#ffffff", _INFO),
    Category.CANCEL: BadgeStyle("#546e7a", "#ffffff", _WARN),
    Category.WARNING: BadgeStyle("#f9a825", "#000000", _WARN),
    Category.FAILURE: BadgeStyle("#b71c1c", "#ffffff", _FAIL),
    Category.UNKNOWN: BadgeStyle("#6a1b9a", "#ffffff", _WARN),
    Category.NO_RESPONSE: BadgeStyle("#bf360c", "#ffffff", _FAIL),
}
_IDLE = BadgeStyle("#757575", "#ffffff", _INFO)
_BUSY = BadgeStyle("#0d47a1", "#ffffff", _INFO)

# Conformance finding levels (error / warning / info) look like categories.
_LEVELS: dict[str, BadgeStyle] = {
    "error": _STYLES[Category.FAILURE],
    "fail": _STYLES[Category.FAILURE],
    "failure": _STYLES[Category.FAILURE],
    "warning": _STYLES[Category.WARNING],
    "warn": _STYLES[Category.WARNING],
    "info": _STYLES[Category.PENDING],
    "pass": _STYLES[Category.SUCCESS],
}


def badge_style(category: Category | None, *, busy: bool = False) -> BadgeStyle:
    """Style of a status badge; ``None`` is "no query yet" (grey)."""
    if busy:
        return _BUSY
    if category is None:
        return _IDLE
    return _STYLES.get(category, _IDLE)


def badge_stylesheet(style: BadgeStyle) -> str:
    """Qt style sheet for a QLabel badge with this style."""
    return (
        f"QLabel {{ background-color: {style.background}; color: {style.foreground};"
        " border-radius: 4px; padding: 2px 8px; font-weight: bold; }"
    )


def level_style(level: str) -> BadgeStyle:
    """Style of a conformance finding level (case-insensitive; unknown = info)."""
    return _LEVELS.get(level.strip().lower(), _STYLES[Category.PENDING])
