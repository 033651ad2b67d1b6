"""Synthetic RPI content trees (no PHI) for tests, the test SCP and benchmarks.

Both trees are rooted in TID 9007 "General Relevant Patient Information"
(PS3.16) with the TID 1204 language item that TID 9007 requires when it is
the RPI root template (row 2, PS3.4 Annex Q). Codes come from
``pydicom.sr.codedict.codes``; where pydicom gives a SNOMED fully specified
name the meaning is replaced by the template's wording (value and scheme are
unchanged), and codes pydicom lacks are written out as in
``rpi-templates.md`` §7. UIDs are fixed UUID-derived ``2.25`` UIDs (PS3.5 B.2).

The root has no Continuity Of Content: Table Q.4-1 does not list it, so an
SCP returns it only when asked (``rpi-service.md`` §2.3); nested containers
are ``SEPARATE``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from pydicom.sr.codedict import codes
from pydicom.uid import (
    ComprehensiveSRStorage,
    DigitalMammographyXRayImageStorageForPresentation,
    TwelveLeadECGWaveformStorage,
)

from rpiq.core.sr.model import (
    CodedConcept,
    ContentNode,
    NodeValue,
    Reference,
    RelationshipType,
    SpatialCoordinates,
    TemporalCoordinates,
    ValueType,
)

if TYPE_CHECKING:
    from pydicom.sr.coding import Code

__all__ = ["every_value_type_tree", "sized_tree"]

_CONTAINS = RelationshipType.CONTAINS.value
_HAS_PROPERTIES = RelationshipType.HAS_PROPERTIES.value
_SELECTED_FROM = RelationshipType.SELECTED_FROM.value
_ROOT_OBSERVED = "20240315093000"


def _c(code: Code, meaning: str | None = None) -> CodedConcept:
    """A pydicom code, optionally with the template's Code Meaning."""
    concept = CodedConcept.from_code(code)
    if meaning is None:
        return concept
    return CodedConcept(concept.value, concept.scheme, meaning, concept.scheme_version)


def _uid(name: str) -> str:
    """A stable synthetic UUID-derived UID (``2.25.…``, PS3.5 B.2) for ``name``."""
    return f"2.25.{uuid.uuid5(uuid.NAMESPACE_URL, f'urn:rpiq-sample:{name}').int}"


# Codes pydicom 3.0.2 lacks (rpi-templates.md §7) and the RFC 5646 language.
_PARA = CodedConcept("11977-6", "LN", "Para")
_GRAVIDA = CodedConcept("11996-6", "LN", "Gravida")
_PROBLEM_LIST = CodedConcept("11450-4", "LN", "Problem List")
_PAST_SURGICAL_HISTORY = CodedConcept("10167-5", "LN", "Past Surgical History")
_HDL = CodedConcept("2086-7", "LN", "Cholesterol.in HDL")
_LDL = CodedConcept("2089-1", "LN", "Cholesterol.in LDL")
_BODY_TEMPERATURE = CodedConcept("8310-5", "LN", "Body temperature")
_MG_PER_DL = CodedConcept("mg/dl", "UCUM", "mg/dl")
_BPM = CodedConcept("{H.B.}/min", "UCUM", "BPM")
_ENGLISH = CodedConcept("en", "RFC5646", "English")


def _leaf(
    relationship: str,
    value_type: ValueType,
    concept: CodedConcept | None,
    value: NodeValue,
    *children: ContentNode,
) -> ContentNode:
    """A non-NUM item with optional children."""
    return ContentNode(
        relationship, value_type.value, concept, value, children=tuple(children)
    )


def _num(
    concept: CodedConcept,
    value: float | None,
    units: CodedConcept | None,
    *,
    relationship: str = _CONTAINS,
    qualifier: CodedConcept | None = None,
    observed: str | None = None,
) -> ContentNode:
    """A NUM item (PS3.3 C.18.1)."""
    return ContentNode(
        relationship,
        ValueType.NUM.value,
        concept,
        value,
        units=units,
        qualifier=qualifier,
        observation_datetime=observed,
    )


