"""Settings of the embedded RPI SCP (PS3.4 Annex Q, PS3.7 D.3, PS3.15 B).

:class:`ScpSettings` says where the SCP listens, which peers it accepts
(PS3.8 7.1.1: calling/called AE title checks, local association limit), how it
secures the connection (:class:`ScpTlsSettings`, PS3.15 Annex B, TLS 1.2+) and
which faults it injects to test an SCU (:class:`FaultInjection`, off by
default). Construction never fails; :meth:`ScpSettings.validate` names the
field at fault with a :class:`~rpiq.core.errors.ValidationError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from rpiq.core.errors import ValidationError
from rpiq.core.status import Category, RpiqStatus, category_of

AE_TITLE_MAX = 16
PORT_MAX = 65535
STATUS_MAX = 65535
DEFAULT_PORT = 11112


def ae_title_problem(value: str) -> str | None:
    """Why ``value`` is not a usable AE title (PS3.5 AE VR), or ``None``."""
    text = value.strip(" ")
    if not text:
        return "must not be empty"
    if len(text) > AE_TITLE_MAX:
        return f"{text!r} is longer than {AE_TITLE_MAX} characters"
    if "\\" in text or not text.isascii() or not text.isprintable():
        return f"{text!r} may only hold printable ASCII without a backslash"
    return None


@dataclass(frozen=True, slots=True)
class ScpTlsSettings:
    """TLS of the SCP's listening socket (PS3.15 B.1, TLS 1.2 or later).

    Attributes
    ----------
    cert_file : str
        PEM certificate chain the SCP presents.
    key_file : str
        Private key of ``cert_file``.
    ca_file : str or None
        PEM CA certificates; when given, every peer must present a client
        certificate signed by one of them (mutual TLS).
    handshake_timeout : float
        Seconds a peer may take for the TLS handshake.
    """

    cert_file: str
    key_file: str
    ca_file: str | None = None
    handshake_timeout: float = 10.0

    @property
    def verifies_clients(self) -> bool:
        """True when peers must present a certificate signed by ``ca_file``."""
        return bool(self.ca_file)

    def problems(self) -> list[ValidationError]:
        """Return what is wrong (missing files, bad timeout); empty when valid."""
        found: list[ValidationError] = []
        files = {
            "tls.cert_file": ("Server certificate file", self.cert_file),
            "tls.key_file": ("Server key file", self.key_file),
            "tls.ca_file": ("Client CA file", self.ca_file),
        }
        for key, (label, value) in files.items():
            if value is None and key == "tls.ca_file":
                continue
            if not value or not Path(value).is_file():
                found.append(ValidationError(key, f"{label} not found: {value!r}"))
        if not self.handshake_timeout > 0:
            found.append(
                ValidationError(
                    "tls.handshake_timeout", "TLS handshake timeout must be positive"
                )
            )
        return found


@dataclass(frozen=True, slots=True)
class FaultInjection:
    """Deliberate misbehaviour of the RPI C-FIND answer, to test SCUs.

    Every field is off by default; :attr:`active` says whether any is on (the
    service then logs a WARNING on start). Faults apply to C-FIND only.

    Attributes
    ----------
    status : int or None
        Answer every query with this status instead of the archive's answer:
        a Failure, Cancel, Warning or unknown code is sent as is (with an
        Error Comment), Success means "no match", Pending means the normal
        answer.
    delay_ms : int
        Wait this long before answering (a C-CANCEL meanwhile ends the wait
        with Cancel, FE00).
    double_pending : bool
        Send the match in two Pending responses (PS3.4 Q.4.2 allows one).
    abort : bool
        Abort the association (A-ABORT) instead of answering.
    """

    status: int | None = None
    delay_ms: int = 0
    double_pending: bool = False
    abort: bool = False

    @property
    def active(self) -> bool:
        """True when at least one fault is switched on."""
        return (
            self.status is not None
            or self.delay_ms > 0
            or self.double_pending
            or self.abort
        )

    def describe(self) -> str:
        """The faults that are on, e.g. ``"status C100, delay 500 ms"``."""
        parts: list[str] = []
        if self.status is not None:
            parts.append(f"status {self.status:04X}")
        if self.delay_ms:
            parts.append(f"delay {self.delay_ms} ms")
        if self.double_pending:
            parts.append("two Pending responses")
        if self.abort:
            parts.append("abort instead of answering")
        return ", ".join(parts) or "none"

    @property
    def status_category(self) -> Category | None:
        """Category of the forced status (``None`` when no status is forced)."""
        return None if self.status is None else category_of(self.status)

    @property
    def forces_answer(self) -> bool:
        """True when the forced status replaces the archive's answer."""
        return self.status is not None and self.status != RpiqStatus.PENDING

    def problems(self) -> list[ValidationError]:
        """Return what is wrong (status out of range, negative delay)."""
        found: list[ValidationError] = []
        status = self.status
        if status is not None and not 0 <= status <= STATUS_MAX:
            found.append(
                ValidationError(
                    "faults.status", f"Injected status must be 0000-FFFF, not {status}"
                )
            )
        if self.delay_ms < 0:
            found.append(
                ValidationError(
                    "faults.delay_ms",
                    f"Delay must be 0 or more ms, not {self.delay_ms}",
                )
            )
        return found


