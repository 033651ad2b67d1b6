"""Every way of not getting an association gets its own clear message."""

from __future__ import annotations

import pytest

from rpiq.core.errors import ConnectionFailed
from rpiq.core.net.echo import probe, verify
from rpiq.core.profiles import AEProfile
from rpiq.core.query.engine import run_query
from rpiq.core.query.events import Failed
from rpiq.core.query.request import QueryRequest

pytestmark = pytest.mark.network


def profile(port, **kw):
    base = {
        "name": "t",
        "host": "127.0.0.1",
        "port": port,
        "acse_timeout": 1.0,
        "connect_timeout": 2.0,
    }
    base.update(kw)
    return AEProfile(**base)


def failure(prof):
    final = list(run_query(prof, QueryRequest("PAT-1")))[-1]
    assert isinstance(final, Failed)
    return final


def test_refused(unused_port):
    f = failure(profile(unused_port))
    assert f.kind == "refused"
    assert str(unused_port) in f.message


def test_unknown_host():
    f = failure(AEProfile(name="t", host="no-such-host.invalid", port=104))
    assert f.kind == "unknown-host"
    assert "no-such-host.invalid" in f.message


def test_called_ae_not_recognised(strict_scp):
    f = failure(profile(strict_scp, called_ae="WRONG", calling_ae="GOOD-SCU"))
    assert f.kind == "rejected"
    assert "Called AE title not recognised" in f.message or "called AE" in f.message


def test_calling_ae_not_recognised(strict_scp):
    f = failure(profile(strict_scp, called_ae="STRICT", calling_ae="STRANGER"))
    assert f.kind == "rejected"
    assert "STRANGER" in f.message


def test_no_rpi_presentation_context(strict_scp):
    f = failure(profile(strict_scp, called_ae="STRICT", calling_ae="GOOD-SCU"))
    assert f.kind == "rejected"
    assert "presentation context" in f.message


def test_peer_that_closes_at_once_is_aborted(closing_tcp):
    f = failure(profile(closing_tcp))
    assert f.kind == "aborted"


def test_peer_that_never_answers_times_out(silent_tcp):
    f = failure(profile(silent_tcp))
    assert f.kind == "timeout"
    assert "1 s" in f.message


def test_verify_and_probe(fake_profile):
    assert verify(fake_profile).status.code == 0
    result = probe(fake_profile)
    assert result.peer_ae == "FAKE-RPI"
    assert all(result.accepted.values())


def test_probe_reports_rejected_classes(strict_scp):
    result = probe(profile(strict_scp, called_ae="STRICT", calling_ae="GOOD-SCU"))
    assert result.accepted["Verification"] is True
    assert result.accepted["General"] is False


def test_verify_refused_raises_connection_failed(unused_port):
    with pytest.raises(ConnectionFailed) as info:
        verify(profile(unused_port))
    assert info.value.kind == "refused"
