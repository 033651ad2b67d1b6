"""Patient-identity rules: Patient ID and Issuer of Patient ID."""

from __future__ import annotations

import pytest

from rpiq.core.conformance import Level
from rpiq.core.conformance.examples import good_9007, request_identifier
from rpiq.core.conformance.identity_rules import check_identity


def rules(findings):
    return [(f.level, f.rule) for f in findings]


@pytest.fixture
def answer():
    return good_9007().response  # Patient ID GOOD-9007, issuer EXAMPLE-HOSPITAL


def test_matching_id_with_universal_issuer_is_clean(answer):
    assert check_identity(request_identifier("GOOD-9007", 9007), answer) == []


def test_same_issuer_is_clean(answer):
    request = request_identifier("GOOD-9007", 9007, issuer="EXAMPLE-HOSPITAL")
    assert check_identity(request, answer) == []


def test_trailing_padding_is_not_a_difference(answer):
    answer.PatientID = "GOOD-9007 "
    assert check_identity(request_identifier("GOOD-9007", 9007), answer) == []


def test_case_matters(answer):
    findings = check_identity(request_identifier("good-9007", 9007), answer)
    assert rules(findings) == [(Level.FAIL, "identity.patient-id-mismatch")]
    assert '"GOOD-9007"' in findings[0].message
    assert '"good-9007"' in findings[0].message


def test_empty_id_is_missing(answer):
    answer.PatientID = ""
    findings = check_identity(request_identifier("GOOD-9007", 9007), answer)
    assert rules(findings) == [(Level.FAIL, "identity.patient-id-missing")]


def test_without_request_only_presence_is_checked(answer):
    assert rules(check_identity(None, answer)) == [
        (Level.INFO, "identity.not-compared")
    ]


def test_issuer_asked_but_answer_has_empty_issuer(answer):
    answer.IssuerOfPatientID = ""
    request = request_identifier("GOOD-9007", 9007, issuer="EXAMPLE-HOSPITAL")
    findings = check_identity(request, answer)
    assert rules(findings) == [(Level.FAIL, "identity.issuer-mismatch")]
    assert "no issuer" in findings[0].message


def test_id_and_issuer_both_wrong_give_two_fails(answer):
    request = request_identifier("OTHER", 9007, issuer="HOSP-Z")
    assert rules(check_identity(request, answer)) == [
        (Level.FAIL, "identity.patient-id-mismatch"),
        (Level.FAIL, "identity.issuer-mismatch"),
    ]
