"""Let pynetdicom's reactors wait for work instead of polling (PS3.8 DUL).

pynetdicom runs two polling threads per association: the DUL reactor sleeps
``_run_loop_delay`` (1 ms) between looks at its socket, and the association
reactor sleeps 1 ms between looks at its DIMSE queue. That costs twice:

- latency: every DIMSE message waits for up to one poll of each thread on
  each side, a few milliseconds per query;
- CPU: one idle acceptor association costs ~15 % of a core; eight saturated
  the SCP process, so 32 concurrent clients got ~10 queries/s with p50 of
  seconds.

For associations tuned by :func:`rpiq.core.net.tuning.tune_association` (the
SCU engine's and the SCP's), those two sleeps become waits that end as soon
as there is work:

- the DUL waits in ``select()`` on its socket and on a doorbell (a socket
  pair) rung whenever a PDU is queued for sending or the DUL is told to stop;
- the association reactor waits on an Event set whenever a DIMSE message or
  an ACSE primitive is queued for it, or the association is killed.

Both waits are capped (:data:`MAX_WAIT_S`), so a missed ring costs latency,
never a hang. The sleeps are found by their caller (pynetdicom's
``run_reactor`` / ``_run_reactor`` loops) on threads registered here; every
other thread and call site keeps pynetdicom's own ``time.sleep``.

The DUL thread can also be *held* in its wait (:func:`hold_dul`) while the
query thread does the association's I/O itself (:mod:`rpiq.core.net.direct`),
until :func:`resume_dul` or a kill.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import sys
import threading
import time
import types
import weakref
from typing import TYPE_CHECKING, Any

from pynetdicom import association as pn_association
from pynetdicom import dul as pn_dul

if TYPE_CHECKING:
    from collections.abc import Callable

    from pynetdicom.association import Association
    from pynetdicom.dul import DULServiceProvider
    from pynetdicom.events import Event

MAX_WAIT_S = 0.02
"""Longest wait without a ring: bounds ARTIM/idle-timer checks and missed rings."""

_REAL_SLEEP = time.sleep
_WAITERS: weakref.WeakKeyDictionary[threading.Thread, _Waiter] = (
    weakref.WeakKeyDictionary()
)
_INSTALL_LOCK = threading.Lock()


class _Waiter:
    """Replaces one polling loop's sleep on one thread."""

    loop: str = ""

    def wait(self, seconds: float) -> None:
        raise NotImplementedError


class _ReactorWaiter(_Waiter):
    """The association reactor: wait for a DIMSE message or ACSE primitive."""

    loop = "_run_reactor"

    def __init__(self) -> None:
        self.work = threading.Event()

    def ring(self) -> None:
        self.work.set()

    def wait(self, seconds: float) -> None:
        self.work.wait(MAX_WAIT_S)
        self.work.clear()


class _DulWaiter(_Waiter):
    """The DUL reactor: wait for socket data or a PDU to send."""

    loop = "run_reactor"

    def __init__(self, dul: DULServiceProvider) -> None:
        self._dul = weakref.ref(dul)
        self._bell_in, self._bell_out = socket.socketpair()
        self._bell_in.setblocking(False)
        self._bell_out.setblocking(False)
        self.closed = False
        self._hold = threading.Event()  # asked to keep off the socket
        self._held = threading.Event()  # the DUL thread is off it, waiting
        self._wake = threading.Event()  # wakes a held thread to look again

    def hold(self, timeout: float) -> bool:
        """Keep the DUL thread out of its loop until :meth:`resume`.

        Returns True once the thread is waiting here, between two passes of
        its loop: it then neither reads nor writes the socket, so another
        thread may do the association's I/O (:mod:`rpiq.core.net.direct`).
        :meth:`resume` lets it go on; so does killing the DUL or queueing a
        primitive for it to send (pynetdicom's own ``abort()``, ``release()``
        or ``send_c_*`` on the association), which ends the hold.
        """
        self._hold.set()
        self.ring()
        if self._held.wait(timeout):
            return True
        self.resume()
        return False

    def resume(self) -> None:
        """Let a held DUL thread go back to its loop (idempotent)."""
        self._hold.clear()
        self._wake.set()

    @property
    def is_held(self) -> bool:
        """True while the DUL thread is held off the socket."""
        return self._held.is_set()

    def _stay_held(self) -> None:
        self._held.set()
        try:
            while self._hold.is_set() and not self.closed:
                dul = self._dul()
                if dul is None or dul._kill_thread:
                    return
                if dul.to_provider_queue.queue:  # pynetdicom wants to send
                    self._hold.clear()
                    return
                self._wake.wait(MAX_WAIT_S)
                self._wake.clear()
        finally:
            self._held.clear()

    def ring(self) -> None:
        self._wake.set()
        with contextlib.suppress(OSError):
            self._bell_out.send(b"\0")

    def close(self) -> None:
        self.closed = True
        self._bell_in.close()
        self._bell_out.close()

    def _peer_socket(self) -> socket.socket | None:
        dul = self._dul()
        transport = None if dul is None else dul.socket
        return None if transport is None else transport.socket

    def wait(self, seconds: float) -> None:
        if self._hold.is_set():
            self._stay_held()
            return
        sock = self._peer_socket()
        if isinstance(sock, ssl.SSLSocket) and sock.pending():
            return
        watched: list[Any] = [self._bell_in] if not self.closed else []
        if sock is not None:
            watched.append(sock)
        if not watched:
            _REAL_SLEEP(seconds)
            return
        try:
            ready, _, _ = select.select(watched, [], [], MAX_WAIT_S)
        except (OSError, ValueError):  # closed meanwhile: plain sleep
            _REAL_SLEEP(seconds)
            return
        if self._bell_in in ready:
            with contextlib.suppress(OSError):
                self._bell_in.recv(4096)
        if self._hold.is_set():
            self._stay_held()


