"""AE connection profiles: validation and a JSON store with a schema version.

An :class:`AEProfile` says how to reach one RPI SCP (called AE title, host,
port, timeouts, TLS, preferred character set). :class:`ProfileStore` keeps a
list of them in ``profiles.json`` under the config dir (``$RPIQ_HOME/config``
when ``RPIQ_HOME`` is set)::

    {"schema_version": 1, "profiles": [{"name": "PACS", ...}, ...]}

Field names in :class:`~rpiq.core.errors.ValidationError` are the attribute
names (``"port"``, ``"tls.ca_file"``), which are also the JSON keys; the
messages themselves use the labels of :data:`FIELD_LABELS`, so they read well
both at a GUI field and on the command line.

Loading policy (a user's broken file never causes a traceback and is never
lost):

- missing file: no profiles, no warning;
- unreadable file (not UTF-8, not JSON, wrong top-level shape, a newer
  ``schema_version``): the original bytes are kept as ``profiles.json.bak``
  (or ``.bak.1``, ``.bak.2`` … when an older, different backup exists), no
  profiles are loaded, and a warning says so;
- sound file with some bad entries: the valid entries load, each bad entry is
  skipped with its own warning, and the original file is backed up the same way
  before the next save can drop the skipped entries.

On load, entries are checked without looking at the disk for TLS files (a CA
file on an unmounted drive must not delete the profile); :meth:`ProfileStore.add`
and :meth:`ProfileStore.import_file` run the full validation.

Changes (:meth:`ProfileStore.add`, :meth:`ProfileStore.remove`,
:meth:`ProfileStore.import_file`) stay in memory until :meth:`ProfileStore.save`,
which writes atomically with owner-only permissions.
"""

from __future__ import annotations

import builtins
import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom.charset import python_encoding

from rpiq.core.errors import ProfileError, ValidationError
from rpiq.core.paths import AppPaths, atomic_write_text

SCHEMA_VERSION = 1
AE_TITLE_MAX = 16
MAX_PDU_MIN = 4096
MAX_PDU_MAX = 2**32 - 1
PORT_MAX = 65535

FIELD_LABELS: dict[str, str] = {
    "name": "Profile name",
    "called_ae": "Called AE title",
    "host": "Host",
    "port": "Port",
    "calling_ae": "Calling AE title",
    "connect_timeout": "Connect timeout",
    "acse_timeout": "Association timeout",
    "dimse_timeout": "DIMSE timeout",
    "network_timeout": "Network timeout",
    "max_pdu": "Maximum PDU size",
    "tls": "TLS settings",
    "tls.ca_file": "CA certificate file",
    "tls.cert_file": "Client certificate file",
    "tls.key_file": "Client key file",
    "tls.verify": "Verify server certificate",
    "character_set": "Character set",
}
"""User-facing label of every field that a :class:`ValidationError` may name."""

_KNOWN_CHARSETS = frozenset(python_encoding)
_TIMEOUTS = ("connect_timeout", "acse_timeout", "dimse_timeout", "network_timeout")
# JSON key -> expected kind, for from_dict (``tls`` is handled separately).
_PROFILE_KINDS: dict[str, str] = {
    "name": "str",
    "called_ae": "str",
    "host": "str",
    "port": "int",
    "calling_ae": "str",
    "connect_timeout": "float",
    "acse_timeout": "float",
    "dimse_timeout": "float",
    "network_timeout": "float",
    "max_pdu": "int",
    "character_set": "str?",
}
_TLS_KINDS: dict[str, str] = {
    "ca_file": "str?",
    "cert_file": "str?",
    "key_file": "str?",
    "verify": "bool",
}
_KIND_WORDS = {
    "str": "text",
    "str?": "text or null",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
}


def _label(key: str) -> str:
    return FIELD_LABELS.get(key, key)


