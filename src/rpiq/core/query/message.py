"""Read one DIMSE message from P-DATA-TF PDUs and decode its command set.

A message is a command set, then (unless Command Data Set Type is 0101H) a
data set, each sent as PDV fragments whose message control header says which
it is and whether it is the last (PS3.8 9.3.5, Annex E.2). The command set is
a handful of group 0000 elements in Implicit VR Little Endian (PS3.7 6.3.1,
Annex E); it is decoded here by hand, which is what lets the query thread
read an answer without pynetdicom's DIMSE provider (see
:mod:`rpiq.core.net.direct`). The data set stays bytes for the caller.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from pynetdicom.dimse_messages import _MESSAGE_TYPES

from rpiq.core.net.command import (
    AFFECTED_SOP_CLASS,
    COMMAND_FIELD,
    DATA_SET_TYPE,
    ERROR_COMMENT,
    MESSAGE_ID,
    NO_DATA_SET,
    OFFENDING,
    RESPONDING_TO,
    RESPONSE_BIT,
    STATUS,
)
from rpiq.core.net.direct import INVALID_PDU, LinkLost

if TYPE_CHECKING:
    from collections.abc import Callable

    from rpiq.core.net.direct import DirectLink

_ELEMENT: Final = struct.Struct("<HHL")
_PDV: Final = struct.Struct(">LBB")
_COMMAND_BIT, _LAST_BIT = 1, 2


class CommandError(ValueError):
    """A command set that cannot be decoded."""


@dataclass(frozen=True, slots=True)
class Command:
    """The elements of a command set that an SCU reads (PS3.7 E.1, E.2).

    Attributes
    ----------
    field : int
        Command Field (0000,0100).
    message_id, responding_to : int or None
        Message ID (0000,0110) / Message ID Being Responded To (0000,0120).
    data_set_type : int
        Command Data Set Type (0000,0800).
    status : int or None
        Status (0000,0900).
    error_comment : str or None
        Error Comment (0000,0902).
    offending : tuple of int
        Offending Element (0000,0901), as 32-bit tags.
    sop_class : str or None
        Affected SOP Class UID (0000,0002).
    """

    field: int
    message_id: int | None = None
    responding_to: int | None = None
    data_set_type: int = NO_DATA_SET
    status: int | None = None
    error_comment: str | None = None
    offending: tuple[int, ...] = ()
    sop_class: str | None = None

    @property
    def has_data_set(self) -> bool:
        """True when a data set follows the command set (PS3.7 E.1)."""
        return self.data_set_type != NO_DATA_SET

    @property
    def name(self) -> str:
        """``C-FIND response``, ``C-STORE request``... for messages to the user."""
        known = _MESSAGE_TYPES.get(self.field)
        if known is None:
            kind = "response" if self.field & RESPONSE_BIT else "request"
            return f"DIMSE {kind} with Command Field {self.field}"
        base, _, suffix = known[0].rpartition("-")
        return f"{base} {'response' if suffix == 'RSP' else 'request'}"


def _text(value: bytes) -> str:
    # LO/UI values are padded with a space or NUL (PS3.5 6.2); the default
    # character repertoire is ASCII, latin-1 never fails on a peer's bytes.
    return value.decode("latin-1").rstrip(" \x00")


def _us(value: bytes) -> int:
    if len(value) != 2:
        raise CommandError(f"a US element of {len(value)} bytes")
    return int.from_bytes(value, "little")


def decode_command(data: bytes) -> Command:
    """Decode a command set (Implicit VR Little Endian, group 0000).

    Raises
    ------
    CommandError
        Truncated or not group 0000, or no Command Field.
    """
    values: dict[int, bytes] = {}
    pos, end = 0, len(data)
    while pos < end:
        if end - pos < _ELEMENT.size:
            raise CommandError("a truncated element header")
        group, element, length = _ELEMENT.unpack_from(data, pos)
        pos += _ELEMENT.size
        if group != 0 or length > end - pos:
            raise CommandError(
                f"element ({group:04X},{element:04X}) of {length} bytes "
                "is not a command element that fits the command set"
            )
        values[element] = data[pos : pos + length]
        pos += length
    if COMMAND_FIELD not in values:
        raise CommandError("no Command Field (0000,0100)")
    offending = values.get(OFFENDING, b"")
    if len(offending) % 4:
        raise CommandError("an Offending Element that is not a list of tags")
    tags = struct.unpack(f"<{len(offending) // 2}H", offending)
    comment = values.get(ERROR_COMMENT)
    sop_class = values.get(AFFECTED_SOP_CLASS)
    return Command(
        field=_us(values[COMMAND_FIELD]),
        message_id=_us(values[MESSAGE_ID]) if MESSAGE_ID in values else None,
        responding_to=(_us(values[RESPONDING_TO]) if RESPONDING_TO in values else None),
        data_set_type=(
            _us(values[DATA_SET_TYPE]) if DATA_SET_TYPE in values else NO_DATA_SET
        ),
        status=_us(values[STATUS]) if STATUS in values else None,
        error_comment=_text(comment) if comment else None,
        offending=tuple((tags[i] << 16) | tags[i + 1] for i in range(0, len(tags), 2)),
        sop_class=_text(sop_class) if sop_class is not None else None,
    )


def _undecodable(detail: str) -> LinkLost:
    return LinkLost(
        "protocol",
        f"The peer sent a DIMSE message that cannot be decoded (PS3.8 Annex E, "
        f"PS3.7 6.3: {detail}); the association was aborted.",
    )


@dataclass
class _Assembly:
    """Fragments of one message as they arrive."""

    max_bytes: int
    too_large: str
    command: bytearray = field(default_factory=bytearray)
    data_set: bytearray = field(default_factory=bytearray)
    decoded: Command | None = None
    complete: bool = False
    size: int = 0

    def add(self, control: int, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise LinkLost("too-large", self.too_large)
        last = bool(control & _LAST_BIT)
        if control & _COMMAND_BIT:
            if self.decoded is not None:
                raise _undecodable("a command fragment after the last one")
            self.command += data
            if last:
                try:
                    self.decoded = decode_command(bytes(self.command))
                except CommandError as exc:
                    raise _undecodable(str(exc)) from None
                self.complete = not self.decoded.has_data_set
            return
        if self.decoded is None or not self.decoded.has_data_set:
            raise _undecodable("a data set fragment where none belongs")
        self.data_set += data
        self.complete = last


def _pdvs(body: bytes) -> list[tuple[int, int, bytes]]:
    """The ``(context ID, control header, data)`` items of a P-DATA-TF body."""
    items: list[tuple[int, int, bytes]] = []
    pos, end = 0, len(body)
    while pos < end:
        if end - pos < _PDV.size:
            raise _undecodable("a PDV item without its header")
        length, context_id, control = _PDV.unpack_from(body, pos)
        if length < 2:
            raise _undecodable("a PDV item without its message control header")
        if length > end - pos - 4:
            raise LinkLost("protocol", INVALID_PDU)
        items.append((context_id, control, body[pos + _PDV.size : pos + 4 + length]))
        pos += 4 + length
    if not items:
        raise _undecodable("a P-DATA-TF PDU without a PDV item")
    return items


class MessageReader:
    """Read whole messages from a link's P-DATA-TF PDUs, one after another.

    One PDU may carry the end of one message and the start of the next
    (PS3.8 9.3.5: one or more PDV items); the rest is kept for the next read.

    Parameters
    ----------
    link : DirectLink
        Where the PDUs come from.
    context_id : int
        The presentation context of our request; a response on another is
        a protocol error (PS3.7 9.3.2.2 responds on the request's context).
    max_bytes : int
        Largest message (command and data set) accepted.
    too_large : str
        The message for the user when one is larger.
    """

    def __init__(
        self, link: DirectLink, context_id: int, max_bytes: int, too_large: str
    ) -> None:
        self._link = link
        self._context_id = context_id
        self._max_bytes = max_bytes
        self._too_large = too_large
        self._left: list[tuple[int, int, bytes]] = []

    def read(self, poll: Callable[[], None]) -> tuple[Command, bytes | None]:
        """The next message: its command set and data set (``None``: none).

        ``poll`` is the deadline and cancel check of
        :meth:`~rpiq.core.net.direct.DirectLink.read_pdu`.
        """
        message = _Assembly(self._max_bytes, self._too_large)
        while not message.complete:
            if not self._left:
                _, body = self._link.read_pdu(poll)
                self._left = _pdvs(body)
            pdv_context, control, data = self._left.pop(0)
            if pdv_context != self._context_id:
                raise _undecodable(
                    f"a PDV on presentation context {pdv_context}, our request "
                    f"was on {self._context_id}"
                )
            message.add(control, data)
        assert message.decoded is not None
        data_set = bytes(message.data_set) if message.decoded.has_data_set else None
        return message.decoded, data_set
