"""Reference RPI answers: the PS3.17 Annex EE example and good TID 9007/9000/3802.

The Annex EE example (PS3.17 EE.1, "Relevant Patient Information Query
Example") is a Breast Imaging RPI C-FIND request and its Pending response,
rebuilt attribute by attribute with pydicom from the standard's tables. Its
NUM (121033, DCM, "Subject Age") directly under the TID 9000 root is not a
TID 9000 row (an extension), so the checker reports one WARN and no FAIL.

The other examples are synthetic (no PHI) and follow their template row by
row, so the checker reports nothing above INFO. They serve as test corpus
and as GUI demos.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes

from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import CodedConcept, ContentNode
from rpiq.core.templates import RpiSopClass
from rpiq.core.templates import extra_codes as x

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydicom.sr.coding import Code

__all__ = [
    "EXAMPLES",
    "Example",
    "annex_ee",
    "good_3802",
    "good_9000",
    "good_9007",
    "request_identifier",
]


@dataclass(frozen=True, slots=True)
class Example:
    """A request identifier and the Pending identifier answering it.

    Attributes
    ----------
    name : str
        Short stable name (``"annex-ee"``, ``"good-9007"`` ...).
    title : str
        One line for people.
    sop_class : RpiSopClass
        The SOP class of the exchange.
    request : Dataset
        The C-FIND request identifier.
    response : Dataset
        The identifier of the Pending response.
    """

    name: str
    title: str
    sop_class: RpiSopClass
    request: Dataset
    response: Dataset


# ------------------------------------------------------------ request


def request_identifier(
    patient_id: str, tid: int, *, issuer: str | None = ""
) -> Dataset:
    """A request identifier as ``QueryRequest.to_identifier()`` builds it.

    Parameters
    ----------
    patient_id : str
        Patient ID (0010,0020).
    tid : int
        Template Identifier in the Content Template Sequence (DCMR).
    issuer : str or None
        Issuer of Patient ID; ``""`` asks for it zero-length, ``None`` leaves
        it out.
    """
    ds = Dataset()
    ds.PatientID = patient_id
    if issuer is not None:
        ds.IssuerOfPatientID = issuer
    for keyword in (
        "PatientName",
        "PatientBirthDate",
        "PatientSex",
        "ObservationDateTime",
        "ValueType",
    ):
        setattr(ds, keyword, "")
    ds.ConceptNameCodeSequence = []
    ds.ContentSequence = []
    ds.ContentTemplateSequence = [_template_item(tid)]
    return ds


def _template_item(tid: int) -> Dataset:
    item = Dataset()
    item.MappingResource = "DCMR"
    item.TemplateIdentifier = str(tid)
    return item


# ------------------------------------------------------------ PS3.17 Annex EE


def _code_item(value: str, scheme: str, meaning: str, version: str = "") -> Dataset:
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    if version:
        item.CodingSchemeVersion = version
    item.CodeMeaning = meaning
    return item


def _content(
    relationship: str, value_type: str, concept: Dataset, **values: object
) -> Dataset:
    item = Dataset()
    item.RelationshipType = relationship
    item.ValueType = value_type
    item.ConceptNameCodeSequence = [concept]
    for keyword, value in values.items():
        setattr(item, keyword, value)
    return item


def _ee_num(meaning_code: Dataset, number: str, units: Dataset) -> Dataset:
    measured = Dataset()
    measured.MeasurementUnitsCodeSequence = [units]
    measured.NumericValue = number
    return _content("CONTAINS", "NUM", meaning_code, MeasuredValueSequence=[measured])


def _ee_container(concept: Dataset, *children: Dataset) -> Dataset:
    return _content(
        "CONTAINS",
        "CONTAINER",
        concept,
        ContinuityOfContent="SEPARATE",
        ContentSequence=list(children),
    )


def _ee_content() -> list[Dataset]:
    """Content Sequence items 1.1-1.5 of C-FIND Response #1."""
    year = _code_item("a", "UCUM", "Year", "1.4")
    language = _content(
        "HAS CONCEPT MOD",
        "CODE",
        _code_item("121049", "DCM", "Language of Content Item and Descendants"),
        ConceptCodeSequence=[_code_item("en", "RFC3066", "English")],
    )
    age = _ee_num(_code_item("121033", "DCM", "Subject Age"), "48", year)
    gynecological = _ee_container(
        _code_item("267011001", "SCT", "Gynecological History"),
        _ee_num(
            _code_item("111519", "DCM", "Age at First Full Term Pregnancy"),
            "28",
            year,
        ),
        _ee_num(
            _code_item("11977-6", "LN", "Para"),
            "2",
            _code_item("1", "UCUM", "Unity", "1.4"),
        ),
    )
    laterality = _content(
        "HAS PROPERTIES",
        "CODE",
        _code_item("272741003", "SCT", "Laterality"),
        ConceptCodeSequence=[_code_item("80248007", "SCT", "Left breast")],
    )
    when = _content(
        "HAS PROPERTIES",
        "DATETIME",
        _code_item("122146", "DCM", "Procedure DateTime"),
        DateTime="19990825",
    )
    procedure = _content(
        "CONTAINS",
        "CODE",
        _code_item("111531", "DCM", "Previous Procedure"),
        ConceptCodeSequence=[_code_item("287572003", "SCT", "Cyst aspiration")],
        ContentSequence=[laterality, when],
    )
    aunt = _content(
        "INFERRED FROM",
        "CODE",
        _code_item("111537", "DCM", "Family Member with Risk Factor"),
        ConceptCodeSequence=[_code_item("25211005", "SCT", "Aunt")],
    )
    risk = _content(
        "CONTAINS",
        "CODE",
        _code_item("80943009", "SCT", "Risk factor"),
        ConceptCodeSequence=[
            _code_item("111559", "DCM", "Weak family history of breast cancer")
        ],
        ContentSequence=[aunt],
    )
    return [
        language,
        age,
        gynecological,
        _ee_container(
            _code_item("111513", "DCM", "Relevant Previous Procedures"), procedure
        ),
        _ee_container(_code_item("111515", "DCM", "Relevant Risk Factors"), risk),
    ]


