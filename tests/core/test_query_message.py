"""Reading DIMSE messages from P-DATA-TF PDUs without pynetdicom's DIMSE provider.

The command sets and PDUs here are made by pynetdicom's own encoders, so the
decoder is checked against what a pynetdicom peer really sends.
"""

from __future__ import annotations

import struct
from io import BytesIO
from typing import TYPE_CHECKING, cast

import pytest
from pydicom.dataset import Dataset
from pynetdicom.dimse_messages import C_ECHO_RSP, C_FIND_RSP, C_STORE_RQ, DIMSEMessage
from pynetdicom.dimse_primitives import C_ECHO, C_FIND, C_STORE
from pynetdicom.dsutils import encode
from pynetdicom.pdu import P_DATA_TF

from rpiq.core.net.direct import DirectLink, LinkLost
from rpiq.core.query.message import (
    Command,
    CommandError,
    MessageReader,
    decode_command,
)
from rpiq.core.status import RpiqStatus

if TYPE_CHECKING:
    from collections.abc import Callable

GENERAL_RPI = "1.2.840.10008.5.1.4.37.1"
LIMIT = 1 << 20


def _identifier() -> bytes:
    ds = Dataset()
    ds.PatientID = "PAT-1"
    ds.PatientName = "DOE^JANE"
    encoded = encode(ds, False, True)
    assert encoded is not None
    return encoded


def _find_rsp(
    status: int,
    identifier: bytes | None = None,
    *,
    comment: str | None = None,
    offending: list[int] | None = None,
) -> tuple[C_FIND_RSP, C_FIND]:
    primitive = C_FIND()
    primitive.MessageIDBeingRespondedTo = 7
    primitive.AffectedSOPClassUID = GENERAL_RPI
    primitive.Status = status
    if identifier is not None:
        primitive.Identifier = BytesIO(identifier)
    if comment is not None:
        primitive.ErrorComment = comment  # type: ignore[assignment]
    if offending is not None:
        primitive.OffendingElement = offending  # type: ignore[assignment]
    message = C_FIND_RSP()
    message.primitive_to_message(primitive)
    return message, primitive


def _pdv_lists(
    message: DIMSEMessage, context_id: int = 1, max_pdu: int = 16384
) -> list[list[tuple[int, bytes]]]:
    return [
        p.presentation_data_value_list for p in message.encode_msg(context_id, max_pdu)
    ]


def _pdu(pdvs: list[tuple[int, bytes]]) -> bytes:
    """The body of one P-DATA-TF PDU holding ``pdvs`` (PS3.8 9.3.5)."""
    return b"".join(struct.pack(">LB", len(data) + 1, ctx) + data for ctx, data in pdvs)


class _Link:
    """Hands out prepared PDU bodies as :meth:`DirectLink.read_pdu` would."""

    def __init__(self, bodies: list[bytes]) -> None:
        self.bodies = list(bodies)
        self.polls = 0

    def read_pdu(self, poll: Callable[[], None]) -> tuple[int, bytes]:
        poll()
        if not self.bodies:
            raise AssertionError("read past the prepared PDUs")
        return 4, self.bodies.pop(0)


def _reader(bodies: list[bytes], max_bytes: int = LIMIT) -> MessageReader:
    link = cast("DirectLink", _Link(bodies))
    return MessageReader(link, 1, max_bytes, "too large")


def _read(reader: MessageReader) -> tuple[Command, bytes | None]:
    return reader.read(lambda: None)


# ---------------------------------------------------------------- command sets


def test_pending_command_decodes_like_pydicom():
    message, _ = _find_rsp(int(RpiqStatus.PENDING), _identifier())
    command_pdv = _pdv_lists(message)[0][0][1]
    command = decode_command(command_pdv[1:])  # after the control header
    assert command.field == 0x8020
    assert command.responding_to == 7
    assert command.status == 0xFF00
    assert command.has_data_set
    assert command.sop_class == GENERAL_RPI
    assert command.name == "C-FIND response"


def test_failure_command_keeps_error_comment_and_offending_elements():
    message, _ = _find_rsp(
        0xC200, comment="Template 9999 unknown", offending=[0x0040DB00, 0x00100020]
    )
    command_pdv = _pdv_lists(message)[0][0][1]
    command = decode_command(command_pdv[1:])
    assert command.status == 0xC200
    assert command.error_comment == "Template 9999 unknown"
    assert command.offending == (0x0040DB00, 0x00100020)
    assert not command.has_data_set


def _request_command(message: DIMSEMessage, primitive: C_STORE | C_ECHO) -> Command:
    message.primitive_to_message(primitive)
    return decode_command(_pdv_lists(message)[0][0][1][1:])


