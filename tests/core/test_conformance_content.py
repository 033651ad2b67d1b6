"""Content rules and the template-row matcher (PS3.16 templates, PS3.3 C.17/C.18)."""

from __future__ import annotations

from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes

from rpiq.core.conformance import check_identifier
from rpiq.core.conformance.content_rules import check_charset, check_items
from rpiq.core.conformance.examples import good_9000, good_9007, request_identifier
from rpiq.core.conformance.template_rules import check_template, root_slot
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import CodedConcept, ContentNode
from rpiq.core.sr.parse import parse_content
from rpiq.core.sr.samples import every_value_type_tree, sized_tree
from rpiq.core.templates import FixedCode, RpiSopClass
from rpiq.core.templates import extra_codes as x


def c(code, meaning=None):
    concept = CodedConcept.from_code(code)
    return (
        concept
        if meaning is None
        else CodedConcept(concept.value, concept.scheme, meaning)
    )


def item(rel, vt, concept, value=None, *children, **kw):
    return ContentNode(rel, vt, concept, value, children=children, **kw)


def root(concept, *children):
    return ContentNode(None, "CONTAINER", concept, None, children=children)


def rules(findings):
    return sorted((f.level.value, f.rule, f.path) for f in findings)


LANGUAGE = item(
    "HAS CONCEPT MOD",
    "CODE",
    c(codes.DCM.LanguageOfContentItemAndDescendants),
    CodedConcept("en", "RFC5646", "English"),
)


def vital_signs(*measurements):
    return item(
        "CONTAINS",
        "CODE",
        c(codes.DCM.PatientStatusOrEvent),
        c(codes.SCT.TakingPatientVitalSigns),
        *measurements,
    )


def measurement(code, value, units):
    return item("HAS PROPERTIES", "NUM", code, value, units=units)


def test_tid_9002_as_root_uses_the_medication_binding():
    (bound,) = root_slot(9002).env["$ContainerConcept"]
    assert isinstance(bound, FixedCode)
    assert bound.code.value == "10160-0"
    tree = root(
        c(x.HISTORY_OF_MEDICATION_USE),
        item("CONTAINS", "CODE", c(codes.DCM.MedicationType), c(codes.SCT.Tamoxifen)),
    )
    assert check_template(tree, 9002) == []


def test_tid_9002_as_root_without_any_item_misses_row_2():
    findings = check_template(root(c(x.HISTORY_OF_MEDICATION_USE)), 9002)
    assert rules(findings) == [("FAIL", "content.mandatory-missing", "root")]
    assert "TID 9002 row 2" in findings[0].message


def test_language_is_required_only_when_9007_is_the_root():
    findings = check_template(root(c(codes.DCM.RelevantPatientInformation)), 9007)
    assert rules(findings) == [("FAIL", "content.mandatory-missing", "root")]
    assert "TID 1204" in findings[0].message


def test_vital_signs_require_every_mc_measurement():
    assessment = vital_signs(
        measurement(c(codes.LN.HeartRate), 72, c(x.BEATS_PER_MINUTE)),
    )
    tree = root(c(codes.DCM.RelevantPatientInformation), LANGUAGE, assessment)
    findings = check_template(tree, 9007)
    missing = [f for f in findings if f.rule == "content.mandatory-missing"]
    assert len(missing) == 7  # rows 2, 3, 5, 6, 7, 8, 9 of TID 3114
    assert all(f.path == "2" for f in missing)
    assert any("Systolic blood pressure" in f.message for f in missing)


def test_other_assessment_does_not_require_measurements():
    assessment = item(
        "CONTAINS",
        "CODE",
        c(codes.DCM.PatientStatusOrEvent),
        c(codes.DCM.PatientAssessmentPerformed),
    )
    tree = root(c(codes.DCM.RelevantPatientInformation), LANGUAGE, assessment)
    assert check_template(tree, 9007) == []


def test_measurement_units_come_from_the_tid_300_binding():
    assessment = item(
        "CONTAINS",
        "CODE",
        c(codes.DCM.PatientStatusOrEvent),
        c(codes.DCM.PatientAssessmentPerformed),
        measurement(c(codes.LN.HeartRate), 72, c(codes.UCUM.Percent)),
    )
    tree = root(c(codes.DCM.RelevantPatientInformation), LANGUAGE, assessment)
    findings = check_template(tree, 9007)
    assert rules(findings) == [("FAIL", "content.units", "2.1")]


def test_below_an_unencoded_template_is_info_not_checked():
    pressure = measurement(
        c(codes.SCT.SystolicBloodPressure), 120, c(codes.UCUM.MillimetersHg)
    )
    pressure = ContentNode(
        "HAS PROPERTIES",
        "NUM",
        pressure.concept,
        120,
        units=pressure.units,
        children=(
            item("HAS CONCEPT MOD", "CODE", c(codes.SCT.Laterality), c(codes.SCT.Left)),
        ),
    )
    assessment = item(
        "CONTAINS",
        "CODE",
        c(codes.DCM.PatientStatusOrEvent),
        c(codes.DCM.PatientAssessmentPerformed),
        pressure,
    )
    tree = root(c(codes.DCM.RelevantPatientInformation), LANGUAGE, assessment)
    assert rules(check_template(tree, 9007)) == [("INFO", "content.not-checked", "2.1")]


