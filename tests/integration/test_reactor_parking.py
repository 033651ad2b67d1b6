"""The association reactor stays parked between queries and exits on close.

pynetdicom's reactor can steal a Pending response on a reused association
(see rpiq.core.net.reactor); these tests pin down the parking contract.
"""

from __future__ import annotations

import threading
import time

import pytest

from rpiq.core.query.cancel import CancelToken
from rpiq.core.query.engine import QuerySession
from rpiq.core.query.events import Done, Failed
from rpiq.core.query.request import QueryRequest

pytestmark = pytest.mark.network


def reactor_threads(assoc):
    return [t for t in threading.enumerate() if t is assoc]


def test_reactor_is_parked_between_queries_and_set_is_ignored(fake_profile):
    session = QuerySession(fake_profile)
    session.open()
    assoc = session._assoc
    assert assoc is not None
    checkpoint = assoc._reactor_checkpoint
    for _ in range(20):
        final = list(session.query(QueryRequest("PAT-1")))[-1]
        assert isinstance(final, Done)
        assert final.matched
        # pynetdicom "resumed" the reactor after the final response; it must not run
        assert not checkpoint.is_set()
        assert assoc._is_paused
    session.close()
    deadline = time.monotonic() + 3
    while reactor_threads(assoc) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert reactor_threads(assoc) == []
    assert assoc.is_released


def test_reactor_exits_after_the_peer_is_lost(fake_scp, fake_profile):
    fake_scp.mode, fake_scp.delay_s = "deaf", 5.0
    session = QuerySession(fake_profile)
    session.open()
    assoc = session._assoc
    token = CancelToken(grace_s=0.2)
    threading.Timer(0.1, token.cancel).start()
    final = list(session.query(QueryRequest("PAT-1"), token))[-1]
    assert isinstance(final, Failed)
    session.close()
    deadline = time.monotonic() + 3
    while reactor_threads(assoc) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert reactor_threads(assoc) == []


def test_query_on_a_lost_association_fails_clearly(fake_scp, fake_profile):
    session = QuerySession(fake_profile)
    session.open()
    assert session._assoc is not None
    session._assoc.abort()
    final = list(session.query(QueryRequest("PAT-1")))[-1]
    assert isinstance(final, Failed)
    assert final.kind == "aborted"
    session.close()
