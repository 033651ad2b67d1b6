"""Rows the archive index reads and writes, as plain frozen dataclasses.

Kept apart from :mod:`rpiq.core.archive.index` (the only module with SQL) so
that the archive's other modules can name them without touching the database.
Field meanings follow the Patient IE (PS3.3 C.2.2-C.2.4) and the SOP Common
Module (PS3.3 C.12.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from rpiq.core.archive.content import RpiContent
    from rpiq.core.archive.schema import StoredValue


@dataclass(frozen=True, slots=True)
class InstanceRecord:
    """What the index keeps of one instance (built before anything is written)."""

    sop_instance_uid: str
    sop_class_uid: str
    patient_id: str
    issuer: str
    datetime: str
    stored_at: str
    attributes: Mapping[str, StoredValue]
    rpi: RpiContent | None = None


@dataclass(frozen=True, slots=True)
class Existing:
    """The index row of an instance about to be replaced."""

    rowid: int
    patient: int
    path: str
    revision: int


@dataclass(frozen=True, slots=True)
class PatientKey:
    """A patient row: key, and the generation that changes on every store."""

    rowid: int
    patient_id: str
    issuer: str
    generation: int
    latest: str


@dataclass(frozen=True, slots=True)
class StoredRpi:
    """The newest RPI SR content of one patient for one template."""

    sop_instance_uid: str
    blob: bytes
    ascii_only: bool


@dataclass(frozen=True, slots=True)
class InstanceRow:
    """One row of the instance listing."""

    sop_instance_uid: str
    sop_class_uid: str
    patient_id: str
    issuer: str
    datetime: str
    path: str
    rpi_tid: int | None


@dataclass(frozen=True, slots=True)
class PatientRow:
    """One row of the patient listing."""

    patient_id: str
    issuer: str
    attributes: dict[str, StoredValue]
    instances: int
    templates: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class BulkPatient:
    """A patient with one synthetic instance, for :meth:`Index.bulk_insert`."""

    patient_id: str
    issuer: str
    datetime: str
    attributes: Mapping[str, StoredValue]
    rpi: RpiContent | None = None
