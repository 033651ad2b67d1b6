"""The answer on screen, and its conformance report (Qt-free helpers).

:class:`Answer` bundles what the export, print and history actions need. The
report comes from ``Done.report`` when the engine attaches one, otherwise from
:mod:`rpiq.core.conformance` directly (run on the worker thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rpiq.gui.workers import serial_imports

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

    from rpiq.core.query.events import Done, PatientSummary
    from rpiq.core.query.request import QueryRequest
    from rpiq.core.sr.model import ContentNode

__all__ = ["Answer", "ConformanceChecked", "answer_report", "identifier_report"]


@dataclass(frozen=True, slots=True)
class Answer:
    """A matched answer shown in the results view.

    Attributes
    ----------
    root, identifier, patient
        The content tree, the raw identifier and who it is about.
    request : QueryRequest or None
        What was asked (None if unknown).
    profile : str
        Name of the profile that answered.
    received : str
        When it was received, for the printed sheet (local time, ISO).
    status : str
        One line describing the final status.
    mismatches : tuple of str
        Identity mismatches (the red banner).
    """

    root: ContentNode
    identifier: Dataset
    patient: PatientSummary
    request: QueryRequest | None
    profile: str
    received: str
    status: str = ""
    mismatches: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConformanceChecked:
    """Event yielded after ``Done`` when the GUI ran the checker itself."""

    report: object


def answer_report(
    request: QueryRequest, done: Done, root: ContentNode | None
) -> object | None:
    """``done.report`` if present, else the checker's report (or None)."""
    existing: object | None = getattr(done, "report", None)
    if existing is not None:
        return existing
    try:
        with serial_imports():
            from rpiq.core.conformance import check_answer
    except ImportError:  # checker not installed in this build
        return None
    return check_answer(
        request.to_identifier(),
        done.responses,
        request.sop_class,
        request.tid,
        root=root,
    )


def identifier_report(identifier: Dataset, request: QueryRequest | None) -> object:
    """Report of a saved answer (reopened from the history)."""
    try:
        with serial_imports():
            from rpiq.core.conformance import check_identifier
    except ImportError:
        return None
    if request is None:
        return check_identifier(identifier)
    return check_identifier(
        identifier, request.to_identifier(), request.sop_class, request.tid
    )
