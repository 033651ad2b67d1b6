"""Receive the C-FIND responses of one RPI query within bounds (PS3.7 9.3.2.2).

pynetdicom's own response generator (``Association.send_c_find``) waits the
whole DIMSE timeout after the peer aborted or its DUL thread died, does not
check Message ID Being Responded To, reads Pendings for ever, and gives only an
empty status for every way of failing. This loop reads the same DIMSE queue
and checks, for every response:

- that it is a C-FIND-RSP answering our Message ID (PS3.7 9.3.2.2);
- that no more than :attr:`AnswerLimits.max_pending` Pendings arrive (PS3.4
  Q.4.2 allows one);
- the DIMSE timeout per response and an overall answer deadline;
- between polls, whether the peer aborted, the connection dropped, or the
  association's :class:`~rpiq.core.net.guard.ReceiveGuard` refused something.

Each way of failing raises :class:`AnswerLost` with a kind and a sentence that
names what the peer did.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydicom.dataset import Dataset
from pynetdicom.dimse_primitives import C_FIND
from pynetdicom.dsutils import decode
from pynetdicom.pdu_primitives import A_ABORT, A_P_ABORT

from rpiq.core.net.guard import MAX_MESSAGE_BYTES, guard_of
from rpiq.core.net.reactor import is_usable
from rpiq.core.status import Category, category_of

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pydicom.uid import UID
    from pynetdicom.association import Association

    from rpiq.core.query.cancel import CancelToken

MAX_PENDING = 10
"""Pending responses accepted before the query is stopped (PS3.4 Q.4.2 allows 1).

A second Pending is reported as a problem and ignored; a peer that keeps
sending them without a final status is broken, and this bounds its cost."""

ANSWER_TIMEOUT_FACTOR = 2.0
"""The whole answer must arrive within this many DIMSE timeouts.

A conforming RPI answer is two messages (one Pending, one final status), each
allowed one DIMSE timeout; a peer sending Pendings slowly for ever is stopped
here rather than by the Pending count."""

_POLL_S = 0.05


@dataclass(frozen=True, slots=True)
class AnswerLimits:
    """Bounds on one RPI answer.

    Attributes
    ----------
    max_pending : int
        Pending responses accepted before the query is stopped.
    max_message_bytes : int
        Largest response message (command and identifier) read from the peer.
    answer_timeout_s : float or None
        Seconds from the request to the final response; ``None`` means
        :data:`ANSWER_TIMEOUT_FACTOR` times the profile's DIMSE timeout.
    """

    max_pending: int = MAX_PENDING
    max_message_bytes: int = MAX_MESSAGE_BYTES
    answer_timeout_s: float | None = None

    def answer_timeout(self, dimse_timeout: float | None) -> float | None:
        """The overall deadline for a profile's DIMSE timeout."""
        if self.answer_timeout_s is not None:
            return self.answer_timeout_s
        if dimse_timeout is None:
            return None
        return ANSWER_TIMEOUT_FACTOR * dimse_timeout


