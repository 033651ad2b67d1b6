"""Rows and templates: frozen dataclasses for PS3.16 template tables.

One :class:`Template` holds the rows of one PS3.16 template table (PS3.16
Section 6.1 "Template Table Structure"). Every :class:`Row` keeps the columns of
the published table:

* NL (nesting level, ``0`` for the root row, ``1`` for ``>``, ...);
* relationship with its parent (``None`` when the cell is empty);
* value type, including the pseudo value type ``"INCLUDE"``;
* concept name: a :class:`~rpiq.core.templates.terms.FixedCode` (``EV``/``DT``),
  a :class:`~rpiq.core.templates.terms.ContextGroup` (``DCID``/``BCID``) or a
  template :class:`~rpiq.core.templates.terms.Parameter`; for ``INCLUDE`` rows
  the included TID and its parameter bindings instead;
* VM, requirement type and condition;
* value-set constraint: a context group, a
  :class:`~rpiq.core.templates.terms.CodeSet` of explicit codes, a parameter or
  :class:`~rpiq.core.templates.terms.FreeText`;
* units constraint of NUM rows (``UNITS = EV (...)`` or a context group).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

from rpiq.core.templates.annex_k import ANNEX_K_ROOTS, TID_9002_RPI_ROOT_CONCEPT
from rpiq.core.templates.terms import FixedCode, Parameter

if TYPE_CHECKING:
    from pydicom.sr.coding import Code

    from rpiq.core.templates.terms import (
        Binding,
        ConceptName,
        UnitsConstraint,
        ValueSet,
    )

Requirement: TypeAlias = Literal["M", "MC", "U", "UC"]
"""Requirement type of a row, PS3.16 Section 6.1."""

Vm: TypeAlias = Literal["1", "1-n"]
"""Value multiplicity of a row, PS3.16 Section 6.1."""

RELATIONSHIP_TYPES: frozenset[str] = frozenset(
    {
        "CONTAINS",
        "HAS OBS CONTEXT",
        "HAS ACQ CONTEXT",
        "HAS CONCEPT MOD",
        "HAS PROPERTIES",
        "INFERRED FROM",
        "SELECTED FROM",
    }
)
"""Relationship types of PS3.3 Section C.17.3."""

VALUE_TYPES: frozenset[str] = frozenset(
    {
        "CONTAINER",
        "CODE",
        "NUM",
        "TEXT",
        "DATE",
        "TIME",
        "DATETIME",
        "PNAME",
        "UIDREF",
        "COMPOSITE",
        "IMAGE",
        "WAVEFORM",
        "SCOORD",
        "SCOORD3D",
        "TCOORD",
        "TABLE",
        "INCLUDE",
    }
)
"""Value types of PS3.3 Section C.17.3, plus the template pseudo type INCLUDE."""


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a PS3.16 template table (PS3.16 Section 6.1).

    Attributes
    ----------
    number : int
        Row number as published (1-based).
    nl : int
        Nesting level: ``0`` for no ``>``, ``1`` for ``>``, and so on.
    relationship : str or None
        Relationship with the parent ("CONTAINS", "HAS CONCEPT MOD", ...).
    value_type : str
        Value type, or ``"INCLUDE"`` for a template inclusion.
    concept : ConceptName or None
        Concept name; ``None`` for INCLUDE rows and empty cells.
    vm : {"1", "1-n"}
        Value multiplicity.
    requirement : {"M", "MC", "U", "UC"}
        Requirement type.
    condition : str or None
        Condition text of MC/UC rows, as published.
    condition_codes : tuple of pydicom.sr.coding.Code
        Codes quoted inside the condition text (e.g. the value that triggers it).
    value_set : ValueSet or None
        Value-set constraint of the row's value.
    units : UnitsConstraint or None
        Units constraint of a NUM row.
    include : int or None
        TID included by an INCLUDE row.
    bindings : tuple of Binding
        Parameter bindings of an INCLUDE row.
    """

    number: int
    nl: int
    relationship: str | None
    value_type: str
    concept: ConceptName | None
    vm: Vm
    requirement: Requirement
    condition: str | None = None
    condition_codes: tuple[Code, ...] = ()
    value_set: ValueSet | None = None
    units: UnitsConstraint | None = None
    include: int | None = None
    bindings: tuple[Binding, ...] = ()

    def __post_init__(self) -> None:
        problems = _row_problems(self)
        if problems:
            raise ValueError(f"row {self.number}: " + "; ".join(problems))

    @property
    def is_include(self) -> bool:
        """Whether the row includes another template."""
        return self.value_type == "INCLUDE"

    @property
    def is_conditional(self) -> bool:
        """Whether the requirement is MC or UC."""
        return self.requirement in ("MC", "UC")

    @property
    def concept_code(self) -> Code | None:
        """The fixed concept-name code, or ``None`` for a CID/parameter/no concept."""
        return self.concept.code if isinstance(self.concept, FixedCode) else None

    def binding(self, parameter: str) -> Binding | None:
        """The binding of ``parameter`` (with ``$``) on this INCLUDE row, if any."""
        return next((b for b in self.bindings if b.parameter == parameter), None)