def test_gestational_age_only_after_premature_delivery():
    risk = item(
        "CONTAINS",
        "CODE",
        c(codes.SCT.RiskFactor),
        c(codes.cid6081.Nulliparous),
        item(
            "HAS PROPERTIES",
            "NUM",
            c(codes.LN.GestationalAge),
            30,
            units=c(codes.UCUM.Week),
        ),
    )
    tree = root(c(codes.DCM.RelevantRiskFactors), risk)
    findings = check_template(tree, 9005)
    assert rules(findings) == [("WARN", "content.condition", "1")]


def concern(problem, *properties):
    return item(
        "CONTAINS",
        "CONTAINER",
        c(codes.DCM.Concern),
        None,
        item("CONTAINS", "CODE", c(codes.cid3769.Problem), problem, *properties),
    )


def test_ambiguous_3829_rows_pick_the_one_without_failures():
    stage = item("HAS PROPERTIES", "CODE", c(codes.SCT.Stage), c(codes.cid3778.Stage3))
    kidney = concern(c(codes.SCT.HistoryOfKidneyDisease), stage)
    problems = item("CONTAINS", "CONTAINER", c(x.PROBLEM_LIST), None, kidney)
    # Only TID 3802 row 11 binds this $Problem (EV) and $Stage (DCID 3778);
    # rows 5-10 would reject the problem code.
    assert check_template(root(c(codes.LN.History), problems), 3802) == []


def test_a_problem_no_3829_row_allows_fails():
    unknown = concern(CodedConcept("73211009", "SCT", "Diabetes mellitus"))
    problems = item("CONTAINS", "CONTAINER", c(x.PROBLEM_LIST), None, unknown)
    findings = check_template(root(c(codes.LN.History), problems), 3802)
    assert rules(findings) == [("FAIL", "content.value-set", "1.1.1")]
    assert "CID 3756" in findings[0].message  # the first candidate, row 5


def test_defined_group_value_fails_baseline_group_value_warns():
    example = good_9000()
    problem = example.response.ContentSequence[4].ContentSequence[0]
    problem.ConceptCodeSequence[0].CodeValue = "73211009"  # not in DCID 6055
    report = check_identifier(example.response, example.request, example.sop_class)
    assert rules(report.findings) == [("FAIL", "content.value-set", "5.1")]
    assert "CID 6055" in report.findings[0].section


def test_defined_term_value_set_is_a_warning():
    assessment = item(
        "CONTAINS",
        "CODE",
        c(codes.DCM.PatientStatusOrEvent),
        CodedConcept("22253000", "SCT", "Pain"),
    )
    tree = root(c(codes.DCM.RelevantPatientInformation), LANGUAGE, assessment)
    assert rules(check_template(tree, 9007)) == [
        ("WARN", "content.value-baseline", "2")
    ]


def test_concept_outside_baseline_group_is_matched_with_warning():
    assessment = item(
        "CONTAINS",
        "CODE",
        c(codes.DCM.PatientStatusOrEvent),
        c(codes.DCM.PatientAssessmentPerformed),
        item("HAS PROPERTIES", "TEXT", c(codes.DCM.Comment), "calm"),
    )
    tree = root(c(codes.DCM.RelevantPatientInformation), LANGUAGE, assessment)
    assert rules(check_template(tree, 9007)) == [
        ("WARN", "content.concept-baseline", "2.1")
    ]


def test_near_miss_names_the_row():
    gynecological = item(
        "CONTAINS",
        "CONTAINER",
        c(codes.SCT.GynecologicalHistory),
        None,
        item("CONTAINS", "TEXT", c(x.PARA), "two"),
    )
    tree = root(c(codes.DCM.RelevantPatientInformation), LANGUAGE, gynecological)
    findings = check_template(tree, 9007)
    assert rules(findings) == [("WARN", "content.extension", "2.1")]
    assert "TID 9001 row 6" in findings[0].message


def test_generic_item_rules():
    tree = root(
        c(codes.DCM.RelevantPatientInformation),
        item("CONTAINS", "NUM", c(x.PARA), None),
        item("CONTAINS", "NUM", c(x.PARA), 2, units=CodedConcept("u", "99X", "units")),
        item("OWNS", "TEXT", c(codes.DCM.Comment), "x"),
        item("CONTAINS", "BY-REFERENCE", None, "1.2"),
        item("CONTAINS", "UNREADABLE", None, problem="broken"),
    )
    assert rules(check_items(tree)) == [
        ("FAIL", "content.by-reference", "4"),
        ("FAIL", "content.relationship", "3"),
        ("FAIL", "content.unreadable", "5"),
        ("WARN", "content.num-empty", "1"),
        ("WARN", "content.num-units-ucum", "2"),
    ]


