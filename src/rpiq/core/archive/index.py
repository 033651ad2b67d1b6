"""The archive index: the only module that speaks SQL (stdlib ``sqlite3``).

SQLite in WAL mode with ``synchronous=FULL`` (a committed store survives a
crash or power loss), a busy timeout for concurrent writers, and the schema
versioned with ``PRAGMA user_version``. Each thread keeps one connection
(callers run on pynetdicom association threads, and ``sqlite3`` connections
must stay on the thread that made them); opening one per operation cost more
than the store itself. A connection that failed is dropped, and one inherited
through ``fork`` is never used. Lookups
used by an RPI query (PS3.4 Annex Q) are indexed: patient by (Patient ID,
Issuer of Patient ID), attributes by patient, SR content by (patient, TID,
date). Another engine can replace this module behind the same methods.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rpiq.core.archive.model import AttributeValue
from rpiq.core.archive.records import (
    BulkPatient,
    Existing,
    InstanceRecord,
    InstanceRow,
    PatientKey,
    PatientRow,
    StoredRpi,
)
from rpiq.core.archive.schema import decode_value, encode_value
from rpiq.core.errors import ArchiveError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0
_BULK_CLASS = "1.2.840.10008.5.1.4.1.1.88.33"  # Comprehensive SR

_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE patient (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " patient_id TEXT NOT NULL, issuer TEXT NOT NULL,"
        " generation INTEGER NOT NULL DEFAULT 0, latest TEXT NOT NULL DEFAULT '',"
        " UNIQUE (patient_id, issuer))",
        "CREATE TABLE patient_attribute (patient INTEGER NOT NULL,"
        " keyword TEXT NOT NULL, value TEXT NOT NULL, source_uid TEXT NOT NULL,"
        " source_datetime TEXT NOT NULL, PRIMARY KEY (patient, keyword))"
        " WITHOUT ROWID",
        "CREATE TABLE instance (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " sop_instance_uid TEXT NOT NULL UNIQUE, sop_class_uid TEXT NOT NULL,"
        " patient INTEGER NOT NULL, path TEXT NOT NULL, revision INTEGER NOT NULL,"
        " datetime TEXT NOT NULL, stored_at TEXT NOT NULL, rpi_tid INTEGER)",
        "CREATE INDEX instance_by_patient ON instance (patient, datetime)",
        "CREATE TABLE rpi_document (instance INTEGER PRIMARY KEY,"
        " patient INTEGER NOT NULL, tid INTEGER NOT NULL, datetime TEXT NOT NULL,"
        " ascii_only INTEGER NOT NULL, content BLOB NOT NULL)",
        "CREATE INDEX rpi_by_patient_template"
        " ON rpi_document (patient, tid, datetime, instance)",
    ),
)
assert len(_MIGRATIONS) == SCHEMA_VERSION

#: Attributes the patient listing shows.
LISTED_ATTRIBUTES = ("PatientName", "PatientBirthDate", "PatientSex")

_UPSERT_ATTRIBUTE = (
    "INSERT INTO patient_attribute VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (patient, keyword) DO UPDATE SET value = excluded.value,"
    " source_uid = excluded.source_uid,"
    " source_datetime = excluded.source_datetime"
    " WHERE excluded.source_datetime >= patient_attribute.source_datetime"
)
_UPSERT_PATIENT = (
    "INSERT INTO patient (patient_id, issuer, generation, latest)"
    " VALUES (?, ?, 1, ?) ON CONFLICT (patient_id, issuer) DO UPDATE SET"
    " generation = generation + 1, latest = max(latest, excluded.latest)"
)


def _database_error(path: Path, exc: sqlite3.Error) -> ArchiveError:
    text = str(exc)
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return ArchiveError(f"Disk full: the archive index {path} cannot grow.")
    if "not a database" in text or "malformed" in text:
        text = "the file is damaged or not an RPIQ archive index"
    return ArchiveError(f"The archive index {path} cannot be used: {text}.")


class IndexReader:
    """Queries inside one read transaction (a consistent WAL snapshot)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def find_patients(
        self, patient_id: str, issuer: str | None, limit: int | None = 2
    ) -> list[PatientKey]:
        """Patients with this ID and issuer (``None``: any issuer, up to ``limit``)."""
        sql = "SELECT id, patient_id, issuer, generation, latest FROM patient"
        if issuer is None:
            rows = self._conn.execute(
                f"{sql} WHERE patient_id = ? ORDER BY issuer LIMIT ?",
                (patient_id, -1 if limit is None else limit),
            )
        else:
            rows = self._conn.execute(
                f"{sql} WHERE patient_id = ? AND issuer = ?", (patient_id, issuer)
            )
        return [PatientKey(*row) for row in rows]

    def attributes(self, patient: int) -> dict[str, AttributeValue]:
        """Latest value of each attribute of the patient, by keyword."""
        rows = self._conn.execute(
            "SELECT keyword, value, source_uid, source_datetime"
            " FROM patient_attribute WHERE patient = ?",
            (patient,),
        )
        return {
            kw: AttributeValue(kw, decode_value(value), uid, when)
            for kw, value, uid, when in rows
        }

    def newest_rpi(self, patient: int, tid: int) -> StoredRpi | None:
        """The newest stored SR content of the patient for ``tid``."""
        row = self._conn.execute(
            "SELECT i.sop_instance_uid, d.content, d.ascii_only FROM rpi_document d"
            " JOIN instance i ON i.id = d.instance WHERE d.patient = ? AND d.tid = ?"
            " ORDER BY d.datetime DESC, d.instance DESC LIMIT 1",
            (patient, tid),
        ).fetchone()
        return None if row is None else StoredRpi(row[0], bytes(row[1]), bool(row[2]))

    def instances(self, patient: int | None = None) -> list[InstanceRow]:
        """Stored instances (of one patient, newest first, or all)."""
        sql = (
            "SELECT i.sop_instance_uid, i.sop_class_uid, p.patient_id, p.issuer,"
            " i.datetime, i.path, i.rpi_tid FROM instance i"
            " JOIN patient p ON p.id = i.patient"
        )
        if patient is None:
            rows = self._conn.execute(
                f"{sql} ORDER BY p.patient_id, p.issuer, i.datetime, i.id"
            )
        else:
            rows = self._conn.execute(
                f"{sql} WHERE i.patient = ? ORDER BY i.datetime DESC, i.id DESC",
                (patient,),
            )
        return [InstanceRow(*row) for row in rows]

    def patients(self, limit: int | None = None) -> list[PatientRow]:
        """Patients by ID: name, birth date, sex, instance count, templates."""
        listed = ", ".join(f"'{k}'" for k in LISTED_ATTRIBUTES)
        rows = self._conn.execute(
            "SELECT p.patient_id, p.issuer,"
            " (SELECT json_group_object(a.keyword, a.value) FROM patient_attribute a"
            f"  WHERE a.patient = p.id AND a.keyword IN ({listed})),"
            " (SELECT COUNT(*) FROM instance i WHERE i.patient = p.id),"
            " (SELECT GROUP_CONCAT(DISTINCT d.tid) FROM rpi_document d"
            "  WHERE d.patient = p.id)"
            " FROM patient p ORDER BY p.patient_id, p.issuer LIMIT ?",
            (-1 if limit is None else limit,),
        )
        result = []
        for patient_id, issuer, attributes, count, tids in rows:
            values = {
                k: decode_value(v) for k, v in json.loads(attributes or "{}").items()
            }
            templates = tuple(sorted(int(t) for t in str(tids or "").split(",") if t))
            result.append(PatientRow(patient_id, issuer, values, count, templates))
        return result

    def counts(self) -> tuple[int, int]:
        """(patients, instances)."""
        patients = self._conn.execute("SELECT COUNT(*) FROM patient").fetchone()[0]
        instances = self._conn.execute("SELECT COUNT(*) FROM instance").fetchone()[0]
        return int(patients), int(instances)


