"""Socket, reactor and logging settings that make pynetdicom fast (perf-baselines.md).

pynetdicom never sets TCP_NODELAY: an RPI answer is several small PDUs, so Nagle
plus delayed ACK stall about 40 ms twice per query. Its two threads per
association poll (the DUL every 1 ms, the association reactor every 1 ms), so
every DIMSE message waits for up to two polls per side. It also pretty-prints
every identifier for the log even when nothing is logged. All three are fixed
here, once, for the SCU engine and the embedded SCP alike; the reactors wait
on their work instead of polling (:mod:`rpiq.core.net.wakeup`).
"""

from __future__ import annotations

import logging
import socket
import time
from typing import TYPE_CHECKING, Any

from pynetdicom import _config, evt

from rpiq.core.net import wakeup

if TYPE_CHECKING:
    from pynetdicom.association import Association
    from pynetdicom.events import Event, EventHandlerType

_QUICKACK = getattr(socket, "TCP_QUICKACK", None)


def configure_pynetdicom_logging() -> None:
    """Keep pynetdicom's per-message logging only when its debug logs are on.

    Call before creating an AE or server: pynetdicom binds its "standard" log
    handlers to every association at creation (``_config.LOG_HANDLER_LEVEL``).

    - ``LOG_REQUEST_IDENTIFIERS`` / ``LOG_RESPONSE_IDENTIFIERS`` format every
      dataset even if no handler prints them: ~45 % of a 1000-item query.
    - The standard handlers describe every PDU and DIMSE message sent or
      received, mostly at DEBUG; their few INFO lines ("Received Store
      Request", "Received Echo Request") repeat what our own SCP and engine
      events log. Building those descriptions costs an SCP ~0.3–0.5 ms per
      query and every C-STORE a share of its time, so they are bound only
      when pynetdicom's logger is enabled for DEBUG (``rpiq -vv``).
    """
    debug = logging.getLogger("pynetdicom").isEnabledFor(logging.DEBUG)
    _config.LOG_REQUEST_IDENTIFIERS = debug
    _config.LOG_RESPONSE_IDENTIFIERS = debug
    _config.LOG_HANDLER_LEVEL = "standard" if debug else "none"


def tune_socket(sock: socket.socket | Any) -> None:
    """Set TCP_NODELAY (and, on Linux, TCP_QUICKACK) on a connected socket."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if _QUICKACK is not None:
            sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
    except (OSError, AttributeError, ValueError):
        # A TLS wrapper or a closed socket: tuning is an optimisation only.
        return


def rearm_quickack(sock: socket.socket | Any) -> None:
    """Ask Linux to acknowledge the next segments at once (TCP_QUICKACK).

    Linux clears QUICKACK after a few segments; a peer that still uses Nagle
    (e.g. an untuned pynetdicom SCP) waits for our ACK before sending the next
    small PDU, so it is re-armed before every read.
    """
    if _QUICKACK is None:
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
    except (OSError, AttributeError, ValueError):
        return  # a closed socket: tuning is an optimisation only


def _quickack_recv(assoc: Association) -> None:
    """Re-arm TCP_QUICKACK before each read of the association socket.

    Linux clears QUICKACK after a few segments; a peer that still uses Nagle
    (e.g. an untuned pynetdicom SCP) waits for our ACK before sending the next
    small PDU, so acknowledging at once removes its stall from our side.
    """
    transport = assoc.dul.socket
    if transport is None or _QUICKACK is None:
        return
    original = transport.recv

    def recv(nr_bytes: int) -> bytearray:
        sock = transport.socket
        if sock is not None:
            tune_socket(sock)
        return original(nr_bytes)

    transport.recv = recv  # type: ignore[method-assign]


_IDLE_STATE = "Sta1"
_RELEASE_WAIT_S = 0.05
_RELEASE_POLL_S = 0.0002


def _prompt_kill(assoc: Association) -> None:
    """Let ``Association.kill()`` find the DUL idle on its first look.

    After A-RELEASE-RP, pynetdicom's ``kill()`` asks the DUL to stop and, if
    the DUL has not yet closed the transport (state Sta1, PS3.8 9.2), sleeps
    10 ms before asking again: most of a release's cost. Waiting for Sta1 with
    a fine poll (bounded to 50 ms) first makes that first look succeed.
    """
    original = assoc.kill

    def kill() -> None:
        deadline = time.monotonic() + _RELEASE_WAIT_S
        dul = assoc.dul
        while (
            dul.is_alive()
            and dul.state_machine.current_state != _IDLE_STATE
            and time.monotonic() < deadline
        ):
            time.sleep(_RELEASE_POLL_S)
        original()

    assoc.kill = kill  # type: ignore[method-assign]


_DUL_POLL_S = 0.0002


def _prompt_dul(assoc: Association) -> None:
    """Poll the connection every 0.2 ms instead of 1 ms (pynetdicom's default).

    Each DIMSE message crosses two DUL reactors per side; at 1 ms per idle
    loop they add several milliseconds to every query. The loop is a cheap
    non-blocking check, so the extra CPU is a few percent per open association.
    """
    dul = assoc.dul
    if hasattr(dul, "_run_loop_delay"):
        dul._run_loop_delay = _DUL_POLL_S


def _on_conn_open(event: Event) -> None:
    transport = event.assoc.dul.socket
    if transport is not None and transport.socket is not None:
        tune_socket(transport.socket)
        _quickack_recv(event.assoc)
    tune_association(event.assoc)


def tune_association(assoc: Association) -> None:
    """Apply the reactor and release tuning to one association (idempotent)."""
    if getattr(assoc, "_rpiq_tuned", False):
        return
    assoc._rpiq_tuned = True  # type: ignore[attr-defined]
    _prompt_kill(assoc)
    _prompt_dul(assoc)
    wakeup.install()
    wakeup.quiet_association(assoc)


CONN_OPEN_HANDLER = (evt.EVT_CONN_OPEN, _on_conn_open)
"""Tunes the socket and the reactors of each new association."""

CONN_CLOSE_HANDLER = (evt.EVT_CONN_CLOSE, wakeup.on_conn_close)
"""Frees the DUL doorbell's socket pair as soon as the connection closes."""

TUNING_HANDLERS: list[EventHandlerType] = [CONN_OPEN_HANDLER, CONN_CLOSE_HANDLER]
"""Bind with ``evt_handlers=TUNING_HANDLERS`` on associate or start_server."""
