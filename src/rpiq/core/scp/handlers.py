"""pynetdicom event handlers of the embedded SCP (pynetdicom qrscp style).

Module-level functions with injected dependencies, bound as
``(evt.EVT_C_FIND, handle_find, [archive, faults, notify])``. They run on
pynetdicom's association threads and never raise: every exception becomes a
:class:`~rpiq.core.scp.events.HandlerError` event and a failure status.

- C-FIND (PS3.4 Q.4.2): at most one Pending with the archive's identifier,
  nothing for "no match" (pynetdicom then sends Success), a status Dataset with
  Error Comment / Offending Element (PS3.7 C.4) for failures, Cancel (FE00)
  when a C-FIND-CANCEL arrived first. pynetdicom reads only the first yield,
  so the QueryServed event is sent before it.
- C-STORE (PS3.4 B.2.3): Success only after ``archive.store`` returned (the
  instance is on disk and indexed); an archive failure answers "Refused: Out
  of resources" (A700) or "Cannot understand" (C000).
"""

from __future__ import annotations

import logging
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING

from pydicom.dataset import Dataset
from pynetdicom.dsutils import decode

from rpiq.core.errors import ArchiveError
from rpiq.core.scp.events import (
    HandlerError,
    InstanceStored,
    QueryServed,
    ScpEvent,
)
from rpiq.core.scp.faults import (
    forced_status,
    send_extra_pending,
    wait_unless_cancelled,
)
from rpiq.core.status import Category, RpiqStatus, category_of, describe

if TYPE_CHECKING:
    from pynetdicom.events import Event

    from rpiq.core.scp.interfaces import QueryAnswer, ScpArchive
    from rpiq.core.scp.settings import FaultInjection
    from rpiq.core.status import StatusInfo

_LOG = logging.getLogger(__name__)

Notify = Callable[[ScpEvent], None]
FindYield = tuple[int | Dataset, Dataset | None]

ERROR_COMMENT_MAX = 64
"""Error Comment (0000,0902) is LO: at most 64 characters (PS3.7 C.4)."""

MAX_IDENTIFIER_BYTES = 1 << 16
"""Largest C-FIND identifier decoded, as received and after inflation.

An RPI request is a few hundred bytes; 64 KiB leaves a wide margin. Found by
fuzzing: a Deflated Explicit VR Little Endian identifier (PS3.5 A.5) was
inflated whole (deflate reaches ~1000:1, so 300 KB on the wire made the SCP
allocate 620 MB), and decoding costs CPU per value (a 1 MB Patient's Name of
empty values took 6-8 s, long enough to trip the network timeout). At 64 KiB
the worst identifier decodes in well under a second. Larger ones get C000
without being decoded.
"""


MAX_INFLATED_INSTANCE_BYTES = 1 << 30
"""Largest C-STORE data set inflated from Deflated Explicit VR Little Endian.

pynetdicom would inflate a deflated data set whole before our handler saw it:
deflate reaches ~1000:1, so a few MB on the wire could ask for gigabytes.
1 GiB keeps any real deflated instance (in practice SR documents and other
non-image objects, PS3.5 A.5) and bounds what one peer can make us allocate;
a larger one gets A700 (out of resources) and nothing is stored.
"""


def error_comment(text: str) -> str:
    """``text`` as a valid LO value: no backslash, at most 64 characters."""
    clean = " ".join(text.replace("\\", "/").split())
    if len(clean) <= ERROR_COMMENT_MAX:
        return clean
    return clean[: ERROR_COMMENT_MAX - 3] + "..."


def failure_status(
    code: int, comment: str | None = None, offending: int | None = None
) -> Dataset:
    """A status Dataset for pynetdicom: Status plus its related fields."""
    status = Dataset()
    status.Status = int(code)
    if comment:
        status.ErrorComment = error_comment(comment)
    if offending is not None:
        status.OffendingElement = int(offending)
    return status


