"""The query thread does its own association's socket I/O (PS3.8 9.3).

In pynetdicom every PDU goes through the association's DUL thread: it reads
the socket, decodes the PDU into a primitive, runs the state machine, and the
DIMSE provider decodes each message's command set with pydicom before queueing
it for the user; sending goes the same way in reverse. On a held RPI
association that is ~0.8 ms of CPU and four thread hand-offs per query, more
than our whole share of the round trip once the answer is parsed.

While a :class:`~rpiq.core.query.engine.QuerySession` is open its association
carries nothing but our C-FIND exchanges, so the session holds the DUL thread
off the socket (:func:`~rpiq.core.net.wakeup.hold_dul`) and the query thread
writes its P-DATA-TF PDUs and reads the peer's with a :class:`DirectLink`.
P-DATA-TF leaves the association in Sta6 (PS3.8 9.2, Table 9-10: Evt9/Evt10
in Sta6 stay in Sta6), so pynetdicom's state machine is still right when the
DUL thread is let go for release or abort. Anything but P-DATA-TF from the
peer ends the answer (:class:`LinkLost`): the engine then aborts.

The bounds are the :class:`~rpiq.core.net.guard.ReceiveGuard`'s: a PDU is
refused by its header before its body is read, a peer silent in the middle of
a PDU for the network timeout is given up on; reading never takes more than
the requested bytes, so nothing is left half-read for pynetdicom.
"""

from __future__ import annotations

import contextlib
import struct
import time
from typing import TYPE_CHECKING

from rpiq.core.net.guard import guard_of, silence_message
from rpiq.core.net.tuning import rearm_quickack
from rpiq.core.net.wakeup import dul_waiter, hold_dul, resume_dul

if TYPE_CHECKING:
    import socket
    from collections.abc import Callable

    from pynetdicom.association import Association

    from rpiq.core.net.guard import ReceiveGuard

POLL_S = 0.05
"""Longest time between two calls of a read's ``poll`` (deadlines, cancel)."""

HOLD_TIMEOUT_S = 2.0
"""How long to wait for the DUL thread to step off the socket."""

P_DATA_TF, A_RELEASE_RQ, A_ABORT = 4, 5, 7
"""PDU types (PS3.8 Table 9-11)."""

_HEADER = struct.Struct(">BBL")
_CHUNK = 65536