def _container(
    concept: CodedConcept,
    children: tuple[ContentNode, ...],
    *,
    tid: str | None = None,
    relationship: str | None = _CONTAINS,
) -> ContentNode:
    """A SEPARATE container, optionally the root of a DCMR template."""
    return ContentNode(
        relationship,
        ValueType.CONTAINER.value,
        concept,
        None,
        children=children,
        continuity="SEPARATE",
        template=None if tid is None else ("DCMR", tid),
    )


def _root(children: tuple[ContentNode, ...]) -> ContentNode:
    """TID 9007 root: (111517, DCM) with Observation DateTime, no continuity."""
    return ContentNode(
        None,
        ValueType.CONTAINER.value,
        _c(codes.DCM.RelevantPatientInformation),
        None,
        children=children,
        template=("DCMR", "9007"),
        observation_datetime=_ROOT_OBSERVED,
    )


def _language() -> ContentNode:
    """TID 1204 row 1: HAS CONCEPT MOD CODE language = English."""
    return _leaf(
        RelationshipType.HAS_CONCEPT_MOD.value,
        ValueType.CODE,
        _c(codes.DCM.LanguageOfContentItemAndDescendants),
        _ENGLISH,
    )


def _patient_assessment() -> ContentNode:
    """TID 3114: an assessment with two TID 300 measurements.

    "Patient Assessment Performed" rather than "Observation of Vital Signs":
    the latter makes all eight vital-sign measurements mandatory (rows 2-9 MC).
    """
    return _leaf(
        _CONTAINS,
        ValueType.CODE,
        _c(codes.DCM.PatientStatusOrEvent),
        _c(codes.DCM.PatientAssessmentPerformed),
        _num(_c(codes.LN.HeartRate), 72, _BPM, relationship=_HAS_PROPERTIES),
        _num(
            _BODY_TEMPERATURE,
            36.8,
            _c(codes.UCUM.DegreesCelsius),
            relationship=_HAS_PROPERTIES,
        ),
    )


def _gynecological_history() -> ContentNode:
    """TID 9001: role, LMP, parity, unknown gravida, pregnancy status."""
    return _container(
        _c(codes.SCT.GynecologicalHistory, "Gynecological History"),
        (
            _leaf(
                RelationshipType.HAS_OBS_CONTEXT.value,
                ValueType.CODE,
                _c(codes.DCM.RoleOfPersonReporting),
                _c(codes.cid7450.Patient),
            ),
            _leaf(
                _CONTAINS,
                ValueType.DATE,
                _c(codes.LN.LMP, "Last menstrual period"),
                "20240105",
            ),
            _num(_PARA, 2, _c(codes.UCUM.NoUnits)),
            _num(_GRAVIDA, None, None, qualifier=_c(codes.DCM.ValueUnknown)),
            _leaf(
                _CONTAINS,
                ValueType.CODE,
                _c(codes.SCT.PregnancyObservable, "Pregnancy observable"),
                _c(codes.SCT.PatientCurrentlyPregnant),
            ),
        ),
        tid="9001",
    )


def _obstetric_history() -> ContentNode:
    """TID 9006: gestational age (with its Observation DateTime) and a comment."""
    return _container(
        _c(codes.SCT.ObstetricHistory, "Obstetric History"),
        (
            _num(
                _c(codes.LN.GestationalAge),
                84,
                _c(codes.UCUM.Day),
                observed="20240310101500",
            ),
            _leaf(
                _CONTAINS,
                ValueType.TEXT,
                _c(codes.DCM.Comment),
                "Routine first-trimester follow-up.",
            ),
        ),
        tid="9006",
    )


