"""Qt-free core of RPIQ Workstation: DICOM decisions, storage and networking.

Nothing here may import PySide6, superqt, ``rpiq.gui`` or ``rpiq.cli``; the
import-linter contracts in ``pyproject.toml`` enforce it.
"""
