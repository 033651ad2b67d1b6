"""PS3.16 TID 1204, TID 351, TID 3114 as data.

Language, previous reports and patient assessment.
Transcribed from the DICOM 2024c tables digested in ``rpi-templates.md`` Section 4;
see :mod:`rpiq.core.templates.notation` for the cell notation and code meanings.
"""

from __future__ import annotations

from pydicom.sr.codedict import codes

from rpiq.core.templates import extra_codes as x
from rpiq.core.templates.notation import (
    bcid,
    bind,
    codeset,
    dcid,
    dt,
    ev,
    inc,
    row,
    tc,
    template,
)

# https://dicom.nema.org/medical/dicom/current/output/chtml/part16/chapter_A.html#sect_TID_1204
TID_1204 = template(
    1204,
    "Language of Content Item and Descendants",
    row(
        1,
        0,
        "HAS CONCEPT MOD",
        "CODE",
        ev(
            codes.DCM.LanguageOfContentItemAndDescendants,
            "Language of Content Item and Descendants",
        ),
        "1",
        "M",
        value_set=dcid(5000, "Language"),
    ),
    row(
        2,
        1,
        "HAS CONCEPT MOD",
        "CODE",
        ev(codes.DCM.CountryOfLanguage, "Country of Language"),
        "1",
        "U",
        value_set=dcid(5001, "Country"),
    ),
    extensible=False,
)
"""PS3.16 TID 1204 "Language of Content Item and Descendants".

Non-Extensible, order significant, 2 rows.
"""


# https://dicom.nema.org/medical/dicom/current/output/chtml/part16/chapter_A.html#sect_TID_351
TID_351 = template(
    351,
    "Previous Reports",
    row(
        1,
        0,
        None,
        "CONTAINER",
        ev(codes.DCM.PreviousReports, "Previous Reports"),
        "1",
        "M",
    ),
    row(2, 1, "CONTAINS", "COMPOSITE", None, "1-n", "M"),
)
"""PS3.16 TID 351 "Previous Reports".

Extensible, order significant, 2 rows.
"""


