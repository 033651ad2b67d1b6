"""SCP handlers in isolation: fake pynetdicom events, fake archive, no sockets."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from io import BytesIO
from types import SimpleNamespace
from typing import Any

import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    DeflatedExplicitVRLittleEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)

from rpiq.core.errors import ArchiveError
from rpiq.core.scp import handlers, lifecycle
from rpiq.core.scp.events import (
    AssociationAborted,
    AssociationAccepted,
    AssociationRejected,
    AssociationReleased,
    HandlerError,
    InstanceStored,
    QueryServed,
)
from rpiq.core.scp.settings import FaultInjection
from rpiq.core.status import Category, RpiqStatus
from rpiq.core.templates import RpiSopClass

GENERAL = RpiSopClass.GENERAL.uid


@dataclass(frozen=True)
class Answer:
    status: int
    identifier: Dataset | None = None
    error_comment: str | None = None
    offending_element: int | None = None
    patient_id: str | None = None
    tid: int | None = None


@dataclass(frozen=True)
class Stored:
    sop_instance_uid: str
    patient_id: str
    issuer: str | None
    replaced: bool


@dataclass
class FakeArchive:
    answer_with: Answer | Exception = field(
        default_factory=lambda: Answer(RpiqStatus.SUCCESS)
    )
    store_with: Exception | None = None
    stored: list[Dataset] = field(default_factory=list)
    asked: list[tuple[Dataset, str]] = field(default_factory=list)

    def answer(self, identifier: Dataset, sop_class_uid: str) -> Answer:
        self.asked.append((identifier, sop_class_uid))
        if isinstance(self.answer_with, Exception):
            raise self.answer_with
        return self.answer_with

    def store(self, ds: Dataset, encoded: bytes | None = None) -> Stored:
        if self.store_with is not None:
            raise self.store_with
        self.stored.append(ds)
        return Stored(ds.SOPInstanceUID, ds.PatientID, None, False)


class _FakeEvent:
    """Enough of pynetdicom's Event for the handlers."""

    def __init__(
        self,
        identifier: Any = None,
        cancel_after: int | None = None,
        dataset: Any = None,
    ) -> None:
        self._identifier = identifier
        self._dataset = dataset
        self._cancel_after = cancel_after
        self._cancel_checks = 0
        self.sent: list[Any] = []
        self.aborted = False
        self.request = SimpleNamespace(
            AffectedSOPClassUID=GENERAL, MessageID=7, AffectedSOPInstanceUID="1.2.3"
        )
        self.context = SimpleNamespace(
            transfer_syntax=ExplicitVRLittleEndian, context_id=1
        )
        dimse = SimpleNamespace(send_msg=lambda rsp, cx: self.sent.append(rsp))
        self.assoc = SimpleNamespace(
            abort=self._abort,
            dimse=dimse,
            requestor=SimpleNamespace(ae_title="SCU", address="127.0.0.1", port=4242),
            acceptor=SimpleNamespace(primitive=None),
        )

    def _abort(self) -> None:
        self.aborted = True

    @property
    def identifier(self) -> Any:
        if isinstance(self._identifier, Exception):
            raise self._identifier
        return self._identifier

    @property
    def is_cancelled(self) -> bool:
        self._cancel_checks += 1
        return self._cancel_after is not None and self._cancel_checks > (
            self._cancel_after
        )

    @property
    def dataset(self) -> Any:
        if isinstance(self._dataset, Exception):
            raise self._dataset
        return self._dataset

    @property
    def file_meta(self) -> FileMetaDataset:
        meta = FileMetaDataset()
        meta.TransferSyntaxUID = ImplicitVRLittleEndian
        return meta


def FakeEvent(*args: Any, **kwargs: Any) -> Any:
    return _FakeEvent(*args, **kwargs)


def status_of(result: int | Dataset) -> Dataset:
    assert isinstance(result, Dataset)
    return result


def request(patient_id: str = "PAT-1", tid: str = "9007") -> Dataset:
    ds = Dataset()
    ds.PatientID = patient_id
    ds.PatientName = ""
    item = Dataset()
    item.MappingResource = "DCMR"
    item.TemplateIdentifier = tid
    ds.ContentTemplateSequence = [item]
    return ds


def match(patient_id: str = "PAT-1") -> Dataset:
    ds = Dataset()
    ds.PatientID = patient_id
    ds.PatientName = "DOE^JANE"
    return ds


def run_find(
    event: Any, archive: FakeArchive, faults: FaultInjection | None = None
) -> tuple[list[Any], list[Any]]:
    events: list[Any] = []
    yields = list(
        handlers.handle_find(event, archive, faults or FaultInjection(), events.append)
    )
    return yields, events


def served(events: list[Any]) -> QueryServed:
    found = [e for e in events if isinstance(e, QueryServed)]
    assert len(found) == 1
    return found[0]


