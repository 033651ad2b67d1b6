"""pynetdicom's per-message log lines: shown at debug (``-vv``), not built otherwise."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from rpiq.core.net.echo import verify

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rpiq.core.profiles import AEProfile

pytestmark = pytest.mark.network

#: Written by pynetdicom's standard DIMSE handlers, not by its association code.
ECHO_DETAIL = "Received Echo Response"


@pytest.fixture
def pynetdicom_level() -> Iterator[logging.Logger]:
    logger = logging.getLogger("pynetdicom")
    level = logger.level
    yield logger
    logger.setLevel(level)


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("pynetdicom")]


def test_debug_logging_shows_every_dimse_message(
    fake_profile: AEProfile,
    pynetdicom_level: logging.Logger,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pynetdicom_level.setLevel(logging.DEBUG)
    with caplog.at_level(logging.DEBUG, logger="pynetdicom"):
        assert verify(fake_profile).status.code == 0
    assert ECHO_DETAIL in " ".join(_messages(caplog))


def test_info_logging_keeps_association_lines_without_message_detail(
    fake_profile: AEProfile,
    pynetdicom_level: logging.Logger,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The log file's INFO level: associations logged, no per-message detail."""
    pynetdicom_level.setLevel(logging.INFO)
    with caplog.at_level(logging.INFO, logger="pynetdicom"):
        assert verify(fake_profile).status.code == 0
    messages = " ".join(_messages(caplog))
    assert "Association Accepted" in messages
    assert ECHO_DETAIL not in messages
