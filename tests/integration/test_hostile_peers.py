"""The query engine against hostile RPI peers (issue #7, part 2).

Every peer here accepts the association, reads the C-FIND-RQ and then
misbehaves (see ``hostile_peer.py``). Whatever it does, ``run_query`` must end
in bounded time with a ``Failed`` whose message names what the peer did (or,
for a slow but correct peer, with the answer), must not raise, must not leave
a thread behind, and must not buffer more than its message limit.

The bounds asserted are generous (seconds, not milliseconds) because the
machine is shared; the timeouts are shortened (1 s) so the whole module runs
in about ten seconds. The memory test prints its figures (``pytest -s``).
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

import pytest
from pydicom.dataset import Dataset
from pynetdicom.dimse_messages import C_ECHO_RSP, C_STORE_RQ, DIMSEMessage
from pynetdicom.dimse_primitives import C_ECHO, C_STORE
from tests.integration.hostile_peer import (
    ASSOCIATE_AC,
    P_DATA,
    RELEASE_RQ,
    HostilePeer,
    PeerLink,
    abort_pdu,
    pdu,
    pdv_pdu,
)

from rpiq.core.profiles import AEProfile
from rpiq.core.query.cancel import CancelToken
from rpiq.core.query.engine import run_query
from rpiq.core.query.events import Associated, Done, Failed, Match, QueryEvent
from rpiq.core.query.message import decode_command
from rpiq.core.query.request import QueryRequest
from rpiq.core.status import Category, RpiqStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pynetdicom.dimse_primitives import DimsePrimitiveType

pytestmark = pytest.mark.network

DIMSE_S = 1.0
NETWORK_S = 1.0
SLACK_S = 2.5
"""Generous allowance over a timeout for start-up, abort and thread exit."""

MB100 = 100_000_000
VERIFICATION = "1.2.840.10008.1.1"


@dataclass
class Outcome:
    events: list[QueryEvent]
    elapsed: float

    @property
    def final(self) -> QueryEvent:
        return self.events[-1]

    def failed_to_associate(self, kind: str) -> Failed:
        assert not any(isinstance(e, Associated) for e in self.events)
        final = self.final
        assert isinstance(final, Failed), final
        assert final.kind == kind, final
        return final

    def failed(self, kind: str) -> Failed:
        final = self.final
        assert isinstance(final, Failed), final
        assert final.kind == kind, final
        assert final.status is not None
        assert final.status.category is Category.NO_RESPONSE
        return final


def profile(port: int, **overrides: float) -> AEProfile:
    values: dict[str, float] = {
        "connect_timeout": 2.0,
        "acse_timeout": 2.0,
        "dimse_timeout": DIMSE_S,
        "network_timeout": NETWORK_S,
    }
    values.update(overrides)
    return AEProfile(
        name="hostile",
        called_ae="HOSTILE",
        host="127.0.0.1",
        port=port,
        **values,  # type: ignore[arg-type]
    )


def query(
    script: Callable[[PeerLink], None],
    cancel: CancelToken | None = None,
    when: str = "request",
    **overrides: float,
) -> Outcome:
    """Run one query against a peer running ``script``; the peer is stopped after."""
    with HostilePeer(script, when=when) as peer:
        start = time.monotonic()
        events = list(
            run_query(profile(peer.port, **overrides), QueryRequest("PAT-1"), cancel)
        )
        elapsed = time.monotonic() - start
    assert peer.errors == []
    return Outcome(events, elapsed)


def answer() -> Dataset:
    ds = Dataset()
    ds.PatientName = "HOSTILE^PEER"
    ds.PatientID = "PAT-1"
    ds.PatientBirthDate = "19800101"
    ds.PatientSex = "F"
    return ds


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Every thread started during the test has ended shortly after it."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3.0
    while True:
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not extra or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert extra == [], [t.name for t in extra]


# ---------------------------------------------------------------- association


def test_100_mb_associate_ac_is_refused_at_its_header():
    def huge_ac(link: PeerLink) -> None:
        link.send(struct.pack(">BBL", ASSOCIATE_AC, 0, MB100))
        link.hold(30)

    outcome = query(huge_ac, when="associate")
    failed = outcome.failed_to_associate("protocol")
    assert "PDU of type 0x02 claiming 95.4 MiB" in failed.message
    assert outcome.elapsed < SLACK_S


def test_associate_ac_that_stalls_mid_pdu_hits_the_association_timeout():
    def stalled_ac(link: PeerLink) -> None:
        link.send(struct.pack(">BBL", ASSOCIATE_AC, 0, 200) + bytes(50))
        link.hold(30)

    outcome = query(
        stalled_ac, when="associate", acse_timeout=1.0, network_timeout=30.0
    )
    failed = outcome.failed_to_associate("timeout")
    assert "middle of a PDU" in failed.message
    assert "association timeout" in failed.message
    assert outcome.elapsed < 1.0 + SLACK_S


# ---------------------------------------------------------------- a) silence


def test_peer_that_never_answers_times_out():
    outcome = query(lambda link: link.hold(30))
    failed = outcome.failed("timeout")
    assert "DIMSE timeout (1 s)" in failed.message
    assert "No answer" in failed.message
    assert DIMSE_S * 0.9 <= outcome.elapsed < DIMSE_S + SLACK_S


# ---------------------------------------------------------------- b) trickle


def test_answer_sent_byte_by_byte_within_the_timeouts_is_accepted():
    """TCP segmentation is no DICOM matter: a slow but complete answer counts."""

    def trickle(link: PeerLink) -> None:
        link.send(link.pending(answer()) + link.success(), byte_delay=0.001)

    outcome = query(trickle, dimse_timeout=5.0)
    assert isinstance(outcome.final, Done)
    assert outcome.final.status.category is Category.SUCCESS
    matches = [e for e in outcome.events if isinstance(e, Match)]
    assert len(matches) == 1
    assert matches[0].patient.name == "HOSTILE^PEER"


def test_answer_trickled_slower_than_the_dimse_timeout_times_out():
    """Each byte comes well within the network timeout, the message does not."""

    def crawl(link: PeerLink) -> None:
        link.send(link.pending(answer()), byte_delay=0.05)

    outcome = query(crawl)
    failed = outcome.failed("timeout")
    assert "still sending" in failed.message
    assert "bytes of it had arrived" in failed.message
    assert outcome.elapsed < DIMSE_S + SLACK_S


def test_peer_that_stalls_mid_pdu_hits_the_network_timeout():
    def stall(link: PeerLink) -> None:
        link.send(link.pending(answer())[:40])
        link.hold(30)

    outcome = query(stall, dimse_timeout=10.0, network_timeout=0.5)
    failed = outcome.failed("timeout")
    assert "middle of a PDU" in failed.message
    assert "network timeout" in failed.message
    assert outcome.elapsed < 0.5 + SLACK_S


def test_cancel_while_the_peer_trickles_a_pdu_is_bounded():
    """The cancel-abort must not wait for a DUL thread busy reading a PDU."""

    def crawl(link: PeerLink) -> None:
        link.send(link.pending(answer()), byte_delay=0.05)

    token = CancelToken(grace_s=0.3)
    threading.Timer(0.3, token.cancel).start()
    outcome = query(crawl, token, dimse_timeout=20.0, network_timeout=20.0)
    outcome.failed("cancelled")
    assert outcome.elapsed < 0.6 + SLACK_S


# ---------------------------------------------------------------- c) Pendings


def test_endless_pendings_are_stopped():
    def flood(link: PeerLink) -> None:
        pending = link.pending(answer())
        while not link.stopped.is_set():
            link.send(pending)

    outcome = query(flood, dimse_timeout=10.0)
    failed = outcome.failed("protocol")
    assert "11 Pending responses" in failed.message
    assert "PS3.4 Q.4.2" in failed.message
    # The first Pending was still shown as the match.
    assert sum(isinstance(e, Match) for e in outcome.events) == 1
    assert outcome.elapsed < SLACK_S


def test_slow_endless_pendings_hit_the_answer_deadline():
    def drip(link: PeerLink) -> None:
        pending = link.pending(answer())
        while not link.stopped.wait(0.3):
            link.send(pending)

    outcome = query(drip)
    failed = outcome.failed("timeout")
    assert "did not finish its answer within 2 s" in failed.message
    assert "Pending" in failed.message
    assert outcome.elapsed < 2 * DIMSE_S + SLACK_S


# ---------------------------------------------------------------- d) 100 MB


def send_100_mb_pdu(link: PeerLink) -> None:
    """One P-DATA-TF PDU whose header says 100 MB, then its zero body."""
    link.send(struct.pack(">BBL", P_DATA, 0, MB100))
    chunk = bytes(65536)
    for _ in range(MB100 // len(chunk)):
        if link.stopped.is_set():
            return
        link.send(chunk)


@pytest.mark.parametrize(
    ("max_pdu", "words"),
    [
        (65536, "more than the maximum PDU length of 65,536 bytes we announced"),
        (0, "more than our 16.0 MiB (16,777,216 bytes) message limit"),
    ],
    ids=["announced-64k", "unlimited"],
)
def test_single_100_mb_pdu_is_refused_at_its_header(max_pdu, words):
    """PS3.8 D.1: our Maximum Length binds the peer; 0 (no maximum) still has ours."""
    outcome = query(send_100_mb_pdu, max_pdu=max_pdu)
    failed = outcome.failed("protocol")
    assert "P-DATA-TF PDU of 95.4 MiB (100,000,000 bytes)" in failed.message
    assert words in failed.message
    assert "refused before reading it" in failed.message
    assert outcome.elapsed < SLACK_S


def stream_100_mb_identifier(link: PeerLink) -> None:
    """A Pending whose identifier is one 100 MB UT value, in legal PDUs."""
    link.send(link.command_only(int(RpiqStatus.PENDING), with_dataset=True))
    # (0040,A160) Text Value, UT, 4-byte length (explicit VR, PS3.5 7.1.2)
    prefix = struct.pack("<HH2sHL", 0x0040, 0xA160, b"UT", 0, MB100 - 12)
    for data in link.dataset_stream(prefix, MB100, link.scu_max_pdu - 6):
        if link.stopped.is_set():
            return
        link.send(data)


def test_100_mb_identifier_is_refused_at_the_message_limit():
    outcome = query(stream_100_mb_identifier)
    failed = outcome.failed("too-large")
    assert "16.0 MiB" in failed.message
    assert "larger than" in failed.message
    assert outcome.elapsed < SLACK_S + 3.0


_MEMORY_CHILD = """
import json, sys, time
from rpiq.core.profiles import AEProfile
from rpiq.core.query.engine import run_query
from rpiq.core.query.message import decode_command
from rpiq.core.query.request import QueryRequest

