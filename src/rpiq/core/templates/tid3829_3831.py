"""PS3.16 TID 3829, TID 3830, TID 3831 as data.

Problem, procedure and medical-device properties included by TID 3802 and TID 4301.
Transcribed from the DICOM 2024c tables digested in ``rpi-templates.md`` Section 4;
see :mod:`rpiq.core.templates.notation` for the cell notation and code meanings.
"""

from __future__ import annotations

from pydicom.sr.codedict import codes

from rpiq.core.templates import extra_codes as x
from rpiq.core.templates.notation import dcid, dt, ev, param, row, template, text

# https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_TID_3829.html
TID_3829 = template(
    3829,
    "Problem Properties",
    row(1, 0, None, "CONTAINER", ev(codes.DCM.Concern, "Concern"), "1", "M"),
    row(
        2,
        1,
        "CONTAINS",
        "DATETIME",
        dt(codes.DCM.DatetimeConcernNoted, "DateTime Concern Noted"),
        "1",
        "U",
    ),
    row(
        3,
        1,
        "CONTAINS",
        "DATETIME",
        dt(codes.DCM.DatetimeConcernResolved, "DateTime Concern Resolved"),
        "1",
        "U",
    ),
    row(
        4,
        1,
        "CONTAINS",
        "CODE",
        dcid(3769, "Concern Type"),
        "1",
        "M",
        value_set=param("$Problem"),
    ),
    row(
        5,
        2,
        "HAS CONCEPT MOD",
        "CODE",
        param("$ModType"),
        "1-n",
        "U",
        value_set=param("$ModValue"),
    ),
    row(
        6,
        2,
        "HAS PROPERTIES",
        "DATETIME",
        dt(codes.DCM.DatetimeStarted, "DateTime Started"),
        "1",
        "U",
    ),
    row(
        7,
        2,
        "HAS PROPERTIES",
        "DATETIME",
        dt(codes.DCM.DatetimeProblemResolved, "DateTime Problem Resolved"),
        "1",
        "U",
    ),
    row(
        8,
        2,
        "HAS PROPERTIES",
        "CODE",
        dt(x.STATUS, "Status"),
        "1",
        "U",
        value_set=dcid(3770, "Problem Status"),
    ),
    row(
        9,
        2,
        "HAS PROPERTIES",
        "CODE",
        dt(codes.SCT.Severity, "Severity"),
        "1",
        "U",
        value_set=dcid(3716, "Severity"),
    ),
    row(
        10,
        2,
        "HAS PROPERTIES",
        "CODE",
        dt(codes.SCT.Stage, "Stage"),
        "1",
        "U",
        value_set=param("$Stage"),
    ),
    row(
        11,
        1,
        "CONTAINS",
        "CODE",
        dt(x.HEALTH_STATUS, "Health status"),
        "1",
        "U",
        value_set=dcid(3772, "Health Status"),
    ),
    row(
        12,
        1,
        "CONTAINS",
        "CODE",
        ev(codes.SCT.TherapeuticProcedure, "Therapy"),
        "1-n",
        "U",
        value_set=param("$Therapy"),
    ),
    row(
        13,
        2,
        "HAS PROPERTIES",
        "CODE",
        dt(x.STATUS, "Status"),
        "1",
        "U",
        value_set=dcid(3773, "Use Status"),
    ),
    row(14, 1, "CONTAINS", "TEXT", ev(codes.DCM.Comment, "Comment"), "1", "U"),
    parameters=(
        "$Problem",
        "$ModType",
        "$ModValue",
        "$Therapy",
        "$Stage",
    ),
)
"""PS3.16 TID 3829 "Problem Properties".

Extensible, order significant, 14 rows.
"""


# https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_TID_3830.html
TID_3830 = template(
    3830,
    "Procedure Properties",
    row(
        1, 0, None, "CODE", param("$ProcType"), "1", "M", value_set=param("$Procedure")
    ),
    row(
        2,
        1,
        "HAS CONCEPT MOD",
        "CODE",
        param("$ModType"),
        "1-n",
        "U",
        value_set=param("$ModValue"),
    ),
    row(
        3,
        1,
        "HAS PROPERTIES",
        "DATETIME",
        dt(codes.DCM.ProcedureDatetime, "Procedure DateTime"),
        "1",
        "U",
    ),
    row(
        4,
        1,
        "HAS PROPERTIES",
        "COMPOSITE",
        ev(codes.SCT.ClinicalReport, "Clinical Report"),
        "1-n",
        "U",
    ),
    row(
        5,
        2,
        "HAS PROPERTIES",
        "CODE",
        ev(codes.DCM.DocumentTitle, "Document Title"),
        "1",
        "U",
    ),
    row(
        6,
        1,
        "HAS PROPERTIES",
        "TEXT",
        ev(codes.SCT.ClinicalReport, "Clinical Report"),
        "1-n",
        "U",
        value_set=text("Description of report with URL or other reference for report"),
    ),
    row(
        7,
        1,
        "HAS PROPERTIES",
        "TEXT",
        dt(codes.DCM.ServiceDeliveryLocation, "Service Delivery Location"),
        "1",
        "U",
    ),
    row(
        8,
        1,
        "HAS PROPERTIES",
        "PNAME",
        dt(codes.DCM.ServicePerformer, "Service Performer"),
        "1",
        "UC",
        condition="IF Service Performer is a person",
    ),
    row(
        9,
        1,
        "HAS PROPERTIES",
        "TEXT",
        dt(codes.DCM.ServicePerformer, "Service Performer"),
        "1",
        "UC",
        condition="IF Service Performer is an organization",
    ),
    row(10, 1, "HAS PROPERTIES", "TEXT", ev(codes.DCM.Comment, "Comment"), "1", "U"),
    row(
        11,
        1,
        "HAS PROPERTIES",
        "CODE",
        ev(codes.DCM.ProcedureResult, "Procedure Result"),
        "1-n",
        "U",
        value_set=param("$ProcedureResult"),
    ),
    parameters=(
        "$ProcType",
        "$Procedure",
        "$ModType",
        "$ModValue",
        "$ProcedureResult",
    ),
)
"""PS3.16 TID 3830 "Procedure Properties".

Extensible, order significant, 11 rows.
"""


# https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_TID_3831.html
TID_3831 = template(
    3831,
    "Medical Device Use",
    row(
        1,
        0,
        None,
        "CODE",
        ev(codes.DCM.MedicalDeviceUsed, "Medical Device Used"),
        "1",
        "M",
        value_set=param("$Device"),
    ),
    row(
        2,
        1,
        "HAS PROPERTIES",
        "DATETIME",
        dt(codes.DCM.DatetimeStarted, "DateTime Started"),
        "1",
        "U",
    ),
    row(
        3,
        1,
        "HAS PROPERTIES",
        "DATETIME",
        dt(codes.DCM.DatetimeEnded, "DateTime Ended"),
        "1",
        "U",
    ),
    row(
        4,
        1,
        "HAS PROPERTIES",
        "CODE",
        dt(x.STATUS, "Status"),
        "1",
        "U",
        value_set=dcid(3773, "Use Status"),
    ),
    row(5, 1, "HAS PROPERTIES", "TEXT", ev(codes.DCM.Comment, "Comment"), "1", "U"),
    parameters=("$Device",),
)
"""PS3.16 TID 3831 "Medical Device Use".

Extensible, order significant, 5 rows.
"""
