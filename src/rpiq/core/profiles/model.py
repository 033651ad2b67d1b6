"""AEProfile and TlsSettings: how to reach one RPI SCP, validated on demand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rpiq.core.errors import ProfileError, ValidationError
from rpiq.core.profiles.fields import (
    _PROFILE_KINDS,
    _TIMEOUTS,
    _TLS_KINDS,
    _coerce,
    _json_type,
    _label,
    _mapping,
    _strip_or_none,
)
from rpiq.core.profiles.validation import (
    _ae_title_problem,
    _charset_problem,
    _host_problem,
    _max_pdu_problem,
    _name_problem,
    _port_problem,
    _timeout_problem,
)


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
