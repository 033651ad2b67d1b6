"""Per-field checks of AE profiles, with messages naming the field (PS3.5 6.2)."""

from __future__ import annotations

import math

from rpiq.core.profiles.fields import (
    _KNOWN_CHARSETS,
    AE_TITLE_MAX,
    MAX_PDU_MAX,
    MAX_PDU_MIN,
    PORT_MAX,
    _json_type,
)


def _ae_title_problem(value: object) -> str | None:
    """Why ``value`` is not a valid AE title (PS3.5 AE VR), or ``None``."""
    if not isinstance(value, str):
        return f"must be text, not {_json_type(value)}"
    if not value:
        return "must not be empty or only spaces"
    if len(value) > AE_TITLE_MAX:
        return (
            f"{value!r} is {len(value)} characters long; "
            f"at most {AE_TITLE_MAX} are allowed"
        )
    if "\\" in value:
        return "must not contain a backslash (\\)"
    control = next((c for c in value if ord(c) < 32 or ord(c) == 127), None)
    if control is not None:
        return f"must not contain control characters (found U+{ord(control):04X})"
    if not value.isascii():
        return "may only use ASCII letters, digits, spaces and punctuation"
    return None


def _port_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be a whole number from 1 to {PORT_MAX}, not {value!r}"
    if not 1 <= value <= PORT_MAX:
        return f"must be from 1 to {PORT_MAX}, not {value}"
    return None


def _timeout_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number of seconds, not {value!r}"
    if not math.isfinite(value) or value <= 0:
        return f"must be a positive number of seconds, not {value}"
    return None


def _max_pdu_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be a whole number of bytes, not {value!r}"
    if value != 0 and not MAX_PDU_MIN <= value <= MAX_PDU_MAX:
        return (
            f"must be 0 (unlimited) or from {MAX_PDU_MIN} to {MAX_PDU_MAX} "
            f"bytes, not {value}"
        )
    return None


def _host_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"must be text, not {_json_type(value)}"
    if not value:
        return "must not be empty"
    if any(c.isspace() or not c.isprintable() for c in value):
        return f"must not contain spaces or control characters ({value!r})"
    return None


def _name_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"must be text, not {_json_type(value)}"
    if not value:
        return "must not be empty"
    if not value.isprintable():
        return "must not contain control characters"
    return None


def _charset_problem(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return f"must be text or empty, not {_json_type(value)}"
    terms = value.split("\\")
    unknown = [term for term in terms if term not in _KNOWN_CHARSETS]
    if unknown:
        return (
            f"{unknown[0]!r} is not a DICOM character set; use a defined term "
            "such as 'ISO_IR 192' (UTF-8) or 'ISO_IR 100' (Latin-1)"
        )
    if len(terms) > 1 and not all(
        term.startswith("ISO 2022") or (index == 0 and not term)
        for index, term in enumerate(terms)
    ):
        return "only 'ISO 2022 …' character sets can be combined with a backslash"
    return None
