"""GUI fixtures: leak checks, an isolated QSettings dir and a loopback RPI SCP.

The SCP is a trimmed copy of ``tests/integration/conftest.py``'s ``fake_scp``
(fixtures there are not visible here): a pynetdicom RPI SCP on 127.0.0.1:0
whose ``mode`` and ``delay_s`` a test sets.
"""

from __future__ import annotations

import gc
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from PySide6.QtCore import QLocale, QThreadPool
from PySide6.QtWidgets import QApplication

from rpiq.core.net.ae import VERIFICATION_UID
from rpiq.core.profiles import AEProfile, ProfileStore
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.samples import every_value_type_tree
from rpiq.core.status import RpiqStatus
from rpiq.core.templates import RpiSopClass
from rpiq.gui.workers import await_workers, running_workers

if TYPE_CHECKING:
    from collections.abc import Iterator

LEAK_GRACE_MS = 4000


@pytest.fixture(autouse=True)
def _no_dangling_workers(qapp: QApplication) -> Iterator[None]:
    """Fail a test that leaves a worker, a pool thread or a new thread running.

    Automatic garbage collection is off meanwhile (as under ``GcGuard`` in the
    app): a collection inside a worker thread could free Qt wrappers there.
    """
    before = set(threading.enumerate())
    gc.disable()
    yield
    finished = await_workers(LEAK_GRACE_MS)
    for widget in QApplication.topLevelWidgets():
        widget.close()
    QApplication.processEvents()
    # Collect Qt wrappers here, on the GUI thread, not later inside a worker.
    gc.collect()
    gc.enable()
    deadline = time.monotonic() + 3
    extra: list[threading.Thread] = []
    while time.monotonic() < deadline:
        extra = [
            t
            for t in set(threading.enumerate()) - before
            if t.is_alive() and not t.daemon
        ]
        if not extra:
            break
        time.sleep(0.05)
    assert finished, f"{running_workers()} worker(s) still running after the test"
    assert QThreadPool.globalInstance().activeThreadCount() == 0
    assert not extra, f"threads leaked: {extra}"


@pytest.fixture(autouse=True)
def _english_locale() -> Iterator[None]:
    """Locale-formatted values are asserted in US English."""
    previous = QLocale()
    QLocale.setDefault(QLocale("en_US"))
    yield
    QLocale.setDefault(previous)


@dataclass
class FakeRpiScp:
    """A pynetdicom RPI SCP with a scriptable answer."""

    mode: str = "answer"
    delay_s: float = 0.0
    port: int = 0
    requests: list[Dataset] = field(default_factory=list)

    def answer_for(self, request: Dataset) -> Dataset:
        ds = Dataset()
        ds.PatientName = "DEMO^ALICE"
        ds.PatientID = request.PatientID
        if self.mode == "wrong_id":
            ds.PatientID = f"{request.PatientID}-OTHER"
        ds.IssuerOfPatientID = request.get("IssuerOfPatientID") or "HOSP-A"
        ds.PatientBirthDate = "19800101"
        ds.PatientSex = "F"
        ds.update(encode_root(every_value_type_tree()))
        return ds

    def handle_find(self, event: evt.Event):
        request = event.identifier
        self.requests.append(request)
        end = time.monotonic() + self.delay_s
        while time.monotonic() < end:
            if self.mode != "deaf" and event.is_cancelled:
                yield int(RpiqStatus.CANCEL), None
                return
            time.sleep(0.02)
        if self.mode == "c100":
            status = Dataset()
            status.Status = int(RpiqStatus.MORE_THAN_ONE_MATCH)
            status.ErrorComment = "two patients"
            yield status, None
            return
        if self.mode == "empty":
            return
        yield int(RpiqStatus.PENDING), self.answer_for(request)


@pytest.fixture
def fake_scp() -> Iterator[FakeRpiScp]:
    scp = FakeRpiScp()
    ae = AE(ae_title="FAKE-RPI")
    for uid in (*(sop.uid for sop in RpiSopClass), VERIFICATION_UID):
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


@pytest.fixture
def profile_store(fake_profile: AEProfile) -> ProfileStore:
    """The default store (under RPIQ_HOME) holding the fake profile, saved."""
    store = ProfileStore.default()
    store.load()
    store.add(fake_profile)
    store.save()
    return store


@pytest.fixture
def unused_port() -> int:
    """A loopback port nobody listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
