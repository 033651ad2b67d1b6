from __future__ import annotations

from rpiq.core.query.events import PatientSummary
from rpiq.core.query.identity import ISSUER, PATIENT_ID, identity_mismatches
from rpiq.core.query.request import QueryRequest


def patient(pid: str | None, issuer: str | None = None) -> PatientSummary:
    return PatientSummary(pid, issuer, "DOE^JANE", "19800101", "F")


def test_same_id_without_requested_issuer_accepts_any_issuer():
    assert identity_mismatches(QueryRequest("P1"), patient("P1", "HOSP")) == ()


def test_trailing_spaces_are_not_significant():
    request = QueryRequest("P1", "HOSP")
    assert identity_mismatches(request, patient("P1 ", " HOSP ")) == ()


def test_other_patient_id_is_named():
    (problem,) = identity_mismatches(QueryRequest("P1"), patient("P1-OTHER"))
    assert problem.field == PATIENT_ID
    assert "'P1'" in problem.message
    assert "'P1-OTHER'" in str(problem)


def test_missing_patient_id():
    (problem,) = identity_mismatches(QueryRequest("P1"), patient(None))
    assert "no Patient ID" in problem.message


def test_other_or_missing_issuer_when_requested():
    request = QueryRequest("P1", "HOSP-A")
    (other,) = identity_mismatches(request, patient("P1", "HOSP-B"))
    assert other.field == ISSUER
    assert "'HOSP-B'" in other.message
    (missing,) = identity_mismatches(request, patient("P1", ""))
    assert "does not state an issuer" in missing.message


def test_both_keys_wrong_gives_two_sentences():
    request = QueryRequest("P1", "HOSP-A")
    assert len(identity_mismatches(request, patient("P2", "HOSP-B"))) == 2
