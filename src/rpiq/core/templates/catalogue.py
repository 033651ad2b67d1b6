"""The catalogue: the 16 PS3.16 templates behind the RPI Query service, by TID.

TID 9007, TID 9000, TID 3802, every template they include, and the other PS3.16
Annex K root templates (``rpi-templates.md`` Sections 3 and 4, DICOM 2024c). The
builder, the SCP and the conformance checker all read templates from here.
Deeper general templates (TID 300 "Measurement", TID 1700 "Generic Blood Lab
Measurements", TID 4207 "Breast Imaging Pathology Results") are named by INCLUDE
rows but deliberately not encoded: see :data:`UNENCODED_TIDS`.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from rpiq.core.templates.annex_k import ANNEX_K_ROOTS
from rpiq.core.templates.tid1204_351_3114 import TID_351, TID_1204, TID_3114
from rpiq.core.templates.tid3802 import TID_3802
from rpiq.core.templates.tid3829_3831 import TID_3829, TID_3830, TID_3831
from rpiq.core.templates.tid4301 import TID_4301
from rpiq.core.templates.tid9001_9002 import TID_9001, TID_9002
from rpiq.core.templates.tid9003_9006 import TID_9003, TID_9004, TID_9005, TID_9006
from rpiq.core.templates.tid9007_9000 import TID_9000, TID_9007

if TYPE_CHECKING:
    from collections.abc import Mapping

    from rpiq.core.templates.model import Row, Template

__all__ = [
    "ANNEX_K_ROOTS",
    "UNENCODED_TEMPLATE_TITLES",
    "UNENCODED_TIDS",
    "all_templates",
    "get_template",
    "included_template",
]

_ALL: tuple[Template, ...] = (
    TID_9007,
    TID_9000,
    TID_9001,
    TID_9002,
    TID_9003,
    TID_9004,
    TID_9005,
    TID_9006,
    TID_3802,
    TID_3829,
    TID_3830,
    TID_3831,
    TID_1204,
    TID_351,
    TID_3114,
    TID_4301,
)
_BY_TID: Mapping[int, Template] = MappingProxyType({t.tid: t for t in _ALL})

UNENCODED_TEMPLATE_TITLES: Mapping[int, str] = MappingProxyType(
    {
        300: "Measurement",
        1700: "Generic Blood Lab Measurements",
        4207: "Breast Imaging Pathology Results",
    }
)
"""Titles of the templates that INCLUDE rows name but this catalogue omits."""

UNENCODED_TIDS: frozenset[int] = frozenset(UNENCODED_TEMPLATE_TITLES)
"""TIDs included by encoded rows but deliberately not encoded (300, 1700, 4207)."""


def get_template(tid: int) -> Template:
    """The encoded template with this TID.

    Parameters
    ----------
    tid : int
        Template identifier (PS3.16 Annex A / Annex K).

    Returns
    -------
    Template
        The template.

    Raises
    ------
    KeyError
        If the TID is not one of the 16 encoded templates.
    """
    try:
        return _BY_TID[tid]
    except KeyError:
        raise KeyError(f"TID {tid} is not in the RPI template catalogue") from None


def all_templates() -> tuple[Template, ...]:
    """The 16 encoded templates, in the order of ``rpi-templates.md`` Section 4."""
    return _ALL


def included_template(row: Row) -> Template | None:
    """The template an INCLUDE row pulls in, if it is encoded.

    Parameters
    ----------
    row : Row
        An INCLUDE row.

    Returns
    -------
    Template or None
        The included template, or ``None`` for a TID in :data:`UNENCODED_TIDS`.

    Raises
    ------
    ValueError
        If ``row`` is not an INCLUDE row.
    """
    if row.include is None:
        raise ValueError(f"row {row.number} ({row.value_type}) includes no template")
    if row.include in UNENCODED_TIDS:
        return None
    return get_template(row.include)
