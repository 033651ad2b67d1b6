"""The RPI C-FIND engine: a plain generator of :mod:`~rpiq.core.query.events`.

PS3.4 Q.4.2: at most one Pending (the match) then a final Success, or a Failure
or Cancel. The engine keeps the first Pending and reports any further one as a
problem, tolerates pynetdicom's Success-with-identifier, and maps every way of
not getting an answer to a distinct :class:`~rpiq.core.query.events.Failed`
whose message names what the peer did. Responses are read within
:class:`~rpiq.core.query.receive.AnswerLimits` (Pending count, per-response and
overall deadlines, message size), so a hostile peer ends the query in bounded
time and memory. The CLI iterates it directly; the GUI runs it on a superqt
worker.
"""

from __future__ import annotations

import functools
import logging
import time
from typing import TYPE_CHECKING, cast

from pydicom.uid import UID
from pynetdicom import _config
from pynetdicom.dsutils import encode, pretty_dataset

from rpiq.core.conformance import check_answer
from rpiq.core.errors import ConnectionFailed
from rpiq.core.net.connect import accepted_uids, open_association
from rpiq.core.net.direct import DirectLink, LinkLost
from rpiq.core.net.guard import abort_association
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
from rpiq.core.query.receive import AnswerLimits, AnswerLost, receive_answer
from rpiq.core.query.send import send_find
from rpiq.core.sr.parse import parse_content
from rpiq.core.status import Category, from_dataset
from rpiq.core.templates import RpiSopClass

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

    from pydicom.dataset import Dataset
    from pynetdicom.association import Association

    from rpiq.core.conformance.report import Report
    from rpiq.core.profiles import AEProfile
    from rpiq.core.query.request import QueryRequest
    from rpiq.core.sr.model import ContentNode

