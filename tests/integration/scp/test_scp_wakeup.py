"""Idle SCP associations wait instead of polling; other threads are untouched."""

from __future__ import annotations

import threading
import time

import pytest
from pynetdicom import AE
from pynetdicom import dul as pn_dul

from rpiq.core.net import wakeup
from rpiq.core.net.ae import VERIFICATION_UID
from rpiq.core.net.reactor import park_reactor, unpark_reactor

pytestmark = pytest.mark.network


def test_idle_association_loops_rarely(start_scp, monkeypatch):
    running = start_scp()
    ae = AE(ae_title="IDLE")
    ae.add_requested_context(VERIFICATION_UID)
    assoc = ae.associate("127.0.0.1", running.port, ae_title="RPIQ")
    assert assoc.is_established
    try:
        counts = {"dul": 0, "reactor": 0}
        for cls, key in (
            (wakeup._DulWaiter, "dul"),
            (wakeup._ReactorWaiter, "reactor"),
        ):
            original = cls.wait

            def counting(self, seconds, _original=original, _key=key):
                counts[_key] += 1
                _original(self, seconds)

            monkeypatch.setattr(cls, "wait", counting)
        time.sleep(0.5)
        # Polling would loop ~2500 (DUL, 0.2 ms) and ~500 (reactor, 1 ms) times.
        assert 0 < counts["dul"] < 100
        assert 0 < counts["reactor"] < 100
        assert assoc.send_c_echo().Status == 0  # still answers at once
    finally:
        assoc.release()


def test_echo_latency_is_not_the_wait_cap(start_scp):
    running = start_scp()
    ae = AE(ae_title="FAST")
    ae.add_requested_context(VERIFICATION_UID)
    assoc = ae.associate("127.0.0.1", running.port, ae_title="RPIQ")
    park_reactor(assoc)  # no stolen responses on the reused association
    try:
        times = []
        for _ in range(20):
            start = time.perf_counter()
            assert assoc.send_c_echo().Status == 0
            times.append(time.perf_counter() - start)
        times.sort()
        assert times[10] < wakeup.MAX_WAIT_S
    finally:
        unpark_reactor(assoc)
        assoc.release()


def test_unregistered_threads_sleep_as_before(start_scp):
    start_scp()  # installs the shim
    assert isinstance(vars(pn_dul)["time"], wakeup._TimeModule)
    start = time.perf_counter()
    vars(pn_dul)["time"].sleep(0.03)
    assert time.perf_counter() - start >= 0.029
    assert vars(pn_dul)["time"].monotonic() > 0  # other names pass through

    result = []
    worker = threading.Thread(
        target=lambda: result.append(vars(pn_dul)["time"].sleep(0))
    )
    worker.start()
    worker.join()
    assert result == [None]


def test_release_is_prompt(start_scp):
    running = start_scp()
    ae = AE(ae_title="REL")
    ae.add_requested_context(VERIFICATION_UID)
    for _ in range(5):
        assoc = ae.associate("127.0.0.1", running.port, ae_title="RPIQ")
        start = time.perf_counter()
        assoc.release()
        assert time.perf_counter() - start < 0.5
