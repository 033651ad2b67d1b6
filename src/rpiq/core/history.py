"""Query history: past requests and their outcome, with each answer kept on disk.

``<data>/history/history.json`` lists the most recent queries, newest first::

    {"schema_version": 1, "entries": [{"entry_id": "...", "time": "...", ...}]}

Each answer identifier is saved next to it as ``<entry_id>.dcm`` (Part 10,
:func:`rpiq.core.query.export.write_identifier`), so a past answer can be
reopened without querying again. Writes are atomic; a corrupt file is kept as
``history.json.bak`` and the history starts empty with a warning, as for
profiles. No Qt here: the GUI runs these methods on a worker thread.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rpiq.core.errors import RpiqError, ValidationError
from rpiq.core.paths import AppPaths, atomic_write_text
from rpiq.core.query.export import read_identifier, write_identifier
from rpiq.core.query.request import QueryRequest
from rpiq.core.templates import RpiSopClass

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

    from rpiq.core.status import StatusInfo

__all__ = ["HISTORY_LIMIT", "HistoryEntry", "HistoryLoad", "HistoryStore"]

SCHEMA_VERSION = 1
HISTORY_LIMIT = 200
FILE_NAME = "history.json"
ANSWER_SUFFIX = ".dcm"


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One past query.

    Attributes
    ----------
    entry_id : str
        Unique id (hex); also the stem of the saved answer file.
    time : str
        When the query started, ISO 8601 in UTC.
    profile : str
        Name of the AE profile that was queried.
    patient_id, issuer : str, str or None
        The requested patient keys.
    sop_class : str
        RPI SOP class keyword (general, breast, cardiac).
    template : int
        Requested TID.
    status : str
        Status category (e.g. ``Success``) or ``Failed: <kind>``.
    status_code : int or None
        The final DIMSE status, when one arrived.
    summary : str
        One line for the user (status meaning or failure message).
    elapsed_ms : float
        Duration of the query.
    answer_file : str or None
        File name of the saved answer identifier, relative to the history dir.
    """

    entry_id: str
    time: str
    profile: str
    patient_id: str
    issuer: str | None
    sop_class: str
    template: int
    status: str
    status_code: int | None
    summary: str
    elapsed_ms: float
    answer_file: str | None = None

    @classmethod
    def create(
        cls,
        profile: str,
        request: QueryRequest,
        status: StatusInfo | None,
        summary: str,
        elapsed_ms: float,
        *,
        failed_kind: str | None = None,
    ) -> HistoryEntry:
        """A new entry stamped now; ``failed_kind`` when no final status came."""
        label = f"Failed: {failed_kind}" if failed_kind else "No response"
        return cls(
            entry_id=uuid.uuid4().hex,
            time=datetime.now(UTC).isoformat(timespec="seconds"),
            profile=profile,
            patient_id=request.patient_id,
            issuer=request.issuer,
            sop_class=request.sop_class.keyword,
            template=request.tid,
            status=status.category.value if status and not failed_kind else label,
            status_code=None if status is None else status.code,
            summary=summary,
            elapsed_ms=round(elapsed_ms, 3),
        )

    def request(self) -> QueryRequest:
        """Rebuild the request (raises ValidationError if the entry is bad)."""
        return QueryRequest(
            self.patient_id,
            self.issuer,
            RpiSopClass.from_keyword(self.sop_class),
            self.template,
        )

    def started(self) -> datetime:
        """:attr:`time` as an aware datetime."""
        return datetime.fromisoformat(self.time)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the keys are the attribute names)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> HistoryEntry:
        """Build from a JSON object.

        Raises
        ------
        ValidationError
            Not an object, a missing key, or a value of the wrong type.
        """
        if not isinstance(data, dict):
            raise ValidationError("entry", "must be a JSON object")
        kwargs: dict[str, Any] = {}
        for item in fields(cls):
            if item.name not in data:
                if item.name == "answer_file":
                    continue
                raise ValidationError(item.name, "is missing")
            kwargs[item.name] = data[item.name]
        entry = cls(**kwargs)
        entry._check_types()
        return entry

    def _check_types(self) -> None:
        texts = ("entry_id", "time", "profile", "patient_id", "sop_class", "status")
        for name in texts:
            if not isinstance(getattr(self, name), str):
                raise ValidationError(name, "must be text")
        if isinstance(self.template, bool) or not isinstance(self.template, int):
            raise ValidationError("template", "must be a whole number")
        if not isinstance(self.elapsed_ms, int | float):
            raise ValidationError("elapsed_ms", "must be a number")
        answer: object = self.answer_file
        if answer is None:
            return
        if not isinstance(answer, str) or Path(answer).name != answer:
            raise ValidationError("answer_file", "must be a plain file name")


@dataclass(frozen=True, slots=True)
class HistoryLoad:
    """Entries read from disk, newest first, and what went wrong (if anything)."""

    entries: tuple[HistoryEntry, ...] = ()
    warnings: tuple[str, ...] = ()


