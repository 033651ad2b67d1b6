"""RPI query latency: bare pynetdicom (as in its examples) vs the RPIQ engine.

SCU in this process, SCP in a separate process (benchmarks/example_scp.py).
One run prints medians and ratios; targets from the issue are checked at the end
(exit 1 if one is missed). Scenarios:

(a) example SCU <-> example SCP, pynetdicom defaults
(b) RPIQ engine <-> the same SCP run with RPIQ's socket/logging settings
(c) RPIQ engine <-> the unmodified example SCP

Usage: python benchmarks/query_latency.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pydicom import dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid
from pynetdicom import AE, _config

from rpiq.core.profiles import AEProfile
from rpiq.core.query.engine import QuerySession, run_query
from rpiq.core.query.events import Done
from rpiq.core.query.request import QueryRequest
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.samples import sized_tree

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

GENERAL_RPI = "1.2.840.10008.5.1.4.37.1"
COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
HERE = Path(__file__).resolve().parent


def write_sr(folder: Path, patient_id: str, items: int) -> None:
    """Store one SR document with ``items`` content items for ``patient_id``."""
    ds = Dataset()
    ds.PatientName = "BENCH^PATIENT"
    ds.PatientID = patient_id
    ds.SOPClassUID = COMPREHENSIVE_SR
    ds.SOPInstanceUID = generate_uid()
    ds.update(encode_root(sized_tree(items)))
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(COMPREHENSIVE_SR)
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    dcmwrite(folder / f"{patient_id}.dcm", ds, enforce_file_format=True)


@contextmanager
def example_scp(folder: Path, tuned: bool) -> Iterator[int]:
    port_file = folder.parent / f"{folder.name}-{'tuned' if tuned else 'plain'}.port"
    cmd = [sys.executable, str(HERE / "example_scp.py"), str(folder), str(port_file)]
    proc = subprocess.Popen([*cmd, *(["--tuned"] if tuned else [])])
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("example SCP did not start")
            time.sleep(0.05)
        yield int(port_file.read_text())
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        port_file.unlink(missing_ok=True)


def example_scu_query(port: int, patient_id: str) -> None:
    """The pynetdicom RPI SCU example: associate, C-FIND, release."""
    _config.LOG_REQUEST_IDENTIFIERS = True  # pynetdicom defaults
    _config.LOG_RESPONSE_IDENTIFIERS = True
    ae = AE()
    ae.add_requested_context(GENERAL_RPI)
    ds = Dataset()
    ds.PatientName = ""
    ds.PatientID = patient_id
    ds.ContentTemplateSequence = [Dataset()]
    ds.ContentTemplateSequence[0].MappingResource = "DCMR"
    ds.ContentTemplateSequence[0].TemplateIdentifier = "9007"
    assoc = ae.associate("127.0.0.1", port)
    if not assoc.is_established:
        raise RuntimeError("association failed")
    got = False
    for _status, identifier in assoc.send_c_find(ds, GENERAL_RPI):
        got = got or identifier is not None
    assoc.release()
    if not got:
        raise RuntimeError("no match")


def engine_query(port: int, patient_id: str) -> None:
    profile = AEProfile(name="bench", host="127.0.0.1", port=port)
    final = list(run_query(profile, QueryRequest(patient_id)))[-1]
    if not (isinstance(final, Done) and final.matched):
        raise RuntimeError(f"engine query failed: {final}")


def median_ms(fn: Callable[[], None], runs: int) -> float:
    fn()  # warm-up: imports, first connection
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def held_median_ms(port: int, patient_id: str, runs: int) -> float:
    profile = AEProfile(name="bench", host="127.0.0.1", port=port)
    request = QueryRequest(patient_id)
    with QuerySession(profile) as session:
        list(session.query(request))
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            final = list(session.query(request))[-1]
            times.append((time.perf_counter() - start) * 1000.0)
            assert isinstance(final, Done)
            assert final.matched, final
    return statistics.median(times)


def scenario(folder: Path, patient_id: str, runs: int) -> dict[str, float]:
    result: dict[str, float] = {}
    with example_scp(folder, tuned=False) as port:
        result["a"] = median_ms(lambda: example_scu_query(port, patient_id), runs)
        result["c"] = median_ms(lambda: engine_query(port, patient_id), runs)
    with example_scp(folder, tuned=True) as port:
        result["b"] = median_ms(lambda: engine_query(port, patient_id), runs)
        result["held"] = held_median_ms(port, patient_id, runs)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for items in (20, 1000):
            folder = Path(tmp) / f"items{items}"
            folder.mkdir()
            write_sr(folder, f"P{items}", items)
            runs = args.runs if items == 20 else max(5, args.runs // 3)
            results[items] = scenario(folder, f"P{items}", runs)
    r20, r1k = results[20], results[1000]
    checks = [
        ("20 items: (a)/(b) assoc+find+release", r20["a"] / r20["b"], 8.0),
        ("20 items: held association (b) median ms", r20["held"], -5.0),
        ("1000 items: (a)/(b) assoc+find+release", r1k["a"] / r1k["b"], 4.0),
        ("20 items: (a)/(c) vs unmodified example SCP", r20["a"] / r20["c"], 1.5),
    ]
    print()
    print("| scenario | 20 items (ms) | 1000 items (ms) |")
    print("|---|---|---|")
    names = {
        "a": "(a) example SCU <-> example SCP, defaults",
        "b": "(b) RPIQ engine <-> example SCP + RPIQ tuning",
        "c": "(c) RPIQ engine <-> unmodified example SCP",
        "held": "(b) on a held association, per query",
    }
    for key, label in names.items():
        print(f"| {label} | {r20[key]:.1f} | {r1k[key]:.1f} |")
    print()
    failed = False
    for label, value, target in checks:
        ok = value <= -target if target < 0 else value >= target
        want = f"<= {-target:g} ms" if target < 0 else f">= {target:g}x"
        print(f"{label}: {value:.2f} (target {want}) {'OK' if ok else 'MISSED'}")
        failed = failed or not ok
        rows.append((label, value, target, "OK" if ok else "MISSED"))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
