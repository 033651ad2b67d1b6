"""The PS3.16 template catalogue of the RPI Query service, encoded once as data.

The 16 templates of ``rpi-templates.md`` Section 4 (DICOM 2024c) - TID 9007,
9000, 9001-9006, 3802, 3829, 3830, 3831, 1204, 351, 3114 and 4301 - as frozen
dataclasses (:class:`Template`, :class:`Row` and the cell types of
:mod:`rpiq.core.templates.terms`), plus the SOP-class rules of PS3.4 Q.4.3.3.

Codes come from :data:`pydicom.sr.codedict.codes` (value and scheme) with the
meaning printed in the template table; the codes pydicom lacks are in
:mod:`rpiq.core.templates.extra_codes`. See :mod:`rpiq.core.templates.notation`.

Only the SOP-class rules and the root TIDs and titles are imported with this
package; the catalogue, its model and its terms load on first use of one of
their names (PEP 562). They pull in pydicom's SR code dictionary, ~100 ms that
a query form, the CLI's ``--help`` or a request being validated do not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from rpiq.core.templates.annex_k import ANNEX_K_ROOTS, ANNEX_K_TITLES
from rpiq.core.templates.sop import RpiSopClass, template_error_for

if TYPE_CHECKING:
    from rpiq.core.templates.annex_k import TID_9002_RPI_ROOT_CONCEPT
    from rpiq.core.templates.catalogue import (
        UNENCODED_TEMPLATE_TITLES,
        UNENCODED_TIDS,
        all_templates,
        get_template,
        included_template,
    )
    from rpiq.core.templates.model import (
        RELATIONSHIP_TYPES,
        VALUE_TYPES,
        Requirement,
        Row,
        Template,
        Vm,
    )
    from rpiq.core.templates.terms import (
        Binding,
        BindingValue,
        CidStrength,
        CodeConstraint,
        CodeSet,
        ConceptName,
        ContextGroup,
        FixedCode,
        FreeText,
        Parameter,
        UnitsConstraint,
        ValueSet,
        same_code,
    )

__all__ = [
    "ANNEX_K_ROOTS",
    "ANNEX_K_TITLES",
    "RELATIONSHIP_TYPES",
    "TID_9002_RPI_ROOT_CONCEPT",
    "UNENCODED_TEMPLATE_TITLES",
    "UNENCODED_TIDS",
    "VALUE_TYPES",
    "Binding",
    "BindingValue",
    "CidStrength",
    "CodeConstraint",
    "CodeSet",
    "ConceptName",
    "ContextGroup",
    "FixedCode",
    "FreeText",
    "Parameter",
    "Requirement",
    "Row",
    "RpiSopClass",
    "Template",
    "UnitsConstraint",
    "ValueSet",
    "Vm",
    "all_templates",
    "get_template",
    "included_template",
    "same_code",
    "template_error_for",
]

# The submodule of every name loaded on first use.
_LAZY: dict[str, str] = {
    "TID_9002_RPI_ROOT_CONCEPT": "annex_k",
    **dict.fromkeys(
        (
            "UNENCODED_TEMPLATE_TITLES",
            "UNENCODED_TIDS",
            "all_templates",
            "get_template",
            "included_template",
        ),
        "catalogue",
    ),
    **dict.fromkeys(
        ("RELATIONSHIP_TYPES", "VALUE_TYPES", "Requirement", "Row", "Template", "Vm"),
        "model",
    ),
    **dict.fromkeys(
        (
            "Binding",
            "BindingValue",
            "CidStrength",
            "CodeConstraint",
            "CodeSet",
            "ConceptName",
            "ContextGroup",
            "FixedCode",
            "FreeText",
            "Parameter",
            "UnitsConstraint",
            "ValueSet",
            "same_code",
        ),
        "terms",
    ),
}


def __getattr__(name: str) -> Any:
    """Load a catalogue, model or terms name on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    """The module's names, the lazily loaded ones included."""
    return sorted(set(globals()) | set(__all__))
