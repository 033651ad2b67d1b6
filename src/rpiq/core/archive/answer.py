"""RPI C-FIND answers: request checks and the Pending identifier (PS3.4 Annex Q).

Request checks (PS3.4 Q.2.1.1.3.1, Table Q.4-1, Table Q.4-3):

* Patient ID missing, empty, multi-valued or with ``*``/``?`` wildcards, an
  unusable Issuer of Patient ID, or a Content Template Sequence that is not
  exactly one item with Mapping Resource ``DCMR`` and a digits-only Template
  Identifier → A900 "Identifier does not match SOP Class", with the Offending
  Element and an Error Comment.
* A template that is not a PS3.16 Annex K root, or that the SOP class does not
  allow (Breast fixes TID 9000, Cardiac TID 3802) → C200 "Unable to support
  requested template", Offending Element Template Identifier (0040,DB00).
  The standard does not name a status for the contradiction; C200 is the
  recommendation of ``rpi-service.md`` Section 1.

The Pending identifier carries only what Table Q.4-1 requires or the request
asked for (Q.2.1.1.3.2): Patient's Name, Patient ID, Issuer of Patient ID,
Birth Date and Sex (return keys of type 1 and 2, zero-length when unknown);
other Patient Identification/Demographic attributes only when requested and
known; the root item (Value Type, Concept Name Code Sequence, Observation
DateTime, Content Sequence); the request's Content Template Sequence values;
Specific Character Set ``ISO_IR 192`` only when a value is not ASCII.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydicom.datadict import keyword_for_tag, tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

from rpiq.core.archive.content import HL7_REFERENCES, REFERENCED_STUDIES, UTF8
from rpiq.core.archive.lookup import find_relevant
from rpiq.core.archive.model import RpiAnswer, short_comment
from rpiq.core.archive.schema import ALWAYS_RETURNED, BY_KEYWORD, is_ascii
from rpiq.core.status import RpiqStatus
from rpiq.core.templates import ANNEX_K_ROOTS, RpiSopClass

if TYPE_CHECKING:
    from rpiq.core.archive.index import Index
    from rpiq.core.archive.lookup import AnswerCache, Relevant

MAPPING_RESOURCE = "DCMR"
_WILDCARDS = ("*", "?")
_ROOT_KEYS = ("ValueType", "ConceptNameCodeSequence", "ObservationDateTime")
#: What reading a malformed identifier can raise (pydicom decodes lazily).
_DECODE_ERRORS = (ValueError, TypeError, AttributeError, LookupError, EOFError)


def _tag(keyword: str) -> int:
    tag = tag_for_keyword(keyword)
    if tag is None:  # pragma: no cover - keywords below are all in the dictionary
        raise KeyError(keyword)
    return tag


class _Refusal(Exception):
    """The request cannot be answered; carries the failure answer."""

    def __init__(self, answer: RpiAnswer) -> None:
        super().__init__(answer.error_comment)
        self.answer = answer


def _refuse(
    status: RpiqStatus,
    comment: str,
    keyword: str | None = None,
    *,
    patient_id: str | None = None,
    tid: int | None = None,
) -> _Refusal:
    offending = None if keyword is None else _tag(keyword)
    failure = RpiAnswer(
        status, None, short_comment(comment), offending, patient_id=patient_id, tid=tid
    )
    return _Refusal(failure)


@dataclass(frozen=True, slots=True)
class Request:
    """A checked RPI request identifier."""

    sop_class: RpiSopClass
    patient_id: str
    issuer: str | None
    tid: int
    template_echo: tuple[str, str]
    keywords: frozenset[str]


def _single_value(ds: Dataset, keyword: str, label: str) -> str | None:
    """A single-valued matching key as text (None when absent), else refuse."""
    raw = ds.get(keyword)
    if raw is None:
        return None
    if isinstance(raw, MultiValue | list | tuple):
        raise _refuse(
            RpiqStatus.IDENTIFIER_MISMATCH, f"{label} must be a single value", keyword
        )
    text = str(raw).strip()
    if any(w in text for w in _WILDCARDS):
        raise _refuse(
            RpiqStatus.IDENTIFIER_MISMATCH, f"{label} must not use wildcards", keyword
        )
    return text


def _patient_id(ds: Dataset) -> str:
    text = _single_value(ds, "PatientID", "Patient ID")
    if text is None:
        raise _refuse(
            RpiqStatus.IDENTIFIER_MISMATCH, "Patient ID is missing", "PatientID"
        )
    if not text:
        raise _refuse(
            RpiqStatus.IDENTIFIER_MISMATCH, "Patient ID is empty", "PatientID"
        )
    return text


def _template(ds: Dataset, patient_id: str) -> tuple[int, tuple[str, str]]:
    seq = ds.get("ContentTemplateSequence")
    if not seq or len(seq) != 1:
        raise _refuse(
            RpiqStatus.IDENTIFIER_MISMATCH,
            "Content Template Sequence needs exactly one item",
            "ContentTemplateSequence",
            patient_id=patient_id,
        )
    item = seq[0]
    resource = str(item.get("MappingResource", "")).strip()
    if resource != MAPPING_RESOURCE:
        raise _refuse(
            RpiqStatus.IDENTIFIER_MISMATCH,
            f"Mapping Resource must be DCMR, not {resource!r}",
            "MappingResource",
            patient_id=patient_id,
        )
    identifier = str(item.get("TemplateIdentifier", "")).strip()
    if not identifier.isdigit() or not identifier.isascii():
        raise _refuse(
            RpiqStatus.IDENTIFIER_MISMATCH,
            "Template Identifier must be digits, e.g. 9007",
            "TemplateIdentifier",
            patient_id=patient_id,
        )
    return int(identifier), (resource, identifier)


def _check_template(sop: RpiSopClass, tid: int, patient_id: str) -> None:
    if tid in sop.allowed_tids:
        return
    if tid not in ANNEX_K_ROOTS:
        comment = f"TID {tid} is not a PS3.16 Annex K RPI root template"
    else:
        comment = f"{sop.label} RPI fixes TID {sop.default_tid}; TID {tid} refused"
    raise _refuse(
        RpiqStatus.TEMPLATE_NOT_SUPPORTED,
        comment,
        "TemplateIdentifier",
        patient_id=patient_id,
        tid=tid,
    )


def _keywords(ds: Dataset) -> frozenset[str]:
    tags = ds.keys()  # tags only: iterating the Dataset would decode every value
    return frozenset(keyword_for_tag(tag) for tag in tags)


def parse_request(identifier: Dataset, sop_class_uid: str) -> Request:
    """Check an RPI request identifier against its SOP class.

    Raises
    ------
    _Refusal
        Carrying the A900, C200 or "SOP class not supported" answer.
    """
    try:
        sop = RpiSopClass.from_uid(sop_class_uid)
    except ValueError:
        raise _refuse(
            RpiqStatus.SOP_CLASS_NOT_SUPPORTED, "Not an RPI Query SOP Class"
        ) from None
    patient_id = _patient_id(identifier)
    issuer = _single_value(identifier, "IssuerOfPatientID", "Issuer of Patient ID")
    tid, echo = _template(identifier, patient_id)
    _check_template(sop, tid, patient_id)
    return Request(sop, patient_id, issuer or None, tid, echo, _keywords(identifier))


def _patient_part(ds: Dataset, relevant: Relevant, keywords: frozenset[str]) -> bool:
    """Add the Patient IE attributes; return True when all are ASCII."""
    patient = relevant.patient
    ds.PatientID = patient.patient_id
    ds.IssuerOfPatientID = patient.issuer
    ascii_only = is_ascii(patient.patient_id) and is_ascii(patient.issuer)
    for keyword in ALWAYS_RETURNED:
        known = relevant.attributes.get(keyword)
        setattr(ds, keyword, "" if known is None else known.value)
    for keyword, known in relevant.attributes.items():
        attribute = BY_KEYWORD.get(keyword)
        if attribute is None or not attribute.identifier_key:
            continue
        if keyword in ALWAYS_RETURNED or keyword in keywords:
            setattr(ds, keyword, known.value)
            ascii_only = ascii_only and is_ascii(known.value)
    return ascii_only


def build_identifier(request: Request, relevant: Relevant) -> Dataset:
    """The Pending identifier for one matched patient (PS3.4 Q.4.3.1.2.1)."""
    root = relevant.root
    if root is None:  # pragma: no cover - callers check first
        raise ValueError("no content to answer with")
    ds = Dataset()
    ascii_only = _patient_part(ds, relevant, request.keywords)
    for keyword in _ROOT_KEYS:
        if keyword in root:
            ds[keyword] = root[keyword]
    ds.ContentSequence = root.ContentSequence if "ContentSequence" in root else []
    item = Dataset()
    item.MappingResource, item.TemplateIdentifier = request.template_echo
    ds.ContentTemplateSequence = [item]
    for keyword in (REFERENCED_STUDIES, HL7_REFERENCES):
        if keyword in request.keywords and keyword in root:
            ds[keyword] = root[keyword]
    if "ContinuityOfContent" in request.keywords:
        ds.ContinuityOfContent = "SEPARATE"
    if not (ascii_only and relevant.ascii_only):
        ds.SpecificCharacterSet = UTF8
    return ds


def answer(
    index: Index, cache: AnswerCache, identifier: Dataset, sop_class_uid: str
) -> RpiAnswer:
    """Answer one RPI C-FIND request.

    Returns
    -------
    RpiAnswer
        Pending with the identifier, Success (no patient), or a failure.

    Raises
    ------
    ArchiveError
        If the index cannot be read.
    """
    try:
        request = parse_request(identifier, sop_class_uid)
    except _Refusal as refusal:
        return refusal.answer
    except _DECODE_ERRORS as exc:
        comment = f"Identifier cannot be decoded: {exc}"
        return RpiAnswer(
            RpiqStatus.UNABLE_TO_PROCESS, error_comment=short_comment(comment)
        )
    pid, tid = request.patient_id, request.tid
    found = find_relevant(index, cache, pid, request.issuer, tid)
    if found.matches == 0:
        return RpiAnswer(RpiqStatus.SUCCESS, patient_id=pid, tid=tid)
    relevant = found.relevant
    if found.matches > 1 or relevant is None:
        comment = "Patient ID matches several patients; give the Issuer"
        status, keyword = RpiqStatus.MORE_THAN_ONE_MATCH, "IssuerOfPatientID"
        return _refuse(status, comment, keyword, patient_id=pid, tid=tid).answer
    if relevant.root is None:
        comment = f"No TID {tid} content stored for this patient"
        status, keyword = RpiqStatus.TEMPLATE_NOT_SUPPORTED, "TemplateIdentifier"
        return _refuse(status, comment, keyword, patient_id=pid, tid=tid).answer
    ds = build_identifier(request, relevant)
    return RpiAnswer(
        RpiqStatus.PENDING,
        ds,
        patient_id=request.patient_id,
        tid=request.tid,
        source=relevant.source,
    )
