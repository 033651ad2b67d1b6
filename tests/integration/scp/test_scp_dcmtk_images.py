"""Acceptance: dcmtk storescu sends a folder of images; the RPI answer reflects them.

The images carry Patient Medical Module attributes (PS3.3 C.2.4): after the
C-STORE, the synthesized RPI content must show them where docs/conformance.md
says (pregnancy → TID 9001 row 21, smoking → TID 3802 row 15, allergies and
history → TID 3802), and the identifier shows the demographic keys asked for.
"""

from __future__ import annotations

import subprocess

import pytest
from pydicom import dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from rpiq.core.query.engine import run_query
from rpiq.core.query.events import Done, Match
from rpiq.core.query.request import QueryRequest
from rpiq.core.scp import InstanceStored

pytestmark = pytest.mark.network

SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"


def image(index: int) -> Dataset:
    """A tiny Secondary Capture image of one fictitious patient."""
    ds = Dataset()
    ds.SOPClassUID = SECONDARY_CAPTURE
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = "2.25.4242"
    ds.SeriesInstanceUID = "2.25.4243"
    ds.Modality = "OT"
    ds.InstanceNumber = index
    ds.PatientID = "IMG-1"
    ds.IssuerOfPatientID = "HOSP-IMG"
    ds.PatientName = "IMAGE^IRIS"
    ds.PatientBirthDate = "19880808"
    ds.PatientSex = "F"
    ds.PatientSize = "1.68"
    ds.PatientWeight = "61"
    ds.PregnancyStatus = 3  # definitely pregnant
    ds.SmokingStatus = "YES"
    ds.Allergies = ["Iodinated contrast media"]
    ds.AdditionalPatientHistory = "Appendectomy 2015"
    ds.StudyDate = "20261120"
    ds.Rows = ds.Columns = 2
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = bytes(4)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    return ds


def test_storescu_folder_then_query_reflects_patient_attributes(
    start_scp, tmp_path, dcmtk_tool
):
    exe = dcmtk_tool("storescu")
    running = start_scp()
    folder = tmp_path / "images"
    folder.mkdir()
    for index in range(3):
        dcmwrite(folder / f"{index}.dcm", image(index), enforce_file_format=True)
    out = subprocess.run(
        [
            exe,
            "-aet",
            "DCMTK",
            "-aec",
            "RPIQ",
            "+sd",
            "+r",
            "127.0.0.1",
            str(running.port),
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert len(running.wait_for(InstanceStored, 3)) == 3

    request = QueryRequest(
        "IMG-1", "HOSP-IMG", return_keys=("PatientSize", "PatientWeight")
    )
    events = list(run_query(running.profile(), request))
    done = events[-1]
    assert isinstance(done, Done)
    match = next(e for e in events if isinstance(e, Match))
    assert match.identifier.PatientName == "IMAGE^IRIS"
    assert str(match.identifier.PatientSize) == "1.68"
    assert str(match.identifier.PatientWeight) == "61"
    assert "PregnancyStatus" not in match.identifier  # medical facts go in content
    values = {
        (node.concept.value if node.concept else None): node.value
        for _, node in match.root.walk()
    }
    pregnancy = values["364320009"]  # TID 9001 row 21 Pregnancy observable
    assert getattr(pregnancy, "value", None) == "77386006"  # currently pregnant
    smoking = values["365981007"]  # TID 3802 row 15 Tobacco smoking behavior
    assert getattr(smoking, "value", None) == "77176002"  # current smoker
    texts = [n.value for _, n in match.root.walk() if n.value_type == "TEXT"]
    assert any("Iodinated contrast media" in str(t) for t in texts)
    assert "Appendectomy 2015" in texts
    assert done.report is not None
    assert not done.report.fails
