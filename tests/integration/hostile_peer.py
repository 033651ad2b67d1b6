"""A raw-socket DICOM peer that accepts an association and then misbehaves.

Speaks just enough of the Upper Layer (PS3.8 9.3) to accept the SCU's
A-ASSOCIATE-RQ and read its C-FIND-RQ, then hands the connection to a *script*
that does whatever a broken or hostile RPI SCP might: never answer, trickle the
answer byte by byte, send Pendings forever, a 100 MB identifier, the wrong
message, an A-ABORT or a TCP reset in the middle of a PDU. The PDUs and DIMSE
messages are encoded with pynetdicom's own classes, so the only wrong thing on
the wire is what the script does on purpose.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING

from pydicom.uid import UID
from pynetdicom.dimse_messages import C_FIND_RSP, DIMSEMessage
from pynetdicom.dimse_primitives import C_FIND
from pynetdicom.dsutils import encode
from pynetdicom.pdu import A_ASSOCIATE_AC, A_ASSOCIATE_RQ, P_DATA_TF
from pynetdicom.pdu_primitives import (
    A_ASSOCIATE,
    ImplementationClassUIDNotification,
    MaximumLengthNotification,
)
from pynetdicom.presentation import PresentationContext

from rpiq.core.status import RpiqStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pydicom.dataset import Dataset
    from pynetdicom.dimse_primitives import DimsePrimitiveType

APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1"
PEER_MAX_PDU = 16384
ASSOCIATE_AC, P_DATA, RELEASE_RQ, RELEASE_RP, ABORT = 0x02, 0x04, 0x05, 0x06, 0x07
_LAST_FRAGMENT, _COMMAND = 0x02, 0x01


def pdu(pdu_type: int, body: bytes) -> bytes:
    """A PDU: type, reserved byte, 32-bit big-endian length, body (PS3.8 9.3.1)."""
    return struct.pack(">BBL", pdu_type, 0, len(body)) + body


def pdv_pdu(context_id: int, control: int, data: bytes) -> bytes:
    """One P-DATA-TF PDU holding one PDV item (PS3.8 9.3.5, Annex E.2)."""
    item = struct.pack(">LBB", len(data) + 2, context_id, control) + data
    return pdu(P_DATA, item)


def abort_pdu(source: int = 0, reason: int = 0) -> bytes:
    """An A-ABORT PDU (PS3.8 9.3.8)."""
    return pdu(ABORT, bytes([0, 0, source, reason]))


@dataclass
class PeerLink:
    """The accepted connection a script misbehaves on."""

    conn: socket.socket
    stopped: threading.Event
    contexts: dict[int, UID] = field(default_factory=dict)
    scu_max_pdu: int = 0
    msg_id: int = 0
    context_id: int = 0
    sop_class: str = ""

    # ---------------------------------------------------------- low level
    def _read_exact(self, size: int) -> bytes:
        data = bytearray()
        while len(data) < size:
            chunk = self.conn.recv(min(size - len(data), 65536))
            if not chunk:
                raise ConnectionError("the SCU closed the connection")
            data += chunk
        return bytes(data)

    def recv_pdu(self) -> tuple[int, bytes]:
        """Read one whole PDU: ``(type, whole PDU bytes)``."""
        header = self._read_exact(6)
        pdu_type, _, length = struct.unpack(">BBL", header)
        return pdu_type, header + self._read_exact(length)

    def send(self, data: bytes, *, byte_delay: float = 0.0) -> None:
        """Send ``data``; with ``byte_delay``, one byte at a time (TCP_NODELAY)."""
        if not byte_delay:
            self.conn.sendall(data)
            return
        self.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for offset in range(len(data)):
            if self.stopped.is_set():
                return
            self.conn.sendall(data[offset : offset + 1])
            time.sleep(byte_delay)

    def hold(self, seconds: float) -> None:
        """Say nothing for ``seconds`` (or until the test ends)."""
        self.stopped.wait(seconds)

    def reset(self) -> None:
        """Close with a TCP RST instead of a FIN (SO_LINGER 0)."""
        self.conn.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
        )
        self.conn.close()

    # ---------------------------------------------------------- association
    def read_associate_rq(self) -> A_ASSOCIATE:
        """Read the SCU's A-ASSOCIATE-RQ (PS3.8 9.3.2)."""
        pdu_type, data = self.recv_pdu()
        assert pdu_type == 0x01, f"expected A-ASSOCIATE-RQ, got PDU type {pdu_type}"
        request = A_ASSOCIATE_RQ()
        request.decode(data)
        return request.to_primitive()

    def accept_association(self) -> None:
        """Read the A-ASSOCIATE-RQ and accept every context (first syntax)."""
        rq = self.read_associate_rq()
        for item in rq.user_information:
            if isinstance(item, MaximumLengthNotification):
                self.scu_max_pdu = int(item.maximum_length_received or 0)
        accept = A_ASSOCIATE()
        accept.application_context_name = APPLICATION_CONTEXT
        accept.calling_ae_title = rq.calling_ae_title
        accept.called_ae_title = rq.called_ae_title
        accept.result, accept.result_source = 0, 1
        results = []
        for proposed in rq.presentation_context_definition_list:
            context = PresentationContext()
            context.context_id = proposed.context_id
            context.abstract_syntax = proposed.abstract_syntax
            context.transfer_syntax = [proposed.transfer_syntax[0]]
            context.result = 0
            results.append(context)
            self.contexts[int(proposed.context_id or 0)] = UID(
                proposed.transfer_syntax[0]
            )
        accept.presentation_context_definition_results_list = results
        max_length = MaximumLengthNotification()
        max_length.maximum_length_received = PEER_MAX_PDU
        implementation = ImplementationClassUIDNotification()
        implementation.implementation_class_uid = UID("1.2.826.0.1.3680043.9.7156.1")
        accept.user_information = [max_length, implementation]
        self.send(A_ASSOCIATE_AC(accept).encode())

    def read_request(self) -> None:
        """Read P-DATA-TF PDUs until the SCU's C-FIND-RQ is complete."""
        message = DIMSEMessage()
        while True:
            pdu_type, data = self.recv_pdu()
            assert pdu_type == P_DATA, f"expected P-DATA-TF, got PDU type {pdu_type}"
            tf = P_DATA_TF()
            tf.decode(data)
            if message.decode_msg(tf.to_primitive()):
                break
        command = message.command_set
        self.msg_id = int(command.MessageID)
        self.context_id = int(message.context_id or 0)
        self.sop_class = str(command.AffectedSOPClassUID)

    def drain(self, seconds: float) -> None:
        """Read until the SCU aborts, releases (answered) or closes."""
        self.conn.settimeout(seconds)
        with contextlib.suppress(OSError):
            while not self.stopped.is_set():
                pdu_type, _ = self.recv_pdu()
                if pdu_type == RELEASE_RQ:
                    self.send(pdu(RELEASE_RP, bytes(4)))
                    return
                if pdu_type == ABORT:
                    return

    # ---------------------------------------------------------- DIMSE
    def encode_identifier(self, identifier: Dataset) -> bytes:
        """Encode a dataset in the transfer syntax of the request's context."""
        syntax = self.contexts[self.context_id]
        encoded = encode(
            identifier, syntax.is_implicit_VR, syntax.is_little_endian, False
        )
        assert encoded is not None
        return encoded

    def message_pdus(
        self, message: DIMSEMessage, primitive: DimsePrimitiveType
    ) -> list[bytes]:
        """Encode one DIMSE message as P-DATA-TF PDUs on the request's context."""
        message.primitive_to_message(primitive)
        return [
            P_DATA_TF(pdata).encode()
            for pdata in message.encode_msg(self.context_id, PEER_MAX_PDU)
        ]

    def find_rsp(
        self,
        status: int,
        identifier: Dataset | bytes | None = None,
        *,
        msg_id: int | None = None,
    ) -> bytes:
        """A whole C-FIND-RSP (PS3.7 9.3.2.2) answering the request by default.

        ``identifier`` may be raw bytes, to send a data set that is not one.
        """
        primitive = C_FIND()
        primitive.MessageIDBeingRespondedTo = self.msg_id if msg_id is None else msg_id
        primitive.AffectedSOPClassUID = self.sop_class
        primitive.Status = status
        if isinstance(identifier, bytes):
            primitive.Identifier = BytesIO(identifier)
        elif identifier is not None:
            primitive.Identifier = BytesIO(self.encode_identifier(identifier))
        return b"".join(self.message_pdus(C_FIND_RSP(), primitive))

    def pending(self, identifier: Dataset) -> bytes:
        """A Pending C-FIND-RSP carrying ``identifier``."""
        return self.find_rsp(int(RpiqStatus.PENDING), identifier)

    def success(self) -> bytes:
        """The final Success C-FIND-RSP."""
        return self.find_rsp(int(RpiqStatus.SUCCESS))

    def command_only(self, status: int, *, with_dataset: bool) -> bytes:
        """The command set of a C-FIND-RSP alone (its data set follows elsewhere)."""
        primitive = C_FIND()
        primitive.MessageIDBeingRespondedTo = self.msg_id
        primitive.AffectedSOPClassUID = self.sop_class
        primitive.Status = status
        if with_dataset:
            primitive.Identifier = BytesIO(b"\x00")
        pdus = self.message_pdus(C_FIND_RSP(), primitive)
        return pdus[0]

    def dataset_stream(self, prefix: bytes, total: int, chunk: int) -> Iterator[bytes]:
        """Data-set PDVs of ``total`` bytes starting with ``prefix``, zero-padded."""
        sent = 0
        filler = bytes(chunk)
        while sent < total:
            size = min(chunk, total - sent)
            data = (prefix + filler)[:size] if sent == 0 else filler[:size]
            sent += size
            control = _LAST_FRAGMENT if sent >= total else 0
            yield pdv_pdu(self.context_id, control, data)


