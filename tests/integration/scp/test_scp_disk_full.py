"""A real full disk and a real read-only disk under the embedded SCP.

The archive lives on a tiny tmpfs (mounting needs root, as in CI; elsewhere
these tests skip and ``tests/core/test_archive_store.py`` covers the same
paths with injected ``ENOSPC``/``EROFS``). When the disk fills up, the peer
gets Out of Resources (A700) with a reason, every acknowledged instance stays
readable, and the archive holds no row without a file and no file without a
row. A read-only archive folder is refused at start with a clear message.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid
from pynetdicom import AE
from tests.tempfiles import unfinished

from rpiq.core.archive import Archive
from rpiq.core.net.ae import VERIFICATION_UID
from rpiq.core.status import RpiqStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from tests.integration.scp.conftest import RunningScp

pytestmark = pytest.mark.network

CT = "1.2.840.10008.5.1.4.1.1.2"
FS_SIZE = "1536k"
PIXELS = 64 * 1024  # ~20 instances fill the filesystem
SERVE = [sys.executable, "-m", "rpiq", "scp", "serve", "--port", "0"]


def _mount(target: Path, *options: str) -> None:
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(target)],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 1.5 MB tmpfs mounted at a temporary folder (skip when not allowed)."""
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    target = tmp_path / "small"
    target.mkdir()
    try:
        _mount(target, f"size={FS_SIZE}", "mode=0700")
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount tmpfs here: {exc}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def ct_image(n: int) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = CT
    ds.SOPInstanceUID = generate_uid()
    ds.PatientID = f"FULL-{n % 3}"
    ds.PatientName = "DISK^FULL"
    ds.Modality = "CT"
    ds.Rows, ds.Columns = 128, 256
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelData = bytes(n % 256 for n in range(PIXELS))
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = UID(CT)
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return ds


def send_all(port: int, datasets: list[Dataset]) -> list[tuple[int, str]]:
    """C-STORE each dataset; (status, error comment) per instance."""
    ae = AE(ae_title="FULL-SCU")
    ae.add_requested_context(CT, ExplicitVRLittleEndian)
    ae.add_requested_context(VERIFICATION_UID)
    ae.dimse_timeout = 30
    assoc = ae.associate("127.0.0.1", port, ae_title="RPIQ")
    assert assoc.is_established
    try:
        answers = []
        for ds in datasets:
            status = assoc.send_c_store(ds)
            answers.append((int(status.Status), str(status.get("ErrorComment", ""))))
        # The SCP still serves the association after running out of space.
        assert int(assoc.send_c_echo().Status) == RpiqStatus.SUCCESS
        return answers
    finally:
        assoc.release()


def test_full_disk_answers_out_of_resources_and_keeps_the_archive_whole(
    small_fs: Path, start_scp: Callable[..., RunningScp]
) -> None:
    root = small_fs / "archive"
    scp = start_scp(archive=Archive(root))
    datasets = [ct_image(n) for n in range(40)]
    answers = send_all(scp.port, datasets)

    codes = [code for code, _ in answers]
    # Success while there is room (a refused store frees what it wrote, so a
    # later one may fit again), Out of Resources with the reason otherwise.
    assert set(codes) == {RpiqStatus.SUCCESS, RpiqStatus.OUT_OF_RESOURCES}, codes
    refused = [c for c in answers if c[0] == RpiqStatus.OUT_OF_RESOURCES]
    assert all(comment.startswith("Disk full:") for _, comment in refused), refused

    acknowledged = {
        str(ds.SOPInstanceUID)
        for ds, code in zip(datasets, codes, strict=True)
        if code == RpiqStatus.SUCCESS
    }
    rows = {i.sop_instance_uid: i.path for i in Archive(root).instances()}
    assert set(rows) == acknowledged  # no row for a refused instance
    files = set((root / "instances").rglob("*.dcm"))
    assert files == set(rows.values())  # no partial or unindexed file
    assert unfinished(root / "tmp") == []
    for uid, path in rows.items():
        assert dcmread(path).SOPInstanceUID == uid
    with sqlite3.connect(root / "index.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_read_only_archive_is_refused_at_start_with_a_clear_message(
    small_fs: Path,
) -> None:
    root = small_fs / "archive"
    Archive(root)  # a valid archive, then the disk turns read-only
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rpiq",
            "scp",
            "serve",
            "--port",
            "0",
            "--archive",
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0
    assert "cannot be used" in result.stderr
    assert "Read-only file system" in result.stderr
    assert "Traceback" not in result.stderr
