"""The engine against a plain pynetdicom RPI SCP over loopback."""

from __future__ import annotations

import threading
import time

import pytest

from rpiq.core.profiles import AEProfile
from rpiq.core.query.cancel import CancelToken
from rpiq.core.query.engine import QuerySession, run_query
from rpiq.core.query.events import Associated, Connecting, Done, Failed, Match
from rpiq.core.query.request import QueryRequest
from rpiq.core.sr.model import ValueType
from rpiq.core.status import Category, RpiqStatus
from rpiq.core.templates import RpiSopClass

pytestmark = pytest.mark.network


def events_of(profile, request, cancel=None):
    return list(run_query(profile, request, cancel))


def test_match_carries_every_value_type(fake_profile):
    events = events_of(fake_profile, QueryRequest("PAT-1"))
    kinds = [type(e) for e in events]
    assert kinds == [Connecting, Associated, Match, Done]
    match = events[2]
    assert match.patient.patient_id == "PAT-1"
    seen = {node.value_type for _, node in match.root.walk()}
    assert {v.value for v in ValueType} - {"TABLE"} <= seen
    done = events[-1]
    assert done.status.category is Category.SUCCESS
    assert done.problems == ()


def test_request_identifier_follows_annex_q(fake_scp, fake_profile):
    events_of(fake_profile, QueryRequest("PAT-1", sop_class=RpiSopClass.CARDIAC))
    sent = fake_scp.requests[0]
    assert sent.ContentTemplateSequence[0].TemplateIdentifier == "3802"
    assert sent.ContentTemplateSequence[0].MappingResource == "DCMR"
    assert sent.ContentSequence == []
    assert sent.ConceptNameCodeSequence == []
    assert sent.IssuerOfPatientID == ""
    assert "SpecificCharacterSet" not in sent


def test_no_match_is_success_without_match(fake_scp, fake_profile):
    fake_scp.mode = "none"
    events = events_of(fake_profile, QueryRequest("NOBODY"))
    assert not any(isinstance(e, Match) for e in events)
    assert events[-1].status.category is Category.SUCCESS
    assert not events[-1].matched


@pytest.mark.parametrize(
    ("mode", "code"),
    [
        ("c100", RpiqStatus.MORE_THAN_ONE_MATCH),
        ("c200", RpiqStatus.TEMPLATE_NOT_SUPPORTED),
        ("a900", RpiqStatus.IDENTIFIER_MISMATCH),
    ],
)
def test_failure_statuses_are_described(fake_scp, fake_profile, mode, code):
    fake_scp.mode = mode
    done = events_of(fake_profile, QueryRequest("PAT-1"))[-1]
    assert isinstance(done, Done)
    assert done.status.code == code
    assert done.status.category is Category.FAILURE
    assert done.status.error_comment == f"fake {mode}"


def test_second_pending_is_a_problem_and_first_is_kept(fake_scp, fake_profile):
    fake_scp.mode = "double"
    events = events_of(fake_profile, QueryRequest("PAT-1"))
    matches = [e for e in events if isinstance(e, Match)]
    assert len(matches) == 1
    assert any("at most one" in p for p in events[-1].problems)


def test_keep_association_runs_many_queries(fake_scp, fake_profile):
    with QuerySession(fake_profile) as session:
        dones = [list(session.query(QueryRequest("PAT-1")))[-1] for _ in range(3)]
    assert all(isinstance(d, Done) and d.matched for d in dones)


def test_cancel_gets_cancel_status_quickly(fake_scp, fake_profile):
    fake_scp.delay_s = 10.0
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    start = time.monotonic()
    final = events_of(fake_profile, QueryRequest("PAT-1"), token)[-1]
    assert time.monotonic() - start < 3.0
    assert isinstance(final, Done)
    assert final.status.category is Category.CANCEL


def test_cancel_on_deaf_peer_aborts_after_grace(fake_scp, fake_profile):
    fake_scp.mode, fake_scp.delay_s = "deaf", 8.0
    token = CancelToken(grace_s=0.5)
    threading.Timer(0.2, token.cancel).start()
    start = time.monotonic()
    final = events_of(fake_profile, QueryRequest("PAT-1"), token)[-1]
    assert time.monotonic() - start < 3.0
    assert isinstance(final, Failed)
    assert final.kind == "cancelled"


def test_dimse_timeout_is_reported_as_timeout(fake_scp, fake_profile):
    fake_scp.mode, fake_scp.delay_s = "deaf", 5.0
    profile = AEProfile(
        name="t",
        called_ae="FAKE-RPI",
        host="127.0.0.1",
        port=fake_scp.port,
        dimse_timeout=1.0,
    )
    final = events_of(profile, QueryRequest("PAT-1"))[-1]
    assert isinstance(final, Failed)
    assert final.kind == "timeout"
    assert "DIMSE timeout" in final.message