def _describe_exception(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def report_failure(notify: Notify, operation: str, exc: BaseException) -> None:
    """Log a handler failure (traceback only at DEBUG) and emit HandlerError."""
    message = _describe_exception(exc)
    _LOG.error(
        "%s handler failed: %s",
        operation,
        message,
        exc_info=_LOG.isEnabledFor(logging.DEBUG),
    )
    notify(HandlerError(message, operation))


def archive_failure_code(exc: ArchiveError) -> RpiqStatus:
    """A700 when the archive ran out of a resource (disk, lock), else C000."""
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, OSError | sqlite3.OperationalError | MemoryError):
        return RpiqStatus.OUT_OF_RESOURCES
    return RpiqStatus.UNABLE_TO_PROCESS


# ------------------------------------------------------------------- C-ECHO


def handle_echo(event: Event) -> int:
    """Answer C-ECHO with Success (PS3.4 A.4)."""
    return int(RpiqStatus.SUCCESS)


# ------------------------------------------------------------------- C-FIND


class _UnreadableIdentifierError(Exception):
    """The request identifier could not be decoded."""


class _InflateLimitError(ValueError):
    """A deflated data set inflates beyond its limit."""


@dataclass
class _Reply:
    """What the C-FIND handler sends: nothing (Success), a status, or a match."""

    status: int | Dataset | None = None
    identifier: Dataset | None = None
    extra_pending: bool = False

    @property
    def code(self) -> int:
        if self.status is None:
            return int(RpiqStatus.SUCCESS)
        if isinstance(self.status, Dataset):
            return int(self.status.Status)
        return int(self.status)


@dataclass
class _FindLog:
    """What the QueryServed event reports, filled in as the handler learns it."""

    start: float = field(default_factory=time.perf_counter)
    patient_id: str | None = None
    template: int | None = None
    aborted: bool = False

    def note_request(self, identifier: Dataset) -> None:
        value = identifier.get("PatientID")
        self.patient_id = None if value is None else str(value)
        self.template = _requested_tid(identifier)


def _requested_tid(identifier: Dataset) -> int | None:
    try:
        item = identifier.ContentTemplateSequence[0]
        return int(str(item.TemplateIdentifier))
    except (AttributeError, IndexError, TypeError, ValueError, KeyError):
        return None


def _inflate_at_most(data: bytes, limit: int) -> bytes:
    """Raw-inflate ``data`` (PS3.5 A.5), allocating at most ``limit`` + 1 bytes.

    Raises
    ------
    _InflateLimitError
        It inflates to more than ``limit`` bytes.
    ValueError
        It is not deflate data.
    """
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        inflated = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ValueError(f"bad deflate data: {exc}") from exc
    if len(inflated) > limit:
        size = f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit} bytes"
        raise _InflateLimitError(f"it inflates to more than {size}")
    return inflated


def _inflate(data: bytes) -> bytes:
    """Raw-inflate at most :data:`MAX_IDENTIFIER_BYTES` (PS3.5 A.5)."""
    try:
        return _inflate_at_most(data, MAX_IDENTIFIER_BYTES)
    except ValueError as exc:  # too large, or not deflate data
        raise _UnreadableIdentifierError(str(exc)) from exc


def _bounded_identifier(event: Event) -> Dataset | None:
    """The identifier decoded here when its size needs a bound, else ``None``.

    Refuses one over :data:`MAX_IDENTIFIER_BYTES`; inflates a deflated one
    with that bound. ``None`` leaves a plain, small one to pynetdicom.
    """
    raw = getattr(event.request, "Identifier", None)
    if not isinstance(raw, BytesIO):
        return None
    if raw.getbuffer().nbytes > MAX_IDENTIFIER_BYTES:
        raise _UnreadableIdentifierError(
            f"it is longer than {MAX_IDENTIFIER_BYTES} bytes"
        )
    syntax = event.context.transfer_syntax
    if not syntax.is_deflated:
        return None
    inflated = BytesIO(_inflate(raw.getvalue()))
    return decode(inflated, syntax.is_implicit_VR, syntax.is_little_endian)


