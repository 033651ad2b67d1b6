"""Import DICOM files and folders into the archive (``rpiq archive import``).

Folders are walked recursively in name order. A file is DICOM when it has the
PS3.10 preamble and ``DICM`` prefix (PS3.10 7.1); anything else is skipped and
counted. A DICOM file that cannot be read or stored is reported by name and
skipped; a write failure of the archive itself (e.g. a full disk) stops the
import. Files are copied unchanged, so the archive keeps exactly what was
imported.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pydicom import dcmread
from pydicom.errors import InvalidDicomError

from rpiq.core.archive.model import ImportProblem, ImportSummary
from rpiq.core.archive.storage import ArchiveWriteError
from rpiq.core.errors import ArchiveError

if TYPE_CHECKING:
    import threading
    from collections.abc import Iterable

    from pydicom.dataset import Dataset

    from rpiq.core.archive.archive import Archive

#: Values larger than this are not loaded while reading (pixel data).
_DEFER = "1 MB"


class Progress(Protocol):
    """Called after each file: files done, files in total, the file."""

    def __call__(self, done: int, total: int, path: Path) -> None:
        """Report progress."""


def read_instance(path: Path) -> Dataset:
    """Read a PS3.10 file's data set (large values deferred).

    Raises
    ------
    pydicom.errors.InvalidDicomError
        If the file has no PS3.10 header (not DICOM).
    ArchiveError
        If it is DICOM but cannot be read.
    """
    try:
        ds = dcmread(path, defer_size=_DEFER)
    except InvalidDicomError:
        raise
    except Exception as exc:  # pydicom raises anything on damaged bytes
        raise ArchiveError(f"unreadable DICOM file: {exc!r}") from exc
    return ds


def collect_files(
    paths: Iterable[Path], skip: Path | None = None
) -> tuple[list[Path], list[ImportProblem]]:
    """Files under ``paths`` (recursively, sorted), and paths that do not exist.

    ``skip`` is a folder never entered (the archive itself).
    """
    files: list[Path] = []
    problems: list[ImportProblem] = []
    skip_resolved = skip.resolve() if skip is not None else None
    for path in paths:
        path = Path(path)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(_walk(path, skip_resolved))
        else:
            problems.append(ImportProblem(path, "no such file or folder"))
    return files, problems


def _walk(folder: Path, skip: Path | None) -> list[Path]:
    found: list[Path] = []
    for current, dirs, names in os.walk(folder):
        here = Path(current)
        if skip is not None and here.resolve() == skip:
            dirs[:] = []
            continue
        dirs.sort()
        found.extend(here / name for name in sorted(names))
    return found


def _import_one(archive: Archive, path: Path, summary: ImportSummary) -> None:
    """Store one file, updating ``summary``; ArchiveWriteError propagates."""
    try:
        result = archive.store_file(path)
    except InvalidDicomError:
        summary.not_dicom += 1
        return
    except ArchiveWriteError:
        raise
    except ArchiveError as exc:
        summary.problems.append(ImportProblem(path, str(exc)))
        return
    summary.stored += 1
    summary.replaced += int(result.replaced)


def import_paths(
    archive: Archive,
    paths: Iterable[Path],
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ImportSummary:
    """Import files and folders into ``archive``.

    Parameters
    ----------
    archive : Archive
        Where to store.
    paths : iterable of Path
        Files and folders (walked recursively).
    progress : callable, optional
        ``progress(done, total, path)`` after each file.
    cancel : threading.Event, optional
        Set it to stop after the current file.

    Returns
    -------
    ImportSummary
        Counts, the files that failed (by name) and whether it was cancelled
        or stopped by a write failure.
    """
    started = time.monotonic()
    files, problems = collect_files(paths, skip=archive.root)
    summary = ImportSummary(files=len(files), problems=problems)
    for done, path in enumerate(files, start=1):
        if cancel is not None and cancel.is_set():
            summary.cancelled = True
            break
        try:
            _import_one(archive, path, summary)
        except ArchiveWriteError as exc:
            summary.problems.append(ImportProblem(path, str(exc)))
            summary.aborted = str(exc)
            break
        if progress is not None:
            progress(done, len(files), path)
    summary.seconds = time.monotonic() - started
    return summary
