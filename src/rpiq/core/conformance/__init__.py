"""Conformance checker for Relevant Patient Information answers.

:func:`check_answer` checks the responses of one RPI C-FIND against PS3.4
Annex Q (status sequence, patient identity, identifier contents) and against
the rows of the requested PS3.16 template (read from
:mod:`rpiq.core.templates`); :func:`check_identifier` does the same for one
saved identifier. Both return a :class:`Report` of :class:`Finding` objects.
Every rule id is documented in ``docs/conformance-checker.md``.
"""

from __future__ import annotations

from rpiq.core.conformance.check import (
    check_answer,
    check_identifier,
    resolve_template,
)
from rpiq.core.conformance.report import (
    EXIT_CLEAN,
    EXIT_FAILURES,
    EXIT_WARNINGS,
    Finding,
    Level,
    Report,
)
from rpiq.core.conformance.responses import (
    ResponseLike,
    SimpleResponse,
    pending,
    success,
)

__all__ = [
    "EXIT_CLEAN",
    "EXIT_FAILURES",
    "EXIT_WARNINGS",
    "Finding",
    "Level",
    "Report",
    "ResponseLike",
    "SimpleResponse",
    "check_answer",
    "check_identifier",
    "pending",
    "resolve_template",
    "success",
]
