"""The hand-packed C-FIND-RQ is what pynetdicom itself would put on the wire."""

from __future__ import annotations

from io import BytesIO

import pytest
from pynetdicom.dimse_messages import C_CANCEL_RQ, C_FIND_RQ
from pynetdicom.dimse_primitives import C_CANCEL, C_FIND
from pynetdicom.dsutils import decode, encode
from pynetdicom.pdu import P_DATA_TF

from rpiq.core.query.request import QueryRequest
from rpiq.core.query.send import cancel_command, find_command, pdata_pdus
from rpiq.core.templates import RpiSopClass


def _pdus(message: C_FIND_RQ | C_CANCEL_RQ, context_id: int, max_pdu: int) -> bytes:
    """The P-DATA-TF PDUs pynetdicom's DUL would send for ``message``."""
    out = []
    for primitive in message.encode_msg(context_id, max_pdu):
        pdu = P_DATA_TF()
        pdu.from_primitive(primitive)
        out.append(pdu.encode())
    return b"".join(out)


def _pynetdicom_pdus(
    context_id: int, msg_id: int, uid: str, identifier: bytes, max_pdu: int
) -> bytes:
    primitive = C_FIND()
    primitive.MessageID = msg_id
    primitive.AffectedSOPClassUID = uid
    primitive.Priority = 2
    primitive.Identifier = BytesIO(identifier)
    message = C_FIND_RQ()
    message.primitive_to_message(primitive)
    return _pdus(message, context_id, max_pdu)


def _encoded(request: QueryRequest) -> bytes:
    encoded = encode(request.to_identifier(), False, True)
    assert encoded is not None
    return encoded


@pytest.mark.parametrize("sop_class", list(RpiSopClass))
@pytest.mark.parametrize("msg_id", [1, 2, 255, 256, 65535])
def test_command_set_matches_pynetdicom(sop_class, msg_id):
    identifier = _encoded(QueryRequest("PAT-1"))
    ours = pdata_pdus(3, find_command(msg_id, sop_class.uid), identifier, 16384)
    assert ours == _pynetdicom_pdus(3, msg_id, sop_class.uid, identifier, 16384)


@pytest.mark.parametrize("max_pdu", [0, 64, 100, 4096])
def test_fragments_match_pynetdicom_for_any_maximum_length(max_pdu):
    request = QueryRequest("PAT-1", return_keys=("PatientAge", "PatientWeight"))
    identifier = _encoded(request)
    uid = RpiSopClass.CARDIAC.uid
    ours = pdata_pdus(1, find_command(7, uid), identifier, max_pdu)
    assert ours == _pynetdicom_pdus(1, 7, uid, identifier, max_pdu)


@pytest.mark.parametrize("msg_id", [1, 300, 65535])
def test_cancel_matches_pynetdicom(msg_id):
    primitive = C_CANCEL()
    primitive.MessageIDBeingRespondedTo = msg_id
    message = C_CANCEL_RQ()
    message.primitive_to_message(primitive)
    assert pdata_pdus(5, cancel_command(msg_id), None, 16384) == _pdus(
        message, 5, 16384
    )


def test_command_set_decodes_as_a_c_find_request():
    encoded = find_command(42, RpiSopClass.BREAST.uid)
    command = decode(BytesIO(encoded), True, True)
    assert command.CommandField == 0x0020
    assert command.MessageID == 42
    assert command.AffectedSOPClassUID == RpiSopClass.BREAST.uid
    assert command.CommandDataSetType != 0x0101  # an identifier follows
    # Group length counts every byte after its own 12-byte element.
    assert command.CommandGroupLength == len(encoded) - 12
