"""Layering rules that a user never sees but every later change relies on."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def test_core_and_cli_load_no_qt() -> None:
    code = (
        "import sys, rpiq.core, rpiq.cli\n"
        "import rpiq.core.query.engine, rpiq.core.sr.parse, rpiq.core.templates\n"
        "bad = [m for m in ('PySide6', 'shiboken6', 'superqt') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_no_status_hex_literals_outside_status_module() -> None:
    pattern = re.compile(r"0x[0-9A-Fa-f]{4}\b")
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "status.py" and path.parent.name == "core":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert offenders == []
