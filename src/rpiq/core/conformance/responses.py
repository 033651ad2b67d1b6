"""What the checker needs of a C-FIND response, as a structural type.

:class:`rpiq.core.query.events.Response` satisfies :class:`ResponseLike`; the
conformance package may not import the query package (it sits below it), and
the CLI and the tests build responses of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from rpiq.core.status import Category, RpiqStatus, describe

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pydicom.dataset import Dataset

    from rpiq.core.status import StatusInfo


class ResponseLike(Protocol):
    """One C-FIND response: its status and its identifier (if any)."""

    @property
    def status(self) -> StatusInfo:
        """The response status."""

    @property
    def identifier(self) -> Dataset | None:
        """The identifier data set, ``None`` when the response carried none."""


@dataclass(frozen=True, slots=True)
class SimpleResponse:
    """A response built by hand (CLI ``rpiq check``, tests)."""

    status: StatusInfo
    identifier: Dataset | None = None


def pending(identifier: Dataset | None) -> SimpleResponse:
    """A Pending (FF00) response carrying ``identifier``."""
    return SimpleResponse(describe(RpiqStatus.PENDING), identifier)


def success() -> SimpleResponse:
    """A final Success (0000) response without identifier."""
    return SimpleResponse(describe(RpiqStatus.SUCCESS), None)


def first_pending(responses: Sequence[ResponseLike]) -> ResponseLike | None:
    """The first Pending response (the match the engine shows), if any."""
    for response in responses:
        if response.status.category is Category.PENDING:
            return response
    return None
