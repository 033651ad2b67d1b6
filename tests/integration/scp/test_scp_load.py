"""Mixed load, short version (the long one is ``benchmarks/scp_scale.py``).

Query associations and a C-STORE association run at once, filling every
association slot; associations opened above the limit are rejected with
A-ASSOCIATE-RJ (PS3.8 7.1.1.9, "local limit exceeded"), never aborted or left
hanging, and the SCP keeps answering.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest
from pydicom.uid import ExplicitVRLittleEndian
from pynetdicom import AE

from rpiq.core.net.ae import VERIFICATION_UID
from rpiq.core.net.reactor import park_reactor, unpark_reactor
from rpiq.core.query.engine import QuerySession
from rpiq.core.query.events import Done, Match
from rpiq.core.query.request import QueryRequest
from rpiq.core.scp.events import AssociationRejected
from rpiq.core.status import RpiqStatus

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydicom.dataset import Dataset
    from tests.integration.scp.conftest import RunningScp

pytestmark = [pytest.mark.network, pytest.mark.slow]

QUERIERS = 6
QUERIES = 25
PATIENTS = 6


def test_queries_and_stores_at_the_limit_and_clean_rejections_above_it(
    start_scp: Callable[..., RunningScp],
    sr_factory: Callable[..., Dataset],
    send_store: Callable[..., list[int]],
) -> None:
    running = start_scp(max_associations=QUERIERS + 1)
    send_store(running.port, [sr_factory(f"LOAD-{i}") for i in range(PATIENTS)])
    all_in = threading.Barrier(QUERIERS + 2)  # queriers, storer, this thread
    done = threading.Event()

    def query(index: int) -> int:
        failures = 0
        with QuerySession(running.profile()) as session:
            all_in.wait(30)
            for n in range(QUERIES):
                events = list(session.query(QueryRequest(f"LOAD-{(index + n) % 6}")))
                ok = isinstance(events[-1], Done) and any(
                    isinstance(e, Match) for e in events
                )
                failures += not ok
        return failures

    def store() -> list[int]:
        ae = AE(ae_title="LOAD-STORE")
        ae.add_requested_context(
            str(sr_factory("X").SOPClassUID), ExplicitVRLittleEndian
        )
        assoc = ae.associate("127.0.0.1", running.port, ae_title="RPIQ")
        assert assoc.is_established
        park_reactor(assoc)
        all_in.wait(30)
        statuses = []
        n = 0
        while not done.is_set():  # new content for the queried patients
            ds = sr_factory(f"LOAD-{n % PATIENTS}", items=8)
            statuses.append(int(assoc.send_c_store(ds).Status))
            n += 1
        unpark_reactor(assoc)
        assoc.release()
        return statuses

    with ThreadPoolExecutor(QUERIERS + 1) as pool:
        storer = pool.submit(store)
        queriers = [pool.submit(query, i) for i in range(QUERIERS)]
        all_in.wait(30)  # every slot is taken now
        ae = AE(ae_title="OVER-LIMIT")
        ae.add_requested_context(VERIFICATION_UID)
        extra = [
            ae.associate("127.0.0.1", running.port, ae_title="RPIQ") for _ in range(5)
        ]
        failures = sum(q.result() for q in queriers)
        done.set()
        statuses = storer.result()

    assert failures == 0
    assert statuses
    assert set(statuses) == {RpiqStatus.SUCCESS}
    assert [a.is_rejected for a in extra] == [True] * 5
    reasons = {e.reason for e in running.of(AssociationRejected)}
    assert reasons == {"Local limit exceeded"}
    with QuerySession(running.profile()) as session:  # still serving
        assert isinstance(list(session.query(QueryRequest("LOAD-0")))[-1], Done)
