"""The local archive: durable instance storage and RPI answers (PS3.4 B, Q).

:class:`Archive` ties the instance files (:mod:`~rpiq.core.archive.storage`),
the SQLite index (:mod:`~rpiq.core.archive.index`) and the RPI answer
assembly (:mod:`~rpiq.core.archive.answer`) together. It is safe to use from
several threads (pynetdicom association threads) and processes at once.

Durability of :meth:`Archive.store`: the file is written to a temporary name,
fsync'ed, renamed to its final name and the folder fsync'ed, and the index
transaction is committed (WAL, ``synchronous=FULL``) before it returns. Any
failure raises :class:`~rpiq.core.errors.ArchiveError` and leaves no index row
and no partial file; a replaced instance keeps its old file until the new one
is committed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rpiq.core.archive import answer as answers
from rpiq.core.archive.importer import import_paths, read_instance
from rpiq.core.archive.index import Index
from rpiq.core.archive.ingest import (
    dataset_writer,
    encoded_writer,
    file_writer,
    make_record,
)
from rpiq.core.archive.lookup import CACHE_SIZE, AnswerCache
from rpiq.core.archive.model import (
    AttributeValue,
    InstanceSummary,
    PatientDetails,
    PatientSummary,
    StoreResult,
)
from rpiq.core.archive.schema import PATIENT_ATTRIBUTES
from rpiq.core.archive.storage import InstanceFiles
from rpiq.core.paths import AppPaths

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable, Iterable

    from pydicom.dataset import Dataset

    from rpiq.core.archive.importer import Progress
    from rpiq.core.archive.model import ImportSummary, RpiAnswer
    from rpiq.core.archive.records import InstanceRecord, InstanceRow

_LOG = logging.getLogger(__name__)
INDEX_NAME = "index.sqlite3"


class Archive:
    """An indexed local archive of DICOM instances.

    Parameters
    ----------
    root : Path
        The archive folder (created if missing): ``index.sqlite3``,
        ``instances/`` and ``tmp/``.
    cache_size : int
        How many built RPI answers (patient, template) to keep in memory.

    Raises
    ------
    ArchiveError
        If the folder cannot be created or written, or the index is damaged or
        from a newer version.
    """

    def __init__(self, root: Path, *, cache_size: int = CACHE_SIZE) -> None:
        self.root = Path(root)
        self._files = InstanceFiles(self.root)
        self._files.prepare()
        self.index = Index(self.root / INDEX_NAME)
        self.index.open()
        self._cache = AnswerCache(cache_size)

    @classmethod
    def default(cls) -> Archive:
        """The user's archive (``AppPaths.default().archive_dir``; RPIQ_HOME)."""
        return cls(AppPaths.default().archive_dir)

    def __repr__(self) -> str:
        return f"Archive({str(self.root)!r})"

    # ------------------------------------------------------------- storing

    def store(self, ds: Dataset, encoded: bytes | None = None) -> StoreResult:
        """Store one instance durably (see the module notes).

        Parameters
        ----------
        ds : Dataset
            The instance, e.g. a C-STORE dataset with its ``file_meta``.
        encoded : bytes, optional
            ``ds`` exactly as received, in the transfer syntax of its
            ``file_meta`` (pynetdicom's ``event.encoded_dataset(False)``):
            written after the File Meta as is, instead of re-encoding ``ds``.

        Returns
        -------
        StoreResult
            Where it went and whether it replaced an instance with the same
            SOP Instance UID.

        Raises
        ------
        ArchiveError
            With a message for the user: invalid UID, no Patient ID, unreadable
            values, or a write failure (the cause is the ``OSError`` or
            ``sqlite3`` error).
        """
        record, warnings = make_record(ds)
        if encoded is None:
            return self._commit(record, warnings, dataset_writer(ds, record))
        return self._commit(record, warnings, encoded_writer(ds, record, encoded))

    def _commit(
        self,
        record: InstanceRecord,
        warnings: tuple[str, ...],
        write: Callable[[IO[bytes]], None],
    ) -> StoreResult:
        uid = record.sop_instance_uid
        tmp = self._files.write_temp(uid, write)
        placed: Path | None = None
        replaced: Path | None = None
        try:
            with self.index.write() as writer:
                old = writer.existing(uid)
                revision = 0 if old is None else old.revision + 1
                relative = self._files.relative_path(uid, revision)
                placed = self._files.place(tmp, relative)
                writer.put(record, relative, old)
                if old is not None:
                    replaced = self._files.absolute(old.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            if placed is not None:
                self._files.discard(placed)
            raise
        if replaced is not None and replaced != placed:
            self._files.discard(replaced)
        if warnings:
            _LOG.warning("%s: %s", uid, " ".join(warnings))
        assert placed is not None
        return StoreResult(
            sop_instance_uid=uid,
            patient_id=record.patient_id,
            issuer=record.issuer or None,
            replaced=replaced is not None,
            path=placed,
            rpi_template=None if record.rpi is None else record.rpi.tid,
            warnings=warnings,
        )

    def store_file(self, path: Path) -> StoreResult:
        """Store a PS3.10 file, copying it byte for byte (used by the import).

        Raises
        ------
        ArchiveError
            As :meth:`store`; ``pydicom.errors.InvalidDicomError`` when the
            file is not DICOM.
        """
        ds = read_instance(path)
        record, warnings = make_record(ds)
        return self._commit(record, warnings, file_writer(path))

    def import_paths(
        self,
        paths: Iterable[Path],
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> ImportSummary:
        """Import files and folders (recursively); see :mod:`.importer`."""
        return import_paths(self, paths, progress, cancel)

    # ------------------------------------------------------------- answering

    def answer(self, identifier: Dataset, sop_class_uid: str) -> RpiAnswer:
        """Answer one RPI C-FIND request (PS3.4 Annex Q).

        Parameters
        ----------
        identifier : Dataset
            The request identifier as received.
        sop_class_uid : str
            Affected SOP Class UID of the request.

        Returns
        -------
        RpiAnswer
            Pending with the identifier, Success (no patient), C100, C200,
            A900, or "SOP class not supported"; see :mod:`.answer`.

        Raises
        ------
        ArchiveError
            If the index cannot be read (cause: the ``sqlite3`` error).
        """
        return answers.answer(self.index, self._cache, identifier, sop_class_uid)

    def clear_cache(self) -> None:
        """Forget built answers (they are rebuilt on the next query)."""
        self._cache.clear()

    # ------------------------------------------------------------- listing

    def patients(self, limit: int | None = None) -> list[PatientSummary]:
        """Patients by ID: key, name, birth date, sex, instances, templates.

        Parameters
        ----------
        limit : int, optional
            At most this many (the first by Patient ID); default all.
        """
        with self.index.read() as reader:
            rows = reader.patients(limit)
        return [
            PatientSummary(
                patient_id=row.patient_id,
                issuer=row.issuer or None,
                name=_text(row.attributes.get("PatientName")),
                birth_date=_text(row.attributes.get("PatientBirthDate")),
                sex=_text(row.attributes.get("PatientSex")),
                instances=row.instances,
                templates=row.templates,
            )
            for row in rows
        ]

    def instances(self) -> list[InstanceSummary]:
        """Every stored instance, by patient then date."""
        with self.index.read() as reader:
            rows = reader.instances()
        return [self._instance(row) for row in rows]

    def patient_details(
        self, patient_id: str, issuer: str | None = None
    ) -> list[PatientDetails]:
        """Everything known about the patient(s) with this ID (and issuer)."""
        details = []
        with self.index.read() as reader:
            for key in reader.find_patients(patient_id, issuer, limit=None):
                attributes = reader.attributes(key.rowid)
                instances = reader.instances(key.rowid)
                details.append(
                    PatientDetails(
                        key.patient_id,
                        key.issuer or None,
                        tuple(_ordered(attributes)),
                        tuple(self._instance(row) for row in instances),
                    )
                )
        return details

    def counts(self) -> tuple[int, int]:
        """(patients, instances) in the archive."""
        with self.index.read() as reader:
            return reader.counts()

    def _instance(self, row: InstanceRow) -> InstanceSummary:
        return InstanceSummary(
            sop_instance_uid=row.sop_instance_uid,
            sop_class_uid=row.sop_class_uid,
            patient_id=row.patient_id,
            issuer=row.issuer or None,
            datetime=row.datetime,
            path=self._files.absolute(row.path) if row.path else self.root,
            rpi_template=row.rpi_tid,
        )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return "\\".join(value)
    return str(value)


def _ordered(attributes: dict[str, AttributeValue]) -> list[AttributeValue]:
    order = {a.keyword: n for n, a in enumerate(PATIENT_ATTRIBUTES)}
    return sorted(attributes.values(), key=lambda a: order.get(a.keyword, len(order)))
