"""``rpiq scp serve`` as a subprocess: readiness line, queries, signals, errors."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import pytest

from rpiq.cli.scp_cmd import status_code

pytestmark = pytest.mark.network

RPIQ_CMD = [sys.executable, "-m", "rpiq"]


def rpiq_query(process, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *RPIQ_CMD,
            "query",
            process.host,
            str(process.port),
            "-aec",
            process.ae_title,
            "--timeout",
            "10",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_readiness_line_query_and_sigterm(serve, sr_factory, send_store):
    process = serve("--aet", "CLI-SCP")
    assert process.ready_line == (f"listening on 127.0.0.1:{process.port} as CLI-SCP\n")
    send_store(process.port, [sr_factory("CLI-12345", name="CLI^PATIENT")])
    found = rpiq_query(process, "-k", "CLI-12345")
    assert found.returncode == 0, found.stderr
    assert "CLI^PATIENT" in found.stdout
    missing = rpiq_query(process, "-k", "NOBODY")
    assert missing.returncode == 1, missing.stderr
    assert process.stop(signal.SIGTERM) == 0
    assert process.proc.stdout is not None
    assert process.proc.stdout.read() == ""  # exactly one line on stdout
    log = process.stderr
    assert "Traceback" not in log
    assert "association accepted" in log
    assert "query from" in log
    assert "CLI-12345" not in log  # masked at INFO
    assert "stopped" in log


def test_sigint_stops_cleanly(serve):
    process = serve()
    assert process.stop(signal.SIGINT) == 0
    assert "Traceback" not in process.stderr


def test_vv_shows_patient_ids(serve, sr_factory, send_store):
    process = serve(verbose=2)
    send_store(process.port, [sr_factory("VV-12345")])
    assert rpiq_query(process, "-k", "VV-12345").returncode == 0
    assert process.stop() == 0
    assert "VV-12345" in process.stderr


@pytest.mark.parametrize(
    ("flag", "code"), [("C100", "0xC100"), ("0xc200", "0xC200"), ("A900", "0xA900")]
)
def test_inject_status(serve, flag, code):
    process = serve("--inject-status", flag)
    answered = rpiq_query(process, "-k", "ANY")
    assert answered.returncode == 3, answered.stderr
    assert code in answered.stdout + answered.stderr
    assert process.stop() == 0
    assert "FAULT INJECTION" in process.stderr


def test_allowed_aet_rejects_others(serve):
    process = serve("--allow-aet", "GOOD-SCU", "OTHER")
    rejected = rpiq_query(process, "-k", "ANY", "-aet", "BAD-SCU")
    assert rejected.returncode == 4
    said = (rejected.stdout + rejected.stderr).lower()
    assert "calling ae title not recognised" in said
    accepted = rpiq_query(process, "-k", "ANY", "-aet", "GOOD-SCU")
    assert accepted.returncode == 1, accepted.stderr
    process.stop()
    assert "association rejected from BAD-SCU" in process.stderr


def test_port_in_use_is_a_usage_error(archive_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        archive = str(archive_dir)
        out = subprocess.run(
            [*RPIQ_CMD, "scp", "serve", "--port", str(port), "--archive", archive],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert out.returncode == 2
    assert out.stdout == ""
    assert "Cannot listen" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--inject-status", "XYZ"],
        ["--inject-status", "10000"],
        ["--tls-cert", "only-cert.pem"],
        ["--aet", "A" * 17],
        ["--max-associations", "0"],
    ],
)
def test_bad_arguments_exit_2(args, archive_dir):
    out = subprocess.run(
        [
            *RPIQ_CMD,
            "scp",
            "serve",
            "--port",
            "0",
            "--archive",
            str(archive_dir),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2, out.stderr
    assert out.stdout == ""
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("text", "value"), [("C100", 0xC100), ("0xC100", 0xC100), ("ff00", 0xFF00)]
)
def test_status_code_parser(text, value):
    assert status_code(text) == value
