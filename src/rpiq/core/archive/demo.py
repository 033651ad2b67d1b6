"""A small synthetic archive built at run time (``rpiq archive seed-demo``).

No real PHI and no binary fixtures: every instance is created here with
pydicom. Seven patients cover every Pregnancy Status value (PS3.3 C.2.4),
Smoking Status YES/NO/UNKNOWN, allergies, medical alerts, additional history,
height and weight; three Comprehensive SR documents
(1.2.840.10008.5.1.4.1.1.88.33, Content Template Sequence DCMR) carry TID 9007,
TID 9000 and TID 3802 content (PS3.16 Annex K); two patients share Patient ID
``DEMO-100`` under different issuers, so a query without the issuer gets C100
(PS3.4 Table Q.2-1). UIDs are fixed UUID-derived ``2.25`` UIDs (PS3.5 B.2), so
seeding twice replaces instead of duplicating.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sr.codedict import codes
from pydicom.uid import UID, ExplicitVRLittleEndian

from rpiq.core.archive.content import rpi_root
from rpiq.core.archive.rows import (
    concept_of,
    included,
    language_item,
    row_concept,
    row_item,
    section,
    value_of,
)
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import CodedConcept, ContentNode, ValueType

if TYPE_CHECKING:
    from pydicom.sr.coding import Code

    from rpiq.core.archive.archive import Archive
    from rpiq.core.archive.model import StoreResult

COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11"
DEMO_ISSUERS = ("HOSP-A", "HOSP-B")
C100_PATIENT_ID = "DEMO-100"


def demo_uid(name: str) -> str:
    """A stable synthetic UID for ``name`` (``2.25.<uuid>``, PS3.5 B.2)."""
    return f"2.25.{uuid.uuid5(uuid.NAMESPACE_URL, f'urn:rpiq-demo:{name}').int}"


@dataclass(frozen=True, slots=True)
class DemoPatient:
    """Patient Module values of one synthetic patient (PS3.3 C.7.1.1, C.7.2.2)."""

    patient_id: str
    issuer: str | None
    name: str
    birth_date: str
    sex: str
    size_m: str = ""
    weight_kg: str = ""
    pregnancy: int | None = None
    last_menstrual: str = ""
    smoking: str = ""
    allergies: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()
    history: str = ""


DEMO_PATIENTS: tuple[DemoPatient, ...] = (
    DemoPatient(
        "DEMO-001", "HOSP-A", "DEMO^ALICE", "19800101", "F", "1.65", "62",
        pregnancy=1, last_menstrual="20260103", smoking="NO",
        allergies=("Iodinated contrast media",),
    ),
    DemoPatient(
        "DEMO-002", "HOSP-A", "DEMO^BEATRICE", "19750505", "F", "1.70", "70",
        pregnancy=2, smoking="UNKNOWN", alerts=("Claustrophobia",),
    ),
    DemoPatient(
        "DEMO-003", "HOSP-A", "DEMO^CARL", "19600310", "M", "1.80", "90",
        smoking="YES", allergies=("Penicillin",),
        alerts=("Pacemaker (MR conditional)",),
        history="Coronary artery bypass graft 2019",
    ),
    DemoPatient(
        "DEMO-004", "HOSP-B", "DEMO^DORA", "19900714", "F", "1.60", "58",
        pregnancy=3, last_menstrual="20251201", smoking="NO",
    ),
    DemoPatient(
        "DEMO-005", None, "DEMO^EVA", "19851122", "F", "1.75", "66",
        pregnancy=4, smoking="UNKNOWN", allergies=("Latex", "Gadolinium"),
        history="Asthma since childhood",
    ),
    DemoPatient(
        C100_PATIENT_ID, "HOSP-A", "DEMO^FRANK", "19700202", "M", smoking="YES"
    ),
    DemoPatient(
        C100_PATIENT_ID, "HOSP-B", "DEMO^GRETA", "19720303", "F", pregnancy=1
    ),
)  # fmt: skip
"""The demo patients (IDs, issuers and values are fictitious)."""


def _patient_module(ds: Dataset, p: DemoPatient) -> None:
    ds.PatientName = p.name
    ds.PatientID = p.patient_id
    if p.issuer:
        ds.IssuerOfPatientID = p.issuer
    ds.PatientBirthDate = p.birth_date
    ds.PatientSex = p.sex
    optional: dict[str, object] = {
        "PatientSize": p.size_m,
        "PatientWeight": p.weight_kg,
        "PregnancyStatus": p.pregnancy,
        "LastMenstrualDate": p.last_menstrual,
        "SmokingStatus": p.smoking,
        "Allergies": list(p.allergies),
        "MedicalAlerts": list(p.alerts),
        "AdditionalPatientHistory": p.history,
    }
    for keyword, value in optional.items():
        if value:
            setattr(ds, keyword, value)


def _instance(p: DemoPatient, name: str, sop_class: str, when: str) -> Dataset:
    """A dataset with SOP Common, study/series and Patient Module attributes."""
    key = f"{p.patient_id}/{p.issuer}/{name}"
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = demo_uid(key)
    ds.StudyInstanceUID = demo_uid(f"{p.patient_id}/{p.issuer}/study")
    ds.SeriesInstanceUID = demo_uid(f"{key}/series")
    ds.Modality = "SR"
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.StudyDate = ds.ContentDate = when[:8]
    ds.StudyTime = ds.ContentTime = when[8:]
    ds.CompletionFlag = "COMPLETE"
    ds.VerificationFlag = "UNVERIFIED"
    _patient_module(ds, p)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(sop_class)
    meta.MediaStorageSOPInstanceUID = UID(ds.SOPInstanceUID)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    return ds


def _clinical_note(p: DemoPatient) -> Dataset:
    """A Basic Text SR (not an RPI template) that carries the patient values."""
    ds = _instance(p, "note", BASIC_TEXT_SR, "20260110090000")
    note = ContentNode(
        "CONTAINS",
        ValueType.TEXT.value,
        CodedConcept.from_code(codes.DCM.Comment),
        "Synthetic demo note; no real patient data.",
    )
    root = ContentNode(
        None,
        ValueType.CONTAINER.value,
        CodedConcept.from_code(codes.LN.RadiologyReport),
        None,
        children=(note,),
        continuity="SEPARATE",
    )
    ds.update(encode_root(root))
    return ds


def _rpi_document(p: DemoPatient, tid: int, children: list[ContentNode]) -> Dataset:
    """A Comprehensive SR whose root is RPI root template ``tid``."""
    ds = _instance(p, f"tid{tid}", COMPREHENSIVE_SR, "20260115100000")
    root = rpi_root(tid, tuple(children), "20260115100000")
    ds.update(encode_root(root))
    ds.ContinuityOfContent = "SEPARATE"
    template = Dataset()
    template.MappingResource = "DCMR"
    template.TemplateIdentifier = str(tid)
    ds.ContentTemplateSequence = [template]
    return ds


def _general_content() -> list[ContentNode]:
    """TID 9007: language, gynecological history, medication, cardiac history."""
    gynecological = included(
        9007,
        9001,
        [
            row_item(9001, 3, "20260103"),
            row_item(9001, 21, value_of(9001, 21, codes.cid6096.NotPregnant)),
        ],
    )
    medication = included(
        9007,
        9002,
        [
            row_item(
                9002,
                2,
                CodedConcept.from_code(codes.cid6080.Contraceptives),
                concept=_medication_type(),
            )
        ],
    )
    history = included(
        9007,
        3802,
        [
            row_item(3802, 2, "Appendectomy 2010"),
            section(
                row_concept(3802, 3),
                "CONTAINS",
                [_problem_text("Allergy: Iodinated contrast media")],
            ),
            section(
                row_concept(3802, 12),
                "CONTAINS",
                [
                    row_item(
                        3802, 15, value_of(3802, 15, codes.cid3724.NoHistoryOfSmoking)
                    )
                ],
            ),
        ],
    )
    return [language_item(9007), medication, gynecological, history]


def _code(code: Code) -> CodedConcept:
    return CodedConcept.from_code(code)


def _smoking(code: Code) -> ContentNode:
    """TID 3802 row 15: Tobacco Smoking Behavior, a CID 3724 value."""
    return row_item(3802, 15, value_of(3802, 15, code))


def _medication_type() -> CodedConcept:
    """TID 9007 row 4 binding: $CodeConcept = (111516, DCM, "Medication Type")."""
    return CodedConcept.from_code(codes.DCM.MedicationType)


def _problem_text(text: str) -> ContentNode:
    """TID 3802 row 4: TEXT with concept (418799008, SCT) from CID 3769."""
    concept = concept_of(3802, 4, codes.cid3769.FindingReportedByPatientInformant)
    return row_item(3802, 4, text, concept=concept)


def _breast_content() -> list[ContentNode]:
    """TID 9000: language, gynecological history, risk factor, problem."""
    gynecological = included(
        9000,
        9001,
        [
            row_item(9001, 4, 12),
            row_item(9001, 6, 2),
            row_item(9001, 21, value_of(9001, 21, codes.cid6096.PossiblePregnancy)),
        ],
    )
    risk = included(
        9000,
        9005,
        [
            row_item(
                9005,
                2,
                CodedConcept.from_code(codes.cid6081.FamilyHistoryOfBreastCancer),
            )
        ],
    )
    problem = included(
        9000,
        9004,
        [row_item(9004, 2, CodedConcept.from_code(codes.cid6055.BreastLump))],
    )
    return [language_item(9000), gynecological, problem, risk]


def _cardiac_content() -> list[ContentNode]:
    """TID 3802: history, problem list with a concern, smoking, surgery."""
    concern = ContentNode(
        "CONTAINS",
        ValueType.CONTAINER.value,
        row_concept(3829, 1),
        None,
        children=(
            row_item(
                3829,
                4,
                CodedConcept.from_code(codes.SCT.HistoryOfHypertension),
                concept=CodedConcept.from_code(codes.cid3769.Problem),
            ),
        ),
        continuity="SEPARATE",
        template=("DCMR", "3829"),
    )
    return [
        row_item(3802, 2, "Coronary artery bypass graft 2019"),
        section(
            row_concept(3802, 3),
            "CONTAINS",
            [_problem_text("Medical alert: Pacemaker (MR conditional)"), concern],
        ),
        section(
            row_concept(3802, 12),
            "CONTAINS",
            [_smoking(codes.cid3724.CurrentSmoker)],
        ),
    ]


def build_demo_datasets() -> list[Dataset]:
    """Every demo instance: one clinical note per patient, three RPI documents."""
    datasets = [_clinical_note(p) for p in DEMO_PATIENTS]
    by_id = {p.patient_id: p for p in DEMO_PATIENTS if p.issuer == "HOSP-A"}
    datasets.append(_rpi_document(by_id["DEMO-001"], 9007, _general_content()))
    datasets.append(_rpi_document(by_id["DEMO-002"], 9000, _breast_content()))
    datasets.append(_rpi_document(by_id["DEMO-003"], 3802, _cardiac_content()))
    return datasets


def seed_demo(archive: Archive) -> list[StoreResult]:
    """Store the demo instances in ``archive``; return what was stored."""
    return [archive.store(ds) for ds in build_demo_datasets()]
