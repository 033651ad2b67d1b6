"""Codes used by the RPI templates that pydicom 3.0.2 does not expose.

Every other code in the catalogue comes from :data:`pydicom.sr.codedict.codes`.
These are the 22 codes listed in ``rpi-templates.md`` Section 7 as missing from
pydicom (concept names, condition and value-set cells of the 16 tables of PS3.16
that this package encodes), plus three codes of the Section 6 extension patterns
(patient height and weight, PS3.16 TID 3602/5001) that no RPI row uses. The
meanings are those printed in the template tables.
"""

from __future__ import annotations

from pydicom.sr.coding import Code

# LOINC concept names (TID 3802, 3829, 4301, 9001, 9002, 9004, 3114).
HISTORY_OF_FAMILY_MEMBER_DISEASES = Code(
    "10157-6", "LN", "History of Family Member Diseases"
)
HISTORY_OF_MEDICATION_USE = Code("10160-0", "LN", "History of Medication Use")
PAST_SURGICAL_HISTORY = Code("10167-5", "LN", "Past Surgical History")
HEALTH_STATUS = Code("11323-3", "LN", "Health status")
PROBLEM_LIST = Code("11450-4", "LN", "Problem List")
ABORTA = Code("11612-9", "LN", "Aborta")
LIVE_BIRTHS = Code("11636-8", "LN", "Live Births")
PRETERM = Code("11637-6", "LN", "Preterm")
TERM = Code("11639-2", "LN", "Term")
PARA = Code("11977-6", "LN", "Para")
GRAVIDA = Code("11996-6", "LN", "Gravida")
CHOLESTEROL_IN_HDL = Code("2086-7", "LN", "Cholesterol.in HDL")
CHOLESTEROL_IN_LDL = Code("2089-1", "LN", "Cholesterol.in LDL")
SOCIAL_HISTORY = Code("29762-2", "LN", "Social History")
ECTOPIC_PREGNANCIES = Code("33065-4", "LN", "Ectopic Pregnancies")
STATUS = Code("33999-4", "LN", "Status")
HISTORY_OF_MEDICAL_DEVICE_USE = Code("46264-8", "LN", "History of medical device use")
BODY_TEMPERATURE = Code("8310-5", "LN", "Body temperature")

# UCUM units (TID 3802 rows 23-24, TID 3114 rows 4, 8, 9).
MG_PER_DL = Code("mg/dl", "UCUM", "mg/dl")
RANGE_0_4 = Code("{0:4}", "UCUM", "range 0:4")
RANGE_1_10 = Code("{1:10}", "UCUM", "range 1:10")
BEATS_PER_MINUTE = Code("{H.B.}/min", "UCUM", "BPM")

# Extension patterns of rpi-templates.md Section 6 (not used by any row).
PATIENT_HEIGHT = Code("8302-2", "LN", "Patient Height")
PATIENT_WEIGHT = Code("29463-7", "LN", "Patient Weight")
KILOGRAM = Code("kg", "UCUM", "kg")

TEMPLATE_CODES: tuple[Code, ...] = (
    HISTORY_OF_FAMILY_MEMBER_DISEASES,
    HISTORY_OF_MEDICATION_USE,
    PAST_SURGICAL_HISTORY,
    HEALTH_STATUS,
    PROBLEM_LIST,
    ABORTA,
    LIVE_BIRTHS,
    PRETERM,
    TERM,
    PARA,
    GRAVIDA,
    CHOLESTEROL_IN_HDL,
    CHOLESTEROL_IN_LDL,
    SOCIAL_HISTORY,
    ECTOPIC_PREGNANCIES,
    STATUS,
    HISTORY_OF_MEDICAL_DEVICE_USE,
    BODY_TEMPERATURE,
    MG_PER_DL,
    RANGE_0_4,
    RANGE_1_10,
    BEATS_PER_MINUTE,
)
"""The 22 codes of template rows that pydicom lacks."""
