"""Storing instances: files named by UID, duplicates, refusals, write failures."""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
from typing import TYPE_CHECKING

import pytest
from pydicom import config, dcmread
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ImplicitVRLittleEndian
from tests.tempfiles import unfinished

from rpiq.core.archive import Archive, ArchiveError, ArchiveWriteError
from rpiq.core.archive.index import IndexWriter
from rpiq.core.paths import AppPaths

if TYPE_CHECKING:
    from pathlib import Path

CT = "1.2.840.10008.5.1.4.1.1.2"


def instance(uid="1.2.826.0.1.3680043.8.498.1", pid="P1", **values) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = CT
    ds.SOPInstanceUID = uid
    ds.PatientID = pid
    ds.PatientName = "TEST^ONE"
    ds.ContentDate = "20250101"
    ds.ContentTime = "120000"
    for keyword, value in values.items():
        setattr(ds, keyword, value)
    return ds


@pytest.fixture
def archive(tmp_path) -> Archive:
    return Archive(tmp_path / "archive")


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_store_writes_a_file_named_by_uid_and_indexes_it(archive):
    result = archive.store(instance(IssuerOfPatientID="HOSP"))
    assert result.sop_instance_uid == "1.2.826.0.1.3680043.8.498.1"
    assert (result.patient_id, result.issuer, result.replaced) == ("P1", "HOSP", False)
    assert result.path.name == "1.2.826.0.1.3680043.8.498.1.dcm"
    assert result.path.is_relative_to(archive.root / "instances")
    stored = dcmread(result.path)
    assert stored.PatientID == "P1"
    assert stored.file_meta.MediaStorageSOPInstanceUID == result.sop_instance_uid
    [listed] = archive.instances()
    assert listed.sop_instance_uid == result.sop_instance_uid
    assert listed.path == result.path
    assert archive.counts() == (1, 1)


def test_store_keeps_the_network_transfer_syntax_and_leaves_input_untouched(archive):
    ds = instance()
    meta = FileMetaDataset()
    meta.TransferSyntaxUID = ImplicitVRLittleEndian
    ds.file_meta = meta
    result = archive.store(ds)
    assert dcmread(result.path).file_meta.TransferSyntaxUID == ImplicitVRLittleEndian
    assert "MediaStorageSOPInstanceUID" not in ds.file_meta


def test_duplicate_replaces_and_is_reported(archive):
    first = archive.store(instance(PatientName="OLD^NAME"))
    second = archive.store(instance(PatientName="NEW^NAME"))
    assert not first.replaced
    assert second.replaced
    assert not first.path.exists()
    assert dcmread(second.path).PatientName == "NEW^NAME"
    assert files_under(archive.root / "instances") == [second.path]
    assert archive.counts() == (1, 1)
    [patient] = archive.patients()
    assert patient.name == "NEW^NAME"


def test_duplicate_moving_to_another_patient_drops_the_empty_one(archive):
    archive.store(instance(pid="WRONG"))
    result = archive.store(instance(pid="RIGHT"))
    assert result.replaced
    assert [p.patient_id for p in archive.patients()] == ["RIGHT"]


@pytest.mark.parametrize(
    "uid",
    [
        "../../etc/passwd",
        "1.2/../../x",
        "..",
        "1.2.3a",
        "1..2",
        "/abs",
        "1." + "9" * 70,
    ],
)
def test_path_traversal_and_invalid_uids_are_refused(archive, uid, monkeypatch):
    # as a peer could send them: pydicom would only warn about the value
    monkeypatch.setattr(config.settings, "writing_validation_mode", config.IGNORE)
    monkeypatch.setattr(config.settings, "reading_validation_mode", config.IGNORE)
    with pytest.raises(ArchiveError, match="not a valid DICOM UID"):
        archive.store(instance(uid=uid))
    assert files_under(archive.root / "instances") == []
    assert unfinished(archive.root / "tmp") == []
    assert archive.counts() == (0, 0)


@pytest.mark.parametrize("pid", [None, "", "   "])
def test_instance_without_patient_id_is_refused(archive, pid):
    ds = instance()
    if pid is None:
        del ds.PatientID
    else:
        ds.PatientID = pid
    with pytest.raises(ArchiveError, match="no Patient ID"):
        archive.store(ds)


def test_missing_sop_instance_uid_is_refused(archive):
    ds = instance()
    del ds.SOPInstanceUID
    with pytest.raises(ArchiveError, match="no SOP Instance UID"):
        archive.store(ds)


def _disk_full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_raises_and_leaves_no_row_and_no_partial_file(archive, monkeypatch):
    monkeypatch.setattr("rpiq.core.archive.storage.os.fsync", _disk_full)
    with pytest.raises(ArchiveWriteError, match="Disk full") as info:
        archive.store(instance())
    assert isinstance(info.value.__cause__, OSError)
    monkeypatch.undo()
    assert archive.counts() == (0, 0)
    assert files_under(archive.root / "instances") == []
    assert unfinished(archive.root / "tmp") == []


