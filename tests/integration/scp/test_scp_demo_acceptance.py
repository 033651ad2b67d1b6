"""Acceptance: the pynetdicom example SCU against ``rpiq scp serve`` on the demo.

Issue "Local archive and embedded RPI SCP": a plain pynetdicom SCU written as in
the pynetdicom RPI example gets correct answers for all three SOP classes from
``rpiq scp serve`` on a seeded demo archive; C100, C200 and A900 as specified.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydicom.dataset import Dataset
from pynetdicom import AE

from rpiq.core.archive.demo import C100_PATIENT_ID, DEMO_PATIENTS
from rpiq.core.status import RpiqStatus
from rpiq.core.templates import RpiSopClass, get_template

pytestmark = pytest.mark.network


def example_query(port, sop_uid, patient_id, tid, issuer=None):
    """The pynetdicom RPI SCU example: one association, one C-FIND."""
    ae = AE()
    ae.add_requested_context(sop_uid)
    ds = Dataset()
    ds.PatientName = ""
    if patient_id is not None:
        ds.PatientID = patient_id
    if issuer is not None:
        ds.IssuerOfPatientID = issuer
    ds.ContentTemplateSequence = [Dataset()]
    ds.ContentTemplateSequence[0].MappingResource = "DCMR"
    ds.ContentTemplateSequence[0].TemplateIdentifier = str(tid)
    assoc = ae.associate("127.0.0.1", port)
    assert assoc.is_established
    responses = list(assoc.send_c_find(ds, sop_uid))
    assoc.release()
    return [(int(status.Status), identifier) for status, identifier in responses]


@pytest.fixture
def demo_port(serve, archive_dir):
    seeded = subprocess.run(
        [
            sys.executable,
            "-m",
            "rpiq",
            "archive",
            "seed-demo",
            "--archive",
            str(archive_dir),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert seeded.returncode == 0, seeded.stderr
    return serve().port


@pytest.mark.parametrize("sop", list(RpiSopClass))
def test_every_demo_patient_answers_for_each_sop_class(demo_port, sop):
    for patient in DEMO_PATIENTS:
        if patient.patient_id == C100_PATIENT_ID:
            continue
        responses = example_query(
            demo_port, sop.uid, patient.patient_id, sop.default_tid
        )
        codes = [code for code, _ in responses]
        assert codes == [RpiqStatus.PENDING, RpiqStatus.SUCCESS], patient
        answer = responses[0][1]
        assert answer.PatientID == patient.patient_id
        assert answer.PatientName == patient.name
        assert answer.ValueType == "CONTAINER"
        root = get_template(sop.default_tid).root_concept
        assert root is not None
        item = answer.ConceptNameCodeSequence[0]
        assert (item.CodeValue, item.CodingSchemeDesignator) == (
            root.value,
            root.scheme_designator,
        )
        template = answer.ContentTemplateSequence[0]
        assert (template.MappingResource, template.TemplateIdentifier) == (
            "DCMR",
            str(sop.default_tid),
        )


def test_shared_patient_id_without_issuer_is_c100(demo_port):
    general = RpiSopClass.GENERAL
    codes = [c for c, _ in example_query(demo_port, general.uid, C100_PATIENT_ID, 9007)]
    assert codes == [RpiqStatus.MORE_THAN_ONE_MATCH]
    with_issuer = example_query(
        demo_port, general.uid, C100_PATIENT_ID, 9007, issuer="HOSP-B"
    )
    assert [c for c, _ in with_issuer] == [RpiqStatus.PENDING, RpiqStatus.SUCCESS]
    assert with_issuer[0][1].IssuerOfPatientID == "HOSP-B"


@pytest.mark.parametrize(
    ("sop", "tid"),
    [
        (RpiSopClass.CARDIAC, 9000),  # contradicts the Cardiac SOP class
        (RpiSopClass.BREAST, 3802),  # contradicts the Breast SOP class
        (RpiSopClass.GENERAL, 1234),  # not a PS3.16 Annex K root
    ],
)
def test_unsupported_template_is_c200(demo_port, sop, tid):
    patient = DEMO_PATIENTS[0]
    codes = [c for c, _ in example_query(demo_port, sop.uid, patient.patient_id, tid)]
    assert codes == [RpiqStatus.TEMPLATE_NOT_SUPPORTED]


@pytest.mark.parametrize("patient_id", [None, "", "DEMO*", "A\\B"])
def test_bad_patient_id_is_a900(demo_port, patient_id):
    general = RpiSopClass.GENERAL
    codes = [c for c, _ in example_query(demo_port, general.uid, patient_id, 9007)]
    assert codes == [RpiqStatus.IDENTIFIER_MISMATCH]
