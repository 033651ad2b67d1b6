"""Check that an answer describes the patient asked for (PS3.4 Q.2.1.1.3.1).

An RPI answer is only usable when its Patient ID (and, when the request named
one, its Issuer of Patient ID) are those of the request; anything else risks
showing another patient's history. The GUI shows a red banner for every
sentence :func:`identity_mismatches` returns; the CLI can print them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rpiq.core.query.events import PatientSummary
    from rpiq.core.query.request import QueryRequest

__all__ = ["ISSUER", "PATIENT_ID", "IdentityMismatch", "identity_mismatches"]

PATIENT_ID = "Patient ID"
ISSUER = "Issuer of Patient ID"


@dataclass(frozen=True, slots=True)
class IdentityMismatch:
    """One identity key of the answer that differs from the request."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def _clean(value: str | None) -> str | None:
    """LO values: leading and trailing spaces are not significant (PS3.5 6.2)."""
    if value is None:
        return None
    return value.strip() or None


def identity_mismatches(
    request: QueryRequest, patient: PatientSummary
) -> tuple[IdentityMismatch, ...]:
    """Each identity key where the answer differs from the request.

    Parameters
    ----------
    request : QueryRequest
        What was asked: Patient ID and optional Issuer of Patient ID.
    patient : PatientSummary
        What the peer answered.

    Returns
    -------
    tuple of IdentityMismatch
        ``field`` is :data:`PATIENT_ID` or :data:`ISSUER`, ``message`` a
        sentence for the user. Empty when the answer is for the requested
        patient. A request without an issuer accepts any issuer (universal
        matching), so only the Patient ID is compared then.
    """
    found: list[IdentityMismatch] = []
    answered_id = _clean(patient.patient_id)
    if answered_id is None:
        found.append(
            IdentityMismatch(
                PATIENT_ID,
                f"The answer carries no Patient ID; {request.patient_id!r} "
                "was requested.",
            )
        )
    elif answered_id != request.patient_id:
        found.append(
            IdentityMismatch(
                PATIENT_ID,
                f"Patient ID {request.patient_id!r} was requested, but the answer "
                f"is for {answered_id!r}.",
            )
        )
    if request.issuer is None:
        return tuple(found)
    answered_issuer = _clean(patient.issuer)
    if answered_issuer is None:
        found.append(
            IdentityMismatch(
                ISSUER,
                f"Issuer of Patient ID {request.issuer!r} was requested, but the "
                "answer does not state an issuer.",
            )
        )
    elif answered_issuer != request.issuer:
        found.append(
            IdentityMismatch(
                ISSUER,
                f"Issuer of Patient ID {request.issuer!r} was requested, but the "
                f"answer is from issuer {answered_issuer!r}.",
            )
        )
    return tuple(found)
