"""Identifier rules: what the top level of a Pending identifier may hold.

PS3.4 Q.2.1.1.3.2: the response holds the requested keys (Table Q.4-1), the
Content Template Sequence echoing the request's DCMR template, Specific
Character Set when needed, and nothing else; Q.4.3.1.2.1: its Value Type and
Concept Name Code Sequence are those of row 1 of the requested template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydicom.datadict import keyword_for_tag
from pydicom.tag import Tag

from rpiq.core.conformance.identity_rules import text_of
from rpiq.core.conformance.report import Finding, Level
from rpiq.core.templates import get_template, template_error_for

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

    from rpiq.core.sr.model import ContentNode
    from rpiq.core.templates import RpiSopClass

MAPPING_RESOURCE = "DCMR"

#: Patient Identification Module (PS3.3 C.2.2): "all other attributes" of
#: Table Q.4-1 (return key Type 3 unless listed there).
PATIENT_IDENTIFICATION: frozenset[str] = frozenset(
    {
        "PatientName",
        "PatientID",
        "IssuerOfPatientID",
        "IssuerOfPatientIDQualifiersSequence",
        "TypeOfPatientID",
        "OtherPatientIDsSequence",
        "OtherPatientNames",
        "PatientBirthName",
        "PatientMotherBirthName",
        "ReferencedPatientPhotoSequence",
        "OtherPatientIDs",
    }
)

#: Patient Demographic Module (PS3.3 C.2.3), as listed in ``rpi-service.md`` 6.2.
PATIENT_DEMOGRAPHIC: frozenset[str] = frozenset(
    {
        "PatientBirthDate",
        "PatientBirthTime",
        "PatientSex",
        "PatientAge",
        "PatientSize",
        "PatientWeight",
        "Occupation",
        "EthnicGroup",
        "PatientComments",
        "ConfidentialityConstraintOnPatientDataDescription",
        "QualityControlSubject",
        "PatientAddress",
        "PatientTelephoneNumbers",
        "CountryOfResidence",
        "RegionOfResidence",
        "MilitaryRank",
        "BranchOfService",
        "PatientReligiousPreference",
        "PatientInsurancePlanCodeSequence",
        "PatientPrimaryLanguageCodeSequence",
        "ResponsiblePerson",
        "ResponsiblePersonRole",
        "ResponsibleOrganization",
        "PatientSpeciesDescription",
        "PatientBreedDescription",
    }
)

#: Structured-information attributes of Table Q.4-1 and Table Q.4-2.
STRUCTURED: frozenset[str] = frozenset(
    {
        "ObservationDateTime",
        "ValueType",
        "ConceptNameCodeSequence",
        "ContentSequence",
        "HL7StructuredDocumentReferenceSequence",
        "StudiesContainingOtherReferencedInstancesSequence",
        "ContentTemplateSequence",
        "SpecificCharacterSet",
    }
)

#: Every top-level attribute Table Q.4-1 / Q.4-2 allows in an identifier.
TABLE_Q41: frozenset[str] = PATIENT_IDENTIFICATION | PATIENT_DEMOGRAPHIC | STRUCTURED

#: Present in every conformant response whether requested or not.
ALWAYS_ALLOWED: frozenset[str] = frozenset(
    {
        "ContentTemplateSequence",
        "SpecificCharacterSet",
        "ValueType",
        "ConceptNameCodeSequence",
        "ContentSequence",
    }
)

#: Requested keys of Type 1 or 2 that must come back (Table Q.4-1).
RETURN_TYPE_1_OR_2: tuple[str, ...] = (
    "PatientName",
    "IssuerOfPatientID",
    "PatientBirthDate",
    "PatientSex",
    "ObservationDateTime",
)
_TYPE_1 = ("PatientName", "ObservationDateTime")

_FILE_META_GROUP = 2  # Part 10 file meta, not part of the identifier
_Q2132 = "PS3.4 Q.2.1.1.3.2"
_Q41 = "PS3.4 Q.4.3.1, Table Q.4-1"


def template_number(text: str | None) -> int | None:
    """A DCMR Template Identifier as a number (digits only, PS3.3 C.18.8.1)."""
    if text is None or not text.isdigit() or text.startswith("0"):
        return None
    return int(text)


def template_identifier(ds: Dataset) -> tuple[str | None, str | None, int]:
    """(Mapping Resource, Template Identifier, item count) of Content Template Seq."""
    try:
        items = ds.get("ContentTemplateSequence")
    except Exception:  # noqa: BLE001 - malformed sequence: treated as absent
        return None, None, 0
    if not items:
        return None, None, 0
    first = items[0]
    return (
        text_of(first, "MappingResource"),
        text_of(first, "TemplateIdentifier"),
        len(items),
    )


def _keywords(ds: Dataset) -> list[tuple[str, str]]:
    """(keyword or tag text, display name) of the top-level elements, no decoding."""
    names = []
    for number in list(ds.keys()):
        tag = Tag(number)
        if tag.group == _FILE_META_GROUP:
            continue
        keyword = keyword_for_tag(tag) or ""
        names.append((keyword, f"{keyword or 'private or unknown attribute'} {tag}"))
    return names


def check_attributes(request: Dataset | None, answer: Dataset) -> list[Finding]:
    """Flag top-level attributes neither requested nor allowed by Table Q.4-1.

    Parameters
    ----------
    request : Dataset or None
        The request identifier; ``None`` skips the "not requested" rule.
    answer : Dataset
        The Pending identifier.

    Returns
    -------
    list of Finding
        ``identifier.unexpected-attribute``, ``identifier.not-requested``,
        ``identifier.requested-key-missing`` and ``identifier.type1-empty``.
    """
    requested = {kw for kw, _ in _keywords(request)} if request is not None else None
    findings: list[Finding] = []
    for keyword, label in _keywords(answer):
        if keyword not in TABLE_Q41:
            findings.append(
                Finding(
                    Level.WARN,
                    "identifier.unexpected-attribute",
                    f"The answer contains {label}, which the RPI information model "
                    "does not define (Table Q.4-1); SCPs must not add it.",
                    _Q2132,
                )
            )
        elif requested is not None and keyword not in requested | ALWAYS_ALLOWED:
            findings.append(
                Finding(
                    Level.WARN,
                    "identifier.not-requested",
                    f"The answer contains {label}, which the query did not ask for; "
                    "SCPs return only requested keys.",
                    _Q2132,
                )
            )
    if requested is not None:
        findings += _returned_keys(requested, answer)
    return findings


def _returned_keys(requested: set[str], answer: Dataset) -> list[Finding]:
    findings: list[Finding] = []
    for keyword in RETURN_TYPE_1_OR_2:
        if keyword not in requested:
            continue
        if keyword not in answer:
            findings.append(
                Finding(
                    Level.WARN,
                    "identifier.requested-key-missing",
                    f"The query asked for {keyword} but the answer does not return "
                    "it (it must be returned, empty if unknown).",
                    _Q41,
                )
            )
        elif keyword in _TYPE_1 and not text_of(answer, keyword):
            findings.append(
                Finding(
                    Level.WARN,
                    "identifier.type1-empty",
                    f"{keyword} is returned empty; Table Q.4-1 makes it a Type 1 "
                    "return key (returned with a value).",
                    _Q41,
                )
            )
    return findings


def check_template_sequence(
    answer: Dataset, tid: int, requested: str | None
) -> list[Finding]:
    """The Content Template Sequence must echo DCMR and the requested TID.

    Parameters
    ----------
    answer : Dataset
        The Pending identifier.
    tid : int
        The template the answer must follow.
    requested : str or None
        The Template Identifier text of the request, if known.

    Returns
    -------
    list of Finding
        ``identifier.template-sequence`` findings.
    """
    resource, identifier, count = template_identifier(answer)
    expected = requested if requested is not None else str(tid)
    problem = None
    if count == 0:
        problem = "has no Content Template Sequence"
    elif count > 1:
        problem = f"has {count} Content Template Sequence items instead of one"
    elif resource != MAPPING_RESOURCE:
        problem = f'names Mapping Resource "{resource}" instead of DCMR'
    elif identifier != expected:
        problem = f'names template "{identifier}" instead of "{expected}"'
    if problem is None:
        return []
    return [
        Finding(
            Level.FAIL,
            "identifier.template-sequence",
            f"The answer {problem}: it must echo the requested template "
            f"(DCMR, {expected}) so the reader knows how to interpret the content.",
            "PS3.4 Q.2.1.1.3.2, Table Q.4-2",
            "root",
        )
    ]


def check_template_allowed(sop: RpiSopClass, tid: int) -> list[Finding]:
    """The template must be one the SOP class allows (PS3.4 Table Q.4-3)."""
    problem = template_error_for(sop, tid)
    if problem is None:
        return []
    return [
        Finding(
            Level.FAIL,
            "identifier.template-not-allowed",
            problem,
            "PS3.4 Q.4.3.3, Table Q.4-3; PS3.16 Annex K",
            "root",
        )
    ]


def check_root(root: ContentNode, answer: Dataset, tid: int) -> list[Finding]:
    """Root Value Type and Concept Name must be row 1 of the template.

    Parameters
    ----------
    root : ContentNode
        The parsed identifier (for its concept name).
    answer : Dataset
        The identifier (for its Value Type, even when the root is unreadable).
    tid : int
        A catalogued PS3.16 Annex K root template.

    Returns
    -------
    list of Finding
        ``identifier.root-value-type`` and ``identifier.root-concept``.
    """
    template = get_template(tid)
    section = f"PS3.4 Q.4.3.1.2.1; PS3.16 TID {tid} row 1"
    findings: list[Finding] = []
    expected_vt = template.root_value_type
    value_type = text_of(answer, "ValueType")
    if value_type != expected_vt:
        findings.append(
            Finding(
                Level.FAIL,
                "identifier.root-value-type",
                f"The answer's root Value Type is {value_type or 'missing'}; TID "
                f"{tid} requires {expected_vt}.",
                section,
                "root",
            )
        )
    expected = template.root_concept_for_rpi()
    if root.concept is None or not root.concept.same_code(expected):
        got = root.concept.triple() if root.concept else "missing"
        findings.append(
            Finding(
                Level.FAIL,
                "identifier.root-concept",
                f"The answer's root concept is {got}, but TID {tid} requires "
                f"({expected.value}, {expected.scheme_designator}, "
                f'"{expected.meaning}"): the content is not the requested kind of '
                "information.",
                section,
                "root",
            )
        )
    return findings
