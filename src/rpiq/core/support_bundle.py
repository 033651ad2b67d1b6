"""The support bundle: what a help desk needs, without patient data or secrets.

``rpiq support-bundle FILE`` and the GUI's File → Save support bundle write one
zip (atomically, owner-only 0600) holding:

``README.txt``
    What is inside and what was left out.
``versions.json``
    Versions of rpiq, Python, OpenSSL, SQLite and the libraries (read from the
    installed distributions' metadata, so Qt is never imported here).
``environment.json``
    Operating system, the app's folders, whether ``RPIQ_HOME`` is set.
``archive.json`` and ``history.json``
    Counts only: patients and instances in the archive, queries by outcome.
    No Patient ID, name or answer (those are patient data, PS3.15 Annex E).
``config/profiles.json``, ``config/settings.json``
    The AE profiles and settings with every value named like a secret
    (password, passphrase, secret, token, private, ``key``/``key_file``)
    replaced by ``"<removed>"``; private key files are never read.
``logs/rpiq.log*``
    The rotating log files, masked once more with
    :func:`rpiq.core.logmask.mask_text` (the file is masked when written;
    this also covers files an older version wrote).

Member names are fixed here, never taken from user input, so unpacking the
zip cannot write outside its folder.
"""

from __future__ import annotations

import io
import json
import os
import platform
import re
import sqlite3
import ssl
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import TYPE_CHECKING, Any

from rpiq import __version__
from rpiq.core.errors import RpiqError
from rpiq.core.logmask import flush_logging, mask_text
from rpiq.core.paths import HOME_ENV, AppPaths, atomic_write_bytes

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "DEFAULT_NAME",
    "REMOVED",
    "BundleSummary",
    "SupportBundleError",
    "default_file_name",
    "redact_secrets",
    "write_support_bundle",
]

DEFAULT_NAME = "rpiq-support.zip"
REMOVED = "<removed>"
ROOT = "rpiq-support"
#: Installed distributions whose versions help; absent ones are reported so.
DISTRIBUTIONS = (
    "rpiq",
    "pydicom",
    "pynetdicom",
    "platformdirs",
    "PySide6-Essentials",
    "PySide6",
    "shiboken6",
    "superqt",
)
#: JSON keys whose values are secrets (case-insensitive): passwords, tokens,
#: and anything naming a key (``key_file`` of a TLS profile included).
_SECRET_KEY = re.compile(
    r"pass(word|phrase)?|secret|token|credential|private|(^|[_\-\s])key($|[_\-\s])",
    re.IGNORECASE,
)
_LOG_NAME = re.compile(r"^rpiq\.log(\.\d+)?$")
_CONFIG_FILES = ("profiles.json", "settings.json")
#: Owner read/write, as the zip's members unpack on POSIX.
_MEMBER_MODE = 0o600 << 16

_README = """\
RPIQ Workstation support bundle
===============================

Made by rpiq {version} at {created} (UTC).

versions.json      rpiq, Python, OpenSSL, SQLite and library versions
environment.json   operating system and the app's folders
archive.json       how many patients and instances the local archive holds
history.json       how many queries the history holds, by outcome
config/            AE profiles and settings; secrets replaced by "{removed}"
logs/              the app's log files

Left out on purpose: patient names, IDs and every other patient data (the
archive's instances, the history's requests and answers), passwords, private
keys and the contents of any key file. Log lines mask patient identifiers
("***01") and person names ("***").
"""


class SupportBundleError(RpiqError):
    """The bundle could not be written (bad target, disk, permissions)."""


@dataclass(frozen=True, slots=True)
class BundleSummary:
    """What was written.

    Attributes
    ----------
    path : Path
        The zip file.
    members : tuple of str
        Names inside the zip.
    size : int
        Size of the zip in bytes.
    """

    path: Path
    members: tuple[str, ...]
    size: int


def default_file_name(now: datetime | None = None) -> str:
    """A file name with the local time, e.g. ``rpiq-support-20261122-1030.zip``."""
    when = now or datetime.now()
    return f"rpiq-support-{when:%Y%m%d-%H%M%S}.zip"


def redact_secrets(value: Any) -> Any:
    """A copy of a JSON value with secret-named entries replaced by ``REMOVED``.

    ``None`` and empty values stay as they are, so the reader still sees
    whether a profile has, say, a client key configured.
    """
    if isinstance(value, dict):
        return {
            key: (
                REMOVED
                if _SECRET_KEY.search(str(key)) and value[key] not in (None, "")
                else redact_secrets(value[key])
            )
            for key in value
        }
    if isinstance(value, list):
        return [redact_secrets(item) for item in value]
    return value


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, default=str) + "\n").encode()


def _versions() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return {
        "rpiq": __version__,
        "python": sys.version,
        "python_implementation": platform.python_implementation(),
        "openssl": ssl.OPENSSL_VERSION,
        "sqlite": sqlite3.sqlite_version,
        "distributions": found,
    }


