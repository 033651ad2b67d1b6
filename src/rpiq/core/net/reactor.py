"""Keep pynetdicom's association reactor parked while we own the association.

pynetdicom's requestor runs a reactor thread that takes incoming DIMSE messages
off the queue unless paused. ``send_c_find`` pauses it by clearing an Event and
polling ``_is_paused``, and resumes it after the final response. On the next
query on the same association that flag can still read True from before the
reactor woke (it has not been scheduled yet), so the reactor runs on, and under
load can take the next Pending response off the queue: the SCU then sees a bare
Success, i.e. "no match" for a patient who exists (seen in 0.3 % of reused
associations on a busy 2-core machine).

An RPI SCU never needs that reactor between its own requests, so we park it on
a checkpoint whose ``set()`` is ignored while parked, and confirm it is really
blocked there (not a stale flag). Release and abort unpark it first, so the
reactor wakes and exits as pynetdicom expects.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rpiq.core.net.wakeup import resume_dul, ring_reactor

if TYPE_CHECKING:
    from pynetdicom.association import Association

_PARK_TIMEOUT_S = 2.0


class _ParkingCheckpoint(threading.Event):
    """An Event the reactor blocks on; ``set()`` is ignored while parked."""

    def __init__(self) -> None:
        super().__init__()
        self.parked = True
        self.reactor_waiting = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.reactor_waiting.set()
        return super().wait(timeout)

    def set(self) -> None:
        if not self.parked:
            super().set()


def park_reactor(assoc: Association) -> bool:
    """Park the reactor of an established requestor association.

    Returns
    -------
    bool
        True when the reactor was seen blocked on the parking checkpoint within
        two seconds (it then never touches the DIMSE queue until unparked).
    """
    checkpoint = _ParkingCheckpoint()
    assoc._reactor_checkpoint = checkpoint
    ring_reactor(assoc)  # a waiting reactor comes to the checkpoint now
    return checkpoint.reactor_waiting.wait(_PARK_TIMEOUT_S)


def unpark_reactor(assoc: Association) -> None:
    """Let pynetdicom drive the reactor again (before release, abort or after loss).

    If the association is already gone, wake the reactor so its thread exits.
    A DUL thread held off the socket for direct I/O
    (:mod:`rpiq.core.net.direct`) is let go too: release and abort need it.
    """
    resume_dul(assoc)
    checkpoint = assoc._reactor_checkpoint
    if isinstance(checkpoint, _ParkingCheckpoint):
        checkpoint.parked = False
        if not assoc.is_established:
            checkpoint.set()


def is_usable(assoc: Association) -> bool:
    """True when the association can carry a request (PS3.8 state Sta6)."""
    return bool(assoc.is_established) and (
        assoc.dul.state_machine.current_state == "Sta6"
    )
