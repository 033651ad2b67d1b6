"""RPIQ SCP at archive scale: query latency vs the example SCP, and concurrency.

(1) Latency vs archive size. A folder of N RPI SR documents (one patient each,
    20 content items) is served by
    - the pynetdicom documentation's RPI SCP example (benchmarks/example_scp.py:
      rereads every file of the folder per query, pynetdicom defaults), and
    - ``rpiq scp serve`` over an archive holding the same files (indexed).
    Both run as separate processes; the same SCU (the RPIQ engine, a new
    association per query) asks for random patients. Medians in ms.
(2) Concurrency. 32 associations held open at once (clients in 4 processes),
    each sending 1000 queries for random patients to ``rpiq scp serve`` at the
    largest size: failures (anything but one match), p50 / p95 per query,
    queries per second. Meanwhile 2 more associations C-STORE new RPI SR
    documents for random patients of the same archive (new answers for the
    queried patients), and a prober opens one association above the limit
    (``--max-associations 34``) every 0.25 s: each must be rejected cleanly
    (A-ASSOCIATE-RJ, "local limit exceeded") or, while a client is not yet
    connected, accepted; no abort, no timeout, the server never exits.
    The clients' DUL threads wait instead of polling (rpiq.core.net.wakeup,
    as every RPIQ association), so 32 client associations on the same small
    machine do not starve the SCP.

Targets (exit 1 when missed): the RPIQ SCP is faster than the example SCP at
every size; its median at the largest size is at most 2x its median at the
smallest (an index, not a scan); 0 failed queries and 0 failed stores under
concurrency; every over-limit association rejected cleanly.

Usage: python benchmarks/scp_scale.py [--quick] [--sizes N ...] [--per-client N]
(--quick: sizes 300 and 1000, 32 x 50 queries.)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pydicom import dcmread, dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid
from pynetdicom import AE

from rpiq.core.archive import Archive
from rpiq.core.net.ae import VERIFICATION_UID
from rpiq.core.net.reactor import park_reactor, unpark_reactor
from rpiq.core.profiles import AEProfile
from rpiq.core.query.engine import QuerySession, run_query
from rpiq.core.query.events import Done
from rpiq.core.query.request import QueryRequest
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.samples import sized_tree

if TYPE_CHECKING:
    from collections.abc import Iterator

HERE = Path(__file__).resolve().parent
COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
ASSOCIATIONS = 32
CLIENT_PROCESSES = 4
STORERS = 2
PROBE_EVERY_S = 0.25
SCALE_FACTOR = 2.0


def patient(index: int) -> str:
    return f"SCALE-{index:06d}"


def template_bytes(items: int) -> bytes:
    ds = Dataset()
    ds.SOPClassUID = COMPREHENSIVE_SR
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "SR"
    ds.PatientName = "SCALE^PATIENT"
    ds.PatientID = patient(0)
    ds.PatientBirthDate = "19700101"
    ds.PatientSex = "F"
    ds.ContentDate = "20261122"
    ds.ContentTime = "120000"
    ds.CompletionFlag = "COMPLETE"
    ds.VerificationFlag = "UNVERIFIED"
    ds.update(encode_root(sized_tree(items)))
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(COMPREHENSIVE_SR)
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    buffer = io.BytesIO()
    dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def write_files(folder: Path, start: int, stop: int, items: int) -> None:
    """SR files for patients ``start..stop-1`` (raw copies of one template)."""
    folder.mkdir(parents=True, exist_ok=True)
    blob = template_bytes(items)
    for index in range(start, stop):
        ds = dcmread(io.BytesIO(blob))
        ds.PatientID = patient(index)
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        dcmwrite(folder / f"{index:06d}.dcm", ds, enforce_file_format=True)


def build(tmp: Path, sizes: list[int], items: int) -> dict[int, tuple[Path, Path]]:
    """For each size: a folder of files and an archive holding them."""
    built: dict[int, tuple[Path, Path]] = {}
    done = 0
    files = tmp / "files"
    previous: Path | None = None
    for size in sorted(sizes):
        start = time.perf_counter()
        write_files(files, done, size, items)
        folder = tmp / f"folder-{size}"
        folder.mkdir()
        for index in range(size):
            name = f"{index:06d}.dcm"
            os.link(files / name, folder / name)
        archive_dir = tmp / f"archive-{size}"
        if previous is not None:
            shutil.copytree(previous, archive_dir)
        archive = Archive(archive_dir)
        summary = archive.import_paths(
            [folder / f"{i:06d}.dcm" for i in range(done, size)]
        )
        if not summary.ok:
            raise RuntimeError(f"import failed: {summary.text()}")
        took = time.perf_counter() - start
        print(f"built {size} files + archive in {took:.0f} s ({summary.text()})")
        built[size] = (folder, archive_dir)
        previous, done = archive_dir, size
    return built


@contextmanager
def example_scp(folder: Path) -> Iterator[int]:
    port_file = folder.parent / f"{folder.name}.port"
    cmd = [sys.executable, str(HERE / "example_scp.py"), str(folder), str(port_file)]
    proc = subprocess.Popen(cmd)
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("example SCP did not start")
            time.sleep(0.05)
        yield int(port_file.read_text())
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        port_file.unlink(missing_ok=True)


@contextmanager
def rpiq_scp(archive: Path) -> Iterator[int]:
    cmd = [sys.executable, "-m", "rpiq", "scp", "serve", "--port", "0"]
    limit = ASSOCIATIONS + STORERS
    cmd += ["--archive", str(archive), "--max-associations", str(limit)]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("listening on"):
            raise RuntimeError(f"rpiq scp serve did not start: {line!r}")
        yield int(line.split()[2].rsplit(":", 1)[1])
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def profile(port: int, called: str) -> AEProfile:
    return AEProfile(
        name="bench", host="127.0.0.1", port=port, called_ae=called, dimse_timeout=120
    )


def one_query(port: int, called: str, patient_id: str) -> float:
    start = time.perf_counter()
    final = list(run_query(profile(port, called), QueryRequest(patient_id)))[-1]
    elapsed = (time.perf_counter() - start) * 1000.0
    if not (isinstance(final, Done) and final.matched):
        raise RuntimeError(f"query for {patient_id} failed: {final}")
    return elapsed


def median_latency(port: int, called: str, size: int, runs: int) -> float:
    rng = random.Random(size)
    one_query(port, called, patient(0))  # warm-up
    return statistics.median(
        one_query(port, called, patient(rng.randrange(size))) for _ in range(runs)
    )


Row = tuple[int, float, int, float, int]
"""(files, example median ms, example runs, RPIQ median ms, RPIQ runs)"""


def latency_rows(built: dict[int, tuple[Path, Path]], runs: int) -> list[Row]:
    rows: list[Row] = []
    for size, (folder, archive_dir) in sorted(built.items()):
        example_runs = max(3, min(runs, 20000 // size))
        with example_scp(folder) as port:
            theirs = median_latency(port, "ANY-SCP", size, example_runs)
        with rpiq_scp(archive_dir) as port:
            ours = median_latency(port, "RPIQ", size, runs)
        rows.append((size, theirs, example_runs, ours, runs))
        print(f"size {size}: example {theirs:.1f} ms, RPIQ {ours:.1f} ms")
    return rows


# ---------------------------------------------------------------- clients


def client_main(port: int, threads: int, queries: int, size: int, seed: int) -> None:
    """Run ``threads`` held associations; print JSON latencies and failures."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    arrived = threading.Semaphore(0)  # one release per worker, connected or not

    def work(worker: int) -> None:
        rng = random.Random(seed * 1000 + worker)
        mine: list[float] = []
        bad: list[str] = []
        told = False
        try:
            with QuerySession(profile(port, "RPIQ")) as session:
                arrived.release()
                told = True
                for _ in range(queries):
                    request = QueryRequest(patient(rng.randrange(size)))
                    start = time.perf_counter()
                    final = list(session.query(request))[-1]
                    mine.append((time.perf_counter() - start) * 1000.0)
                    if not (isinstance(final, Done) and final.matched):
                        bad.append(str(final)[:200])
        except Exception as exc:  # noqa: BLE001 — counted as failures
            bad.append(f"{type(exc).__name__}: {exc}")
            bad.extend(["not sent"] * (queries - len(mine) - 1))
        finally:
            if not told:
                arrived.release()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for _ in pool:
        arrived.acquire()
    _say_ready()
    for thread in pool:
        thread.join()
    json.dump({"latencies": latencies, "failures": failures}, sys.stdout)


