"""An RPI answer as a Comprehensive SR document (PS3.3 A.35.3), and its Part 10 file.

:func:`make_comprehensive_sr` turns the identifier of a Pending RPI response
(PS3.4 Q.4.3.1.2.1: patient keys plus a root CONTAINER) into a new SR
instance of the Comprehensive SR IOD (SOP Class 1.2.840.10008.5.1.4.1.1.88.33):

* new Study, Series and SOP Instance UIDs (PS3.5 B.2);
* Patient Module (PS3.3 C.7.1.1) and Patient Study attributes copied from
  the answer (whichever of :data:`PATIENT_KEYWORDS` it holds);
* General Study / SR Document Series / General Equipment with their Type 2
  attributes present (empty where nothing is known);
* SR Document General Module (PS3.3 C.17.2): Instance Number, Completion Flag
  ``COMPLETE``, Verification Flag ``UNVERIFIED``, Content Date/Time = now;
* SR Document Content (PS3.3 C.17.3): the answer's root content item and its
  Content Sequence, copied unchanged, with the Content Template Sequence of
  the answer (PS3.3 C.18.8.1.2);
* Specific Character Set (PS3.3 C.12.1.1.2): the answer's, or ISO_IR 192 when
  it combines single-byte ISO 2022 sets, which pydicom would write without
  the switches back that PS3.5 6.1.2.5.3 requires
  (:func:`~rpiq.core.sr.charset.pydicom_handles`); the characters are the
  same either way.

The Comprehensive SR IOD allows every RPI value type but SCOORD3D (Comprehensive
3D SR) and TABLE (PS3.3 Table A.35.3-2); unreadable items cannot be written.
Both are refused with a :class:`ValueError` naming the items.
:func:`write_document` writes the instance atomically as a PS3.10 file.
"""

from __future__ import annotations

import copy
import io
from datetime import datetime
from typing import TYPE_CHECKING

from pydicom import dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

from rpiq.core.errors import RpiqError
from rpiq.core.paths import atomic_write_bytes
from rpiq.core.sr.charset import pydicom_handles
from rpiq.core.sr.model import UNREADABLE, ContentNode, ValueType, format_path

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

__all__ = [
    "COMPREHENSIVE_SR",
    "PATIENT_KEYWORDS",
    "check_comprehensive",
    "make_comprehensive_sr",
    "write_document",
]

#: Comprehensive SR Storage SOP Class (PS3.4 Table B.5-1).
COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
UTF8 = "ISO_IR 192"
MANUFACTURER = "RPIQ Workstation"

#: Patient Module (C.7.1.1) and Patient Study Module (C.7.2.2) keys copied.
PATIENT_KEYWORDS: tuple[str, ...] = (
    "PatientName",
    "PatientID",
    "IssuerOfPatientID",
    "IssuerOfPatientIDQualifiersSequence",
    "PatientBirthDate",
    "PatientSex",
    "OtherPatientIDsSequence",
    "PatientAge",
    "PatientSize",
    "PatientWeight",
    "MedicalAlerts",
    "Allergies",
    "SmokingStatus",
    "PregnancyStatus",
    "LastMenstrualDate",
    "AdditionalPatientHistory",
    "PatientState",
)

#: Root content item attributes of the answer (PS3.4 Q.4.3.1.2.1, C.17.3).
_CONTENT_KEYWORDS = (
    "ValueType",
    "ConceptNameCodeSequence",
    "ContinuityOfContent",
    "ObservationDateTime",
    "ContentSequence",
)

#: Value types of the Comprehensive SR IOD (PS3.3 Table A.35.3-2).
_ALLOWED = frozenset(ValueType) - {ValueType.SCOORD3D, ValueType.TABLE}
_BY_REFERENCE = "BY-REFERENCE"


def check_comprehensive(root: ContentNode) -> list[str]:
    """Why ``root`` cannot be a Comprehensive SR document (empty when it can).

    Returns
    -------
    list of str
        One sentence per problem: root not a CONTAINER, unreadable items,
        value types outside the IOD (each naming the item paths).
    """
    problems: list[str] = []
    if root.value_type != ValueType.CONTAINER:
        problems.append(f"The root item is {root.value_type}, not a CONTAINER.")
    unreadable: list[str] = []
    outside: dict[str, list[str]] = {}
    for path, node in root.walk():
        if node.value_type == UNREADABLE:
            unreadable.append(format_path(path))
        elif node.value_type != _BY_REFERENCE and node.value_type not in _ALLOWED:
            outside.setdefault(node.value_type, []).append(format_path(path))
    if unreadable:
        problems.append(f"Unreadable items cannot be saved: {_some(unreadable)}.")
    for value_type, paths in outside.items():
        problems.append(
            f"A Comprehensive SR cannot hold {value_type} items: {_some(paths)}."
        )
    return problems


