"""The SCP over TLS 1.2+: server certificate, client certificates, wrong CA."""

from __future__ import annotations

import socket
import ssl
import time
import warnings

import pytest

from rpiq.core.profiles import TlsSettings
from rpiq.core.query.engine import QuerySession, run_query
from rpiq.core.query.events import Done, Failed, Match
from rpiq.core.query.request import QueryRequest
from rpiq.core.scp import AssociationRejected, ScpError, ScpTlsSettings
from rpiq.core.scp.tls import server_context

pytestmark = pytest.mark.network


def tls_settings(pki, *, verify_clients: bool) -> ScpTlsSettings:
    return ScpTlsSettings(
        cert_file=str(pki.server_cert),
        key_file=str(pki.server_key),
        ca_file=str(pki.ca) if verify_clients else None,
        handshake_timeout=2.0,
    )


def client_tls(pki, cert: str | None) -> TlsSettings:
    if cert is None:
        return TlsSettings(ca_file=str(pki.ca))
    return TlsSettings(
        ca_file=str(pki.ca),
        cert_file=str(getattr(pki, f"{cert}_cert")),
        key_file=str(getattr(pki, f"{cert}_key")),
    )


def last_event(running, tls):
    events = list(run_query(running.profile(tls=tls), QueryRequest("TLS-1")))
    return events, events[-1]


def test_query_over_tls(start_scp, pki, sr_factory, send_store):
    running = start_scp(tls=tls_settings(pki, verify_clients=False))
    plain = start_scp(archive=running.archive)
    send_store(plain.port, [sr_factory("TLS-1")])
    events, done = last_event(running, client_tls(pki, None))
    assert isinstance(done, Done), done
    assert any(isinstance(e, Match) for e in events)


def test_large_answers_on_a_held_tls_session(start_scp, pki, sr_factory, send_store):
    """The query thread reads TLS records itself (net.direct): many PDUs each."""
    running = start_scp(tls=tls_settings(pki, verify_clients=False))
    plain = start_scp(archive=running.archive)
    send_store(plain.port, [sr_factory("TLS-1", items=1000)])
    profile = running.profile(tls=client_tls(pki, None), max_pdu=16384)
    with QuerySession(profile) as session:
        for _ in range(3):
            events = list(session.query(QueryRequest("TLS-1")))
            done = events[-1]
            assert isinstance(done, Done), done
            (match,) = [e for e in events if isinstance(e, Match)]
            assert len(list(match.root.walk())) >= 1000


def test_plain_client_cannot_talk_to_tls_server(start_scp, pki):
    running = start_scp(tls=tls_settings(pki, verify_clients=False))
    _, failed = last_event(running, None)
    assert isinstance(failed, Failed)
    running.wait_for(AssociationRejected)


def test_client_certificate_required_and_accepted(start_scp, pki):
    running = start_scp(tls=tls_settings(pki, verify_clients=True))
    _, done = last_event(running, client_tls(pki, "client"))
    assert isinstance(done, Done), done


def test_missing_client_certificate_is_rejected(start_scp, pki):
    running = start_scp(tls=tls_settings(pki, verify_clients=True))
    _, failed = last_event(running, client_tls(pki, None))
    assert isinstance(failed, Failed)
    [rejected] = running.wait_for(AssociationRejected)
    assert "TLS handshake failed" in rejected.reason


def test_client_certificate_from_wrong_ca_is_rejected(start_scp, pki):
    running = start_scp(tls=tls_settings(pki, verify_clients=True))
    _, failed = last_event(running, client_tls(pki, "stranger"))
    assert isinstance(failed, Failed)
    [rejected] = running.wait_for(AssociationRejected)
    assert "TLS handshake failed" in rejected.reason
    assert rejected.host == "127.0.0.1"
    # The server still serves good clients afterwards.
    _, done = last_event(running, client_tls(pki, "client"))
    assert isinstance(done, Done), done


def test_tls_1_1_is_refused(start_scp, pki):
    running = start_scp(tls=tls_settings(pki, verify_clients=False))
    assert server_context(tls_settings(pki, verify_clients=False)).minimum_version == (
        ssl.TLSVersion.TLSv1_2
    )
    context = ssl.create_default_context(cafile=str(pki.ca))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        except (ValueError, ssl.SSLError):
            pytest.skip("this OpenSSL cannot even offer TLS 1.1")
    with (
        socket.create_connection(("127.0.0.1", running.port), timeout=5) as raw,
        pytest.raises((ssl.SSLError, OSError)),
        context.wrap_socket(raw, server_hostname="127.0.0.1"),
    ):
        pass


def test_silent_client_cannot_block_the_accept_loop(start_scp, pki):
    running = start_scp(tls=tls_settings(pki, verify_clients=False))
    with socket.create_connection(("127.0.0.1", running.port), timeout=10):
        time.sleep(0.1)
        start = time.monotonic()
        _, done = last_event(running, client_tls(pki, None))
        assert isinstance(done, Done), done
        assert time.monotonic() - start < 8.0


def test_unusable_certificate_is_a_clear_error(start_scp, pki, tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(ScpError, match="TLS"):
        start_scp(tls=ScpTlsSettings(str(bad), str(pki.server_key)))