def _say_ready() -> None:
    """Tell the parent every association of this process is up (or failed)."""
    sys.stderr.write("ready\n")
    sys.stderr.flush()


def storer_main(port: int, size: int, seed: int) -> None:
    """C-STORE SR documents for random patients until stdin closes; print JSON."""
    rng = random.Random(seed)
    blob = template_bytes(8)
    ae = AE(ae_title=f"STORER{seed}")
    ae.add_requested_context(COMPREHENSIVE_SR, ExplicitVRLittleEndian)
    ae.dimse_timeout = 120
    stop = threading.Event()

    def wait_stdin() -> None:
        sys.stdin.read()  # the parent closes stdin to say "stop"
        stop.set()

    threading.Thread(target=wait_stdin, daemon=True).start()
    latencies: list[float] = []
    failures: list[str] = []
    assoc = ae.associate("127.0.0.1", port, ae_title="RPIQ")
    _say_ready()
    if not assoc.is_established:
        failures.append("storer association not established")
    else:
        park_reactor(assoc)  # see tests/integration/scp/conftest.py
        while not stop.is_set():
            ds = dcmread(io.BytesIO(blob))
            ds.PatientID = patient(rng.randrange(size))
            ds.SOPInstanceUID = generate_uid()
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            start = time.perf_counter()
            status = assoc.send_c_store(ds)
            latencies.append((time.perf_counter() - start) * 1000.0)
            if status.get("Status") != 0:
                failures.append(str(status)[:200])
        unpark_reactor(assoc)
        assoc.release()
    json.dump({"latencies": latencies, "failures": failures}, sys.stdout)


