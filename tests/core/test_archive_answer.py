"""RPI answers from the archive: every status path and exactly what is returned."""

from __future__ import annotations

from io import BytesIO

import pytest
from pydicom.datadict import tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pynetdicom.dsutils import decode, encode
from tests.sr_evidence import evidence_study

from rpiq.core.archive import Archive, RpiAnswer
from rpiq.core.archive.demo import seed_demo
from rpiq.core.archive.synth import NON_SMOKER_TEXT
from rpiq.core.sr import parse_content
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import CodedConcept, ContentNode
from rpiq.core.sr.samples import sized_tree
from rpiq.core.status import RpiqStatus
from rpiq.core.templates import RpiSopClass

GENERAL = RpiSopClass.GENERAL.uid
BREAST = RpiSopClass.BREAST.uid
CARDIAC = RpiSopClass.CARDIAC.uid
SR = "1.2.840.10008.5.1.4.1.1.88.33"
BASE_KEYS = {
    "PatientName",
    "PatientID",
    "IssuerOfPatientID",
    "PatientBirthDate",
    "PatientSex",
    "ObservationDateTime",
    "ValueType",
    "ConceptNameCodeSequence",
    "ContentTemplateSequence",
    "ContentSequence",
}


def request(pid="P1", tid="9007", issuer=None, *keys, resource="DCMR") -> Dataset:
    ds = Dataset()
    if pid is not None:
        ds.PatientID = pid
    if issuer is not None:
        ds.IssuerOfPatientID = issuer
    for keyword in ("PatientName", "PatientBirthDate", "PatientSex", *keys):
        setattr(ds, keyword, "")
    ds.ObservationDateTime = ""
    ds.ValueType = ""
    ds.ConceptNameCodeSequence = []
    ds.ContentSequence = []
    if tid is not None:
        item = Dataset()
        item.MappingResource = resource
        item.TemplateIdentifier = tid
        ds.ContentTemplateSequence = [item]
    return ds


def patient(uid="1.2.3.1", pid="P1", **values) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.SOPInstanceUID = uid
    ds.PatientID = pid
    ds.PatientName = "TEST^PATIENT"
    ds.PatientBirthDate = "19800101"
    ds.PatientSex = "F"
    ds.ContentDate = "20250101"
    ds.ContentTime = "080000"
    for keyword, value in values.items():
        setattr(ds, keyword, value)
    return ds


def sr_document(uid, tid, children, date="20250301", pid="P1", declare=True):
    root = ContentNode(
        None,
        "CONTAINER",
        _root_concept(tid),
        None,
        children=tuple(children),
        continuity="SEPARATE",
    )
    ds = Dataset()
    ds.SOPClassUID = SR
    ds.SOPInstanceUID = uid
    ds.PatientID = pid
    ds.ContentDate = date
    ds.ContentTime = "100000"
    ds.update(encode_root(root))
    if declare:
        item = Dataset()
        item.MappingResource = "DCMR"
        item.TemplateIdentifier = str(tid)
        ds.ContentTemplateSequence = [item]
    return ds


def _root_concept(tid):
    from rpiq.core.templates import get_template

    return CodedConcept.from_code(get_template(tid).root_concept_for_rpi())


def text_item(text, concept=codes.DCM.Comment):
    return ContentNode("CONTAINS", "TEXT", CodedConcept.from_code(concept), text)


@pytest.fixture
def archive(tmp_path) -> Archive:
    return Archive(tmp_path / "archive")


def tree(answer: RpiAnswer) -> ContentNode:
    assert answer.identifier is not None
    return parse_content(answer.identifier)


def find(node: ContentNode, code) -> list[ContentNode]:
    """Nodes whose concept name or coded value is ``code``."""
    return [
        n
        for _, n in node.walk()
        if any(
            isinstance(c, CodedConcept) and c.same_code(code)
            for c in (n.concept, n.value)
        )
    ]


def concept(node: ContentNode) -> CodedConcept:
    assert node.concept is not None
    return node.concept


def coded(node: ContentNode) -> CodedConcept:
    assert isinstance(node.value, CodedConcept)
    return node.value


def wire(ds: Dataset) -> Dataset:
    """Encode as pynetdicom sends it and decode it back."""
    data = encode(ds, True, True)
    assert data is not None
    return decode(BytesIO(data), True, True)


