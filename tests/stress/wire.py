"""Raw DICOM Upper Layer bytes for the SCP fuzzer (PS3.8 9.3, PS3.7 6.3, PS3.5 7).

Everything is built by hand, not with pynetdicom's encoders, so a case can
break any length, type or order on purpose. :class:`Peer` is a minimal
requestor over one socket: it sends bytes and reads whole PDUs back, telling
apart a final C-FIND/C-ECHO response, an A-ABORT, a closed connection and
silence.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import time
from dataclasses import dataclass, field

APP_CONTEXT = "1.2.840.10008.3.1.1.1"
IMPLEMENTATION_UID = "1.2.826.0.1.3680043.10.543.999"
VERIFICATION = "1.2.840.10008.1.1"
RPI_GENERAL = "1.2.840.10008.5.1.4.37.1"
RPI_BREAST = "1.2.840.10008.5.1.4.37.2"
RPI_CARDIAC = "1.2.840.10008.5.1.4.37.3"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
IMPLICIT_LE = "1.2.840.10008.1.2"
DEFLATED_LE = "1.2.840.10008.1.2.1.99"
EXPLICIT_BE = "1.2.840.10008.1.2.2"

# PDU types (PS3.8 Table 9-11 ff.)
ASSOCIATE_RQ, ASSOCIATE_AC, ASSOCIATE_RJ = 0x01, 0x02, 0x03
P_DATA_TF, RELEASE_RQ, RELEASE_RP, ABORT = 0x04, 0x05, 0x06, 0x07

# DIMSE command fields (PS3.7 Annex E)
C_ECHO_RQ, C_FIND_RQ, C_CANCEL_RQ = 0x0030, 0x0020, 0x0FFF
C_ECHO_RSP, C_FIND_RSP = 0x8030, 0x8020
PENDING = frozenset({0xFF00, 0xFF01})
NO_DATA_SET = 0x0101


@dataclass(frozen=True, slots=True)
class Context:
    """One proposed presentation context: ID, abstract and transfer syntax."""

    context_id: int
    abstract: str
    transfer: str

    @property
    def explicit(self) -> bool:
        return self.transfer != IMPLICIT_LE

    @property
    def little(self) -> bool:
        return self.transfer != EXPLICIT_BE

    @property
    def deflated(self) -> bool:
        return self.transfer == DEFLATED_LE


# One transfer syntax per context, so acceptance tells which syntax to use.
CONTEXTS = (
    Context(1, RPI_GENERAL, EXPLICIT_LE),
    Context(3, RPI_GENERAL, IMPLICIT_LE),
    Context(5, RPI_GENERAL, DEFLATED_LE),
    Context(7, RPI_GENERAL, EXPLICIT_BE),
    Context(9, RPI_BREAST, EXPLICIT_LE),
    Context(11, RPI_CARDIAC, IMPLICIT_LE),
    Context(13, VERIFICATION, IMPLICIT_LE),
)
ECHO_CONTEXT = CONTEXTS[-1]
FIND_CONTEXTS = CONTEXTS[:-1]


def uid_bytes(uid: str) -> bytes:
    """A UI value padded to even length with NUL (PS3.5 6.2)."""
    raw = uid.encode("ascii")
    return raw + b"\0" if len(raw) % 2 else raw


def ae_field(title: bytes) -> bytes:
    """A 16-byte AE title field, space padded (PS3.8 Table 9-11)."""
    return title[:16].ljust(16, b" ")


# --------------------------------------------------------------------- PDUs


def pdu(pdu_type: int, body: bytes, length: int | None = None) -> bytes:
    """Type, reserved byte, 4-byte big-endian length (``length`` overrides)."""
    size = len(body) if length is None else length & 0xFFFFFFFF
    return struct.pack(">BBL", pdu_type, 0, size) + body


def item(item_type: int, body: bytes, length: int | None = None) -> bytes:
    """A variable item or sub-item: type, reserved, 2-byte length, body."""
    size = len(body) if length is None else length & 0xFFFF
    return struct.pack(">BBH", item_type, 0, size) + body


def presentation_item(cx: Context) -> bytes:
    """Presentation Context item (0x20) with one abstract and one transfer syntax."""
    body = struct.pack(">BBBB", cx.context_id, 0, 0, 0)
    body += item(0x30, cx.abstract.encode()) + item(0x40, cx.transfer.encode())
    return item(0x20, body)


def user_info(max_length: int = 0, extra: bytes = b"") -> bytes:
    """User Information item (0x50): max length, implementation class UID."""
    body = item(0x51, struct.pack(">L", max_length & 0xFFFFFFFF))
    body += item(0x52, IMPLEMENTATION_UID.encode()) + extra
    return item(0x50, body)


def associate_rq_body(
    contexts: tuple[Context, ...] = CONTEXTS,
    called: bytes = b"RPIQ",
    calling: bytes = b"FUZZER",
    version: int = 1,
    items: bytes | None = None,
) -> bytes:
    """A-ASSOCIATE-RQ variable part (PS3.8 9.3.2); ``items`` replaces the items."""
    head = struct.pack(">HH", version, 0) + ae_field(called) + ae_field(calling)
    head += b"\0" * 32
    if items is None:
        items = item(0x10, APP_CONTEXT.encode())
        items += b"".join(presentation_item(cx) for cx in contexts) + user_info()
    return head + items


def associate_rq(contexts: tuple[Context, ...] = CONTEXTS) -> bytes:
    """A well-formed A-ASSOCIATE-RQ proposing ``contexts``."""
    return pdu(ASSOCIATE_RQ, associate_rq_body(contexts))


def release_rq() -> bytes:
    return pdu(RELEASE_RQ, b"\0" * 4)


def release_rp() -> bytes:
    return pdu(RELEASE_RP, b"\0" * 4)


def abort_pdu() -> bytes:
    return pdu(ABORT, b"\0\0\0\0")


def pdv(context_id: int, control: int, data: bytes, length: int | None = None) -> bytes:
    """One PDV item: 4-byte length, context ID, message control header, data."""
    size = len(data) + 2 if length is None else length & 0xFFFFFFFF
    return struct.pack(">LBB", size, context_id & 0xFF, control & 0xFF) + data


def p_data(*pdvs: bytes) -> bytes:
    return pdu(P_DATA_TF, b"".join(pdvs))


# ------------------------------------------------------------ DIMSE commands


def _command_element(tag: int, value: bytes) -> bytes:
    return struct.pack("<HHL", tag >> 16, tag & 0xFFFF, len(value)) + value


def us(value: int) -> bytes:
    return struct.pack("<H", value & 0xFFFF)


def command_set(fields: dict[int, bytes]) -> bytes:
    """An implicit VR little endian command set with its group length first."""
    body = b"".join(_command_element(tag, fields[tag]) for tag in sorted(fields))
    return _command_element(0x00000000, struct.pack("<L", len(body))) + body


def find_command(
    message_id: int, sop_class: str, with_data: bool = True
) -> dict[int, bytes]:
    """The fields of a C-FIND-RQ (PS3.7 Table 9.1-2), to mutate before encoding."""
    return {
        0x00000002: uid_bytes(sop_class),
        0x00000100: us(C_FIND_RQ),
        0x00000110: us(message_id),
        0x00000700: us(0),
        0x00000800: us(0x0000 if with_data else NO_DATA_SET),
    }


def echo_command(message_id: int) -> bytes:
    return command_set(
        {
            0x00000002: uid_bytes(VERIFICATION),
            0x00000100: us(C_ECHO_RQ),
            0x00000110: us(message_id),
            0x00000800: us(NO_DATA_SET),
        }
    )


def message(cx: Context, command: bytes, data: bytes | None, max_pdv: int) -> bytes:
    """A DIMSE message as P-DATA-TF PDUs: the command, then the data fragments."""
    out = [p_data(pdv(cx.context_id, 0x03, command))]
    if data is not None:
        step = max(1, max_pdv)
        chunks = [data[i : i + step] for i in range(0, len(data), step)] or [b""]
        for n, chunk in enumerate(chunks):
            last = 0x02 if n == len(chunks) - 1 else 0x00
            out.append(p_data(pdv(cx.context_id, last, chunk)))
    return b"".join(out)


def command_values(raw: bytes) -> dict[int, bytes]:
    """The elements of an implicit VR little endian command set (tag -> value)."""
    values: dict[int, bytes] = {}
    pos = 0
    while pos + 8 <= len(raw):
        group, elem, size = struct.unpack_from("<HHL", raw, pos)
        values[(group << 16) | elem] = raw[pos + 8 : pos + 8 + size]
        pos += 8 + size
    return values


# ------------------------------------------------------------------ reading


@dataclass
class Outcome:
    """How the SCP reacted to one exchange."""

    kind: str  # "status", "aborted", "closed", "rejected", "accepted", "silent"
    status: int | None = None
    detail: str = ""


@dataclass
class Peer:
    """A requestor over one TCP connection, reading whole PDUs.

    Attributes
    ----------
    sock : socket.socket
        The connection (blocking, with per-call deadlines).
    accepted : dict of int to Context
        Presentation contexts the SCP accepted, by context ID.
    max_pdu : int
        The SCP's Maximum Length Received (0 = unlimited).
    """

    sock: socket.socket
    accepted: dict[int, Context] = field(default_factory=dict)
    max_pdu: int = 0
    _buffer: bytearray = field(default_factory=bytearray)

    @classmethod
    def connect(cls, address: tuple[str, int], timeout: float = 5.0) -> Peer:
        sock = socket.create_connection(address, timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(sock)

    def send(self, data: bytes) -> bool:
        """Send ``data``; False when the SCP has already closed the connection."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def half_close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()

    def _fill(self, count: int, deadline: float) -> bool:
        """Read until ``count`` bytes are buffered; False on EOF or deadline."""
        while len(self._buffer) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                raise TimeoutError
            try:
                chunk = self.sock.recv(max(65536, count - len(self._buffer)))
            except (ConnectionResetError, BrokenPipeError):
                return False
            if not chunk:
                return False
            self._buffer += chunk
        return True

    def read_pdu(self, deadline: float) -> tuple[int, bytes] | None:
        """The next PDU as ``(type, body)``; None when the SCP closed.

        Raises
        ------
        TimeoutError
            Nothing complete arrived before ``deadline``.
        """
        if not self._fill(6, deadline):
            return None
        pdu_type, _, length = struct.unpack_from(">BBL", self._buffer)
        if not self._fill(6 + length, deadline):
            return None
        body = bytes(self._buffer[6 : 6 + length])
        del self._buffer[: 6 + length]
        return pdu_type, body

    def associate(self, rq: bytes, deadline: float) -> Outcome:
        """Send an A-ASSOCIATE-RQ and read the answer."""
        if not self.send(rq):
            return Outcome("closed")
        try:
            got = self.read_pdu(deadline)
        except TimeoutError:
            return Outcome("silent")
        if got is None:
            return Outcome("closed")
        pdu_type, body = got
        if pdu_type == ASSOCIATE_AC:
            self.parse_ac(body)
            return Outcome("accepted")
        if pdu_type == ASSOCIATE_RJ:
            return Outcome("rejected")
        if pdu_type == ABORT:
            return Outcome("aborted")
        return Outcome("closed", detail=f"unexpected PDU {pdu_type:#x}")

    def parse_ac(self, body: bytes) -> None:
        pos = 68  # protocol version .. reserved (PS3.8 Table 9-17)
        proposed = {cx.context_id: cx for cx in CONTEXTS}
        while pos + 4 <= len(body):
            item_type, _, size = struct.unpack_from(">BBH", body, pos)
            payload = body[pos + 4 : pos + 4 + size]
            if item_type == 0x21 and len(payload) >= 4 and payload[2] == 0:
                cx = proposed.get(payload[0])
                if cx is not None:
                    self.accepted[cx.context_id] = cx
            elif item_type == 0x50:
                self._parse_user_info(payload)
            pos += 4 + size

    def _parse_user_info(self, payload: bytes) -> None:
        pos = 0
        while pos + 4 <= len(payload):
            sub_type, _, size = struct.unpack_from(">BBH", payload, pos)
            if sub_type == 0x51 and size == 4:
                (self.max_pdu,) = struct.unpack_from(">L", payload, pos + 4)
            pos += 4 + size

    def await_final(self, message_id: int, deadline: float) -> Outcome:
        """Read responses until the final one to ``message_id`` (or abort/close).

        Pending responses and their identifiers are read and skipped; a
        response to another message ID (an earlier case's) is skipped too.
        """
        command = bytearray()
        while True:
            try:
                got = self.read_pdu(deadline)
            except TimeoutError:
                return Outcome("silent")
            if got is None:
                return Outcome("closed")
            pdu_type, body = got
            if pdu_type == ABORT:
                return Outcome("aborted")
            if pdu_type != P_DATA_TF:
                return Outcome("closed", detail=f"unexpected PDU {pdu_type:#x}")
            for control, data in _pdvs(body):
                if not control & 0x01:
                    continue  # a data set fragment: a Pending identifier
                command += data
                if not control & 0x02:
                    continue
                done = _final_status(bytes(command), message_id)
                command.clear()
                if done is not None:
                    return Outcome("status", done)


def _pdvs(body: bytes) -> list[tuple[int, bytes]]:
    found: list[tuple[int, bytes]] = []
    pos = 0
    while pos + 6 <= len(body):
        (size,) = struct.unpack_from(">L", body, pos)
        control = body[pos + 5]
        found.append((control, body[pos + 6 : pos + 4 + size]))
        pos += 4 + size
    return found


def _final_status(command: bytes, message_id: int) -> int | None:
    """The Status of a final response to ``message_id``; None for Pending/others."""
    values = command_values(command)
    status_raw = values.get(0x00000900)
    responding = values.get(0x00000120)
    if status_raw is None or len(status_raw) != 2:
        return None
    if responding is not None and len(responding) == 2:
        (to_id,) = struct.unpack("<H", responding)
        if to_id != message_id & 0xFFFF:
            return None
    (status,) = struct.unpack("<H", status_raw)
    return None if status in PENDING else status
