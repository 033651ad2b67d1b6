"""Shared fixtures: isolated app dirs, offscreen Qt, and a scriptable RPI peer.

``FakeRpiScp`` is written as in the pynetdicom RPI examples (no tuning), with a
``mode`` the test sets to make it answer normally, answer nothing ("none"),
fail with C100/C200/A900, send two Pendings ("double"), delay (``delay_s``),
ignore cancels ("deaf"), or answer for the wrong patient or root concept.
Integration and GUI tests both use it.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING

import pytest
from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.dimse_primitives import C_FIND
from pynetdicom.dsutils import encode

from rpiq.core.net.ae import VERIFICATION_UID
from rpiq.core.profiles import AEProfile
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import CodedConcept
from rpiq.core.sr.samples import every_value_type_tree
from rpiq.core.status import RpiqStatus
from rpiq.core.templates import RpiSopClass

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# Must be set before any QApplication exists; this machine kind has no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def rpiq_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every app dir at a temporary folder: tests never touch real user dirs."""
    home = tmp_path / "rpiq-home"
    monkeypatch.setenv("RPIQ_HOME", str(home))
    return home


RPI_CLASSES = tuple(sop.uid for sop in RpiSopClass)


@dataclass
class FakeRpiScp:
    """A pynetdicom RPI SCP on 127.0.0.1 with a scriptable answer."""

    mode: str = "answer"
    delay_s: float = 0.0
    port: int = 0
    requests: list[Dataset] = field(default_factory=list)
    cancelled: list[bool] = field(default_factory=list)
    comments: dict[str, str] = field(default_factory=dict)

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
            status.ErrorComment = self.comments.get(self.mode, f"fake {self.mode}")
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
    for uid in (*RPI_CLASSES, VERIFICATION_UID):
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
