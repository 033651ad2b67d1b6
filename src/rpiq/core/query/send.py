"""Send a C-FIND-RQ without re-encoding anything that does not change (PS3.7 9.3.2.1).

pynetdicom's ``send_c_find`` builds a validated primitive, turns it into a
message, and encodes the command set with pydicom twice (once more to compute
Command Group Length): ~0.4 ms, the largest part of sending a query on a held
association. The command set of a C-FIND-RQ is six fixed elements in
Implicit VR Little Endian (PS3.7 6.3.1, 9.3.2.1, Annex E), so it is packed
here directly; the identifier comes already encoded. Fragmentation into
P-DATA-TF PDVs follows PS3.8 9.3.5 and E.2 as pynetdicom does (a test
compares the bytes with pynetdicom's own encoding).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Final

from pynetdicom.pdu_primitives import P_DATA

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pynetdicom.association import Association

C_FIND_RQ: Final = 0x20
"""Command Field of a C-FIND-RQ (PS3.7 Table E.1-1)."""

PRIORITY_LOW: Final = 2
"""Priority LOW (PS3.7 9.1.2.1.4), pynetdicom's default."""

DATA_SET_PRESENT: Final = 1
"""Command Data Set Type: any value but 257 (0101H, "no data set") means one
follows (PS3.7 E.1)."""

# Command elements (PS3.7 Table E.1-1), as 32-bit tags.
_GROUP_LENGTH: Final = 0x00000000
_AFFECTED_SOP_CLASS: Final = 0x00000002
_COMMAND_FIELD: Final = 0x00000100
_MESSAGE_ID: Final = 0x00000110
_PRIORITY: Final = 0x00000700
_DATA_SET_TYPE: Final = 0x00000800

_US: Final = struct.Struct("<HHLH")
_UL: Final = struct.Struct("<HHLL")
_HEADER: Final = struct.Struct("<HHL")
_PDV_OVERHEAD: Final = 6  # item length (4), context ID (1), control header (1)
_COMMAND, _LAST = 0x01, 0x02  # PDV message control header bits (PS3.8 E.2)


def _uid_element(tag: int, uid: str) -> bytes:
    value = uid.encode("ascii")
    if len(value) % 2:
        value += b"\x00"  # UI values are padded with NUL (PS3.5 6.2)
    return _HEADER.pack(*divmod(tag, 1 << 16), len(value)) + value


def _us_element(tag: int, value: int) -> bytes:
    return _US.pack(*divmod(tag, 1 << 16), 2, value)


def find_command(
    msg_id: int, sop_class_uid: str, priority: int = PRIORITY_LOW
) -> bytes:
    """The command set of a C-FIND-RQ in Implicit VR Little Endian.

    Parameters
    ----------
    msg_id : int
        Message ID (0000,0110), 1-65535.
    sop_class_uid : str
        Affected SOP Class UID (0000,0002).
    priority : int
        Priority (0000,0700).

    Returns
    -------
    bytes
        Command Group Length (0000,0000) first, then the elements in tag order.
    """
    body = b"".join(
        (
            _uid_element(_AFFECTED_SOP_CLASS, sop_class_uid),
            _us_element(_COMMAND_FIELD, C_FIND_RQ),
            _us_element(_MESSAGE_ID, msg_id),
            _us_element(_PRIORITY, priority),
            _us_element(_DATA_SET_TYPE, DATA_SET_PRESENT),
        )
    )
    return _UL.pack(*divmod(_GROUP_LENGTH, 1 << 16), 4, len(body)) + body


def _fragments(data: bytes, size: int) -> Iterator[tuple[bytes, bool]]:
    """``data`` in pieces of at most ``size`` bytes, each with "is last"."""
    if size <= 0:
        yield data, True
        return
    for start in range(0, len(data), size):
        yield data[start : start + size], start + size >= len(data)


def pdata_list(
    context_id: int, command: bytes, identifier: bytes, max_pdu: int
) -> list[P_DATA]:
    """The P-DATA primitives carrying one message, one PDV each (PS3.8 9.3.5).

    Parameters
    ----------
    context_id : int
        The presentation context of the message.
    command, identifier : bytes
        The encoded command set and data set.
    max_pdu : int
        The peer's Maximum Length (0: no limit); each PDV fits in it.
    """
    size = max_pdu - _PDV_OVERHEAD if max_pdu else 0
    out: list[P_DATA] = []
    for data, control in ((command, _COMMAND), (identifier, 0)):
        for fragment, last in _fragments(data, size):
            pdata = P_DATA()
            header = control | (_LAST if last else 0)
            pdata.presentation_data_value_list.append(
                (context_id, bytes((header,)) + fragment)
            )
            out.append(pdata)
    return out


def send_find(
    assoc: Association,
    context_id: int,
    msg_id: int,
    sop_class_uid: str,
    identifier: bytes,
) -> None:
    """Queue a C-FIND-RQ with an already encoded identifier for sending.

    The association's reactor must not be reading DIMSE messages (ours is
    parked, :mod:`rpiq.core.net.reactor`); the DUL thread sends the PDUs.
    """
    command = find_command(msg_id, sop_class_uid)
    max_pdu = int(assoc.dimse.maximum_pdu_size or 0)
    for pdata in pdata_list(context_id, command, identifier, max_pdu):
        assoc.dul.send_pdu(pdata)
