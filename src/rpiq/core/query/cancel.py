"""Cancelling a running query from another thread (PS3.4 Q.4.2, PS3.7 9.3.2.3).

``cancel()`` sends C-FIND-CANCEL at once; if the peer has not sent its final
response within the grace period the association is aborted, so a Cancel button
never waits on a silent peer for more than a couple of seconds.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pynetdicom.association import Association

from rpiq.core.net.guard import abort_association

CANCEL_GRACE_S = 2.0


class CancelToken:
    """Thread-safe cancel request shared by the GUI thread and the query worker.

    Parameters
    ----------
    grace_s : float
        How long to wait for the peer's final response after C-CANCEL before
        aborting the association.
    """

    def __init__(self, grace_s: float = CANCEL_GRACE_S) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._grace_s = grace_s
        self._target: tuple[Association, int, str] | None = None
        self._timer: threading.Timer | None = None

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._event.is_set()

    def cancel(self) -> None:
        """Request cancellation; safe from any thread, idempotent."""
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            if self._target is not None:
                self._send_cancel()

    def attach(self, assoc: Association, msg_id: int, sop_class_uid: str) -> None:
        """Called by the engine when a C-FIND is outstanding on ``assoc``."""
        with self._lock:
            self._target = (assoc, msg_id, sop_class_uid)
            if self._event.is_set():
                self._send_cancel()

    def detach(self) -> None:
        """Called by the engine when the final response arrived."""
        with self._lock:
            self._target = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _send_cancel(self) -> None:
        assert self._target is not None
        assoc, msg_id, uid = self._target
        # If the association is already gone, the abort below still wakes the engine.
        with contextlib.suppress(RuntimeError, ValueError):
            assoc.send_c_cancel(msg_id, query_model=uid)
        self._timer = threading.Timer(self._grace_s, self._abort)
        self._timer.daemon = True
        self._timer.start()

    def _abort(self) -> None:
        with self._lock:
            target = self._target
        if target is None:
            return
        assoc = target[0]
        # Bounded even when the peer is in the middle of sending a PDU.
        abort_association(assoc)
        # Wake the engine's response loop now with pynetdicom's own "no
        # message" marker rather than at its next poll.
        assoc.dimse.msg_queue.put((None, None))