_MAX_MSG_ID = 65535
_LOG = logging.getLogger("pynetdicom.association")  # where send_c_find logged


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
    limits : AnswerLimits, optional
        Bounds on each answer (Pendings, deadlines, message size).
    """

    def __init__(
        self,
        profile: AEProfile,
        sop_classes: tuple[RpiSopClass, ...] = tuple(RpiSopClass),
        limits: AnswerLimits | None = None,
    ) -> None:
        self.profile = profile
        self._sop_classes = sop_classes
        self.limits = limits or AnswerLimits()
        self._assoc: Association | None = None
        self._link: DirectLink | None = None
        self._msg_id = 0

    def open(self) -> Associated:
        """Associate (raises :class:`ConnectionFailed`)."""
        start = time.perf_counter()
        self._assoc = open_association(
            self.profile,
            [sop.uid for sop in self._sop_classes],
            self.limits.max_message_bytes,
        )
        park_reactor(self._assoc)
        self._link = DirectLink.take(self._assoc)
        if self._link is None:
            self.close(abort=True)
            raise ConnectionFailed(
                "aborted",
                "The association was accepted but could not be used: its "
                "reader did not become free; it was aborted.",
            )
        peer = str(self._assoc.acceptor.ae_title).strip()
        return Associated(peer, _ms_since(start))

    def close(self, *, abort: bool = False) -> None:
        """Release the association (or abort it), whatever state it is in."""
        assoc, self._assoc = self._assoc, None
        link, self._link = self._link, None
        if assoc is None:
            return
        if link is not None:
            link.release()
        unpark_reactor(assoc)
        if not assoc.is_established:
            return
        if abort:
            abort_association(assoc)  # bounded even if the peer is mid-PDU
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
        assoc, link = self._assoc, self._link
        if (
            assoc is None
            or link is None
            or not is_usable(assoc)
            or not link.ensure_held()
        ):
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
            assoc,
            link,
            request,
            cancel or CancelToken(),
            self._msg_id,
            started,
            self.profile,
            self.limits,
        )


@functools.lru_cache(maxsize=64)
def _encoded_request(request: QueryRequest, syntax: UID) -> bytes:
    """The request identifier encoded in ``syntax`` (PS3.5 7).

    Cached: a request repeated (``--repeat``, a re-run in the GUI) is built
    and encoded once; requests are immutable.
    """
    encoded = encode(
        request.to_identifier(),
        syntax.is_implicit_VR,
        syntax.is_little_endian,
        syntax.is_deflated,
    )
    if encoded is None:
        raise ValueError("the request identifier cannot be encoded")
    return bytes(encoded)


def _send(
    assoc: Association,
    link: DirectLink,
    request: QueryRequest,
    msg_id: int,
    timeout: float | None,
) -> tuple[int, UID]:
    """Send the C-FIND-RQ (PS3.7 9.3.2.1); return its context ID and syntax.

    Written by the query thread (:func:`~rpiq.core.query.send.send_find`)
    rather than pynetdicom's ``send_c_find``, which would encode the
    identifier and the command set again and pass them through its DUL
    thread; :func:`receive_answer` reads the responses, within bounds.
    """
    uid = request.sop_class.uid
    context = assoc._get_valid_context(uid, "", "scu")
    syntax = UID(context.transfer_syntax[0])
    identifier = _encoded_request(request, syntax)
    if _config.LOG_REQUEST_IDENTIFIERS:  # debug logging on (net.tuning)
        _LOG.info("Find Request %d Identifier:", msg_id)
        for line in pretty_dataset(request.to_identifier()):
            _LOG.info("%s", line)
    context_id = cast("int", context.context_id)
    max_pdu = int(assoc.dimse.maximum_pdu_size or 0)
    send_find(link, context_id, msg_id, uid, identifier, max_pdu, timeout)
    return context_id, syntax


def _report(
    request: QueryRequest, answer: tuple[Response, ...], root: ContentNode | None
) -> Report:
    """The conformance report of one answer (run when it is first asked for)."""
    return check_answer(
        request.to_identifier(), answer, request.sop_class, request.tid, root=root
    )


def _find(
    assoc: Association,
    link: DirectLink,
    request: QueryRequest,
    cancel: CancelToken,
    msg_id: int,
    start: float,
    profile: AEProfile,
    limits: AnswerLimits,
) -> Iterator[QueryEvent]:
    responses: list[Response] = []
    problems: list[str] = []
    root: ContentNode | None = None
    try:
        context_id, syntax = _send(assoc, link, request, msg_id, profile.dimse_timeout)
    except (LinkLost, ValueError) as exc:  # association gone, or unencodable
        if isinstance(exc, LinkLost):
            _give_up(assoc, link)
        yield Failed(
            "aborted",
            f"The query could not be sent: {exc}",
            from_dataset(None),
            _ms_since(start),
        )
        return
    lost: AnswerLost | None = None
    max_pdu = int(assoc.dimse.maximum_pdu_size or 0)
    try:
        for status_ds, identifier in receive_answer(
            link,
            context_id,
            msg_id,
            syntax,
            profile.dimse_timeout,
            cancel,
            limits,
            max_pdu,
        ):
            info = from_dataset(status_ds)
            responses.append(Response(info, identifier))
            if info.category is Category.PENDING:
                match = _on_pending(identifier, responses, problems)
                if match is not None:
                    root = match.root
                    yield match
    except AnswerLost as exc:
        lost = exc
    if lost is not None:
        _give_up(assoc, link)
        yield Failed(lost.kind, lost.message, from_dataset(None), _ms_since(start))
        return
    elapsed = _ms_since(start)
    answer = tuple(responses)
    yield Done(
        answer[-1].status,
        elapsed,
        answer,
        tuple(problems),
        functools.partial(_report, request, answer, root),
    )


def _give_up(assoc: Association, link: DirectLink) -> None:
    """Abort after a lost answer: whatever the peer is doing, stop it.

    The DUL thread gets the socket back with its reads stopped (the stream may
    be in the middle of a PDU); the association cannot be reused.
    """
    link.release(stop_reading=True)
    abort_association(assoc)


def _on_pending(
    identifier: Dataset | None, responses: list[Response], problems: list[str]
) -> Match | None:
    pendings = sum(1 for r in responses if r.status.category is Category.PENDING)
    if pendings > 1:
        problems.append(
            f"The peer sent Pending response {pendings}; PS3.4 Q.4.2 allows at "
            "most one. The first match is shown, later ones are ignored."
        )
        return None
    if identifier is None:
        problems.append(f"Pending response {pendings} had no readable identifier.")
        return None
    try:
        root = parse_content(identifier)
    except Exception as exc:  # noqa: BLE001 — peer bytes must not crash the query
        problems.append(
            f"Pending response {pendings} had an identifier that cannot be read "
            f"({type(exc).__name__}: {exc})."
        )
        return None
    return Match(root, identifier, PatientSummary.from_identifier(identifier))


def run_query(
    profile: AEProfile,
    request: QueryRequest,
    cancel: CancelToken | None = None,
    limits: AnswerLimits | None = None,
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
    limits : AnswerLimits, optional
        Bounds on the answer; the defaults suit any conforming peer.

    Yields
    ------
    QueryEvent
        ``Connecting``, then ``Associated`` or ``Failed``; then at most one
        ``Match`` and finally ``Done`` or ``Failed``.
    """
    token = cancel or CancelToken()
    start = time.perf_counter()
    yield Connecting(profile.host, profile.port, profile.called_ae, profile.calling_ae)
    session = QuerySession(profile, (request.sop_class,), limits)
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
