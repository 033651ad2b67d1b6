"""Loopback fixtures for the embedded SCP: running services, SR documents, TLS.

``start_scp(**settings)`` starts an :class:`ScpService` on an ephemeral port
over a temporary archive and stops it at teardown; ``make_sr`` builds an RPI
SR document (TID 9007 content) as C-STORE would send it; ``pki`` issues
certificates with trustme.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid
from pynetdicom import AE

from rpiq.core.net.reactor import park_reactor, unpark_reactor
from rpiq.core.profiles import AEProfile
from rpiq.core.scp import ScpEvent, ScpService, ScpSettings
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.samples import every_value_type_tree, sized_tree

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
RPIQ = [sys.executable, "-m", "rpiq"]


def make_sr(
    patient_id: str,
    issuer: str | None = None,
    name: str = "DEMO^PATIENT",
    items: int | None = None,
) -> Dataset:
    """An RPI SR document (TID 9007 content) with File Meta, ready for C-STORE."""
    ds = Dataset()
    ds.SOPClassUID = COMPREHENSIVE_SR
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "SR"
    ds.InstanceNumber = 1
    ds.SeriesNumber = 1
    ds.ContentDate = "20261122"
    ds.ContentTime = "103000"
    ds.PatientName = name
    ds.PatientID = patient_id
    if issuer is not None:
        ds.IssuerOfPatientID = issuer
    ds.PatientBirthDate = "19800101"
    ds.PatientSex = "F"
    ds.CompletionFlag = "COMPLETE"
    ds.VerificationFlag = "UNVERIFIED"
    tree = every_value_type_tree() if items is None else sized_tree(items)
    ds.update(encode_root(tree))
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(COMPREHENSIVE_SR)
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    return ds


@pytest.fixture
def sr_factory() -> Callable[..., Dataset]:
    return make_sr


def open_archive(root: Path) -> Any:
    from rpiq.core.archive import Archive

    return Archive(root)


@dataclass
class RunningScp:
    """A started service, the events it sent, and helpers to reach it."""

    service: ScpService
    archive: Any
    events: list[ScpEvent] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.service.address[1]

    def profile(self, **changes: Any) -> AEProfile:
        base = AEProfile(
            name="scp",
            called_ae=self.service.settings.ae_title,
            host="127.0.0.1",
            port=self.port,
            dimse_timeout=15.0,
            acse_timeout=10.0,
        )
        return replace(base, **changes)

    def of(self, kind: type) -> list[Any]:
        return [e for e in list(self.events) if isinstance(e, kind)]

    def wait_for(self, kind: type, count: int = 1, timeout: float = 5.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(kind)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"expected {count} {kind.__name__}, got {self.of(kind)}")


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return tmp_path / "archive"


@pytest.fixture
def start_scp(archive_dir: Path) -> Iterator[Callable[..., RunningScp]]:
    """Start ScpService(port=0, **settings) over ``archive`` (default: real one)."""
    started: list[ScpService] = []

    def start(archive: Any = None, **settings: Any) -> RunningScp:
        settings.setdefault("port", 0)
        store = archive if archive is not None else open_archive(archive_dir)
        events: list[ScpEvent] = []
        service = ScpService(ScpSettings(**settings), store, events.append)
        running = RunningScp(service, store, events)
        service.start()
        started.append(running.service)
        return running

    yield start
    for service in started:
        service.stop()


def store_with_pynetdicom(
    port: int,
    datasets: list[Dataset],
    ae_title: str = "STORE-SCU",
    called: str = "RPIQ",
    syntax: str = ExplicitVRLittleEndian,
) -> list[int]:
    """Send ``datasets`` on one association (pynetdicom example style)."""
    ae = AE(ae_title=ae_title)
    for uid in {str(ds.SOPClassUID) for ds in datasets}:
        ae.add_requested_context(uid, syntax)
    assoc = ae.associate("127.0.0.1", port, ae_title=called)
    assert assoc.is_established
    # pynetdicom's requestor reactor may steal a fast C-STORE-RSP from the
    # DIMSE queue on a reused association (the SCU then waits out its DIMSE
    # timeout); keep it parked while we send.
    park_reactor(assoc)
    try:
        return [int(assoc.send_c_store(ds).Status) for ds in datasets]
    finally:
        unpark_reactor(assoc)
        assoc.release()


@pytest.fixture
def send_store() -> Callable[..., list[int]]:
    """``send_store(port, datasets)``: C-STORE from a plain pynetdicom SCU."""
    return store_with_pynetdicom


# ----------------------------------------------------------------- dcmtk


def dcmtk(tool: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail(f"dcmtk {tool} missing in CI: .ci/run must install dcmtk")
        pytest.skip(f"dcmtk {tool} not installed")
    return exe


@pytest.fixture
def dcmtk_tool() -> Callable[[str], str]:
    """``dcmtk_tool("storescu")``: path of a dcmtk tool (skip if missing)."""
    return dcmtk


# ------------------------------------------------------------------- TLS


@dataclass
class Pki:
    """PEM files of a CA, a server certificate for 127.0.0.1 and a client."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path
    stranger_cert: Path
    stranger_key: Path


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    trustme = pytest.importorskip("trustme")
    root = tmp_path_factory.mktemp("pki")
    ca, other = trustme.CA(), trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    client = ca.issue_cert("rpiq-scu@example.org", common_name="RPIQ SCU")
    stranger = other.issue_cert("stranger@example.org", common_name="Stranger")

    def write(name: str, blob: Any) -> Path:
        path = root / name
        blob.write_to_path(str(path))
        return path

    return Pki(
        ca=write("ca.pem", ca.cert_pem),
        server_cert=write("server.pem", server.cert_chain_pems[0]),
        server_key=write("server.key", server.private_key_pem),
        client_cert=write("client.pem", client.cert_chain_pems[0]),
        client_key=write("client.key", client.private_key_pem),
        other_ca=write("other-ca.pem", other.cert_pem),
        stranger_cert=write("stranger.pem", stranger.cert_chain_pems[0]),
        stranger_key=write("stranger.key", stranger.private_key_pem),
    )


