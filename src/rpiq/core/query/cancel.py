"""Cancelling a running query from another thread (PS3.4 Q.4.2, PS3.7 9.3.2.3).

``cancel()`` only records the request; the query thread, which does all of the
association's I/O (:mod:`rpiq.core.net.direct`), sees it within one poll
(50 ms), sends C-CANCEL-RQ, and gives the answer up (aborting the association)
if the peer has not ended it within the grace period, so a Cancel button never
waits on a silent peer for more than a couple of seconds.
"""

from __future__ import annotations

import threading

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
        self.grace_s = grace_s

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._event.is_set()

    def cancel(self) -> None:
        """Request cancellation; safe from any thread, idempotent."""
        self._event.set()
