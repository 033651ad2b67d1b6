"""Status-sequence rules: zero or one Pending, then one final status (PS3.4 Q.4.2).

An RPI SCP sends at most one Pending (FF00) response carrying the match, then a
final Success (0000) without identifier, or a Failure or Cancel instead
(PS3.4 Q.2.1.1, Q.4.2, Table Q.2-1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rpiq.core.conformance.report import Finding, Level
from rpiq.core.status import Category, RpiqStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rpiq.core.conformance.responses import ResponseLike
    from rpiq.core.status import StatusInfo

_Q42 = "PS3.4 Q.4.2"
_TABLE = "PS3.4 Q.4.2, Table Q.2-1"
_FINAL = frozenset({Category.SUCCESS, Category.FAILURE, Category.CANCEL})


def check_status(responses: Sequence[ResponseLike]) -> list[Finding]:
    """Check the order and kinds of the responses of one query.

    Parameters
    ----------
    responses : sequence of ResponseLike
        Every response in the order received.

    Returns
    -------
    list of Finding
        Findings of the ``status.*`` rules.
    """
    if not responses or responses[-1].status.category is Category.NO_RESPONSE:
        return [
            Finding(
                Level.FAIL,
                "status.no-response",
                "The peer never sent a final status (timeout, abort or an invalid "
                "response), so the answer is incomplete.",
                _Q42,
            )
        ]
    findings = _sequence_findings(responses)
    findings += _pending_findings(responses)
    findings += _final_findings(responses[-1].status, responses[-1].identifier)
    if responses[-1].status.category is Category.SUCCESS and not any(
        r.status.category is Category.PENDING for r in responses
    ):
        findings.append(
            Finding(
                Level.INFO,
                "status.no-match",
                "Success without a Pending response: no patient matched the query.",
                _Q42,
            )
        )
    return findings


def _sequence_findings(responses: Sequence[ResponseLike]) -> list[Finding]:
    findings: list[Finding] = []
    last = responses[-1].status
    if last.category is Category.PENDING:
        findings.append(
            Finding(
                Level.FAIL,
                "status.no-final",
                "The last response is still Pending: the peer never said the "
                "query was complete.",
                _Q42,
            )
        )
    for number, response in enumerate(responses[:-1], 1):
        if response.status.category is not Category.PENDING:
            findings.append(
                Finding(
                    Level.FAIL,
                    "status.order",
                    f"Response {number} ({response.status.hex} "
                    f"{response.status.category.value}) is a final status, but more "
                    "responses followed it.",
                    _Q42,
                )
            )
    return findings


def _pending_findings(responses: Sequence[ResponseLike]) -> list[Finding]:
    pendings = [r for r in responses if r.status.category is Category.PENDING]
    findings: list[Finding] = []
    if len(pendings) > 1:
        findings.append(
            Finding(
                Level.FAIL,
                "status.multiple-pending",
                f"The peer sent {len(pendings)} Pending responses; an RPI query "
                "returns at most one patient, so at most one Pending is allowed. "
                "Only the first is used.",
                _Q42,
            )
        )
    for number, response in enumerate(pendings, 1):
        if response.status.code != RpiqStatus.PENDING:
            findings.append(
                Finding(
                    Level.FAIL,
                    "status.unexpected-code",
                    f"Pending response {number} has status {response.status.hex}; "
                    "Annex Q defines only FF00 for a match.",
                    _TABLE,
                )
            )
        if response.identifier is None:
            findings.append(
                Finding(
                    Level.FAIL,
                    "status.pending-no-identifier",
                    f"Pending response {number} carried no readable identifier, "
                    "so it holds no patient information.",
                    "PS3.4 Q.2.1.1.3, Q.4.2",
                )
            )
    return findings


def _final_findings(status: StatusInfo, identifier: object) -> list[Finding]:
    if status.category not in _FINAL:
        if status.category is Category.PENDING:
            return []
        return [
            Finding(
                Level.FAIL,
                "status.unexpected-code",
                f"The final status {status.hex} ({status.category.value}) is not a "
                "Success, Failure or Cancel status of Annex Q.",
                _TABLE,
            )
        ]
    findings: list[Finding] = []
    if identifier is not None:
        findings.append(_final_identifier(status))
    if status.category is not Category.SUCCESS:
        findings.append(
            Finding(
                Level.INFO,
                "status.failure",
                f"The peer answered {status.describe()}; there is no content to check.",
                _TABLE,
            )
        )
    return findings


def _final_identifier(status: StatusInfo) -> Finding:
    if status.category is Category.SUCCESS:
        message = (
            "The final Success response carries an identifier; Annex Q says "
            "Success has none. pynetdicom's RPI SCP (3.0) is known to do this: it "
            "resends the Pending identifier with the Success (pynetdicom issue "
            "#571 was fixed only for the generic C-FIND SCP). The SCU ignores it."
        )
    else:
        message = (
            f"The final {status.category.value} response carries an identifier; "
            "Failure and Cancel responses have none."
        )
    return Finding(Level.WARN, "status.final-identifier", message, _TABLE)