def _json_type(value: object) -> str:
    """Describe a JSON value's type the way a user editing the file sees it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _coerce(key: str, value: object, kind: str) -> object:
    """Return ``value`` as ``kind`` or raise a field-named ValidationError."""
    ok = {
        "str": isinstance(value, str),
        "str?": value is None or isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
    }[kind]
    if not ok:
        raise ValidationError(
            key,
            f"{_label(key)} must be {_KIND_WORDS[kind]}, "
            f"not {_json_type(value)} ({value!r})",
        )
    if kind == "float":
        return float(value)  # type: ignore[arg-type]
    return value


def _mapping(key: str, data: object) -> Mapping[str, object]:
    if not isinstance(data, Mapping):
        raise ValidationError(
            key, f"{_label(key)} must be a JSON object, not {_json_type(data)}"
        )
    return data


def _strip_or_none(value: str | None) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


@dataclass(frozen=True, slots=True)
class TlsSettings:
    """TLS for an association (PS3.15 Annex B secure transport).

    Attributes
    ----------
    ca_file : str or None
        PEM file of CA certificates that sign the server's certificate;
        ``None`` uses the system's trusted CAs.
    cert_file : str or None
        PEM client certificate, for servers that want mutual TLS.
    key_file : str or None
        Private key of ``cert_file``; given together with it or not at all.
    verify : bool
        Check the server's certificate and host name (default ``True``).

    Paths are used as given; empty strings become ``None``.
    """

    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    verify: bool = True

    def __post_init__(self) -> None:
        for name in ("ca_file", "cert_file", "key_file"):
            object.__setattr__(self, name, _strip_or_none(getattr(self, name)))

    def problems(self, *, check_files: bool = True) -> list[ValidationError]:
        """Return what is wrong with these settings (empty when valid).

        Parameters
        ----------
        check_files : bool
            Also check that every named file exists.
        """
        found: list[ValidationError] = []
        verify: object = self.verify  # may be anything when built by hand
        if not isinstance(verify, bool):
            found.append(
                ValidationError("tls.verify", f"{_label('tls.verify')} must be on/off")
            )
        if self.cert_file and not self.key_file:
            found.append(
                ValidationError(
                    "tls.key_file",
                    "Client key file is required when a client certificate "
                    "file is given",
                )
            )
        if self.key_file and not self.cert_file:
            found.append(
                ValidationError(
                    "tls.cert_file",
                    "Client certificate file is required when a client key "
                    "file is given",
                )
            )
        if check_files:
            found.extend(self._file_problems())
        return found

    def _file_problems(self) -> list[ValidationError]:
        found: list[ValidationError] = []
        for name in ("ca_file", "cert_file", "key_file"):
            value = getattr(self, name)
            if not isinstance(value, str):
                continue
            key = f"tls.{name}"
            path = Path(value)
            if not path.exists():
                found.append(ValidationError(key, f"{_label(key)} not found: {value}"))
            elif not path.is_file():
                found.append(
                    ValidationError(key, f"{_label(key)} is not a file: {value}")
                )
        return found

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "ca_file": self.ca_file,
            "cert_file": self.cert_file,
            "key_file": self.key_file,
            "verify": self.verify,
        }

    @classmethod
    def from_dict(cls, data: object) -> TlsSettings:
        """Build settings from a JSON object (missing keys take defaults).

        Raises
        ------
        ValidationError
            ``data`` is not an object or a value has the wrong type.
        """
        mapping = _mapping("tls", data)
        kwargs: dict[str, Any] = {
            key: _coerce(f"tls.{key}", mapping[key], kind)
            for key, kind in _TLS_KINDS.items()
            if key in mapping
        }
        return cls(**kwargs)


def _ae_title_problem(value: object) -> str | None:
    """Why ``value`` is not a valid AE title (PS3.5 AE VR), or ``None``."""
    if not isinstance(value, str):
        return f"must be text, not {_json_type(value)}"
    if not value:
        return "must not be empty or only spaces"
    if len(value) > AE_TITLE_MAX:
        return (
            f"{value!r} is {len(value)} characters long; "
            f"at most {AE_TITLE_MAX} are allowed"
        )
    if "\\" in value:
        return "must not contain a backslash (\\)"
    control = next((c for c in value if ord(c) < 32 or ord(c) == 127), None)
    if control is not None:
        return f"must not contain control characters (found U+{ord(control):04X})"
    if not value.isascii():
        return "may only use ASCII letters, digits, spaces and punctuation"
    return None


def _port_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be a whole number from 1 to {PORT_MAX}, not {value!r}"
    if not 1 <= value <= PORT_MAX:
        return f"must be from 1 to {PORT_MAX}, not {value}"
    return None


def _timeout_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number of seconds, not {value!r}"
    if not math.isfinite(value) or value <= 0:
        return f"must be a positive number of seconds, not {value}"
    return None


def _max_pdu_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be a whole number of bytes, not {value!r}"
    if value != 0 and not MAX_PDU_MIN <= value <= MAX_PDU_MAX:
        return (
            f"must be 0 (unlimited) or from {MAX_PDU_MIN} to {MAX_PDU_MAX} "
            f"bytes, not {value}"
        )
    return None


def _host_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"must be text, not {_json_type(value)}"
    if not value:
        return "must not be empty"
    if any(c.isspace() or not c.isprintable() for c in value):
        return f"must not contain spaces or control characters ({value!r})"
    return None


def _name_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"must be text, not {_json_type(value)}"
    if not value:
        return "must not be empty"
    if not value.isprintable():
        return "must not contain control characters"
    return None


def _charset_problem(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return f"must be text or empty, not {_json_type(value)}"
    terms = value.split("\\")
    unknown = [term for term in terms if term not in _KNOWN_CHARSETS]
    if unknown:
        return (
            f"{unknown[0]!r} is not a DICOM character set; use a defined term "
            "such as 'ISO_IR 192' (UTF-8) or 'ISO_IR 100' (Latin-1)"
        )
    if len(terms) > 1 and not all(
        term.startswith("ISO 2022") or (index == 0 and not term)
        for index, term in enumerate(terms)
    ):
        return "only 'ISO 2022 …' character sets can be combined with a backslash"
    return None


@dataclass(frozen=True, slots=True)
class AEProfile:
    """How to reach one remote Application Entity (the RPI SCP).

    Leading and trailing spaces of AE titles (insignificant in the AE VR) and
    surrounding whitespace of the name and host are stripped on creation; an
    empty ``character_set`` becomes ``None``. Construction never fails:
    call :meth:`problems` or :meth:`validate`.

    Attributes
    ----------
    name : str
        Unique, case-sensitive name the user picks the profile by.
    called_ae : str
        AE title of the remote SCP.
    host : str
        Host name or IP address of the SCP.
    port : int
        TCP port of the SCP (1–65535).
    calling_ae : str
        Our own AE title.
    connect_timeout : float
        Seconds to wait for the TCP connection.
    acse_timeout : float
        Seconds to wait for association negotiation (ACSE).
    dimse_timeout : float
        Seconds to wait for each DIMSE response.
    network_timeout : float
        Seconds of network silence before the association is aborted.
    max_pdu : int
        Maximum PDU size we receive; 0 means unlimited (PS3.8).
    tls : TlsSettings or None
        TLS settings, or ``None`` for a plain TCP association.
    character_set : str or None
        Preferred Specific Character Set (0008,0005) for requests, e.g.
        ``"ISO_IR 192"``; ``None`` means the default repertoire.
    """

    name: str
    called_ae: str = "ANY-SCP"
    host: str = "127.0.0.1"
    port: int = 11112
    calling_ae: str = "RPIQ"
    connect_timeout: float = 10.0
    acse_timeout: float = 30.0
    dimse_timeout: float = 30.0
    network_timeout: float = 60.0
    max_pdu: int = 65536
    tls: TlsSettings | None = field(default=None)
    character_set: str | None = None

    def __post_init__(self) -> None:
        for name in ("name", "host"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, value.strip())
        for name in ("called_ae", "calling_ae"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, value.strip(" "))
        object.__setattr__(self, "character_set", _strip_or_none(self.character_set))

    def problems(self, *, check_files: bool = True) -> list[ValidationError]:
        """Return every problem with this profile, in field order (empty if valid).

        Parameters
        ----------
        check_files : bool
            Also check that the TLS files exist (off when loading a store).
        """
        checks = [
            ("name", _name_problem),
            ("called_ae", _ae_title_problem),
            ("host", _host_problem),
            ("port", _port_problem),
            ("calling_ae", _ae_title_problem),
            *((key, _timeout_problem) for key in _TIMEOUTS),
            ("max_pdu", _max_pdu_problem),
            ("character_set", _charset_problem),
        ]
        found: list[ValidationError] = []
        for key, check in checks:
            problem = check(getattr(self, key))
            if problem is not None:
                found.append(ValidationError(key, f"{_label(key)} {problem}"))
        tls: object = self.tls  # may be anything when built by hand
        if isinstance(tls, TlsSettings):
            found.extend(tls.problems(check_files=check_files))
        elif tls is not None:
            found.append(ValidationError("tls", "TLS settings are malformed"))
        return found

    def validate(self, *, check_files: bool = True) -> AEProfile:
        """Return ``self`` if valid.

        Raises
        ------
        ValidationError
            The first problem found by :meth:`problems`.
        """
        found = self.problems(check_files=check_files)
        if found:
            raise found[0]
        return self

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict holding every field."""
        return {
            "name": self.name,
            "called_ae": self.called_ae,
            "host": self.host,
            "port": self.port,
            "calling_ae": self.calling_ae,
            "connect_timeout": self.connect_timeout,
            "acse_timeout": self.acse_timeout,
            "dimse_timeout": self.dimse_timeout,
            "network_timeout": self.network_timeout,
            "max_pdu": self.max_pdu,
            "tls": self.tls.to_dict() if self.tls is not None else None,
            "character_set": self.character_set,
        }

    @classmethod
    def from_dict(cls, data: object) -> AEProfile:
        """Build a profile from a JSON object; does not :meth:`validate` it.

        Missing keys other than ``name`` take their defaults; unknown keys are
        ignored.

        Raises
        ------
        ProfileError
            ``data`` is not a JSON object.
        ValidationError
            ``name`` is missing or a value has the wrong type.
        """
        if not isinstance(data, Mapping):
            raise ProfileError(
                f"a profile must be a JSON object, not {_json_type(data)}"
            )
        if "name" not in data:
            raise ValidationError("name", "Profile name is missing")
        kwargs: dict[str, Any] = {
            key: _coerce(key, data[key], kind)
            for key, kind in _PROFILE_KINDS.items()
            if key in data
        }
        tls = data.get("tls")
        kwargs["tls"] = None if tls is None else TlsSettings.from_dict(tls)
        return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class LoadResult:
    """Outcome of :meth:`ProfileStore.load`.

    Attributes
    ----------
    profiles : tuple of AEProfile
        The profiles that loaded, in file order.
    warnings : tuple of str
        Sentences for the user (empty when the file was fine or missing).
    backup : Path or None
        Where the original file was kept, if it had to be backed up.
    """

    profiles: tuple[AEProfile, ...] = ()
    warnings: tuple[str, ...] = ()
    backup: Path | None = None


