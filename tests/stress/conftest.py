"""Fixtures of the SCP stress tests: a demo archive and in-process SCPs over it.

``hostile_scp(**settings)`` starts an :class:`ScpService` on an ephemeral port
with short timeouts over one demo-seeded archive per module; it is stopped at
teardown. ``thread_crashes`` records every exception that escapes a thread
while the test runs (pynetdicom's reactor threads included).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from rpiq.core.archive import Archive
from rpiq.core.archive.demo import seed_demo
from rpiq.core.scp import ScpService, ScpSettings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SHORT_S = 0.5


@dataclass
class HostileScp:
    """A running SCP and its address."""

    service: ScpService

    @property
    def address(self) -> tuple[str, int]:
        return self.service.address


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    archive = Archive(tmp_path_factory.mktemp("stress") / "archive")
    seed_demo(archive)
    return archive


@pytest.fixture
def hostile_scp(demo_archive: Archive) -> Iterator[Callable[..., HostileScp]]:
    """Start ``ScpService(port=0, short timeouts, **settings)`` over the demo."""
    started: list[ScpService] = []

    def start(**settings: Any) -> HostileScp:
        for name in ("acse_timeout", "dimse_timeout", "network_timeout"):
            settings.setdefault(name, SHORT_S)
        service = ScpService(ScpSettings(port=0, **settings), demo_archive)
        service.start()
        started.append(service)
        return HostileScp(service)

    yield start
    for service in started:
        service.stop()


@pytest.fixture
def thread_crashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Exceptions that escape any thread during the test, as text."""
    crashes: list[str] = []

    def hook(args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread is not None else "?"
        crashes.append(f"{name}: {args.exc_type.__name__}: {args.exc_value}")

    monkeypatch.setattr(threading, "excepthook", hook)
    return crashes
