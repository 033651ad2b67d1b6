"""The RPI C-FIND engine: a plain generator of :mod:`~rpiq.core.query.events`.

PS3.4 Q.4.2: at most one Pending (the match) then a final Success, or a Failure
or Cancel. The engine keeps the first Pending and reports any further one as a
problem, tolerates pynetdicom's Success-with-identifier, and maps every way of
not getting an answer to a distinct :class:`~rpiq.core.query.events.Failed`.
The CLI iterates it directly; the GUI runs it on a superqt worker.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rpiq.core.conformance import check_answer
from rpiq.core.errors import ConnectionFailed
from rpiq.core.net.connect import accepted_uids, open_association
from rpiq.core.net.reactor import is_usable, park_reactor, unpark_reactor
from rpiq.core.query.cancel import CancelToken
from rpiq.core.query.events import (
    Associated,
    Connecting,
    Done,
    Failed,
    Match,
    PatientSummary,
    QueryEvent,
    Response,
)
from rpiq.core.sr.parse import parse_content
from rpiq.core.status import Category, from_dataset
from rpiq.core.templates import RpiSopClass

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

    from pydicom.dataset import Dataset
    from pynetdicom.association import Association

    from rpiq.core.profiles import AEProfile
    from rpiq.core.query.request import QueryRequest
    from rpiq.core.sr.model import ContentNode

_MAX_MSG_ID = 65535


def _ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


class QuerySession:
    """One association used for one or more queries (``--keep-association``).

    Parameters
    ----------
    profile : AEProfile
        The peer to query.
    sop_classes : tuple of RpiSopClass
        SOP classes to propose (all three by default, so any request fits).
    """

    def __init__(
        self,
        profile: AEProfile,
        sop_classes: tuple[RpiSopClass, ...] = tuple(RpiSopClass),
    ) -> None:
        self.profile = profile
        self._sop_classes = sop_classes
        self._assoc: Association | None = None
        self._msg_id = 0

    def open(self) -> Associated:
        """Associate (raises :class:`ConnectionFailed`)."""
        start = time.perf_counter()
        self._assoc = open_association(
            self.profile, [sop.uid for sop in self._sop_classes]
        )
        park_reactor(self._assoc)
        peer = str(self._assoc.acceptor.ae_title).strip()
        return Associated(peer, _ms_since(start))

    def close(self, *, abort: bool = False) -> None:
        """Release the association (or abort it), whatever state it is in."""
        assoc, self._assoc = self._assoc, None
        if assoc is None:
            return
        unpark_reactor(assoc)
        if not assoc.is_established:
            return
        if abort:
            assoc.abort()
        else:
            assoc.release()

    def __enter__(self) -> QuerySession:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(abort=exc is not None)

    def query(
        self,
        request: QueryRequest,
        cancel: CancelToken | None = None,
        start: float | None = None,
    ) -> Iterator[QueryEvent]:
        """Send one C-FIND on the open association and yield Match/Done/Failed."""
        started = time.perf_counter() if start is None else start
        assoc = self._assoc
        if assoc is None or not is_usable(assoc):
            yield Failed(
                "aborted",
                "The association is no longer open.",
                elapsed_ms=_ms_since(started),
            )
            return
        uid = request.sop_class.uid
        if uid not in accepted_uids(assoc):
            yield Failed(
                "rejected",
                f"The peer does not accept the "
                f"{request.sop_class.label} RPI SOP class (no acceptable "
                "presentation context).",
                elapsed_ms=_ms_since(started),
            )
            return
        self._msg_id = self._msg_id % _MAX_MSG_ID + 1
        yield from _find(
            assoc, request, cancel or CancelToken(), self._msg_id, started, self.profile
        )


def _find(
    assoc: Association,
    request: QueryRequest,
    cancel: CancelToken,
    msg_id: int,
    start: float,
    profile: AEProfile,
) -> Iterator[QueryEvent]:
    uid = request.sop_class.uid
    responses: list[Response] = []
    problems: list[str] = []
    sent = request.to_identifier()
    root: ContentNode | None = None
    stream = assoc.send_c_find(sent, uid, msg_id=msg_id)
    cancel.attach(assoc, msg_id, uid)
    try:
        for status_ds, identifier in stream:
            info = from_dataset(status_ds)
            responses.append(Response(info, identifier))
            if info.category is Category.PENDING:
                match = _on_pending(identifier, responses, problems)
                if match is not None:
                    root = match.root
                    yield match
    finally:
        cancel.detach()
    final = responses[-1].status if responses else from_dataset(None)
    if final.category is Category.NO_RESPONSE:
        yield _lost(cancel, profile, start)
        return
    elapsed = _ms_since(start)
    report = check_answer(sent, responses, request.sop_class, request.tid, root=root)
    yield Done(final, elapsed, tuple(responses), tuple(problems), report)


def _on_pending(
    identifier: Dataset | None, responses: list[Response], problems: list[str]
) -> Match | None:
    pendings = sum(1 for r in responses if r.status.category is Category.PENDING)
    if identifier is None:
        problems.append(f"Pending response {pendings} had no readable identifier.")
        return None
    if pendings > 1:
        problems.append(
            f"The peer sent Pending response {pendings}; PS3.4 Q.4.2 allows at "
            "most one. The first match is shown, later ones are ignored."
        )
        return None
    return Match(
        parse_content(identifier),
        identifier,
        PatientSummary.from_identifier(identifier),
    )


def _lost(cancel: CancelToken, profile: AEProfile, start: float) -> Failed:
    elapsed = _ms_since(start)
    info = from_dataset(None)
    if cancel.cancelled:
        return Failed(
            "cancelled",
            "Query cancelled; the peer did not confirm in "
            "time, so the association was aborted.",
            info,
            elapsed,
        )
    if elapsed >= profile.dimse_timeout * 950.0:
        return Failed(
            "timeout",
            f"No answer within the DIMSE timeout "
            f"({profile.dimse_timeout:g} s); the association was "
            "aborted.",
            info,
            elapsed,
        )
    return Failed(
        "aborted",
        "The peer aborted the association or sent an invalid "
        "response before the query finished.",
        info,
        elapsed,
    )


def run_query(
    profile: AEProfile, request: QueryRequest, cancel: CancelToken | None = None
) -> Iterator[QueryEvent]:
    """Associate, query once, release: yield Connecting, Associated, Match, Done.

    Parameters
    ----------
    profile : AEProfile
        The peer.
    request : QueryRequest
        Validated keys, SOP class and template.
    cancel : CancelToken, optional
        Lets another thread cancel (C-CANCEL, then abort after 2 s).

    Yields
    ------
    QueryEvent
        ``Connecting``, then ``Associated`` or ``Failed``; then at most one
        ``Match`` and finally ``Done`` or ``Failed``.
    """
    token = cancel or CancelToken()
    start = time.perf_counter()
    yield Connecting(profile.host, profile.port, profile.called_ae, profile.calling_ae)
    session = QuerySession(profile, (request.sop_class,))
    try:
        yield session.open()
    except ConnectionFailed as exc:
        yield Failed(exc.kind, str(exc), elapsed_ms=_ms_since(start))
        return
    try:
        if token.cancelled:
            yield Failed(
                "cancelled",
                "Query cancelled before it was sent.",
                elapsed_ms=_ms_since(start),
            )
            return
        yield from session.query(request, token, start)
    finally:
        session.close(abort=token.cancelled)
