"""PS3.16 TID 9003, TID 9004, TID 9005, TID 9006 as data.

Previous procedures, indicated problems, risk factors and obstetric history.
Transcribed from the DICOM 2024c tables digested in ``rpi-templates.md`` Section 4;
see :mod:`rpiq.core.templates.notation` for the cell notation and code meanings.
"""

from __future__ import annotations

from pydicom.sr.codedict import codes

from rpiq.core.templates import extra_codes as x
from rpiq.core.templates.notation import (
    bcid,
    codeset,
    dcid,
    ev,
    inc,
    param,
    row,
    tc,
    template,
)

# https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_TID_9003.html
TID_9003 = template(
    9003,
    "Previous Procedure",
    row(
        1,
        0,
        None,
        "CONTAINER",
        ev(codes.DCM.RelevantPreviousProcedures, "Relevant Previous Procedures"),
        "1",
        "M",
    ),
    row(
        2,
        1,
        "CONTAINS",
        "CODE",
        ev(codes.DCM.PreviousProcedure, "Previous Procedure"),
        "1-n",
        "M",
        value_set=param("$ProcedureList"),
    ),
    row(
        3,
        2,
        "HAS CONCEPT MOD",
        "CODE",
        ev(codes.DCM.ProcedureModifier, "Procedure Modifier"),
        "1-n",
        "U",
        value_set=param("$ProcedureModifier"),
    ),
    row(
        4,
        2,
        "HAS OBS CONTEXT",
        "CODE",
        ev(codes.DCM.RoleOfPersonReporting, "Role of person reporting"),
        "1",
        "U",
        value_set=dcid(7450, "Person Role"),
    ),
    row(5, 2, "HAS PROPERTIES", "NUM", param("$NumConceptName"), "1-n", "U"),
    row(
        6,
        2,
        "HAS PROPERTIES",
        "CODE",
        ev(codes.SCT.Laterality, "Laterality"),
        "1",
        "U",
        value_set=param("$LateralityValue"),
    ),
    row(
        7,
        2,
        "HAS PROPERTIES",
        "DATETIME",
        ev(codes.DCM.ProcedureDatetime, "Procedure DateTime"),
        "1",
        "UC",
        condition="XOR Row 8",
    ),
    row(
        8,
        2,
        "HAS PROPERTIES",
        "CODE",
        ev(codes.DCM.EstimatedTimeframe, "Estimated Timeframe"),
        "1",
        "UC",
        condition="XOR Row 7",
        value_set=bcid(6164, "Time Interval"),
    ),
    row(
        9,
        2,
        "HAS PROPERTIES",
        "NUM",
        ev(codes.SCT.NumberOfOccurrences, "Number of occurrences"),
        "1",
        "U",
        units=ev(codes.UCUM.NoUnits, "no units"),
    ),
    row(
        10,
        2,
        "HAS PROPERTIES",
        "CODE",
        ev(codes.SCT.ComplicationOfProcedure, "Complication of procedure"),
        "1-n",
        "U",
        value_set=param("$ComplicationValue"),
    ),
    row(
        11,
        3,
        "HAS PROPERTIES",
        "CODE",
        ev(codes.DCM.SeverityOfComplication, "Severity of Complication"),
        "1",
        "U",
        value_set=dcid(251, "Complication Severity"),
    ),
    row(
        12,
        2,
        "HAS PROPERTIES",
        "CODE",
        ev(codes.DCM.ProcedureResult, "Procedure Result"),
        "1",
        "U",
        value_set=param("$ProcedureResult"),
    ),
    inc(13, 2, "HAS PROPERTIES", 4207, "1-n", "U"),
    parameters=(
        "$ProcedureList",
        "$ProcedureModifier",
        "$NumConceptName",
        "$LateralityValue",
        "$ProcedureResult",
        "$ComplicationValue",
    ),
)
"""PS3.16 TID 9003 "Previous Procedure".

Extensible, order significant, 13 rows.
"""


# https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_TID_9004.html
TID_9004 = template(
    9004,
    "Indicated Problem",
    row(1, 0, None, "CONTAINER", ev(x.PROBLEM_LIST, "Problem List"), "1", "M"),
    row(
        2,
        1,
        "CONTAINS",
        "CODE",
        ev(codes.DCM.IndicatedProblem, "Indicated Problem"),
        "1-n",
        "M",
        value_set=param("$ProblemList"),
    ),
    row(
        3,
        2,
        "HAS OBS CONTEXT",
        "CODE",
        ev(codes.DCM.RoleOfPersonReporting, "Role of person reporting"),
        "1",
        "U",
        value_set=dcid(7450, "Person Role"),
    ),
    row(
        4,
        2,
        "HAS OBS CONTEXT",
        "DATETIME",
        ev(codes.DCM.DatetimeProblemObserved, "DateTime problem observed"),
        "1",
        "U",
    ),
    row(
        5,
        2,
        "HAS PROPERTIES",
        "CODE",
        ev(codes.SCT.Laterality, "Laterality"),
        "1",
        "U",
        value_set=param("$LateralityValue"),
    ),
    row(
        6,
        2,
        "HAS PROPERTIES",
        "CODE",
        ev(codes.SCT.FindingSite, "Finding site"),
        "1",
        "U",
        value_set=param("$LocationValue"),
    ),
    row(7, 2, "HAS PROPERTIES", "NUM", ev(codes.SCT.Duration, "Duration"), "1", "U"),
    row(
        8,
        2,
        "HAS PROPERTIES",
        "CODE",
        ev(codes.SCT.Frequencies, "Frequency"),
        "1",
        "U",
        value_set=dcid(6091, "Relative Frequency of Event Value"),
    ),
    row(
        9,
        2,
        "HAS PROPERTIES",
        "DATETIME",
        ev(codes.DCM.DatetimeOfLastEvaluation, "DateTime of last evaluation"),
        "1",
        "U",
    ),
    row(10, 2, "HAS PROPERTIES", "TEXT", ev(codes.DCM.Comment, "Comment"), "1", "U"),
    parameters=(
        "$ProblemList",
        "$LateralityValue",
        "$LocationValue",
    ),
)
"""PS3.16 TID 9004 "Indicated Problem".

Extensible, order significant, 10 rows.
"""