def test_empty_num_with_qualifier_is_fine():
    tree = root(
        c(codes.DCM.RelevantPatientInformation),
        item("CONTAINS", "NUM", c(x.PARA), None, qualifier=c(codes.DCM.ValueUnknown)),
    )
    assert check_items(tree) == []


def test_by_reference_item_from_a_dataset_is_found():
    example = good_9007()
    ref = Dataset()
    ref.RelationshipType = "INFERRED FROM"
    ref.ReferencedContentItemIdentifier = [1, 1]
    example.response.ContentSequence[3].ContentSequence.append(ref)
    report = check_identifier(example.response, example.request)
    assert rules(report.findings) == [("FAIL", "content.by-reference", "4.5")]


def test_non_ascii_with_character_set_is_fine_without_is_fail():
    example = good_9007()
    comment = example.response.ContentSequence[4].ContentSequence[0]
    comment.TextValue = "Keine Beschwerden, Rauchstopp 2015 – gut."
    tree = parse_content(example.response)
    findings = check_charset(tree, example.response)
    assert rules(findings) == [("FAIL", "content.charset", "5.1")]
    example.response.SpecificCharacterSet = "ISO_IR 192"
    assert check_charset(tree, example.response) == []


def test_non_ascii_raw_attribute_is_found_without_decoding(tmp_path):
    example = good_9007()
    example.response.SpecificCharacterSet = "ISO_IR 100"
    example.response.PatientName = "Müller^Anna"
    path = tmp_path / "answer.dcm"
    example.response.save_as(path, enforce_file_format=False, implicit_vr=False)
    from pydicom import dcmread

    read = dcmread(path, force=True)
    del read.SpecificCharacterSet
    findings = check_charset(parse_content(read), read)
    assert rules(findings) == [("FAIL", "content.charset", None)]
    assert "PatientName" in findings[0].message


def test_iso_2022_escapes_without_character_set_are_fail(tmp_path):
    """JIS X 0208 bytes are 7-bit, yet need ISO 2022 IR 87 (PS3.5 Annex H)."""
    example = good_9007()
    example.response.SpecificCharacterSet = ["ISO 2022 IR 6", "ISO 2022 IR 87"]
    example.response.PatientName = "Yamada^Tarou=山田^太郎=やまだ^たろう"
    path = tmp_path / "answer.dcm"
    example.response.save_as(path, enforce_file_format=False, implicit_vr=False)
    from pydicom import dcmread

    read = dcmread(path, force=True)
    assert check_charset(parse_content(read), read) == []
    del read.SpecificCharacterSet
    findings = check_charset(parse_content(read), read)
    assert rules(findings) == [("FAIL", "content.charset", None)]
    assert "PatientName" in findings[0].message


def test_sample_tree_findings_are_explained():
    ds = Dataset()
    ds.PatientID = "PAT-1"
    ds.update(encode_root(every_value_type_tree()))
    report = check_identifier(ds, request_identifier("PAT-1", 9007, issuer=None))
    # Every value type is present, so TID 9007 is extended (WARN) but not broken.
    assert not report.fails
    assert {f.rule for f in report.warnings} >= {"content.extension"}


def test_a_thousand_items_are_checked():
    ds = Dataset()
    ds.PatientID = "BIG"
    ds.update(encode_root(sized_tree(1000)))
    tree = parse_content(ds)
    report = check_identifier(ds, sop_class=RpiSopClass.GENERAL)
    assert report.template == 9007
    assert tree.count() == 1001


def test_internal_error_becomes_a_warning(monkeypatch):
    import rpiq.core.conformance.check as check

    def boom(*args):
        raise RuntimeError("bug")

    monkeypatch.setattr(check, "check_items", boom)
    example = good_9007()
    report = check_identifier(example.response, example.request)
    assert rules(report.findings) == [("WARN", "checker.internal-error", None)]


def test_repeats_of_a_vm_1_row_are_reported_once():
    ds = Dataset()
    ds.PatientID = "BIG"
    ds.update(encode_root(sized_tree(12)))  # ten TEXT/CODE/NUM items under TID 3802
    report = check_identifier(ds)
    vm = [f for f in report.findings if f.rule == "content.vm"]
    assert len(vm) == 1
    assert "3 times" in vm[0].message  # items 0, 4 and 8 are TEXT History
    assert vm[0].path == "2.5"


def test_units_outside_a_defined_term_are_a_warning():
    pulse = measurement(c(codes.DCM.PulseStrength), 3, c(codes.UCUM.NoUnits))
    assessment = item(
        "CONTAINS",
        "CODE",
        c(codes.DCM.PatientStatusOrEvent),
        c(codes.DCM.PatientAssessmentPerformed),
        pulse,
    )
    tree = root(c(codes.DCM.RelevantPatientInformation), LANGUAGE, assessment)
    # TID 3114 row 8 binds $Units = DT ({0:4}, UCUM, "range 0:4")
    assert rules(check_template(tree, 9007)) == [
        ("WARN", "content.units-baseline", "2.1")
    ]