def keys(ds: Dataset) -> set[str]:
    return {elem.keyword for elem in ds}


# ------------------------------------------------------------ statuses


def test_unknown_patient_is_success_without_pending(archive):
    answer = archive.answer(request("NOBODY"), GENERAL)
    assert answer.status is RpiqStatus.SUCCESS
    assert answer.identifier is None
    assert (answer.patient_id, answer.tid) == ("NOBODY", 9007)


@pytest.mark.parametrize("issuer", [None, ""])
def test_patient_id_under_two_issuers_without_issuer_is_c100(archive, issuer):
    archive.store(patient("1.2.3.1", IssuerOfPatientID="HOSP-A"))
    archive.store(patient("1.2.3.2", IssuerOfPatientID="HOSP-B"))
    answer = archive.answer(request("P1", "9007", issuer), GENERAL)
    assert answer.status is RpiqStatus.MORE_THAN_ONE_MATCH
    assert answer.identifier is None
    assert "Issuer" in answer.error_comment
    assert len(answer.error_comment) <= 64


def test_issuer_selects_one_of_two_patients(archive):
    archive.store(patient("1.2.3.1", IssuerOfPatientID="HOSP-A", PatientName="A^A"))
    archive.store(patient("1.2.3.2", IssuerOfPatientID="HOSP-B", PatientName="B^B"))
    answer = archive.answer(request("P1", "9007", "HOSP-B"), GENERAL)
    assert answer.status is RpiqStatus.PENDING
    assert answer.identifier.PatientName == "B^B"
    assert answer.identifier.IssuerOfPatientID == "HOSP-B"
    assert archive.answer(request("P1", "9007", "HOSP-C"), GENERAL).status == 0


def test_patient_ids_match_exactly(archive):
    archive.store(patient(pid="P1"))
    assert archive.answer(request("p1"), GENERAL).status is RpiqStatus.SUCCESS
    assert archive.answer(request("P"), GENERAL).status is RpiqStatus.SUCCESS


@pytest.mark.parametrize(
    ("sop", "tid", "text"),
    [
        (GENERAL, "2000", "TID 2000 is not a PS3.16 Annex K"),
        (GENERAL, "1204", "TID 1204 is not a PS3.16 Annex K"),
        (CARDIAC, "9000", "Cardiac RPI fixes TID 3802"),
        (BREAST, "9007", "Breast Imaging RPI fixes TID 9000"),
        (BREAST, "3802", "fixes TID 9000"),
    ],
)
def test_unsupported_or_contradicting_template_is_c200(archive, sop, tid, text):
    archive.store(patient())
    answer = archive.answer(request("P1", tid), sop)
    assert answer.status is RpiqStatus.TEMPLATE_NOT_SUPPORTED
    assert answer.offending_element == tag_for_keyword("TemplateIdentifier")
    assert text in answer.error_comment
    assert len(answer.error_comment) <= 64
    status = answer.status_dataset()
    assert status.Status == answer.status
    assert status.OffendingElement == tag_for_keyword("TemplateIdentifier")


@pytest.mark.parametrize("tid", ["9002", "9003", "9004", "9005"])
def test_template_with_mandatory_content_and_nothing_stored_is_c200(archive, tid):
    archive.store(patient(PregnancyStatus=1))
    answer = archive.answer(request("P1", tid), GENERAL)
    assert answer.status is RpiqStatus.TEMPLATE_NOT_SUPPORTED
    assert f"No TID {tid} content" in answer.error_comment


def _multi(ds):
    ds.PatientID = ["P1", "P2"]


