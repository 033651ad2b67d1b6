"""PS3.16 TID 4301 as data.

Genitourinary patient history.
Transcribed from the DICOM 2024c tables digested in ``rpi-templates.md`` Section 4;
see :mod:`rpiq.core.templates.notation` for the cell notation and code meanings.
"""

from __future__ import annotations

from pydicom.sr.codedict import codes

from rpiq.core.templates import extra_codes as x
from rpiq.core.templates.notation import bind, dcid, dt, ev, inc, row, template

# https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_TID_4301.html
TID_4301 = template(
    4301,
    "Genitourinary Patient History",
    row(
        1,
        0,
        None,
        "CONTAINER",
        ev(codes.DCM.GenitourinaryHistory, "Genitourinary History"),
        "1",
        "M",
    ),
    row(2, 1, "CONTAINS", "TEXT", ev(codes.LN.History, "History"), "1", "U"),
    row(3, 1, "CONTAINS", "CONTAINER", dt(x.PROBLEM_LIST, "Problem List"), "1", "U"),
    row(4, 2, "CONTAINS", "TEXT", dcid(3769, "Concern Type"), "1-n", "U"),
    inc(
        5,
        2,
        "CONTAINS",
        3829,
        "1-n",
        "U",
        bind("$Problem", dcid(6313, "History of Prostate Disease")),
        bind("$Therapy", dcid(6323, "Prostate Cancer Therapy")),
    ),
    row(
        6, 1, "CONTAINS", "CONTAINER", dt(x.SOCIAL_HISTORY, "Social History"), "1", "U"
    ),
    row(
        7,
        2,
        "CONTAINS",
        "TEXT",
        ev(codes.SCT.SocialPersonalHistoryObservable, "Social History"),
        "1",
        "U",
    ),
    row(
        8,
        2,
        "CONTAINS",
        "CODE",
        ev(codes.SCT.TobaccoSmokingBehavior, "Tobacco Smoking Behavior"),
        "1",
        "U",
        value_set=dcid(3724, "Smoking History"),
    ),
    row(
        9,
        1,
        "CONTAINS",
        "CONTAINER",
        dt(x.PAST_SURGICAL_HISTORY, "Past Surgical History"),
        "1",
        "U",
    ),
    row(10, 2, "CONTAINS", "TEXT", ev(codes.LN.History, "History"), "1-n", "U"),
    inc(
        11,
        2,
        "CONTAINS",
        3830,
        "1-n",
        "U",
        bind("$ProcType", dcid(6319, "Abdominal Intervention Type")),
        bind("$Procedure", dcid(6320, "Abdominopelvic Intervention")),
    ),
    row(
        12,
        1,
        "CONTAINS",
        "CONTAINER",
        dt(
            codes.LN.RelevantDiagnosticTestsAndOrLaboratoryData,
            "Relevant Diagnostic Tests and/or Laboratory Data",
        ),
        "1",
        "U",
    ),
    row(13, 2, "CONTAINS", "TEXT", ev(codes.LN.History, "History"), "1-n", "U"),
    row(
        14,
        1,
        "CONTAINS",
        "CONTAINER",
        dt(codes.SCT.DiagnosticIntent, "Diagnostic intent"),
        "1-n",
        "U",
    ),
    inc(
        15,
        2,
        "CONTAINS",
        1700,
        "1-n",
        "U",
        bind(
            "$Measurement",
            dcid(6352, "Prostate Cancer Diagnostic Blood Lab Measurement"),
        ),
    ),
    inc(
        16,
        2,
        "CONTAINS",
        3830,
        "1-n",
        "U",
        bind("$ProcType", dt(codes.SCT.DiagnosticIntent, "Diagnostic intent")),
        bind("$Procedure", dcid(6321, "Prostate Cancer Diagnostic Procedure")),
        # Published without the "$"; bound to TID 3830 $ProcedureResult.
        bind("$ProcedureResult", dcid(242, "Normal-Abnormal")),
    ),
    row(
        17,
        1,
        "CONTAINS",
        "CONTAINER",
        dt(x.HISTORY_OF_MEDICATION_USE, "History of Medication Use"),
        "1",
        "U",
    ),
    row(
        18,
        2,
        "CONTAINS",
        "TEXT",
        dt(codes.DCM.MedicationType, "Medication Type"),
        "1-n",
        "U",
    ),
    row(
        19,
        3,
        "HAS PROPERTIES",
        "CODE",
        dt(x.STATUS, "Status"),
        "1",
        "U",
        value_set=dcid(3773, "Use Status"),
    ),
    row(
        20,
        2,
        "CONTAINS",
        "CODE",
        dt(codes.DCM.MedicationType, "Medication Type"),
        "1-n",
        "U",
    ),
    row(21, 3, "HAS PROPERTIES", "NUM", dt(codes.SCT.Dosage, "Dosage"), "1", "U"),
    row(
        22,
        3,
        "HAS PROPERTIES",
        "CODE",
        dt(x.STATUS, "Status"),
        "1",
        "U",
        value_set=dcid(3773, "Use Status"),
    ),
    row(
        23,
        1,
        "CONTAINS",
        "CONTAINER",
        dt(x.HISTORY_OF_FAMILY_MEMBER_DISEASES, "History of Family Member Diseases"),
        "1",
        "U",
    ),
    row(24, 2, "CONTAINS", "TEXT", ev(codes.LN.History, "History"), "1-n", "U"),
    row(
        25,
        2,
        "CONTAINS",
        "CODE",
        ev(
            codes.SCT.FamilyHistoryOfClinicalFinding,
            "Family history of clinical finding",
        ),
        "1-n",
        "U",
        value_set=dcid(6322, "Prostate Cancer Family History"),
    ),
    row(
        26,
        3,
        "HAS PROPERTIES",
        "CODE",
        ev(codes.SCT.SubjectRelationshipContext, "Subject relationship"),
        "1",
        "M",
        value_set=dcid(7451, "Family Member"),
    ),
)
"""PS3.16 TID 4301 "Genitourinary Patient History".

Extensible, order significant, 26 rows.
"""
