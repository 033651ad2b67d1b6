"""Loopback peers for integration tests: a plain pynetdicom RPI SCP and dcmtk.

``FakeRpiScp`` is written as in the pynetdicom RPI examples (no tuning), with a
``mode`` the test sets to make it answer normally, fail with C100/C200/A900,
send two Pendings, delay, ignore cancels, or answer for the wrong patient.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING

import pytest
from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.dimse_primitives import C_FIND
from pynetdicom.dsutils import encode

from rpiq.core.net.ae import VERIFICATION_UID as Verification
from rpiq.core.profiles import AEProfile
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import CodedConcept
from rpiq.core.sr.samples import every_value_type_tree
from rpiq.core.status import RpiqStatus
from rpiq.core.templates import RpiSopClass

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

RPI_CLASSES = tuple(sop.uid for sop in RpiSopClass)


@dataclass
class FakeRpiScp:
    """A pynetdicom RPI SCP on 127.0.0.1 with a scriptable answer."""

    mode: str = "answer"
    delay_s: float = 0.0
    port: int = 0
    requests: list[Dataset] = field(default_factory=list)
    cancelled: list[bool] = field(default_factory=list)

    def answer_for(self, request: Dataset) -> Dataset:
        ds = Dataset()
        ds.PatientName = "DEMO^ALICE"
        ds.PatientID = request.PatientID
        if "IssuerOfPatientID" in request:
            ds.IssuerOfPatientID = request.IssuerOfPatientID or "HOSP-A"
        ds.PatientBirthDate = "19800101"
        ds.PatientSex = "F"
        ds.ObservationDateTime = "20261122103000"
        ds.update(encode_root(every_value_type_tree()))
        if self.mode == "wrong_id":
            ds.PatientID = f"{request.PatientID}-OTHER"
        if self.mode == "wrong_root":
            wrong = CodedConcept("999999", "99X", "Not a root").to_code()
            item = Dataset()
            item.CodeValue, item.CodingSchemeDesignator = (
                wrong.value,
                wrong.scheme_designator,
            )
            item.CodeMeaning = wrong.meaning
            ds.ConceptNameCodeSequence = [item]
        return ds

    def handle_find(self, event: evt.Event):
        request = event.identifier
        self.requests.append(request)
        if not self._wait(event):
            self.cancelled.append(True)
            yield int(RpiqStatus.CANCEL), None
            return
        failures = {
            "c100": RpiqStatus.MORE_THAN_ONE_MATCH,
            "c200": RpiqStatus.TEMPLATE_NOT_SUPPORTED,
            "a900": RpiqStatus.IDENTIFIER_MISMATCH,
        }
        if self.mode in failures:
            status = Dataset()
            status.Status = int(failures[self.mode])
            status.ErrorComment = f"fake {self.mode}"
            yield status, None
            return
        if self.mode == "none":
            return
        answer = self.answer_for(request)
        if self.mode == "double":
            _send_extra_pending(event, answer)
        yield int(RpiqStatus.PENDING), answer

    def _wait(self, event: evt.Event) -> bool:
        """Sleep ``delay_s``; False when cancelled (unless mode is 'deaf')."""
        end = time.monotonic() + self.delay_s
        while time.monotonic() < end:
            if self.mode != "deaf" and event.is_cancelled:
                return False
            time.sleep(0.02)
        return True


def _send_extra_pending(event: evt.Event, answer: Dataset) -> None:
    """pynetdicom's RPI SCP ignores a second yield; send one Pending by hand."""
    req = event.request
    rsp = C_FIND()
    rsp.MessageIDBeingRespondedTo = req.MessageID
    rsp.AffectedSOPClassUID = req.AffectedSOPClassUID
    rsp.Status = int(RpiqStatus.PENDING)
    ts = event.context.transfer_syntax
    encoded = encode(answer, ts.is_implicit_VR, ts.is_little_endian, ts.is_deflated)
    assert encoded is not None
    rsp.Identifier = BytesIO(encoded)
    event.assoc.dimse.send_msg(rsp, event.context.context_id)


@pytest.fixture
def fake_scp() -> Iterator[FakeRpiScp]:
    scp = FakeRpiScp()
    ae = AE(ae_title="FAKE-RPI")
    for uid in (*RPI_CLASSES, Verification):
        ae.add_supported_context(uid)
    server = ae.start_server(
        ("127.0.0.1", 0), block=False, evt_handlers=[(evt.EVT_C_FIND, scp.handle_find)]
    )
    assert server is not None
    scp.port = server.server_address[1]
    try:
        yield scp
    finally:
        server.shutdown()


@pytest.fixture
def fake_profile(fake_scp: FakeRpiScp) -> AEProfile:
    return AEProfile(
        name="fake",
        called_ae="FAKE-RPI",
        host="127.0.0.1",
        port=fake_scp.port,
        dimse_timeout=10.0,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def unused_port() -> int:
    """A loopback port nobody listens on (connection refused)."""
    return free_port()


@pytest.fixture
def silent_tcp() -> Iterator[int]:
    """A TCP server that accepts and never says anything (ACSE timeout)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def closing_tcp() -> Iterator[int]:
    """A TCP server that accepts and closes at once (not a DICOM peer)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    stop = threading.Event()

    def loop() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


@pytest.fixture
def strict_scp() -> Iterator[int]:
    """A pynetdicom SCP that checks called/calling AE and offers only Verification."""
    ae = AE(ae_title="STRICT")
    ae.require_called_aet = True
    ae.require_calling_aet = ["GOOD-SCU"]
    ae.add_supported_context(Verification)
    server = ae.start_server(("127.0.0.1", 0), block=False)
    assert server is not None
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()


@pytest.fixture
def dcmtk_storescp(tmp_path: Path) -> Iterator[int]:
    """dcmtk's storescp on a free loopback port (a real foreign peer)."""
    exe = shutil.which("storescp")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("dcmtk storescp missing in CI: .ci/run must install dcmtk")
        pytest.skip("dcmtk storescp not installed (.ci/run installs dcmtk)")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "-aet", "DCMTK", "-od", str(tmp_path), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