def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024
    raise LookupError(field)

run_query  # imports done: the baseline includes pynetdicom and pydicom
results = []
for port in map(int, sys.argv[1:]):
    profile = AEProfile(name="m", called_ae="HOSTILE", port=port,
                        dimse_timeout=5.0, network_timeout=5.0)
    try:  # reset the peak to the current RSS (Linux clear_refs, value 5)
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass
    base = rss("VmRSS:")
    start = time.monotonic()
    final = list(run_query(profile, QueryRequest("PAT-1")))[-1]
    results.append({"kind": getattr(final, "kind", None),
                    "growth": rss("VmHWM:") - base,
                    "seconds": time.monotonic() - start})
print(json.dumps(results))
"""


def test_100_mb_answers_keep_peak_memory_bounded():
    """Peak RSS of a separate SCU process: the 100 MB never reach memory."""
    with (
        HostilePeer(send_100_mb_pdu) as one_pdu,
        HostilePeer(stream_100_mb_identifier) as many,
    ):
        done = subprocess.run(
            [sys.executable, "-c", _MEMORY_CHILD, str(one_pdu.port), str(many.port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    single, fragmented = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nmemory: one 100 MB PDU {single}; 100 MB in PDUs {fragmented}")
    assert single["kind"] == "protocol"
    assert fragmented["kind"] == "too-large"
    assert single["growth"] < 8 * 2**20
    assert fragmented["growth"] < 64 * 2**20
    assert single["seconds"] < SLACK_S
    assert fragmented["seconds"] < SLACK_S + 3.0


# ---------------------------------------------------------------- e) wrong messages


def _store_rq(link: PeerLink) -> tuple[DIMSEMessage, DimsePrimitiveType]:
    primitive = C_STORE()
    primitive.MessageID = 7
    primitive.AffectedSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    primitive.AffectedSOPInstanceUID = "1.2.3.4"
    primitive.Priority = 2
    primitive.DataSet = BytesIO(link.encode_identifier(answer()))
    return C_STORE_RQ(), primitive


def _echo_rsp(link: PeerLink) -> tuple[DIMSEMessage, DimsePrimitiveType]:
    primitive = C_ECHO()
    primitive.MessageIDBeingRespondedTo = link.msg_id
    primitive.AffectedSOPClassUID = VERIFICATION
    primitive.Status = 0
    return C_ECHO_RSP(), primitive


@pytest.mark.parametrize(
    ("build", "words"),
    [(_store_rq, "C-STORE request"), (_echo_rsp, "C-ECHO response")],
    ids=["c-store-rq", "c-echo-rsp"],
)
def test_wrong_message_type_is_a_protocol_error(build, words):
    def send_wrong(link: PeerLink) -> None:
        message, primitive = build(link)
        link.send(b"".join(link.message_pdus(message, primitive)))

    outcome = query(send_wrong)
    failed = outcome.failed("protocol")
    assert f"sent a {words} instead of a C-FIND response" in failed.message
    assert outcome.elapsed < SLACK_S


def test_response_to_another_message_id_is_a_protocol_error():
    def wrong_id(link: PeerLink) -> None:
        link.send(
            link.find_rsp(int(RpiqStatus.PENDING), answer(), msg_id=link.msg_id + 41)
        )

    outcome = query(wrong_id)
    failed = outcome.failed("protocol")
    assert "message ID 42" in failed.message
    assert "our request had message ID 1" in failed.message
    assert outcome.elapsed < SLACK_S


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (lambda link: pdv_pdu(link.context_id, 0x03, b""), "cannot be decoded"),
        (
            lambda link: pdu(P_DATA, struct.pack(">LB", 1, link.context_id)),
            "cannot be decoded",
        ),
        (
            lambda link: pdv_pdu(link.context_id, 0x03, b"\xff" * 30),
            "cannot be decoded",
        ),
        (lambda link: pdu(P_DATA, struct.pack(">LBB", 5000, 1, 3) + b"x"), "not valid"),
        (lambda link: pdu(0x09, b"\x00" * 8), "not valid"),
    ],
    ids=[
        "empty-command-set",
        "pdv-without-header",
        "garbage-command-set",
        "pdv-longer-than-pdu",
        "unknown-pdu-type",
    ],
)
def test_malformed_p_data_is_a_protocol_error(raw, words):
    outcome = query(lambda link: link.send(raw(link)))
    failed = outcome.failed("protocol")
    assert words in failed.message
    assert outcome.elapsed < SLACK_S


@pytest.mark.parametrize(
    "identifier",
    [
        b"\xff" * 64,
        struct.pack("<HH2sHL", 0x0040, 0xA730, b"SQ", 0, 0xFFFFFFFF) + bytes(16),
    ],
    ids=["garbage", "unterminated-sequence"],
)
def test_unreadable_identifier_is_a_problem_not_a_crash(identifier):
    """The peer's status is still meaningful: report it, note the identifier."""

    def unreadable(link: PeerLink) -> None:
        pending = link.find_rsp(int(RpiqStatus.PENDING), identifier)
        link.send(pending + link.success())

    outcome = query(unreadable)
    assert isinstance(outcome.final, Done)
    assert not any(isinstance(e, Match) for e in outcome.events)
    assert "Pending response 1 had no readable identifier." in outcome.final.problems