def _some(paths: list[str], limit: int = 5) -> str:
    shown = ", ".join(paths[:limit])
    return shown if len(paths) <= limit else f"{shown} and {len(paths) - limit} more"


def _template_sequence(identifier: Dataset, root: ContentNode) -> Sequence | None:
    existing = identifier.get("ContentTemplateSequence")
    if existing:
        return Sequence(copy.deepcopy(list(existing)))
    if root.template is None:
        return None
    item = Dataset()
    item.MappingResource, item.TemplateIdentifier = root.template
    return Sequence([item])


def _has_non_ascii(ds: Dataset) -> bool:
    for element in ds:
        if element.VR == "SQ":
            if any(_has_non_ascii(item) for item in element.value):
                return True
            continue
        values = element.value if element.VM > 1 else [element.value]
        for value in values:
            text = value if isinstance(value, str) else str(value)
            if not text.isascii():
                return True
    return False


def _copy_attributes(
    out: Dataset, identifier: Dataset, keywords: tuple[str, ...]
) -> None:
    for keyword in keywords:
        if keyword in identifier:
            setattr(out, keyword, copy.deepcopy(identifier[keyword].value))


def _study_and_series(out: Dataset, uid: Callable[[], str], when: datetime) -> None:
    date, time = when.strftime("%Y%m%d"), when.strftime("%H%M%S")
    out.StudyInstanceUID = uid()
    out.StudyDate, out.StudyTime = date, time
    out.ReferringPhysicianName = ""
    out.StudyID = ""
    out.AccessionNumber = ""
    out.Modality = "SR"
    out.SeriesInstanceUID = uid()
    out.SeriesNumber = 1
    out.ReferencedPerformedProcedureStepSequence = []
    out.Manufacturer = MANUFACTURER
    out.InstanceNumber = 1
    out.CompletionFlag = "COMPLETE"
    out.VerificationFlag = "UNVERIFIED"
    out.ContentDate, out.ContentTime = date, time
    out.InstanceCreationDate, out.InstanceCreationTime = date, time
    out.PerformedProcedureCodeSequence = []


def make_comprehensive_sr(
    identifier: Dataset,
    root: ContentNode,
    *,
    now: datetime | None = None,
    uid: Callable[[], str] = generate_uid,
) -> Dataset:
    """A new Comprehensive SR instance holding the answer (see the module notes).

    Parameters
    ----------
    identifier : Dataset
        The Pending response identifier (not changed; values are copied).
    root : ContentNode
        The parsed content of ``identifier``: checked with
        :func:`check_comprehensive`, and the source of the Content Template
        Sequence when the identifier has none.
    now : datetime, optional
        Content and study date/time (default: the local time now).
    uid : callable, optional
        UID generator (default :func:`pydicom.uid.generate_uid`).

    Returns
    -------
    Dataset
        The instance, with File Meta Information (Explicit VR Little Endian),
        ready for ``Archive.store`` or :func:`write_document`.

    Raises
    ------
    ValueError
        The answer cannot be a Comprehensive SR (the message says why).
    """
    problems = check_comprehensive(root)
    if problems:
        raise ValueError(" ".join(problems))
    when = now or datetime.now()
    out = Dataset()
    out.SOPClassUID = COMPREHENSIVE_SR
    out.SOPInstanceUID = uid()
    _copy_attributes(out, identifier, PATIENT_KEYWORDS)
    _study_and_series(out, uid, when)
    _copy_attributes(out, identifier, _CONTENT_KEYWORDS)
    out.ValueType = ValueType.CONTAINER.value
    if "ContinuityOfContent" not in out:
        out.ContinuityOfContent = root.continuity or "SEPARATE"
    templates = _template_sequence(identifier, root)
    if templates is not None:
        out.ContentTemplateSequence = templates
    charset = identifier.get("SpecificCharacterSet")
    if charset and pydicom_handles(charset):
        out.SpecificCharacterSet = copy.deepcopy(charset)
    elif _has_non_ascii(out):
        # Same characters, in a set pydicom writes correctly (.charset).
        out.SpecificCharacterSet = UTF8
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(COMPREHENSIVE_SR)
    meta.MediaStorageSOPInstanceUID = UID(out.SOPInstanceUID)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    out.file_meta = meta
    return out


def write_document(path: Path, ds: Dataset) -> None:
    """Write ``ds`` (with its File Meta Information) atomically as a PS3.10 file.

    Raises
    ------
    RpiqError
        The file cannot be written (the message names the path and the cause).
    ValueError
        ``ds`` has no File Meta Information.
    """
    if not getattr(ds, "file_meta", None):
        raise ValueError("the dataset has no File Meta Information")
    buffer = io.BytesIO()
    dcmwrite(buffer, ds, enforce_file_format=True)
    try:
        atomic_write_bytes(path, buffer.getvalue(), 0o644)
    except OSError as exc:
        raise RpiqError(f"Cannot write {path}: {exc.strerror or exc}") from None