def _row_problems(row: Row) -> list[str]:
    """Consistency problems of one row (empty when the row is well formed)."""
    problems: list[str] = []
    if row.relationship is not None and row.relationship not in RELATIONSHIP_TYPES:
        problems.append(f"unknown relationship {row.relationship!r}")
    if row.value_type not in VALUE_TYPES:
        problems.append(f"unknown value type {row.value_type!r}")
    if row.is_include != (row.include is not None):
        problems.append("INCLUDE rows, and only they, name an included TID")
    if row.bindings and not row.is_include:
        problems.append("bindings on a non-INCLUDE row")
    if row.units is not None and row.value_type != "NUM":
        problems.append("units constraint on a non-NUM row")
    if row.is_conditional != (row.condition is not None):
        problems.append("MC/UC rows, and only they, carry a condition")
    return problems


@dataclass(frozen=True, slots=True)
class Template:
    """One PS3.16 template: header facts plus its rows in table order.

    Attributes
    ----------
    tid : int
        Template identifier (Mapping Resource DCMR).
    title : str
        Template title as published.
    extensible : bool
        ``True`` for "Type: Extensible" (PS3.16 Section 6.1).
    order_significant : bool
        ``True`` for "Order: Significant".
    parameters : tuple of str
        Names of the template parameters (with ``$``), in table order.
    rows : tuple of Row
        Rows numbered 1..n; row 1 is the single row at NL 0.
    """

    tid: int
    title: str
    extensible: bool
    order_significant: bool
    parameters: tuple[str, ...]
    rows: tuple[Row, ...]

    def __post_init__(self) -> None:
        problems = _template_problems(self)
        if problems:
            raise ValueError(f"TID {self.tid}: " + "; ".join(problems))

    @property
    def root(self) -> Row:
        """Row 1, whose concept and value type identify the template's content."""
        return self.rows[0]

    @property
    def root_concept(self) -> Code | None:
        """Fixed concept name of row 1; ``None`` when it is a parameter."""
        return self.root.concept_code

    @property
    def root_value_type(self) -> str:
        """Value type of row 1."""
        return self.root.value_type

    def root_concept_for_rpi(self) -> Code:
        """Concept name of the response root when this TID is the RPI root.

        PS3.4 Q.4.3.1.2.1 puts row 1's concept name in the Concept Name Code
        Sequence. TID 9002's row 1 is ``$ContainerConcept`` and no binding is
        defined for TID 9002 as root; this catalogue uses
        :data:`~rpiq.core.templates.annex_k.TID_9002_RPI_ROOT_CONCEPT`
        (10160-0, LN, "History of Medication Use").

        Returns
        -------
        pydicom.sr.coding.Code
            The root concept name.

        Raises
        ------
        ValueError
            If the template is not a PS3.16 Annex K root template.
        """
        if self.tid not in ANNEX_K_ROOTS:
            raise ValueError(f"TID {self.tid} is not a PS3.16 Annex K root template")
        return self.root_concept or TID_9002_RPI_ROOT_CONCEPT

    def row(self, number: int) -> Row:
        """The row with this 1-based number (``IndexError`` if out of range)."""
        if not 1 <= number <= len(self.rows):
            raise IndexError(f"TID {self.tid} has no row {number}")
        return self.rows[number - 1]

    def children_of(self, row: Row) -> tuple[Row, ...]:
        """Rows directly below ``row``: NL + 1, up to the next row at NL <= row's.

        Parameters
        ----------
        row : Row
            A row of this template.

        Returns
        -------
        tuple of Row
            The direct children, in table order (PS3.16 Section 6.1).
        """
        self._check_owns(row)
        children: list[Row] = []
        for candidate in self.rows[row.number :]:
            if candidate.nl <= row.nl:
                break
            if candidate.nl == row.nl + 1:
                children.append(candidate)
        return tuple(children)

    def parent_of(self, row: Row) -> Row | None:
        """The nearest preceding row one NL up, or ``None`` for the root row."""
        self._check_owns(row)
        earlier = reversed(self.rows[: row.number - 1])
        return next((r for r in earlier if r.nl == row.nl - 1), None)

    def top_level_rows(self) -> tuple[Row, ...]:
        """The rows directly below the root row (NL 1)."""
        return self.children_of(self.root)

    def include_rows(self) -> tuple[Row, ...]:
        """All INCLUDE rows, in table order."""
        return tuple(r for r in self.rows if r.is_include)

    def _check_owns(self, row: Row) -> None:
        """Raise ``ValueError`` unless ``row`` is one of this template's rows."""
        if not 1 <= row.number <= len(self.rows) or self.rows[row.number - 1] != row:
            raise ValueError(f"row {row.number} does not belong to TID {self.tid}")


def _template_problems(template: Template) -> list[str]:
    """Structural problems of a template (empty when well formed)."""
    problems: list[str] = []
    numbers = [r.number for r in template.rows]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append("rows are not numbered 1..n")
    levels = [r.nl for r in template.rows]
    if not levels or levels[0] != 0 or 0 in levels[1:]:
        problems.append("row 1, and only row 1, must be at NL 0")
    if any(b - a > 1 for a, b in itertools.pairwise(levels)):
        problems.append("a row is nested more than one level below its predecessor")
    unknown = _parameters_used(template.rows) - set(template.parameters)
    if unknown:
        problems.append(f"undeclared parameters {sorted(unknown)}")
    return problems


def _parameters_used(rows: tuple[Row, ...]) -> set[str]:
    """Names of this template's own parameters referenced by its rows."""
    cells: list[object] = []
    for r in rows:
        cells += [r.concept, r.value_set]
        for b in r.bindings:
            cells += [*b.values, b.default]
    return {cell.name for cell in cells if isinstance(cell, Parameter)}
