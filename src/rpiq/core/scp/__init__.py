"""The embedded RPI SCP: C-ECHO, C-STORE and RPI C-FIND (PS3.4 Annexes A, B, Q).

``ScpService(settings, archive, on_event)`` serves the local archive to any
RPI SCU; ``ScpSettings`` holds the listening address, accepted peers, TLS and
fault injection; the events in :mod:`rpiq.core.scp.events` report what
happened, on pynetdicom's association threads.
"""

from rpiq.core.scp.events import (
    AssociationAborted,
    AssociationAccepted,
    AssociationRejected,
    AssociationReleased,
    HandlerError,
    InstanceStored,
    QueryServed,
    ScpEvent,
    Started,
    Stopped,
    describe_event,
    mask,
)
from rpiq.core.scp.interfaces import QueryAnswer, ScpArchive, StoredInstance
from rpiq.core.scp.service import ScpError, ScpService
from rpiq.core.scp.settings import FaultInjection, ScpSettings, ScpTlsSettings

__all__ = [
    "AssociationAborted",
    "AssociationAccepted",
    "AssociationRejected",
    "AssociationReleased",
    "FaultInjection",
    "HandlerError",
    "InstanceStored",
    "QueryAnswer",
    "QueryServed",
    "ScpArchive",
    "ScpError",
    "ScpEvent",
    "ScpService",
    "ScpSettings",
    "ScpTlsSettings",
    "Started",
    "Stopped",
    "StoredInstance",
    "describe_event",
    "mask",
]