def annex_ee() -> Example:
    """PS3.17 EE.1: the Breast Imaging RPI request and its Pending response."""
    request = request_identifier("MR975311", 9000, issuer=None)
    response = Dataset()
    response.PatientName = "Doe^Jane"
    response.PatientID = "MR975311"
    response.PatientBirthDate = "19541106"
    response.PatientSex = "F"
    response.ObservationDateTime = "20021114124623"
    response.ValueType = "CONTAINER"
    response.ConceptNameCodeSequence = [
        _code_item("111511", "DCM", "Relevant Patient Information for Breast Imaging")
    ]
    response.ContentTemplateSequence = [_template_item(9000)]
    response.ContentSequence = _ee_content()
    return Example(
        "annex-ee",
        "PS3.17 Annex EE: Breast Imaging RPI query example (TID 9000)",
        RpiSopClass.BREAST,
        request,
        response,
    )


# ------------------------------------------------------------ synthetic answers

_CONTAINS = "CONTAINS"
_PROPERTIES = "HAS PROPERTIES"
_ENGLISH = CodedConcept("en", "RFC5646", "English")


def _c(code: Code, meaning: str | None = None) -> CodedConcept:
    concept = CodedConcept.from_code(code)
    return (
        concept
        if meaning is None
        else CodedConcept(concept.value, concept.scheme, meaning)
    )


def _item(
    relationship: str,
    value_type: str,
    concept: CodedConcept | None,
    value: str | CodedConcept | None,
    *children: ContentNode,
) -> ContentNode:
    return ContentNode(relationship, value_type, concept, value, children=children)


def _container(concept: CodedConcept, *children: ContentNode) -> ContentNode:
    return ContentNode(
        _CONTAINS, "CONTAINER", concept, None, children=children, continuity="SEPARATE"
    )


