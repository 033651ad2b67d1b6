"""Locale-aware text of content item values for the tree, details and the sheet.

Dates and times follow the user's locale (``QLocale``), keeping the precision
the DICOM value has (a DT of ``2019`` shows a year, not 1 January); numbers
use the locale's decimal separator; person names read ``Family, Given``.
Everything else comes from :func:`rpiq.core.sr.render.value_text`. The SR
model is imported on first use: the dates and names of the empty window's
header and history must not load pydicom's code dictionary.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from pydicom.valuerep import PersonName
from PySide6.QtCore import QDate, QLocale, QTime

from rpiq.gui.workers import serial_imports

if TYPE_CHECKING:
    from collections.abc import Callable

    from rpiq.core.sr.model import ContentNode, ValueType

__all__ = [
    "date_format",
    "format_date",
    "format_datetime",
    "format_number",
    "format_person_name",
    "format_time",
    "node_value",
]

_DATE = re.compile(r"(\d{4})(\d{2})?(\d{2})?")
_TIME = re.compile(r"(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,6}))?")
_DATETIME = re.compile(r"(\d{4,8})(\d{2,6}(?:\.\d{1,6})?)?([+-]\d{4})?")
_TEXT_PREVIEW = 200


def _locale(locale: QLocale | None) -> QLocale:
    return locale if locale is not None else QLocale()


def _is_c(loc: QLocale) -> bool:
    """The "C" locale (no LANG set): use ISO 8601, not its odd short format."""
    return loc.language() == QLocale.Language.C


def format_number(value: float, locale: QLocale | None = None) -> str:
    """A number in the locale, without float noise or a spurious ``.0``."""
    loc = _locale(locale)
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e15):
        return loc.toString(int(value))
    return loc.toString(value, "g", 10)


def _date_format(loc: QLocale) -> str:
    """The locale's short date format with a four-digit year (ISO for "C")."""
    if _is_c(loc):
        return "yyyy-MM-dd"
    fmt = loc.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in fmt:
        fmt = fmt.replace("yy", "yyyy")
    return fmt


def date_format(locale: QLocale | None = None) -> str:
    """The date format used everywhere (history times too)."""
    return _date_format(_locale(locale))


def format_date(text: str, locale: QLocale | None = None) -> str:
    """DA ``YYYYMMDD`` (or a DT's ``YYYY``/``YYYYMM``) in the locale."""
    loc = _locale(locale)
    match = _DATE.fullmatch(text.strip())
    if match is None:
        return text
    year, month, day = match.groups()
    if month is None:
        return year
    if day is None:
        date = QDate(int(year), int(month), 1)
        fmt = "yyyy-MM" if _is_c(loc) else "MMMM yyyy"
        return loc.toString(date, fmt) if date.isValid() else text
    date = QDate(int(year), int(month), int(day))
    return loc.toString(date, _date_format(loc)) if date.isValid() else text


def format_time(text: str, locale: QLocale | None = None) -> str:
    """TM ``HH[MM[SS[.F]]]`` in the locale's short time format (+ seconds)."""
    loc = _locale(locale)
    match = _TIME.fullmatch(text.strip())
    if match is None:
        return text
    hours, minutes, seconds, _fraction = match.groups()
    time = QTime(int(hours), int(minutes or 0), int(seconds or 0))
    if not time.isValid():
        return text
    fmt = "HH:mm" if _is_c(loc) else loc.timeFormat(QLocale.FormatType.ShortFormat)
    if seconds is not None and ":ss" not in fmt:
        fmt = fmt.replace("mm", "mm:ss", 1)
    return loc.toString(time, fmt)


def format_datetime(text: str, locale: QLocale | None = None) -> str:
    """DT in the locale: date, then time if present, then the UTC offset."""
    match = _DATETIME.fullmatch(text.strip())
    if match is None:
        return text
    date, time, offset = match.groups()
    date_len = len(date)
    if date_len not in (4, 6, 8):
        return text
    parts = [format_date(date, locale)]
    if time:
        parts.append(format_time(time, locale))
    if offset:
        parts.append(f"UTC{offset[:3]}:{offset[3:]}")
    return " ".join(parts)


def format_person_name(text: str) -> str:
    """PN ``Family^Given^Middle^Prefix^Suffix`` as ``Family, Given Middle``."""
    try:
        name = PersonName(text)
        family = name.family_name
        given = " ".join(p for p in (name.given_name, name.middle_name) if p)
    except (ValueError, TypeError, AttributeError):
        return text
    if family and given:
        return f"{family}, {given}"
    return family or given or text


class _Sr(NamedTuple):
    """What :func:`node_value` needs from the SR model."""

    value_type: type[ValueType]
    unreadable: str
    by_reference: str
    value_text: Callable[[ContentNode], str]


@cache
def _sr() -> _Sr:
    """The SR model's names, imported on first use and kept.

    Not a function-level import in :func:`node_value`: under PySide6's import
    hook every ``import`` statement costs a few microseconds per row.
    """
    with serial_imports():
        from rpiq.core.sr.model import BY_REFERENCE, UNREADABLE, ValueType
        from rpiq.core.sr.render import value_text

    return _Sr(ValueType, UNREADABLE, BY_REFERENCE, value_text)


def _text_preview(text: str) -> str:
    flat = " ↵ ".join(line for line in text.splitlines() if line.strip()) or text
    if len(flat) > _TEXT_PREVIEW:
        return flat[: _TEXT_PREVIEW - 1] + "…"
    return flat


def _num_value(node: ContentNode, locale: QLocale | None) -> str:
    value = node.value
    text = (
        format_number(value, locale) if isinstance(value, int | float) else "no value"
    )
    if node.qualifier is not None:
        text += f" ({node.qualifier.meaning})"
    return text


def node_value(node: ContentNode, locale: QLocale | None = None) -> str:
    """The Value column text of one item (units are a separate column)."""
    sr = _sr()
    value_type = sr.value_type
    value_text = sr.value_text
    value = node.value
    kind = node.value_type
    if kind == value_type.NUM:
        return _num_value(node, locale)
    if kind == sr.unreadable:
        return node.problem or "unreadable"
    if kind == sr.by_reference:
        return f"refers to item {value}"
    if not isinstance(value, str):
        return value_text(node)
    formatters = {
        value_type.TEXT: _text_preview,
        value_type.DATE: lambda t: format_date(t, locale),
        value_type.TIME: lambda t: format_time(t, locale),
        value_type.DATETIME: lambda t: format_datetime(t, locale),
        value_type.PNAME: format_person_name,
    }
    formatter = formatters.get(kind)  # type: ignore[call-overload]
    return formatter(value) if formatter is not None else value_text(node)
