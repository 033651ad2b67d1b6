"""Bound what a peer can make the SCU read, and abort whatever the peer is doing.

pynetdicom trusts the peer on the receiving side:

- its DUL reads a PDU by the length in the PDU header, whatever our announced
  Maximum Length (PS3.8 D.1) was, so one P-DATA-TF PDU can claim 4 GiB, and the
  whole PDU is held (and copied twice) in memory before it is decoded;
- it appends every fragment of a DIMSE message (PS3.8 Annex E) to one buffer
  with no upper bound;
- after the association is up its socket has no timeout, so a peer that stops
  in the middle of a PDU blocks the DUL thread in ``recv()`` for ever, and
  ``Association.abort()`` then waits for that thread for ever too;
- a P-DATA it cannot decode raises inside the DUL thread, which dies without
  telling the service user, who waits for its whole DIMSE timeout.

:class:`ReceiveGuard` wraps the association's socket reads and P-DATA intake to
refuse an oversized PDU before reading its body, stop a message at
``max_message_bytes``, give up on a PDU when the peer is silent for the network
timeout, and turn a decoding failure into a recorded :class:`Violation`. Every
violation wakes the DIMSE user at once (pynetdicom's own "no message" marker on
its queue). :func:`abort_association` then ends the association in bounded
time: it first stops the reads, so the DUL thread is never stuck in ``recv()``.
"""

from __future__ import annotations

import contextlib
import struct
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rpiq.core.net.reactor import unpark_reactor

if TYPE_CHECKING:
    import socket

    from pynetdicom.association import Association
    from pynetdicom.pdu_primitives import P_DATA
    from pynetdicom.transport import AssociationSocket

MAX_MESSAGE_BYTES = 16 * 2**20
"""Default largest DIMSE message we assemble (command + identifier), 16 MiB.

An RPI answer is one patient's history as an SR content tree; a 1000-item
answer is well under 1 MiB, so 16 MiB leaves room for very long histories
while keeping a hostile peer from filling memory."""

OTHER_PDU_MAX = 2**20
"""Largest non-P-DATA PDU we read (A-ASSOCIATE-AC, A-RELEASE, A-ABORT: bytes
to a few KiB in practice)."""

PDU_SLACK = 1024
"""Bytes a P-DATA-TF PDU may exceed our Maximum Length by before we refuse it.

PS3.8 D.1 bounds the PDU's variable field; some implementations count the
PDV item header differently. The guard is about memory, not pedantry."""

ABORT_GRACE_S = 0.5
"""How long the DUL thread may take to send our A-ABORT and close before its
reads are stopped."""

_HEADER = 6
_ESTABLISHED, _IDLE = "Sta6", "Sta1"
_ABORT_POLL_S = 0.005
_P_DATA = 0x04
_POLL_S = 0.05
_CHUNK = 65536


@dataclass(frozen=True, slots=True)
class Violation:
    """Why the guard stopped reading from the peer.

    Attributes
    ----------
    kind : str
        ``protocol`` (the peer broke PS3.8/PS3.7), ``too-large`` (over our
        message limit) or ``timeout`` (silent mid-PDU for the network timeout).
    message : str
        What the peer did, for the user.
    """

    kind: str
    message: str


class _StopReading(ConnectionAbortedError):
    """Raised inside the DUL's read so that it reports the transport closed."""


def _mib(size: int) -> str:
    if size < 2**20:
        return f"{size:,} bytes"
    return f"{size / 2**20:.1f} MiB ({size:,} bytes)"


def silence_message(received: int, expected: int, silence: float, name: str) -> str:
    """What to tell the user when a peer stops in the middle of a PDU."""
    return (
        f"The peer stopped sending in the middle of a PDU ({received} of "
        f"{expected} bytes received) and sent nothing for {silence:g} s "
        f"({name}); the connection was closed."
    )


def too_large_message(limit: int) -> str:
    """What to tell the user when a response passes the message limit."""
    return (
        f"The peer's response is larger than the {_mib(limit)} limit for one "
        "message; it was refused and the association was aborted."
    )


