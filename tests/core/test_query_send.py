"""The hand-packed C-FIND-RQ is what pynetdicom itself would put on the wire."""

from __future__ import annotations

from io import BytesIO

import pytest
from pynetdicom.dimse_messages import C_FIND_RQ
from pynetdicom.dimse_primitives import C_FIND
from pynetdicom.dsutils import decode, encode

from rpiq.core.query.request import QueryRequest
from rpiq.core.query.send import find_command, pdata_list
from rpiq.core.templates import RpiSopClass


def _pynetdicom_pdvs(
    context_id: int, msg_id: int, uid: str, identifier: bytes, max_pdu: int
) -> list[list[tuple[int, bytes]]]:
    primitive = C_FIND()
    primitive.MessageID = msg_id
    primitive.AffectedSOPClassUID = uid
    primitive.Priority = 2
    primitive.Identifier = BytesIO(identifier)
    message = C_FIND_RQ()
    message.primitive_to_message(primitive)
    return [
        p.presentation_data_value_list for p in message.encode_msg(context_id, max_pdu)
    ]


def _encoded(request: QueryRequest) -> bytes:
    encoded = encode(request.to_identifier(), False, True)
    assert encoded is not None
    return encoded


@pytest.mark.parametrize("sop_class", list(RpiSopClass))
@pytest.mark.parametrize("msg_id", [1, 2, 255, 256, 65535])
def test_command_set_matches_pynetdicom(sop_class, msg_id):
    identifier = _encoded(QueryRequest("PAT-1"))
    ours = [
        p.presentation_data_value_list
        for p in pdata_list(3, find_command(msg_id, sop_class.uid), identifier, 16384)
    ]
    assert ours == _pynetdicom_pdvs(3, msg_id, sop_class.uid, identifier, 16384)


@pytest.mark.parametrize("max_pdu", [0, 64, 100, 4096])
def test_fragments_match_pynetdicom_for_any_maximum_length(max_pdu):
    request = QueryRequest("PAT-1", return_keys=("PatientAge", "PatientWeight"))
    identifier = _encoded(request)
    uid = RpiSopClass.CARDIAC.uid
    ours = [
        p.presentation_data_value_list
        for p in pdata_list(1, find_command(7, uid), identifier, max_pdu)
    ]
    assert ours == _pynetdicom_pdvs(1, 7, uid, identifier, max_pdu)
    if max_pdu:
        assert all(len(pdv[0][1]) <= max_pdu - 6 + 1 for pdv in ours)


def test_command_set_decodes_as_a_c_find_request():
    encoded = find_command(42, RpiSopClass.BREAST.uid)
    command = decode(BytesIO(encoded), True, True)
    assert command.CommandField == 0x0020
    assert command.MessageID == 42
    assert command.AffectedSOPClassUID == RpiSopClass.BREAST.uid
    assert command.CommandDataSetType != 0x0101  # an identifier follows
    # Group length counts every byte after its own 12-byte element.
    assert command.CommandGroupLength == len(encoded) - 12
