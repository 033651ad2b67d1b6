"""Regenerate the README screenshots (``make screenshots``).

Runs offscreen unless ``QT_QPA_PLATFORM`` says otherwise and writes
``docs/screenshots/main-window.png``: the workstation in demo mode after the
default query.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Write every screenshot; return the exit code."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from rpiq.gui.screenshot import save_main_window_screenshot

    target = HERE / "main-window.png"
    save_main_window_screenshot(target)
    sys.stdout.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