class Prober:
    """Opens one association at a time above the limit and sorts the outcome."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.counts = {"rejected": 0, "accepted": 0, "unclean": 0}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        ae = AE(ae_title="PROBER")
        ae.add_requested_context(VERIFICATION_UID)
        ae.acse_timeout = ae.network_timeout = 30
        while not self.stop.wait(PROBE_EVERY_S):
            assoc = ae.associate("127.0.0.1", self.port, ae_title="RPIQ")
            if assoc.is_rejected:
                self.counts["rejected"] += 1
            elif assoc.is_established:
                self.counts["accepted"] += 1
                assoc.release()
            else:  # aborted, timed out, connection refused or reset
                self.counts["unclean"] += 1


def _spawn(role: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, role, *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_ready(proc: subprocess.Popen[str]) -> None:
    """Wait for the child's "ready" line, then keep draining its stderr."""
    assert proc.stderr is not None
    stream = proc.stderr
    for line in iter(stream.readline, ""):
        if line.strip() == "ready":
            break
        sys.stderr.write(line)
    threading.Thread(
        target=lambda: [sys.stderr.write(x) for x in stream], daemon=True
    ).start()


def _percentile(values: list[float], share: float) -> float:
    return values[int(share * (len(values) - 1))] if values else float("nan")


def concurrency(archive_dir: Path, size: int, per_client: int) -> dict[str, float]:
    threads = ASSOCIATIONS // CLIENT_PROCESSES
    with rpiq_scp(archive_dir) as port:
        storers = [_spawn("--storer", port, size, seed) for seed in range(STORERS)]
        start = time.perf_counter()
        procs = [
            _spawn("--client", port, threads, per_client, size, seed)
            for seed in range(CLIENT_PROCESSES)
        ]
        # Probe only once every client and storer holds its association: a
        # probe accepted while they connect would take a client's slot.
        for proc in [*storers, *procs]:
            _wait_ready(proc)
        prober = Prober(port)
        prober.thread.start()
        results = [json.loads(proc.communicate()[0]) for proc in procs]
        elapsed = time.perf_counter() - start
        prober.stop.set()
        prober.thread.join()
        stored = [json.loads(proc.communicate("")[0]) for proc in storers]
        alive = one_query(port, "RPIQ", patient(0)) > 0
    latencies = sorted(x for r in results for x in r["latencies"])
    failures = [f for r in results for f in r["failures"]]
    store_ms = sorted(x for r in stored for x in r["latencies"])
    store_failures = [f for r in stored for f in r["failures"]]
    for failure in (failures + store_failures)[:5]:
        print(f"  failure: {failure}")
    return {
        "queries": float(len(latencies)),
        "failures": float(len(failures)),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": _percentile(latencies, 0.95),
        "qps": len(latencies) / elapsed,
        "stores": float(len(store_ms)),
        "store_failures": float(len(store_failures)),
        "store_p50": statistics.median(store_ms) if store_ms else float("nan"),
        "store_p95": _percentile(store_ms, 0.95),
        **{f"probe_{k}": float(v) for k, v in prober.counts.items()},
        "alive": float(alive),
    }


