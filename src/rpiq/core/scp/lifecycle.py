"""Association life-cycle handlers of the embedded SCP (PS3.8 7.1-7.4).

Notification handlers for EVT_ACCEPTED, EVT_REJECTED, EVT_RELEASED and
EVT_ABORTED: they turn pynetdicom's events into the SCP's frozen event
dataclasses (peer AE title, address and, for a rejection, the reason of
PS3.8 Table 9-21) and never raise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rpiq.core.scp.events import (
    AssociationAborted,
    AssociationAccepted,
    AssociationRejected,
    AssociationReleased,
)
from rpiq.core.scp.handlers import Notify, report_failure

if TYPE_CHECKING:
    from pynetdicom.events import Event


def _peer(event: Event) -> tuple[str, str, int]:
    requestor = event.assoc.requestor
    return (
        str(requestor.ae_title or "").strip(),
        str(requestor.address or ""),
        int(requestor.port or 0),
    )


def _notify_association(event: Event, notify: Notify, kind: str) -> None:
    try:
        peer = _peer(event)
        if kind == "accepted":
            notify(AssociationAccepted(*peer))
        elif kind == "released":
            notify(AssociationReleased(*peer))
        elif kind == "aborted":
            notify(AssociationAborted(*peer))
        else:
            primitive = event.assoc.acceptor.primitive
            reason = primitive.reason_str if primitive is not None else "rejected"
            notify(AssociationRejected(*peer, reason))
    except Exception as exc:  # noqa: BLE001 — reporting must not break the DUL
        report_failure(notify, f"association {kind}", exc)


def handle_accepted(event: Event, notify: Notify) -> None:
    """EVT_ACCEPTED: report the peer (PS3.8 7.1.1.7 A-ASSOCIATE accepted)."""
    _notify_association(event, notify, "accepted")


def handle_rejected(event: Event, notify: Notify) -> None:
    """EVT_REJECTED: report the peer and the reason (PS3.8 Table 9-21)."""
    _notify_association(event, notify, "rejected")


def handle_released(event: Event, notify: Notify) -> None:
    """EVT_RELEASED: the peer released the association (PS3.8 7.2)."""
    _notify_association(event, notify, "released")


def handle_aborted(event: Event, notify: Notify) -> None:
    """EVT_ABORTED: A-ABORT or A-P-ABORT (PS3.8 7.3, 7.4)."""
    _notify_association(event, notify, "aborted")
