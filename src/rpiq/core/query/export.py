"""Save and load answer identifiers as DICOM Part 10 or DICOM JSON (PS3.10, PS3.18 F).

An RPI identifier is not a storage object, so the Part 10 file meta names the
RPI SOP class as Media Storage SOP Class and a fresh UID as instance. Writes are
atomic: a full disk never leaves a half-written file.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING

from pydicom import dcmread, dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

from rpiq.core.errors import RpiqError
from rpiq.core.paths import atomic_write_bytes, atomic_write_text

if TYPE_CHECKING:
    from pathlib import Path

JSON_SUFFIXES = (".json",)


def _part10_bytes(ds: Dataset, sop_class_uid: str) -> bytes:
    out = Dataset()
    out.update(ds)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(sop_class_uid)
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    out.file_meta = meta
    buffer = io.BytesIO()
    dcmwrite(buffer, out, enforce_file_format=True)
    return buffer.getvalue()


def write_identifier(
    path: Path, ds: Dataset, sop_class_uid: str, mode: int = 0o644
) -> None:
    """Write ``ds`` as DICOM JSON (``.json``) or Part 10 (anything else).

    ``mode`` is the new file's permission bits: 0644 suits a user's export,
    the history's own copies pass 0600 (they hold patient data).

    Raises
    ------
    RpiqError
        When the file cannot be written (message names the path and the cause).
    """
    try:
        if path.suffix.lower() in JSON_SUFFIXES:
            atomic_write_text(path, json.dumps(ds.to_json_dict(), indent=1), mode)
        else:
            atomic_write_bytes(path, _part10_bytes(ds, sop_class_uid), mode)
    except OSError as exc:
        raise RpiqError(f"Cannot write {path}: {exc.strerror or exc}") from None


def read_identifier(path: Path) -> Dataset:
    """Read a file written by :func:`write_identifier` (or any DICOM/JSON file).

    Raises
    ------
    RpiqError
        Unreadable, not DICOM, or not valid DICOM JSON.
    """
    try:
        if path.suffix.lower() in JSON_SUFFIXES:
            return Dataset.from_json(path.read_text(encoding="utf-8"))
        return dcmread(path)
    except OSError as exc:
        raise RpiqError(f"Cannot read {path}: {exc.strerror or exc}") from None
    except (InvalidDicomError, ValueError, TypeError, KeyError) as exc:
        raise RpiqError(
            f"{path} is not a readable DICOM or DICOM JSON file: {exc}"
        ) from None
