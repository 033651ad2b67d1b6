"""ScpService over loopback with real peers: pynetdicom SCU, RPIQ engine, dcmtk."""

from __future__ import annotations

import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydicom import dcmread, dcmwrite
from pydicom.dataset import Dataset
from pynetdicom import AE
from pynetdicom.dsutils import encode

from rpiq.core.errors import ArchiveError
from rpiq.core.net.ae import VERIFICATION_UID
from rpiq.core.net.echo import verify
from rpiq.core.query.cancel import CancelToken
from rpiq.core.query.engine import QuerySession, run_query
from rpiq.core.query.events import Done, Failed, Match
from rpiq.core.query.request import QueryRequest
from rpiq.core.scp import (
    AssociationAccepted,
    AssociationRejected,
    AssociationReleased,
    FaultInjection,
    HandlerError,
    InstanceStored,
    QueryServed,
    ScpError,
    Started,
    Stopped,
)
from rpiq.core.status import Category, RpiqStatus
from rpiq.core.templates import RpiSopClass

pytestmark = pytest.mark.network

GENERAL = RpiSopClass.GENERAL.uid


def query(running, patient_id="PAT-1", cancel=None, **profile):
    events = list(
        run_query(running.profile(**profile), QueryRequest(patient_id), cancel)
    )
    return events, events[-1]


def example_scu_find(
    port: int, identifier: Dataset
) -> list[tuple[Dataset, Dataset | None]]:
    """The pynetdicom documentation's RPI SCU, unchanged."""
    ae = AE()
    ae.add_requested_context(GENERAL)
    assoc = ae.associate("127.0.0.1", port, ae_title="RPIQ")
    assert assoc.is_established
    try:
        return list(assoc.send_c_find(identifier, GENERAL))
    finally:
        assoc.release()


def rpi_request(patient_id: str | None = "PAT-1", tid: str = "9007") -> Dataset:
    ds = Dataset()
    if patient_id is not None:
        ds.PatientID = patient_id
    ds.PatientName = ""
    ds.ContentSequence = []
    item = Dataset()
    item.MappingResource = "DCMR"
    item.TemplateIdentifier = tid
    ds.ContentTemplateSequence = [item]
    return ds


# ------------------------------------------------------------- lifecycle


def test_port_zero_reports_bound_port_and_started_stopped_events(start_scp):
    running = start_scp(ae_title="MYSCP")
    assert running.port > 0
    assert running.of(Started) == [Started("127.0.0.1", running.port, "MYSCP")]
    running.service.stop()
    assert running.of(Stopped)
    with pytest.raises(ScpError):
        _ = running.service.address
    running.service.stop()  # twice is fine


def test_address_in_use_is_a_clear_error(start_scp):
    first = start_scp()
    with pytest.raises(ScpError, match="Cannot listen"):
        start_scp(port=first.port)


def test_fault_injection_is_logged_as_warning(start_scp, caplog):
    caplog.set_level("WARNING", logger="rpiq.core.scp")
    start_scp(faults=FaultInjection(delay_ms=10))
    assert any(
        r.levelname == "WARNING" and "FAULT INJECTION" in r.getMessage()
        for r in caplog.records
    )


def test_info_log_masks_patient_id(start_scp, sr_factory, caplog, send_store):
    caplog.set_level("INFO", logger="rpiq.core.scp")
    running = start_scp()
    send_store(running.port, [sr_factory("SECRET-4711")])
    query(running, "SECRET-4711")
    text = caplog.text
    assert "query from" in text
    assert "SECRET-4711" not in text
    assert "***11" in text


# ----------------------------------------------------------------- echo


def test_echo_from_pynetdicom_and_rpiq(start_scp):
    running = start_scp()
    ae = AE(ae_title="ECHO-SCU")
    ae.add_requested_context(VERIFICATION_UID)
    assoc = ae.associate("127.0.0.1", running.port, ae_title="RPIQ")
    assert assoc.is_established
    assert assoc.send_c_echo().Status == 0
    assoc.release()
    assert verify(running.profile()).status.category is Category.SUCCESS
    accepted = running.wait_for(AssociationAccepted, 2)
    assert {e.peer_ae for e in accepted} == {"ECHO-SCU", "RPIQ"}
    running.wait_for(AssociationReleased, 2)


