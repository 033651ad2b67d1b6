"""Patient-identity rules: the answer is about the patient that was asked for.

Patient ID (0010,0020) is the required matching key of the RPI model and a
Type 1 return key; Issuer of Patient ID (0010,0021) restricts matching to one
issuer's domain (PS3.4 Q.4.2, Table Q.4-1). An answer about another patient is
a patient-safety problem, so every mismatch is a FAIL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rpiq.core.conformance.report import Finding, Level

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

_SECTION = "PS3.4 Q.4.2, Table Q.4-1"


def text_of(ds: Dataset, keyword: str) -> str | None:
    """A single text attribute with padding removed; ``None`` when absent.

    Multi-valued and undecodable values come back as their ``str()``.
    """
    try:
        if keyword not in ds:
            return None
        value = ds.get(keyword)
    except Exception:  # noqa: BLE001 - pydicom decodes lazily; malformed = unknown
        return "<unreadable>"
    if value is None:
        return ""
    return str(value).strip(" \x00")


def check_identity(request: Dataset | None, answer: Dataset) -> list[Finding]:
    """Compare the answer's Patient ID and Issuer with the request's.

    Parameters
    ----------
    request : Dataset or None
        The request identifier; ``None`` when unknown (then only presence is
        checked).
    answer : Dataset
        The identifier of the Pending response.

    Returns
    -------
    list of Finding
        Findings of the ``identity.*`` rules.
    """
    answered = text_of(answer, "PatientID")
    if not answered:
        return [
            Finding(
                Level.FAIL,
                "identity.patient-id-missing",
                "The answer has no Patient ID, so it cannot be confirmed that it "
                "belongs to the patient asked for. Do not use it.",
                _SECTION,
            )
        ]
    if request is None:
        return [
            Finding(
                Level.INFO,
                "identity.not-compared",
                f'The answer is for Patient ID "{answered}"; no request was given, '
                "so it was not compared with what was asked.",
                _SECTION,
            )
        ]
    return _compare_id(request, answered) + _compare_issuer(request, answer)


def _compare_id(request: Dataset, answered: str) -> list[Finding]:
    asked = text_of(request, "PatientID") or ""
    if answered == asked:
        return []
    return [
        Finding(
            Level.FAIL,
            "identity.patient-id-mismatch",
            f'The answer is for Patient ID "{answered}", but the query asked for '
            f'"{asked}". This information belongs to another patient: do not use '
            "it.",
            _SECTION,
        )
    ]


def _compare_issuer(request: Dataset, answer: Dataset) -> list[Finding]:
    asked = text_of(request, "IssuerOfPatientID")
    answered = text_of(answer, "IssuerOfPatientID")
    if not asked or asked == answered:
        return []
    shown = f'"{answered}"' if answered else "no issuer"
    return [
        Finding(
            Level.FAIL,
            "identity.issuer-mismatch",
            f'The query asked for Patient ID within issuer "{asked}", but the '
            f"answer names {shown}. The patient may come from another "
            "identifier domain: do not use it.",
            _SECTION,
        )
    ]
