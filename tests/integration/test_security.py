"""Security of the workstation (issue #7, part 5), as a user or an attacker sees it.

Who may associate (PS3.8 9.3.4 A-ASSOCIATE-RJ), TLS 1.2 or later only
(PS3.15 B.1), patient names and IDs absent from INFO logs, the log file and
the support bundle, owner-only files, and no path traversal through a SOP
Instance UID or a file name. Client-certificate checks (no certificate, wrong
CA) are in ``scp/test_scp_tls.py``.
"""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import ssl
import stat
import time
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from pydicom import config, dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian
from pynetdicom import AE
from tests.integration.scp.conftest import store_with_pynetdicom

from rpiq.cli.main import main as rpiq
from rpiq.core.archive import Archive
from rpiq.core.archive.demo import DEMO_PATIENTS, build_demo_datasets, demo_uid
from rpiq.core.demo_setup import (
    DEMO_PROFILE_NAME,
    demo_profile,
    demo_scp_settings,
    open_archive,
    save_demo_profile,
)
from rpiq.core.history import HistoryEntry, HistoryStore
from rpiq.core.logmask import LogSetup, configure_logging, reset_logging
from rpiq.core.net.ae import VERIFICATION_UID
from rpiq.core.net.reactor import park_reactor, unpark_reactor
from rpiq.core.paths import AppPaths
from rpiq.core.profiles import ProfileStore
from rpiq.core.query.engine import run_query
from rpiq.core.query.events import Done, Match
from rpiq.core.query.request import QueryRequest
from rpiq.core.scp import AssociationRejected, ScpEvent, ScpService, ScpSettings
from rpiq.core.scp.settings import ScpTlsSettings
from rpiq.core.status import Category, category_of
from rpiq.gui.log_capture import LogLine, logged

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from rpiq.core.profiles import AEProfile

pytestmark = pytest.mark.network

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"

# PS3.8 Table 9-21: A-ASSOCIATE-RJ result, source and reason values.
REJECTED_PERMANENT = 1
SERVICE_USER = 1
CALLING_AE_NOT_RECOGNISED = 3


def demo_identities() -> list[str]:
    """Every demo Patient ID, full name and name component (as DICOM spells them)."""
    found: set[str] = set()
    for patient in DEMO_PATIENTS:
        found.update({patient.patient_id, patient.name, *patient.name.split("^")})
    return sorted(found)


def leaks(text: str) -> list[str]:
    # Case-sensitive: "DEMO" is the demo family name (and in every demo ID);
    # the product's own word "demo" (lower case) is not patient data.
    return [secret for secret in demo_identities() if secret in text]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ----------------------------------------------------------------- fixtures


@dataclass
class Running:
    service: ScpService
    archive: Archive
    events: list[ScpEvent] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.service.address[1]

    def profile(self) -> AEProfile:
        host, port = self.service.address
        return demo_profile(host, port, self.service.settings.ae_title)

    def rejected(self, timeout: float = 5.0) -> AssociationRejected:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.events if isinstance(e, AssociationRejected)]
            if found:
                return found[0]
            time.sleep(0.01)
        raise AssertionError(f"no rejection reported: {self.events}")


