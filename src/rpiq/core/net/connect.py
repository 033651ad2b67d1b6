"""Open an association and explain every way it can fail (PS3.8 7.1, 9.3.4).

pynetdicom reports a failed association only as a non-established
``Association``; the cause is in its log. We resolve the host ourselves (unknown
host), read the TCP error from the DUL thread's log record (refused, timed out,
unreachable) and the A-ASSOCIATE-RJ fields (rejected, with the peer's reason).
"""

from __future__ import annotations

import logging
import socket
import ssl
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pydicom.uid import UID

from rpiq.core.errors import ConnectionFailed
from rpiq.core.net.ae import client_tls_context, make_scu_ae
from rpiq.core.net.guard import MAX_MESSAGE_BYTES, guard_of
from rpiq.core.net.tuning import TUNING_HANDLERS

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from pynetdicom.association import Association

    from rpiq.core.profiles import AEProfile

_TRANSPORT_LOGGER = "pynetdicom.transport"
_TCP_ERROR_PREFIX = "TCP Initialisation Error: "


class _Capture(logging.Handler):
    """Collect pynetdicom transport errors while one association is requested."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _captured_transport_errors() -> Iterator[_Capture]:
    logger = logging.getLogger(_TRANSPORT_LOGGER)
    capture = _Capture()
    logger.addHandler(capture)
    try:
        yield capture
    finally:
        logger.removeHandler(capture)


def _where(profile: AEProfile) -> str:
    return f"{profile.called_ae} at {profile.host}:{profile.port}"


def _resolve(profile: AEProfile) -> None:
    try:
        socket.getaddrinfo(profile.host, profile.port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConnectionFailed(
            "unknown-host", f"Unknown host '{profile.host}': {exc.strerror}."
        ) from None


def _tcp_failure(
    profile: AEProfile, records: list[logging.LogRecord], dul_ident: int | None
) -> ConnectionFailed | None:
    for record in records:
        text = record.getMessage()
        if not text.startswith(_TCP_ERROR_PREFIX):
            continue
        if dul_ident is not None and record.thread != dul_ident:
            continue
        detail = text.removeprefix(_TCP_ERROR_PREFIX)
        return _classify_tcp(profile, detail)
    return None


def _classify_tcp(profile: AEProfile, detail: str) -> ConnectionFailed:
    lowered = detail.lower()
    if "refused" in lowered:
        return ConnectionFailed(
            "refused",
            f"Connection refused by {profile.host}:{profile.port}: no DICOM "
            "application is listening on that port.",
        )
    if "timed out" in lowered:
        return ConnectionFailed(
            "timeout",
            f"Timed out after {profile.connect_timeout:g} s connecting to "
            f"{profile.host}:{profile.port}.",
        )
    if "ssl" in lowered or "certificate" in lowered:
        return ConnectionFailed(
            "tls", f"TLS handshake with {_where(profile)} failed: {detail}"
        )
    return ConnectionFailed("network", f"Cannot reach {_where(profile)}: {detail}")


def _rejection(profile: AEProfile, assoc: Association) -> ConnectionFailed:
    primitive = assoc.acceptor.primitive
    if primitive is None or primitive.result is None:
        return ConnectionFailed(
            "rejected", f"{_where(profile)} rejected the association."
        )
    reason = primitive.reason_str
    result = primitive.result_str
    source = primitive.source_str
    hint = ""
    if "called ae" in reason.lower():
        hint = f" Check the called AE title ('{profile.called_ae}')."
    elif "calling ae" in reason.lower():
        hint = (
            f" The peer does not know our calling AE title "
            f"('{profile.calling_ae}'); ask its administrator to add it."
        )
    return ConnectionFailed(
        "rejected",
        f"{_where(profile)} rejected the association ({result}, {source}): "
        f"{reason}.{hint}",
    )


def _no_context(
    profile: AEProfile, assoc: Association, uids: list[str]
) -> ConnectionFailed | None:
    """Pynetdicom aborts an accepted association whose contexts were all refused."""
    primitive = assoc.acceptor.primitive
    if primitive is None or primitive.result != 0 or assoc.accepted_contexts:
        return None
    names = ", ".join(UID(uid).name for uid in uids)
    return ConnectionFailed(
        "rejected",
        f"{_where(profile)} accepted no presentation context: it does not support "
        f"{names}.",
    )


def _not_established(
    profile: AEProfile,
    assoc: Association,
    uids: list[str],
    records: list[logging.LogRecord],
    elapsed: float,
) -> ConnectionFailed:
    if assoc.is_rejected:
        return _rejection(profile, assoc)
    guard = guard_of(assoc)
    if guard is not None and guard.violation is not None:
        return ConnectionFailed(guard.violation.kind, guard.violation.message)
    no_context = _no_context(profile, assoc, uids)
    if no_context is not None:
        return no_context
    tcp = _tcp_failure(profile, records, assoc.dul.ident)
    if tcp is not None:
        return tcp
    if elapsed >= profile.acse_timeout * 0.95:
        return ConnectionFailed(
            "timeout",
            f"{_where(profile)} accepted the connection but did not answer the "
            f"association request within {profile.acse_timeout:g} s.",
        )
    return ConnectionFailed(
        "aborted",
        f"{_where(profile)} aborted the association request (is it a DICOM "
        "application? does it expect TLS?).",
    )


def open_association(
    profile: AEProfile,
    sop_class_uids: Iterable[str],
    max_message_bytes: int = MAX_MESSAGE_BYTES,
) -> Association:
    """Associate with the profile's peer, proposing ``sop_class_uids``.

    Parameters
    ----------
    profile : AEProfile
        The peer, our AE title, timeouts and maximum PDU size.
    sop_class_uids : iterable of str
        Abstract syntaxes to propose.
    max_message_bytes : int
        Largest DIMSE message accepted from the peer; the association's reads
        are bounded by a :class:`~rpiq.core.net.guard.ReceiveGuard`.

    Returns
    -------
    pynetdicom.association.Association
        An established association with TCP_NODELAY set.

    Raises
    ------
    ConnectionFailed
        With ``kind`` one of unknown-host, refused, timeout, rejected, aborted,
        tls or network and a message for the user.
    """
    _resolve(profile)
    uids = list(sop_class_uids)
    ae = make_scu_ae(profile, uids)
    tls_args = None
    if profile.tls is not None:
        try:
            tls_args = (client_tls_context(profile.tls), profile.host)
        except (OSError, ssl.SSLError) as exc:
            raise ConnectionFailed("tls", f"Cannot load the TLS files: {exc}") from None
    start = time.monotonic()
    with _captured_transport_errors() as capture:
        assoc = ae.associate(
            profile.host,
            profile.port,
            ae_title=profile.called_ae,
            max_pdu=profile.max_pdu,
            tls_args=tls_args,
            evt_handlers=TUNING_HANDLERS,
        )
    if not assoc.is_established:
        raise _not_established(
            profile, assoc, uids, capture.records, time.monotonic() - start
        )
    return assoc


def accepted_uids(assoc: Association) -> set[str]:
    """Abstract syntaxes the peer accepted on this association."""
    return {str(cx.abstract_syntax) for cx in assoc.accepted_contexts}
