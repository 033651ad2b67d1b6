"""C-STORE ingest rate: the RPIQ SCP (archive: fsync + index) vs pynetdicom storescp.

Both SCPs run as separate processes on loopback, in the same run:

- ``python -m pynetdicom storescp PORT -od DIR`` (pynetdicom's reference app:
  writes each instance to a file, no fsync, no index);
- ``rpiq scp serve --archive DIR --port 0`` (each instance written, fsync'ed,
  renamed and committed to the SQLite index before Success is sent).

A third column, not a target, runs the same SCP with a no-op archive (nothing
written): the SCP's own cost, so the rest of the gap is the archive's.

One pynetdicom SCU (TCP_NODELAY, datasets pre-decoded from bytes so encoding
is cheap) sends the same instances to each on one association, and, separately,
on 4 parallel associations. All three SCPs run at once and take turns, a fifth
of the instances at a time, so that a machine whose speed drifts during the
run (these are shared 2-core machines) does not favour one of them; each turn
is a new association, whose set-up and release are not timed. Two kinds of
instance: a small CT image and an RPI SR document (TID 9007 content, whose
content the archive indexes).
Target: RPIQ rate >= 0.8x storescp for every row; exit 1 when missed.

Usage: python benchmarks/ingest.py [--count N] [--quick]
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydicom import dcmread, dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid
from pynetdicom import AE

from rpiq.core.net.ae import VERIFICATION_UID
from rpiq.core.net.reactor import park_reactor, unpark_reactor
from rpiq.core.net.tuning import TUNING_HANDLERS, configure_pynetdicom_logging
from rpiq.core.scp import QueryAnswer, ScpService, ScpSettings
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.samples import sized_tree

if TYPE_CHECKING:
    from collections.abc import Iterator

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
TARGET = 0.8
PARALLEL = 4


def _common(ds: Dataset, sop_class: str, patient: str) -> None:
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientName = "INGEST^BENCH"
    ds.PatientID = patient
    ds.PatientBirthDate = "19700101"
    ds.PatientSex = "O"
    ds.ContentDate = "20261122"
    ds.ContentTime = "120000"
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(sop_class)
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta


def ct_image(patient: str) -> Dataset:
    """A 64x64 16-bit CT slice (8 KiB of pixel data)."""
    ds = Dataset()
    _common(ds, CT_IMAGE, patient)
    ds.Modality = "CT"
    ds.Rows = ds.Columns = 64
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelData = bytes(range(256)) * 32
    return ds


def rpi_sr(patient: str) -> Dataset:
    """An RPI SR document with 20 content items (TID 9007)."""
    ds = Dataset()
    _common(ds, COMPREHENSIVE_SR, patient)
    ds.Modality = "SR"
    ds.CompletionFlag = "COMPLETE"
    ds.VerificationFlag = "UNVERIFIED"
    ds.update(encode_root(sized_tree(20)))
    return ds


def instances(kind: str, count: int) -> list[Dataset]:
    """``count`` instances decoded from bytes (raw elements: cheap to re-send)."""
    make = ct_image if kind == "CT image" else rpi_sr
    out: list[Dataset] = []
    for index in range(count):
        buffer = io.BytesIO()
        dcmwrite(buffer, make(f"ING-{index % 50:03d}"), enforce_file_format=True)
        buffer.seek(0)
        out.append(dcmread(buffer))
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_echo(port: int, proc: subprocess.Popen[str], timeout: float = 30.0) -> None:
    ae = AE()
    ae.add_requested_context(VERIFICATION_UID)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the SCP exited at start-up")
        assoc = ae.associate("127.0.0.1", port)
        if assoc.is_established:
            assoc.release()
            return
        time.sleep(0.1)
    raise RuntimeError("the SCP did not answer C-ECHO")


@contextmanager
def storescp(folder: Path) -> Iterator[int]:
    port = free_port()
    cmd = [sys.executable, "-m", "pynetdicom", "storescp", str(port), "-od"]
    proc = subprocess.Popen([*cmd, str(folder)], text=True)
    try:
        wait_echo(port, proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def rpiq_scp(archive: Path) -> Iterator[int]:
    cmd = [sys.executable, "-m", "rpiq", "scp", "serve", "--port", "0"]
    proc = subprocess.Popen(
        [*cmd, "--archive", str(archive), "--max-associations", "16"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("listening on"):
            raise RuntimeError(f"rpiq scp serve did not start: {line!r}")
        port = int(line.split()[2].rsplit(":", 1)[1])
        wait_echo(port, proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@dataclass(frozen=True)
class _NoopStored:
    sop_instance_uid: str
    patient_id: str
    issuer: str | None = None
    replaced: bool = False


class NoopArchive:
    """Accepts every instance and keeps nothing (diagnostic only)."""

    def store(self, ds: Dataset, encoded: bytes | None = None) -> _NoopStored:
        return _NoopStored(str(ds.SOPInstanceUID), str(ds.PatientID))

    def answer(self, identifier: Dataset, sop_class_uid: str) -> QueryAnswer:
        raise NotImplementedError


def serve_noop() -> None:
    """``--serve-noop``: the RPIQ SCP over NoopArchive; prints the port."""
    settings = ScpSettings(port=0, max_associations=16)
    service = ScpService(settings, NoopArchive())
    _, port = service.start()
    print(port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    service.stop()


@contextmanager
def noop_scp() -> Iterator[int]:
    cmd = [sys.executable, __file__, "--serve-noop"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        wait_echo(port, proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@dataclass
class Sent:
    """One association's share of a run: Successes and when the stores ran."""

    ok: int
    start: float
    end: float