class HistoryStore:
    """The history file and the saved answers in one directory.

    Methods may be called from any thread (the GUI records on a worker).

    Parameters
    ----------
    directory : Path
        Where ``history.json`` and the answer files live (need not exist).
    limit : int
        Keep at most this many entries; older ones and their answers go.
    """

    def __init__(self, directory: Path, limit: int = HISTORY_LIMIT) -> None:
        self.directory = Path(directory)
        self.limit = limit
        self._entries: list[HistoryEntry] = []
        self._lock = threading.Lock()

    @classmethod
    def default(cls) -> HistoryStore:
        """The store under the user's data dir (``$RPIQ_HOME/data`` if set)."""
        return cls(AppPaths.default().data / "history")

    @property
    def path(self) -> Path:
        """The JSON file."""
        return self.directory / FILE_NAME

    @property
    def entries(self) -> tuple[HistoryEntry, ...]:
        """Entries in memory, newest first."""
        with self._lock:
            return tuple(self._entries)

    def load(self) -> HistoryLoad:
        """(Re)read the file; never raises for a broken file (it is backed up)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self._entries = []
            return HistoryLoad()
        except OSError as exc:
            self._entries = []
            return HistoryLoad(
                warnings=(f"Could not read the history {self.path}: {exc}",)
            )
        try:
            document = json.loads(raw.decode("utf-8"))
            items = _entries_of(document)
        except (UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
            return self._corrupt(raw, str(exc))
        entries: list[HistoryEntry] = []
        warnings: list[str] = []
        for index, item in enumerate(items, 1):
            try:
                entries.append(HistoryEntry.from_dict(item))
            except (ValidationError, TypeError) as exc:
                warnings.append(f"Skipped history entry {index}: {exc}.")
        self._entries = entries[: self.limit]
        return HistoryLoad(tuple(self._entries), tuple(warnings))

    def _corrupt(self, raw: bytes, reason: str) -> HistoryLoad:
        self._entries = []
        backup = self.path.with_name(FILE_NAME + ".bak")
        try:
            backup.write_bytes(raw)
        except OSError as exc:
            note = f"it could not be backed up ({exc.strerror or exc})"
        else:
            note = f"it was kept as {backup}"
        return HistoryLoad(
            warnings=(
                f"The query history {self.path} is unreadable ({reason}); {note}. "
                "The history starts empty.",
            )
        )

    def record(
        self,
        entry: HistoryEntry,
        identifier: Dataset | None = None,
        sop_class_uid: str | None = None,
    ) -> HistoryEntry:
        """Add ``entry`` (newest first), saving the answer identifier if given.

        Returns
        -------
        HistoryEntry
            The entry as stored (with ``answer_file`` set when saved).

        Raises
        ------
        RpiqError
            The answer or the history file could not be written.
        """
        if identifier is not None and sop_class_uid is not None:
            name = f"{entry.entry_id}{ANSWER_SUFFIX}"
            write_identifier(self.directory / name, identifier, sop_class_uid, 0o600)
            entry = replace(entry, answer_file=name)
        with self._lock:
            self._entries.insert(0, entry)
            dropped = self._entries[self.limit :]
            del self._entries[self.limit :]
            self._save()
        for old in dropped:
            self._delete_answer(old)
        return entry

    def clear(self) -> None:
        """Forget every entry and delete the saved answers."""
        with self._lock:
            dropped, self._entries = self._entries, []
            self._save()
        for old in dropped:
            self._delete_answer(old)

    def answer_path(self, entry: HistoryEntry) -> Path | None:
        """Where the entry's answer is saved, or None if it has none."""
        if entry.answer_file is None:
            return None
        return self.directory / entry.answer_file

    def read_answer(self, entry: HistoryEntry) -> Dataset:
        """Read the saved answer identifier of ``entry``.

        Raises
        ------
        RpiqError
            No answer was saved, or the file is missing or unreadable.
        """
        path = self.answer_path(entry)
        if path is None:
            raise RpiqError("This query returned no answer to reopen.")
        return read_identifier(path)

    def _save(self) -> None:
        document = {
            "schema_version": SCHEMA_VERSION,
            "entries": [entry.to_dict() for entry in self._entries],
        }
        try:
            atomic_write_text(self.path, json.dumps(document, indent=1))
        except OSError as exc:
            raise RpiqError(
                f"Cannot write the history {self.path}: {exc.strerror or exc}"
            ) from None

    def _delete_answer(self, entry: HistoryEntry) -> None:
        path = self.answer_path(entry)
        if path is not None:
            path.unlink(missing_ok=True)


def _entries_of(document: object) -> list[object]:
    if not isinstance(document, dict):
        raise ValidationError("history", "the file is not a JSON object")
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ValidationError(
            "schema_version", f"unsupported schema_version {version!r}"
        )
    entries = document.get("entries")
    if not isinstance(entries, list):
        raise ValidationError("entries", "must be a list")
    return entries