def _num(concept: CodedConcept, value: float, units: CodedConcept) -> ContentNode:
    return ContentNode(_CONTAINS, "NUM", concept, value, units=units)


def _language() -> ContentNode:
    return _item(
        "HAS CONCEPT MOD",
        "CODE",
        _c(codes.DCM.LanguageOfContentItemAndDescendants),
        _ENGLISH,
    )


def _answer(
    tid: int, concept: CodedConcept, patient: str, *items: ContentNode
) -> Dataset:
    root = ContentNode(
        None,
        "CONTAINER",
        concept,
        None,
        children=items,
        template=("DCMR", str(tid)),
        observation_datetime="20240315093000",
    )
    ds = Dataset()
    ds.PatientName = "EXAMPLE^PATIENT"
    ds.PatientID = patient
    ds.IssuerOfPatientID = "EXAMPLE-HOSPITAL"
    ds.PatientBirthDate = "19700101"
    ds.PatientSex = "F"
    ds.update(encode_root(root))
    return ds


def _gynecological() -> ContentNode:
    return _container(
        _c(codes.SCT.GynecologicalHistory, "Gynecological History"),
        _item(
            "HAS OBS CONTEXT",
            "CODE",
            _c(codes.DCM.RoleOfPersonReporting),
            _c(codes.cid7450.Patient),
        ),
        _item(_CONTAINS, "DATE", _c(codes.LN.LMP, "Last menstrual period"), "20240105"),
        _num(_c(x.PARA), 2, _c(codes.UCUM.NoUnits)),
        _item(
            _CONTAINS,
            "CODE",
            _c(codes.SCT.PregnancyObservable, "Pregnancy observable"),
            _c(codes.cid6096.NotPregnant),
        ),
    )


def _medication(value: Code) -> ContentNode:
    return _container(
        _c(x.HISTORY_OF_MEDICATION_USE),
        _item(_CONTAINS, "CODE", _c(codes.DCM.MedicationType), _c(value)),
    )


def _risk(value: Code) -> ContentNode:
    return _container(
        _c(codes.DCM.RelevantRiskFactors),
        _item(_CONTAINS, "CODE", _c(codes.SCT.RiskFactor), _c(value)),
    )


def _smoking() -> ContentNode:
    return _container(
        _c(x.SOCIAL_HISTORY),
        _item(
            _CONTAINS,
            "CODE",
            _c(codes.SCT.TobaccoSmokingBehavior, "Tobacco Smoking Behavior"),
            _c(codes.cid3724.FormerSmoker),
        ),
    )


def good_9007() -> Example:
    """A TID 9007 answer: language, medication, risk, gynecological, cardiac."""
    cardiac = _container(
        _c(codes.LN.History),
        _item(_CONTAINS, "TEXT", _c(codes.LN.History), "No known cardiac events."),
        _smoking(),
    )
    response = _answer(
        9007,
        _c(codes.DCM.RelevantPatientInformation),
        "GOOD-9007",
        _language(),
        _medication(codes.SCT.Tamoxifen),
        _risk(codes.cid6081.LateChildBearingAfter30),
        _gynecological(),
        cardiac,
    )
    return Example(
        "good-9007",
        "Synthetic TID 9007 General RPI answer, conformant",
        RpiSopClass.GENERAL,
        request_identifier("GOOD-9007", 9007),
        response,
    )


