"""Importing files and folders: DICOM stored, the rest skipped and reported."""

from __future__ import annotations

import errno
import threading

import pytest
from pydicom import dcmwrite
from tests.tempfiles import unfinished

from rpiq.core.archive import Archive
from rpiq.core.archive.demo import build_demo_datasets


@pytest.fixture
def archive(tmp_path) -> Archive:
    return Archive(tmp_path / "archive")


@pytest.fixture
def source(tmp_path):
    """A folder tree: demo instances, text, random bytes, a damaged DICOM file."""
    root = tmp_path / "source"
    (root / "a" / "b").mkdir(parents=True)
    for n, ds in enumerate(build_demo_datasets()):
        folder = root / "a" if n % 2 else root / "a" / "b"
        dcmwrite(folder / f"inst{n}.dcm", ds, enforce_file_format=True)
    (root / "README.txt").write_text("not dicom")
    (root / "a" / "noise.bin").write_bytes(bytes(range(256)) * 4)
    (root / "a" / "b" / "broken.dcm").write_bytes(bytes(128) + b"DICM" + b"\xff" * 9)
    return root


def test_import_folder_recursively_with_summary(archive, source):
    seen = []
    summary = archive.import_paths([source], progress=lambda *a: seen.append(a))
    demo = len(build_demo_datasets())
    assert summary.files == demo + 3
    assert summary.stored == demo
    assert summary.replaced == 0
    assert summary.not_dicom == 2
    assert [p.path.name for p in summary.problems] == ["broken.dcm"]
    assert not summary.ok
    assert f"{demo} stored" in summary.text()
    assert "2 not DICOM" in summary.text()
    assert "1 failed" in summary.text()
    assert [s[0] for s in seen] == list(range(1, summary.files + 1))
    assert all(s[1] == summary.files for s in seen)
    assert archive.counts()[1] == demo


def test_imported_files_are_copied_unchanged(archive, source):
    archive.import_paths([source])
    originals = {p.read_bytes() for p in source.rglob("inst*.dcm")}
    stored = {i.path.read_bytes() for i in archive.instances()}
    assert stored == originals


def test_import_again_reports_replacements(archive, source):
    archive.import_paths([source])
    summary = archive.import_paths([source])
    assert summary.replaced == summary.stored == len(build_demo_datasets())


def test_single_files_and_missing_paths(archive, source, tmp_path):
    one = next(source.rglob("inst*.dcm"))
    summary = archive.import_paths([one, tmp_path / "missing"])
    assert summary.stored == 1
    assert [p.message for p in summary.problems] == ["no such file or folder"]


def test_cancel_stops_before_the_next_file(archive, source):
    cancel = threading.Event()

    def progress(done, total, path):
        if done == 2:
            cancel.set()

    summary = archive.import_paths([source], progress=progress, cancel=cancel)
    assert summary.cancelled
    assert summary.stored <= 2
    assert "cancelled" in summary.text()


def test_disk_full_stops_the_import(archive, source, monkeypatch):
    def full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("rpiq.core.archive.storage.os.fsync", full)
    summary = archive.import_paths([source])
    monkeypatch.undo()
    assert summary.aborted is not None
    assert "Disk full" in summary.aborted
    assert summary.stored == 0
    assert archive.counts() == (0, 0)
    assert unfinished(archive.root / "tmp") == []


def test_importing_the_archive_into_itself_skips_its_own_files(archive, source):
    archive.import_paths([source])
    summary = archive.import_paths([archive.root.parent])
    assert summary.problems == [p for p in summary.problems if "broken" in p.path.name]
    assert archive.counts()[1] == len(build_demo_datasets())
