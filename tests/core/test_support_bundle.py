"""The support bundle: logs, settings and versions, without patient data or secrets."""

from __future__ import annotations

import errno
import json
import os
import stat
import zipfile
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from rpiq.core.archive.demo import DEMO_PATIENTS
from rpiq.core.demo_setup import demo_profile, open_archive
from rpiq.core.history import HistoryEntry, HistoryStore
from rpiq.core.paths import AppPaths
from rpiq.core.profiles import ProfileStore, TlsSettings
from rpiq.core.query.request import QueryRequest
from rpiq.core.status import RpiqStatus, describe
from rpiq.core.support_bundle import (
    REMOVED,
    SupportBundleError,
    redact_secrets,
    write_support_bundle,
)

if TYPE_CHECKING:
    from pathlib import Path

KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\n-----END PRIVATE KEY-----\n"


def read_bundle(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as bundle:
        return {
            name.removeprefix("rpiq-support/"): bundle.read(name).decode()
            for name in bundle.namelist()
        }


def demo_identities() -> set[str]:
    """Every demo Patient ID and every component of every demo name."""
    found: set[str] = set()
    for patient in DEMO_PATIENTS:
        found.add(patient.patient_id)
        found.add(patient.name)
        found.update(part for part in patient.name.split("^") if part)
    return found


def leaks(files: dict[str, str]) -> list[str]:
    return [
        f"{name}: {secret}"
        for name, text in files.items()
        for secret in demo_identities()
        if secret in text
    ]


@pytest.fixture
def paths() -> AppPaths:
    return AppPaths.default()  # under the test's RPIQ_HOME


@pytest.fixture
def seeded(paths: AppPaths, tmp_path: Path) -> AppPaths:
    """Demo archive, a TLS profile with a private key, history about demo patients."""
    open_archive(seed_demo_if_empty=True)
    key = tmp_path / "client.key"
    key.write_text(KEY_PEM)
    cert = tmp_path / "client.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    store = ProfileStore.default()
    store.load()
    tls = TlsSettings(ca_file=str(cert), cert_file=str(cert), key_file=str(key))
    store.add(replace(demo_profile("127.0.0.1", 11112), tls=tls))
    store.save()
    history = HistoryStore.default()
    status = describe(int(RpiqStatus.PENDING))
    for patient in DEMO_PATIENTS[:3]:
        request = QueryRequest(patient.patient_id, patient.issuer)
        history.record(HistoryEntry.create("demo", request, status, "match", 5.0))
    return paths


def test_bundle_holds_versions_counts_settings_and_is_owner_only(seeded, tmp_path):
    target = tmp_path / "bundle.zip"
    summary = write_support_bundle(target)
    files = read_bundle(target)
    assert set(files) >= {
        "README.txt",
        "versions.json",
        "environment.json",
        "archive.json",
        "history.json",
        "config/profiles.json",
    }
    assert summary.size == target.stat().st_size
    versions = json.loads(files["versions.json"])
    assert versions["distributions"]["pydicom"]
    assert versions["distributions"]["pynetdicom"]
    assert versions["python"]
    archive = json.loads(files["archive.json"])
    assert (archive["patients"], archive["instances"]) == (7, 10)
    history = json.loads(files["history.json"])
    assert history["entries"] == 3
    assert history["by_outcome"] == {"Pending": 3}
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    # Fixed member names only: unpacking can never leave the folder.
    with zipfile.ZipFile(target) as bundle:
        for name in bundle.namelist():
            assert name.startswith("rpiq-support/")
            assert ".." not in name.split("/")


def test_bundle_has_no_patient_names_or_ids(seeded, tmp_path):
    target = tmp_path / "bundle.zip"
    write_support_bundle(target)
    assert leaks(read_bundle(target)) == []


def test_private_keys_and_secrets_are_never_shipped(seeded, paths, tmp_path):
    (paths.config / "settings.json").write_text(
        json.dumps(
            {
                "mail": {"host": "smtp.example.org", "password": "hunter2"},
                "api_token": "tok-123",
                "client_secret": "s3cret",
                "theme": "dark",
            }
        )
    )
    target = tmp_path / "bundle.zip"
    write_support_bundle(target)
    files = read_bundle(target)
    everything = "\n".join(files.values())
    for secret in ("hunter2", "tok-123", "s3cret", "PRIVATE KEY", "client.key"):
        assert secret not in everything
    settings = json.loads(files["config/settings.json"])
    assert settings["mail"] == {"host": "smtp.example.org", "password": REMOVED}
    assert settings["theme"] == "dark"
    profile = json.loads(files["config/profiles.json"])["profiles"][0]
    assert profile["tls"]["key_file"] == REMOVED
    assert profile["tls"]["cert_file"].endswith("client.pem")  # helps support
    assert profile["host"] == "127.0.0.1"


def test_redaction_keeps_unset_secrets_visible_as_unset():
    data = {"tls": {"key_file": None, "cert_file": "c.pem"}, "keys": [1], "pass": ""}
    assert redact_secrets(data) == data


def test_old_unmasked_log_lines_are_masked_in_the_bundle(paths, tmp_path):
    paths.logs.mkdir(parents=True)
    (paths.logs / "rpiq.log.1").write_text(
        "INFO rpiq.core.scp: query from X: patient DEMO-003, TID 3802\n"
        "INFO pynetdicom: (0010,0010) PN [DEMO^CARL]                # 1 PatientName\n"
    )
    (paths.logs / "notes.txt").write_text("DEMO^CARL was here")
    target = tmp_path / "bundle.zip"
    write_support_bundle(target)
    files = read_bundle(target)
    assert "logs/notes.txt" not in files  # only the app's own log files
    assert "patient ***03" in files["logs/rpiq.log.1"]
    assert leaks(files) == []


def test_unreadable_profiles_are_summarised_not_copied(paths, tmp_path):
    paths.config.mkdir(parents=True)
    (paths.config / "profiles.json").write_text('{"half a file for DEMO^EVA')
    target = tmp_path / "bundle.zip"
    write_support_bundle(target)
    files = read_bundle(target)
    assert json.loads(files["config/profiles.json"])["error"] == "not valid JSON"
    assert leaks(files) == []


def test_no_archive_is_reported_and_not_created(paths, tmp_path):
    target = tmp_path / "bundle.zip"
    write_support_bundle(target)
    assert json.loads(read_bundle(target)["archive.json"]) == {"present": False}
    assert not paths.archive_dir.exists()


# --------------------------------------------------------------- bad targets


def test_folder_as_target_is_refused(tmp_path):
    with pytest.raises(SupportBundleError, match="is a folder"):
        write_support_bundle(tmp_path)
    assert list(tmp_path.rglob("*.zip")) == []


def test_missing_folder_is_refused_not_created(tmp_path):
    target = tmp_path / "nowhere" / "bundle.zip"
    with pytest.raises(SupportBundleError, match="does not exist"):
        write_support_bundle(target)
    assert not target.parent.exists()


def test_write_failure_leaves_no_partial_file_and_keeps_the_old_one(
    tmp_path, monkeypatch
):
    target = tmp_path / "bundle.zip"
    target.write_bytes(b"previous bundle")

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(SupportBundleError, match="No space left"):
        write_support_bundle(target)
    assert target.read_bytes() == b"previous bundle"
    assert [p.name for p in tmp_path.iterdir() if p.name != "rpiq-home"] == [
        "bundle.zip"
    ]