@pytest.mark.parametrize(
    ("change", "keyword", "text"),
    [
        (lambda ds: ds.__delattr__("PatientID"), "PatientID", "missing"),
        (lambda ds: setattr(ds, "PatientID", ""), "PatientID", "empty"),
        (_multi, "PatientID", "single value"),
        (lambda ds: setattr(ds, "PatientID", "P*"), "PatientID", "wildcards"),
        (lambda ds: setattr(ds, "PatientID", "P?"), "PatientID", "wildcards"),
        (
            lambda ds: setattr(ds, "IssuerOfPatientID", "HOSP*"),
            "IssuerOfPatientID",
            "wildcards",
        ),
        (
            lambda ds: ds.__delattr__("ContentTemplateSequence"),
            "ContentTemplateSequence",
            "exactly one item",
        ),
        (
            lambda ds: setattr(ds, "ContentTemplateSequence", []),
            "ContentTemplateSequence",
            "exactly one item",
        ),
        (
            lambda ds: ds.ContentTemplateSequence.append(Dataset()),
            "ContentTemplateSequence",
            "exactly one item",
        ),
        (
            lambda ds: setattr(ds.ContentTemplateSequence[0], "MappingResource", "99X"),
            "MappingResource",
            "DCMR",
        ),
        (
            lambda ds: setattr(
                ds.ContentTemplateSequence[0], "TemplateIdentifier", "TID9007"
            ),
            "TemplateIdentifier",
            "digits",
        ),
        (
            lambda ds: setattr(ds.ContentTemplateSequence[0], "TemplateIdentifier", ""),
            "TemplateIdentifier",
            "digits",
        ),
    ],
)
def test_identifier_not_matching_the_sop_class_is_a900(archive, change, keyword, text):
    archive.store(patient())
    ds = request("P1", "9007")
    change(ds)
    answer = archive.answer(ds, GENERAL)
    assert answer.status is RpiqStatus.IDENTIFIER_MISMATCH
    assert answer.identifier is None
    assert answer.offending_element == tag_for_keyword(keyword)
    assert text in answer.error_comment
    assert len(answer.error_comment) <= 64


def test_a_non_rpi_sop_class_is_refused(archive):
    answer = archive.answer(request(), "1.2.840.10008.5.1.4.1.2.1.1")
    assert answer.status is RpiqStatus.SOP_CLASS_NOT_SUPPORTED


# ------------------------------------------------------------ the Pending identifier


def test_pending_carries_exactly_the_required_and_requested_keys(archive):
    archive.store(patient(PatientAge="045Y", PatientWeight="61.5", Allergies="Nuts"))
    answer = archive.answer(request("P1"), GENERAL)
    assert answer.status is RpiqStatus.PENDING
    ds = answer.identifier
    assert keys(ds) == BASE_KEYS
    assert ds.PatientID == "P1"
    assert ds.IssuerOfPatientID == ""
    assert (ds.PatientName, ds.PatientBirthDate, ds.PatientSex) == (
        "TEST^PATIENT",
        "19800101",
        "F",
    )
    assert ds.ValueType == "CONTAINER"
    [concept] = ds.ConceptNameCodeSequence
    assert (concept.CodeValue, concept.CodingSchemeDesignator) == ("111517", "DCM")
    [template] = ds.ContentTemplateSequence
    assert (template.MappingResource, template.TemplateIdentifier) == ("DCMR", "9007")
    assert ds.ObservationDateTime == "20250101080000"


def test_requested_demographic_keys_come_back_when_known(archive):
    archive.store(patient(PatientAge="045Y", PatientSize="1.7", PatientWeight="61.5"))
    ds = archive.answer(
        request("P1", "9007", None, "PatientAge", "PatientWeight", "PatientBirthTime"),
        GENERAL,
    ).identifier
    assert keys(ds) == BASE_KEYS | {"PatientAge", "PatientWeight"}
    assert ds.PatientAge == "045Y"
    assert float(ds.PatientWeight) == 61.5


def test_medical_attributes_never_appear_at_the_top_level(archive):
    archive.store(patient(PregnancyStatus=3, Allergies="Nuts"))
    ds = archive.answer(
        request("P1", "9007", None, "Allergies", "SmokingStatus"), GENERAL
    ).identifier
    assert "Allergies" not in ds
    assert "PregnancyStatus" not in ds


def test_unknown_type_2_keys_are_returned_empty(archive):
    ds = patient()
    del ds.PatientBirthDate, ds.PatientSex
    archive.store(ds)
    answer = archive.answer(request(), GENERAL).identifier
    assert answer.PatientBirthDate == ""
    assert answer.PatientSex == ""


def test_specific_character_set_only_when_needed(archive):
    archive.store(patient())
    assert "SpecificCharacterSet" not in archive.answer(request(), GENERAL).identifier
    ds = patient("1.2.3.9", pid="P2", SpecificCharacterSet="ISO_IR 192")
    ds.PatientName = "Müller^Jürgen"
    archive.store(ds)
    answer = archive.answer(request("P2"), GENERAL).identifier
    assert answer.SpecificCharacterSet == "ISO_IR 192"
    round_trip = wire(answer)
    assert round_trip.PatientName == "Müller^Jürgen"


