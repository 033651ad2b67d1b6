"""Which patient attributes the archive keeps, and where an RPI answer may use them.

PS3.4 Table Q.4-1 exposes the Patient Identification (PS3.3 C.2.2) and Patient
Demographic (C.2.3) Modules as identifier attributes. The Patient Medical
Module (C.2.4; in composite instances the Patient Study Module, C.7.2.2) is not
part of the RPI information model, so those values only reach an answer as
content items (``rpi-templates.md`` Section 6). No SQL here: the index stores
what this module reads from a Dataset.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydicom.datadict import tag_for_keyword
from pydicom.multival import MultiValue

from rpiq.core.sr.charset import escaped_person_name

if TYPE_CHECKING:
    from datetime import datetime

    from pydicom.dataset import Dataset

Module = Literal["identification", "demographic", "medical"]

#: Stored value of an attribute: text, the US integer, or several text values.
StoredValue = str | int | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PatientAttribute:
    """One patient attribute the archive keeps the latest value of.

    Attributes
    ----------
    keyword : str
        pydicom keyword.
    module : {"identification", "demographic", "medical"}
        PS3.3 module; only identification and demographic attributes may be
        returned at the identifier's top level (PS3.4 Table Q.4-1).
    always_returned : bool
        Return key of type 1 or 2 in Table Q.4-1 (Patient's Name, Birth Date,
        Sex): part of every Pending identifier, zero-length when unknown.
    """

    keyword: str
    module: Module
    always_returned: bool = False

    @property
    def identifier_key(self) -> bool:
        """True when it may appear at the top level of an RPI identifier."""
        return self.module != "medical"


PATIENT_ATTRIBUTES: tuple[PatientAttribute, ...] = (
    PatientAttribute("PatientName", "identification", always_returned=True),
    PatientAttribute("PatientBirthDate", "demographic", always_returned=True),
    PatientAttribute("PatientSex", "demographic", always_returned=True),
    PatientAttribute("PatientAge", "demographic"),
    PatientAttribute("PatientSize", "demographic"),
    PatientAttribute("PatientWeight", "demographic"),
    PatientAttribute("EthnicGroup", "demographic"),
    PatientAttribute("Occupation", "demographic"),
    PatientAttribute("PatientComments", "demographic"),
    PatientAttribute("Allergies", "medical"),
    PatientAttribute("MedicalAlerts", "medical"),
    PatientAttribute("PregnancyStatus", "medical"),
    PatientAttribute("SmokingStatus", "medical"),
    PatientAttribute("AdditionalPatientHistory", "medical"),
    PatientAttribute("LastMenstrualDate", "medical"),
    PatientAttribute("PatientState", "medical"),
)
"""The attributes kept per patient, latest value wins (by instance date)."""

BY_KEYWORD = {a.keyword: a for a in PATIENT_ATTRIBUTES}

#: Type 1/2 return keys of the Patient IE that every Pending carries.
ALWAYS_RETURNED: tuple[str, ...] = tuple(
    a.keyword for a in PATIENT_ATTRIBUTES if a.always_returned
)

# Dates and times used to order instances, most specific first (PS3.3 C.7.6.1,
# C.17.2, C.7.3.1, C.7.2.1, C.12.1).
_DATE_TIME_PAIRS: tuple[tuple[str, str], ...] = (
    ("ContentDate", "ContentTime"),
    ("AcquisitionDate", "AcquisitionTime"),
    ("SeriesDate", "SeriesTime"),
    ("StudyDate", "StudyTime"),
    ("InstanceCreationDate", "InstanceCreationTime"),
)
_DATE = re.compile(r"^\d{8}$")
_TIME = re.compile(r"^\d{2,6}")


def _text(value: object) -> str:
    """A pydicom value as plain stripped text."""
    return str(value).strip()


def read_value(ds: Dataset, keyword: str) -> StoredValue | None:
    """The value of ``keyword`` in ``ds`` as stored, or None if absent or empty.

    Multi-valued attributes become tuples of text, US values integers, all
    other values stripped text. Empty values (type 2 "unknown") are None, so
    they never overwrite a known value.
    """
    value: object = escaped_person_name(ds, keyword)
    if value is None:
        value = ds.get(keyword)
    if value is None:
        return None
    if isinstance(value, MultiValue | list | tuple):
        values = tuple(t for t in (_text(v) for v in value) if t)
        return values or None
    if isinstance(value, int):
        return value
    text = _text(value)
    return text or None


def encode_value(value: StoredValue) -> str:
    """Serialize a stored value for the index (JSON)."""
    if isinstance(value, tuple):
        return json.dumps(list(value))
    return json.dumps(value)


def decode_value(text: str) -> StoredValue:
    """Inverse of :func:`encode_value`."""
    value = json.loads(text)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    if isinstance(value, int):
        return value
    return str(value)


#: (keyword, tag) of each kept attribute, so absent ones are skipped cheaply.
_TAGGED = tuple((a.keyword, tag_for_keyword(a.keyword)) for a in PATIENT_ATTRIBUTES)


def patient_values(ds: Dataset) -> dict[str, StoredValue]:
    """The known (non-empty) patient attributes of ``ds``, by keyword."""
    values: dict[str, StoredValue] = {}
    # An instance carries few of them: a tag look-up skips the absent ones
    # (~5 us each through pydicom's keyword access, for every stored instance).
    present = ds.keys()
    for keyword, tag in _TAGGED:
        if tag not in present:
            continue
        try:
            value = read_value(ds, keyword)
        except (ValueError, TypeError):  # undecodable value: treat as unknown
            continue
        if value is not None:
            values[keyword] = value
    return values


def _date_time(ds: Dataset, date_kw: str, time_kw: str) -> str | None:
    """``YYYYMMDDHHMMSS`` from a DA/TM pair, or None when the date is unusable."""
    try:
        date = _text(ds.get(date_kw, ""))
        time = _text(ds.get(time_kw, ""))
    except (ValueError, TypeError):
        return None
    if not _DATE.match(date):
        return None
    match = _TIME.match(time)
    digits = match.group(0) if match else ""
    return date + digits.ljust(6, "0")


def instance_datetime(ds: Dataset, fallback: datetime) -> str:
    """When the instance's content was created, as DT ``YYYYMMDDHHMMSS``.

    The first usable pair of Content, Acquisition, Series, Study and Instance
    Creation date/time; ``fallback`` (normally "now") when none is usable.
    Patient attributes and RPI SR documents are ordered by this value.
    """
    for date_kw, time_kw in _DATE_TIME_PAIRS:
        found = _date_time(ds, date_kw, time_kw)
        if found is not None:
            return found
    return fallback.strftime("%Y%m%d%H%M%S")


def is_ascii(value: StoredValue) -> bool:
    """True when the value needs no Specific Character Set (PS3.5 6.1.2)."""
    if isinstance(value, tuple):
        return all(v.isascii() for v in value)
    return str(value).isascii()