def _problem_list() -> ContentNode:
    """TID 3802 rows 3-7: a TID 3829 concern for hypertension."""
    concern = _container(
        _c(codes.DCM.Concern),
        (
            _leaf(
                _CONTAINS,
                ValueType.DATETIME,
                _c(codes.DCM.DatetimeConcernNoted),
                "20230612101500",
            ),
            _leaf(
                _CONTAINS,
                ValueType.CODE,
                _c(codes.cid3769.Problem),
                _c(codes.SCT.HistoryOfHypertension),
            ),
        ),
        tid="3829",
    )
    return _container(_PROBLEM_LIST, (concern,))


def _surgical_history() -> ContentNode:
    """TID 3802 rows 17-19: a TID 3830 procedure with report and performer."""
    report = Reference(ComprehensiveSRStorage, _uid("operative-report"))
    procedure = _leaf(
        _CONTAINS,
        ValueType.CODE,
        _c(codes.SCT.SurgicalProcedure),
        _c(codes.cid3721.CoronaryArteryBypassGraft),
        _leaf(
            _HAS_PROPERTIES,
            ValueType.DATETIME,
            _c(codes.DCM.ProcedureDatetime),
            "20190704",
        ),
        _leaf(
            _HAS_PROPERTIES,
            ValueType.COMPOSITE,
            _c(codes.SCT.ClinicalReport, "Clinical Report"),
            report,
        ),
        _leaf(
            _HAS_PROPERTIES,
            ValueType.PNAME,
            _c(codes.DCM.ServicePerformer),
            "Example^Surgeon",
        ),
        _leaf(
            _HAS_PROPERTIES,
            ValueType.TEXT,
            _c(codes.DCM.ServiceDeliveryLocation),
            "Example General Hospital",
        ),
    )
    return _container(_PAST_SURGICAL_HISTORY, (procedure,))


def _diagnostic_tests() -> ContentNode:
    """TID 3802 rows 20-24: an exercise ECG (TIME, UIDREF, TCOORD, WAVEFORM)."""
    ecg = Reference(TwelveLeadECGWaveformStorage, _uid("ecg"), channels=(1, 0))
    test = _leaf(
        _CONTAINS,
        ValueType.CODE,
        _c(codes.SCT.DiagnosticIntent, "Diagnostic intent"),
        _c(codes.cid3757.ExerciseToleranceTest),
        _leaf(
            _HAS_PROPERTIES,
            ValueType.DATETIME,
            _c(codes.DCM.ProcedureDatetime),
            "20240201083000",
        ),
        _leaf(
            _HAS_PROPERTIES,
            ValueType.TIME,
            _c(codes.DCM.AcquisitionTime),
            "083512",
        ),
        _leaf(
            _HAS_PROPERTIES,
            ValueType.UIDREF,
            _c(codes.DCM.StudyInstanceUID),
            _uid("ecg-study"),
        ),
        _leaf(
            _HAS_PROPERTIES,
            ValueType.TCOORD,
            None,
            TemporalCoordinates("SEGMENT", sample_positions=(1, 5000)),
            _leaf(_SELECTED_FROM, ValueType.WAVEFORM, None, ecg),
        ),
    )
    hdl = _num(_HDL, 52, _MG_PER_DL)
    return _container(
        _c(codes.LN.RelevantDiagnosticTestsAndOrLaboratoryData), (test, hdl)
    )


def _cardiovascular_history() -> ContentNode:
    """TID 3802: free text, problem list, surgery, diagnostic tests."""
    return _container(
        _c(codes.LN.History),
        (
            _leaf(
                _CONTAINS,
                ValueType.TEXT,
                _c(codes.LN.History),
                "No known cardiac events.\r\nEx-smoker since 2015.",
            ),
            _problem_list(),
            _surgical_history(),
            _diagnostic_tests(),
        ),
        tid="3802",
    )