def send_all(
    port: int, datasets: list[Dataset], barrier: threading.Barrier | None = None
) -> Sent:
    """Send ``datasets`` on one association; time the C-STOREs only.

    Association set-up and release are left out of the timing (the SCU waits
    at ``barrier`` once associated, so parallel associations start together):
    pynetdicom's storescp does not set TCP_NODELAY, so its set-up costs a
    Nagle stall that has nothing to do with its ingest rate.
    """
    ae = AE(ae_title="INGEST")
    for uid in {str(ds.SOPClassUID) for ds in datasets}:
        ae.add_requested_context(uid, ExplicitVRLittleEndian)
    assoc = ae.associate("127.0.0.1", port, evt_handlers=TUNING_HANDLERS)
    if not assoc.is_established:
        raise RuntimeError("association failed")
    # pynetdicom's requestor reactor can steal a fast response from the DIMSE
    # queue (the SCU then waits out its DIMSE timeout): park it meanwhile.
    park_reactor(assoc)
    ok = 0
    try:
        if barrier is not None:
            barrier.wait(timeout=30)
        start = time.perf_counter()
        for ds in datasets:
            status = assoc.send_c_store(ds)
            ok += int(status.get("Status", -1) == 0)
        end = time.perf_counter()
    finally:
        unpark_reactor(assoc)
        assoc.release()
    return Sent(ok, start, end)


def rate(port: int, datasets: list[Dataset], parallel: int) -> float:
    """Instances per second, all Success, over ``parallel`` associations."""
    chunks = [datasets[i::parallel] for i in range(parallel)]
    barrier = threading.Barrier(parallel)
    with ThreadPoolExecutor(parallel) as pool:
        sent = list(pool.map(lambda chunk: send_all(port, chunk, barrier), chunks))
    ok = sum(s.ok for s in sent)
    if ok != len(datasets):
        raise RuntimeError(f"only {ok} of {len(datasets)} instances stored")
    return len(datasets) / (max(s.end for s in sent) - min(s.start for s in sent))


@dataclass
class Row:
    kind: str
    parallel: int
    storescp: float
    rpiq: float
    noop: float

    @property
    def ratio(self) -> float:
        return self.rpiq / self.storescp


ROUNDS = 5
"""Each row is measured in rounds, the three SCPs taking turns (order rotated),
so that a machine that slows down during a row does not favour any of them."""


def measure(kind: str, count: int, parallel: int, tmp: Path) -> Row:
    datasets = instances(kind, count)
    warm = instances(kind, 5)
    tag = f"{kind.split()[0].lower()}-{parallel}"
    with (
        storescp(tmp / f"storescp-{tag}") as theirs,
        rpiq_scp(tmp / f"archive-{tag}") as ours,
        noop_scp() as noop,
    ):
        ports = [theirs, ours, noop]
        for port in ports:
            send_all(port, warm)
        seconds = dict.fromkeys(ports, 0.0)
        size = -(-count // ROUNDS)
        for index in range(ROUNDS):
            batch = datasets[index * size : (index + 1) * size]
            if not batch:
                break
            shift = index % len(ports)
            for port in ports[shift:] + ports[:shift]:
                # storescp leaves its files to the kernel's writeback; flushed
                # here, untimed, they would otherwise be written during (and
                # charged to) the next SCP's fsyncs (ext4 data=ordered).
                os.sync()
                seconds[port] += len(batch) / rate(port, batch, parallel)
    return Row(
        kind,
        parallel,
        count / seconds[theirs],
        count / seconds[ours],
        count / seconds[noop],
    )


def main() -> int:
    if sys.argv[1:] == ["--serve-noop"]:
        serve_noop()
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500, help="instances per run")
    parser.add_argument("--quick", action="store_true", help="100 instances")
    args = parser.parse_args()
    count = 100 if args.quick else args.count
    configure_pynetdicom_logging()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("CT image", "RPI SR (20 items)"):
            for parallel in (1, PARALLEL):
                rows.append(measure(kind, count, parallel, Path(tmp)))
                threading.Event().wait(0.2)
    print()
    print(f"C-STORE ingest, {count} instances per row (instances/s, loopback)")
    print()
    print(
        "| instances | associations | pynetdicom storescp | RPIQ SCP | ratio "
        "| RPIQ SCP, no-op archive (diagnostic) |"
    )
    print("|---|---|---|---|---|---|")
    failed = False
    for row in rows:
        ok = row.ratio >= TARGET
        failed = failed or not ok
        mark = "OK" if ok else "MISSED"
        print(
            f"| {row.kind} | {row.parallel} | {row.storescp:.0f} | {row.rpiq:.0f} "
            f"| {row.ratio:.2f}x {mark} | {row.noop:.0f} |"
        )
    print()
    print(f"target: RPIQ >= {TARGET}x storescp on every row: ", end="")
    print("MISSED" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
