"""Data set bytes written by hand, so any tag, VR, length or nesting can be wrong.

PS3.5 7.1 (data elements), 7.5 (sequences and items): :func:`element` writes
one element in explicit or implicit VR, little or big endian, with an optional
false length; :func:`sequence` and :func:`item` nest with defined or undefined
lengths. :func:`rpi_identifier` is a valid RPI request (PS3.4 Q.4.3.1) to start
mutations from.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

UNDEFINED = 0xFFFFFFFF
LONG_VRS = frozenset(
    {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR"}
    | {b"UT", b"UV"}
)
ITEM, ITEM_END, SEQUENCE_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD


@dataclass(frozen=True, slots=True)
class Syntax:
    """How to encode: explicit or implicit VR, little or big endian."""

    explicit: bool = True
    little: bool = True


def _tag(tag: int, syntax: Syntax) -> bytes:
    order = "<" if syntax.little else ">"
    return struct.pack(f"{order}HH", tag >> 16, tag & 0xFFFF)


def element(
    tag: int, vr: bytes, value: bytes, syntax: Syntax, length: int | None = None
) -> bytes:
    """One data element; ``length`` replaces the true value length."""
    order = "<" if syntax.little else ">"
    size = len(value) if length is None else length
    if not syntax.explicit:
        return _tag(tag, syntax) + struct.pack(f"{order}L", size & 0xFFFFFFFF) + value
    if vr in LONG_VRS:
        head = vr + b"\0\0" + struct.pack(f"{order}L", size & 0xFFFFFFFF)
    else:
        head = vr[:2].ljust(2, b"\0") + struct.pack(f"{order}H", size & 0xFFFF)
    return _tag(tag, syntax) + head + value


def marker(tag: int, syntax: Syntax, length: int = 0) -> bytes:
    """An item or delimiter tag: never a VR (PS3.5 7.5)."""
    order = "<" if syntax.little else ">"
    return _tag(tag, syntax) + struct.pack(f"{order}L", length & 0xFFFFFFFF)


def item(content: bytes, syntax: Syntax, defined: bool = True) -> bytes:
    """A sequence item with a defined length, or undefined plus its delimiter."""
    if defined:
        return marker(ITEM, syntax, len(content)) + content
    return marker(ITEM, syntax, UNDEFINED) + content + marker(ITEM_END, syntax)


def sequence(
    tag: int, items: list[bytes], syntax: Syntax, defined: bool = True
) -> bytes:
    """An SQ element around already encoded ``items``."""
    body = b"".join(items)
    if defined:
        return element(tag, b"SQ", body, syntax)
    return element(tag, b"SQ", body, syntax, UNDEFINED) + marker(SEQUENCE_END, syntax)


def text(value: str) -> bytes:
    """A text value padded to even length with a space."""
    raw = value.encode("utf-8", "surrogateescape")
    return raw + b" " if len(raw) % 2 else raw


# Tags of an RPI request identifier (PS3.4 Table Q.4-1).
SPECIFIC_CHARACTER_SET = 0x00080005
MAPPING_RESOURCE = 0x00080105
PATIENT_NAME = 0x00100010
PATIENT_ID = 0x00100020
ISSUER = 0x00100021
BIRTH_DATE = 0x00100030
SEX = 0x00100040
VALUE_TYPE = 0x0040A040
CONCEPT_NAME = 0x0040A043
CONTENT_TEMPLATE = 0x0040A504
CONTENT_SEQUENCE = 0x0040A730
TEMPLATE_ID = 0x0040DB00

RPI_VRS: dict[int, bytes] = {
    SPECIFIC_CHARACTER_SET: b"CS",
    MAPPING_RESOURCE: b"CS",
    PATIENT_NAME: b"PN",
    PATIENT_ID: b"LO",
    ISSUER: b"LO",
    BIRTH_DATE: b"DA",
    SEX: b"CS",
    VALUE_TYPE: b"CS",
    CONCEPT_NAME: b"SQ",
    CONTENT_TEMPLATE: b"SQ",
    CONTENT_SEQUENCE: b"SQ",
    TEMPLATE_ID: b"CS",
}


def template_item(syntax: Syntax, tid: str = "9007", resource: str = "DCMR") -> bytes:
    """The one Content Template Sequence item: Mapping Resource and TID."""
    return item(
        element(MAPPING_RESOURCE, b"CS", text(resource), syntax)
        + element(TEMPLATE_ID, b"CS", text(tid), syntax),
        syntax,
    )


def rpi_identifier(
    syntax: Syntax,
    patient_id: str = "DEMO-001",
    tid: str = "9007",
    charset: bytes | None = None,
) -> bytes:
    """A valid RPI request identifier, elements in ascending tag order."""
    parts = []
    if charset is not None:
        parts.append(element(SPECIFIC_CHARACTER_SET, b"CS", charset, syntax))
    parts += [
        element(PATIENT_NAME, b"PN", b"", syntax),
        element(PATIENT_ID, b"LO", text(patient_id), syntax),
        element(ISSUER, b"LO", b"", syntax),
        element(BIRTH_DATE, b"DA", b"", syntax),
        element(SEX, b"CS", b"", syntax),
        element(VALUE_TYPE, b"CS", b"", syntax),
        sequence(CONCEPT_NAME, [], syntax),
        sequence(CONTENT_TEMPLATE, [template_item(syntax, tid)], syntax),
        sequence(CONTENT_SEQUENCE, [], syntax),
    ]
    return b"".join(parts)