def _previous_procedures() -> ContentNode:
    """TID 9003: a mammogram with an image region (IMAGE, SCOORD, SCOORD3D)."""
    image = Reference(
        DigitalMammographyXRayImageStorageForPresentation,
        _uid("mammogram"),
        frames=(1,),
    )
    region = SpatialCoordinates("POLYLINE", (10.5, 20.25, 30.0, 40.5, 10.5, 20.25))
    region_3d = SpatialCoordinates(
        "POINT", (12.5, -30.25, 100.0), frame_of_reference_uid=_uid("mammo-for")
    )
    procedure = _leaf(
        _CONTAINS,
        ValueType.CODE,
        _c(codes.DCM.PreviousProcedure),
        _c(codes.SCT.Mammography),
        _leaf(
            _HAS_PROPERTIES,
            ValueType.DATETIME,
            _c(codes.DCM.ProcedureDatetime),
            "20220918",
        ),
        _leaf(
            _HAS_PROPERTIES,
            ValueType.SCOORD,
            _c(codes.DCM.ImageRegion),
            region,
            _leaf(_SELECTED_FROM, ValueType.IMAGE, None, image),
        ),
        _leaf(
            _HAS_PROPERTIES,
            ValueType.SCOORD3D,
            _c(codes.DCM.ImageRegion),
            region_3d,
        ),
    )
    return _container(
        _c(codes.DCM.RelevantPreviousProcedures), (procedure,), tid="9003"
    )


def _previous_reports() -> ContentNode:
    """TID 351: one COMPOSITE reference to an earlier SR report."""
    report = Reference(ComprehensiveSRStorage, _uid("previous-report"))
    return _container(
        _c(codes.DCM.PreviousReports),
        (_leaf(_CONTAINS, ValueType.COMPOSITE, None, report),),
        tid="351",
    )


def every_value_type_tree() -> ContentNode:
    """A TID 9007 tree holding at least one item of every RPI-relevant type.

    Contains TEXT, CODE, NUM (with units, and empty with a qualifier), DATE,
    TIME, DATETIME, PNAME, UIDREF, COMPOSITE, IMAGE, WAVEFORM, SCOORD,
    SCOORD3D, TCOORD and nested CONTAINERs (TABLE, absent from every RPI
    template, is not included). Paths of note: ``1`` language, ``3.3`` Para,
    ``3.4`` Gravida (empty + qualifier), ``3.5`` pregnancy observable.

    Returns
    -------
    ContentNode
        A fresh (but always equal) tree.
    """
    return _root(
        (
            _language(),
            _patient_assessment(),
            _gynecological_history(),
            _obstetric_history(),
            _cardiovascular_history(),
            _previous_procedures(),
            _previous_reports(),
        )
    )


def _filler(index: int) -> ContentNode:
    """The ``index``-th realistic TEXT/CODE/NUM item of :func:`sized_tree`."""
    kind = index % 4
    if kind == 0:
        return _leaf(
            _CONTAINS,
            ValueType.TEXT,
            _c(codes.LN.History),
            f"History entry {index + 1}: no relevant findings.",
        )
    if kind == 1:
        return _leaf(
            _CONTAINS,
            ValueType.CODE,
            _c(codes.SCT.TobaccoSmokingBehavior),
            _c(codes.SCT.ExSmoker, "Ex-smoker"),
        )
    if kind == 2:
        return _num(_HDL, 40 + index % 30, _MG_PER_DL)
    return _num(_LDL, 90.5 + index % 50, _MG_PER_DL)


def sized_tree(n_items: int) -> ContentNode:
    """A TID 9007 tree with exactly ``n_items`` content items below the root.

    Item 1 is the TID 1204 language item; item 2 a TID 3802 History container
    holding the remaining ``n_items - 2`` TEXT/CODE/NUM items, so
    ``sized_tree(n).count() == n + 1``.

    Raises
    ------
    ValueError
        If ``n_items`` is negative.
    """
    if n_items < 0:
        raise ValueError(f"n_items must be >= 0, not {n_items}")
    children: list[ContentNode] = []
    if n_items >= 1:
        children.append(_language())
    if n_items >= 2:
        fillers = tuple(_filler(i) for i in range(n_items - 2))
        children.append(_container(_c(codes.LN.History), fillers, tid="3802"))
    return _root(tuple(children))
