"""Demo mode, core side: seed only an empty archive; the demo profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rpiq.core.archive import Archive
from rpiq.core.archive.demo import build_demo_datasets
from rpiq.core.demo_setup import (
    DEMO_AE_TITLE,
    DEMO_PATIENT_ID,
    DEMO_PROFILE_NAME,
    demo_scp_settings,
    open_archive,
    save_demo_profile,
)
from rpiq.core.profiles import AEProfile, ProfileStore

if TYPE_CHECKING:
    from pathlib import Path


def test_empty_archive_is_seeded_once(rpiq_home: Path):
    first = open_archive(seed_demo_if_empty=True)
    assert first.seeded == len(build_demo_datasets())
    assert first.archive.root == rpiq_home / "data" / "archive"
    patients = {p.patient_id: p for p in first.archive.patients()}
    assert 9007 in patients[DEMO_PATIENT_ID].templates
    again = open_archive(seed_demo_if_empty=True)
    assert again.seeded == 0


def test_an_archive_with_instances_is_never_seeded(tmp_path: Path):
    archive = Archive(tmp_path / "a")
    ds = build_demo_datasets()[0]
    archive.store(ds)
    opened = open_archive(tmp_path / "a", seed_demo_if_empty=True)
    assert opened.seeded == 0
    assert opened.archive.counts() == (1, 1)
    assert open_archive(tmp_path / "b").seeded == 0


def test_demo_settings_listen_on_a_free_loopback_port():
    settings = demo_scp_settings().validate()
    assert (settings.host, settings.port) == ("127.0.0.1", 0)
    assert settings.ae_title == DEMO_AE_TITLE
    assert not settings.faults.active


def test_demo_profile_is_created_then_updated(rpiq_home: Path):
    store = ProfileStore.default()
    store.add(AEProfile("other", port=104))
    save_demo_profile(store, "127.0.0.1", 40001)
    save_demo_profile(store, "127.0.0.1", 40002)
    reloaded = ProfileStore.default()
    assert reloaded.names() == ["other", DEMO_PROFILE_NAME]
    profile = reloaded.get(DEMO_PROFILE_NAME)
    assert (profile.host, profile.port, profile.called_ae) == (
        "127.0.0.1",
        40002,
        DEMO_AE_TITLE,
    )
