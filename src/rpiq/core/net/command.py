"""DIMSE command set elements, packed by hand (PS3.7 6.3.1, Annex E).

A command set is a handful of group 0000 elements, always in Implicit VR
Little Endian, led by Command Group Length. pynetdicom builds each one as a
pydicom Dataset and encodes it twice (once more for the group length): a few
tenths of a millisecond per message, which the SCU pays to send a query
(:mod:`rpiq.core.query.send`) and the SCP to answer a C-STORE
(:mod:`rpiq.core.scp.responses`). Tests compare the bytes with pynetdicom's.
"""

from __future__ import annotations

import struct
from typing import Final

NO_DATA_SET: Final = 257
"""Command Data Set Type (0000,0800) meaning no data set follows (0101H)."""

RESPONSE_BIT: Final = 32768
"""Set in the Command Field of every response (8000H, PS3.7 Table E.1-1)."""

# Command elements (PS3.7 Table E.1-1, E.2-1), as 32-bit tags.
GROUP_LENGTH: Final = 0x00000000
AFFECTED_SOP_CLASS: Final = 0x00000002
COMMAND_FIELD: Final = 0x00000100
MESSAGE_ID: Final = 0x00000110
RESPONDING_TO: Final = 0x00000120
PRIORITY: Final = 0x00000700
DATA_SET_TYPE: Final = 0x00000800
STATUS: Final = 0x00000900
OFFENDING: Final = 0x00000901
ERROR_COMMENT: Final = 0x00000902
AFFECTED_SOP_INSTANCE: Final = 0x00001000

_US: Final = struct.Struct("<HHLH")
_UL: Final = struct.Struct("<HHLL")
_HEADER: Final = struct.Struct("<HHL")


def uid_element(tag: int, uid: str) -> bytes:
    """A UI element; the value padded with NUL to even length (PS3.5 6.2)."""
    value = uid.encode("ascii")
    if len(value) % 2:
        value += b"\x00"
    return _HEADER.pack(*divmod(tag, 1 << 16), len(value)) + value


def us_element(tag: int, value: int) -> bytes:
    """A US element (one unsigned 16-bit value)."""
    return _US.pack(*divmod(tag, 1 << 16), 2, value)


def with_group_length(*elements: bytes) -> bytes:
    """``elements`` (in tag order) after their Command Group Length (0000,0000)."""
    body = b"".join(elements)
    return _UL.pack(*divmod(GROUP_LENGTH, 1 << 16), 4, len(body)) + body
