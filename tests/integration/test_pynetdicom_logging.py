"""pynetdicom's per-message log lines: shown at debug (``-vv``), not built otherwise."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from rpiq.core.net.echo import verify

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from rpiq.core.profiles import AEProfile

pytestmark = pytest.mark.network

#: Written by pynetdicom's standard DIMSE handlers, not by its association code.
ECHO_DETAIL = "Received Echo Response"


@pytest.fixture
def echo_logged(
    fake_profile: AEProfile, caplog: pytest.LogCaptureFixture
) -> Iterator[Callable[[int], str]]:
    """``echo_logged(level)``: pynetdicom's log text of one C-ECHO at ``level``."""
    logger = logging.getLogger("pynetdicom")
    saved = logger.level

    def run(level: int) -> str:
        caplog.clear()
        logger.setLevel(level)
        with caplog.at_level(level, logger="pynetdicom"):
            assert verify(fake_profile).status.code == 0
        return " ".join(
            r.getMessage() for r in caplog.records if r.name.startswith("pynetdicom")
        )

    yield run
    logger.setLevel(saved)


def test_debug_logging_shows_every_dimse_message(
    echo_logged: Callable[[int], str],
) -> None:
    assert ECHO_DETAIL in echo_logged(logging.DEBUG)


def test_info_logging_keeps_association_lines_without_message_detail(
    echo_logged: Callable[[int], str],
) -> None:
    """The log file's INFO level: associations logged, no per-message detail."""
    messages = echo_logged(logging.INFO)
    assert "Association Accepted" in messages
    assert ECHO_DETAIL not in messages