class _RingingCheckpoint(threading.Event):
    """pynetdicom's reactor checkpoint, ringing the reactor when cleared.

    ``Association.send_c_*`` and ``release`` clear the checkpoint, then poll
    until the reactor reports itself paused; a reactor in its wait would only
    notice after :data:`MAX_WAIT_S`.
    """

    def __init__(self, ring: Callable[[], None], *, is_set: bool) -> None:
        super().__init__()
        self._ring = ring
        if is_set:
            super().set()

    def clear(self) -> None:
        super().clear()
        self._ring()


def _sleep(seconds: float) -> None:
    """``time.sleep`` for pynetdicom's DUL and association modules."""
    waiter = _WAITERS.get(threading.current_thread())
    if waiter is None or sys._getframe(1).f_code.co_name != waiter.loop:
        _REAL_SLEEP(seconds)
        return
    waiter.wait(seconds)


class _TimeModule(types.ModuleType):
    """The ``time`` module with :func:`_sleep`, for two pynetdicom modules."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def install() -> None:
    """Route pynetdicom's reactor sleeps through :func:`_sleep` (idempotent).

    Threads not registered by :func:`quiet_association` sleep as before.
    """
    with _INSTALL_LOCK:
        for module in (pn_dul, pn_association):
            if isinstance(module.time, _TimeModule):
                continue
            shim = _TimeModule("time")
            shim.sleep = _sleep  # type: ignore[attr-defined]
            module.time = shim  # type: ignore[attr-defined]


def _ringing(method: Callable[..., Any], ring: Callable[[], None]) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        finally:
            ring()

    return wrapper


def quiet_association(assoc: Association) -> None:
    """Make one association's reactors wait instead of poll (idempotent).

    Call before its threads start, or at the latest from ``EVT_CONN_OPEN``;
    :func:`install` must have run for the waits to take effect.
    """
    if getattr(assoc, "_rpiq_dul_waiter", None) is not None:
        return
    dul = assoc.dul
    reactor, dul_waiter = _ReactorWaiter(), _DulWaiter(dul)
    weakref.finalize(dul, dul_waiter.close)
    assoc._rpiq_dul_waiter = dul_waiter  # type: ignore[attr-defined]
    # Work for the DUL thread: PDUs to send, stop requests.
    dul.send_pdu = _ringing(dul.send_pdu, dul_waiter.ring)  # type: ignore[method-assign]
    dul.kill_dul = _ringing(dul.kill_dul, dul_waiter.ring)  # type: ignore[method-assign]
    dul.stop_dul = _ringing(dul.stop_dul, dul_waiter.ring)  # type: ignore[method-assign]
    # Work for the association reactor: DIMSE messages, ACSE primitives, kill.
    msg_queue = assoc.dimse.msg_queue
    msg_queue.put = _ringing(msg_queue.put, reactor.ring)  # type: ignore[method-assign]
    user_queue = dul.to_user_queue
    user_queue.put = _ringing(user_queue.put, reactor.ring)  # type: ignore[method-assign]
    assoc.kill = _ringing(assoc.kill, reactor.ring)  # type: ignore[method-assign]
    checkpoint = assoc._reactor_checkpoint
    assoc._reactor_checkpoint = _RingingCheckpoint(
        reactor.ring, is_set=checkpoint.is_set()
    )
    _WAITERS[assoc] = reactor
    _WAITERS[dul] = dul_waiter


def dul_waiter(assoc: Association) -> _DulWaiter | None:
    """The DUL waiter of a tuned association (``None`` if not tuned)."""
    waiter = getattr(assoc, "_rpiq_dul_waiter", None)
    return waiter if isinstance(waiter, _DulWaiter) else None


def hold_dul(assoc: Association, timeout: float) -> bool:
    """Hold the DUL thread of a tuned association off its socket (see above)."""
    waiter = dul_waiter(assoc)
    return waiter is not None and waiter.hold(timeout)


def resume_dul(assoc: Association) -> None:
    """Let the DUL thread of ``assoc`` run again, if it was held."""
    waiter = dul_waiter(assoc)
    if waiter is not None:
        waiter.resume()


def ring_reactor(assoc: Association) -> None:
    """Wake the association reactor now, e.g. to see a new checkpoint at once."""
    waiter = _WAITERS.get(assoc)
    if isinstance(waiter, _ReactorWaiter):
        waiter.ring()


def on_conn_close(event: Event) -> None:
    """EVT_CONN_CLOSE handler: release the DUL doorbell's sockets at once."""
    waiter = getattr(event.assoc, "_rpiq_dul_waiter", None)
    if isinstance(waiter, _DulWaiter):
        waiter.close()
