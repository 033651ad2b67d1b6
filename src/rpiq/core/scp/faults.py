"""Fault injection for testing RPI SCUs against a misbehaving SCP (PS3.4 Q.4.2).

pynetdicom's RPI service class reads only the handler's first yield and then
sends Success itself, so a second Pending cannot be yielded: it is sent here
by hand on the association's DIMSE provider (PS3.7 9.1.2 C-FIND-RSP). A delay
polls for C-FIND-CANCEL (PS3.7 9.3.2.3) so a cancelling SCU gets Cancel.
"""

from __future__ import annotations

import time
from io import BytesIO
from typing import TYPE_CHECKING

from pydicom.dataset import Dataset
from pynetdicom.dimse_primitives import C_FIND
from pynetdicom.dsutils import encode

from rpiq.core.status import Category, RpiqStatus

if TYPE_CHECKING:
    from pynetdicom.events import Event

    from rpiq.core.scp.settings import FaultInjection

_POLL_S = 0.01
INJECTED_COMMENT = "Injected by RPIQ SCP fault injection"
# Error Comment (0000,0902) is a related field of failures only (PS3.7 C.4).
_COMMENTED = frozenset({Category.FAILURE, Category.WARNING, Category.UNKNOWN})


def wait_unless_cancelled(event: Event, delay_ms: int) -> bool:
    """Sleep ``delay_ms``; return True as soon as a C-CANCEL arrives.

    ``event.is_cancelled`` is one-shot (pynetdicom deletes the stored cancel
    request when it reports it), so the caller must keep the result.
    """
    if delay_ms <= 0:
        return False
    end = time.monotonic() + delay_ms / 1000.0
    while True:
        if event.is_cancelled:
            return True
        left = end - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(_POLL_S, left))


def send_extra_pending(event: Event, identifier: Dataset) -> None:
    """Send one Pending C-FIND-RSP with ``identifier`` outside the handler's yield."""
    request = event.request
    rsp = C_FIND()
    rsp.MessageIDBeingRespondedTo = request.MessageID
    rsp.AffectedSOPClassUID = request.AffectedSOPClassUID
    rsp.Status = int(RpiqStatus.PENDING)
    syntax = event.context.transfer_syntax
    encoded = encode(
        identifier, syntax.is_implicit_VR, syntax.is_little_endian, syntax.is_deflated
    )
    if not encoded:
        raise ValueError("cannot encode the identifier for the extra Pending")
    rsp.Identifier = BytesIO(encoded)
    event.assoc.dimse.send_msg(rsp, event.context.context_id)


def forced_status(faults: FaultInjection) -> Dataset | None:
    """The status Dataset that replaces the answer, or ``None`` if not forced.

    A forced Success is not sent as a status: the caller yields nothing, which
    pynetdicom answers with Success (no match).
    """
    if not faults.forces_answer or faults.status is None:
        return None
    status = Dataset()
    status.Status = faults.status
    if faults.status_category in _COMMENTED:
        status.ErrorComment = INJECTED_COMMENT
    return status
