"""Field names, labels and JSON coercion shared by AE profiles (PS3.5, PS3.8)."""

from __future__ import annotations

from collections.abc import Mapping

from pydicom.charset import python_encoding

from rpiq.core.errors import ValidationError

SCHEMA_VERSION = 1
AE_TITLE_MAX = 16
MAX_PDU_MIN = 4096
MAX_PDU_MAX = 2**32 - 1
PORT_MAX = 65535

FIELD_LABELS: dict[str, str] = {
    "name": "Profile name",
    "called_ae": "Called AE title",
    "host": "Host",
    "port": "Port",
    "calling_ae": "Calling AE title",
    "connect_timeout": "Connect timeout",
    "acse_timeout": "Association timeout",
    "dimse_timeout": "DIMSE timeout",
    "network_timeout": "Network timeout",
    "max_pdu": "Maximum PDU size",
    "tls": "TLS settings",
    "tls.ca_file": "CA certificate file",
    "tls.cert_file": "Client certificate file",
    "tls.key_file": "Client key file",
    "tls.verify": "Verify server certificate",
    "character_set": "Character set",
}
"""User-facing label of every field that a :class:`ValidationError` may name."""

_KNOWN_CHARSETS = frozenset(python_encoding)
_TIMEOUTS = ("connect_timeout", "acse_timeout", "dimse_timeout", "network_timeout")
# JSON key -> expected kind, for from_dict (``tls`` is handled separately).
_PROFILE_KINDS: dict[str, str] = {
    "name": "str",
    "called_ae": "str",
    "host": "str",
    "port": "int",
    "calling_ae": "str",
    "connect_timeout": "float",
    "acse_timeout": "float",
    "dimse_timeout": "float",
    "network_timeout": "float",
    "max_pdu": "int",
    "character_set": "str?",
}
_TLS_KINDS: dict[str, str] = {
    "ca_file": "str?",
    "cert_file": "str?",
    "key_file": "str?",
    "verify": "bool",
}
_KIND_WORDS = {
    "str": "text",
    "str?": "text or null",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
}


def _label(key: str) -> str:
    return FIELD_LABELS.get(key, key)


def _json_type(value: object) -> str:
    """Describe a JSON value's type the way a user editing the file sees it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _coerce(key: str, value: object, kind: str) -> object:
    """Return ``value`` as ``kind`` or raise a field-named ValidationError."""
    ok = {
        "str": isinstance(value, str),
        "str?": value is None or isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
    }[kind]
    if not ok:
        raise ValidationError(
            key,
            f"{_label(key)} must be {_KIND_WORDS[kind]}, "
            f"not {_json_type(value)} ({value!r})",
        )
    if kind == "float":
        return float(value)  # type: ignore[arg-type]
    return value


def _mapping(key: str, data: object) -> Mapping[str, object]:
    if not isinstance(data, Mapping):
        raise ValidationError(
            key, f"{_label(key)} must be a JSON object, not {_json_type(data)}"
        )
    return data


def _strip_or_none(value: str | None) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
