from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from pydicom.dataset import Dataset

from rpiq.core.errors import RpiqError
from rpiq.core.history import HistoryEntry, HistoryStore
from rpiq.core.query.request import QueryRequest
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.parse import parse_content
from rpiq.core.sr.samples import every_value_type_tree
from rpiq.core.status import Category, RpiqStatus, describe
from rpiq.core.templates import RpiSopClass

if TYPE_CHECKING:
    from pathlib import Path


def entry(patient: str = "P1", **kwargs) -> HistoryEntry:
    request = QueryRequest(patient, "HOSP", RpiSopClass.GENERAL, 9001)
    status = describe(int(RpiqStatus.SUCCESS))
    return HistoryEntry.create("PACS", request, status, status.meaning, 12.5, **kwargs)


def answer() -> Dataset:
    ds = Dataset()
    ds.PatientID = "P1"
    ds.update(encode_root(every_value_type_tree()))
    return ds


def test_entry_round_trips_and_rebuilds_request(tmp_path: Path):
    store = HistoryStore(tmp_path)
    store.record(entry())
    again = HistoryStore(tmp_path)
    loaded = again.load()
    assert loaded.warnings == ()
    (first,) = loaded.entries
    assert first.status == Category.SUCCESS.value
    assert first.request() == QueryRequest("P1", "HOSP", RpiSopClass.GENERAL, 9001)
    assert first.started().tzinfo is not None


def test_failed_entry_is_labelled_with_its_kind():
    failed = entry(failed_kind="refused")
    assert failed.status == "Failed: refused"


def test_answer_is_saved_and_reopened(tmp_path: Path):
    store = HistoryStore(tmp_path)
    stored = store.record(entry(), answer(), RpiSopClass.GENERAL.uid)
    assert stored.answer_file == f"{stored.entry_id}.dcm"
    reopened = HistoryStore(tmp_path)
    (first,) = reopened.load().entries
    ds = reopened.read_answer(first)
    assert parse_content(ds) == every_value_type_tree()


def test_entry_without_answer_cannot_be_reopened(tmp_path: Path):
    store = HistoryStore(tmp_path)
    stored = store.record(entry())
    with pytest.raises(RpiqError, match="no answer"):
        store.read_answer(stored)


def test_newest_first_and_limit_drops_old_answers(tmp_path: Path):
    store = HistoryStore(tmp_path, limit=2)
    old = store.record(entry("OLD"), answer(), RpiSopClass.GENERAL.uid)
    store.record(entry("MID"))
    store.record(entry("NEW"))
    assert [e.patient_id for e in store.entries] == ["NEW", "MID"]
    assert not (tmp_path / str(old.answer_file)).exists()


def test_clear_removes_entries_and_answers(tmp_path: Path):
    store = HistoryStore(tmp_path)
    kept = store.record(entry(), answer(), RpiSopClass.GENERAL.uid)
    store.clear()
    assert store.entries == ()
    assert not (tmp_path / str(kept.answer_file)).exists()
    assert HistoryStore(tmp_path).load().entries == ()


def test_corrupt_file_is_backed_up_with_a_warning(tmp_path: Path):
    (tmp_path / "history.json").write_text("{not json")
    store = HistoryStore(tmp_path)
    loaded = store.load()
    assert loaded.entries == ()
    (warning,) = loaded.warnings
    assert "history.json.bak" in warning
    assert (tmp_path / "history.json.bak").read_text() == "{not json"


def test_bad_entry_is_skipped_others_load(tmp_path: Path):
    good = entry().to_dict()
    bad = dict(good, template="x")
    document = {"schema_version": 1, "entries": [bad, good, {"time": 1}]}
    (tmp_path / "history.json").write_text(json.dumps(document))
    loaded = HistoryStore(tmp_path).load()
    assert len(loaded.entries) == 1
    assert len(loaded.warnings) == 2


def test_answer_file_must_stay_in_the_directory(tmp_path: Path):
    data = dict(entry().to_dict(), answer_file="../../etc/passwd")
    document = {"schema_version": 1, "entries": [data]}
    (tmp_path / "history.json").write_text(json.dumps(document))
    loaded = HistoryStore(tmp_path).load()
    assert loaded.entries == ()
    assert "answer_file" in loaded.warnings[0]


def test_newer_schema_is_not_read(tmp_path: Path):
    (tmp_path / "history.json").write_text('{"schema_version": 9, "entries": []}')
    loaded = HistoryStore(tmp_path).load()
    assert "schema_version" in loaded.warnings[0]


def test_default_lives_under_rpiq_home(rpiq_home: Path):
    assert (
        HistoryStore.default().path == rpiq_home / "data" / "history" / "history.json"
    )