# https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_TID_9005.html
TID_9005 = template(
    9005,
    "Risk Factor",
    row(
        1,
        0,
        None,
        "CONTAINER",
        ev(codes.DCM.RelevantRiskFactors, "Relevant Risk Factors"),
        "1",
        "M",
    ),
    row(
        2,
        1,
        "CONTAINS",
        "CODE",
        ev(codes.SCT.RiskFactor, "Risk factor"),
        "1-n",
        "M",
        value_set=param("$RiskList"),
    ),
    row(
        3,
        2,
        "HAS CONCEPT MOD",
        "CODE",
        ev(codes.DCM.RiskFactorModifier, "Risk Factor modifier"),
        "1",
        "U",
        value_set=codeset(
            ev(codes.SCT.FamilyHistoryWithExplicitContext, "Family history of")
        ),
    ),
    row(
        4,
        2,
        "HAS PROPERTIES",
        "NUM",
        ev(codes.LN.GestationalAge, "Gestational Age"),
        "1",
        "UC",
        condition=(
            'IFF value of Row 2 = (161765003, SCT, "History of - premature delivery")'
        ),
        condition_codes=(
            tc(codes.SCT.HistoryOfPrematureDelivery, "History of - premature delivery"),
        ),
    ),
    row(
        5,
        2,
        "HAS OBS CONTEXT",
        "CODE",
        ev(codes.DCM.RoleOfPersonReporting, "Role of person reporting"),
        "1",
        "U",
        value_set=dcid(7450, "Person Role"),
    ),
    row(
        6,
        2,
        "HAS PROPERTIES",
        "NUM",
        ev(codes.DCM.AgeAtOccurrence, "Age at Occurrence"),
        "1",
        "U",
        units=ev(codes.UCUM.Year, "Year"),
    ),
    row(
        7,
        2,
        "HAS PROPERTIES",
        "NUM",
        ev(codes.SCT.Duration, "Duration"),
        "1",
        "U",
        units=dcid(6046, "Follow-up Interval Unit"),
    ),
    row(8, 2, "HAS PROPERTIES", "TEXT", ev(codes.DCM.Comment, "Comment"), "1", "U"),
    row(
        9,
        2,
        "INFERRED FROM",
        "CODE",
        ev(codes.DCM.FamilyMemberWithRiskFactor, "Family Member with Risk Factor"),
        "1-n",
        "U",
        value_set=param("$FamilyList"),
    ),
    row(
        10,
        3,
        "HAS PROPERTIES",
        "NUM",
        ev(codes.DCM.AgeAtOccurrence, "Age at Occurrence"),
        "1",
        "U",
        units=ev(codes.UCUM.Year, "Year"),
    ),
    row(
        11,
        3,
        "HAS CONCEPT MOD",
        "CODE",
        ev(codes.DCM.MenopausalPhase, "Menopausal phase"),
        "1",
        "U",
        value_set=dcid(6086, "Menopausal Phase"),
    ),
    row(
        12,
        3,
        "HAS CONCEPT MOD",
        "CODE",
        ev(codes.DCM.SideOfFamily, "Side of Family"),
        "1",
        "U",
        value_set=dcid(6097, "Side of Family"),
    ),
    parameters=(
        "$RiskList",
        "$FamilyList",
    ),
)
"""PS3.16 TID 9005 "Risk Factor".

Extensible, order significant, 12 rows.
"""


# https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_TID_9006.html
TID_9006 = template(
    9006,
    "Obstetric History",
    row(
        1,
        0,
        "CONTAINS",  # as published, although row 1 has no parent in this table
        "CONTAINER",
        ev(codes.SCT.ObstetricHistory, "Obstetric History"),
        "1",
        "M",
    ),
    row(2, 1, "CONTAINS", "DATE", dcid(12003, "OB-GYN Date"), "1-n", "U"),
    row(
        3,
        1,
        "CONTAINS",
        "NUM",
        ev(codes.LN.GestationalAge, "Gestational Age"),
        "1",
        "U",
        units=ev(codes.UCUM.Day, "day"),
    ),
    row(4, 1, "CONTAINS", "TEXT", ev(codes.DCM.Comment, "Comment"), "1-n", "U"),
)
"""PS3.16 TID 9006 "Obstetric History".

Extensible, order significant, 4 rows.
"""
