"""The hand-packed C-STORE-RSP is what pynetdicom itself would put on the wire."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from pynetdicom import evt
from pynetdicom.dimse_messages import C_STORE_RSP
from pynetdicom.dimse_primitives import C_FIND, C_STORE
from pynetdicom.pdu import P_DATA_TF

from rpiq.core.scp.responses import pack_store_responses, store_success_command
from rpiq.core.status import RpiqStatus

if TYPE_CHECKING:
    from pynetdicom.pdu_primitives import P_DATA

CT = "1.2.840.10008.5.1.4.1.1.2"  # even length
SR = "1.2.840.10008.5.1.4.1.1.88.33"  # odd length: NUL-padded


def _response(msg_id: int, sop_class: str, instance: str, status: int) -> C_STORE:
    rsp = C_STORE()
    rsp.MessageIDBeingRespondedTo = msg_id
    rsp.AffectedSOPClassUID = sop_class
    rsp.AffectedSOPInstanceUID = instance
    rsp.Status = status
    return rsp


def _wire(pdatas: list[P_DATA]) -> bytes:
    out = []
    for primitive in pdatas:
        pdu = P_DATA_TF()
        pdu.from_primitive(primitive)
        out.append(pdu.encode())
    return b"".join(out)


def _pynetdicom_wire(rsp: C_STORE, context_id: int, max_pdu: int) -> bytes:
    message = C_STORE_RSP()
    message.primitive_to_message(rsp)
    return _wire(list(message.encode_msg(context_id, max_pdu)))


@dataclass
class _Dul:
    sent: list[P_DATA] = field(default_factory=list)

    def send_pdu(self, primitive: P_DATA) -> None:
        self.sent.append(primitive)


@dataclass
class _Dimse:
    maximum_pdu_size: int
    by_pynetdicom: list[Any] = field(default_factory=list)

    def send_msg(self, primitive: Any, context_id: int) -> None:
        self.by_pynetdicom.append(primitive)


@dataclass
class _Assoc:
    """What pack_store_responses touches of a pynetdicom Association."""

    dimse: _Dimse
    dul: _Dul = field(default_factory=_Dul)
    listeners: list[Any] = field(default_factory=list)

    def get_handlers(self, event: Any) -> list[Any]:
        return self.listeners if event is evt.EVT_DIMSE_SENT else []


def _sent_by_us(rsp: Any, max_pdu: int = 16384, listeners: int = 0) -> _Assoc:
    assoc = _Assoc(_Dimse(max_pdu), listeners=[object()] * listeners)
    pack_store_responses(assoc)  # type: ignore[arg-type]
    assoc.dimse.send_msg(rsp, 3)
    return assoc


@pytest.mark.parametrize("sop_class", [CT, SR])
@pytest.mark.parametrize("instance", ["1.2.3.4", "1.2.3.45", "2.25." + "9" * 59])
@pytest.mark.parametrize("msg_id", [1, 2, 65535])
def test_success_bytes_equal_pynetdicom(sop_class: str, instance: str, msg_id: int):
    rsp = _response(msg_id, sop_class, instance, int(RpiqStatus.SUCCESS))
    assoc = _sent_by_us(rsp)
    assert assoc.dimse.by_pynetdicom == []
    assert _wire(assoc.dul.sent) == _pynetdicom_wire(rsp, 3, 16384)
    assert _wire(assoc.dul.sent) == _pynetdicom_wire(rsp, 3, 0)  # no PDU limit
    command = store_success_command(msg_id, sop_class, instance)
    assert assoc.dul.sent[0].presentation_data_value_list[0][1][1:] == command


@pytest.mark.parametrize(
    "rsp",
    [
        _response(1, SR, "1.2.3", int(RpiqStatus.OUT_OF_RESOURCES)),
        _response(1, SR, "1.2.3", int(RpiqStatus.UNABLE_TO_PROCESS)),
        C_FIND(),
    ],
    ids=["A700", "C000", "C-FIND"],
)
def test_anything_but_a_plain_success_goes_to_pynetdicom(rsp: Any) -> None:
    assoc = _sent_by_us(rsp)
    assert assoc.dimse.by_pynetdicom == [rsp]
    assert assoc.dul.sent == []


def test_error_comment_goes_to_pynetdicom() -> None:
    rsp = _response(1, SR, "1.2.3", int(RpiqStatus.SUCCESS))
    rsp.ErrorComment = "odd but legal"  # type: ignore[assignment]  # typed None
    assert _sent_by_us(rsp).dimse.by_pynetdicom == [rsp]


def test_dimse_sent_listeners_still_get_the_message() -> None:
    # pynetdicom's debug log handlers (rpiq -vv) or a user's EVT_DIMSE_SENT.
    rsp = _response(1, SR, "1.2.3", int(RpiqStatus.SUCCESS))
    assert _sent_by_us(rsp, listeners=1).dimse.by_pynetdicom == [rsp]


def test_a_peer_pdu_too_small_for_the_command_goes_to_pynetdicom() -> None:
    rsp = _response(1, SR, "1.2.3", int(RpiqStatus.SUCCESS))
    assert _sent_by_us(rsp, max_pdu=64).dimse.by_pynetdicom == [rsp]
