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
from typing import TYPE_CHECKING

import pytest
from pynetdicom import AE

from rpiq.core.net.ae import VERIFICATION_UID as Verification

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


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
def dcmtk_storescp(tmp_path: Path, unused_port: int) -> Iterator[int]:
    """dcmtk's storescp on a free loopback port (a real foreign peer)."""
    exe = shutil.which("storescp")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("dcmtk storescp missing in CI: .ci/run must install dcmtk")
        pytest.skip("dcmtk storescp not installed (.ci/run installs dcmtk)")
    port = unused_port
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