def test_template_identifier_is_echoed_as_sent(archive):
    archive.store(patient())
    ds = archive.answer(request("P1", "09007"), GENERAL).identifier
    assert ds.ContentTemplateSequence[0].TemplateIdentifier == "09007"


def test_answer_encodes_for_the_network(archive):
    seed_demo(archive)
    for pid, sop, tid in (
        ("DEMO-001", GENERAL, "9007"),
        ("DEMO-002", BREAST, "9000"),
        ("DEMO-003", CARDIAC, "3802"),
        ("DEMO-005", GENERAL, "9001"),
    ):
        answer = archive.answer(request(pid, tid), sop)
        assert answer.status is RpiqStatus.PENDING, pid
        assert encode(answer.identifier, True, True)


# ------------------------------------------------------------ synthesized content

PREGNANCY = {
    1: codes.cid6096.NotPregnant,
    2: codes.cid6096.PossiblePregnancy,
    3: codes.cid6096.PatientCurrentlyPregnant,
    4: codes.cid6096.Unknown,
}


@pytest.mark.parametrize("value", [1, 2, 3, 4])
@pytest.mark.parametrize(("sop", "tid"), [(GENERAL, "9007"), (BREAST, "9000")])
def test_pregnancy_status_maps_to_tid_9001_row_21(archive, value, sop, tid):
    archive.store(patient(PregnancyStatus=value, LastMenstrualDate="20250110"))
    root = tree(archive.answer(request("P1", tid), sop))
    [gyn] = find(root, codes.SCT.GynecologicalHistory)
    assert gyn.template == ("DCMR", "9001")
    assert gyn.relationship == "CONTAINS"
    lmp, pregnancy = gyn.children
    assert concept(lmp).same_code(codes.LN.LMP)
    assert (lmp.value_type, lmp.value) == ("DATE", "20250110")
    assert concept(pregnancy).same_code(codes.SCT.PregnancyObservable)
    assert coded(pregnancy).same_code(PREGNANCY[value])


def test_tid_9001_as_root_holds_the_items_directly(archive):
    archive.store(patient(PregnancyStatus=2))
    root = tree(archive.answer(request("P1", "9001"), GENERAL))
    assert concept(root).same_code(codes.SCT.GynecologicalHistory)
    [pregnancy] = root.children
    assert coded(pregnancy).same_code(codes.cid6096.PossiblePregnancy)


def _social(root):
    return find(root, CodedConcept("29762-2", "LN", "Social History"))


def test_smoking_yes_is_current_smoker_in_tid_3802_row_15(archive):
    archive.store(patient(SmokingStatus="YES"))
    root = tree(archive.answer(request("P1", "3802"), CARDIAC))
    [social] = _social(root)
    [item] = social.children
    assert item.value_type == "CODE"
    assert concept(item).same_code(codes.SCT.TobaccoSmokingBehavior)
    assert coded(item).same_code(codes.cid3724.CurrentSmoker)


def test_smoking_no_is_text_because_never_and_former_cannot_be_told(archive):
    archive.store(patient(SmokingStatus="NO"))
    root = tree(archive.answer(request("P1", "3802"), CARDIAC))
    [social] = _social(root)
    [item] = social.children
    assert item.value_type == "TEXT"
    assert concept(item).same_code(codes.SCT.TobaccoSmokingBehavior)
    assert item.value == NON_SMOKER_TEXT
    assert not find(root, codes.cid3724.NoHistoryOfSmoking)


def test_smoking_unknown_is_omitted(archive):
    archive.store(patient(SmokingStatus="UNKNOWN"))
    root = tree(archive.answer(request("P1", "3802"), CARDIAC))
    assert _social(root) == []
    assert root.children == ()


def test_history_allergies_and_alerts_go_to_tid_3802(archive):
    archive.store(
        patient(
            AdditionalPatientHistory="Prior CABG",
            Allergies=["Iodine", "Latex"],
            MedicalAlerts="Pacemaker",
        )
    )
    root = tree(archive.answer(request("P1", "9007"), GENERAL))
    [history] = [c for c in root.children if c.template == ("DCMR", "3802")]
    text, problems = history.children
    assert (text.value_type, text.value) == ("TEXT", "Prior CABG")
    assert concept(text).same_code(codes.LN.History)
    assert [c.value for c in problems.children] == [
        "Allergy: Iodine",
        "Allergy: Latex",
        "Medical alert: Pacemaker",
    ]
    assert concept(problems.children[0]).same_code(
        codes.cid3769.FindingReportedByPatientInformant
    )
    assert concept(problems.children[2]).same_code(codes.cid3769.Problem)


