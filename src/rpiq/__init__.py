"""RPIQ Workstation — Relevant Patient Information Query (DICOM PS3.4 Annex Q).

Only the version lives here: importing ``rpiq`` must stay cheap and Qt-free.
"""

__version__ = "0.1.0"
