"""C-STORE in Deflated Explicit VR Little Endian (PS3.5 A.5): stored, and bounded."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pydicom import dcmread
from pydicom.uid import DeflatedExplicitVRLittleEndian
from tests.tempfiles import unfinished

from rpiq.core.query.engine import run_query
from rpiq.core.query.events import Done, Match
from rpiq.core.query.request import QueryRequest
from rpiq.core.scp import HandlerError, InstanceStored, handlers
from rpiq.core.status import RpiqStatus

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydicom.dataset import Dataset
    from tests.integration.scp.conftest import RunningScp

pytestmark = pytest.mark.network


def test_deflated_sr_document_is_stored_and_answers_queries(
    start_scp: Callable[..., RunningScp],
    sr_factory: Callable[..., Dataset],
    send_store: Callable[..., list[int]],
) -> None:
    running = start_scp()
    ds = sr_factory("PAT-DEFL", name="DEFLATE^DORA")
    sent = send_store(running.port, [ds], syntax=DeflatedExplicitVRLittleEndian)
    assert sent == [RpiqStatus.SUCCESS]
    [listed] = running.archive.instances()
    stored = dcmread(listed.path)  # the deflated bytes as sent, with our meta
    assert stored.file_meta.TransferSyntaxUID == DeflatedExplicitVRLittleEndian
    assert stored.PatientName == "DEFLATE^DORA"
    events = list(run_query(running.profile(), QueryRequest("PAT-DEFL")))
    assert isinstance(events[-1], Done)
    [match] = [e for e in events if isinstance(e, Match)]
    assert match.patient.name == "DEFLATE^DORA"
    assert match.root.children  # the stored document's content


def test_deflate_bomb_is_refused_without_storing(
    start_scp: Callable[..., RunningScp],
    sr_factory: Callable[..., Dataset],
    send_store: Callable[..., list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 1 MiB stands in for the real 1 GiB limit; 4 MiB of zeros deflate to ~4 KB.
    monkeypatch.setattr(handlers, "MAX_INFLATED_INSTANCE_BYTES", 1 << 20)
    running = start_scp()
    bomb = sr_factory("PAT-BOMB")
    bomb.add_new(0x00091010, "OB", bytes(4 << 20))  # private padding
    small = sr_factory("PAT-SMALL")
    sent = send_store(
        running.port, [bomb, small], syntax=DeflatedExplicitVRLittleEndian
    )
    assert sent == [RpiqStatus.OUT_OF_RESOURCES, RpiqStatus.SUCCESS]
    [error] = running.of(HandlerError)
    assert "inflates to more than 1 MiB" in error.message
    assert [e.patient_id for e in running.of(InstanceStored)] == ["PAT-SMALL"]
    assert [i.patient_id for i in running.archive.instances()] == ["PAT-SMALL"]
    assert unfinished(running.archive.root / "tmp") == []
