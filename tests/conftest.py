"""Shared fixtures: isolated app dirs, offscreen Qt, loopback peers."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

# Must be set before any QApplication exists; this machine kind has no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def rpiq_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every app dir at a temporary folder: tests never touch real user dirs."""
    home = tmp_path / "rpiq-home"
    monkeypatch.setenv("RPIQ_HOME", str(home))
    return home