class LinkLost(Exception):
    """The peer can no longer answer on this association.

    Parameters
    ----------
    kind : str
        ``aborted``, ``protocol`` or ``timeout``.
    message : str
        What the peer did, for the user.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


_CLOSED = "The peer closed or reset the connection before its final response."
INVALID_PDU = (  # also for a malformed PDV item (query.message)
    "The peer sent a PDU that cannot be decoded or is not valid at this point "
    "of the association (PS3.8 9.2, 9.3), so the association was aborted."
)


class DirectLink:
    """Exclusive socket I/O on an established, guarded, tuned association.

    Use :meth:`take` to get one and :meth:`release` before the association
    is released or aborted (``unpark_reactor`` also lets the DUL go).
    All methods are for the one thread that took the link.
    """

    def __init__(
        self, assoc: Association, sock: socket.socket, guard: ReceiveGuard
    ) -> None:
        self._assoc = assoc
        self._sock = sock
        self._guard = guard
        self._timeout = sock.gettimeout()
        self.received_bytes = 0
        """Bytes read from the peer so far (for "N bytes had arrived")."""
        sock.settimeout(POLL_S)

    @classmethod
    def take(cls, assoc: Association) -> DirectLink | None:
        """Hold the DUL thread and return a link; ``None`` when that cannot be.

        ``None`` means the association is not one of ours (no guard or no
        waiter), has no socket, or its DUL thread did not step off the socket
        within :data:`HOLD_TIMEOUT_S` (it is then left running).
        """
        guard = guard_of(assoc)
        transport = assoc.dul.socket
        sock = None if transport is None else transport.socket
        if guard is None or sock is None:
            return None
        if not hold_dul(assoc, HOLD_TIMEOUT_S):
            return None
        return cls(assoc, sock, guard)

    def ensure_held(self) -> bool:
        """True when the DUL thread is (again) held off the socket.

        pynetdicom's own API used on the association (e.g. ``abort()``) ends
        the hold so that the DUL can send; this takes it back before a query.
        """
        waiter = dul_waiter(self._assoc)
        if waiter is None:
            return False
        return waiter.is_held or waiter.hold(HOLD_TIMEOUT_S)

    def release(self, *, stop_reading: bool = False) -> None:
        """Give the socket back to the DUL thread (idempotent).

        Parameters
        ----------
        stop_reading : bool
            The answer was given up, possibly in the middle of a PDU (one
            refused by its header is still on the wire): the DUL thread must
            not read on from there, where it would take the rest for PDUs. Its
            reads are stopped first (it then sees the transport closed), so
            the association can only be aborted.
        """
        if stop_reading:
            self._guard.stop_reading()
        with contextlib.suppress(OSError):
            self._sock.settimeout(self._timeout)
        # pynetdicom restarts its idle timer on every PDU its DUL reads; ours
        # went past it, so restart it here or the reactor may see it expired.
        self._assoc.dul._idle_timer.restart()
        resume_dul(self._assoc)

    # ------------------------------------------------------------ sending
    def send(self, data: bytes, timeout: float | None) -> None:
        """Write ``data`` (whole PDUs) to the peer.

        Raises
        ------
        LinkLost
            The connection is gone or the peer did not take the bytes in time.
        """
        self._sock.settimeout(timeout)
        try:
            self._sock.sendall(data)
        except TimeoutError:
            raise LinkLost(
                "timeout", "The peer did not accept our request in time."
            ) from None
        except OSError as exc:
            raise LinkLost("aborted", f"The request could not be sent: {exc}") from None
        finally:
            with contextlib.suppress(OSError):
                self._sock.settimeout(POLL_S)

    # ------------------------------------------------------------ receiving
    def read_pdu(self, poll: Callable[[], None]) -> tuple[int, bytes]:
        """Read the next PDU of type P-DATA-TF; return ``(type, body)``.

        Parameters
        ----------
        poll : callable
            Called at least every :data:`POLL_S` while waiting or reading; it
            raises to stop (deadlines, cancel).

        Raises
        ------
        LinkLost
            For A-ABORT, A-RELEASE-RQ, any other or unknown PDU type, a PDU
            over our limits, a closed connection, or silence mid-PDU.
        """
        header = self._read(_HEADER.size, poll, started=False)
        pdu_type, _, length = _HEADER.unpack(header)
        refusal = self._guard.refusal(pdu_type, length)
        if refusal is not None:
            raise LinkLost("protocol", refusal)
        if pdu_type == A_ABORT:
            raise LinkLost(
                "aborted",
                "The peer aborted the association (A-ABORT) before its final response.",
            )
        if pdu_type == A_RELEASE_RQ:
            raise LinkLost(
                "aborted",
                "The peer asked to release the association (A-RELEASE-RQ) "
                "before its final response.",
            )
        if pdu_type != P_DATA_TF:
            raise LinkLost("protocol", INVALID_PDU)
        return pdu_type, self._read(length, poll, started=True)

    def _read(self, size: int, poll: Callable[[], None], *, started: bool) -> bytes:
        """Exactly ``size`` bytes; ``started``: a PDU is under way."""
        data = bytearray()
        silence, name = self._guard.silence_limit()
        now = time.monotonic()
        last_data = next_poll = now
        while len(data) < size:
            if now >= next_poll:
                poll()
                next_poll = now + POLL_S
            rearm_quickack(self._sock)  # as pynetdicom's reads are (net.tuning)
            try:
                chunk = self._sock.recv(min(size - len(data), _CHUNK))
            except TimeoutError:
                now = time.monotonic()
                mid_pdu = started or bool(data)
                if mid_pdu and silence is not None and now - last_data >= silence:
                    expected = size + (_HEADER.size if started else 0)
                    got = len(data) + (_HEADER.size if started else 0)
                    raise LinkLost(
                        "timeout", silence_message(got, expected, silence, name)
                    ) from None
                continue
            except OSError:
                raise LinkLost("aborted", _CLOSED) from None
            if not chunk:
                raise LinkLost("aborted", _CLOSED)
            data += chunk
            self.received_bytes += len(chunk)
            now = last_data = time.monotonic()
        return bytes(data)
