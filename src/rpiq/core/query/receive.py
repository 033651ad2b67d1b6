"""Receive the C-FIND responses of one RPI query within bounds (PS3.7 9.3.2.2).

pynetdicom's own response generator (``Association.send_c_find``) waits the
whole DIMSE timeout after the peer aborted or its DUL thread died, does not
check Message ID Being Responded To, reads Pendings for ever, and gives only an
empty status for every way of failing. This loop reads the responses itself,
on the query thread (:class:`~rpiq.core.net.direct.DirectLink`,
:class:`~rpiq.core.query.message.MessageReader`), and checks, for every
response:

- that it is a C-FIND-RSP answering our Message ID (PS3.7 9.3.2.2);
- that no more than :attr:`AnswerLimits.max_pending` Pendings arrive (PS3.4
  Q.4.2 allows one);
- the DIMSE timeout per response and an overall answer deadline;
- the message size limit, and the PDU limits of the association's
  :class:`~rpiq.core.net.guard.ReceiveGuard`;
- a cancel request: C-CANCEL-RQ goes out at once (PS3.7 9.3.2.3), and the
  answer is given up if the peer has not ended it within the token's grace.

Each way of failing raises :class:`AnswerLost` with a kind and a sentence that
names what the peer did.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from pydicom.dataset import Dataset
from pydicom.tag import Tag
from pynetdicom import _config
from pynetdicom.dsutils import decode

from rpiq.core.net.direct import LinkLost
from rpiq.core.net.guard import MAX_MESSAGE_BYTES, too_large_message
from rpiq.core.query.message import MessageReader
from rpiq.core.query.send import send_cancel
from rpiq.core.status import Category, category_of

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pydicom.uid import UID

    from rpiq.core.net.direct import DirectLink
    from rpiq.core.query.cancel import CancelToken
    from rpiq.core.query.message import Command

MAX_PENDING = 10
"""Pending responses accepted before the query is stopped (PS3.4 Q.4.2 allows 1).

A second Pending is reported as a problem and ignored; a peer that keeps
sending them without a final status is broken, and this bounds its cost."""

ANSWER_TIMEOUT_FACTOR = 2.0
"""The whole answer must arrive within this many DIMSE timeouts.

A conforming RPI answer is two messages (one Pending, one final status), each
allowed one DIMSE timeout; a peer sending Pendings slowly for ever is stopped
here rather than by the Pending count."""

C_FIND_RSP = 32800
"""Command Field of a C-FIND-RSP (8020H, PS3.7 Table E.1-1)."""

_LOG = logging.getLogger("pynetdicom.association")  # where send_c_find logged


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


@dataclass
class _Clock:
    """The two deadlines of an answer: per response and overall."""

    dimse_timeout: float | None
    answer_timeout: float | None
    started: float
    last: float
    bytes_at_last: int

    def check(self, now: float, received_bytes: int, pendings: int) -> None:
        """Raise :class:`AnswerLost` when a deadline has passed."""
        overall = self.answer_timeout
        if overall is not None and now - self.started >= overall:
            raise AnswerLost(
                "timeout",
                f"The peer did not finish its answer within {self.answer_timeout:g} "
                f"s ({pendings} Pending response(s) and no final status); the "
                "association was aborted.",
            )
        if self.dimse_timeout is None or now - self.last < self.dimse_timeout:
            return
        partial = received_bytes - self.bytes_at_last
        if partial > 0:
            raise AnswerLost(
                "timeout",
                f"The peer was still sending a response when the DIMSE timeout "
                f"({self.dimse_timeout:g} s) expired: {partial} bytes of it had "
                "arrived; the association was aborted.",
            )
        raise AnswerLost(
            "timeout",
            f"No answer within the DIMSE timeout ({self.dimse_timeout:g} s); "
            "the association was aborted.",
        )


@dataclass
class _Exchange:
    """One outstanding request: where to send a cancel, and whether we did."""

    link: DirectLink
    context_id: int
    msg_id: int
    max_pdu: int
    cancel: CancelToken
    cancel_deadline: float | None = None

    def check_cancel(self, now: float) -> None:
        """Send C-CANCEL once asked; give up when the grace has passed."""
        if self.cancel_deadline is None:
            if not self.cancel.cancelled:
                return
            self.cancel_deadline = now + self.cancel.grace_s
            # If it cannot be sent, the deadline below still ends the wait.
            with contextlib.suppress(LinkLost):
                send_cancel(self.link, self.context_id, self.msg_id, self.max_pdu, 1.0)
            return
        if now >= self.cancel_deadline:
            raise AnswerLost(
                "cancelled",
                "Query cancelled; the peer did not confirm in time, so the "
                "association was aborted.",
            )


def _checked(command: Command, msg_id: int) -> Command:
    if command.field != C_FIND_RSP:
        raise AnswerLost(
            "protocol",
            f"The peer sent a {command.name} instead of a C-FIND response "
            "(PS3.7 9.3.2.2); the association was aborted.",
        )
    if command.responding_to != msg_id:
        raise AnswerLost(
            "protocol",
            f"The peer sent a C-FIND response to message ID "
            f"{command.responding_to}, but our request had message ID "
            f"{msg_id} (PS3.7 9.3.2.2); the association was aborted.",
        )
    if command.status is None:
        raise AnswerLost(
            "protocol",
            "The peer sent a C-FIND response without a Status (PS3.7 9.3.2.2); "
            "the association was aborted.",
        )
    return command


def _status_dataset(command: Command) -> Dataset:
    """The status as pynetdicom's generator gives it: Status plus extras."""
    status = Dataset()
    status.Status = command.status
    if command.offending:
        status.OffendingElement = [Tag(tag) for tag in command.offending]
    if command.error_comment is not None:
        status.ErrorComment = command.error_comment
    return status