def _environment(paths: AppPaths) -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "os_name": os.name,
        "frozen": bool(getattr(sys, "frozen", False)),
        "rpiq_home_set": bool(os.environ.get(HOME_ENV)),
        "folders": {
            "config": str(paths.config),
            "data": str(paths.data),
            "logs": str(paths.logs),
        },
    }


def _archive_counts(paths: AppPaths) -> dict[str, Any]:
    # Imported here: the archive (and sqlite set-up) only when a bundle is made.
    from rpiq.core.archive import Archive, ArchiveError
    from rpiq.core.archive.archive import INDEX_NAME

    root = paths.archive_dir
    if not (root / INDEX_NAME).is_file():
        return {"present": False}
    try:
        patients, instances = Archive(root).counts()
    except ArchiveError as exc:
        return {"present": True, "error": str(exc)}
    return {"present": True, "patients": patients, "instances": instances}


def _history_counts(paths: AppPaths) -> dict[str, Any]:
    # Read the JSON directly: HistoryStore.load() would back up a corrupt file.
    path = paths.data / "history" / "history.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"present": False}
    except (OSError, ValueError) as exc:
        return {"present": True, "error": f"unreadable: {type(exc).__name__}"}
    entries = document.get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return {"present": True, "error": "no entry list"}
    outcomes = Counter(
        str(entry.get("status", "?")).split(":", 1)[0]
        for entry in entries
        if isinstance(entry, dict)
    )
    return {"present": True, "entries": len(entries), "by_outcome": dict(outcomes)}


def _config_member(path: Path) -> bytes | None:
    """A config file with secrets removed; a note if it is not JSON."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _json({"error": f"unreadable: {exc.strerror or exc}"})
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        # Its text could be anything: say how big it is, not what it says.
        return _json({"error": "not valid JSON", "bytes": len(raw)})
    return _json(redact_secrets(document))


def _log_members(paths: AppPaths) -> list[tuple[str, bytes]]:
    flush_logging()
    try:
        names = sorted(
            entry.name
            for entry in os.scandir(paths.logs)
            if entry.is_file() and _LOG_NAME.match(entry.name)
        )
    except OSError:
        return []
    members: list[tuple[str, bytes]] = []
    for name in names:
        try:
            text = (paths.logs / name).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            text = f"(unreadable: {exc.strerror or exc})\n"
        members.append((f"logs/{name}", mask_text(text).encode("utf-8")))
    return members


def _members(paths: AppPaths, created: datetime) -> list[tuple[str, bytes]]:
    readme = _README.format(
        version=__version__, created=f"{created:%Y-%m-%d %H:%M:%S}", removed=REMOVED
    )
    members: list[tuple[str, bytes]] = [
        ("README.txt", readme.encode("utf-8")),
        ("versions.json", _json(_versions())),
        ("environment.json", _json(_environment(paths))),
        ("archive.json", _json(_archive_counts(paths))),
        ("history.json", _json(_history_counts(paths))),
    ]
    for name in _CONFIG_FILES:
        data = _config_member(paths.config / name)
        if data is not None:
            members.append((f"config/{name}", data))
    members.extend(_log_members(paths))
    return members


def _zip(members: list[tuple[str, bytes]], created: datetime) -> bytes:
    buffer = io.BytesIO()
    stamp = created.astimezone().timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(f"{ROOT}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = _MEMBER_MODE
            archive.writestr(info, data)
    return buffer.getvalue()


def _check_target(target: Path) -> None:
    if target.is_dir():
        raise SupportBundleError(
            f"{target} is a folder: give a file name, e.g. {target / DEFAULT_NAME}."
        )
    if not target.parent.is_dir():
        raise SupportBundleError(
            f"Cannot write {target}: the folder {target.parent} does not exist."
        )


def write_support_bundle(
    target: Path, paths: AppPaths | None = None, *, now: datetime | None = None
) -> BundleSummary:
    """Write the support bundle zip to ``target`` (atomically, mode 0600).

    Parameters
    ----------
    target : Path
        The zip file to write; its folder must exist. An existing file is
        replaced only once the new one is complete.
    paths : AppPaths, optional
        The app's folders (default: the user's, ``RPIQ_HOME`` aware).
    now : datetime, optional
        Creation time (tests).

    Returns
    -------
    BundleSummary
        Where it went, its members and size.

    Raises
    ------
    SupportBundleError
        ``target`` is a folder, its folder is missing, or it cannot be
        written; no partial file is left behind.
    """
    paths = paths or AppPaths.default()
    created = now or datetime.now(UTC)
    _check_target(target)
    members = _members(paths, created)
    data = _zip(members, created)
    try:
        atomic_write_bytes(target, data)
    except OSError as exc:
        raise SupportBundleError(
            f"Cannot write {target}: {exc.strerror or exc}."
        ) from None
    return BundleSummary(target, tuple(f"{ROOT}/{n}" for n, _ in members), len(data))