class HostilePeer:
    """A one-connection server on 127.0.0.1 that runs ``script`` after the request.

    Parameters
    ----------
    script : callable
        Called with the :class:`PeerLink` once the C-FIND-RQ has been read.
        ``OSError`` raised by it (the SCU aborting mid-send) is expected.
    drain_s : float
        How long to keep reading after the script, so the SCU's A-ABORT or
        A-RELEASE-RQ is read (and a release answered).
    when : str
        ``"request"`` (default): the script runs once the association is
        accepted and the C-FIND-RQ read. ``"associate"``: it runs right after
        the A-ASSOCIATE-RQ is read, to misbehave instead of accepting.
    """

    def __init__(
        self,
        script: Callable[[PeerLink], None],
        *,
        drain_s: float = 5.0,
        when: str = "request",
    ) -> None:
        self._script = script
        self._drain_s = drain_s
        self._when = when
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.port = int(self._server.getsockname()[1])
        self.stopped = threading.Event()
        self.errors: list[BaseException] = []
        self.link: PeerLink | None = None
        self._thread = threading.Thread(
            target=self._serve, name="hostile-peer", daemon=True
        )

    def __enter__(self) -> HostilePeer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the script and the server; join the thread."""
        self.stopped.set()
        if self.link is not None:
            with contextlib.suppress(OSError):
                self.link.conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(10)
        self._server.close()

    def _serve(self) -> None:
        conn = self._accept()
        if conn is None:
            return
        link = PeerLink(conn, self.stopped)
        self.link = link
        try:
            if self._when == "associate":
                link.read_associate_rq()
            else:
                link.accept_association()
                link.read_request()
            self._script(link)
            link.drain(self._drain_s)
        except OSError:
            pass  # the SCU aborted or reset while we were sending: expected
        except BaseException as exc:  # noqa: BLE001 — reported by the test
            self.errors.append(exc)
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _accept(self) -> socket.socket | None:
        while not self.stopped.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return None
            conn.settimeout(None)
            return conn
        return None
