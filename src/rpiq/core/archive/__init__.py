"""Local archive and RPI answers: indexed instances, PS3.4 Annex Q responses.

:class:`Archive` stores DICOM instances durably (PS3.4 Annex B storage as used
by the embedded SCP, and ``rpiq archive import``), keeps each patient's latest
Patient Module attributes and the SR documents of PS3.16 Annex K templates in
an SQLite index, and answers Relevant Patient Information queries (PS3.4
Annex Q) for all three RPI SOP classes with :meth:`Archive.answer`.
"""

from __future__ import annotations

from rpiq.core.archive.archive import Archive
from rpiq.core.archive.importer import Progress
from rpiq.core.archive.model import (
    AttributeValue,
    ImportProblem,
    ImportSummary,
    InstanceSummary,
    PatientDetails,
    PatientSummary,
    RpiAnswer,
    StoreResult,
)
from rpiq.core.archive.storage import ArchiveWriteError, check_uid
from rpiq.core.errors import ArchiveError

__all__ = [
    "Archive",
    "ArchiveError",
    "ArchiveWriteError",
    "AttributeValue",
    "ImportProblem",
    "ImportSummary",
    "InstanceSummary",
    "PatientDetails",
    "PatientSummary",
    "Progress",
    "RpiAnswer",
    "StoreResult",
    "check_uid",
]