class _CorruptStoreError(Exception):
    """The store file cannot be used at all; the message ends a sentence."""


def _decode_json(raw: bytes) -> object:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _CorruptStoreError("is not UTF-8 text") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _CorruptStoreError(
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except RecursionError as exc:
        raise _CorruptStoreError("is nested too deeply to be a profile file") from exc


def _store_entries(document: object) -> list[object]:
    """Return the ``profiles`` list of a store document or raise if unusable."""
    if not isinstance(document, dict) or "profiles" not in document:
        raise _CorruptStoreError(
            'does not hold a profile list (expected an object with "schema_version" '
            'and "profiles")'
        )
    version = document.get("schema_version", SCHEMA_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _CorruptStoreError(f"has an invalid schema_version ({version!r})")
    if version > SCHEMA_VERSION:
        raise _CorruptStoreError(
            f"was written by a newer version of RPIQ (schema version {version}; "
            f"this version reads up to {SCHEMA_VERSION})"
        )
    entries = document["profiles"]
    if not isinstance(entries, list):
        raise _CorruptStoreError('has a "profiles" value that is not a list')
    return entries


def _entry_label(index: int, entry: object) -> str:
    name = entry.get("name") if isinstance(entry, Mapping) else None
    suffix = f" ({name!r})" if isinstance(name, str) else ""
    return f"profile #{index}{suffix}"


def _store_text(profiles: Iterable[AEProfile]) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "profiles": [profile.to_dict() for profile in profiles],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _write_backup(path: Path, raw: bytes) -> Path:
    """Keep ``raw`` next to ``path`` as ``.bak`` (``.bak.1`` …); return where.

    An existing backup with the same bytes is reused; a different one is never
    overwritten.
    """
    index = 0
    while True:
        suffix = ".bak" if index == 0 else f".bak.{index}"
        candidate = path.with_name(path.name + suffix)
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            if candidate.is_file() and candidate.read_bytes() == raw:
                return candidate
            index += 1
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        return candidate


class ProfileStore:
    """The user's AE profiles, kept in one JSON file.

    Nothing is read until :meth:`load` or the first method that needs the
    profiles; changes stay in memory until :meth:`save`.

    Parameters
    ----------
    path : Path
        The ``profiles.json`` file (need not exist).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._profiles: dict[str, AEProfile] = {}
        self._loaded = False
        self._save_blocked: str | None = None
        self.last_load: LoadResult | None = None
        """The result of the most recent :meth:`load`, or ``None`` before it."""

    @classmethod
    def default(cls) -> ProfileStore:
        """Return the store in the user's config dir (``$RPIQ_HOME`` if set)."""
        return cls(AppPaths.default().profiles_file)

    # ------------------------------------------------------------- loading
    def load(self) -> LoadResult:
        """(Re)read the file, replacing the profiles in memory.

        Never raises for a broken file: see the module docstring for what is
        kept, what is skipped and where backups go.
        """
        self._save_blocked = None
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return self._loaded_with(LoadResult())
        except OSError as exc:
            message = (
                f"Could not read the profile file {self.path}: "
                f"{exc.strerror or exc}. No profiles were loaded."
            )
            return self._loaded_with(LoadResult(warnings=(message,)))
        try:
            entries = _store_entries(_decode_json(raw))
        except _CorruptStoreError as exc:
            return self._loaded_with(self._corrupt_result(raw, str(exc)))
        return self._loaded_with(self._entries_result(raw, entries))

    def _loaded_with(self, result: LoadResult) -> LoadResult:
        self._profiles = {profile.name: profile for profile in result.profiles}
        self._loaded = True
        self.last_load = result
        return result

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            self.load()

    def _backup_note(self, raw: bytes) -> tuple[Path | None, str]:
        """Back up ``raw``; return the backup and a sentence saying where."""
        try:
            backup = _write_backup(self.path, raw)
        except OSError as exc:
            self._save_blocked = (
                f"the original {self.path} could not be backed up "
                f"({exc.strerror or exc}); fix or move it by hand first"
            )
            return None, (
                f"It could not be backed up ({exc.strerror or exc}), so RPIQ will "
                "not overwrite it."
            )
        return backup, f"The original file was kept as {backup}."

    def _corrupt_result(self, raw: bytes, reason: str) -> LoadResult:
        backup, note = self._backup_note(raw)
        message = (
            f"The profile file {self.path} {reason}. {note} No profiles were "
            "loaded; saving will start a new file."
        )
        return LoadResult(warnings=(message,), backup=backup)

    def _entries_result(self, raw: bytes, entries: builtins.list[object]) -> LoadResult:
        profiles: dict[str, AEProfile] = {}
        warnings: list[str] = []
        for index, entry in enumerate(entries, 1):
            label = _entry_label(index, entry)
            try:
                profile = AEProfile.from_dict(entry).validate(check_files=False)
            except (ValidationError, ProfileError) as exc:
                warnings.append(f"Skipped {label} in {self.path}: {exc}.")
                continue
            if profile.name in profiles:
                warnings.append(
                    f"Skipped {label} in {self.path}: another profile has that name."
                )
                continue
            profiles[profile.name] = profile
        if not warnings:
            return LoadResult(profiles=tuple(profiles.values()))
        backup, note = self._backup_note(raw)
        warnings.append(f"{note} Saving will drop the skipped profiles.")
        return LoadResult(tuple(profiles.values()), tuple(warnings), backup)

    # ------------------------------------------------------------- queries
    def list(self) -> builtins.list[AEProfile]:
        """Return all profiles in store order."""
        self._ensure_loaded()
        return builtins.list(self._profiles.values())

    def names(self) -> builtins.list[str]:
        """Return all profile names in store order."""
        self._ensure_loaded()
        return builtins.list(self._profiles)

    def __contains__(self, name: object) -> bool:
        self._ensure_loaded()
        return name in self._profiles

    def get(self, name: str) -> AEProfile:
        """Return the profile called ``name`` (case-sensitive).

        Raises
        ------
        ProfileError
            No profile has that name.
        """
        self._ensure_loaded()
        try:
            return self._profiles[name]
        except KeyError:
            known = ", ".join(self._profiles) or "(none)"
            raise ProfileError(f"no profile named {name!r}; known: {known}") from None

    # ------------------------------------------------------------- changes
    def add(self, profile: AEProfile, *, replace: bool = False) -> None:
        """Validate ``profile`` and add it (in memory; call :meth:`save`).

        Parameters
        ----------
        profile : AEProfile
            The profile; its name must be unique unless ``replace``.
        replace : bool
            Replace an existing profile of the same name (keeping its place).

        Raises
        ------
        ValidationError
            The profile is invalid (first problem).
        ProfileError
            A profile of that name exists and ``replace`` is false.
        """
        self._ensure_loaded()
        profile.validate()
        if profile.name in self._profiles and not replace:
            raise ProfileError(f"a profile named {profile.name!r} already exists")
        self._profiles[profile.name] = profile

    def remove(self, name: str) -> None:
        """Remove the profile called ``name`` (in memory; call :meth:`save`).

        Raises
        ------
        ProfileError
            No profile has that name.
        """
        self.get(name)
        del self._profiles[name]

    def save(self) -> None:
        """Write all profiles atomically, owner-only (0600 on POSIX).

        Raises
        ------
        ProfileError
            The file could not be written, or an unreadable original could not
            be backed up during :meth:`load`.
        """
        self._ensure_loaded()
        if self._save_blocked is not None:
            raise ProfileError(f"profiles not saved: {self._save_blocked}")
        _write_store(self.path, self._profiles.values())

    # ------------------------------------------------------------- files
    def import_file(self, path: Path, *, replace: bool = False) -> builtins.list[str]:
        """Add the profiles of a JSON file (in memory; call :meth:`save`).

        The file holds one profile object, a list of them, or the store format.
        Every profile is fully validated first; on any problem nothing changes.

        Parameters
        ----------
        path : Path
            The file to read.
        replace : bool
            Replace existing profiles of the same names instead of failing.

        Returns
        -------
        list of str
            The imported names, in file order.

        Raises
        ------
        ProfileError
            The file is unreadable, holds an invalid profile, repeats a name, or
            a name already exists and ``replace`` is false.
        """
        self._ensure_loaded()
        profiles = _read_import(Path(path))
        clashes = [p.name for p in profiles if p.name in self._profiles]
        if clashes and not replace:
            raise ProfileError(
                f"{path}: profiles already exist: {', '.join(clashes)} "
                "(import with replace to overwrite them)"
            )
        for profile in profiles:
            self._profiles[profile.name] = profile
        return [profile.name for profile in profiles]

    def export_file(self, path: Path, names: Iterable[str] | None = None) -> None:
        """Write profiles (all, or those in ``names``) in the store format.

        Raises
        ------
        ProfileError
            A name is unknown or the file could not be written.
        """
        self._ensure_loaded()
        selected = (
            builtins.list(self._profiles.values())
            if names is None
            else [self.get(name) for name in names]
        )
        _write_store(Path(path), selected)


def _write_store(path: Path, profiles: Iterable[AEProfile]) -> None:
    try:
        atomic_write_text(path, _store_text(profiles), mode=0o600)
    except OSError as exc:
        raise ProfileError(
            f"could not write profiles to {path}: {exc.strerror or exc}"
        ) from exc


def _import_entries(path: Path) -> list[object]:
    """Return the profile objects of an import file, whatever its format."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"could not read {path}: {exc.strerror or exc}") from exc
    try:
        document = _decode_json(raw)
        if isinstance(document, dict) and "profiles" in document:
            return _store_entries(document)
    except _CorruptStoreError as exc:
        raise ProfileError(f"{path} {exc}") from exc
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        return [document]
    raise ProfileError(
        f"{path} holds {_json_type(document)}, not a profile, a list of profiles "
        "or a profile file"
    )


def _read_import(path: Path) -> list[AEProfile]:
    profiles: dict[str, AEProfile] = {}
    for index, entry in enumerate(_import_entries(path), 1):
        label = _entry_label(index, entry)
        try:
            profile = AEProfile.from_dict(entry).validate()
        except (ValidationError, ProfileError) as exc:
            raise ProfileError(f"{path}: {label}: {exc}") from exc
        if profile.name in profiles:
            raise ProfileError(f"{path}: {label}: the name is used twice in the file")
        profiles[profile.name] = profile
    return list(profiles.values())
