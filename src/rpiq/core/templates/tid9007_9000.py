"""PS3.16 TID 9007, TID 9000 as data.

The RPI root templates for general and breast imaging use.
Transcribed from the DICOM 2024c tables digested in ``rpi-templates.md`` Section 4;
see :mod:`rpiq.core.templates.notation` for the cell notation and code meanings.
"""

from __future__ import annotations

from pydicom.sr.codedict import codes

from rpiq.core.templates import extra_codes as x
from rpiq.core.templates.notation import bcid, bind, dcid, ev, inc, param, row, template

# https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_TID_9007.html
TID_9007 = template(
    9007,
    "General Relevant Patient Information",
    row(
        1,
        0,
        None,
        "CONTAINER",
        ev(codes.DCM.RelevantPatientInformation, "Relevant Patient Information"),
        "1",
        "M",
    ),
    inc(
        2,
        1,
        "HAS CONCEPT MOD",
        1204,
        "1",
        "MC",
        condition=(
            "IFF TID 9007 is the Root Template for the Relevant "
            "Patient Information Query Service Class"
        ),
    ),
    inc(3, 1, "CONTAINS", 3114, "1", "U"),
    inc(
        4,
        1,
        "CONTAINS",
        9002,
        "1",
        "U",
        bind(
            "$ContainerConcept",
            ev(x.HISTORY_OF_MEDICATION_USE, "History Of Medication Use"),
        ),
        bind("$CodeConcept", ev(codes.DCM.MedicationType, "Medication Type")),
    ),
    inc(
        5,
        1,
        "CONTAINS",
        9002,
        "1",
        "U",
        bind(
            "$ContainerConcept",
            ev(codes.DCM.SubstanceUseHistory, "Substance Use History"),
        ),
        bind("$CodeConcept", ev(codes.DCM.UsedSubstanceType, "Used Substance Type")),
        bind("$CodeValue", bcid(6089, "Substance")),
    ),
    inc(
        6,
        1,
        "CONTAINS",
        9002,
        "1",
        "U",
        bind(
            "$ContainerConcept",
            ev(
                codes.DCM.EnvironmentalExposureHistory, "Environmental Exposure History"
            ),
        ),
        bind("$CodeConcept", ev(codes.DCM.EnvironmentalFactor, "Environmental Factor")),
    ),
    inc(
        7,
        1,
        "CONTAINS",
        9003,
        "1",
        "U",
        bind("$LateralityValue", bcid(244, "Laterality")),
    ),
    inc(
        8,
        1,
        "CONTAINS",
        9004,
        "1",
        "U",
        bind("$LateralityValue", bcid(244, "Laterality")),
        bind("$ProblemList", param("$ProblemList")),
    ),
    inc(
        9,
        1,
        "CONTAINS",
        9005,
        "1",
        "U",
        bind(
            "$RiskList", param("$RiskList"), default=bcid(6087, "General Risk Factor")
        ),
        bind("$FamilyList", dcid(7451, "Family Member")),
    ),
    inc(10, 1, "CONTAINS", 9001, "1", "U"),
    inc(11, 1, "CONTAINS", 9006, "1", "U"),
    inc(12, 1, "CONTAINS", 3802, "1", "U"),
    inc(13, 1, "CONTAINS", 351, "1", "U"),
    inc(14, 1, "CONTAINS", 4301, "1", "U"),
    parameters=(
        "$ProblemList",
        "$RiskList",
    ),
)
"""PS3.16 TID 9007 "General Relevant Patient Information".

Extensible, order significant, 14 rows.
"""


# https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_RelevantPatientInformationTemplates.html
TID_9000 = template(
    9000,
    "Relevant Patient Information for Breast Imaging",
    row(
        1,
        0,
        None,
        "CONTAINER",
        ev(
            codes.DCM.RelevantPatientInformationForBreastImaging,
            "Relevant Patient Information for Breast Imaging",
        ),
        "1",
        "M",
    ),
    inc(2, 1, "HAS CONCEPT MOD", 1204, "1", "M"),
    inc(3, 1, "CONTAINS", 3114, "1", "U"),
    inc(4, 1, "CONTAINS", 9001, "1", "U"),
    inc(
        5,
        1,
        "CONTAINS",
        9002,
        "1",
        "U",
        bind(
            "$ContainerConcept",
            ev(x.HISTORY_OF_MEDICATION_USE, "History Of Medication Use"),
        ),
        bind("$CodeConcept", ev(codes.DCM.MedicationType, "Medication Type")),
        bind("$CodeValue", dcid(6080, "Gynecological Hormone")),
    ),
    inc(
        6,
        1,
        "CONTAINS",
        9003,
        "1",
        "U",
        bind("$ProcedureList", dcid(6083, "Procedures for Breast")),
        bind("$ProcedureModifier", dcid(6058, "Procedure Modifiers for Breast")),
        bind("$NumConceptName", dcid(6095, "Procedure Numeric Property")),
        bind("$LateralityValue", dcid(6022, "Side")),
        bind("$ProcedureResult", dcid(6063, "Interventional Procedure Result")),
        bind("$ComplicationValue", dcid(6062, "Interventional Procedure Complication")),
    ),
    inc(
        7,
        1,
        "CONTAINS",
        9004,
        "1",
        "U",
        bind(
            "$ProblemList", dcid(6055, "Breast Clinical Finding or Indicated Problem")
        ),
        bind("$LateralityValue", dcid(6022, "Side")),
        bind(
            "$LocationValue",
            dcid(6018, "Clockface Location or Region"),
            dcid(6020, "Quadrant Location"),
        ),
    ),
    inc(
        8,
        1,
        "CONTAINS",
        9005,
        "1",
        "U",
        bind("$RiskList", dcid(6081, "Breast Cancer Risk Factor")),
        bind("$FamilyList", dcid(7451, "Family Member")),
    ),
)
"""PS3.16 TID 9000 "Relevant Patient Information for Breast Imaging".

Extensible, order significant, 8 rows.
"""
