"""Status-sequence rules (PS3.4 Q.4.2)."""

from __future__ import annotations

from rpiq.core.conformance import Level, SimpleResponse, check_answer, pending, success
from rpiq.core.conformance.examples import good_9007
from rpiq.core.conformance.status_rules import check_status
from rpiq.core.status import RpiqStatus, describe
from rpiq.core.templates import RpiSopClass


def rules(findings):
    return [(f.level, f.rule) for f in findings]


def test_pending_then_success_is_clean():
    answer = good_9007().response
    assert check_status([pending(answer), success()]) == []


def test_success_alone_is_no_match_info():
    assert rules(check_status([success()])) == [(Level.INFO, "status.no-match")]


def test_failure_alone_is_info_naming_the_status():
    failure = SimpleResponse(describe(RpiqStatus.MORE_THAN_ONE_MATCH, "two patients"))
    findings = check_status([failure])
    assert rules(findings) == [(Level.INFO, "status.failure")]
    assert "two patients" in findings[0].message


def test_cancel_after_pending_is_allowed():
    cancel = SimpleResponse(describe(RpiqStatus.CANCEL))
    answer = good_9007().response
    assert rules(check_status([pending(answer), cancel])) == [
        (Level.INFO, "status.failure")
    ]


def test_success_with_identifier_names_pynetdicom():
    answer = good_9007().response
    done = SimpleResponse(describe(RpiqStatus.SUCCESS), answer)
    findings = check_status([pending(answer), done])
    assert rules(findings) == [(Level.WARN, "status.final-identifier")]
    assert "pynetdicom" in findings[0].message


def test_failure_with_identifier_is_warned_without_pynetdicom():
    answer = good_9007().response
    failed = SimpleResponse(describe(RpiqStatus.UNABLE_TO_PROCESS), answer)
    findings = check_status([failed])
    assert (Level.WARN, "status.final-identifier") in rules(findings)
    assert "pynetdicom" not in findings[0].message


def test_three_pendings_are_counted():
    answer = good_9007().response
    findings = check_status([pending(answer)] * 3 + [success()])
    assert rules(findings) == [(Level.FAIL, "status.multiple-pending")]
    assert "3 Pending" in findings[0].message


def test_pending_with_other_code_and_warning_final_are_fail():
    answer = good_9007().response
    ff01 = SimpleResponse(describe(int(RpiqStatus.PENDING) + 1), answer)
    warning = SimpleResponse(describe(0x0107))  # a PS3.7 Warning code
    findings = check_status([ff01, warning])
    assert rules(findings) == [
        (Level.FAIL, "status.unexpected-code"),
        (Level.FAIL, "status.unexpected-code"),
    ]


def test_empty_and_lost_exchanges_are_no_response():
    assert rules(check_status([])) == [(Level.FAIL, "status.no-response")]
    lost = SimpleResponse(describe(None))
    assert rules(check_status([lost])) == [(Level.FAIL, "status.no-response")]


def test_no_pending_identifier_means_no_content_checks():
    report = check_answer(None, [pending(None), success()], RpiSopClass.GENERAL)
    assert report.rules() == {"status.pending-no-identifier"}
    assert report.template is None


def test_only_the_first_pending_is_checked():
    good = good_9007()
    other = good_9007().response
    other.PatientID = "ELSEWHERE"
    report = check_answer(
        good.request,
        [pending(good.response), pending(other), success()],
        good.sop_class,
    )
    assert report.rules() == {"status.multiple-pending"}
