"""Verification (C-ECHO, PS3.4 Annex A) and the RPI capability probe.

The probe proposes the three RPI SOP classes and Verification on one
association and reports, for each, whether the peer accepted its presentation
context (PS3.8 9.3.3.2) — what a clinical engineer wants to know first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rpiq.core.errors import ConnectionFailed
from rpiq.core.net.ae import verification_uid
from rpiq.core.net.connect import accepted_uids, open_association
from rpiq.core.status import StatusInfo, from_dataset
from rpiq.core.templates import RpiSopClass

if TYPE_CHECKING:
    from rpiq.core.profiles import AEProfile


@dataclass(frozen=True, slots=True)
class EchoResult:
    """Outcome of one C-ECHO: the status and the round-trip time."""

    status: StatusInfo
    elapsed_ms: float


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """Which SOP classes the peer accepted on one association.

    Attributes
    ----------
    accepted : dict
        ``{label: bool}`` for "Verification" and each RPI SOP class label.
    peer_ae : str
        The AE title the peer answered with.
    """

    accepted: dict[str, bool]
    peer_ae: str


def verify(profile: AEProfile) -> EchoResult:
    """Send one C-ECHO to the profile's peer.

    Raises
    ------
    ConnectionFailed
        When no association is established or the peer does not accept
        Verification.
    """
    start = time.perf_counter()
    assoc = open_association(profile, [verification_uid()])
    try:
        if verification_uid() not in accepted_uids(assoc):
            raise ConnectionFailed(
                "rejected", "The peer does not accept the Verification SOP class."
            )
        status = from_dataset(assoc.send_c_echo())
    finally:
        if assoc.is_established:
            assoc.release()
    return EchoResult(status, (time.perf_counter() - start) * 1000.0)


def probe(profile: AEProfile) -> ProbeResult:
    """Propose Verification and the three RPI SOP classes; report acceptance."""
    wanted = {"Verification": verification_uid()}
    wanted.update({sop.label: sop.uid for sop in RpiSopClass})
    assoc = open_association(profile, wanted.values())
    try:
        accepted = accepted_uids(assoc)
        peer = str(assoc.acceptor.ae_title).strip()
    finally:
        assoc.release()
    return ProbeResult({label: uid in accepted for label, uid in wanted.items()}, peer)
