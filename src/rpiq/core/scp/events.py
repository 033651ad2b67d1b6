"""Events of the embedded SCP, sent to the ``on_event`` callback of ``ScpService``.

Frozen dataclasses, so the GUI can pass them across threads through a
``Signal(object)``. They are emitted on pynetdicom's association threads
(PS3.8 association life cycle: accepted, rejected, released, aborted; PS3.4
Annex Q queries; PS3.4 Annex B storage). :func:`describe_event` renders one
as a log line and masks patient identity unless ``reveal`` is set (INFO logs
never show patient IDs; DEBUG logs may).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rpiq.core.status import Category

if TYPE_CHECKING:
    from rpiq.core.status import StatusInfo


@dataclass(frozen=True, slots=True)
class Started:
    """The SCP listens on ``host:port`` as ``ae_title``."""

    host: str
    port: int
    ae_title: str
    tls: bool = False


@dataclass(frozen=True, slots=True)
class Stopped:
    """The SCP stopped listening and ended its associations."""

    host: str = ""
    port: int = 0


@dataclass(frozen=True, slots=True)
class AssociationAccepted:
    """A peer's association request was accepted."""

    peer_ae: str
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class AssociationRejected:
    """A peer's association request (or TLS handshake) was rejected."""

    peer_ae: str
    host: str
    port: int
    reason: str


@dataclass(frozen=True, slots=True)
class AssociationReleased:
    """A peer released its association normally (A-RELEASE)."""

    peer_ae: str
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class AssociationAborted:
    """An association ended with A-ABORT or a lost connection."""

    peer_ae: str
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class QueryServed:
    """One RPI C-FIND was answered.

    Attributes
    ----------
    patient_id : str or None
        The Patient ID asked for (``None`` when the identifier was unreadable).
    template : int or None
        The requested root template (TID), if readable.
    status : StatusInfo
        The first response sent: Pending (a match), Success (no match),
        a Failure or Cancel.
    elapsed_ms : float
        Time spent in the handler before the answer went out.
    sop_class_uid : str
        The RPI SOP class queried.
    peer_ae : str
        Calling AE title of the peer.
    """

    patient_id: str | None
    template: int | None
    status: StatusInfo
    elapsed_ms: float
    sop_class_uid: str = ""
    peer_ae: str = ""

    @property
    def matched(self) -> bool:
        """True when a match (Pending) was sent."""
        return self.status.category is Category.PENDING


@dataclass(frozen=True, slots=True)
class InstanceStored:
    """A C-STORE instance is durably in the archive (success was sent)."""

    sop_instance_uid: str
    patient_id: str
    replaced: bool
    issuer: str | None = None
    sop_class_uid: str = ""


@dataclass(frozen=True, slots=True)
class HandlerError:
    """A handler failed; the peer got a failure status, the SCP keeps running."""

    message: str
    operation: str = ""


ScpEvent = (
    Started
    | Stopped
    | AssociationAccepted
    | AssociationRejected
    | AssociationReleased
    | AssociationAborted
    | QueryServed
    | InstanceStored
    | HandlerError
)
"""Everything ``ScpService`` reports through ``on_event``."""


def mask(value: str | None) -> str:
    """Hide a patient identifier for INFO logs: ``"PAT-12345"`` → ``"***45"``."""
    if not value:
        return "-"
    return f"***{value[-2:]}" if len(value) > 4 else "***"


def _peer(event: AssociationAccepted | AssociationReleased | AssociationAborted) -> str:
    return f"{event.peer_ae or '?'} at {event.host}:{event.port}"


def _describe_query(event: QueryServed, reveal: bool) -> str:
    patient = event.patient_id if reveal else mask(event.patient_id)
    template = f"TID {event.template}" if event.template is not None else "TID ?"
    return (
        f"query from {event.peer_ae or '?'}: patient {patient}, {template} -> "
        f"{event.status.describe()} ({event.elapsed_ms:.1f} ms)"
    )


def _describe_store(event: InstanceStored, reveal: bool) -> str:
    patient = event.patient_id if reveal else mask(event.patient_id)
    verb = "replaced" if event.replaced else "stored"
    return f"{verb} instance {event.sop_instance_uid} (patient {patient})"


def describe_event(event: ScpEvent, *, reveal: bool = False) -> str:
    """One log line for an event; patient IDs masked unless ``reveal``."""
    match event:
        case Started():
            tls = " (TLS)" if event.tls else ""
            return f"listening on {event.host}:{event.port} as {event.ae_title}{tls}"
        case Stopped():
            return "stopped"
        case AssociationAccepted():
            return f"association accepted from {_peer(event)}"
        case AssociationRejected():
            where = f"{event.peer_ae or '?'} at {event.host}:{event.port}"
            return f"association rejected from {where}: {event.reason}"
        case AssociationReleased():
            return f"association released by {_peer(event)}"
        case AssociationAborted():
            return f"association aborted with {_peer(event)}"
        case QueryServed():
            return _describe_query(event, reveal)
        case InstanceStored():
            return _describe_store(event, reveal)
        case HandlerError():
            prefix = f"{event.operation} " if event.operation else ""
            return f"{prefix}handler error: {event.message}"