# ---------------------------------------------------------------- f) abort, reset


def test_a_abort_after_one_pending():
    def abort_after_pending(link: PeerLink) -> None:
        link.send(link.pending(answer()))
        time.sleep(0.1)
        link.send(abort_pdu())

    outcome = query(abort_after_pending)
    failed = outcome.failed("aborted")
    assert "aborted the association (A-ABORT)" in failed.message
    assert sum(isinstance(e, Match) for e in outcome.events) == 1
    assert outcome.elapsed < SLACK_S


@pytest.mark.parametrize("how", ["reset", "close"])
def test_connection_lost_mid_pdu(how):
    def cut(link: PeerLink) -> None:
        link.send(link.pending(answer())[:40])
        time.sleep(0.1)
        if how == "reset":
            link.reset()
        else:
            link.conn.close()

    outcome = query(cut)
    failed = outcome.failed("aborted")
    assert "closed or reset the connection" in failed.message
    assert outcome.elapsed < SLACK_S


def test_release_request_before_the_final_response_ends_the_query():
    def release_mid_answer(link: PeerLink) -> None:
        link.send(link.pending(answer()))
        time.sleep(0.1)
        link.send(pdu(RELEASE_RQ, bytes(4)))

    outcome = query(release_mid_answer)
    failed = outcome.failed("aborted")
    assert "A-RELEASE-RQ" in failed.message
    assert sum(isinstance(e, Match) for e in outcome.events) == 1
    assert outcome.elapsed < SLACK_S


