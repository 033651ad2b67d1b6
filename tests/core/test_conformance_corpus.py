"""The hand-built corpus: every case gives its documented rules and exit code."""

from __future__ import annotations

from collections import Counter

import pytest

from rpiq.core.conformance import Level, check_answer, check_identifier
from rpiq.core.conformance.corpus import cases
from rpiq.core.conformance.examples import EXAMPLES, annex_ee

CASES = {case.name: case for case in cases()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_gives_its_rules_and_exit_code(name):
    case = CASES[name]
    report = check_answer(case.request, case.responses, case.sop_class)
    assert case.rules <= report.rules(), report.lines()
    assert report.exit_code() == case.exit_code, report.lines()


def test_at_least_three_bad_cases_per_family():
    families = Counter(c.family for c in cases() if c.family != "good")
    assert set(families) == {"status", "identity", "identifier", "content"}
    assert all(count >= 3 for count in families.values()), families


def test_every_bad_case_reports_something_and_good_ones_do_not_fail():
    for case in cases():
        report = check_answer(case.request, case.responses, case.sop_class)
        if case.family == "good":
            assert not report.fails, (case.name, report.lines())
        else:
            assert not report.ok, case.name


@pytest.mark.parametrize("name", ["good-9007", "good-9000", "good-3802"])
def test_good_answers_are_clean(name):
    example = EXAMPLES[name]()
    report = check_identifier(example.response, example.request, example.sop_class)
    assert report.findings == (), report.lines()
    assert report.exit_code() == 0


def test_annex_ee_example_has_no_fail_and_flags_subject_age_as_extension():
    example = annex_ee()
    report = check_identifier(example.response, example.request, example.sop_class)
    assert report.fails == ()
    assert [(f.level, f.rule, f.path) for f in report.findings] == [
        (Level.WARN, "content.extension", "2")
    ]
    assert "Subject Age" in report.findings[0].message
    assert report.template == 9000


def test_annex_ee_rebuilds_the_standard_tables():
    example = annex_ee()
    request, response = example.request, example.response
    assert request.PatientID == "MR975311"
    assert "IssuerOfPatientID" not in request
    assert request.ContentTemplateSequence[0].TemplateIdentifier == "9000"
    assert response.PatientName == "Doe^Jane"
    assert response.ObservationDateTime == "20021114124623"
    codes = [
        item.ConceptNameCodeSequence[0].CodeValue for item in response.ContentSequence
    ]
    assert codes == ["121049", "121033", "267011001", "111513", "111515"]
    units = response.ContentSequence[1].MeasuredValueSequence[0]
    assert units.MeasurementUnitsCodeSequence[0].CodingSchemeVersion == "1.4"


def test_corpus_single_file_cases_are_pending_plus_success():
    single = [c for c in cases() if c.identifier is not None]
    assert {c.family for c in single} == {"good", "identity", "identifier", "content"}
    assert all(c.identifier is c.responses[0].identifier for c in single)