@dataclass(frozen=True, slots=True)
class ScpSettings:
    """How the embedded SCP listens and whom it accepts.

    Attributes
    ----------
    ae_title : str
        Our AE title (the called AE title peers should use).
    host : str
        Address to listen on (``"0.0.0.0"`` for every interface).
    port : int
        TCP port; 0 picks a free one (see ``ScpService.address``).
    allowed_calling_aets : tuple of str
        Calling AE titles accepted; empty accepts any. Others are rejected
        with "calling AE title not recognised" (PS3.8 Table 9-21).
    require_called_aet : bool
        Reject associations whose called AE title is not ``ae_title``.
    max_associations : int
        Concurrent associations; one more is rejected (local limit exceeded).
    acse_timeout, dimse_timeout, network_timeout : float
        Seconds, as for pynetdicom's AE.
    max_pdu : int
        Maximum PDU size we receive (0 = unlimited).
    tls : ScpTlsSettings or None
        TLS, or ``None`` for plain TCP.
    faults : FaultInjection
        Deliberate misbehaviour for testing SCUs (off by default).
    """

    ae_title: str = "RPIQ"
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    allowed_calling_aets: tuple[str, ...] = ()
    require_called_aet: bool = False
    max_associations: int = 10
    acse_timeout: float = 30.0
    dimse_timeout: float = 30.0
    network_timeout: float = 60.0
    max_pdu: int = 65536
    tls: ScpTlsSettings | None = None
    faults: FaultInjection = field(default_factory=FaultInjection)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ae_title", self.ae_title.strip(" "))
        allowed = tuple(aet.strip(" ") for aet in self.allowed_calling_aets)
        object.__setattr__(self, "allowed_calling_aets", allowed)

    def problems(self) -> list[ValidationError]:
        """Return every problem, in field order (empty when valid)."""
        found = self._own_problems()
        if self.tls is not None:
            found.extend(self.tls.problems())
        found.extend(self.faults.problems())
        return found

    def _own_problems(self) -> list[ValidationError]:
        found: list[ValidationError] = []
        problem = ae_title_problem(self.ae_title)
        if problem:
            found.append(ValidationError("ae_title", f"AE title {problem}"))
        for aet in self.allowed_calling_aets:
            problem = ae_title_problem(aet)
            if problem:
                found.append(
                    ValidationError("allowed_calling_aets", f"Allowed AE {problem}")
                )
        if not self.host.strip():
            found.append(ValidationError("host", "Host must not be empty"))
        if not 0 <= self.port <= PORT_MAX:
            found.append(
                ValidationError("port", f"Port must be 0-{PORT_MAX}, not {self.port}")
            )
        if self.max_associations < 1:
            found.append(
                ValidationError("max_associations", "Maximum associations must be >= 1")
            )
        for name in ("acse_timeout", "dimse_timeout", "network_timeout"):
            value = float(getattr(self, name))
            if not (math.isfinite(value) and value > 0):
                found.append(ValidationError(name, f"{name} must be positive seconds"))
        return found

    def validate(self) -> ScpSettings:
        """Return ``self`` if valid.

        Raises
        ------
        ValidationError
            The first problem found by :meth:`problems`.
        """
        found = self.problems()
        if found:
            raise found[0]
        return self
