"""The one place where DIMSE status codes get their meaning (PS3.4 Table Q.2-1).

Built on :mod:`pynetdicom.status`: categories come from
:func:`pynetdicom.status.code_to_category` and the service table
:data:`pynetdicom.status.RELEVANT_PATIENT_SERVICE_CLASS_STATUS`; this module adds
plain-language meanings a radiologist or clinical engineer can act on, and the
pynetdicom-specific SCP codes of the RPI service-class page. No other module in
``src/`` spells a status code as a hex literal: they use :class:`RpiqStatus`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING

from pynetdicom import status as pn_status

if TYPE_CHECKING:
    from pydicom.dataset import Dataset


class Category(StrEnum):
    """Status category (PS3.7 Annex C), plus ``NO_RESPONSE`` for a missing status."""

    SUCCESS = "Success"
    PENDING = "Pending"
    CANCEL = "Cancel"
    WARNING = "Warning"
    FAILURE = "Failure"
    UNKNOWN = "Unknown"
    NO_RESPONSE = "No response"


class RpiqStatus(IntEnum):
    """Named status codes used by the RPI SCU and SCP (PS3.4 Table Q.2-1, PS3.7 C)."""

    SUCCESS = 0x0000
    SOP_CLASS_NOT_SUPPORTED = 0x0122
    OUT_OF_RESOURCES = 0xA700
    IDENTIFIER_MISMATCH = 0xA900
    UNABLE_TO_PROCESS = 0xC000
    MORE_THAN_ONE_MATCH = 0xC100
    TEMPLATE_NOT_SUPPORTED = 0xC200
    CANCEL = 0xFE00
    PENDING = 0xFF00
    # pynetdicom's own SCP failure codes (RPI service-class page)
    HANDLER_STATUS_MISSING = 0xC001
    HANDLER_STATUS_INVALID = 0xC002
    DECODE_FAILED = 0xC310
    HANDLER_EXCEPTION = 0xC311
    ENCODE_FAILED = 0xC312


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """What one final or pending status means.

    Attributes
    ----------
    code : int or None
        The DIMSE Status (0000,0900), or ``None`` when no status arrived
        (timeout, association abort or an invalid response).
    category : Category
        Success, Pending, Cancel, Warning, Failure, Unknown or No response.
    meaning : str
        A plain-language sentence for the user.
    error_comment : str or None
        Error Comment (0000,0902) sent by the peer, if any.
    offending_elements : tuple of str
        Offending Element (0000,0901) tags as ``(gggg,eeee)`` strings.
    """

    code: int | None
    category: Category
    meaning: str
    error_comment: str | None = None
    offending_elements: tuple[str, ...] = ()

    @property
    def hex(self) -> str:
        """The code as ``0xNNNN`` (or ``"none"``), for logs and the status badge."""
        return "none" if self.code is None else f"0x{self.code:04X}"

    @property
    def is_final_failure(self) -> bool:
        """True when the peer answered with a failure or cancel (CLI exit code 3)."""
        return self.category in {Category.FAILURE, Category.CANCEL, Category.UNKNOWN}

    def describe(self) -> str:
        """One line: code, category, meaning and the peer's comment."""
        text = f"{self.hex} {self.category.value}: {self.meaning}"
        if self.error_comment:
            text += f" (peer says: {self.error_comment})"
        if self.offending_elements:
            text += f" [offending element {', '.join(self.offending_elements)}]"
        return text


_MEANINGS: dict[int, str] = {
    RpiqStatus.SUCCESS: "Matching complete.",
    RpiqStatus.PENDING: "A match is supplied (the patient's relevant information).",
    RpiqStatus.CANCEL: "Matching was stopped because the query was cancelled.",
    RpiqStatus.SOP_CLASS_NOT_SUPPORTED: (
        "The peer does not support this Relevant Patient Information SOP class."
    ),
    RpiqStatus.OUT_OF_RESOURCES: "The peer is out of resources and refused the query.",
    RpiqStatus.IDENTIFIER_MISMATCH: (
        "The query identifier does not match the SOP class (for example a missing "
        "Patient ID or Content Template Sequence)."
    ),
    RpiqStatus.UNABLE_TO_PROCESS: "The peer was unable to process the query.",
    RpiqStatus.MORE_THAN_ONE_MATCH: (
        "More than one patient has this Patient ID; give the Issuer of Patient ID "
        "to choose one."
    ),
    RpiqStatus.TEMPLATE_NOT_SUPPORTED: (
        "The peer cannot supply the requested template for this patient."
    ),
    RpiqStatus.HANDLER_STATUS_MISSING: (
        "The peer's query handler returned a status without a Status value "
        "(pynetdicom SCP error)."
    ),
    RpiqStatus.HANDLER_STATUS_INVALID: (
        "The peer's query handler returned an invalid status object "
        "(pynetdicom SCP error)."
    ),
    RpiqStatus.DECODE_FAILED: "The peer could not decode the query identifier.",
    RpiqStatus.HANDLER_EXCEPTION: (
        "The peer's query handler failed with an internal error (pynetdicom SCP error)."
    ),
    RpiqStatus.ENCODE_FAILED: (
        "The peer could not encode its answer (pynetdicom SCP error)."
    ),
}

NO_RESPONSE_MEANING = (
    "No valid response: the peer timed out, aborted the association or sent an "
    "invalid response."
)


def category_of(code: int) -> Category:
    """Return the category of a status code, as pynetdicom classifies it."""
    try:
        return Category(pn_status.code_to_category(code))
    except ValueError:
        return Category.UNKNOWN


def describe(
    code: int | None,
    error_comment: str | None = None,
    offending_elements: tuple[str, ...] = (),
) -> StatusInfo:
    """Return the :class:`StatusInfo` of an RPI C-FIND status code.

    Parameters
    ----------
    code : int or None
        Status (0000,0900); ``None`` means no response (PS3.7 9.1.2.1.5 timeouts,
        A-ABORT or an invalid message, which pynetdicom reports as an empty status).
    error_comment, offending_elements
        Related fields of the response (PS3.7 C.4), if the peer sent them.
    """
    if code is None:
        return StatusInfo(
            None,
            Category.NO_RESPONSE,
            NO_RESPONSE_MEANING,
            error_comment,
            offending_elements,
        )
    meaning = _MEANINGS.get(code)
    if meaning is None:
        table = pn_status.RELEVANT_PATIENT_SERVICE_CLASS_STATUS
        text = table.get(code, ("", ""))[1]
        meaning = f"{text}." if text else "Status code not defined for this service."
    return StatusInfo(
        code, category_of(code), meaning, error_comment, offending_elements
    )


def from_dataset(status: Dataset | None) -> StatusInfo:
    """Describe a pynetdicom response status Dataset (empty = no response)."""
    if status is None or "Status" not in status:
        return describe(None)
    comment = status.get("ErrorComment")
    offending = status.get("OffendingElement")
    tags: tuple[str, ...] = ()
    if offending is not None:
        values = offending if isinstance(offending, list | tuple) else [offending]
        tags = tuple(f"({int(t) >> 16:04X},{int(t) & 0xFFFF:04X})" for t in values)
    return describe(int(status.Status), str(comment) if comment else None, tags)


def is_pending(code: int) -> bool:
    """True for the Pending statuses (FF00 and the FF01 of other C-FIND services)."""
    return category_of(code) is Category.PENDING