class AnswerLost(Exception):
    """The answer cannot be completed; the association must be aborted.

    Parameters
    ----------
    kind : str
        ``timeout``, ``aborted``, ``protocol``, ``too-large`` or ``cancelled``.
    message : str
        What the peer did (or did not do), for the user.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _message_name(msg: object) -> str:
    """``C-STORE request`` / ``C-ECHO response`` for a DIMSE primitive."""
    name = type(msg).__name__.replace("_", "-")
    responding = getattr(msg, "MessageIDBeingRespondedTo", None) is not None
    return f"{name} {'response' if responding else 'request'}"


def _why_lost(assoc: Association, cancel: CancelToken) -> AnswerLost | None:
    """Why no more responses can come, or ``None`` while they still can."""
    if cancel.cancelled and not is_usable(assoc):
        return AnswerLost(
            "cancelled",
            "Query cancelled; the peer did not confirm in time, so the "
            "association was aborted.",
        )
    guard = guard_of(assoc)
    if guard is not None and guard.violation is not None:
        return AnswerLost(guard.violation.kind, guard.violation.message)
    # Typed loosely: pynetdicom's alias for this union does not resolve in mypy.
    primitive: object = assoc.dul.peek_next_pdu()
    if isinstance(primitive, A_ABORT):
        return AnswerLost(
            "aborted",
            "The peer aborted the association (A-ABORT) before its final response.",
        )
    if isinstance(primitive, A_P_ABORT):
        if primitive.provider_reason:
            return AnswerLost(
                "protocol",
                "The peer sent a PDU that cannot be decoded or is not valid at "
                "this point of the association (PS3.8 9.2, 9.3), so the "
                "association was aborted.",
            )
        return AnswerLost(
            "aborted",
            "The peer closed or reset the connection before its final response.",
        )
    if not assoc.dul.is_alive() or not assoc.is_established:
        return AnswerLost(
            "aborted",
            "The association ended unexpectedly before the peer's final response.",
        )
    return None


@dataclass
class _Clock:
    """The two deadlines of an answer: per response and overall."""

    dimse_timeout: float | None
    answer_timeout: float | None
    started: float
    last: float
    bytes_at_last: int

    def wait(self) -> float:
        """Seconds to wait now; 0 when a deadline has passed."""
        now = time.monotonic()
        wait = _POLL_S
        for limit, since in (
            (self.dimse_timeout, self.last),
            (self.answer_timeout, self.started),
        ):
            if limit is not None:
                wait = min(wait, limit - (now - since))
        return max(wait, 0.0)


def _timed_out(clock: _Clock, received_bytes: int, pendings: int) -> AnswerLost:
    now = time.monotonic()
    if clock.answer_timeout is not None and now - clock.started >= clock.answer_timeout:
        return AnswerLost(
            "timeout",
            f"The peer did not finish its answer within {clock.answer_timeout:g} s "
            f"({pendings} Pending response(s) and no final status); the "
            "association was aborted.",
        )
    partial = received_bytes - clock.bytes_at_last
    if partial > 0:
        return AnswerLost(
            "timeout",
            f"The peer was still sending a response when the DIMSE timeout "
            f"({clock.dimse_timeout:g} s) expired: {partial} bytes of it had "
            "arrived; the association was aborted.",
        )
    return AnswerLost(
        "timeout",
        f"No answer within the DIMSE timeout ({clock.dimse_timeout:g} s); "
        "the association was aborted.",
    )


def _next_response(
    assoc: Association, cancel: CancelToken, clock: _Clock, pendings: int
) -> object:
    """The next DIMSE message from the peer, or raise :class:`AnswerLost`."""
    guard = guard_of(assoc)
    while True:
        wait = clock.wait()
        received = guard.received_bytes if guard is not None else 0
        if wait <= 0:
            raise _timed_out(clock, received, pendings)
        try:
            _, msg = assoc.dimse.msg_queue.get(timeout=wait)
        except queue.Empty:
            msg = None
        if msg is not None:
            clock.last = time.monotonic()
            clock.bytes_at_last = guard.received_bytes if guard is not None else 0
            return msg
        lost = _why_lost(assoc, cancel)
        if lost is not None:
            raise lost


def _checked(msg: object, msg_id: int) -> C_FIND:
    if not isinstance(msg, C_FIND) or msg.MessageIDBeingRespondedTo is None:
        raise AnswerLost(
            "protocol",
            f"The peer sent a {_message_name(msg)} instead of a C-FIND response "
            "(PS3.7 9.3.2.2); the association was aborted.",
        )
    if msg.MessageIDBeingRespondedTo != msg_id:
        raise AnswerLost(
            "protocol",
            f"The peer sent a C-FIND response to message ID "
            f"{msg.MessageIDBeingRespondedTo}, but our request had message ID "
            f"{msg_id} (PS3.7 9.3.2.2); the association was aborted.",
        )
    if msg.Status is None:
        raise AnswerLost(
            "protocol",
            "The peer sent a C-FIND response without a Status (PS3.7 9.3.2.2); "
            "the association was aborted.",
        )
    return msg


def _status_dataset(rsp: C_FIND) -> Dataset:
    """The status as pynetdicom's generator gives it: Status plus extras."""
    status = Dataset()
    status.Status = rsp.Status
    for keyword in rsp.STATUS_OPTIONAL_KEYWORDS:
        value = getattr(rsp, keyword)
        if value is not None:
            setattr(status, keyword, value)
    return status


def _identifier(rsp: C_FIND, syntax: UID) -> Dataset | None:
    """Decode a Pending's identifier; ``None`` when it cannot be read."""
    if rsp.Identifier is None:
        return None
    try:
        return decode(
            rsp.Identifier,
            syntax.is_implicit_VR,
            syntax.is_little_endian,
            syntax.is_deflated,
        )
    except Exception:  # noqa: BLE001 — peer bytes: reported as unreadable
        return None


def receive_answer(
    assoc: Association,
    msg_id: int,
    syntax: UID,
    dimse_timeout: float | None,
    cancel: CancelToken,
    limits: AnswerLimits,
) -> Iterator[tuple[Dataset, Dataset | None]]:
    """Yield ``(status, identifier)`` per response until the final one.

    Parameters
    ----------
    assoc : Association
        The association the C-FIND-RQ was sent on (reactor parked).
    msg_id : int
        Its Message ID, which every response must echo.
    syntax : UID
        Transfer syntax of its presentation context (decodes identifiers).
    dimse_timeout : float or None
        Seconds allowed for each response.
    cancel : CancelToken
        Tells a cancel-abort apart from a lost peer.
    limits : AnswerLimits
        Pending count and overall deadline.

    Yields
    ------
    tuple of (Dataset, Dataset or None)
        The status (Status, Error Comment, Offending Element) and, for the
        first Pending only, its decoded identifier (``None`` if unreadable);
        later Pendings carry ``None``, so a broken peer cannot make us keep
        many large identifiers.

    Raises
    ------
    AnswerLost
        When the answer cannot be completed; the caller aborts the association.
    """
    guard = guard_of(assoc)
    now = time.monotonic()
    clock = _Clock(
        dimse_timeout,
        limits.answer_timeout(dimse_timeout),
        now,
        now,
        guard.received_bytes if guard is not None else 0,
    )
    pendings = 0
    while True:
        rsp = _checked(_next_response(assoc, cancel, clock, pendings), msg_id)
        status = _status_dataset(rsp)
        if category_of(int(status.Status)) is not Category.PENDING:
            yield status, None
            return
        pendings += 1
        if pendings > limits.max_pending:
            raise AnswerLost(
                "protocol",
                f"The peer sent {pendings} Pending responses without a final "
                f"status; PS3.4 Q.4.2 allows at most one, so the query was "
                f"stopped after {limits.max_pending} and the association aborted.",
            )
        yield status, _identifier(rsp, syntax) if pendings == 1 else None
