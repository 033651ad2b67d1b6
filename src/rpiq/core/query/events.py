"""Typed events of one query, yielded by :func:`rpiq.core.query.engine.run_query`.

Frozen dataclasses, so the GUI can pass them across threads through a
``Signal(object)`` and the CLI can render them; no Qt, no callbacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rpiq.core.sr.charset import escaped_person_name

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydicom.dataset import Dataset

    from rpiq.core.conformance.report import Report
    from rpiq.core.sr.model import ContentNode
    from rpiq.core.status import StatusInfo


@dataclass(frozen=True, slots=True)
class Connecting:
    """The engine is opening a TCP connection and requesting an association."""

    host: str
    port: int
    called_ae: str
    calling_ae: str


@dataclass(frozen=True, slots=True)
class Associated:
    """The peer accepted the association."""

    peer_ae: str
    elapsed_ms: float


@dataclass(frozen=True, slots=True)
class PatientSummary:
    """Identity of the matched patient, as the peer returned it (Table Q.4-1)."""

    patient_id: str | None
    issuer: str | None
    name: str | None
    birth_date: str | None
    sex: str | None

    @classmethod
    def from_identifier(cls, ds: Dataset) -> PatientSummary:
        """Read the patient keys of a response identifier (absent → ``None``)."""

        def text(keyword: str) -> str | None:
            try:
                value = escaped_person_name(ds, keyword)
                if value is None:
                    value = ds.get(keyword)
            except Exception:  # noqa: BLE001 — malformed value: show as unknown
                return None
            if isinstance(value, list):
                return "\\".join(value)
            return None if value is None else str(value)

        return cls(
            text("PatientID"),
            text("IssuerOfPatientID"),
            text("PatientName"),
            text("PatientBirthDate"),
            text("PatientSex"),
        )


@dataclass(frozen=True, slots=True)
class Match:
    """The Pending response: the patient's relevant information.

    Attributes
    ----------
    root : ContentNode
        The parsed content tree (root = identifier top level).
    identifier : Dataset
        The raw identifier, for the dump view, export and the conformance check.
    patient : PatientSummary
        Who the peer says this is.
    """

    root: ContentNode
    identifier: Dataset
    patient: PatientSummary


@dataclass(frozen=True, slots=True)
class Response:
    """One C-FIND response as received: its status and identifier (if any)."""

    status: StatusInfo
    identifier: Dataset | None


@dataclass(frozen=True, slots=True)
class Done:
    """The peer sent its final status.

    Attributes
    ----------
    status : StatusInfo
        The final status (Success, Failure or Cancel).
    elapsed_ms : float
        From the start of the query (including association when new).
    responses : tuple of Response
        Every response in order, for the conformance checker.
    problems : tuple of str
        Deviations from Annex Q noticed while receiving (e.g. a second Pending).
    check : callable or None
        Computes the conformance report; run by :attr:`report` on first use.
    """

    status: StatusInfo
    elapsed_ms: float
    responses: tuple[Response, ...] = ()
    problems: tuple[str, ...] = field(default=())
    check: Callable[[], Report] | None = field(default=None, repr=False, compare=False)
    _report: list[Report] = field(
        default_factory=list, init=False, repr=False, compare=False
    )

    @property
    def report(self) -> Report | None:
        """The conformance report of the answer (:mod:`rpiq.core.conformance`).

        Computed on first use, on the thread that asks, then kept: the query
        is over once the final status is in (``elapsed_ms`` stops there), and
        a caller that never shows the report (``--repeat`` timing, scripted
        queries) does not pay ~1 ms per 20 content items for it.
        """
        if not self._report and self.check is not None:
            self._report.append(self.check())
        return self._report[0] if self._report else None

    @property
    def matched(self) -> bool:
        """True when at least one Pending with an identifier arrived."""
        return any(r.identifier is not None for r in self.responses)


@dataclass(frozen=True, slots=True)
class Failed:
    """No answer: no association, the association was lost, or cancelled.

    Attributes
    ----------
    kind : str
        refused, unknown-host, rejected, aborted, timeout, tls, network,
        cancelled, invalid, protocol (the peer broke PS3.7/PS3.8/PS3.4 Q: wrong
        message, wrong Message ID, undecodable PDU, endless Pendings) or
        too-large (a response over the message size limit).
    message : str
        What happened, for the user.
    status : StatusInfo or None
        The "no response" status when the association was lost mid-query.
    elapsed_ms : float
        Time spent before failing.
    """

    kind: str
    message: str
    status: StatusInfo | None = None
    elapsed_ms: float = 0.0


QueryEvent = Connecting | Associated | Match | Done | Failed