class IndexWriter:
    """Changes inside one write transaction (``BEGIN IMMEDIATE``)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def existing(self, uid: str) -> Existing | None:
        """The row of an already stored instance with this SOP Instance UID."""
        row = self._conn.execute(
            "SELECT id, patient, path, revision FROM instance"
            " WHERE sop_instance_uid = ?",
            (uid,),
        ).fetchone()
        return None if row is None else Existing(*row)

    def put(self, record: InstanceRecord, path: str, old: Existing | None) -> int:
        """Index ``record`` at ``path``, replacing ``old``; return the patient row."""
        conn = self._conn
        if old is not None:
            conn.execute("DELETE FROM rpi_document WHERE instance = ?", (old.rowid,))
            conn.execute("DELETE FROM instance WHERE id = ?", (old.rowid,))
            conn.execute(
                "DELETE FROM patient_attribute WHERE patient = ? AND source_uid = ?",
                (old.patient, record.sop_instance_uid),
            )
        conn.execute(
            _UPSERT_PATIENT, (record.patient_id, record.issuer, record.datetime)
        )
        patient = self._patient_row(record.patient_id, record.issuer)
        revision = 0 if old is None else old.revision + 1
        rpi_tid = None if record.rpi is None else record.rpi.tid
        instance = conn.execute(
            "INSERT INTO instance (sop_instance_uid, sop_class_uid, patient, path,"
            " revision, datetime, stored_at, rpi_tid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.sop_instance_uid,
                record.sop_class_uid,
                patient,
                path,
                revision,
                record.datetime,
                record.stored_at,
                rpi_tid,
            ),
        ).lastrowid
        conn.executemany(
            _UPSERT_ATTRIBUTE,
            [
                (patient, kw, encode_value(v), record.sop_instance_uid, record.datetime)
                for kw, v in record.attributes.items()
            ],
        )
        if record.rpi is not None:
            conn.execute(
                "INSERT INTO rpi_document VALUES (?, ?, ?, ?, ?, ?)",
                (
                    instance,
                    patient,
                    record.rpi.tid,
                    record.datetime,
                    int(record.rpi.ascii_only),
                    record.rpi.blob,
                ),
            )
        if old is not None and old.patient != patient:
            self._touch_or_drop(old.patient)
        return patient

    def _patient_row(self, patient_id: str, issuer: str) -> int:
        row = self._conn.execute(
            "SELECT id FROM patient WHERE patient_id = ? AND issuer = ?",
            (patient_id, issuer),
        ).fetchone()
        return int(row[0])

    def _touch_or_drop(self, patient: int) -> None:
        """After an instance moved away: drop an empty patient, else bump it."""
        left = self._conn.execute(
            "SELECT COUNT(*) FROM instance WHERE patient = ?", (patient,)
        ).fetchone()[0]
        if left:
            self._conn.execute(
                "UPDATE patient SET generation = generation + 1 WHERE id = ?",
                (patient,),
            )
            return
        self._conn.execute(
            "DELETE FROM patient_attribute WHERE patient = ?", (patient,)
        )
        self._conn.execute("DELETE FROM patient WHERE id = ?", (patient,))

    def bulk(self, patients: Iterable[BulkPatient], first_uid: int) -> int:
        """Insert patients, one synthetic instance each; see ``Index.bulk_insert``."""
        conn = self._conn
        rows: dict[str, list[tuple[object, ...]]] = {
            "patient": [],
            "instance": [],
            "patient_attribute": [],
            "rpi_document": [],
        }
        next_patient = _next_id(conn, "patient")
        next_instance = _next_id(conn, "instance")
        for n, p in enumerate(patients):
            pid, iid = next_patient + n, next_instance + n
            uid = f"2.25.{first_uid + n}"
            tid = None if p.rpi is None else p.rpi.tid
            rows["patient"].append((pid, p.patient_id, p.issuer, 1, p.datetime))
            rows["instance"].append(
                (iid, uid, _BULK_CLASS, pid, "", 0, p.datetime, p.datetime, tid)
            )
            rows["patient_attribute"].extend(
                (pid, kw, encode_value(v), uid, p.datetime)
                for kw, v in p.attributes.items()
            )
            if p.rpi is not None:
                rpi = p.rpi
                rows["rpi_document"].append(
                    (iid, pid, rpi.tid, p.datetime, int(rpi.ascii_only), rpi.blob)
                )
        for table, values in rows.items():
            if values:
                marks = ", ".join("?" * len(values[0]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
        return len(rows["patient"])


class Index:
    """The SQLite index of one archive.

    Parameters
    ----------
    path : Path
        The database file (``<archive>/index.sqlite3``).
    busy_timeout : float
        Seconds a writer waits for another writer's lock.
    """

    def __init__(self, path: Path, busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=self.busy_timeout, isolation_level=None
        )
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    def _thread_connection(self) -> sqlite3.Connection:
        """The calling thread's connection, opened on first use or after a fork."""
        held: tuple[int, sqlite3.Connection] | None = getattr(self._local, "conn", None)
        if held is not None and held[0] == os.getpid():
            return held[1]
        conn = self._connect()
        self._local.conn = (os.getpid(), conn)
        return conn

    def _drop_connection(self) -> None:
        """Close this thread's connection after an error (the next use reopens)."""
        held = getattr(self._local, "conn", None)
        self._local.conn = None
        if held is not None and held[0] == os.getpid():
            held[1].close()

    def close(self) -> None:
        """Close the calling thread's connection (others close with their thread)."""
        self._drop_connection()

    def open(self) -> None:
        """Create or migrate the schema; switch the database to WAL.

        Raises
        ------
        ArchiveError
            If the file is damaged, not an index, or from a newer RPIQ.
        """
        try:
            _create_owner_only(self.path)
        except OSError as exc:
            raise ArchiveError(
                f"The archive index {self.path} cannot be created: "
                f"{exc.strerror or exc}."
            ) from exc
        try:
            conn = self._connect()
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("BEGIN IMMEDIATE")
                self._migrate(conn)
                conn.execute("COMMIT")
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise _database_error(self.path, exc) from exc

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            conn.execute("ROLLBACK")
            raise ArchiveError(
                f"The archive index {self.path} was written by a newer RPIQ "
                f"(schema {version}, this version knows {SCHEMA_VERSION})."
            )
        for statements in _MIGRATIONS[version:]:
            for statement in statements:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        """The calling thread's connection inside ``begin`` … COMMIT.

        Any error closes the connection, which also rolls back whatever the
        transaction did, so the thread's next operation starts clean.
        """
        try:
            conn = self._thread_connection()
            conn.execute(begin)
        except sqlite3.Error as exc:
            self._drop_connection()
            raise _database_error(self.path, exc) from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._drop_connection()
            raise _database_error(self.path, exc) from exc
        except BaseException:
            self._drop_connection()
            raise

    @contextmanager
    def read(self) -> Iterator[IndexReader]:
        """A reader on a consistent snapshot (one read transaction)."""
        with self._transaction("BEGIN") as conn:
            yield IndexReader(conn)

    @contextmanager
    def write(self) -> Iterator[IndexWriter]:
        """A writer: committed (durably) on normal exit, rolled back on error."""
        with self._transaction("BEGIN IMMEDIATE") as conn:
            yield IndexWriter(conn)

    def bulk_insert(self, patients: Iterable[BulkPatient], first_uid: int = 1) -> int:
        """Insert many patients with one synthetic instance each (benchmarks).

        Instance rows point at no file; SOP Instance UIDs are ``2.25.<n>``
        counting from ``first_uid``. Returns the number inserted.
        """
        with self.write() as writer:
            return writer.bulk(patients, first_uid)


def _create_owner_only(path: Path) -> None:
    """Create the database file 0600 before SQLite does (it would use the umask).

    SQLite gives its ``-wal`` and ``-shm`` files the database file's mode, so
    the whole index stays readable by its owner only: it holds patient names.
    An existing file is only chmod'ed, never opened: closing any descriptor of
    the file would drop the POSIX locks SQLite holds on it in this process
    (https://sqlite.org/howtocorrupt.html, 2.2), and committed transactions
    were lost that way.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if os.name == "posix" and path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return
    os.close(fd)


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    row = conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()
    return int(row[0])
