"""Instance files: named by SOP Instance UID, written durably, never half.

A file is written to a temporary name in ``<archive>/tmp``, flushed and
fsync'ed, then renamed into ``<archive>/instances/<xx>/`` and the directory is
fsync'ed (POSIX), so after a crash the file is either complete or absent. The
SOP Instance UID is validated as a UID (PS3.5 9.1: digits and dots, at most 64
characters) before it names a file, which rules out path traversal.
Temporary files left by a killed process are removed when the archive opens.
Empty temp files are created ahead by a background thread (:mod:`.temppool`):
on ext4 a create right after an fsync waits for the journal.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import logging
import os
import re
import threading
import time
from typing import IO, TYPE_CHECKING

from rpiq.core.archive.temppool import PREFIX as POOL_PREFIX
from rpiq.core.archive.temppool import TempPool
from rpiq.core.errors import ArchiveError
from rpiq.core.paths import ensure_dir

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

_LOG = logging.getLogger(__name__)

#: PS3.5 9.1: components of digits without leading zeros, at most 64 chars.
_UID = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$")
_UID_MAX = 64
_TMP_SUFFIX = ".tmp"
#: Age after which a temp file of an unknown (non-POSIX) writer is stale.
_STALE_SECONDS = 3600.0
_COUNTER = itertools.count()


class ArchiveWriteError(ArchiveError):
    """An instance file could not be written (disk full, permissions, I/O)."""


def check_uid(uid: object, what: str = "SOP Instance UID") -> str:
    """Return ``uid`` as text if it is a valid DICOM UID, else raise.

    Raises
    ------
    ArchiveError
        If it is missing, longer than 64 characters, or not digits and dots
        (e.g. ``"../../etc"``), so it can never name a file outside the archive.
    """
    text = "" if uid is None else str(uid).strip()
    if not text:
        raise ArchiveError(f"The instance has no {what}.")
    if len(text) > _UID_MAX or not _UID.match(text):
        shown = text if len(text) <= _UID_MAX else text[:_UID_MAX] + "…"
        raise ArchiveError(f"{what} {shown!r} is not a valid DICOM UID.")
    return text


def _fsync_dir(path: Path) -> None:
    """Fsync a directory so a rename in it is durable (POSIX only)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool | None:
    """Whether process ``pid`` exists; None when it cannot be told (Windows)."""
    if os.name != "posix":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class InstanceFiles:
    """The ``instances`` and ``tmp`` folders of one archive.

    Parameters
    ----------
    root : Path
        The archive folder.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.instances = root / "instances"
        self.tmp = root / "tmp"
        self._pool = TempPool(self.tmp, _TMP_SUFFIX)

    def prepare(self) -> None:
        """Create the folders, prove they are writable, remove stale temp files.

        Raises
        ------
        ArchiveError
            If a folder cannot be created or written (read-only or no access).
        """
        try:
            ensure_dir(self.instances)
            ensure_dir(self.tmp)
            probe = self.tmp / f".probe.{os.getpid()}.{next(_COUNTER)}"
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
            probe.unlink()
        except OSError as exc:
            raise ArchiveError(
                f"The archive folder {self.root} cannot be used: "
                f"{exc.strerror or exc}. Choose a writable folder with --archive "
                "or RPIQ_HOME."
            ) from exc
        self.clean_stale_temps()

    def clean_stale_temps(self) -> int:
        """Remove temp files of writers that no longer run; return how many."""
        removed = 0
        for path in self.tmp.glob(f"*{_TMP_SUFFIX}"):
            if self._is_stale(path):
                path.unlink(missing_ok=True)
                # Empty files made ahead by a pool were never an instance.
                removed += not path.name.startswith(POOL_PREFIX)
        if removed:
            _LOG.warning(
                "removed %d unfinished instance file(s) from %s", removed, self.tmp
            )
        return removed

    @staticmethod
    def _is_stale(path: Path) -> bool:
        parts = path.name.split(".")
        pid = int(parts[-4]) if len(parts) >= 4 and parts[-4].isdigit() else -1
        if pid == os.getpid():
            return False
        alive = _pid_alive(pid) if pid > 0 else False
        if alive is not None:
            return not alive
        try:
            return time.time() - path.stat().st_mtime > _STALE_SECONDS
        except OSError:
            return False

    def relative_path(self, uid: str, revision: int) -> str:
        """Path of an instance file below the archive root (``/`` separated).

        Files are spread over 256 folders by a hash of the UID. A replacement
        gets a new name (``<uid>.r<n>.dcm``) so the old file stays intact
        until the index points at the new one.
        """
        shard = hashlib.sha1(uid.encode("ascii"), usedforsecurity=False).hexdigest()
        name = f"{uid}.dcm" if revision == 0 else f"{uid}.r{revision}.dcm"
        return f"instances/{shard[:2]}/{name}"

    def absolute(self, relative: str) -> Path:
        """The file for a path returned by :meth:`relative_path`."""
        return self.root.joinpath(*relative.split("/"))

    def write_temp(self, uid: str, write: Callable[[IO[bytes]], None]) -> Path:
        """Write a new temp file with ``write`` and fsync it.

        Raises
        ------
        ArchiveWriteError
            On any OS error (the temp file is removed).
        """
        tmp = self._pool.take()
        fd = -1
        if tmp is not None:
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC)
            except OSError:  # removed meanwhile: make one here
                fd = -1
        if fd < 0:
            name = f"{uid}.{os.getpid()}.{threading.get_ident()}.{next(_COUNTER)}"
            tmp = self.tmp / f"{name}{_TMP_SUFFIX}"
        assert tmp is not None
        try:
            if fd < 0:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ArchiveWriteError(_write_message(uid, exc)) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    def place(self, tmp: Path, relative: str) -> Path:
        """Rename a temp file to its final name and fsync the folder.

        Raises
        ------
        ArchiveWriteError
            If the rename or fsync fails (the temp file is removed).
        """
        final = self.absolute(relative)
        try:
            try:
                os.replace(tmp, final)
            except FileNotFoundError:  # first file of its folder (or tmp gone)
                final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.replace(tmp, final)
            _fsync_dir(final.parent)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ArchiveWriteError(_write_message(final.name, exc)) from exc
        return final

    def close(self) -> None:
        """Remove the temp files made ahead and stop making them."""
        self._pool.close()

    def discard(self, path: Path) -> None:
        """Remove a file we no longer reference; failures are only logged."""
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            _LOG.warning("could not remove %s: %s", path, exc)


def _root_os_error(exc: OSError) -> OSError:
    """The OSError that carries the errno (pydicom re-raises without it)."""
    found: BaseException | None = exc
    while found is not None:
        if isinstance(found, OSError) and found.errno is not None:
            return found
        found = found.__cause__
    return exc


def _write_message(name: str, exc: OSError) -> str:
    """A sentence for the user about a failed instance write.

    The reason comes first: the peer sees this as an Error Comment, which
    PS3.5 limits to 64 characters (LO), and a UID alone can fill that.
    """
    root = _root_os_error(exc)
    reason = "Disk full" if root.errno == errno.ENOSPC else root.strerror or str(root)
    return f"{reason}: could not write instance {name} to the archive."