def test_other_messages_are_named_for_the_user():
    store = C_STORE()
    store.MessageID = 3
    store.AffectedSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    store.AffectedSOPInstanceUID = "1.2.3"
    store.Priority = 2
    store.DataSet = BytesIO(_identifier())
    assert _request_command(C_STORE_RQ(), store).name == "C-STORE request"
    echo = C_ECHO()
    echo.MessageIDBeingRespondedTo = 1
    echo.AffectedSOPClassUID = "1.2.840.10008.1.1"
    echo.Status = 0
    assert _request_command(C_ECHO_RSP(), echo).name == "C-ECHO response"
    assert Command(field=5).name == "DIMSE request with Command Field 5"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x00\x00\x01\x02",  # truncated element header
        struct.pack("<HHL", 0, 0x0100, 20) + b"\x20\x80",  # value past the end
        struct.pack("<HHL", 8, 0x0016, 2) + b"ab",  # not group 0000
        struct.pack("<HHL", 0, 0x0900, 2) + b"\x00\x00",  # no Command Field
        struct.pack("<HHL", 0, 0x0100, 4) + b"\x20\x80\x00\x00",  # US of 4 bytes
    ],
    ids=["empty", "truncated", "overrun", "not-group-0", "no-field", "bad-us"],
)
def test_malformed_command_sets_are_refused(data):
    with pytest.raises(CommandError):
        decode_command(data)


# ---------------------------------------------------------------- assembly


def test_message_in_several_pdus_is_assembled():
    identifier = _identifier() * 40
    message, _ = _find_rsp(int(RpiqStatus.PENDING), identifier)
    bodies = [_pdu(pdvs) for pdvs in _pdv_lists(message, max_pdu=256)]
    assert len(bodies) > 3
    command, data_set = _read(_reader(bodies))
    assert command.status == 0xFF00
    assert data_set == identifier


def test_two_messages_in_one_pdu_are_both_read():
    """PS3.8 9.3.5 allows several PDVs per PDU; pynetdicom itself drops the rest."""
    pending, _ = _find_rsp(int(RpiqStatus.PENDING), _identifier())
    success, _ = _find_rsp(int(RpiqStatus.SUCCESS))
    pdvs = [pdv for pdu in _pdv_lists(pending) + _pdv_lists(success) for pdv in pdu]
    reader = _reader([_pdu(pdvs)])
    first, data_set = _read(reader)
    second, nothing = _read(reader)
    assert (first.status, second.status) == (0xFF00, 0)
    assert data_set == _identifier()
    assert nothing is None


def _lost(bodies: list[bytes], max_bytes: int = LIMIT) -> LinkLost:
    with pytest.raises(LinkLost) as caught:
        _read(_reader(bodies, max_bytes))
    return caught.value


def test_response_on_another_context_is_a_protocol_error():
    message, _ = _find_rsp(int(RpiqStatus.SUCCESS))
    lost = _lost([_pdu(pdvs) for pdvs in _pdv_lists(message, context_id=3)])
    assert lost.kind == "protocol"
    assert "presentation context 3" in lost.message


def test_data_set_before_its_command_is_a_protocol_error():
    lost = _lost([_pdu([(1, b"\x02" + _identifier())])])
    assert lost.kind == "protocol"
    assert "cannot be decoded" in lost.message


def test_message_over_the_limit_stops_before_it_is_all_read():
    message, _ = _find_rsp(int(RpiqStatus.PENDING), _identifier() * 100)
    bodies = [_pdu(pdvs) for pdvs in _pdv_lists(message, max_pdu=512)]
    link = _Link(bodies)
    reader = MessageReader(cast("DirectLink", link), 1, 2000, "too large")
    with pytest.raises(LinkLost) as caught:
        reader.read(lambda: None)
    assert caught.value.kind == "too-large"
    assert link.bodies  # the rest was never read


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (struct.pack(">LB", 1, 1), "cannot be decoded"),
        (struct.pack(">LBB", 5000, 1, 3) + b"x", "not valid"),
        (b"\x00\x00", "cannot be decoded"),
    ],
    ids=["pdv-without-control-header", "pdv-longer-than-pdu", "short-item-header"],
)
def test_malformed_pdv_items_are_protocol_errors(body, words):
    lost = _lost([body])
    assert lost.kind == "protocol"
    assert words in lost.message


def test_poll_is_called_for_every_pdu_read():
    message, _ = _find_rsp(int(RpiqStatus.PENDING), _identifier())
    bodies = [_pdu(pdvs) for pdvs in _pdv_lists(message)]
    calls: list[int] = []
    reader = _reader(bodies)
    reader.read(lambda: calls.append(1))
    assert len(calls) == len(bodies)


def test_pdus_made_by_pynetdicom_parse_as_sent():
    """The PDU body layout used above is what pynetdicom puts on the wire."""
    message, _ = _find_rsp(int(RpiqStatus.SUCCESS))
    primitive = next(iter(message.encode_msg(1, 16384)))
    pdu = P_DATA_TF()
    pdu.from_primitive(primitive)
    assert pdu.encode()[6:] == _pdu(primitive.presentation_data_value_list)