def test_language_item_where_the_template_requires_it(archive):
    archive.store(patient(SmokingStatus="YES"))
    for sop, tid in ((GENERAL, "9007"), (BREAST, "9000")):
        first = tree(archive.answer(request("P1", tid), sop)).children[0]
        assert first.relationship == "HAS CONCEPT MOD"
        assert concept(first).same_code(codes.DCM.LanguageOfContentItemAndDescendants)
        assert coded(first).value == "en"
    cardiac = tree(archive.answer(request("P1", "3802"), CARDIAC))
    assert not find(cardiac, codes.DCM.LanguageOfContentItemAndDescendants)


def test_breast_answer_adds_cardiac_history_as_an_extension(archive):
    archive.store(patient(Allergies="Contrast"))
    root = tree(archive.answer(request("P1", "9000"), BREAST))
    assert [c.template for c in root.children][1:] == [("DCMR", "3802")]


def test_obstetric_history_without_data_is_an_empty_container(archive):
    archive.store(patient())
    answer = archive.answer(request("P1", "9006"), GENERAL)
    assert answer.status is RpiqStatus.PENDING
    assert answer.identifier.ContentSequence == []
    assert concept(tree(answer)).same_code(codes.SCT.ObstetricHistory)


# ------------------------------------------------------------ stored SR documents


def test_stored_sr_wins_over_attributes_and_newest_sr_wins(archive):
    archive.store(patient(SmokingStatus="YES"))
    archive.store(sr_document("1.2.9.2", 3802, [text_item("newer")], "20250601"))
    archive.store(sr_document("1.2.9.1", 3802, [text_item("older")], "20240101"))
    answer = archive.answer(request("P1", "3802"), CARDIAC)
    assert answer.source == "SR 1.2.9.2"
    assert [c.value for c in tree(answer).children] == ["newer"]
    assert answer.identifier.ObservationDateTime == "20250601100000"


def test_sr_found_by_root_concept_without_template_sequence(archive):
    archive.store(sr_document("1.2.9.1", 3802, [text_item("x")], declare=False))
    assert archive.answer(request("P1", "3802"), CARDIAC).source == "SR 1.2.9.1"
    [summary] = archive.patients()
    assert summary.templates == (3802,)


def test_sr_for_9007_without_language_gets_it(archive):
    archive.store(sr_document("1.2.9.1", 9007, [text_item("x")]))
    first, second = tree(archive.answer(request("P1", "9007"), GENERAL)).children
    assert concept(first).same_code(codes.DCM.LanguageOfContentItemAndDescendants)
    assert second.value == "x"


def test_sr_with_by_reference_content_is_kept_but_not_used(archive):
    ds = sr_document("1.2.9.1", 3802, [text_item("x")])
    item = ds.ContentSequence[0]
    item.ReferencedContentItemIdentifier = [1, 1]
    del item.TextValue, item.ValueType, item.ConceptNameCodeSequence
    result = archive.store(ds)
    assert result.rpi_template is None
    assert "by-reference" in result.warnings[0]
    answer = archive.answer(request("P1", "3802"), CARDIAC)
    assert answer.source == "patient attributes"


def test_non_ascii_sr_content_declares_utf8(archive):
    archive.store(sr_document("1.2.9.1", 3802, [text_item("Müller-Lyer, Ödem")]))
    answer = archive.answer(request("P1", "3802"), CARDIAC)
    assert answer.identifier.SpecificCharacterSet == "ISO_IR 192"
    round_trip = wire(answer.identifier)
    assert round_trip.ContentSequence[0].TextValue == "Müller-Lyer, Ödem"


