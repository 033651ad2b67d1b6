"""kill -9 in the middle of an ingest: nothing acknowledged is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from rpiq.core.archive import Archive

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pydicom.dataset import Dataset
    from rpiq.core.archive import Archive

    archive = Archive(Path(sys.argv[1]))
    n = 0
    while True:
        n += 1
        ds = Dataset()
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.104.1"
        ds.SOPInstanceUID = f"1.2.826.0.1.3680043.8.498.77.{n}"
        ds.PatientID = f"KILL-{n % 5}"
        ds.EncapsulatedDocument = bytes(256 * 1024)
        result = archive.store(ds)
        print(result.sop_instance_uid, flush=True)
    """
)


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_sigkill_mid_ingest_loses_no_acknowledged_instance(tmp_path):
    root = tmp_path / "archive"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    acknowledged = []
    try:
        for line in proc.stdout:
            acknowledged.append(line.strip())
            if len(acknowledged) >= 40:
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    acknowledged += [line.strip() for line in proc.stdout if line.strip()]
    assert len(acknowledged) >= 40

    archive = Archive(root)  # opens cleanly after the kill

    stored = {i.sop_instance_uid for i in archive.instances()}
    assert set(acknowledged) <= stored
    for summary in archive.instances():
        assert summary.path.is_file()
    assert list((root / "tmp").glob("*.tmp")) == []