def test_failed_rename_leaves_nothing(archive, monkeypatch):
    def fail_replace(*_args):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("rpiq.core.archive.storage.os.replace", fail_replace)
    with pytest.raises(ArchiveError):
        archive.store(instance())
    monkeypatch.undo()
    assert archive.counts() == (0, 0)
    assert files_under(archive.root / "instances") == []
    assert unfinished(archive.root / "tmp") == []


def test_failed_index_transaction_removes_the_new_file(archive, monkeypatch):
    def fail_put(*_args):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(IndexWriter, "put", fail_put)
    with pytest.raises(ArchiveError, match="cannot be used") as info:
        archive.store(instance())
    assert isinstance(info.value.__cause__, sqlite3.OperationalError)
    monkeypatch.undo()
    assert archive.counts() == (0, 0)
    assert files_under(archive.root / "instances") == []


def test_failed_replacement_keeps_the_old_instance(archive, monkeypatch):
    first = archive.store(instance(PatientName="KEPT^NAME"))
    monkeypatch.setattr("rpiq.core.archive.storage.os.fsync", _disk_full)
    with pytest.raises(ArchiveError):
        archive.store(instance(PatientName="LOST^NAME"))
    monkeypatch.undo()
    assert first.path.exists()
    assert dcmread(first.path).PatientName == "KEPT^NAME"
    assert archive.patients()[0].name == "KEPT^NAME"


def test_a_file_where_the_folder_should_be_is_a_clear_error(tmp_path):
    blocker = tmp_path / "archive"
    blocker.write_text("not a folder")
    with pytest.raises(ArchiveError, match="cannot be used"):
        Archive(blocker)


def test_read_only_archive_folder_is_a_clear_error(tmp_path, monkeypatch):
    real_open = os.open

    def read_only(path, *args, **kwargs):
        if ".probe." in str(path):
            raise OSError(errno.EROFS, "Read-only file system")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("rpiq.core.archive.storage.os.open", read_only)
    with pytest.raises(ArchiveError, match=r"Read-only file system.*--archive"):
        Archive(tmp_path / "archive")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_archive_folder_is_a_clear_error(tmp_path):  # pragma: no cover
    root = tmp_path / "archive"
    Archive(root)
    (root / "tmp").chmod(0o500)
    try:
        with pytest.raises(ArchiveError, match="cannot be used"):
            Archive(root)
    finally:
        (root / "tmp").chmod(0o700)


def test_damaged_index_is_a_clear_error(tmp_path):
    root = tmp_path / "archive"
    root.mkdir()
    (root / "index.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ArchiveError, match="damaged"):
        Archive(root)


def test_index_from_a_newer_version_is_refused(tmp_path):
    root = tmp_path / "archive"
    Archive(root)
    conn = sqlite3.connect(root / "index.sqlite3")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(ArchiveError, match="newer RPIQ"):
        Archive(root)


def test_reopening_keeps_everything(tmp_path):
    Archive(tmp_path / "a").store(instance())
    assert Archive(tmp_path / "a").counts() == (1, 1)


def test_stale_temp_files_of_dead_writers_are_removed_on_open(tmp_path):
    root = tmp_path / "archive"
    Archive(root)
    dead = root / "tmp" / "1.2.3.999999999.1.0.tmp"
    dead.write_bytes(b"half a file")
    ours = root / "tmp" / f"1.2.4.{os.getpid()}.1.0.tmp"
    ours.write_bytes(b"being written by this process")
    Archive(root)
    assert not dead.exists()
    assert ours.exists()


def test_default_archive_lives_in_the_app_data_dir(rpiq_home):
    archive = Archive.default()
    assert archive.root == AppPaths.default().archive_dir
    assert archive.root.is_relative_to(rpiq_home)


def test_latest_value_wins_by_instance_date_not_by_arrival(archive):
    archive.store(instance("1.2.3.1", PatientWeight="70", ContentDate="20250601"))
    archive.store(instance("1.2.3.2", PatientWeight="60", ContentDate="20240101"))
    [details] = archive.patient_details("P1")
    weight = details.attribute("PatientWeight")
    assert weight is not None
    assert (weight.value, weight.source_uid) == ("70", "1.2.3.1")
    assert weight.source_datetime == "20250601120000"


def test_empty_values_do_not_erase_known_ones(archive):
    archive.store(instance("1.2.3.1", PatientSex="F", ContentDate="20240101"))
    archive.store(instance("1.2.3.2", PatientSex="", ContentDate="20250101"))
    assert archive.patients()[0].sex == "F"


def test_concurrent_stores_from_threads_all_arrive(archive):
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(12):
                archive.store(instance(f"1.2.3.{n}.{i}", pid=f"P{i % 3}"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert archive.counts() == (3, 96)
    uids = {i.sop_instance_uid for i in archive.instances()}
    assert uids == {f"1.2.3.{n}.{i}" for n in range(8) for i in range(12)}
    assert len(files_under(archive.root / "instances")) == 96
