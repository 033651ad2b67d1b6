"""Qt GUI of RPIQ Workstation (PySide6); imported only by ``rpiq gui``."""