def _bodies(pdus: bytes) -> list[bytes]:
    """The bodies of consecutive PDUs."""
    out, pos = [], 0
    while pos < len(pdus):
        _, _, length = struct.unpack_from(">BBL", pdus, pos)
        out.append(pdus[pos + 6 : pos + 6 + length])
        pos += 6 + length
    return out


def test_whole_answer_in_one_pdu_is_read():
    """PS3.8 9.3.5: one P-DATA-TF may carry PDVs of two messages."""

    def one_pdu(link: PeerLink) -> None:
        body = b"".join(_bodies(link.pending(answer()) + link.success()))
        link.send(pdu(P_DATA, body))

    outcome = query(one_pdu)
    assert isinstance(outcome.final, Done), outcome.final
    assert outcome.final.status.category is Category.SUCCESS
    matches = [e for e in outcome.events if isinstance(e, Match)]
    assert [m.patient.name for m in matches] == ["HOSTILE^PEER"]


def test_cancel_sends_c_cancel_and_ends_with_the_peers_cancel_status():
    seen = []

    def cancellable(link: PeerLink) -> None:
        _, cancel_pdu = link.recv_pdu()
        seen.append(decode_command(cancel_pdu[12:]))  # PDU, PDV item headers
        link.send(link.find_rsp(int(RpiqStatus.CANCEL)))

    token = CancelToken()
    threading.Timer(0.2, token.cancel).start()
    outcome = query(cancellable, token, dimse_timeout=10.0)
    assert isinstance(outcome.final, Done), outcome.final
    assert outcome.final.status.category is Category.CANCEL
    assert [(c.field, c.responding_to, c.has_data_set) for c in seen] == [
        (0x0FFF, 1, False)
    ]
    assert outcome.elapsed < 0.2 + SLACK_S
