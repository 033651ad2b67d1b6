"""PS3.16 Annex K: the templates usable as Relevant Patient Information roots.

PS3.4 Q.4.3.3 (Table Q.4-3) lets the General RPI Query SOP Class request TID
9007 or any template of the PS3.16 Annex K list; the Breast and Cardiac SOP
Classes fix TID 9000 and TID 3802.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rpiq.core.templates.extra_codes import HISTORY_OF_MEDICATION_USE

if TYPE_CHECKING:
    from pydicom.sr.coding import Code

ANNEX_K_ROOTS: tuple[int, ...] = (9007, 9000, 9001, 9002, 9003, 9004, 9005, 9006, 3802)
"""TIDs declared appropriate as RPI root templates (PS3.16 Annex K)."""

TID_9002_RPI_ROOT_CONCEPT: Code = HISTORY_OF_MEDICATION_USE
"""Root concept used when TID 9002 itself is the RPI root template.

TID 9002 row 1 is ``$ContainerConcept`` and the standard binds it only where
another template includes TID 9002. As RPI root this catalogue chooses the
medication binding used by TID 9007 row 4 and TID 9000 row 5:
(10160-0, LN, "History of Medication Use"). This is a design choice to state in
the conformance statement, not standard text.
"""
