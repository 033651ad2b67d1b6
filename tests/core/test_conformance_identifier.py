"""Identifier rules: attributes, Content Template Sequence, root item."""

from __future__ import annotations

from pydicom.dataset import Dataset

from rpiq.core.conformance import Level, check_identifier, resolve_template
from rpiq.core.conformance.examples import good_3802, good_9000, good_9007
from rpiq.core.conformance.identifier_rules import (
    check_attributes,
    check_template_allowed,
    check_template_sequence,
    template_number,
)
from rpiq.core.templates import RpiSopClass


def rules(findings):
    return [(f.level, f.rule) for f in findings]


def test_template_numbers_are_digits_without_leading_zero():
    assert template_number("9007") == 9007
    assert template_number("09007") is None
    assert template_number("TID 9007") is None
    assert template_number(None) is None


def test_private_attribute_is_unexpected():
    example = good_9007()
    example.response.add_new(0x00091010, "LO", "vendor data")
    findings = check_attributes(example.request, example.response)
    assert rules(findings) == [(Level.WARN, "identifier.unexpected-attribute")]
    assert "private" in findings[0].message


def test_without_request_only_table_q41_is_enforced():
    response = good_9007().response
    response.PatientAge = "054Y"  # Patient Demographic: allowed when requested
    response.SmokingStatus = "NO"  # Patient Medical: never in the RPI model
    findings = check_attributes(None, response)
    assert rules(findings) == [(Level.WARN, "identifier.unexpected-attribute")]
    assert "SmokingStatus" in findings[0].message


def test_requested_keys_must_come_back():
    example = good_9007()
    del example.response.PatientSex
    example.response.PatientName = ""
    assert rules(check_attributes(example.request, example.response)) == [
        (Level.WARN, "identifier.type1-empty"),
        (Level.WARN, "identifier.requested-key-missing"),
    ]


def test_template_sequence_must_echo_the_request_text():
    response = good_9007().response
    assert check_template_sequence(response, 9007, "9007") == []
    response.ContentTemplateSequence[0].MappingResource = "99LOCAL"
    findings = check_template_sequence(response, 9007, "9007")
    assert rules(findings) == [(Level.FAIL, "identifier.template-sequence")]
    assert "DCMR" in findings[0].message


def test_two_template_items_are_wrong():
    response = good_9007().response
    response.ContentTemplateSequence.append(response.ContentTemplateSequence[0])
    findings = check_template_sequence(response, 9007, None)
    assert "2 Content Template Sequence items" in findings[0].message


def test_template_must_fit_the_sop_class():
    assert check_template_allowed(RpiSopClass.GENERAL, 9001) == []
    assert rules(check_template_allowed(RpiSopClass.BREAST, 3802)) == [
        (Level.FAIL, "identifier.template-not-allowed")
    ]
    assert check_template_allowed(RpiSopClass.GENERAL, 1234)


def test_resolve_template_prefers_explicit_then_request_then_answer():
    example = good_9000()
    request, answer = example.request, example.response
    assert resolve_template(9001, request, answer, RpiSopClass.GENERAL) == 9001
    assert resolve_template(None, request, answer, RpiSopClass.GENERAL) == 9000
    assert resolve_template(None, None, answer, RpiSopClass.GENERAL) == 9000
    assert resolve_template(None, None, Dataset(), RpiSopClass.CARDIAC) == 3802


def test_answer_without_request_is_checked_against_its_own_template():
    example = good_3802()
    report = check_identifier(example.response, sop_class=RpiSopClass.CARDIAC)
    assert report.template == 3802
    assert report.rules() == {"identity.not-compared"}
    assert report.exit_code() == 0


def test_unknown_answer_template_is_not_content_checked():
    response = good_9007().response
    response.ContentTemplateSequence[0].TemplateIdentifier = "1234"
    report = check_identifier(response)
    assert {"identifier.template-not-allowed", "content.not-checked"} <= report.rules()


def test_explicit_template_overrides_the_answer():
    example = good_9007()
    report = check_identifier(example.response, example.request, template=9000)
    assert {"identifier.template-sequence", "identifier.root-concept"} <= report.rules()
    assert "identifier.template-not-allowed" not in report.rules()
