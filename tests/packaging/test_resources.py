"""Installer resources: icons at every size, a valid desktop entry and metainfo.

These need no bundle and run in ``make test``. The validators come from
Debian (desktop-file-utils, appstream); without them those checks skip.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import rpiq

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"
LINUX = ROOT / "resources" / "linux"
APP_ID = "invalid.rpiq.Workstation"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data.startswith(PNG_MAGIC)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_png_icons_exist_at_every_hicolor_size() -> None:
    for size in PNG_SIZES:
        data = (ICONS / "png" / f"rpiq-{size}.png").read_bytes()
        assert png_size(data) == (size, size)


def test_ico_holds_windows_sizes_up_to_256() -> None:
    data = (ICONS / "rpiq.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = set()
    for index in range(count):
        entry = data[6 + 16 * index : 22 + 16 * index]
        _, _, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", entry)
        width, height = png_size(data[offset : offset + length])
        assert width == height
        sizes.add(width)
    assert {16, 32, 48, 256} <= sizes


def test_icns_holds_retina_sizes_up_to_1024() -> None:
    data = (ICONS / "rpiq.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    sizes = {}
    offset = 8
    while offset < len(data):
        kind = data[offset : offset + 4].decode()
        length = struct.unpack(">I", data[offset + 4 : offset + 8])[0]
        sizes[kind] = png_size(data[offset + 8 : offset + length])[0]
        offset += length
    assert sizes["ic10"] == 1024
    assert sizes["ic07"] == 128
    assert sizes["icp4"] == 16


def test_in_app_icon_is_the_installer_icon() -> None:
    # The window/About icon (package data) and the installers' must not drift.
    svg = (ICONS / "rpiq.svg").read_bytes()
    assert (ROOT / "src" / "rpiq" / "gui" / "assets" / "rpiq.svg").read_bytes() == svg


def test_desktop_entry_launches_the_gui_with_our_icon() -> None:
    text = (LINUX / f"{APP_ID}.desktop").read_text()
    assert re.search(r"^Exec=rpiq-gui$", text, re.MULTILINE)
    assert re.search(rf"^Icon={re.escape(APP_ID)}$", text, re.MULTILINE)
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate (desktop-file-utils) not installed")
    done = subprocess.run(
        ["desktop-file-validate", str(LINUX / f"{APP_ID}.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in done.stdout.lower()


def test_metainfo_names_the_current_release_and_validates() -> None:
    path = LINUX / f"{APP_ID}.metainfo.xml"
    component = ET.parse(path).getroot()
    assert component.findtext("id") == APP_ID
    releases = component.findall("releases/release")
    assert releases, "no <release>"
    # Newest first: bumping rpiq.__version__ needs a release entry here too.
    assert releases[0].get("version") == rpiq.__version__
    if shutil.which("appstreamcli") is None:
        pytest.skip("appstreamcli (appstream) not installed")
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