@pytest.fixture
def scp(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    """``scp(**settings)``: an ScpService on 127.0.0.1:0 over a fresh archive."""
    started: list[ScpService] = []

    def start(archive: Archive | None = None, **settings: Any) -> Running:
        settings.setdefault("port", 0)
        store = archive or Archive(tmp_path / "a" / "b" / "c" / "archive")
        events: list[ScpEvent] = []
        service = ScpService(ScpSettings(**settings), store, events.append)
        service.start()
        started.append(service)
        return Running(service, store, events)

    yield start
    for service in started:
        service.stop()


@dataclass
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    trustme = pytest.importorskip("trustme")
    root = tmp_path_factory.mktemp("security-pki")
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1")
    paths = Pki(root / "ca.pem", root / "server.pem", root / "server.key")
    ca.cert_pem.write_to_path(str(paths.ca))
    server.cert_chain_pems[0].write_to_path(str(paths.server_cert))
    server.private_key_pem.write_to_path(str(paths.server_key))
    return paths


@pytest.fixture
def lax_uids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let pydicom write and read invalid UIDs, as a hostile peer would send."""
    monkeypatch.setattr(config.settings, "writing_validation_mode", config.IGNORE)
    monkeypatch.setattr(config.settings, "reading_validation_mode", config.IGNORE)


@pytest.fixture
def masked_logging(tmp_path: Path) -> Iterator[tuple[io.StringIO, Path]]:
    """The CLI's logging at INFO: a console (StringIO) and the log file."""
    console = io.StringIO()
    log_file = tmp_path / "logs" / "rpiq.log"
    configure_logging(LogSetup(console_level=logging.INFO, log_file=log_file), console)
    yield console, log_file
    reset_logging()


# ------------------------------------------------ who may associate


def test_disallowed_calling_ae_gets_a_permanent_rejection(scp):
    running = scp(allowed_calling_aets=("GOOD-SCU",))
    intruder = AE(ae_title="INTRUDER")
    intruder.add_requested_context(VERIFICATION_UID)
    assoc = intruder.associate("127.0.0.1", running.port, ae_title="RPIQ")
    assert assoc.is_rejected
    rejection = assoc.acceptor.primitive
    assert rejection is not None
    assert (rejection.result, rejection.result_source, rejection.diagnostic) == (
        REJECTED_PERMANENT,
        SERVICE_USER,
        CALLING_AE_NOT_RECOGNISED,
    )
    assert running.rejected().peer_ae == "INTRUDER"
    friend = AE(ae_title="GOOD-SCU")
    friend.add_requested_context(VERIFICATION_UID)
    allowed = friend.associate("127.0.0.1", running.port, ae_title="RPIQ")
    assert allowed.is_established
    assert allowed.send_c_echo().Status == 0
    allowed.release()


# ------------------------------------------------------------ TLS 1.2+


def tls_client(pki: Pki, oldest: ssl.TLSVersion, newest: ssl.TLSVersion) -> Any:
    """A client context limited to ``oldest``..``newest``; None if impossible."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=str(pki.ca))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            # OpenSSL 3 offers TLS < 1.2 only at security level 0; without it
            # the client could not even ask, and the test would prove nothing.
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
            context.minimum_version = oldest
            context.maximum_version = newest
        except (ValueError, ssl.SSLError):
            return None
    return context


def handshake(port: int, context: ssl.SSLContext) -> str:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return str(tls.version())


#: Client-side reasons meaning this OpenSSL could not even offer the version.
CANNOT_OFFER = {
    "NO_PROTOCOLS_AVAILABLE",
    "UNSUPPORTED_PROTOCOL",
    "NO_CIPHERS_AVAILABLE",
}


@pytest.mark.parametrize("old", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1])
def test_server_refuses_tls_older_than_1_2(scp, pki, old):
    running = scp(tls=ScpTlsSettings(str(pki.server_cert), str(pki.server_key)))
    client = tls_client(pki, old, old)
    if client is None:  # cannot even be configured: a capped client still fails
        client = ssl.create_default_context(cafile=str(pki.ca))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            client.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises(ssl.SSLError) as refused:
        handshake(running.port, client)
    assert "TLS handshake failed" in running.rejected().reason
    if refused.value.reason not in CANNOT_OFFER:
        # The client offered the old version and the server said no with a
        # protocol_version alert (RFC 8446 6.2), then logged why.
        assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"
        assert "UNSUPPORTED_PROTOCOL" in running.rejected().reason


def test_server_accepts_tls_1_2(scp, pki):
    # acse_timeout 1 s: the bare TLS connection below never sends an
    # A-ASSOCIATE-RQ, and the SCP keeps its slot until that timeout.
    running = scp(
        tls=ScpTlsSettings(str(pki.server_cert), str(pki.server_key)),
        acse_timeout=1.0,
    )
    client = tls_client(pki, ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2)
    assert client is not None
    assert handshake(running.port, client) == "TLSv1.2"


# ------------------------------------------------------ path traversal


HOSTILE_UIDS = ["../../../escaped", "1.2.3/../../../../escaped", "/tmp/escaped", ".."]


def hostile_instance(uid: str) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = COMPREHENSIVE_SR
    ds.SOPInstanceUID = uid
    ds.PatientID = "EVIL-1"
    ds.PatientName = "EVIL^PEER"
    ds.Modality = "SR"
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = UID(COMPREHENSIVE_SR)
    ds.file_meta.MediaStorageSOPInstanceUID = UID(uid)
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return ds


def files_below(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.usefixtures("lax_uids")
def test_c_store_cannot_write_outside_the_archive(scp, tmp_path):
    running = scp()
    before = files_below(tmp_path)
    ae = AE(ae_title="HOSTILE")
    ae.add_requested_context(COMPREHENSIVE_SR, ExplicitVRLittleEndian)
    assoc = ae.associate("127.0.0.1", running.port, ae_title="RPIQ")
    assert assoc.is_established
    park_reactor(assoc)
    try:
        statuses = [
            int(assoc.send_c_store(hostile_instance(uid)).Status)
            for uid in HOSTILE_UIDS
        ]
    finally:
        unpark_reactor(assoc)
        assoc.release()
    assert all(category_of(s) is Category.FAILURE for s in statuses), statuses
    new = files_below(tmp_path) - before
    root = running.archive.root
    assert all(path.is_relative_to(root) for path in new), new
    assert not any("escaped" in str(path) for path in files_below(tmp_path.parent))
    assert running.archive.counts() == (0, 0)


@pytest.mark.usefixtures("lax_uids")
def test_import_cannot_write_outside_the_archive(tmp_path):
    archive = Archive(tmp_path / "a" / "b" / "c" / "archive")
    source = tmp_path / "incoming"
    source.mkdir()
    for number, uid in enumerate(HOSTILE_UIDS):
        dcmwrite(
            source / f"hostile-{number}.dcm",
            hostile_instance(uid),
            enforce_file_format=True,
        )
    # A good instance under file names that look like paths to a shell.
    good = hostile_instance(demo_uid("security-good"))
    for name in ("..dcm", "-rf .dcm", "..%2f..%2fetc"):
        dcmwrite(source / name, good, enforce_file_format=True)
    before = files_below(tmp_path)
    summary = archive.import_paths([source])
    assert summary.stored == 3
    assert len(summary.problems) == len(HOSTILE_UIDS)
    assert all("not a valid DICOM UID" in p.message for p in summary.problems)
    new = files_below(tmp_path) - before
    assert all(path.is_relative_to(archive.root) for path in new), new
    # Named by the validated UID, never by the imported file's name; the
    # second and third copies replaced the first.
    [stored] = files_below(archive.root / "instances")
    assert stored.name.startswith(f"{good.SOPInstanceUID}.")
    assert stored.suffix == ".dcm"
    assert archive.counts() == (1, 1)


# ------------------------------------------------- no identity in logs


def store_demo(port: int) -> list[int]:
    return store_with_pynetdicom(port, build_demo_datasets(), called="RPIQ-ARCHIVE")


def query_every_demo_patient(running: Running) -> list[Any]:
    finals = []
    for patient in DEMO_PATIENTS:
        request = QueryRequest(patient.patient_id, patient.issuer)
        finals.append(list(run_query(running.profile(), request))[-1])
    return finals


def test_info_logs_of_store_and_query_hold_no_patient_identity(scp, masked_logging):
    console, log_file = masked_logging
    running = scp(**_demo_settings())
    assert set(store_demo(running.port)) == {0}
    finals = query_every_demo_patient(running)
    assert all(isinstance(final, Done) for final in finals), finals
    reset_logging()
    for text in (console.getvalue(), log_file.read_text()):
        assert "query from RPIQ: patient ***01" in text  # activity was logged
        assert "stored instance" in text
        assert leaks(text) == []


def test_debug_console_shows_identity_the_log_file_never(scp, tmp_path):
    console = io.StringIO()
    log_file = tmp_path / "logs" / "rpiq.log"
    configure_logging(
        LogSetup(console_level=logging.DEBUG, reveal=True, log_file=log_file),
        console,
    )
    try:
        running = scp(**_demo_settings())
        store_demo(running.port)
        query_every_demo_patient(running)
    finally:
        reset_logging()
    shown = console.getvalue()
    assert "DEMO-001" in shown  # "unless debug": the user asked to see them
    assert "DEMO^ALICE" in shown
    assert leaks(log_file.read_text()) == []


def test_gui_log_tab_masks_unless_debug(scp):
    running = scp(**_demo_settings())
    store_demo(running.port)
    request = QueryRequest(DEMO_PATIENTS[0].patient_id, DEMO_PATIENTS[0].issuer)
    for level, should_show in ((logging.INFO, False), (logging.DEBUG, True)):
        lines: list[LogLine] = []
        events = list(
            logged(run_query(running.profile(), request), lines.append, level)
        )
        assert isinstance(events[-1], Done)
        text = "\n".join(line.message for line in lines)
        assert "Association Accepted" in text
        assert ("DEMO-001" in text) is should_show, text


def _demo_settings() -> dict[str, Any]:
    settings = demo_scp_settings()
    return {"ae_title": settings.ae_title, "host": settings.host}


# ------------------------------------------------------ support bundle


def test_support_bundle_after_a_demo_session_has_no_patient_data(tmp_path, capsys):
    """``rpiq support-bundle`` after queries at -v and -vv: nothing identifies."""
    opened = open_archive(seed_demo_if_empty=True)
    service = ScpService(demo_scp_settings(), opened.archive)
    host, port = service.start()
    try:
        save_demo_profile(ProfileStore.default(), host, port)
        for patient in DEMO_PATIENTS:
            args = ["query", "--profile", DEMO_PROFILE_NAME, "-k", patient.patient_id]
            if patient.issuer:
                args += ["--issuer", patient.issuer]
            assert rpiq(["-v", *args]) in (0, 1)
        assert (
            rpiq(["-vv", "query", "--profile", DEMO_PROFILE_NAME, "-k", "DEMO-001"])
            == 0
        )
    finally:
        service.stop()
    out = capsys.readouterr()
    assert "DEMO^ALICE" in out.out  # the answers themselves reach the user
    assert "DEMO-001" in out.err  # and -vv showed identifiers on the console
    target = tmp_path / "support.zip"
    assert rpiq(["support-bundle", str(target)]) == 0
    assert f"wrote {target}" in capsys.readouterr().out
    with zipfile.ZipFile(target) as bundle:
        files = {name: bundle.read(name).decode() for name in bundle.namelist()}
    log = files["rpiq-support/logs/rpiq.log"]
    assert "query from RPIQ: patient ***01" in log
    assert "Association Accepted" in log
    assert re.search(r"\(0010,0020\) LO \[\*\*\*\]", log)  # the -vv dump, masked
    found = {name: leaks(text) for name, text in files.items() if leaks(text)}
    assert found == {}
    if os.name == "posix":
        assert mode(target) == 0o600


def test_support_bundle_cli_refuses_bad_targets_with_exit_2(tmp_path, capsys):
    assert rpiq(["support-bundle", str(tmp_path)]) == 2
    assert "rpiq: error:" in capsys.readouterr().err
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert rpiq(["support-bundle", str(blocker / "bundle.zip")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rpiq: error:")
    assert "Traceback" not in err
    assert list(tmp_path.rglob("*.zip")) == []


# ------------------------------------------------------- owner-only files


def demo_session() -> AppPaths:
    """Every kind of file the app writes in its folders: archive, profiles,
    history with a saved answer, log file."""
    paths = AppPaths.default()
    opened = open_archive(seed_demo_if_empty=True)
    configure_logging(LogSetup(log_file=paths.log_file), io.StringIO())
    service = ScpService(demo_scp_settings(), opened.archive)
    host, port = service.start()
    try:
        profile = save_demo_profile(ProfileStore.default(), host, port)
        request = QueryRequest(DEMO_PATIENTS[0].patient_id, DEMO_PATIENTS[0].issuer)
        events = list(run_query(profile, request))
        final = events[-1]
        assert isinstance(final, Done)
        match = next(e for e in events if isinstance(e, Match))
        entry = HistoryEntry.create(profile.name, request, final.status, "match", 1.0)
        HistoryStore.default().record(entry, match.identifier, request.sop_class.uid)
    finally:
        service.stop()
        reset_logging()
    return paths


@POSIX
def test_files_and_folders_the_app_writes_are_owner_only():
    paths = demo_session()
    home = paths.config.parent
    entries = {p.relative_to(home).as_posix(): p for p in home.rglob("*")}
    files = {name: mode(p) for name, p in entries.items() if p.is_file()}
    assert {
        "config/profiles.json",
        "data/history/history.json",
        "logs/rpiq.log",
        "data/archive/index.sqlite3",
    } <= set(files)
    assert any(name.startswith("data/archive/instances/") for name in files)
    assert any(
        name.startswith("data/history/") and name.endswith(".dcm") for name in files
    )
    assert {name: oct(m) for name, m in files.items() if m != 0o600} == {}
    folders = {name: mode(p) for name, p in entries.items() if p.is_dir()}
    assert {"data", "data/archive", "config", "logs"} <= set(folders)
    assert {name: oct(m) for name, m in folders.items() if m != 0o700} == {}