def good_9000() -> Example:
    """A TID 9000 answer: language, history, hormones, procedure, problem, risk."""
    procedure = _container(
        _c(codes.DCM.RelevantPreviousProcedures),
        _item(
            _CONTAINS,
            "CODE",
            _c(codes.DCM.PreviousProcedure),
            _c(codes.cid6083.DiagnosticAspirationOfBreastCyst),
            _item(
                _PROPERTIES, "CODE", _c(codes.SCT.Laterality), _c(codes.SCT.LeftBreast)
            ),
            _item(_PROPERTIES, "DATETIME", _c(codes.DCM.ProcedureDatetime), "19990825"),
        ),
    )
    problem = _container(
        _c(x.PROBLEM_LIST),
        _item(
            _CONTAINS,
            "CODE",
            _c(codes.DCM.IndicatedProblem),
            _c(codes.cid6055.BreastLump),
            _item(
                _PROPERTIES, "CODE", _c(codes.SCT.Laterality), _c(codes.SCT.LeftBreast)
            ),
        ),
    )
    response = _answer(
        9000,
        _c(codes.DCM.RelevantPatientInformationForBreastImaging),
        "GOOD-9000",
        _language(),
        _gynecological(),
        _medication(codes.cid6080.Tamoxifen),
        procedure,
        problem,
        _risk(codes.cid6081.LateChildBearingAfter30),
    )
    return Example(
        "good-9000",
        "Synthetic TID 9000 Breast Imaging RPI answer, conformant",
        RpiSopClass.BREAST,
        request_identifier("GOOD-9000", 9000),
        response,
    )


def _concern() -> ContentNode:
    return _container(
        _c(x.PROBLEM_LIST),
        _container(
            _c(codes.DCM.Concern),
            _item(
                _CONTAINS,
                "CODE",
                _c(codes.cid3769.Problem),
                _c(codes.SCT.HistoryOfHypertension),
            ),
            _item(
                _CONTAINS,
                "CODE",
                _c(codes.SCT.TherapeuticProcedure, "Therapy"),
                _c(codes.cid3760.BetaBlockerContainingProduct),
            ),
        ),
    )


def _surgery() -> ContentNode:
    return _container(
        _c(x.PAST_SURGICAL_HISTORY),
        _item(
            _CONTAINS,
            "CODE",
            _c(codes.SCT.SurgicalProcedure),
            _c(codes.cid3721.CoronaryArteryBypassGraft),
            _item(_PROPERTIES, "DATETIME", _c(codes.DCM.ProcedureDatetime), "20190704"),
        ),
    )


def _family() -> ContentNode:
    return _container(
        _c(x.HISTORY_OF_FAMILY_MEMBER_DISEASES),
        _item(
            _CONTAINS,
            "CODE",
            _c(codes.SCT.FamilyHistoryOfClinicalFinding),
            _c(codes.cid3758.FamilyHistoryOfMyocardialInfarction),
            _item(
                _PROPERTIES,
                "CODE",
                _c(codes.SCT.SubjectRelationshipContext, "Subject relationship"),
                _c(codes.cid7451.NaturalFather),
            ),
        ),
    )


def good_3802() -> Example:
    """A TID 3802 answer: history, problems, social, surgery, labs, drugs, family."""
    labs = _container(
        _c(codes.LN.RelevantDiagnosticTestsAndOrLaboratoryData),
        _num(_c(x.CHOLESTEROL_IN_HDL), 52, _c(x.MG_PER_DL)),
    )
    drugs = _container(
        _c(x.HISTORY_OF_MEDICATION_USE),
        _item(
            _CONTAINS,
            "CODE",
            _c(codes.DCM.MedicationType),
            _c(codes.cid3760.BetaBlockerContainingProduct),
        ),
    )
    response = _answer(
        3802,
        _c(codes.LN.History),
        "GOOD-3802",
        _item(_CONTAINS, "TEXT", _c(codes.LN.History), "Hypertension since 2015."),
        _concern(),
        _smoking(),
        _surgery(),
        labs,
        drugs,
        _family(),
    )
    return Example(
        "good-3802",
        "Synthetic TID 3802 Cardiovascular Patient History answer, conformant",
        RpiSopClass.CARDIAC,
        request_identifier("GOOD-3802", 3802),
        response,
    )


#: Every example by name (fresh datasets on each call).
EXAMPLES: dict[str, Callable[[], Example]] = {
    "annex-ee": annex_ee,
    "good-9007": good_9007,
    "good-9000": good_9000,
    "good-3802": good_3802,
}