class ReceiveGuard:
    """Limits on what one SCU association reads from its peer (PS3.8 9.3, D.1).

    Parameters
    ----------
    assoc : Association
        The requestor association; our announced Maximum Length is read from
        ``assoc.requestor.maximum_length`` and the silence limit from
        ``assoc.network_timeout``, both when they are needed.
    max_message_bytes : int
        Largest DIMSE message (all its fragments) to assemble.
    """

    def __init__(self, assoc: Association, max_message_bytes: int) -> None:
        self._assoc = assoc
        self.max_message_bytes = max_message_bytes
        self._violation: Violation | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._header: tuple[int, int] | None = None
        self._message_bytes = 0
        self._reading = False

    # ------------------------------------------------------------ state
    @property
    def violation(self) -> Violation | None:
        """The first violation seen, if any."""
        return self._violation

    @property
    def reading(self) -> bool:
        """True while the DUL thread is inside a read (e.g. a PDU trickling in)."""
        return self._reading

    def stop_reading(self) -> None:
        """Make every further read fail, within one 50 ms poll of the read loop.

        A DUL thread inside a read then returns, pynetdicom's state machine
        sees the transport closed (Evt17, PS3.8 9.2) and goes idle, so
        ``Association.kill()`` can finish; no socket shutdown from another
        thread is needed.
        """
        self._stop.set()

    def _fail(self, kind: str, message: str) -> None:
        with self._lock:
            if self._violation is None:
                self._violation = Violation(kind, message)
        self._stop.set()
        # pynetdicom's "no message" marker: the DIMSE user wakes and asks why.
        self._assoc.dimse.msg_queue.put((None, None))

    # ------------------------------------------------------------ install
    def install(self, transport: AssociationSocket) -> None:
        """Wrap ``transport.recv`` and the DIMSE provider's P-DATA intake."""
        transport.recv = self._recv  # type: ignore[method-assign]
        dimse = self._assoc.dimse
        original = dimse.receive_primitive

        def receive_primitive(primitive: P_DATA) -> None:
            self._receive_primitive(primitive, original)

        dimse.receive_primitive = receive_primitive  # type: ignore[method-assign]

    # ------------------------------------------------------------ PDU level
    def _pdu_limit(self, pdu_type: int) -> int:
        if pdu_type != _P_DATA:
            return OTHER_PDU_MAX
        announced = int(self._assoc.requestor.maximum_length or 0)
        if announced == 0:  # PS3.8 D.1: 0 means "no maximum"; ours still holds
            return self.max_message_bytes + PDU_SLACK
        return announced + PDU_SLACK

    def refusal(self, pdu_type: int, length: int) -> str | None:
        """Why a PDU announced by its header must not be read, or ``None``.

        Also used by :class:`~rpiq.core.net.direct.DirectLink`, which reads
        the answer PDUs on the query thread within the same limits.
        """
        limit = self._pdu_limit(pdu_type)
        if length <= limit:
            return None
        if pdu_type == _P_DATA:
            announced = int(self._assoc.requestor.maximum_length or 0)
            detail = (
                f"a P-DATA-TF PDU of {_mib(length)}, more than the maximum PDU "
                f"length of {_mib(announced)} we announced (PS3.8 D.1)"
                if announced
                else f"a P-DATA-TF PDU of {_mib(length)}, more than our "
                f"{_mib(self.max_message_bytes)} message limit"
            )
        else:
            detail = (
                f"a PDU of type 0x{pdu_type:02X} claiming {_mib(length)} (PS3.8 9.3)"
            )
        return (
            f"The peer sent {detail}; it was refused before reading it and the "
            "association was aborted."
        )

    def _check_pdu(self, pdu_type: int, length: int) -> None:
        message = self.refusal(pdu_type, length)
        if message is not None:
            self._fail("protocol", message)
            raise _StopReading("PDU too large")

    def _recv(self, nr_bytes: int) -> bytearray:
        """Replacement of ``AssociationSocket.recv`` (called by the DUL thread).

        The DUL reads a 6-byte PDU header, then exactly the length it names;
        the header is checked before that second read.
        """
        header, self._header = self._header, None
        if header is not None and nr_bytes == header[1]:
            self._check_pdu(*header)
        data = self._read(nr_bytes)
        if nr_bytes == _HEADER and len(data) == _HEADER:
            pdu_type, _, length = struct.unpack(">BBL", data)
            self._header = (pdu_type, length)
        return data

    def _read(self, nr_bytes: int) -> bytearray:
        transport_socket = self._assoc.dul.socket
        sock = None if transport_socket is None else transport_socket.socket
        if sock is None:
            raise _StopReading("socket closed")
        self._reading = True
        try:
            return self._read_from(sock, nr_bytes)
        finally:
            self._reading = False

    def silence_limit(self) -> tuple[float | None, str]:
        """Seconds of silence allowed inside a PDU, and the timeout's name.

        The network timeout; while associating, no more than the ACSE timeout,
        which the A-ASSOCIATE-AC must meet anyway (pynetdicom's own ACSE wait
        cannot end while its DUL thread is inside a read).
        """
        network = self._assoc.network_timeout
        acse = self._assoc.acse_timeout
        if self._assoc.is_established or acse is None:
            return network, "network timeout"
        if network is None or acse < network:
            return acse, "association timeout"
        return network, "network timeout"

    def _read_from(self, sock: socket.socket, nr_bytes: int) -> bytearray:
        # A short socket timeout instead of select(): it also covers a TLS
        # record that stalls half-way, where select() says "readable" but
        # recv() would block. All I/O on this socket happens on the DUL
        # thread, so changing its timeout for the read disturbs no send.
        previous = sock.gettimeout()
        sock.settimeout(_POLL_S)
        try:
            return self._poll_read(sock, nr_bytes)
        finally:
            with contextlib.suppress(OSError):
                sock.settimeout(previous)

    def _poll_read(self, sock: socket.socket, nr_bytes: int) -> bytearray:
        silence, name = self.silence_limit()
        data = bytearray()
        last = time.monotonic()
        while len(data) < nr_bytes:
            if self._stop.is_set():
                raise _StopReading("reading stopped")
            try:
                chunk = sock.recv(min(nr_bytes - len(data), _CHUNK))
            except TimeoutError:
                if silence is not None and time.monotonic() - last >= silence:
                    self._fail(
                        "timeout", silence_message(len(data), nr_bytes, silence, name)
                    )
                    raise _StopReading(name) from None
                continue
            if not chunk:  # closed: pynetdicom sees a short read (Evt17)
                break
            data += chunk
            last = time.monotonic()
        return data

    # ------------------------------------------------------------ DIMSE level
    def _receive_primitive(
        self, primitive: P_DATA, original: _ReceivePrimitive
    ) -> None:
        if self._stop.is_set():
            return  # we gave up on this association: drop, don't assemble
        dimse = self._assoc.dimse
        if dimse.message is None:
            self._message_bytes = 0
        self._message_bytes += sum(
            len(data) for _, data in primitive.presentation_data_value_list
        )
        if self._message_bytes > self.max_message_bytes:
            dimse.message = None
            self._fail("too-large", too_large_message(self.max_message_bytes))
            return
        try:
            original(primitive)
        except Exception as exc:  # noqa: BLE001 — any decode error of peer bytes
            dimse.message = None
            self._fail(
                "protocol",
                f"The peer sent a DIMSE message that cannot be decoded "
                f"(PS3.8 Annex E, PS3.7 6.3: {type(exc).__name__}: {exc}); "
                "the association was aborted.",
            )


