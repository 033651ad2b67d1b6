"""Keep a misbehaving peer from wedging or crashing an SCP association (PS3.8 9).

Found by fuzzing the SCP (tests/stress, benchmarks/fuzz_scp.py); all are
pynetdicom 3.0 behaviours that any peer can trigger:

- **A partial PDU, then silence, held the association for ever.** The
  listening socket has a timeout, so ``socket.accept()`` hands out *blocking*
  sockets; the DUL then waits in ``recv()`` for the rest of the PDU with no
  limit, and the association's network timeout can only ask the blocked DUL
  to stop. :func:`bound_reads` gives the accepted socket the network timeout.
- **A connection closed before its A-ASSOCIATE-RQ kept its slot for the ACSE
  timeout.** The acceptor thread waits ``acse_timeout`` (30 s by default) for
  the request even after the DUL saw the connection close, and it counts
  against ``max_associations``: ten TCP health probes locked every real
  client out for 30 s. :func:`guard_state_machine` wakes it when the DUL
  falls back to idle (Sta1) without a request.
- **Some PDU sequences killed the DUL thread with the socket still open.**
  State machine exceptions escape pynetdicom's reactor loop: an
  A-ASSOCIATE-AC queued just after the peer's garbage put the DUL in Sta13
  ("Invalid event 'Evt7' for the current state 'Sta13'"), a command set with
  an unknown Command Field or no Command Data Set Type raised KeyError /
  AttributeError in ``DIMSEMessage.decode_msg``. :func:`guard_state_machine`
  turns them into an A-ABORT and a closed connection.
- **Some A-ASSOCIATE-RQs killed the association thread** (a presentation
  context without a transfer syntax: IndexError in ``negotiate_as_acceptor``),
  leaving the DUL and the connection behind. :func:`guard_association_thread`
  aborts and closes instead.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import TYPE_CHECKING, Any

from pynetdicom.pdu import A_ABORT_RQ
from pynetdicom.pdu_primitives import A_ASSOCIATE, A_P_ABORT

if TYPE_CHECKING:
    from collections.abc import Callable

    from pynetdicom.association import Association
    from pynetdicom.dul import DULServiceProvider
    from pynetdicom.events import Event

_LOG = logging.getLogger(__name__)

_SERVICE_PROVIDER = 0x02  # A-ABORT source (PS3.8 Table 9-26)
_NOT_SPECIFIED = 0x00
_IDLE = "Sta1"  # no transport connection (PS3.8 Table 9-1)
_DUL_STOP_S = 1.0  # the DUL checks its stop flag at least every 20 ms (wakeup)


def bound_reads(assoc: Association) -> None:
    """Give the association's accepted socket the network timeout."""
    transport = assoc.dul.socket
    sock = None if transport is None else transport.socket
    timeout = assoc.network_timeout
    if sock is None or timeout is None:
        return
    with contextlib.suppress(OSError):
        sock.settimeout(float(timeout))


def _peer(assoc: Association) -> str:
    with contextlib.suppress(Exception):
        requestor = assoc.requestor
        return f"{requestor.address}:{requestor.port}"
    return "?"


def _request_arrived(assoc: Association) -> bool:
    """True once the DUL has handed (or queued) an A-ASSOCIATE-RQ to the acceptor."""
    if assoc.requestor.primitive is not None:
        return True
    queued = list(assoc.dul.to_user_queue.queue)
    return any(isinstance(primitive, A_ASSOCIATE) for primitive in queued)


def _abort_and_close(assoc: Association, what: str, exc: BaseException) -> None:
    """A-ABORT the peer, close the connection, stop the DUL, tell the association."""
    _LOG.warning(
        "Aborted the association with %s: its PDUs broke %s (%s: %s)",
        _peer(assoc),
        what,
        type(exc).__name__,
        exc,
    )
    dul = assoc.dul
    dul.kill_dul()
    if dul.is_alive() and dul is not threading.current_thread():
        # The DUL reads the socket between its checks; closing the socket
        # under it makes pynetdicom's readiness check raise on that thread.
        dul.join(_DUL_STOP_S)
    transport = dul.socket
    if transport is not None:
        abort = A_ABORT_RQ()
        abort.source = _SERVICE_PROVIDER
        abort.reason_diagnostic = _NOT_SPECIFIED
        with contextlib.suppress(Exception):
            transport.send(abort.encode())
        with contextlib.suppress(Exception):
            transport.close()
    # An A-P-ABORT lets an established association end with EVT_ABORTED. Before
    # the request arrived the acceptor would read it *as* the request, so it
    # is woken with None instead (its "no request" path).
    if _request_arrived(assoc):
        primitive = A_P_ABORT()
        primitive.provider_reason = _NOT_SPECIFIED
        dul.to_user_queue.put(primitive)
    else:
        dul.to_user_queue.put(None)


def _wake_acceptor_if_gone(assoc: Association, dul: DULServiceProvider) -> None:
    """The connection closed before any A-ASSOCIATE-RQ: end the acceptor's wait."""
    if dul.state_machine.current_state != _IDLE or _request_arrived(assoc):
        return
    if getattr(assoc, "_rpiq_woken", False):
        return
    assoc._rpiq_woken = True  # type: ignore[attr-defined]
    dul.to_user_queue.put(None)


def guard_state_machine(assoc: Association) -> None:
    """Abort instead of losing the DUL thread; free the slot of a vanished peer."""
    dul = assoc.dul
    machine = dul.state_machine
    do_action: Callable[[str], Any] = machine.do_action

    def guarded(event: str) -> None:
        try:
            do_action(event)
        except Exception as exc:  # noqa: BLE001 — any of them ends the association
            _abort_and_close(assoc, "the DICOM state machine", exc)
            return
        if assoc.is_acceptor:
            _wake_acceptor_if_gone(assoc, dul)

    machine.do_action = guarded  # type: ignore[method-assign]


def guard_association_thread(assoc: Association) -> None:
    """Abort and close instead of letting an exception end the association thread."""
    run: Callable[[], None] = assoc.run

    def guarded_run() -> None:
        try:
            run()
        except Exception as exc:  # noqa: BLE001 — the thread must not leave the DUL
            _abort_and_close(assoc, "the association negotiation", exc)

    assoc.run = guarded_run  # type: ignore[method-assign]


def on_conn_open(event: Event) -> None:
    """EVT_CONN_OPEN handler of the SCP: bounded reads, guarded threads."""
    assoc = event.assoc
    bound_reads(assoc)
    guard_state_machine(assoc)
    guard_association_thread(assoc)
