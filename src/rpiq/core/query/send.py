"""Send a C-FIND-RQ and C-CANCEL-RQ without re-encoding (PS3.7 9.3.2.1, 9.3.2.3).

pynetdicom's ``send_c_find`` builds a validated primitive, turns it into a
message, and encodes the command set with pydicom twice (once more to compute
Command Group Length): ~0.4 ms, the largest part of sending a query on a held
association. The command set of a C-FIND-RQ is six fixed elements in
Implicit VR Little Endian (PS3.7 6.3.1, 9.3.2.1, Annex E), so it is packed
here directly; the identifier comes already encoded. Fragmentation into
P-DATA-TF PDUs follows PS3.8 9.3.5 and E.2 as pynetdicom does, one PDV per
PDU (a test compares the bytes with pynetdicom's own encoding); they are
written by the query thread (:mod:`rpiq.core.net.direct`).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Final

from rpiq.core.net.command import (
    AFFECTED_SOP_CLASS,
    COMMAND_FIELD,
    DATA_SET_TYPE,
    MESSAGE_ID,
    NO_DATA_SET,
    PRIORITY,
    RESPONDING_TO,
    uid_element,
    us_element,
    with_group_length,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rpiq.core.net.direct import DirectLink

C_FIND_RQ: Final = 0x20
"""Command Field of a C-FIND-RQ (PS3.7 Table E.1-1)."""

C_CANCEL_RQ: Final = 4095
"""Command Field of a C-CANCEL-RQ (0FFFH, PS3.7 Table E.1-1)."""

PRIORITY_LOW: Final = 2
"""Priority LOW (PS3.7 9.1.2.1.4), pynetdicom's default."""

DATA_SET_PRESENT: Final = 1
"""Command Data Set Type: any value but 257 (0101H, "no data set") means one
follows (PS3.7 E.1)."""

_PDU: Final = struct.Struct(">BBLLBB")  # PDU header + PDV item header
_P_DATA_TF: Final = 4
_PDV_OVERHEAD: Final = 6  # item length (4), context ID (1), control header (1)
_COMMAND, _LAST = 0x01, 0x02  # PDV message control header bits (PS3.8 E.2)


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
    return with_group_length(
        uid_element(AFFECTED_SOP_CLASS, sop_class_uid),
        us_element(COMMAND_FIELD, C_FIND_RQ),
        us_element(MESSAGE_ID, msg_id),
        us_element(PRIORITY, priority),
        us_element(DATA_SET_TYPE, DATA_SET_PRESENT),
    )


def cancel_command(msg_id: int) -> bytes:
    """The command set of a C-CANCEL-RQ for request ``msg_id`` (PS3.7 9.3.2.3).

    Command Field, Message ID Being Responded To and Command Data Set Type
    "none", after Command Group Length.
    """
    return with_group_length(
        us_element(COMMAND_FIELD, C_CANCEL_RQ),
        us_element(RESPONDING_TO, msg_id),
        us_element(DATA_SET_TYPE, NO_DATA_SET),
    )


def _fragments(data: bytes, size: int) -> Iterator[tuple[bytes, bool]]:
    """``data`` in pieces of at most ``size`` bytes, each with "is last"."""
    if size <= 0:
        yield data, True
        return
    for start in range(0, len(data), size):
        yield data[start : start + size], start + size >= len(data)


def pdata_pdus(
    context_id: int, command: bytes, data_set: bytes | None, max_pdu: int
) -> bytes:
    """The P-DATA-TF PDUs carrying one message, one PDV each (PS3.8 9.3.5, E.2).

    Parameters
    ----------
    context_id : int
        The presentation context of the message.
    command : bytes
        The encoded command set.
    data_set : bytes or None
        The encoded data set, if the message has one.
    max_pdu : int
        The peer's Maximum Length (0: no limit); each PDV fits in it.
    """
    size = max_pdu - _PDV_OVERHEAD if max_pdu else 0
    out: list[bytes] = []
    parts = (
        ((command, _COMMAND), (data_set, 0))
        if data_set is not None
        else ((command, _COMMAND),)
    )
    for data, control in parts:
        for fragment, last in _fragments(data, size):
            header = control | (_LAST if last else 0)
            out.append(
                _PDU.pack(
                    _P_DATA_TF,
                    0,
                    len(fragment) + _PDV_OVERHEAD,
                    len(fragment) + 2,
                    context_id,
                    header,
                )
            )
            out.append(fragment)
    return b"".join(out)


def send_find(
    link: DirectLink,
    context_id: int,
    msg_id: int,
    sop_class_uid: str,
    identifier: bytes,
    max_pdu: int,
    timeout: float | None,
) -> None:
    """Write a C-FIND-RQ with an already encoded identifier to the peer.

    Raises
    ------
    LinkLost
        The connection is gone or the peer did not take it within ``timeout``.
    """
    command = find_command(msg_id, sop_class_uid)
    link.send(pdata_pdus(context_id, command, identifier, max_pdu), timeout)


def send_cancel(
    link: DirectLink, context_id: int, msg_id: int, max_pdu: int, timeout: float | None
) -> None:
    """Write a C-CANCEL-RQ for request ``msg_id`` (PS3.7 9.3.2.3)."""
    link.send(pdata_pdus(context_id, cancel_command(msg_id), None, max_pdu), timeout)
