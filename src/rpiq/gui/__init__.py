"""Qt GUI of RPIQ Workstation (PySide6); imported only by ``rpiq gui``/``rpiq-gui``.

This module stays import-light: it does not import Qt, so a missing PySide6
can be reported in one friendly sentence instead of a traceback.
"""

from __future__ import annotations

import importlib.util

__all__ = ["qt_missing_message"]

_NEEDED = ("PySide6", "superqt")


def qt_missing_message() -> str | None:
    """Why the GUI cannot start (a missing package), or None if it can."""
    missing = [name for name in _NEEDED if importlib.util.find_spec(name) is None]
    if not missing:
        return None
    return (
        f"The RPIQ Workstation GUI needs {' and '.join(missing)}, which "
        "is not installed. Install it with: pip install 'PySide6-Essentials' "
        "superqt — or use the command line: rpiq --help"
    )
