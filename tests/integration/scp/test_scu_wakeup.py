"""The engine's own associations wait for work instead of polling (net.wakeup).

Every RPIQ association is tuned (rpiq.core.net.tuning): its DUL thread waits
on its socket and a doorbell, its reactor on an Event. The doorbells must ring
for everything pynetdicom or the engine asks of those threads, or a query
waits out the wait cap (MAX_WAIT_S) somewhere.
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from pynetdicom import AE

from rpiq.core.net import wakeup
from rpiq.core.net.ae import VERIFICATION_UID
from rpiq.core.net.tuning import TUNING_HANDLERS
from rpiq.core.query.engine import QuerySession
from rpiq.core.query.events import Done, Failed
from rpiq.core.query.request import QueryRequest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pynetdicom.association import Association

pytestmark = pytest.mark.network


def _count_dul_loops(monkeypatch: pytest.MonkeyPatch, seconds: float) -> int:
    loops = {"dul": 0}
    original = wakeup._DulWaiter.wait

    def counting(self: wakeup._DulWaiter, wait_s: float) -> None:
        loops["dul"] += 1
        original(self, wait_s)

    monkeypatch.setattr(wakeup._DulWaiter, "wait", counting)
    time.sleep(seconds)
    monkeypatch.undo()
    return loops["dul"]


@contextmanager
def tuned_echo_association(start_scp: Any) -> Iterator[Association]:
    """A plain pynetdicom Verification association with RPIQ's tuning."""
    running = start_scp()
    ae = AE(ae_title="TUNED")
    ae.add_requested_context(VERIFICATION_UID)
    assoc = ae.associate(
        "127.0.0.1", running.port, ae_title="RPIQ", evt_handlers=TUNING_HANDLERS
    )
    assert assoc.is_established
    try:
        yield assoc
    finally:
        assoc.release()
    assert assoc.is_released


def test_idle_tuned_association_loops_rarely(start_scp, monkeypatch):
    with tuned_echo_association(start_scp):
        # pynetdicom's 1 ms poll (0.2 ms when tuned) would loop 500-2500 times.
        assert 0 < _count_dul_loops(monkeypatch, 0.5) < 100


def test_engine_session_holds_its_dul_thread_between_queries(fake_profile, monkeypatch):
    with QuerySession(fake_profile) as session:
        assert isinstance(list(session.query(QueryRequest("PAT-1")))[-1], Done)
        assert session._assoc is not None
        waiter = wakeup.dul_waiter(session._assoc)
        assert waiter is not None
        assert waiter.is_held
        # Held: the DUL thread does not even loop; the query thread does the I/O.
        assert _count_dul_loops(monkeypatch, 0.3) == 0
        final = list(session.query(QueryRequest("PAT-1")))[-1]
        assert isinstance(final, Done)
        assert final.matched
    assert not waiter.is_held


def test_opening_a_session_does_not_wait_for_the_reactor(fake_profile):
    # park_reactor rings the reactor; without the ring every open would wait
    # for the reactor's capped wait (MAX_WAIT_S) to run out.
    times = []
    for _ in range(7):
        start = time.perf_counter()
        with QuerySession(fake_profile):
            times.append(time.perf_counter() - start)
    assert statistics.median(times) < wakeup.MAX_WAIT_S


def test_pynetdicom_requests_on_a_tuned_association_are_prompt(start_scp):
    # pynetdicom's own send_c_echo pauses the (unparked) reactor and polls
    # until it is paused; the reactor must not sit out its capped wait first.
    with tuned_echo_association(start_scp) as assoc:
        times = []
        for _ in range(9):
            start = time.perf_counter()
            assert assoc.send_c_echo().Status == 0
            times.append(time.perf_counter() - start)
        assert statistics.median(times) < wakeup.MAX_WAIT_S


def test_peer_gone_while_the_session_is_idle_fails_the_next_query(start_scp):
    """The held DUL thread does not notice the peer leaving; the query does."""
    running = start_scp()
    with QuerySession(running.profile()) as session:
        first = list(session.query(QueryRequest("NOBODY")))[-1]
        assert isinstance(first, Done)
        running.service.stop()  # aborts the open association, stops listening
        start = time.monotonic()
        final = list(session.query(QueryRequest("NOBODY")))[-1]
        assert isinstance(final, Failed), final
        assert final.kind == "aborted", final.message
        assert "A-ABORT" in final.message
        assert time.monotonic() - start < 2.0