def test_echo_from_dcmtk_echoscu(start_scp, dcmtk_tool):
    exe = dcmtk_tool("echoscu")
    running = start_scp()
    out = subprocess.run(
        [exe, "-aet", "DCMTK-ECHO", "-aec", "RPIQ", "127.0.0.1", str(running.port)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    assert running.wait_for(AssociationAccepted)[0].peer_ae == "DCMTK-ECHO"


# -------------------------------------------------------- store and query


def test_store_then_query_returns_the_stored_content(start_scp, sr_factory, send_store):
    running = start_scp()
    ds = sr_factory("PAT-1", name="DOE^JANE")
    assert send_store(running.port, [ds]) == [0]
    [stored] = running.of(InstanceStored)
    assert stored.sop_instance_uid == ds.SOPInstanceUID
    assert stored.patient_id == "PAT-1"
    assert stored.replaced is False
    events, done = query(running, "PAT-1")
    assert isinstance(done, Done), done
    assert done.status.category is Category.SUCCESS
    [matched] = [e for e in events if isinstance(e, Match)]
    assert matched.patient.patient_id == "PAT-1"
    assert matched.patient.name == "DOE^JANE"
    assert matched.root.value_type == "CONTAINER"
    served = running.wait_for(QueryServed)[0]
    assert served.matched
    assert served.template == 9007


def test_stored_file_holds_the_data_set_bytes_as_sent(
    start_scp, sr_factory, send_store
):
    running = start_scp()
    ds = sr_factory("PAT-BYTES", name="Buc^Jérôme")
    ds.SpecificCharacterSet = "ISO_IR 100"
    assert send_store(running.port, [ds]) == [0]
    [listed] = running.archive.instances()
    sent = encode(ds, False, True)  # Explicit VR Little Endian, as negotiated
    assert listed.path.read_bytes().endswith(sent)
    stored = dcmread(listed.path)
    assert stored.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert stored.PatientName == "Buc^Jérôme"


def test_storing_the_same_instance_again_replaces_it(start_scp, sr_factory, send_store):
    running = start_scp()
    ds = sr_factory("PAT-2")
    assert send_store(running.port, [ds, ds]) == [0, 0]
    assert [e.replaced for e in running.wait_for(InstanceStored, 2)] == [False, True]


def test_dcmtk_storescu_sends_a_folder(start_scp, sr_factory, tmp_path, dcmtk_tool):
    exe = dcmtk_tool("storescu")
    running = start_scp()
    folder = tmp_path / "send"
    folder.mkdir()
    for index in range(5):
        dcmwrite(
            folder / f"{index}.dcm",
            sr_factory(f"DCMTK-{index}"),
            enforce_file_format=True,
        )
    target = [str(running.port), str(folder)]
    out = subprocess.run(
        [exe, "-aet", "DCMTK", "-aec", "RPIQ", "+sd", "+r", "127.0.0.1", *target],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert len(running.wait_for(InstanceStored, 5)) == 5
    for index in range(5):
        events, done = query(running, f"DCMTK-{index}")
        assert isinstance(done, Done)
        assert any(isinstance(e, Match) for e in events)


# ----------------------------------------------------------- status paths


def test_no_match_is_success_without_pending(start_scp):
    running = start_scp()
    events, done = query(running, "NOBODY")
    assert isinstance(done, Done)
    assert done.status.code == RpiqStatus.SUCCESS
    assert not done.matched
    assert not any(isinstance(e, Match) for e in events)


def test_two_patients_with_one_id_is_c100(start_scp, sr_factory, send_store):
    running = start_scp()
    send_store(
        running.port,
        [sr_factory("SHARED", issuer="HOSP-A"), sr_factory("SHARED", issuer="HOSP-B")],
    )
    _, done = query(running, "SHARED")
    assert isinstance(done, Done)
    assert done.status.code == RpiqStatus.MORE_THAN_ONE_MATCH
    events = list(run_query(running.profile(), QueryRequest("SHARED", issuer="HOSP-A")))
    assert any(isinstance(e, Match) for e in events)


def test_template_not_supported_is_c200(start_scp, sr_factory, send_store):
    running = start_scp()
    send_store(running.port, [sr_factory("PAT-T")])
    [(status, identifier)] = example_scu_find(
        running.port, rpi_request("PAT-T", tid="9999")
    )
    assert status.Status == RpiqStatus.TEMPLATE_NOT_SUPPORTED
    assert identifier is None
    assert "ErrorComment" in status


def test_missing_patient_id_is_a900(start_scp):
    running = start_scp()
    [(status, identifier)] = example_scu_find(running.port, rpi_request(None))
    assert status.Status == RpiqStatus.IDENTIFIER_MISMATCH
    assert identifier is None


def test_example_scu_gets_one_pending_then_success(start_scp, sr_factory, send_store):
    running = start_scp()
    send_store(running.port, [sr_factory("PAT-X")])
    responses = example_scu_find(running.port, rpi_request("PAT-X"))
    assert [int(s.Status) for s, _ in responses] == [
        RpiqStatus.PENDING,
        RpiqStatus.SUCCESS,
    ]
    answer = responses[0][1]
    assert answer is not None
    assert answer.PatientID == "PAT-X"


@pytest.mark.parametrize(
    "code",
    [
        RpiqStatus.MORE_THAN_ONE_MATCH,
        RpiqStatus.TEMPLATE_NOT_SUPPORTED,
        RpiqStatus.IDENTIFIER_MISMATCH,
        RpiqStatus.OUT_OF_RESOURCES,
    ],
)
def test_injected_failure_reaches_the_scu(start_scp, code):
    running = start_scp(faults=FaultInjection(status=code))
    _, done = query(running)
    assert isinstance(done, Done)
    assert done.status.code == code
    assert done.status.error_comment


def test_double_pending_is_seen_by_the_engine(start_scp, sr_factory, send_store):
    running = start_scp(faults=FaultInjection(double_pending=True))
    send_store(running.port, [sr_factory("PAT-D")])
    events, done = query(running, "PAT-D")
    assert isinstance(done, Done)
    assert len([e for e in events if isinstance(e, Match)]) == 1
    assert any("at most one" in p for p in done.problems)


def test_abort_fault_aborts_the_association(start_scp):
    running = start_scp(faults=FaultInjection(abort=True))
    _, done = query(running)
    assert isinstance(done, Failed)
    assert done.kind == "aborted"


def test_cancel_during_delay_answers_fe00(start_scp, sr_factory, send_store):
    running = start_scp(faults=FaultInjection(delay_ms=5000))
    send_store(running.port, [sr_factory("PAT-C")])
    token = CancelToken(grace_s=4.0)
    timer = threading.Timer(0.3, token.cancel)
    timer.start()
    start = time.monotonic()
    _, done = query(running, "PAT-C", cancel=token)
    timer.join()
    assert time.monotonic() - start < 3.0
    assert isinstance(done, Done), done
    assert done.status.code == RpiqStatus.CANCEL
    assert running.wait_for(QueryServed)[0].status.code == RpiqStatus.CANCEL


# ----------------------------------------------------- handler robustness


class ExplodingArchive:
    def answer(self, identifier, sop_class_uid):
        raise RuntimeError("index exploded")

    def store(self, ds, encoded=None):
        raise ArchiveError("disk gone")


def test_handler_errors_become_failures_and_the_scp_keeps_serving(
    start_scp, sr_factory, send_store
):
    running = start_scp(archive=ExplodingArchive())
    for _ in range(2):
        _, done = query(running)
        assert isinstance(done, Done)
        assert done.status.code == RpiqStatus.UNABLE_TO_PROCESS
    assert send_store(running.port, [sr_factory("P")]) == [RpiqStatus.UNABLE_TO_PROCESS]
    errors = running.wait_for(HandlerError, 3)
    assert {e.operation for e in errors} == {"C-FIND", "C-STORE"}


def test_broken_on_event_listener_does_not_stop_the_scp(start_scp):
    running = start_scp()

    def explode(event):
        raise RuntimeError("listener bug")

    running.service._on_event = explode
    _, done = query(running)
    assert isinstance(done, Done)


# --------------------------------------------------------- who may connect


def test_unknown_calling_ae_is_rejected(start_scp):
    running = start_scp(allowed_calling_aets=("GOOD-SCU",))
    _, failed = query(running, calling_ae="BAD-SCU")
    assert isinstance(failed, Failed)
    assert failed.kind == "rejected"
    assert "calling ae title not recognised" in failed.message.lower()
    [rejected] = running.wait_for(AssociationRejected)
    assert rejected.peer_ae == "BAD-SCU"
    assert rejected.reason.lower() == "calling ae title not recognised"
    _, done = query(running, calling_ae="GOOD-SCU")
    assert isinstance(done, Done)


def test_wrong_called_ae_is_rejected_when_required(start_scp):
    running = start_scp(require_called_aet=True)
    _, failed = query(running, called_ae="SOMEONE")
    assert isinstance(failed, Failed)
    assert "called ae title not recognised" in failed.message.lower()
    _, done = query(running)
    assert isinstance(done, Done)


def test_association_limit(start_scp):
    running = start_scp(max_associations=2)
    ae = AE(ae_title="HOLDER")
    ae.add_requested_context(VERIFICATION_UID)
    held = [ae.associate("127.0.0.1", running.port, ae_title="RPIQ") for _ in range(2)]
    try:
        assert all(a.is_established for a in held)
        extra = ae.associate("127.0.0.1", running.port, ae_title="RPIQ")
        assert extra.is_rejected
        reasons = [e.reason for e in running.wait_for(AssociationRejected)]
        assert reasons == ["Local limit exceeded"]
    finally:
        for assoc in held:
            assoc.release()


# ------------------------------------------------------------ concurrency


@pytest.mark.slow
def test_concurrent_clients_get_every_answer(start_scp, sr_factory, send_store):
    running = start_scp(max_associations=16)
    send_store(running.port, [sr_factory(f"CONC-{i}") for i in range(8)])

    def client(index: int) -> int:
        failures = 0
        with QuerySession(running.profile()) as session:
            for _ in range(20):
                events = list(session.query(QueryRequest(f"CONC-{index}")))
                ok = isinstance(events[-1], Done) and any(
                    isinstance(e, Match) for e in events
                )
                failures += not ok
        return failures

    with ThreadPoolExecutor(8) as pool:
        failures = sum(pool.map(client, range(8)))
    assert failures == 0
    assert len(running.of(QueryServed)) == 160
