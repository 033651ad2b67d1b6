"""RPI lookup in the local archive at 1k, 10k, 100k and 1M patients.

The index is populated directly through ``Index.bulk_insert`` (one synthetic
instance per patient, six patient attributes, every fourth patient with a
stored TID 9007 SR document). At each size three medians are measured:

* index: the SQL of one lookup (patient by ID, attributes, newest SR), on a
  fresh connection, for patients never queried before;
* cold: ``Archive.answer`` with an empty answer cache (index + decoding or
  synthesizing the content + identifier);
* hot: ``Archive.answer`` repeated for one patient (cache hit).

Target (issue "Local archive and embedded RPI SCP"): the 1M/1k ratio of every
median is at most 1.5. Prints a table and the ratios; exits 1 if a target is
missed.

Usage: python benchmarks/archive_lookup.py [--max N] [--queries N] [--dir DIR]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pydicom.dataset import Dataset

from rpiq.core.archive import Archive
from rpiq.core.archive.content import extract
from rpiq.core.archive.demo import build_demo_datasets
from rpiq.core.archive.records import BulkPatient
from rpiq.core.templates import RpiSopClass

SIZES = (1_000, 10_000, 100_000, 1_000_000)
TARGET_RATIO = 1.5
BATCH = 100_000
GENERAL = RpiSopClass.GENERAL.uid


def demo_content():
    """The TID 9007 RPI content of the demo SR document, as the index keeps it."""
    for ds in build_demo_datasets():
        content, _ = extract(ds, "20260101000000")
        if content is not None and content.tid == 9007:
            return content
    raise RuntimeError("demo archive has no TID 9007 document")


def patient_id(n: int) -> str:
    return f"BENCH-{n:07d}"


def patients(start: int, stop: int, content) -> list[BulkPatient]:
    rows = []
    for n in range(start, stop):
        attributes = {
            "PatientName": f"BENCH^PATIENT{n}",
            "PatientBirthDate": "19800101",
            "PatientSex": "F" if n % 2 else "M",
            "PregnancyStatus": 1 + n % 4,
            "SmokingStatus": ("YES", "NO", "UNKNOWN")[n % 3],
            "Allergies": ("Latex",),
        }
        rows.append(
            BulkPatient(
                patient_id(n),
                "HOSP-A" if n % 10 == 0 else "",
                f"2025{1 + n % 12:02d}01120000",
                attributes,
                content if n % 4 == 0 else None,
            )
        )
    return rows


def grow(archive: Archive, have: int, want: int, content) -> None:
    while have < want:
        stop = min(want, have + BATCH)
        archive.index.bulk_insert(patients(have, stop, content), first_uid=have + 1)
        have = stop


def request(pid: str) -> Dataset:
    ds = Dataset()
    ds.PatientID = pid
    ds.PatientName = ""
    ds.PatientBirthDate = ""
    ds.PatientSex = ""
    ds.ObservationDateTime = ""
    ds.ValueType = ""
    ds.ConceptNameCodeSequence = []
    ds.ContentSequence = []
    item = Dataset()
    item.MappingResource = "DCMR"
    item.TemplateIdentifier = "9007"
    ds.ContentTemplateSequence = [item]
    return ds


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def index_lookup(archive: Archive, pid: str) -> None:
    with archive.index.read() as reader:
        [key] = reader.find_patients(pid, None)
        reader.attributes(key.rowid)
        reader.newest_rpi(key.rowid, 9007)


def one_round(archive: Archive, size: int, rng: random.Random, hot: Dataset):
    """One index lookup, one cold and one hot answer (new random patients)."""
    first, second = rng.sample(range(size), 2)
    index_ms = timed(lambda: index_lookup(archive, patient_id(first)))
    archive.answer(hot, GENERAL)  # built (again) after the last round's clear
    hot_ms = timed(lambda: archive.answer(hot, GENERAL))
    archive.clear_cache()  # cold: nothing built yet for this patient
    cold_ms = timed(lambda: archive.answer(request(patient_id(second)), GENERAL))
    return index_ms, cold_ms, hot_ms


def measure(
    small: Archive, large: Archive, size: int, queries: int
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Medians for the 1k archive and the ``size`` archive, measured interleaved.

    Interleaving puts both under the same machine load, so their ratio does
    not depend on what else runs on a shared machine.
    """
    rng = random.Random(size)
    hot_small, hot_large = request(patient_id(0)), request(patient_id(1))
    for _ in range(20):  # warm up: imports, page cache
        one_round(small, SIZES[0], rng, hot_small)
        one_round(large, size, rng, hot_large)
    rounds_small, rounds_large = [], []
    for _ in range(queries):
        rounds_small.append(one_round(small, SIZES[0], rng, hot_small))
        rounds_large.append(one_round(large, size, rng, hot_large))
    return (
        tuple(statistics.median(r[k] for r in rounds_small) for k in range(3)),
        tuple(statistics.median(r[k] for r in rounds_large) for k in range(3)),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=SIZES[-1], help="largest size")
    parser.add_argument("--queries", type=int, default=300, help="queries per size")
    parser.add_argument("--dir", type=Path, help="work folder (default: a temp dir)")
    args = parser.parse_args()
    sizes = [s for s in SIZES if s <= args.max]
    content = demo_content()
    failed = False
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        small = Archive(Path(tmp) / "small")
        grow(small, 0, SIZES[0], content)
        large = Archive(Path(tmp) / "large")
        have = 0
        print(
            f"{'patients':>10} {'index ms':>9} {'cold ms':>9} {'hot ms':>9}"
            f"   ratio to {SIZES[0]:,} (index/cold/hot)  build s"
        )
        for size in sizes:
            started = time.perf_counter()
            grow(large, have, size, content)
            have = size
            build_s = time.perf_counter() - started
            base, result = measure(small, large, size, args.queries)
            ratios = [b / a for a, b in zip(base, result, strict=True)]
            index_ms, cold_ms, hot_ms = result
            print(
                f"{size:>10,} {index_ms:>9.3f} {cold_ms:>9.3f} {hot_ms:>9.3f}"
                f"   {ratios[0]:.2f} / {ratios[1]:.2f} / {ratios[2]:.2f}"
                f"{'':>17}{build_s:>7.1f}"
            )
            if size == sizes[-1]:
                failed = any(r > TARGET_RATIO for r in ratios)
    verdict = "MISSED" if failed else "ok"
    print(
        f"target: {sizes[-1]:,}/{SIZES[0]:,} median ratio <= {TARGET_RATIO} "
        f"for index, cold and hot lookups: {verdict}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
