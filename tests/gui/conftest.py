"""GUI fixtures: leak checks, an isolated QSettings dir and a loopback RPI SCP.

The SCP is a trimmed copy of ``tests/integration/conftest.py``'s ``fake_scp``
(fixtures there are not visible here): a pynetdicom RPI SCP on 127.0.0.1:0
whose ``mode`` and ``delay_s`` a test sets.
"""

from __future__ import annotations

import gc
import threading
import time
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QLocale, QThreadPool
from PySide6.QtWidgets import QApplication

from rpiq.core.profiles import AEProfile, ProfileStore
from rpiq.gui.workers import await_workers, running_workers

if TYPE_CHECKING:
    from collections.abc import Iterator

LEAK_GRACE_MS = 4000


@pytest.fixture(autouse=True)
def _no_dangling_workers(qapp: QApplication) -> Iterator[None]:
    """Fail a test that leaves a worker, a pool thread or a new thread running.

    Automatic garbage collection is off meanwhile (as under ``GcGuard`` in the
    app): a collection inside a worker thread could free Qt wrappers there.
    """
    before = set(threading.enumerate())
    gc.disable()
    yield
    finished = await_workers(LEAK_GRACE_MS)
    for widget in QApplication.topLevelWidgets():
        widget.close()
    QApplication.processEvents()
    # Collect Qt wrappers here, on the GUI thread, not later inside a worker.
    gc.collect()
    gc.enable()
    deadline = time.monotonic() + 3
    extra: list[threading.Thread] = []
    while time.monotonic() < deadline:
        extra = [
            t
            for t in set(threading.enumerate()) - before
            if t.is_alive() and not t.daemon
        ]
        if not extra:
            break
        time.sleep(0.05)
    assert finished, f"{running_workers()} worker(s) still running after the test"
    assert QThreadPool.globalInstance().activeThreadCount() == 0
    assert not extra, f"threads leaked: {extra}"


@pytest.fixture(autouse=True)
def _english_locale() -> Iterator[None]:
    """Locale-formatted values are asserted in US English."""
    previous = QLocale()
    QLocale.setDefault(QLocale("en_US"))
    yield
    QLocale.setDefault(previous)


@pytest.fixture
def fake_scp(fake_scp: Any) -> Any:
    """The shared fake SCP, with the C100 comment the GUI tests look for."""
    fake_scp.comments["c100"] = "two patients"
    return fake_scp


@pytest.fixture
def profile_store(fake_profile: AEProfile) -> ProfileStore:
    """The default store (under RPIQ_HOME) holding the fake profile, saved."""
    store = ProfileStore.default()
    store.load()
    store.add(fake_profile)
    store.save()
    return store