# https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_TID_3114.html
TID_3114 = template(
    3114,
    "Patient Assessment",
    row(
        1,
        0,
        None,
        "CODE",
        ev(codes.DCM.PatientStatusOrEvent, "Patient Status or Event"),
        "1",
        "M",
        value_set=codeset(
            dt(codes.DCM.PatientAssessmentPerformed, "Patient Assessment Performed"),
            dt(codes.SCT.TakingPatientVitalSigns, "Observation of Vital Signs"),
        ),
    ),
    inc(
        2,
        1,
        "HAS PROPERTIES",
        300,
        "1",
        "MC",
        bind(
            "$Measurement",
            ev(codes.SCT.SystolicBloodPressure, "Systolic blood pressure"),
        ),
        bind("$Units", dcid(3500, "Pressure Unit")),
        bind("$Method", bcid(3560, "Blood Pressure Method")),
        condition=('IF Row 1 value = (61746007, SCT, "Observation of Vital Signs")'),
        condition_codes=(
            tc(codes.SCT.TakingPatientVitalSigns, "Observation of Vital Signs"),
        ),
    ),
    inc(
        3,
        1,
        "HAS PROPERTIES",
        300,
        "1",
        "MC",
        bind(
            "$Measurement",
            ev(codes.SCT.DiastolicBloodPressure, "Diastolic blood pressure"),
        ),
        bind("$Units", dcid(3500, "Pressure Unit")),
        condition=('IF Row 1 value = (61746007, SCT, "Observation of Vital Signs")'),
        condition_codes=(
            tc(codes.SCT.TakingPatientVitalSigns, "Observation of Vital Signs"),
        ),
    ),
    inc(
        4,
        1,
        "HAS PROPERTIES",
        300,
        "1",
        "MC",
        bind("$Measurement", ev(codes.LN.HeartRate, "Heart rate")),
        bind("$Units", ev(x.BEATS_PER_MINUTE, "BPM")),
        condition=('IF Row 1 value = (61746007, SCT, "Observation of Vital Signs")'),
        condition_codes=(
            tc(codes.SCT.TakingPatientVitalSigns, "Observation of Vital Signs"),
        ),
    ),
    inc(
        5,
        1,
        "HAS PROPERTIES",
        300,
        "1",
        "MC",
        bind("$Measurement", ev(x.BODY_TEMPERATURE, "Body temperature")),
        bind("$Units", ev(codes.UCUM.DegreesCelsius, "C")),
        condition=('IF Row 1 value = (61746007, SCT, "Observation of Vital Signs")'),
        condition_codes=(
            tc(codes.SCT.TakingPatientVitalSigns, "Observation of Vital Signs"),
        ),
    ),
    inc(
        6,
        1,
        "HAS PROPERTIES",
        300,
        "1",
        "MC",
        bind("$Measurement", dcid(3526, "Blood Gas Saturation")),
        bind("$Units", ev(codes.UCUM.Percent, "%")),
        condition=('IF Row 1 value = (61746007, SCT, "Observation of Vital Signs")'),
        condition_codes=(
            tc(codes.SCT.TakingPatientVitalSigns, "Observation of Vital Signs"),
        ),
    ),
    inc(
        7,
        1,
        "HAS PROPERTIES",
        300,
        "1",
        "MC",
        bind("$Measurement", ev(codes.SCT.RespiratoryRate, "Respiration rate")),
        bind("$Units", ev(codes.UCUM.PerMinute, "breaths/min")),
        condition=('IF Row 1 value = (61746007, SCT, "Observation of Vital Signs")'),
        condition_codes=(
            tc(codes.SCT.TakingPatientVitalSigns, "Observation of Vital Signs"),
        ),
    ),
    inc(
        8,
        1,
        "HAS PROPERTIES",
        300,
        "1-n",
        "MC",
        bind("$Measurement", ev(codes.DCM.PulseStrength, "Pulse Strength")),
        bind("$Method", bcid(3442, "Peripheral Pulse Method")),
        bind("$TargetSite", bcid(3440, "Peripheral Pulse Location")),
        bind("$Units", dt(x.RANGE_0_4, "range 0:4")),
        condition=('IF Row 1 value = (61746007, SCT, "Observation of Vital Signs")'),
        condition_codes=(
            tc(codes.SCT.TakingPatientVitalSigns, "Observation of Vital Signs"),
        ),
    ),
    inc(
        9,
        1,
        "HAS PROPERTIES",
        300,
        "1",
        "MC",
        bind("$Measurement", ev(codes.SCT.PainScore, "Pain Score")),
        bind("$Units", dt(x.RANGE_1_10, "range 1:10")),
        condition=('IF Row 1 value = (61746007, SCT, "Observation of Vital Signs")'),
        condition_codes=(
            tc(codes.SCT.TakingPatientVitalSigns, "Observation of Vital Signs"),
        ),
    ),
    row(
        10,
        1,
        "HAS PROPERTIES",
        "CODE",
        dt(codes.LN.CardiacRhythm, "Cardiac Rhythm"),
        "1",
        "U",
        value_set=bcid(3415, "Cardiac Rhythm"),
    ),
    row(
        11,
        1,
        "HAS PROPERTIES",
        "CODE",
        dt(codes.LN.RespirationRhythm, "Respiration Rhythm"),
        "1",
        "U",
        value_set=bcid(3416, "Respiration Rhythm"),
    ),
    row(
        12,
        1,
        "HAS PROPERTIES",
        "CODE",
        dt(codes.SCT.RespirationAssessment, "Respiration Assessment"),
        "1",
        "U",
        value_set=bcid(3448, "Airway Assessment"),
    ),
    row(
        13,
        1,
        "HAS PROPERTIES",
        "CODE",
        dt(codes.SCT.SkinConditionAssessment, "Skin condition"),
        "1-n",
        "U",
        value_set=bcid(3446, "Skin Condition"),
    ),
    row(
        14,
        1,
        "HAS PROPERTIES",
        "CODE",
        dt(codes.SCT.PatientMentalStateAssessment, "Patient mental state assessment"),
        "1",
        "U",
    ),
    row(15, 1, "HAS PROPERTIES", "TEXT", bcid(3441, "Patient Assessment"), "1-n", "U"),
)
"""PS3.16 TID 3114 "Patient Assessment".

Extensible, order significant, 15 rows.
"""
