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
    queries per second. The clients' DUL threads wait instead of polling
    (rpiq.core.scp.wakeup, as in the SCP), so 32 client associations on the
    same small machine do not starve the SCP; RPIQ_BENCH_QUIET_CLIENTS=0
    measures with polling clients.

Targets (exit 1 when missed): the RPIQ SCP is faster than the example SCP at
every size; its median at the largest size is at most 2x its median at the
smallest (an index, not a scan); 0 failures under concurrency.

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

from rpiq.core.archive import Archive
from rpiq.core.profiles import AEProfile
from rpiq.core.query.engine import QuerySession, run_query
from rpiq.core.query.events import Done
from rpiq.core.query.request import QueryRequest
from rpiq.core.scp import wakeup
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.samples import sized_tree

if TYPE_CHECKING:
    from collections.abc import Iterator

HERE = Path(__file__).resolve().parent
COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
ASSOCIATIONS = 32
CLIENT_PROCESSES = 4
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
    cmd += ["--archive", str(archive), "--max-associations", str(ASSOCIATIONS + 8)]
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
    if os.environ.get("RPIQ_BENCH_QUIET_CLIENTS", "1") == "1":
        wakeup.install()

    def work(worker: int) -> None:
        rng = random.Random(seed * 1000 + worker)
        mine: list[float] = []
        bad: list[str] = []
        try:
            with QuerySession(profile(port, "RPIQ")) as session:
                if session._assoc is not None:
                    wakeup.quiet_association(session._assoc)
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
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    json.dump({"latencies": latencies, "failures": failures}, sys.stdout)


def concurrency(archive_dir: Path, size: int, per_client: int) -> dict[str, float]:
    threads = ASSOCIATIONS // CLIENT_PROCESSES
    with rpiq_scp(archive_dir) as port:
        start = time.perf_counter()
        job = [str(port), str(threads), str(per_client), str(size)]
        procs = [
            subprocess.Popen(
                [sys.executable, __file__, "--client", *job, str(seed)],
                stdout=subprocess.PIPE,
                text=True,
            )
            for seed in range(CLIENT_PROCESSES)
        ]
        results = [json.loads(proc.communicate()[0]) for proc in procs]
        elapsed = time.perf_counter() - start
    latencies = sorted(x for r in results for x in r["latencies"])
    failures = [f for r in results for f in r["failures"]]
    for failure in failures[:5]:
        print(f"  failure: {failure}")
    return {
        "queries": float(len(latencies)),
        "failures": float(len(failures)),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0,
        "qps": len(latencies) / elapsed,
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
    print(f"{ASSOCIATIONS} concurrent associations x {per_client} queries each")
    print()
    print("| queries | failures | p50 ms | p95 ms | queries/s |")
    print("|---|---|---|---|---|")
    print(
        f"| {load['queries']:.0f} | {load['failures']:.0f} | {load['p50']:.1f} "
        f"| {load['p95']:.1f} | {load['qps']:.0f} |"
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