def test_match_yields_one_pending_with_the_archive_identifier():
    archive = FakeArchive(Answer(RpiqStatus.PENDING, match(), patient_id="PAT-1"))
    yields, events = run_find(FakeEvent(request()), archive)
    assert len(yields) == 1
    status, identifier = yields[0]
    assert status == RpiqStatus.PENDING
    assert identifier.PatientName == "DOE^JANE"
    assert archive.asked[0][1] == GENERAL
    event = served(events)
    assert event.matched
    assert event.patient_id == "PAT-1"
    assert event.template == 9007
    assert event.peer_ae == "SCU"


def test_no_match_yields_nothing_so_pynetdicom_sends_success():
    yields, events = run_find(FakeEvent(request()), FakeArchive())
    assert yields == []
    assert served(events).status.category is Category.SUCCESS


@pytest.mark.parametrize(
    "code",
    [
        RpiqStatus.MORE_THAN_ONE_MATCH,
        RpiqStatus.TEMPLATE_NOT_SUPPORTED,
        RpiqStatus.IDENTIFIER_MISMATCH,
    ],
)
def test_failure_is_a_status_dataset_with_related_fields(code):
    answer = Answer(code, error_comment="why " * 30, offending_element=0x0040DB00)
    yields, events = run_find(FakeEvent(request()), FakeArchive(answer))
    [(status, identifier)] = yields
    assert identifier is None
    assert status.Status == code
    assert len(status.ErrorComment) <= 64
    assert status.OffendingElement == 0x0040DB00
    assert served(events).status.code == code


def test_cancel_before_answer_yields_cancel():
    archive = FakeArchive(Answer(RpiqStatus.PENDING, match()))
    yields, events = run_find(FakeEvent(request(), cancel_after=0), archive)
    assert yields == [(int(RpiqStatus.CANCEL), None)]
    assert served(events).status.category is Category.CANCEL


def test_cancel_during_delay_is_remembered_though_the_flag_is_one_shot():
    archive = FakeArchive(Answer(RpiqStatus.PENDING, match()))
    event = FakeEvent(request(), cancel_after=2)
    yields, _ = run_find(event, archive, FaultInjection(delay_ms=5000))
    assert yields == [(int(RpiqStatus.CANCEL), None)]
    assert archive.asked == []


def test_undecodable_identifier_is_a_failure_not_a_crash():
    yields, events = run_find(FakeEvent(ValueError("bad VR")), FakeArchive())
    [(status, _)] = yields
    assert status.Status == RpiqStatus.UNABLE_TO_PROCESS
    assert "decode" in status.ErrorComment
    assert served(events).patient_id is None


def test_lazily_failing_element_is_caught_while_decoding():
    class Broken(Dataset):
        def iterall(self):
            raise ValueError("cannot convert element")

    yields, _ = run_find(FakeEvent(Broken()), FakeArchive())
    assert yields[0][0].Status == RpiqStatus.UNABLE_TO_PROCESS


def test_archive_exception_becomes_handler_error_and_failure():
    archive = FakeArchive(RuntimeError("boom"))
    yields, events = run_find(FakeEvent(request()), archive)
    [(status, _)] = yields
    assert status.Status == RpiqStatus.UNABLE_TO_PROCESS
    errors = [e for e in events if isinstance(e, HandlerError)]
    assert errors[0].operation == "C-FIND"
    assert "boom" in errors[0].message


def test_archive_error_from_lock_is_out_of_resources():
    try:
        try:
            raise sqlite3.OperationalError("database is locked")
        except sqlite3.OperationalError as cause:
            raise ArchiveError("index busy") from cause
    except ArchiveError as exc:
        error = exc
    yields, _ = run_find(FakeEvent(request()), FakeArchive(error))
    assert yields[0][0].Status == RpiqStatus.OUT_OF_RESOURCES


def test_pending_without_identifier_is_reported():
    yields, events = run_find(
        FakeEvent(request()), FakeArchive(Answer(RpiqStatus.PENDING))
    )
    assert yields[0][0].Status == RpiqStatus.UNABLE_TO_PROCESS
    assert any(isinstance(e, HandlerError) for e in events)


@pytest.mark.parametrize(
    ("forced", "expected"),
    [
        (RpiqStatus.MORE_THAN_ONE_MATCH, RpiqStatus.MORE_THAN_ONE_MATCH),
        (RpiqStatus.CANCEL, RpiqStatus.CANCEL),
        (RpiqStatus.SUCCESS, None),
    ],
)
def test_forced_status_replaces_the_answer(forced, expected):
    archive = FakeArchive(Answer(RpiqStatus.PENDING, match()))
    yields, _ = run_find(FakeEvent(request()), archive, FaultInjection(status=forced))
    assert archive.asked == []
    if expected is None:
        assert yields == []
    else:
        assert yields[0][0].Status == expected
        has_comment = "ErrorComment" in yields[0][0]
        assert has_comment == (expected != RpiqStatus.CANCEL)


def test_forced_pending_answers_normally():
    archive = FakeArchive(Answer(RpiqStatus.PENDING, match()))
    faults = FaultInjection(status=RpiqStatus.PENDING)
    yields, _ = run_find(FakeEvent(request()), archive, faults)
    assert yields[0][0] == RpiqStatus.PENDING