def test_referenced_instances_come_back_only_when_requested(archive):
    image = ContentNode(
        "CONTAINS",
        "COMPOSITE",
        CodedConcept.from_code(codes.DCM.Comment),
        _reference(),
    )
    ds = sr_document("1.2.9.1", 3802, [image])
    study = evidence_study(SR, "1.2.9.99", "1.2.9.98", "1.2.9.97")
    ds.CurrentRequestedProcedureEvidenceSequence = [study]
    archive.store(ds)
    plain = archive.answer(request("P1", "3802"), CARDIAC).identifier
    assert "StudiesContainingOtherReferencedInstancesSequence" not in plain
    asked = request("P1", "3802")
    asked.StudiesContainingOtherReferencedInstancesSequence = []
    ds = archive.answer(asked, CARDIAC).identifier
    [item] = ds.StudiesContainingOtherReferencedInstancesSequence
    assert item.StudyInstanceUID == "1.2.9.97"
    [series] = item.ReferencedSeriesSequence
    assert series.ReferencedInstanceSequence[0].ReferencedSOPInstanceUID == "1.2.9.99"


def _reference():
    from rpiq.core.sr.model import Reference

    return Reference(SR, "1.2.9.99")


# ------------------------------------------------------------ cache


def test_a_store_changes_the_next_answer(archive):
    archive.store(patient("1.2.3.1", PregnancyStatus=1))
    first = tree(archive.answer(request(), GENERAL))
    assert find(first, codes.cid6096.NotPregnant)
    archive.store(patient("1.2.3.2", PregnancyStatus=3, ContentDate="20250601"))
    second = tree(archive.answer(request(), GENERAL))
    assert find(second, codes.cid6096.PatientCurrentlyPregnant)


def test_a_store_by_another_archive_object_is_seen(archive):
    archive.store(patient("1.2.3.1", PregnancyStatus=1))
    archive.answer(request(), GENERAL)
    other = Archive(archive.root)  # e.g. another process importing
    other.store(patient("1.2.3.2", PregnancyStatus=2, ContentDate="20250601"))
    again = tree(archive.answer(request(), GENERAL))
    assert find(again, codes.cid6096.PossiblePregnancy)


def test_hot_answers_share_content_but_not_the_identifier(archive):
    archive.store(sr_document("1.2.9.1", 3802, sized_tree(30).children))
    first = archive.answer(request("P1", "3802"), CARDIAC).identifier
    second = archive.answer(request("P1", "3802", "", "PatientAge"), CARDIAC).identifier
    assert first is not second
    assert "IssuerOfPatientID" in second
    assert first.ContentSequence is second.ContentSequence


# ------------------------------------------------------------ demo archive


def test_demo_archive_covers_the_c100_case_and_all_templates(archive):
    seed_demo(archive)
    assert (
        archive.answer(request("DEMO-100"), GENERAL).status
        == RpiqStatus.MORE_THAN_ONE_MATCH
    )
    by_id = {(p.patient_id, p.issuer): p for p in archive.patients()}
    assert len(by_id) >= 5
    assert by_id[("DEMO-001", "HOSP-A")].templates == (9007,)
    assert by_id[("DEMO-002", "HOSP-A")].templates == (9000,)
    assert by_id[("DEMO-003", "HOSP-A")].templates == (3802,)
    pregnancy = set()
    smoking = set()
    for (pid, issuer), _ in by_id.items():
        [details] = archive.patient_details(pid, issuer)
        if found := details.attribute("PregnancyStatus"):
            pregnancy.add(found.value)
        if found := details.attribute("SmokingStatus"):
            smoking.add(found.value)
    assert pregnancy == {1, 2, 3, 4}
    assert smoking == {"YES", "NO", "UNKNOWN"}
    results = seed_demo(archive)
    assert all(r.replaced for r in results)


def test_answers_and_stores_from_many_threads(archive):
    import threading

    archive.store(patient("1.2.3.0", PregnancyStatus=1, SmokingStatus="YES"))
    errors: list[BaseException] = []
    stop = threading.Event()

    def query() -> None:
        try:
            while not stop.is_set():
                answer = archive.answer(request(), GENERAL)
                assert answer.status is RpiqStatus.PENDING
                assert wire(answer.identifier).PatientID == "P1"
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    readers = [threading.Thread(target=query) for _ in range(2)]
    for thread in readers:
        thread.start()
    for n in range(1, 9):
        archive.store(patient(f"1.2.3.{n}", PregnancyStatus=1 + n % 4))
    archive.store(patient("1.2.3.99", PregnancyStatus=3, ContentDate="20990101"))
    stop.set()
    for thread in readers:
        thread.join()
    assert errors == []
    final = tree(archive.answer(request(), GENERAL))
    assert find(final, codes.cid6096.PatientCurrentlyPregnant)