# --------------------------------------------------------- rpiq scp serve


@dataclass
class ServeProcess:
    """``rpiq scp serve`` in a subprocess, with its stderr collected."""

    proc: subprocess.Popen[str]
    host: str
    port: int
    ae_title: str
    ready_line: str
    stderr_lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        if self._reader is not None:
            self._reader.join(timeout)
        return code

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_lines)


def spawn_serve(archive: Path, *extra: str, verbose: int = 0) -> ServeProcess:
    """Start ``rpiq scp serve --port 0`` and wait for its readiness line."""
    flags = [f"-{'v' * verbose}"] if verbose else []
    proc = subprocess.Popen(
        [
            *RPIQ,
            *flags,
            "scp",
            "serve",
            "--port",
            "0",
            "--archive",
            str(archive),
            *list(extra),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(iter(proc.stderr.readline, "")),  # type: ignore[union-attr]
        daemon=True,
    )
    reader.start()
    ready = proc.stdout.readline()
    if not ready.startswith("listening on "):
        proc.kill()
        proc.wait()
        reader.join(5)
        raise AssertionError(f"no readiness line: {ready!r}; stderr: {''.join(lines)}")
    words = ready.split()
    host, port = words[2].rsplit(":", 1)
    return ServeProcess(proc, host, int(port), words[4], ready, lines, reader)


@pytest.fixture
def serve(archive_dir: Path) -> Iterator[Callable[..., ServeProcess]]:
    started: list[ServeProcess] = []

    def start(
        *extra: str, archive: Path | None = None, verbose: int = 0
    ) -> ServeProcess:
        process = spawn_serve(archive or archive_dir, *extra, verbose=verbose)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait(10)