def _decode(event: Event) -> Dataset:
    """Decode the identifier fully (pydicom is lazy: errors surface on access)."""
    try:
        identifier = _bounded_identifier(event)
        if identifier is None:
            identifier = event.identifier
        for _ in identifier.iterall():
            pass
    except _UnreadableIdentifierError:
        raise
    except Exception as exc:
        raise _UnreadableIdentifierError(_describe_exception(exc)) from exc
    return identifier


def _reply_for_status(status: Dataset) -> _Reply:
    if category_of(int(status.Status)) is Category.SUCCESS:
        return _Reply()
    return _Reply(status)


def _reply_for_answer(answer: QueryAnswer, faults: FaultInjection) -> _Reply:
    code = int(answer.status)
    category = category_of(code)
    if category is Category.SUCCESS:
        return _Reply()
    if category is Category.PENDING:
        if answer.identifier is None:
            raise ValueError("the archive returned a match without an identifier")
        return _Reply(code, answer.identifier, faults.double_pending)
    return _Reply(failure_status(code, answer.error_comment, answer.offending_element))


def _answer(
    event: Event, archive: ScpArchive, faults: FaultInjection, log: _FindLog
) -> _Reply:
    """Work out the reply to one C-FIND (may raise; the caller reports it)."""
    if faults.abort:
        log.aborted = True
        event.assoc.abort()
        return _Reply()
    if wait_unless_cancelled(event, faults.delay_ms):
        return _Reply(int(RpiqStatus.CANCEL))
    try:
        identifier = _decode(event)
    except _UnreadableIdentifierError as exc:
        return _Reply(
            failure_status(
                RpiqStatus.UNABLE_TO_PROCESS, f"Cannot decode the identifier: {exc}"
            )
        )
    log.note_request(identifier)
    forced = forced_status(faults)
    if forced is not None:
        return _reply_for_status(forced)
    answer = archive.answer(identifier, str(event.request.AffectedSOPClassUID))
    if answer.patient_id is not None:
        log.patient_id = answer.patient_id
    if answer.tid is not None:
        log.template = answer.tid
    if event.is_cancelled:
        return _Reply(int(RpiqStatus.CANCEL))
    return _reply_for_answer(answer, faults)


def _safe_answer(
    event: Event,
    archive: ScpArchive,
    faults: FaultInjection,
    notify: Notify,
    log: _FindLog,
) -> _Reply:
    try:
        return _answer(event, archive, faults, log)
    except ArchiveError as exc:
        report_failure(notify, "C-FIND", exc)
        return _Reply(failure_status(archive_failure_code(exc), str(exc)))
    except Exception as exc:  # noqa: BLE001 — never crash the association thread
        report_failure(notify, "C-FIND", exc)
        return _Reply(
            failure_status(RpiqStatus.UNABLE_TO_PROCESS, "Internal error of the SCP")
        )


def _peer_ae(event: Event) -> str:
    try:
        return str(event.assoc.requestor.ae_title).strip()
    except Exception:  # noqa: BLE001 — only for the event text
        return ""


def _send_extra(event: Event, reply: _Reply, notify: Notify) -> None:
    if not reply.extra_pending or reply.identifier is None:
        return
    try:
        send_extra_pending(event, reply.identifier)
    except Exception as exc:  # noqa: BLE001 — the normal answer still goes out
        report_failure(notify, "C-FIND", exc)


