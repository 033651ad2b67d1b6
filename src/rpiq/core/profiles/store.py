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
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rpiq.core.errors import ProfileError, ValidationError
from rpiq.core.paths import AppPaths, atomic_write_text
from rpiq.core.profiles.fields import SCHEMA_VERSION, _json_type
from rpiq.core.profiles.model import AEProfile


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