def report(rows: list[Row], load: dict[str, float], per_client: int) -> int:
    print()
    print("RPI query, new association per query (median ms, SCU: RPIQ engine)")
    print()
    print("| files | example SCP (rereads folder) | RPIQ SCP (indexed) | speed-up |")
    print("|---|---|---|---|")
    for size, theirs, n_theirs, ours, n_ours in rows:
        print(
            f"| {size} | {theirs:.1f} (n={n_theirs}) | {ours:.1f} (n={n_ours}) "
            f"| {theirs / ours:.0f}x |"
        )
    print()
    print(
        f"{ASSOCIATIONS} concurrent associations x {per_client} queries each, "
        f"with {STORERS} associations storing SR documents meanwhile"
    )
    print()
    print("| queries | failures | p50 ms | p95 ms | queries/s |")
    print("|---|---|---|---|---|")
    print(
        f"| {load['queries']:.0f} | {load['failures']:.0f} | {load['p50']:.1f} "
        f"| {load['p95']:.1f} | {load['qps']:.0f} |"
    )
    print()
    print("| C-STOREs | failures | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    print(
        f"| {load['stores']:.0f} | {load['store_failures']:.0f} "
        f"| {load['store_p50']:.1f} | {load['store_p95']:.1f} |"
    )
    print()
    print(
        f"Associations above the limit ({ASSOCIATIONS + STORERS}): "
        f"{load['probe_rejected']:.0f} rejected, {load['probe_accepted']:.0f} "
        f"accepted (a slot was free), {load['probe_unclean']:.0f} unclean; "
        f"server answering afterwards: {'yes' if load['alive'] else 'NO'}"
    )
    print()
    smallest, largest = rows[0], rows[-1]
    checks = [
        (
            "RPIQ faster than the example SCP at every size",
            all(r[3] < r[1] for r in rows),
        ),
        (
            f"RPIQ median at {largest[0]} <= {SCALE_FACTOR:g}x median at "
            f"{smallest[0]} ({largest[3]:.1f} vs {smallest[3]:.1f} ms)",
            largest[3] <= SCALE_FACTOR * smallest[3],
        ),
        (
            "0 failures under concurrency",
            load["failures"] == 0 and load["queries"] == ASSOCIATIONS * per_client,
        ),
        (
            "0 failed C-STOREs meanwhile",
            load["store_failures"] == 0 and load["stores"] > 0,
        ),
        (
            "over-limit associations rejected cleanly, server alive",
            load["probe_unclean"] == 0
            and load["probe_rejected"] > 0
            and bool(load["alive"]),
        ),
    ]
    missed = False
    for label, ok in checks:
        print(f"{label}: {'OK' if ok else 'MISSED'}")
        missed = missed or not ok
    return 1 if missed else 0


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        port, threads, queries, size, seed = map(int, sys.argv[2:7])
        client_main(port, threads, queries, size, seed)
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--storer":
        port, size, seed = map(int, sys.argv[2:5])
        storer_main(port, size, seed)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--per-client", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--items", type=int, default=20)
    args = parser.parse_args()
    sizes = [300, 1000] if args.quick else args.sizes
    per_client = 50 if args.quick else args.per_client
    with tempfile.TemporaryDirectory() as tmp:
        built = build(Path(tmp), sizes, args.items)
        rows = latency_rows(built, args.runs)
        load = concurrency(built[max(sizes)][1], max(sizes), per_client)
    return report(rows, load, per_client)


if __name__ == "__main__":
    raise SystemExit(main())