if TYPE_CHECKING:
    from collections.abc import Callable

    _ReceivePrimitive = Callable[[P_DATA], None]


def install_guard(
    assoc: Association, transport: AssociationSocket, max_message_bytes: int
) -> ReceiveGuard:
    """Attach a :class:`ReceiveGuard` to a requestor association's socket."""
    guard = ReceiveGuard(assoc, max_message_bytes)
    guard.install(transport)
    assoc._rpiq_guard = guard  # type: ignore[attr-defined]
    return guard


def guard_of(assoc: Association) -> ReceiveGuard | None:
    """The guard of ``assoc``, if it was opened by :func:`make_scu_ae`'s AE."""
    guard = getattr(assoc, "_rpiq_guard", None)
    return guard if isinstance(guard, ReceiveGuard) else None


def abort_association(assoc: Association) -> None:
    """Abort ``assoc`` (A-ABORT, PS3.8 7.3.1) and stop its threads in bounded time.

    The A-ABORT is queued first, so it goes out as soon as the DUL thread is
    free, and the peer gets up to ``ABORT_GRACE_S`` to read it and close. A
    DUL thread busy in the middle of a PDU (a peer trickling data) cannot send
    it before the PDU ends, so its reads are stopped at once; a peer flooding
    data after our A-ABORT is cut off after the grace. Either way
    ``Association.kill()`` then finishes promptly. When the
    connection is already gone (peer A-ABORT, reset, a refused PDU) no A-ABORT
    is sent: pynetdicom's state machine has no transition for it there and its
    DUL thread would fail.
    """
    guard = guard_of(assoc)
    unpark_reactor(assoc)
    dul = assoc.dul
    if assoc.is_established and dul.state_machine.current_state == _ESTABLISHED:
        assoc.abort(block=False)
        deadline = time.monotonic() + ABORT_GRACE_S
        while (
            dul.is_alive()
            and dul.state_machine.current_state != _IDLE
            and time.monotonic() < deadline
            and not (guard is not None and guard.reading)
        ):
            time.sleep(_ABORT_POLL_S)
    if guard is not None:
        guard.stop_reading()
    assoc.is_aborted = True
    assoc.is_established = False
    unpark_reactor(assoc)
    if dul.is_alive():
        assoc.kill()