def handle_find(
    event: Event, archive: ScpArchive, faults: FaultInjection, notify: Notify
) -> Iterator[FindYield]:
    """Answer one RPI C-FIND (PS3.4 Q.4.2): yield at most one response.

    Parameters
    ----------
    event : pynetdicom.events.Event
        The EVT_C_FIND event (identifier, request, cancel flag).
    archive : ScpArchive
        Answers the query (``Archive.answer``).
    faults : FaultInjection
        Deliberate misbehaviour (off by default).
    notify : callable
        Receives QueryServed and HandlerError events.

    Yields
    ------
    tuple
        ``(status, identifier)``: ``(PENDING, ds)`` for a match, or a status
        Dataset / code with ``None``; nothing at all for "no match".
    """
    log = _FindLog()
    reply = _safe_answer(event, archive, faults, notify, log)
    _send_extra(event, reply, notify)
    status = describe(None) if log.aborted else _status_info(reply)
    notify(
        QueryServed(
            log.patient_id,
            log.template,
            status,
            (time.perf_counter() - log.start) * 1000.0,
            str(getattr(event.request, "AffectedSOPClassUID", "") or ""),
            _peer_ae(event),
        )
    )
    if reply.status is not None:
        yield reply.status, reply.identifier


def _status_info(reply: _Reply) -> StatusInfo:
    status = reply.status
    if isinstance(status, Dataset):
        comment = status.get("ErrorComment")
        return describe(reply.code, str(comment) if comment else None)
    return describe(reply.code)


# ------------------------------------------------------------------ C-STORE


def _received(event: Event) -> Dataset:
    """The received instance with its File Meta Information (PS3.10 7.1).

    A deflated data set is inflated here, within
    :data:`MAX_INFLATED_INSTANCE_BYTES` (raises :class:`_InflateLimitError`),
    rather than whole by pynetdicom's ``event.dataset``.
    """
    syntax = event.context.transfer_syntax
    raw = getattr(event.request, "DataSet", None)
    if syntax.is_deflated and isinstance(raw, BytesIO):
        inflated = _inflate_at_most(raw.getvalue(), MAX_INFLATED_INSTANCE_BYTES)
        ds = decode(BytesIO(inflated), syntax.is_implicit_VR, syntax.is_little_endian)
    else:
        ds = event.dataset
    ds.file_meta = event.file_meta
    return ds


def _encoded(event: Event) -> bytes | None:
    """The data set bytes as received (written as is), or None if unavailable."""
    try:
        return event.encoded_dataset(include_meta=False)
    except Exception:  # noqa: BLE001 — then the archive re-encodes the dataset
        return None


def handle_store(event: Event, archive: ScpArchive, notify: Notify) -> int | Dataset:
    """Store one C-STORE instance durably, then answer Success (PS3.4 B.2.3).

    Parameters
    ----------
    event : pynetdicom.events.Event
        The EVT_C_STORE event.
    archive : ScpArchive
        ``Archive.store`` writes, fsyncs and indexes the instance.
    notify : callable
        Receives InstanceStored and HandlerError events.

    Returns
    -------
    int or Dataset
        Success, or a failure status with an Error Comment.
    """
    try:
        ds = _received(event)
    except _InflateLimitError as exc:
        report_failure(notify, "C-STORE", exc)
        return failure_status(
            RpiqStatus.OUT_OF_RESOURCES, f"Deflated data set refused: {exc}"
        )
    except Exception as exc:  # noqa: BLE001 — undecodable data set
        report_failure(notify, "C-STORE", exc)
        return failure_status(
            RpiqStatus.UNABLE_TO_PROCESS, f"Cannot decode the data set: {exc}"
        )
    try:
        result = archive.store(ds, _encoded(event))
    except ArchiveError as exc:
        report_failure(notify, "C-STORE", exc)
        return failure_status(archive_failure_code(exc), str(exc))
    except Exception as exc:  # noqa: BLE001 — never crash the association thread
        report_failure(notify, "C-STORE", exc)
        return failure_status(RpiqStatus.UNABLE_TO_PROCESS, "Internal error of the SCP")
    notify(
        InstanceStored(
            result.sop_instance_uid,
            result.patient_id,
            result.replaced,
            result.issuer,
            str(getattr(event.request, "AffectedSOPClassUID", "") or ""),
        )
    )
    return int(RpiqStatus.SUCCESS)
