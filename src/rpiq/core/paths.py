"""Application directories (config, data, logs) from platformdirs.

``RPIQ_HOME`` overrides every directory at once (tests, portable use, bundle
smoke test). Nothing is created at import time: callers ask for a directory and
:func:`ensure_dir` creates it when they are about to write.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "rpiq"
HOME_ENV = "RPIQ_HOME"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """Where RPIQ keeps its files.

    Attributes
    ----------
    config : Path
        Profiles and settings (JSON).
    data : Path
        Local archive and query history.
    logs : Path
        Log files.
    """

    config: Path
    data: Path
    logs: Path

    @classmethod
    def default(cls) -> AppPaths:
        """Return the user's directories, or those under ``$RPIQ_HOME`` if set."""
        home = os.environ.get(HOME_ENV)
        if home:
            return cls.under(Path(home))
        return cls(
            config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    @classmethod
    def under(cls, root: Path) -> AppPaths:
        """Return all directories below one root (portable layout)."""
        return cls(config=root / "config", data=root / "data", logs=root / "logs")

    @property
    def profiles_file(self) -> Path:
        """The AE profile store."""
        return self.config / "profiles.json"

    @property
    def settings_file(self) -> Path:
        """Application settings."""
        return self.config / "settings.json"

    @property
    def archive_dir(self) -> Path:
        """The local archive (index + instance files)."""
        return self.data / "archive"

    @property
    def log_file(self) -> Path:
        """The app's rotating log (patient identity masked, see core.logmask)."""
        return self.logs / "rpiq.log"


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing, owner-only on POSIX; return it.

    Every folder created here is 0700, parents included: ``mkdir(parents=True)``
    would give missing parents the umask's mode (typically 0755). Folders that
    already exist keep their mode.
    """
    missing = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    return path


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path``: readers see the old or the new file, never half.

    The bytes go to a temporary file in the same directory, are flushed and
    fsync'ed, then renamed over ``path`` with :func:`os.replace` (atomic on POSIX
    and Windows). On any error the temporary file is removed and ``path`` is
    untouched, so a full disk never leaves a truncated file.
    """
    ensure_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, mode: int = 0o600) -> None:
    """Write UTF-8 ``text`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"), mode)