def _identifier(data: bytes | None, syntax: UID) -> Dataset | None:
    """Decode a Pending's identifier; ``None`` when it cannot be read."""
    if data is None:
        return None
    try:
        return decode(
            BytesIO(data),
            syntax.is_implicit_VR,
            syntax.is_little_endian,
            syntax.is_deflated,
        )
    except Exception:  # noqa: BLE001 — peer bytes: reported as unreadable
        return None


def _log_response(number: int, command: Command, identifier: Dataset | None) -> None:
    """Debug log of a response, as pynetdicom's ``send_c_find`` would log it."""
    if not _LOG.isEnabledFor(logging.DEBUG):
        return
    _LOG.debug("Find SCP Response: %d - 0x%08X", number, command.status or 0)
    if identifier is not None and _config.LOG_RESPONSE_IDENTIFIERS:
        _LOG.debug("Find Response Identifier:")
        for line in str(identifier).splitlines():
            _LOG.debug("%s", line)


def receive_answer(
    link: DirectLink,
    context_id: int,
    msg_id: int,
    syntax: UID,
    dimse_timeout: float | None,
    cancel: CancelToken,
    limits: AnswerLimits,
    max_pdu: int = 0,
) -> Iterator[tuple[Dataset, Dataset | None]]:
    """Yield ``(status, identifier)`` per response until the final one.

    Parameters
    ----------
    link : DirectLink
        The association's socket, held for the query thread.
    context_id : int
        The presentation context the C-FIND-RQ was sent on.
    msg_id : int
        Its Message ID, which every response must echo.
    syntax : UID
        Transfer syntax of its presentation context (decodes identifiers).
    dimse_timeout : float or None
        Seconds allowed for each response.
    cancel : CancelToken
        When it is cancelled, C-CANCEL-RQ is sent; after its grace, the answer
        is given up.
    limits : AnswerLimits
        Pending count, overall deadline, message size.
    max_pdu : int
        The peer's Maximum Length, for the C-CANCEL-RQ (0: no limit).

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
    now = time.monotonic()
    clock = _Clock(
        dimse_timeout,
        limits.answer_timeout(dimse_timeout),
        now,
        now,
        link.received_bytes,
    )
    exchange = _Exchange(link, context_id, msg_id, max_pdu, cancel)
    limit = limits.max_message_bytes
    reader = MessageReader(link, context_id, limit, too_large_message(limit))
    pendings = 0

    def poll() -> None:
        now = time.monotonic()
        exchange.check_cancel(now)
        clock.check(now, link.received_bytes, pendings)

    while True:
        try:
            command, data_set = reader.read(poll)
        except LinkLost as exc:
            raise AnswerLost(exc.kind, exc.message) from None
        clock.last = time.monotonic()
        clock.bytes_at_last = link.received_bytes
        _checked(command, msg_id)
        status = _status_dataset(command)
        if category_of(int(status.Status)) is not Category.PENDING:
            _log_response(pendings + 1, command, None)
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
        identifier = _identifier(data_set, syntax) if pendings == 1 else None
        _log_response(pendings, command, identifier)
        yield status, identifier
