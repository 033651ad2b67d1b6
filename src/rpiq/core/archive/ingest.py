"""From a DICOM instance to what the archive writes: index record and file bytes.

Everything that can be refused is checked before a byte is written: SOP
Instance and SOP Class UIDs (PS3.5 9.1), a single non-empty Patient ID
(PS3.3 C.7.1.1), the patient attributes and the RPI content of Annex K SR
documents (PS3.16 Annex K). Instances received over C-STORE are encoded as a
PS3.10 file with their own transfer syntax, their data set bytes copied as
received when the SCP passes them; imported files are copied byte for byte.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO, TYPE_CHECKING

from pydicom import dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_file_meta_info
from pydicom.multival import MultiValue
from pydicom.uid import UID, ExplicitVRLittleEndian

from rpiq.core.archive import content
from rpiq.core.archive.records import InstanceRecord
from rpiq.core.archive.schema import instance_datetime, patient_values
from rpiq.core.archive.storage import check_uid
from rpiq.core.errors import ArchiveError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

_CHUNK = 1024 * 1024


def _patient_id(ds: Dataset) -> str:
    raw = ds.get("PatientID")
    if isinstance(raw, MultiValue | list | tuple):
        raise ArchiveError("The instance's Patient ID has several values.")
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise ArchiveError(
            "The instance has no Patient ID; the archive files instances by patient."
        )
    return text


def _issuer(ds: Dataset) -> str:
    raw = ds.get("IssuerOfPatientID")
    if isinstance(raw, MultiValue | list | tuple):
        raise ArchiveError("The instance's Issuer of Patient ID has several values.")
    return "" if raw is None else str(raw).strip()


def make_record(ds: Dataset) -> tuple[InstanceRecord, tuple[str, ...]]:
    """The index record of ``ds`` and warnings for the user.

    Raises
    ------
    ArchiveError
        For a missing or invalid UID, no Patient ID, or unreadable values.
    """
    now = datetime.now()
    try:
        uid = check_uid(ds.get("SOPInstanceUID"))
        sop_class = check_uid(ds.get("SOPClassUID"), "SOP Class UID")
        patient_id = _patient_id(ds)
        issuer = _issuer(ds)
        when = instance_datetime(ds, now)
        attributes = patient_values(ds)
        rpi, warning = content.extract(ds, when)
    except ArchiveError:
        raise
    except Exception as exc:  # pydicom decodes lazily: damaged values raise anything
        raise ArchiveError(f"The instance cannot be read: {exc!r}") from exc
    record = InstanceRecord(
        sop_instance_uid=uid,
        sop_class_uid=sop_class,
        patient_id=patient_id,
        issuer=issuer,
        datetime=when,
        stored_at=now.strftime("%Y%m%d%H%M%S"),
        attributes=attributes,
        rpi=rpi,
    )
    return record, () if warning is None else (warning,)


def _file_meta(ds: Dataset, record: InstanceRecord) -> FileMetaDataset:
    """PS3.10 File Meta Information for ``ds``: its own, with our UIDs.

    The dataset's meta (e.g. the C-STORE transfer syntax) with the Media
    Storage SOP Class/Instance UIDs set from the dataset; Explicit VR Little
    Endian when it names no transfer syntax.
    """
    meta = FileMetaDataset()
    for element in getattr(ds, "file_meta", None) or ():
        meta.add(element)
    meta.MediaStorageSOPClassUID = UID(record.sop_class_uid)
    meta.MediaStorageSOPInstanceUID = UID(record.sop_instance_uid)
    if "TransferSyntaxUID" not in meta:
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return meta


def dataset_writer(ds: Dataset, record: InstanceRecord) -> Callable[[IO[bytes]], None]:
    """A function writing ``ds`` as a PS3.10 file (caller's dataset untouched)."""
    out = Dataset(dict(ds.items()))  # new top level: the caller's stays untouched
    out.file_meta = _file_meta(ds, record)
    # Keep the received encoding: pydicom then copies undecoded elements as
    # they are instead of decoding every sequence to re-check ambiguous VRs.
    implicit, little = ds.original_encoding
    out.set_original_encoding(implicit, little, ds.original_character_set)

    def write(handle: IO[bytes]) -> None:
        try:
            dcmwrite(handle, out, enforce_file_format=True)
        except OSError:
            raise
        except Exception as exc:  # invalid values raise anything while encoding
            raise ArchiveError(f"The instance cannot be encoded: {exc!r}") from exc

    return write


def encoded_writer(
    ds: Dataset, record: InstanceRecord, encoded: bytes
) -> Callable[[IO[bytes]], None]:
    """A function writing the data set bytes as received, after our File Meta.

    ``encoded`` is the C-STORE data set exactly as it came (in the transfer
    syntax ``ds.file_meta`` names, PS3.10 7.1), which is what a PS3.10 file
    holds after its meta: nothing is decoded or re-encoded, as pynetdicom's
    ``storescp`` does.
    """
    meta = _file_meta(ds, record)
    header = DicomBytesIO()
    header.write(b"\x00" * 128 + b"DICM")
    try:
        write_file_meta_info(header, meta, enforce_standard=True)
    except Exception as exc:  # an unusable transfer syntax or UID in the meta
        raise ArchiveError(f"The instance's File Meta is invalid: {exc}") from exc
    prefix = header.getvalue()

    def write(handle: IO[bytes]) -> None:
        handle.write(prefix)
        handle.write(encoded)

    return write


def file_writer(path: Path) -> Callable[[IO[bytes]], None]:
    """A function copying the file at ``path`` unchanged."""

    def write(handle: IO[bytes]) -> None:
        try:
            source = path.open("rb")
        except OSError as exc:
            raise ArchiveError(f"{path} cannot be read: {exc.strerror}") from exc
        with source:
            while True:
                try:
                    chunk = source.read(_CHUNK)
                except OSError as exc:
                    raise ArchiveError(
                        f"{path} cannot be read: {exc.strerror}"
                    ) from exc
                if not chunk:
                    return
                handle.write(chunk)

    return write
