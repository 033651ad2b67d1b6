"""PS3.16 Annex K: the templates usable as Relevant Patient Information roots.

PS3.4 Q.4.3.3 (Table Q.4-3) lets the General RPI Query SOP Class request TID
9007 or any template of the PS3.16 Annex K list; the Breast and Cardiac SOP
Classes fix TID 9000 and TID 3802.

This module holds no pydicom ``Code`` at import time: the SOP-class rules
(:mod:`rpiq.core.templates.sop`) and the GUI's template list read only the
TIDs and titles below, and loading one ``Code`` loads pydicom's whole SR code
dictionary (~70 ms). :data:`TID_9002_RPI_ROOT_CONCEPT` is loaded on first use.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pydicom.sr.coding import Code

    TID_9002_RPI_ROOT_CONCEPT: Code  # provided by __getattr__ below

__all__ = ["ANNEX_K_ROOTS", "ANNEX_K_TITLES", "TID_9002_RPI_ROOT_CONCEPT"]

ANNEX_K_ROOTS: tuple[int, ...] = (9007, 9000, 9001, 9002, 9003, 9004, 9005, 9006, 3802)
"""TIDs declared appropriate as RPI root templates (PS3.16 Annex K)."""

ANNEX_K_TITLES: Mapping[int, str] = MappingProxyType(
    {
        9007: "General Relevant Patient Information",
        9000: "Relevant Patient Information for Breast Imaging",
        9001: "Gynecological History",
        9002: "Medication, Substance, Environmental Exposure",
        9003: "Previous Procedure",
        9004: "Indicated Problem",
        9005: "Risk Factor",
        9006: "Obstetric History",
        3802: "Cardiovascular Patient History",
    }
)
"""Title of each root template, as its ``Template.title`` in the catalogue.

Kept here so that naming a root (the query form's template list) does not
load the catalogue; a test checks both agree.
"""


def __getattr__(name: str) -> Code:
    """``TID_9002_RPI_ROOT_CONCEPT``, loaded on first use (PEP 562).

    The root concept used when TID 9002 itself is the RPI root template.
    TID 9002 row 1 is ``$ContainerConcept`` and the standard binds it only where
    another template includes TID 9002. As RPI root this catalogue chooses the
    medication binding used by TID 9007 row 4 and TID 9000 row 5:
    (10160-0, LN, "History of Medication Use"). This is a design choice to state
    in the conformance statement, not standard text.
    """
    if name != "TID_9002_RPI_ROOT_CONCEPT":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rpiq.core.templates.extra_codes import HISTORY_OF_MEDICATION_USE

    globals()[name] = HISTORY_OF_MEDICATION_USE  # later look-ups skip this
    return HISTORY_OF_MEDICATION_USE