def test_double_pending_sends_one_extra_response_by_hand():
    archive = FakeArchive(Answer(RpiqStatus.PENDING, match()))
    event = FakeEvent(request())
    yields, _ = run_find(event, archive, FaultInjection(double_pending=True))
    assert len(yields) == 1
    [extra] = event.sent
    assert extra.Status == RpiqStatus.PENDING
    assert extra.MessageIDBeingRespondedTo == 7
    assert extra.Identifier.getvalue()


def test_abort_fault_aborts_and_yields_nothing():
    event = FakeEvent(request())
    yields, events = run_find(event, FakeArchive(), FaultInjection(abort=True))
    assert yields == []
    assert event.aborted
    assert served(events).status.category is Category.NO_RESPONSE


# ---------------------------------------------------------------- C-STORE


def instance(uid: str = "1.2.3.4") -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.88.33"
    ds.SOPInstanceUID = uid
    ds.PatientID = "PAT-9"
    return ds


def test_store_success_after_archive_store_with_file_meta():
    archive = FakeArchive()
    events: list[Any] = []
    status = handlers.handle_store(
        FakeEvent(dataset=instance()), archive, events.append
    )
    assert status == RpiqStatus.SUCCESS
    assert archive.stored[0].file_meta.TransferSyntaxUID == ImplicitVRLittleEndian
    [stored] = events
    assert isinstance(stored, InstanceStored)
    assert stored.sop_instance_uid == "1.2.3.4"
    assert stored.patient_id == "PAT-9"


def full_disk() -> ArchiveError:
    try:
        try:
            raise OSError(28, "No space left on device")
        except OSError as cause:
            raise ArchiveError("cannot write the instance: disk full") from cause
    except ArchiveError as exc:
        return exc


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (full_disk(), RpiqStatus.OUT_OF_RESOURCES),
        (ArchiveError("no SOP Instance UID"), RpiqStatus.UNABLE_TO_PROCESS),
        (RuntimeError("bug"), RpiqStatus.UNABLE_TO_PROCESS),
    ],
)
def test_store_failures_map_to_statuses(error, code):
    events: list[Any] = []
    status = handlers.handle_store(
        FakeEvent(dataset=instance()), FakeArchive(store_with=error), events.append
    )
    assert status_of(status).Status == code
    assert status_of(status).ErrorComment
    assert isinstance(events[0], HandlerError)
    assert events[0].operation == "C-STORE"


def test_store_undecodable_dataset_is_cannot_understand():
    events: list[Any] = []
    status = handlers.handle_store(
        FakeEvent(dataset=ValueError("truncated")), FakeArchive(), events.append
    )
    assert status_of(status).Status == RpiqStatus.UNABLE_TO_PROCESS
    assert isinstance(events[0], HandlerError)


def test_store_corrupt_deflate_data_is_cannot_understand():
    """Not deflate data: C000 (undecodable), not A700 (that is for bombs)."""
    event = FakeEvent(dataset=AssertionError("inflated by the handler"))
    event.context.transfer_syntax = DeflatedExplicitVRLittleEndian
    event.request.DataSet = BytesIO(b"\xff" * 64)
    events: list[Any] = []
    status = handlers.handle_store(event, FakeArchive(), events.append)
    assert status_of(status).Status == RpiqStatus.UNABLE_TO_PROCESS
    assert "bad deflate data" in status_of(status).ErrorComment
    assert isinstance(events[0], HandlerError)


def test_echo_is_success():
    assert handlers.handle_echo(FakeEvent()) == RpiqStatus.SUCCESS


# ------------------------------------------------------------- life cycle


@pytest.mark.parametrize(
    ("handler", "kind"),
    [
        (lifecycle.handle_accepted, AssociationAccepted),
        (lifecycle.handle_released, AssociationReleased),
        (lifecycle.handle_aborted, AssociationAborted),
    ],
)
def test_association_events_carry_peer(handler, kind):
    events: list[Any] = []
    handler(FakeEvent(), events.append)
    assert events == [kind("SCU", "127.0.0.1", 4242)]


def test_rejection_reason_comes_from_the_sent_primitive():
    event = FakeEvent()
    event.assoc.acceptor.primitive = SimpleNamespace(
        reason_str="Calling AE title not recognised"
    )
    events: list[Any] = []
    lifecycle.handle_rejected(event, events.append)
    assert events == [
        AssociationRejected("SCU", "127.0.0.1", 4242, "Calling AE title not recognised")
    ]


def test_lifecycle_handler_never_raises():
    event = FakeEvent()
    event.assoc.requestor = None
    events: list[Any] = []
    lifecycle.handle_accepted(event, events.append)
    assert isinstance(events[0], HandlerError)


def test_error_comment_is_valid_lo():
    text = handlers.error_comment("a\\b " + "x" * 100)
    assert "\\" not in text
    assert len(text) == 64
